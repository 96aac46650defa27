# bench/lib.sh — the prelude bench/judgments.sh and bench/eval.sh share. Sourced, not run:
#   source "$(dirname "$0")/lib.sh" "$@"
#
# Reads the script's arguments and sets:
#   here, root    the bench folder and the repository
#   samples       --samples N, else $SAMPLES, else 1000000
#   work          --work DIR, else bench/work/
#   gen           the dataset generator: $GEN, else ../../shared/bench/gen_dataset.py
#   trail         the binary: $TRAIL_BIN, else a release build (as bench/run.sh makes)
# Any other argument prints the calling script's header (its usage) and exits 2.
# Defines generate, timed and median (below).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
samples="${SAMPLES:-1000000}"
work="$root/bench/work"
gen="${GEN:-$here/../../shared/bench/gen_dataset.py}"
while [ $# -gt 0 ]; do
    case "$1" in
        --samples) samples="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        *) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done
if [ -z "${TRAIL_BIN:-}" ]; then
    [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
    (cd "$root" && swift build -c release --static-swift-stdlib >&2)
    TRAIL_BIN="$root/.build/release/trail"
fi
trail="$(cd "$(dirname "$TRAIL_BIN")" && pwd)/$(basename "$TRAIL_BIN")"

generate() {  # generate OUT COMMAND...: runs COMMAND --out OUT, unless OUT already holds data
    local out="$1"; shift
    [ -s "$out" ] || "$@" --out "$out"
}

timed() {  # timed LABEL COMMAND...: wall seconds and peak RSS of one run (files in $run)
    local label="$1"; shift
    /usr/bin/time -f "%e %M" -o "$run/time" "$@" > "$run/out" 2> "$run/err" || { cat "$run/err" >&2; exit 1; }
    read -r secs kb < "$run/time"
    printf '  %-52s %6.2f s  %6d MB\n' "$label" "$secs" "$((kb / 1024))"
}

median() {  # median LABEL GOAL COMMAND...: the median wall time of 5 runs, and GOAL when not empty
    local label="$1" goal="$2"; shift 2
    python3 - "$label" "$goal" "$@" <<'PY'
import subprocess, sys, time
label, goal, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
times = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
times.sort()
print(f"  {label:<52} {times[2]:6.2f} s  (median of 5; min {times[0]:.2f}){'  goal ' + goal if goal else ''}")
PY
}
