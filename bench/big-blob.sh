#!/usr/bin/env bash
# bench/big-blob.sh — peak memory of reading back a sample whose text is one large blob.
#
# Usage:
#   bench/big-blob.sh [--mb N] [--work DIR]
#
#   --mb N        size of the sample's text in MiB (default: $MB, else 100)
#   --work DIR    where the manifest, store and exports go (default: bench/work/big-blob/,
#                 which git ignores)
#
# Environment:
#   TRAIL_BIN     the trail binary to measure (default: .build/release/trail, built with
#                 `swift build -c release` when missing).
#   LIMIT         seconds after which a command is stopped and reported as such (default 600:
#                 writers that slow down with the square of a line's length never finish).
#
# A store gets one commit of four samples, one of them with an N MiB text field (random words,
# with quotes, backslashes, tabs, newlines, control characters, line separators, C1 controls,
# bidi overrides and non-ASCII, so escaping is not free), as a remote could send it. Each command below runs under /usr/bin/time; the report gives its peak
# resident memory next to the blob's size. Target: every read stays under 3.5x the blob
# (about 350 MB for 100 MiB). The exports are then compared with the manifest (JSON Lines
# byte for byte; CSV by parsing it back with Python's csv module).
#
#   trail commit data.jsonl                 reference (not a target)
#   trail show HEAD                         counts only: must not depend on the blob
#   trail show HEAD big                     the sample as text
#   trail show HEAD big --json              the sample as JSON
#   trail export HEAD --out x.jsonl
#   trail export HEAD --out x.csv
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
MB="${MB:-100}"
LIMIT="${LIMIT:-600}"
WORK="$here/work/big-blob"
while [ $# -gt 0 ]; do
    case "$1" in
        --mb) MB="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        *) echo "usage: $0 [--mb N] [--work DIR]" >&2; exit 2 ;;
    esac
done
if [ -z "${TRAIL_BIN:-}" ]; then
    TRAIL_BIN="$repo/.build/release/trail"
    [ -x "$TRAIL_BIN" ] || (cd "$repo" && swift build -c release --product trail >&2)
fi
TRAIL_BIN="$(cd "$(dirname "$TRAIL_BIN")" && pwd)/$(basename "$TRAIL_BIN")"

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export TRAIL_AUTHOR="Bench <bench@example.org>" TRAIL_STORE="$WORK/.trail"

# Keys in canonical order, so the JSON Lines export must equal the manifest byte for byte.
python3 - "$MB" <<'PY'
import json, random, sys
size = int(sys.argv[1]) << 20
# Words drawn at random (so the blob compresses as text does, not to nothing), with what JSON,
# CSV and a terminal must escape: quotes, backslashes, tabs, newlines, control characters,
# line separators, C1 controls and bidi overrides, and non-ASCII letters.
random.seed(7)
words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
         "eiusmod", "tempor", '"quoted"', "back\\slash", "tab\t", "line\n", "ctl\u0001", "sep\u2028",
         "c1\u0085", "bidi\u202e", "é", "ünïcødé", "日本語", "🙂", "a,b"]
parts, n = [], 0
while n < size:
    chunk = " ".join(random.choices(words, k=4096)) + " "
    parts.append(chunk)
    n += len(chunk.encode())
text = "".join(parts).encode()[:size].decode("utf-8", "ignore")
with open("data.jsonl", "w", encoding="utf-8") as f:
    for i, (sid, t) in enumerate([("a", "small one"), ("big", text), ("c", "small two"), ("d", "small three")]):
        f.write(json.dumps({"id": sid, "label": "l%d" % (i % 2), "text": t}, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n")
PY

blob_mb=$(( $(stat -c %s data.jsonl) >> 20 ))
printf "trail: %s\nsample 'big': text of %d MiB (manifest %d MiB)\n\n" "$TRAIL_BIN" "$MB" "$blob_mb"
printf "%-34s %10s %9s\n" "command" "peak MB" "seconds"

status=0
measure() {
    local name="$1"; shift
    local out="$1"; shift
    local rc=0
    /usr/bin/time -f "%M %e" -o time.txt timeout "$LIMIT" "$@" > "$out" 2> stderr.txt || rc=$?
    read -r kb seconds < <(tail -1 time.txt)
    if [ "$rc" = 124 ]; then
        printf "%-34s %10d %9s\n" "$name" $(( kb / 1024 )) ">$LIMIT (stopped)"
        status=1
    elif [ "$rc" != 0 ]; then
        echo "FAILED: $name: $(cat stderr.txt)" >&2
        status=1
    else
        printf "%-34s %10d %9s\n" "$name" $(( kb / 1024 )) "$seconds"
    fi
}

"$TRAIL_BIN" init > /dev/null
measure "commit data.jsonl (reference)" /dev/null "$TRAIL_BIN" commit data.jsonl -m "big blob"
measure "show HEAD" /dev/null "$TRAIL_BIN" show HEAD
measure "show HEAD big" show.txt "$TRAIL_BIN" show HEAD big
measure "show HEAD big --json" show.json "$TRAIL_BIN" show HEAD big --json
measure "export HEAD --out x.jsonl" /dev/null "$TRAIL_BIN" export HEAD --out x.jsonl
measure "export HEAD --out x.csv" /dev/null "$TRAIL_BIN" export HEAD --out x.csv

# Correctness: the outputs hold the text exactly.
echo
python3 - <<'PY' || status=1
import csv, json, sys
csv.field_size_limit(sys.maxsize)
rows = [json.loads(l) for l in open("data.jsonl", encoding="utf-8")]
ok = True
def check(name, test):
    global ok
    try:
        good = test()
    except Exception as e:  # a stopped command leaves its output cut short
        good = False
    print(("ok      " if good else "WRONG   ") + name)
    ok = ok and good
def csv_rows():
    with open("x.csv", newline="", encoding="utf-8") as f:
        return [dict(r) for r in csv.DictReader(f)]
check("x.jsonl equals the manifest", lambda: open("x.jsonl", "rb").read() == open("data.jsonl", "rb").read())
check("x.csv holds every value", lambda: csv_rows() == [{k: str(v) for k, v in r.items()} for r in rows])
check("show --json holds the text", lambda: json.load(open("show.json", encoding="utf-8"))["sample"] == rows[1])
check("show prints the row", lambda: json.loads(open("show.txt", encoding="utf-8").read().split("\n\n", 1)[1]) == rows[1])
sys.exit(0 if ok else 1)
PY
exit $status
