#!/usr/bin/env bash
# Fails when the XCTest (or swift-testing) output in the given log shows a skipped test, and lists them:
# a test that cannot run must fail with what to install, so a green run means every test ran.
set -euo pipefail
log="${1:?usage: scripts/check-test-log.sh TEST_OUTPUT_LOG}"
[ -s "$log" ] || { echo "error: no test output in $log" >&2; exit 1; }
# XCTest: "Test Case 'A.b' skipped (…)" and "Executed N tests, with K tests skipped and …";
# swift-testing: "… Test b() skipped…".
skipped=$(grep -E "^Test Case '[^']+' skipped|^.{0,8}Test [^ ]+ skipped" "$log" || true)
counted=$(grep -E "Executed [0-9]+ tests?, with [1-9][0-9]* tests? skipped" "$log" || true)
if [ -n "$skipped" ] || [ -n "$counted" ]; then
    echo "error: tests were skipped; every test must run (a missing tool is a failure that says what to install):" >&2
    [ -n "$skipped" ] && printf '%s\n' "$skipped" | sed 's/^/  /' >&2
    grep -E ": Test skipped" "$log" | sed 's/^/  /' >&2 || true
    [ -z "$skipped" ] && printf '%s\n' "$counted" | sort -u | sed 's/^/  /' >&2
    exit 1
fi
grep -qE "Executed [0-9]+ tests?" "$log" || { echo "error: $log holds no XCTest summary (did the tests run?)" >&2; exit 1; }
