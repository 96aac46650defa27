#!/usr/bin/env bash
# Runs all of Trail's tests on a fresh Debian/Ubuntu machine: installs what is missing (the build's
# libraries and what the tests use: Chromium, lighttpd, python3, script, flock, the Python statistics
# libraries in .venv-tests; sudo when not root), builds, runs every test, and fails if any test failed
# or was skipped, or a public symbol lacks its /// comment (scripts/check-docs.sh). One test mounts a small tmpfs for a real full disk, so run this as root (CI does) or
# with CAP_SYS_ADMIN; elsewhere that test fails and says so. The test output is also written to
# $TRAIL_TEST_LOG (default .build/test-output.log).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/setup.sh --tests
# Every public symbol carries a /// comment (a second's check, before the build).
scripts/check-docs.sh
swift build --build-tests
log="${TRAIL_TEST_LOG:-.build/test-output.log}"
mkdir -p "$(dirname "$log")"
status=0
swift test --skip-build 2>&1 | tee "$log" || status=$?
scripts/check-test-log.sh "$log"
exit "$status"
