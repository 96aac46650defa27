#!/usr/bin/env bash
# The README's first command: installs what is missing, builds Trail, and runs its main job on a
# generated moderation dataset: commit, relabel under a new guideline, register models, then log,
# show, diff the two models' data, one sample's history, an audit of the second model, export,
# and an erasure with its proof (verify). Each trail command is printed before it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/setup.sh
echo "Building Trail (the first build takes a minute or two)..."
swift build 2>&1 | grep -E "error|warning: unre|Compiling|Build complete" | grep -v Compiling || true
bin="$(swift build --show-bin-path)"
# Print each command the way a user would type it (quoting arguments with spaces), then run it.
trail() {
    local shown="" a
    for a in "$@"; do [[ "$a" == *" "* ]] && shown+=" \"$a\"" || shown+=" $a"; done
    echo; echo "\$ trail$shown"
    "$bin/trail" "$@"
}

demo="${DEMO_DIR:-$PWD/demo-store}"
rm -rf "$demo" && mkdir -p "$demo"
cd "$demo"
export TRAIL_AUTHOR="Demo Annotator <demo@example.org>"
"$bin/trail-demo-data" --samples 2000 --media-dir media --out v1.jsonl
"$bin/trail-demo-data" --evolve-from v1.jsonl --relabel 0.05 --guideline v3.2 --out v2.jsonl
echo "Generated a moderation dataset in $demo: v1.jsonl (2000 samples, 500 media files) and v2.jsonl (an adjudication round under guideline v3.2)."

trail init
trail commit v1.jsonl -m "Initial import: 2000 reports, guideline v3.1"
trail model register clf-v1 HEAD --meta run=train-0412 --meta auc=0.912
trail commit v2.jsonl -m "Adjudication round: relabels under guideline v3.2"
trail model register clf-v2 HEAD --meta run=train-0519 --meta auc=0.934
trail log
trail show clf-v2
# A sample the adjudication round relabeled: the same id in the two models' data.
relabeled=$( (diff v1.jsonl v2.jsonl || true) | sed -n 's/^> .*"id":"\([^"]*\)".*/\1/p' | head -1)
trail show clf-v1 "$relabeled"
trail show clf-v2 "$relabeled"
trail model list
trail diff clf-v1 clf-v2
trail history "$relabeled"
trail audit model clf-v2
trail export clf-v1 --out clf-v1-training-data
# A deletion request: the sample's text and media leave every version; history keeps its ids.
erased=$(sed -n 's/.*"id":"\([^"]*\)".*"media".*/\1/p' v1.jsonl | grep -vx "$relabeled" | head -1)
trail erase "$erased" --reason "Deletion request #1042 (demo)"
trail history "$erased"
trail verify
echo
echo "\$ git --git-dir .trail fsck --strict && git --git-dir .trail log --oneline"
git --git-dir .trail fsck --strict 2>&1 | grep -v '^dangling' || true
git --git-dir .trail log --oneline
echo
echo "Demo store: $demo/.trail (a git repository; try: cd $demo && $bin/trail --help)"
