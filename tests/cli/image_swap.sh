#!/usr/bin/env bash
# An image that changes during a build is an error at the figure, not a
# publication whose editions show different pictures. The moment is made
# deterministic by the test-only hook FOLIO_TEST_DELAY_AFTER_PROBE=MS
# (pipeline/image/image.c): the first probe of each file says so on stderr
# and waits; the test swaps the file then. Each edition's PDF writer finds
# the file changed since layout probed it, and the second edition's probe
# finds other bytes than the first: both are reported at the figure, exit
# 1, no PDF, no temporary file (preview lays out every edition before it
# draws, so there the second probe alone fails it). Swapped for a file of another size, and
# for one of the same size and modification time (only the bytes tell),
# in a build and in a preview.
set -u
rm -rf "$WORK" && mkdir -p "$WORK/images" && cd "$WORK" || exit 1
fail() {
    echo "FAIL: $*"
    exit 1
}
# two 4 x 4 RGB PNGs of the same size in bytes, different pixels, and a
# third of another size
python3 - <<'PY' || fail "making the PNGs"
import struct, zlib
def png(name, rgb, w=4):
    def chunk(k, d):
        return struct.pack('>I', len(d)) + k + d + struct.pack('>I', zlib.crc32(k + d))
    rows = b''.join(b'\x00' + bytes(rgb) * w for _ in range(w))
    data = (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', w, w, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows, 0)) + chunk(b'IEND', b''))
    open(name, 'wb').write(data)
png('a.png', (200, 30, 30))
png('b.png', (30, 60, 200))
png('c.png', (30, 160, 60), w=6)
PY
[ "$(stat -c %s a.png)" = "$(stat -c %s b.png)" ] || fail "a.png and b.png differ in size"
cat >pub.yaml <<'YAML'
title: "Swap"
year: 2025
editions: [en, vi]
sections:
  - title: { en: "One", vi: "Một" }
    blocks:
      - figure: { src: images/pic.png, caption: "Picture" }
YAML
cat >expected.txt <<'TXT'
pub.yaml:7:24: error: cannot use the image 'images/pic.png': the file changed since it was read
pub.yaml:7:24: error: cannot use the image 'images/pic.png': the file changed during the build
TXT
# preview lays every edition out before it draws: the second probe stops it
sed -n 2p expected.txt >expected-preview.txt

# swap_run NAME EXPECTED NEW SAME_TIME CMD...: runs CMD with the hook, replaces
# images/pic.png (a copy of a.png) by NEW once the first probe is done
# (keeping its modification time when SAME_TIME is 1), and checks the
# outcome
swap_run() {
    local name=$1 expected=$2 new=$3 same_time=$4
    shift 4
    cp a.png images/pic.png
    rm -rf out
    FOLIO_TEST_DELAY_AFTER_PROBE=2000 "$@" -o out >"$name.out" 2>"$name.err" &
    local pid=$! i
    for i in $(seq 1 400); do
        grep -q '^folio: test: probed .*pic\.png' "$name.err" 2>/dev/null && break
        sleep 0.05
    done
    grep -q '^folio: test: probed' "$name.err" || { kill $pid; fail "$name: no probe seen"; }
    cp "$new" images/pic.new
    [ "$same_time" = 1 ] && touch -r images/pic.png images/pic.new
    mv images/pic.new images/pic.png
    wait $pid
    local rc=$?
    [ $rc -eq 1 ] || { cat "$name.err"; fail "$name: exit $rc, expected 1"; }
    grep -v '^folio: test: ' "$name.err" | grep ': error: ' >"$name.errors"
    diff -u "$expected" "$name.errors" || fail "$name: errors differ"
    [ -z "$(ls -A out 2>/dev/null | grep -v '^build\.js$\|^thumbs$\|^proof\.html$')" ] ||
        fail "$name: output written: $(ls -A out)"
    ! compgen -G "out/*.tmp-*" >/dev/null || fail "$name: a temporary file is left"
    echo "$name: both changes reported at the figure, exit 1, nothing written"
}

swap_run build-size expected.txt c.png 0 "$FOLIO" build pub.yaml
swap_run build-bytes expected.txt b.png 1 "$FOLIO" build pub.yaml
swap_run build-all expected.txt b.png 1 "$FOLIO" build pub.yaml --profile all
swap_run preview expected-preview.txt b.png 1 "$FOLIO" preview pub.yaml

# without the swap, the same build succeeds (the hook only waits)
cp a.png images/pic.png
FOLIO_TEST_DELAY_AFTER_PROBE=10 "$FOLIO" build pub.yaml -o ok >ok.out 2>ok.err ||
    { cat ok.err; fail "no swap: the build failed"; }
[ -s ok/pub-en.pdf ] && [ -s ok/pub-vi.pdf ] || fail "no swap: PDFs missing"
echo "no swap: built"
