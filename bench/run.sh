#!/usr/bin/env bash
# bench/run.sh — measure Trail against its performance goals and print a report.
#
# Usage:
#   bench/run.sh [--samples N] [--work DIR]
#
#   --samples N   samples in the first version (default: $SAMPLES, else 1000000).
#                 The targets below are stated for 1,000,000 samples.
#   --work DIR    where datasets, stores and logs go (default: bench/work/ in the
#                 repository, which git ignores).
#
# Environment:
#   TRAIL_BIN     the trail binary to measure. Unset: the script runs
#                 `swift build -c release --static-swift-stdlib` in the repository (the
#                 way a release is shipped: a process starts in 8 ms rather than 15)
#                 and uses .build/release/trail.
#   GEN           the dataset generator (default: ../../shared/bench/gen_dataset.py,
#                 relative to this script).
#   SAMPLES       as --samples.
#
# What it does (nothing in the repository outside --work is touched):
#   1. Generates, unless DIR/data-N/ already holds them: v1.jsonl (N samples),
#      v2.jsonl (gen_dataset.py --evolve-from v1.jsonl), patch.jsonl (rows of v2
#      that differ from v1 byte for byte, plus {"id":…,"_delete":true} for ids v2
#      dropped; see bench/make_patch.py), and per-sample/ (v1 as one JSON file per
#      sample, 1000 files per subfolder). None of this is timed.
#   2. Times, with /usr/bin/time -f "%e %M" (wall seconds, peak RSS), in DIR/run-N/:
#        sha1sum v1.jsonl                              reference: reading the data once
#        trail commit v1.jsonl      (fresh store)      goal: ≤ 15 s, ≤ 2 GiB
#        trail commit v2.jsonl      (full manifest)    goal: ≤ 6 s; store growth is
#                                                      compared with the changed rows
#        trail commit --patch patch.jsonl  (a copy of the store holding v1 only)
#                                                      goal: ≤ 1 s
#        trail export HEAD --out export-v2.jsonl       goal: ≤ 10 s
#        git init -q && git add -A && git commit -q -m v1   in per-sample/
#                                                      reference: per-sample history with git
#      Then, with v1 and v2 registered as models clf-v1 and clf-v2 (median of
#      several runs each, process start included; timed with `hyperfine -N` when it is
#      installed, apt install hyperfine, else from Python, which adds its own fork cost):
#        trail diff clf-v1 clf-v2                      goal: ≤ 1 s
#        trail history ID   (a sample v2 relabeled)    goal: ≤ 20 ms
#        trail audit model clf-v2                      goal: ≤ 2 s
#        trail reindex      (both commits, from git)   goal: ≤ 20 s
#      Then, through `git daemon` on loopback (127.0.0.1, a random port):
#        git clone --bare of the store                  reference
#        trail clone of the store (index built)         goal: ≤ 2x git clone
#        trail push of v1, then of v2 to a new bare repo: the server's growth with the v2
#        push is printed next to the size of the changed rows
#   3. Checks correctness: `git fsck --strict` on the store, the export of v2
#      equals v2.jsonl once canonicalised (keys sorted, compact separators, lines
#      sorted), the patch commit gives the same snapshot (tree id) as the
#      full-manifest commit, the diff's counts match bench/make_patch.py's, and
#      reindex gives the same index rows as the commits wrote.
#
# Exit status: 0 when every command ran and every check passed, whether or not
# the targets were met (this is a report); 1 when a command or a check failed;
# 2 on a usage error.
#
# Notes: datasets are reused across runs with the same N (delete DIR/data-N/ to
# regenerate). Files are read once before timing so every step starts with a warm
# page cache. At 1M samples, per-sample/ takes about 1M inodes and a few GB; the
# peer git repository is deleted after it is measured. Git's automatic gc is
# switched off for the peer run so that no background repack disturbs later steps.

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

samples="${SAMPLES:-1000000}"
work="$root/bench/work"
gen="${GEN:-$(dirname "$0")/../../shared/bench/gen_dataset.py}"

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --samples) [ $# -ge 2 ] || { usage >&2; exit 2; }; samples="$2"; shift 2 ;;
        --samples=*) samples="${1#*=}"; shift ;;
        --work) [ $# -ge 2 ] || { usage >&2; exit 2; }; work="$2"; shift 2 ;;
        --work=*) work="${1#*=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$samples" in
    ''|*[!0-9]*|0) echo "run.sh: --samples needs a positive whole number, got '$samples'" >&2; exit 2 ;;
esac
[ -f "$gen" ] || { echo "run.sh: dataset generator not found: $gen (set GEN=path)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time (GNU time) is needed" >&2; exit 1; }
gen="$(cd "$(dirname "$gen")" && pwd)/$(basename "$gen")"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

export TRAIL_AUTHOR="Bench <bench@example.org>"

# ---------------------------------------------------------------- helpers

die() { echo "run.sh: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

# bytes N -> "12.3 MiB"
human() {
    awk -v b="$1" 'BEGIN {
        split("B KiB MiB GiB TiB", u, " "); i = 1
        while (b >= 1024 && i < 5) { b /= 1024; i++ }
        printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'
}

# Total size in bytes of the files under a folder.
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

# a / b with the given printf format, or "n/a" when b is zero.
ratio() {
    awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf f "\n", a / b }'
}

# measure NAME CMD... : run CMD under /usr/bin/time with its output in logs/NAME.log;
# sets SECS (wall seconds) and KB (peak resident set, KiB). Stops the script if CMD fails.
measure() {
    local name="$1"; shift
    local log="$run/logs/$name.log" tf="$run/logs/$name.time"
    if ! /usr/bin/time -f "%e %M" -o "$tf" "$@" >"$log" 2>&1; then
        echo "run.sh: FAILED ($name): $*" >&2
        sed 's/^/    | /' "$log" "$tf" >&2
        exit 1
    fi
    read -r SECS KB < <(tail -n 1 "$tf")
    printf '   %-28s %8s s   %10s peak\n' "$name" "$SECS" "$(human $((KB * 1024)))"
    sed -n '1,6s/^/      | /p' "$log"
}

# median NAME RUNS CMD... : run CMD RUNS times (after one warm-up run), output in
# logs/NAME.log; sets SECS to the median wall time and prints it with min and max.
median() {
    local name="$1" runs="$2"; shift 2
    local log="$run/logs/$name.log"
    "$@" >"$log" 2>&1 || { echo "run.sh: FAILED ($name): $*" >&2; sed 's/^/    | /' "$log" >&2; exit 1; }
    if command -v hyperfine >/dev/null; then
        # hyperfine -N starts the command itself (no shell, no interpreter in between), so the
        # figure is the command's own wall time, process start included.
        hyperfine -N -w 3 -r "$runs" --export-json "$run/logs/$name.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1 \
            || die "$name failed while timing"
        SECS=$(python3 - "$run/logs/$name.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["results"][0]
print("%.4f %.4f %.4f" % (t["median"], t["min"], t["max"]))
PY
)
    else
        SECS=$(python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.4f} {min(times):.4f} {max(times):.4f}")
PY
) || die "$name failed while timing"
    fi
    read -r SECS lo hi <<<"$SECS"
    printf '   %-28s %8s s   (median of %d; min %s, max %s)\n' "$name" "$SECS" "$runs" "$lo" "$hi"
    sed -n '1,4s/^/      | /p' "$log"
}

# ---------------------------------------------------------------- trail binary

step "Trail binary"
if [ -z "${TRAIL_BIN:-}" ]; then
    echo "   swift build -c release --static-swift-stdlib (in $root)"
    (cd "$root" && swift build -c release --static-swift-stdlib) || die "swift build failed"
    TRAIL_BIN="$root/.build/release/trail"
fi
[ -x "$TRAIL_BIN" ] || die "not an executable: $TRAIL_BIN"
echo "   $TRAIL_BIN ($("$TRAIL_BIN" --version 2>/dev/null || echo 'version unknown'))"

# ---------------------------------------------------------------- datasets (not timed)

data="$work/data-$samples"
step "Datasets in $data"
mkdir -p "$data"
if [ ! -s "$data/v1.jsonl" ]; then
    echo "   generating v1.jsonl ($samples samples)"
    rm -rf "$data"/*   # anything derived from an older v1 is stale
    python3 "$gen" --samples "$samples" --out "$data/v1.jsonl.tmp"
    mv "$data/v1.jsonl.tmp" "$data/v1.jsonl"
fi
if [ ! -s "$data/v2.jsonl" ]; then
    echo "   generating v2.jsonl (--evolve-from v1.jsonl)"
    python3 "$gen" --evolve-from "$data/v1.jsonl" --out "$data/v2.jsonl.tmp"
    mv "$data/v2.jsonl.tmp" "$data/v2.jsonl"
fi
if [ ! -s "$data/patch.jsonl" ] || [ ! -s "$data/patch.stats" ]; then
    echo "   writing patch.jsonl (bench/make_patch.py)"
    python3 "$here/make_patch.py" "$data/v1.jsonl" "$data/v2.jsonl" --out "$data/patch.jsonl.tmp" \
        >"$data/patch.stats.tmp"
    mv "$data/patch.jsonl.tmp" "$data/patch.jsonl"
    mv "$data/patch.stats.tmp" "$data/patch.stats"
fi
if [ ! -f "$data/per-sample.done" ]; then
    echo "   writing per-sample/ (one JSON file per sample, 1000 per folder)"
    rm -rf "$data/per-sample"
    python3 - "$data/v1.jsonl" "$data/per-sample" <<'PY'
import json, os, sys
src, dest = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    for n, line in enumerate(f):
        folder = os.path.join(dest, f"{n // 1000:05d}")
        if n % 1000 == 0:
            os.makedirs(folder)
        with open(os.path.join(folder, json.loads(line)["id"] + ".json"), "wb") as out:
            out.write(line)
PY
    touch "$data/per-sample.done"
fi

v1_rows=$(wc -l <"$data/v1.jsonl")
v2_rows=$(wc -l <"$data/v2.jsonl")
v1_bytes=$(stat -c %s "$data/v1.jsonl")
read -r patch_stats <"$data/patch.stats"
eval "$patch_stats"   # added= modified= deleted= changed_bytes= patch_bytes=
: "${added:?} ${modified:?} ${deleted:?} ${changed_bytes:?} ${patch_bytes:?}"
echo "   v1.jsonl: $v1_rows rows, $(human "$v1_bytes")"
echo "   v2.jsonl: $v2_rows rows; vs v1: $added added, $modified modified, $deleted removed"
echo "   changed rows: $(human "$changed_bytes"); patch.jsonl: $((added + modified + deleted)) rows, $(human "$patch_bytes")"

# ---------------------------------------------------------------- measurements

run="$work/run-$samples"
rm -rf "$run"
mkdir -p "$run/logs"
full="$run/full/.trail"
patched="$run/patched/.trail"

# Warm the page cache so the first timed step does not pay for cold reads, and flush what
# dataset generation left to write (a million per-sample files) so its writeback does not
# compete with the first timed step.
cat "$data/v1.jsonl" "$data/v2.jsonl" "$data/patch.jsonl" >/dev/null
sync

step "Reference: sha1sum"
measure sha1sum sha1sum "$data/v1.jsonl"
sha_s=$SECS

step "Trail: first commit, v1 ($v1_rows samples) into a fresh store"
"$TRAIL_BIN" init --store "$full" >"$run/logs/init-full.log" 2>&1 || die "trail init failed (see $run/logs/init-full.log)"
measure commit-v1 "$TRAIL_BIN" commit --store "$full" "$data/v1.jsonl" -m "v1"
first_s=$SECS first_kb=$KB

# The patch is measured on a copy of this store, which holds v1 and nothing else.
mkdir -p "$(dirname "$patched")"
cp -a "$full" "$patched"

step "Trail: commit of the full v2 manifest"
objects_before=$(tree_bytes "$full/objects")
measure commit-v2 "$TRAIL_BIN" commit --store "$full" "$data/v2.jsonl" -m "v2"
v2_s=$SECS
objects_after=$(tree_bytes "$full/objects")
growth=$((objects_after - objects_before))
echo "   .trail/objects: $(human "$objects_before") -> $(human "$objects_after") (+$(human "$growth")); changed rows: $(human "$changed_bytes")"

step "Trail: commit --patch of the changed rows, into a store holding v1 only"
measure commit-patch "$TRAIL_BIN" commit --store "$patched" --patch "$data/patch.jsonl" -m "v2 (patch)"
patch_s=$SECS

step "Trail: export of the v2 snapshot"
measure export-v2 "$TRAIL_BIN" export HEAD --store "$full" --out "$run/export-v2.jsonl"
export_s=$SECS

step "Trail: lineage index and reports, with v1 and v2 registered as models"
"$TRAIL_BIN" model register --store "$full" clf-v1 HEAD~1 >"$run/logs/register.log" 2>&1 || die "model register failed"
"$TRAIL_BIN" model register --store "$full" clf-v2 HEAD >>"$run/logs/register.log" 2>&1 || die "model register failed"
# A sample that v2 relabeled: the first modified row of the patch.
sample=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    if not row.get("_delete"): print(row["id"]); break' "$data/patch.jsonl")
median diff 5 "$TRAIL_BIN" diff --store "$full" clf-v1 clf-v2
diff_s=$SECS
median history 30 "$TRAIL_BIN" history --store "$full" "$sample"
history_ms=$(awk -v s="$SECS" 'BEGIN { printf "%.1f", s * 1000 }')
median audit-model 5 "$TRAIL_BIN" audit model --store "$full" clf-v2
audit_s=$SECS
index_rows() {
    sqlite3 "$full/index.sqlite" "
        SELECT c.id, ch.sample_id, ch.kind, ch.record_before, ch.record_after, ch.labels_before, ch.labels_after, ch.annotator, ch.guideline
        FROM changes ch JOIN commits c ON c.seq = ch.seq ORDER BY c.id, ch.sample_id;
        SELECT c.id, e.sample_id, e.field, e.from_label, e.to_label, e.annotator, e.guideline, e.time
        FROM label_events e JOIN commits c ON c.seq = e.seq ORDER BY c.id, e.sample_id, e.field;
        SELECT id, parent, author, email, time, subject, samples FROM commits ORDER BY id;" | sha1sum | cut -c1-40
}
rows_inline=$(index_rows)
measure reindex "$TRAIL_BIN" reindex --store "$full"
reindex_s=$SECS
rows_rebuilt=$(index_rows)
"$TRAIL_BIN" diff --store "$full" clf-v1 clf-v2 --json >"$run/diff.json" || die "trail diff --json failed"

step "Reference: git add + commit of v1 as one file per sample"
rm -rf "$data/per-sample/.git"
measure git-per-sample env \
    GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=gc.auto GIT_CONFIG_VALUE_0=0 \
    GIT_CONFIG_KEY_1=maintenance.auto GIT_CONFIG_VALUE_1=false \
    GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org \
    GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org \
    sh -c 'cd "$1" && git init -q && git add -A && git commit -q -m v1' sh "$data/per-sample"
git_s=$SECS
peer_bytes=$(tree_bytes "$data/per-sample/.git")
echo "   git repository: $(human "$peer_bytes"); Trail store after v1+v2: $(human "$(tree_bytes "$full")")"
rm -rf "$data/per-sample/.git"

step "Remotes: clone through git daemon on loopback; push of v2 after v1"
port=$((20000 + $$ % 20000))
git daemon --reuseaddr --export-all --enable=receive-pack --listen=127.0.0.1 --port="$port" \
    --base-path="$run" "$run" >"$run/logs/daemon.log" 2>&1 &
daemon_pid=$!
trap 'kill "$daemon_pid" 2>/dev/null || true' EXIT
url="git://127.0.0.1:$port/full/.trail"
for _ in $(seq 1 100); do git ls-remote "$url" >/dev/null 2>&1 && break; sleep 0.1; done
git ls-remote "$url" >/dev/null 2>&1 || die "git daemon did not start (see $run/logs/daemon.log)"
measure git-clone git clone -q --bare "$url" "$run/git-clone.git"
gitclone_s=$SECS
measure trail-clone "$TRAIL_BIN" clone "$url" "$run/trail-clone.trail"
clone_s=$SECS
"$TRAIL_BIN" diff --store "$run/trail-clone.trail" clf-v1 clf-v2 --json >"$run/diff-clone.json" || die "diff on the clone failed"
rm -rf "$run/git-clone.git"
# The patched store holds v1 and the v2 patch commit: push v1 (as branch base) first, then v2.
git init -q --bare "$run/server.git"
"$TRAIL_BIN" remote add --store "$patched" origin "git://127.0.0.1:$port/server.git" >/dev/null
"$TRAIL_BIN" branch --store "$patched" base HEAD~1 >/dev/null
measure push-v1 "$TRAIL_BIN" push --store "$patched" origin base
server_before=$(tree_bytes "$run/server.git/objects")
measure push-v2 "$TRAIL_BIN" push --store "$patched" origin main
push_s=$SECS
push_bytes=$(( $(tree_bytes "$run/server.git/objects") - server_before ))
echo "   server objects grew by $(human "$push_bytes") with the v2 push (v1 push: $(human "$server_before"))"
kill "$daemon_pid" 2>/dev/null || true

# ---------------------------------------------------------------- correctness

step "Checks"
failed=0

if /usr/bin/time -f "%e" -o "$run/logs/fsck.time" \
        git --git-dir "$full" fsck --strict >"$run/logs/fsck.log" 2>&1; then
    fsck_ok=OK
else
    fsck_ok=FAIL; failed=1
fi
echo "   git fsck --strict: $fsck_ok ($(tail -n 1 "$run/logs/fsck.time") s; output in logs/fsck.log)"

if python3 - "$data/v2.jsonl" "$run/export-v2.jsonl" >"$run/logs/compare.log" 2>&1 <<'PY'
import hashlib, json, sys

def canonical_digests(path):
    out = []
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                text = json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))
                out.append(hashlib.blake2b(text.encode(), digest_size=16).digest())
    out.sort()
    return out

expected, got = canonical_digests(sys.argv[1]), canonical_digests(sys.argv[2])
print(f"v2.jsonl: {len(expected)} rows; export: {len(got)} rows")
if expected != got:
    a, b = set(expected), set(got)
    print(f"rows only in v2.jsonl: {len(a - b)}; rows only in the export: {len(b - a)}")
    sys.exit(1)
PY
then
    export_ok=OK
else
    export_ok=FAIL; failed=1
fi
echo "   export of v2 == v2.jsonl (canonical): $export_ok ($(tail -n 1 "$run/logs/compare.log"))"

tree_full=$(git --git-dir "$full" rev-parse 'HEAD^{tree}')
tree_patched=$(git --git-dir "$patched" rev-parse 'HEAD^{tree}')
if [ "$tree_full" = "$tree_patched" ]; then patch_ok=OK; else patch_ok=FAIL; failed=1; fi
echo "   patch commit == full v2 commit (tree ${tree_full:0:10} vs ${tree_patched:0:10}): $patch_ok"

if [ "$rows_inline" = "$rows_rebuilt" ]; then reindex_ok=OK; else reindex_ok=FAIL; failed=1; fi
echo "   index rows written by the commits == rows rebuilt by reindex ($rows_inline): $reindex_ok"

if python3 - "$run/diff.json" "$added" "$modified" "$deleted" >"$run/logs/diff-check.log" 2>&1 <<'PY'
import json, sys
counts = json.load(open(sys.argv[1]))["counts"]
added, modified, deleted = map(int, sys.argv[2:])
got = (counts["added"], counts["relabeled"] + counts["content-changed"] + counts["metadata-changed"], counts["removed"])
print(f"diff: added {got[0]}, modified {got[1]}, removed {got[2]}; make_patch.py: {added}, {modified}, {deleted}")
sys.exit(0 if got == (added, modified, deleted) else 1)
PY
then
    diff_ok=OK
else
    diff_ok=FAIL; failed=1
fi
echo "   diff counts == make_patch.py's: $diff_ok ($(tail -n 1 "$run/logs/diff-check.log"))"

if cmp -s "$run/diff.json" "$run/diff-clone.json"; then clone_ok=OK; else clone_ok=FAIL; failed=1; fi
echo "   diff on the clone == diff on the origin: $clone_ok"

# ---------------------------------------------------------------- report

# row GOAL MEASURED TARGET RATIO STATUS
row() { printf '%-44s %14s %14s %8s  %s\n' "$@"; }
# goal GOAL VALUE UNIT TARGET : a row whose ratio is VALUE / TARGET (≤ 1 meets the target)
goal() {
    local r status
    r=$(ratio "$2" "$4")
    status=$(awk -v a="$2" -v b="$4" 'BEGIN { print (a + 0 <= b + 0 ? "met" : "MISSED") }')
    row "$1" "$2 $3" "<= $4 $3" "$r" "$status"
}

first_mib=$(awk -v k="$first_kb" 'BEGIN { printf "%.0f", k / 1024 }')

echo
echo "Trail benchmark: $v1_rows samples (v2: $v2_rows; $added added, $modified modified, $deleted removed)"
echo "  $(uname -sm), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), work dir $work"
if [ "$samples" -ne 1000000 ]; then
    echo "  NOTE: the targets are stated for 1,000,000 samples; this run used $samples."
fi
echo
row "goal" "measured" "target" "ratio" "status"
row "--------------------------------------------" "--------------" "--------------" "--------" "------"
goal "first commit (v1): wall time"               "$first_s"  s   15
goal "first commit (v1): peak memory"             "$first_mib" MiB 2048
goal "commit full v2 manifest: wall time"         "$v2_s"     s   6
row  "commit full v2: store growth vs changed rows" "$(human "$growth")" "$(human "$changed_bytes")" \
     "$(ratio "$growth" "$changed_bytes")" "info"
goal "commit --patch (changed rows only): wall"   "$patch_s"  s   1
goal "export v2 snapshot: wall time"              "$export_s" s   10
goal "diff clf-v1 clf-v2 (full summary): wall"   "$diff_s"   s   1
goal "history of one sample: wall"                "$history_ms" ms 20
goal "audit model clf-v2: wall"                   "$audit_s"  s   2
goal "reindex (2 commits, from git alone): wall"  "$reindex_s" s  20
row  "clone via git daemon, index built: wall"     "$clone_s s" "<= 2x git" "$(ratio "$clone_s" "$gitclone_s" '%.2fx')" \
     "$(awk -v a="$clone_s" -v b="$gitclone_s" 'BEGIN { print (a + 0 <= 2 * b ? "met" : "MISSED") }')"
row  "push of v2 after v1: server growth"           "$(human "$push_bytes")" "$(human "$changed_bytes")" \
     "$(ratio "$push_bytes" "$changed_bytes")" "info ($push_s s; dataset $(human "$v1_bytes"))"
row  "reference: git clone --bare via git daemon"   "$gitclone_s s" "-" "-" "-"
row  "reference: sha1sum v1.jsonl"                "$sha_s s"  "-" "$(ratio "$first_s" "$sha_s" '%.1fx')" "trail first commit / this"
row  "reference: git add+commit, 1 file/sample"   "$git_s s"  "-" "$(ratio "$first_s" "$git_s" '%.2fx')" "trail first commit / this"
echo
echo "checks: fsck --strict $fsck_ok; export == v2.jsonl $export_ok; patch == full commit $patch_ok;"
echo "        reindex == inline index $reindex_ok; diff counts $diff_ok; clone == origin $clone_ok"
echo "logs and stores: $run"

exit "$failed"
