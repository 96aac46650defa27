#!/usr/bin/env bash
# Regenerates every command's `--help` from the binary: the goldens in
# Tests/TrailEndToEndTests/Goldens/help/ (checked by HelpGoldenTests) and the help blocks of
# docs/cli.md. A help block is the fenced code block right after a `<!-- help: trail WORDS -->` line;
# the script replaces its contents and nothing else, so running it twice changes nothing.
#
# The commands are found by walking the SUBCOMMANDS of `trail --help` and of each group's help.
# A new command needs a marker line and an empty fence under its heading in docs/cli.md; the script
# names any that is missing and exits 1 (after writing the goldens and the blocks it could).
#
# Usage: scripts/update-help.sh            # builds trail first
#        TRAIL_BIN=path/to/trail scripts/update-help.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"

# The width the help is wrapped at; HelpGoldenTests uses the same.
export COLUMNS=100
unset LINES

if [ -z "${TRAIL_BIN:-}" ]; then
    swift build --product trail >&2
    TRAIL_BIN="$(swift build --show-bin-path)/trail"
fi
[ -x "$TRAIL_BIN" ] || { echo "error: no trail binary at $TRAIL_BIN" >&2; exit 1; }

goldens=Tests/TrailEndToEndTests/Goldens/help
doc=docs/cli.md
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The subcommand names listed in a help text's SUBCOMMANDS section.
subcommands() {
    awk '/^SUBCOMMANDS:/ { s = 1; next }
         /^[A-Z]+:/      { s = 0 }
         s && /^  [a-z]/ { print $1 }'
}

# Writes the help of `trail WORDS...` to $work/<trail-WORDS-joined-by-dash>.txt, then its subcommands'.
walk() {
    local name file sub
    name="$(printf '%s-' trail "$@")"; name="${name%-}"
    file="$work/$name.txt"
    "$TRAIL_BIN" "$@" --help > "$file"
    echo "trail${*:+ $*}" >> "$work/commands"
    for sub in $(subcommands < "$file"); do
        walk "$@" "$sub"
    done
}
: > "$work/commands"
walk

# The goldens: exactly the binary's output, one file per command, none left over.
mkdir -p "$goldens"
rm -f "$goldens"/*.txt
while read -r command; do
    name="${command// /-}"
    cp "$work/$name.txt" "$goldens/$name.txt"
done < "$work/commands"

# docs/cli.md: each marked block gets the help without its trailing blank lines.
awk -v dir="$work" '
    function fail(message) { print "error: docs/cli.md:" NR ": " message > "/dev/stderr"; failed = 1; exit 1 }
    skipping {
        if ($0 == "```") { skipping = 0; print }
        next
    }
    /^<!-- help: trail( [a-z][a-z0-9 -]*)? -->$/ {
        print
        command = $0; sub(/^<!-- help: /, "", command); sub(/ -->$/, "", command)
        file = dir "/" command ".txt"; gsub(/ /, "-", file)
        if ((getline fence) <= 0 || fence != "```") fail("no ``` fence right after the help marker of " command)
        print fence
        n = 0
        while ((getline line < file) > 0) text[++n] = line
        if (n == 0) fail("\"" command "\" is not a command (its help marker names no command trail lists)")
        close(file)
        while (n > 0 && text[n] == "") n--
        for (i = 1; i <= n; i++) print text[i]
        skipping = 1
        next
    }
    { print }
    END { if (!failed && skipping) fail("a help block has no closing ``` fence") }
' "$doc" > "$work/cli.md"
cmp -s "$work/cli.md" "$doc" || cp "$work/cli.md" "$doc"

missing=0
while read -r command; do
    if ! grep -qxF "<!-- help: $command -->" "$doc"; then
        echo "error: docs/cli.md has no help block for '$command': add a line <!-- help: $command --> and an empty \`\`\` fence under its heading, then run this again" >&2
        missing=1
    fi
done < "$work/commands"
[ "$missing" = 0 ] || exit 1
echo "Wrote $(wc -l < "$work/commands" | tr -d ' ') help texts to $goldens and $doc"
