#!/usr/bin/env bash
# bench/eval.sh — time `trail eval` on stored predictions and print the figures.
#
# Usage:
#   bench/eval.sh [--samples N] [--work DIR]
#
#   --samples N   samples in the dataset (default: $SAMPLES, else 1000000).
#   --work DIR    where datasets, the store and logs go (default: bench/work/).
#
# Environment: TRAIL_BIN (the binary; unset: a release build, as bench/run.sh makes), GEN and
# PRED (the generators; default ../../shared/bench/gen_dataset.py and gen_predictions.py).
#
# What it does:
#   1. Generates, unless DIR/data-N/ holds them (bench/run.sh's data is reused): v1.jsonl, v2.jsonl
#      (--evolve-from v1, 2% relabeled under a new guideline), p1.jsonl (predictions for every
#      sample, made from v1's labels, 85% right) and p2.jsonl (from v2's, 90% right). Not timed.
#   2. In DIR/eval-N/: commits v1, registers clf-v1 with p1 (timed: the check, the store and
#      the scoring against its own data), commits v2, registers clf-v2 with p2.
#   3. Times (median of 5 runs, process start included):
#        trail eval clf-v1                              goal at 1M: ≤ 2 s
#        trail eval clf-v1 --labels clf-v1 --compare clf-v2   goal at 1M: ≤ 3 s
#        trail eval clf-v1 clf-v2                       (two models, one version)
#      and checks eval's accuracy against a join of v2.jsonl and p1.jsonl in Python.
# Exit status: 0 when every command and the check passed (a report, whatever the times); 1 otherwise.
source "$(dirname "$0")/lib.sh" "$@"
pred="${PRED:-$here/../../shared/bench/gen_predictions.py}"
data="$work/data-$samples"
mkdir -p "$data"
generate "$data/v1.jsonl" python3 "$gen" --samples "$samples"
generate "$data/v2.jsonl" python3 "$gen" --evolve-from "$data/v1.jsonl" --relabel 0.02 --add 0.01 --remove 0.005 --guideline v3.2
generate "$data/p1.jsonl" python3 "$pred" --truth "$data/v1.jsonl" --accuracy 0.85
generate "$data/p2.jsonl" python3 "$pred" --truth "$data/v2.jsonl" --accuracy 0.9 --seed 2
run="$work/eval-$samples"
rm -rf "$run"
mkdir -p "$run"
cd "$run"
export TRAIL_STORE="$run/.trail" TRAIL_AUTHOR="Bench <bench@localhost>"
cat "$data"/*.jsonl > /dev/null
echo "trail eval at $samples samples ($(nproc) cores, $trail)"
"$trail" init > /dev/null
timed "commit v1.jsonl" "$trail" commit "$data/v1.jsonl" -m v1
timed "model register clf-v1 HEAD --predictions p1.jsonl" "$trail" model register clf-v1 HEAD --predictions "$data/p1.jsonl"
"$trail" commit "$data/v2.jsonl" -m v2 > /dev/null
timed "model register clf-v2 HEAD --predictions p2.jsonl" "$trail" model register clf-v2 HEAD --predictions "$data/p2.jsonl"
median "eval clf-v1" "≤ 2 s at 1M" "$trail" eval clf-v1
median "eval clf-v1 --labels clf-v1 --compare clf-v2" "≤ 3 s at 1M" "$trail" eval clf-v1 --labels clf-v1 --compare clf-v2
median "eval clf-v1 clf-v2" "" "$trail" eval clf-v1 clf-v2
"$trail" eval clf-v1 --json > "$run/eval.json"
python3 - "$data/v2.jsonl" "$data/p1.jsonl" "$run/eval.json" <<'EOF'
import json, sys
truth = {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    truth[r["id"]] = r["label"]
right = scored = missing = 0
for line in open(sys.argv[2], encoding="utf-8"):
    p = json.loads(line)
    if p["id"] not in truth:
        missing += 1
        continue
    scored += 1
    right += truth[p["id"]] == p["label"]
e = json.load(open(sys.argv[3]))
ok = e["samples"] == scored and e["missing"] == missing and abs(e["accuracy"] - right / scored) < 1e-12
print(f"  check: eval's accuracy {e['accuracy']:.6f} over {e['samples']} scored, {e['missing']} missing; Python's join {right / scored:.6f} over {scored}, {missing}: {'OK' if ok else 'MISMATCH'}")
sys.exit(0 if ok else 1)
EOF
