#!/usr/bin/env bash
# Messages that quote the command line escape control characters as the
# diagnostics do (fo_escape_controls): an argument holding ESC sequences
# (a file name, an edition, an unknown option) never reaches the
# terminal raw; it is shown as \e.
set -u
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC" || exit 1
esc=$'\e'
fail=0
check() { # name, then the command's arguments
    local name=$1
    shift
    "$FOLIO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    if grep -q "$esc" "$WORK/$name.err" "$WORK/$name.out"; then
        echo "FAIL $name: a raw ESC byte in folio's output:"
        od -c "$WORK/$name.err" | head -5
        fail=1
    fi
    if ! grep -qF '\e[' "$WORK/$name.err"; then
        echo "FAIL $name: the escaped form \\e[ is not in the message:"
        cat "$WORK/$name.err"
        fail=1
    fi
}
check edition build examples/nam-dinh-brochure/publication.yaml \
    --edition "${esc}[31mvi" -o "$WORK/out"
check option build examples/nam-dinh-brochure/publication.yaml "--${esc}[2J"
check file check "${esc}[2Jmissing.yaml"
check jobs build examples/nam-dinh-brochure/publication.yaml -j "${esc}[2J"
[ "$fail" = 0 ] && echo "cli_escape: every message escaped"
exit "$fail"
