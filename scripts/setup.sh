#!/usr/bin/env bash
# Installs what Trail needs on Debian/Ubuntu: the C libraries it links (libgit2, sqlite3, libdeflate,
# OpenSSL's libcrypto), pkg-config, and git and sqlite3 (used by the tests to check stores and indexes).
# Uses sudo when not root. The Swift toolchain itself must already be installed (swift.org).
set -euo pipefail
packages=(libgit2-dev libsqlite3-dev libdeflate-dev libssl-dev pkg-config git sqlite3)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "swift is at /opt/swift/usr/bin; add it to PATH: export PATH=/opt/swift/usr/bin:\$PATH" >&2
    else
        echo "Swift 6 is needed: install it from https://www.swift.org/install/linux/" >&2
    fi
    exit 1
fi
