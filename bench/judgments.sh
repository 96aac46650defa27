#!/usr/bin/env bash
# bench/judgments.sh — time what judgments cost: commit, audit agreement, diff.
#
# Usage:
#   bench/judgments.sh [--samples N] [--work DIR]
#
#   --samples N   samples in the dataset (default: $SAMPLES, else 1000000).
#   --work DIR    where datasets, stores and logs go (default: bench/work/).
#
# Environment: TRAIL_BIN (the binary; unset: a release build, as bench/run.sh makes), GEN (the
# generator; default ../../shared/bench/gen_dataset.py).
#
# What it does:
#   1. Generates, unless DIR/judgments-data-N/ holds them: j1.jsonl (N samples, 3 judgments
#      each: gen_dataset.py --judgments 3), j2.jsonl (--evolve-from j1: 2% relabeled under
#      guideline v3.2 with adjudications, 1% added, 0.5% removed), and p1.jsonl and p2.jsonl,
#      the same two files with the judgments field taken out. Not timed.
#   2. Times, in two fresh stores (one per pair of files): commit of version 1, commit of
#      version 2 (wall time and peak RSS); then, median of 5 runs, process start included:
#        trail diff HEAD~1 HEAD     with judgments (agreement section) and without
#        trail audit agreement      with judgments
#   Goals at 1M: commit with judgments ≤ 1.5x without; audit agreement ≤ 3 s; diff with the
#   agreement section ≤ 1.5x the diff without judgments.
#   3. Checks audit agreement's alpha against the `krippendorff` package (when the venv of
#      `scripts/setup.sh --tests` is there) on the samples of j2.jsonl.
# Exit status: 0 when every command and the check passed (a report, whatever the times); 1 otherwise.
source "$(dirname "$0")/lib.sh" "$@"
data="$work/judgments-data-$samples"
mkdir -p "$data"
generate "$data/j1.jsonl" python3 "$gen" --samples "$samples" --judgments 3
generate "$data/j2.jsonl" python3 "$gen" --evolve-from "$data/j1.jsonl" --judgments 3 --relabel 0.02 --add 0.01 --remove 0.005 --guideline v3.2
strip() {  # strip IN OUT: the rows without their judgments field, otherwise as they were
    [ -s "$2" ] || python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        row = json.loads(line)
        row.pop("judgments", None)
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
EOF
}
strip "$data/j1.jsonl" "$data/p1.jsonl"
strip "$data/j2.jsonl" "$data/p2.jsonl"
run="$work/judgments-$samples"
rm -rf "$run"
mkdir -p "$run/with" "$run/without"
export TRAIL_AUTHOR="Bench <bench@localhost>"
cat "$data"/*.jsonl > /dev/null
echo "judgments at $samples samples ($(nproc) cores, $trail)"
export TRAIL_STORE="$run/without/.trail"
"$trail" init > /dev/null
timed "commit v1 without judgments" "$trail" commit "$data/p1.jsonl" -m v1
timed "commit v2 without judgments" "$trail" commit "$data/p2.jsonl" -m v2
median "diff HEAD~1 HEAD without judgments" "" "$trail" diff HEAD~1 HEAD
export TRAIL_STORE="$run/with/.trail"
"$trail" init > /dev/null
timed "commit v1 with 3 judgments per sample" "$trail" commit "$data/j1.jsonl" -m v1
timed "commit v2 with 3 judgments per sample" "$trail" commit "$data/j2.jsonl" -m v2
median "diff HEAD~1 HEAD with the agreement section" "" "$trail" diff HEAD~1 HEAD
median "audit agreement" "" "$trail" audit agreement
"$trail" audit agreement --json > "$run/agreement.json"
py="$root/.venv-tests/bin/python3"
if [ -x "$py" ] && "$py" -c "import krippendorff" 2>/dev/null; then
    "$py" - "$data/j2.jsonl" "$run/agreement.json" <<'EOF'
import json, sys
import numpy as np, krippendorff
labels, units = {}, []
for line in open(sys.argv[1], encoding="utf-8"):
    values = [j["label"] for j in json.loads(line).get("judgments", []) if isinstance(j.get("label"), str)]
    if len(values) >= 2:
        units.append([labels.setdefault(v, len(labels)) for v in values])
width = max(len(u) for u in units)
data = np.full((width, len(units)), np.nan)
for k, u in enumerate(units):
    data[:len(u), k] = u
alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
mine = json.load(open(sys.argv[2]))["krippendorff_alpha"]
ok = abs(alpha - mine) < 5e-4
print(f"  check: alpha {mine:.4f} (trail) vs {alpha:.4f} (krippendorff) over {len(units)} samples: {'OK' if ok else 'MISMATCH'}")
sys.exit(0 if ok else 1)
EOF
else
    echo "  check skipped: no .venv-tests with krippendorff (scripts/setup.sh --tests)"
fi
