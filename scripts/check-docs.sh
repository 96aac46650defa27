#!/usr/bin/env bash
# Fails if any public/open declaration in Sources/ lacks a /// doc comment (see undocumented.awk).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'Sources/*.swift')
missing=$(awk -f scripts/undocumented.awk $files)
if [ -n "$missing" ]; then
    echo "$missing"
    echo "$(echo "$missing" | wc -l | tr -d ' ') undocumented public declarations" >&2
    exit 1
fi
echo "every public symbol is documented ($(echo "$files" | wc -l | tr -d ' ') files)"
