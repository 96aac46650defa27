# Prints FILE:LINE: DECL for every public declaration without a /// comment right above it
# (attributes such as @discardableResult may stand between).
FNR == 1 { prevdoc = 0 }
{
    line = $0
    sub(/^[ \t]+/, "", line)
    if (line ~ /^\/\/\//) { prevdoc = 1; next }
    if (line ~ /^@[A-Za-z]+(\(.*\))?$/) next
    if (line ~ /^(public|open) / && line !~ /^public (extension|import)/) {
        if (!prevdoc) print FILENAME ":" FNR ": " line
    }
    prevdoc = 0
}
