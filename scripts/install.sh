#!/usr/bin/env bash
# Builds a release of Trail and installs it with its shell completions.
#
#   scripts/install.sh                 # into /usr/local (sudo when not root)
#   scripts/install.sh "$HOME/.local"  # into another prefix
#
# Installs PREFIX/bin/trail (Swift runtime linked in, so it runs without the toolchain) and
# completions for bash (PREFIX/share/bash-completion/completions/trail), zsh
# (PREFIX/share/zsh/site-functions/_trail) and fish (PREFIX/share/fish/vendor_completions.d/trail.fish).
# Open a new shell afterwards; bash needs the bash-completion package.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
prefix="${1:-/usr/local}"
scripts/setup.sh
swift build -c release --static-swift-stdlib 2>&1 | grep -E "error|Compiling|Build complete" | grep -v Compiling || true
bin="$(swift build -c release --show-bin-path)/trail"
sudo=""
if [ ! -w "$(dirname "$prefix")" ] && [ ! -w "$prefix" ] && [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo install -d "$prefix/bin" "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
    "$prefix/share/fish/vendor_completions.d"
$sudo install -m 0755 "$bin" "$prefix/bin/trail"
"$bin" --generate-completion-script bash | $sudo tee "$prefix/share/bash-completion/completions/trail" >/dev/null
"$bin" --generate-completion-script zsh | $sudo tee "$prefix/share/zsh/site-functions/_trail" >/dev/null
"$bin" --generate-completion-script fish | $sudo tee "$prefix/share/fish/vendor_completions.d/trail.fish" >/dev/null
echo "Installed $prefix/bin/trail ($("$prefix/bin/trail" --version)) and completions for bash, zsh and fish."
