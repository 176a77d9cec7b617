#!/bin/bash
# A build killed midway leaves the previous PDF byte for byte: the renderer
# writes a temporary file and renames it into place. The previous PDF is
# made with another SOURCE_DATE_EPOCH, and each round uses a date of its
# own, so a finished build always changes it; builds are killed at growing delays until one was killed while the
# PDF was being written (a temporary file is left behind), or the delays
# run out with at least one build killed. Leftover temporary files are
# allowed; the target must be intact.
set -u
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
fail() {
    echo "FAIL: $*"
    exit 1
}
command -v qpdf >/dev/null || {
    echo "skip: qpdf not installed"
    exit 77
}
PUB="$SRC/examples/nam-dinh/publication.yaml"
PDF=out/nam-dinh-yearbook-en.pdf
SOURCE_DATE_EPOCH=1600000000 "$FOLIO" build "$PUB" -o out --edition en \
    >/dev/null 2>&1 || fail "first build"
cp "$PDF" previous.pdf
killed=0 writing=0 round=0
for delay in 0.05 1.5 2 2.5 3 3.5 4 5 6 8; do
    # in a subshell that reports the status, so that bash's "Killed"
    # job report goes to /dev/null
    # each round has its own date, so that every finished build must
    # replace the PDF (the same date would give the same bytes)
    round=$((round + 1))
    rc=$( (SOURCE_DATE_EPOCH=$((1700000000 + round * 86400)) timeout -s KILL "$delay" "$FOLIO" \
        build "$PUB" -o out --edition en >/dev/null 2>&1
        echo $?) 2>/dev/null)
    if [ $rc -eq 137 ]; then
        killed=$((killed + 1))
        cmp -s "$PDF" previous.pdf ||
            fail "killed after ${delay}s: the previous PDF changed"
        if compgen -G "out/*.tmp-*" >/dev/null; then
            writing=1
            break
        fi
    elif [ $rc -eq 0 ]; then
        # finished: the new PDF is whole, and the next round starts over
        qpdf --check "$PDF" >/dev/null 2>&1 || fail "finished PDF broken"
        cmp -s "$PDF" previous.pdf && fail "a finished build left the old PDF"
        cp "$PDF" previous.pdf
    else
        fail "build exited $rc"
    fi
done
[ $killed -ge 1 ] || fail "no build was killed"
echo "ok ($killed killed, one while writing: $writing)"
