#!/usr/bin/env bash
# Hostile PNGs (tests/fixtures/images/hostile.py, made here): files of
# 60-100 bytes whose tEXt, zTXt, iTXt, pCAL, sCAL or sPLT chunk declares
# 2 GB, a 2 MB PLTE, and palette indices past the palette (the first one
# past the end included) are each an error at the figure that uses them,
# with the exact message, exit 1, no PDF and no temporary file, and all of
# them in one publication (probed on the prefetch thread, with the image
# workers) stay within 64 MB of peak memory, where libpng alone allocated
# 2 GB before. A zTXt that inflates to 2 GB, an iCCP whose profile claims
# 2 GB, and 2 MB pCAL and private chunks are skipped: the build succeeds,
# within the same bound.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
mkdir images || exit 1
need_time
python3 "$SRC/tests/fixtures/images/hostile.py" images || fail "hostile.py"
# ASan's shadow memory and quarantine add their own tens of MB; the
# failure this guards against took 2.1 GB.
if [ "${FO_SANITIZE:-0}" = 1 ]; then
    LIMIT_KB=$((192 * 1024))
else
    LIMIT_KB=$((64 * 1024))
fi

cat >bad.yaml <<'YAML'
title: "Hostile"
year: 2025
editions: [en]
sections:
  - title: "One"
    blocks:
      - figure: { src: images/text-huge.png }
      - figure: { src: images/ztxt-huge.png }
      - figure: { src: images/itxt-huge.png }
      - figure: { src: images/pcal-huge.png }
      - figure: { src: images/scal-huge.png }
      - figure: { src: images/splt-huge.png }
      - figure: { src: images/plte-big.png }
      - figure: { src: images/palette-index.png }
      - figure: { src: images/palette-edge.png }
YAML
cat >bad.expected <<'TXT'
bad.yaml:7:24: error: cannot use the image 'images/text-huge.png': bad PNG data: the file ends inside its tEXt chunk (2147483647 bytes declared, 28 left)
bad.yaml:8:24: error: cannot use the image 'images/ztxt-huge.png': bad PNG data: the file ends inside its zTXt chunk (2147483647 bytes declared, 28 left)
bad.yaml:9:24: error: cannot use the image 'images/itxt-huge.png': bad PNG data: the file ends inside its iTXt chunk (2147483647 bytes declared, 28 left)
bad.yaml:10:24: error: cannot use the image 'images/pcal-huge.png': bad PNG data: the file ends inside its pCAL chunk (2147483647 bytes declared, 28 left)
bad.yaml:11:24: error: cannot use the image 'images/scal-huge.png': bad PNG data: the file ends inside its sCAL chunk (2147483647 bytes declared, 28 left)
bad.yaml:12:24: error: cannot use the image 'images/splt-huge.png': bad PNG data: the file ends inside its sPLT chunk (2147483647 bytes declared, 28 left)
bad.yaml:13:24: error: cannot use the image 'images/plte-big.png': bad PNG data: the PLTE chunk is too large (2097152 bytes)
bad.yaml:14:24: error: cannot use the image 'images/palette-index.png': bad PNG data: a pixel has colour index 5, beyond the palette's 2 colours
bad.yaml:15:24: error: cannot use the image 'images/palette-edge.png': bad PNG data: a pixel has colour index 2, beyond the palette's 2 colours
TXT
/usr/bin/time -v -o bad.time "$FOLIO" build bad.yaml -o out --profile all \
    >bad.out 2>bad.err
rc=$?
[ $rc -eq 1 ] || fail "hostile images: exit $rc, expected 1"
diff -u bad.expected bad.err || fail "hostile images: stderr differs"
[ -z "$(ls -A out 2>/dev/null)" ] || fail "hostile images: output left: $(ls -A out)"
kb=$(peak_kb bad.time)
[ -n "$kb" ] && [ "$kb" -le $LIMIT_KB ] ||
    fail "hostile images: peak RSS ${kb:-?} kB, more than $LIMIT_KB"
echo "hostile: 9 errors, exit 1, nothing written, peak RSS $kb kB"

cat >ok.yaml <<'YAML'
title: "Hostile but fine"
year: 2025
editions: [en]
sections:
  - title: "One"
    blocks:
      - figure: { src: images/ztxt-bomb.png }
      - figure: { src: images/iccp-bomb.png }
      - figure: { src: images/ancillary-big.png }
YAML
/usr/bin/time -v -o ok.time "$FOLIO" build ok.yaml -o ok --profile all \
    >ok.out 2>ok.err
rc=$?
[ $rc -eq 0 ] || { cat ok.err; fail "skipped chunks: exit $rc, expected 0"; }
for p in ok-en.pdf ok-en-archive.pdf ok-en-screen.pdf; do
    [ -s "ok/$p" ] || fail "skipped chunks: no $p"
done
! compgen -G "ok/*.tmp-*" >/dev/null || fail "a temporary file is left in ok/"
if command -v pdfimages >/dev/null; then
    pdfimages -list ok/ok-en.pdf >list.txt 2>&1
    n=$(grep -c ' image  *2  *2 ' list.txt)
    [ "$n" = 3 ] || { cat list.txt; fail "skipped chunks: $n images of 2 x 2, expected 3"; }
fi
kb=$(peak_kb ok.time)
[ -n "$kb" ] && [ "$kb" -le $LIMIT_KB ] ||
    fail "skipped chunks: peak RSS ${kb:-?} kB, more than $LIMIT_KB"
echo "skipped chunks (zTXt bomb, iCCP bomb, 2 MB ancillary): built, peak RSS $kb kB"
