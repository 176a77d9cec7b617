#!/usr/bin/env bash
# The memory bound of README "Image limits": one image of any size the
# limits accept is built and previewed within 512 MB of peak RSS. Two
# images just under the pixel limit (11584 x 11584 = 134 megapixels), an
# RGBA PNG and a CMYK JPEG, and an interlaced PNG and a progressive JPEG
# just under the 128 MB their libraries hold whole, made here by
# tests/tools/fo_bigimage (too large to commit), are built in every profile
# (print converts them to CMYK and deflates the PNGs', archive converts
# them to sRGB, screen downsamples) and previewed (screen, and print's soft
# proof); /usr/bin/time -v gives each run's peak. An interlaced PNG and a
# progressive JPEG over that are refused with the reason. The archive PDF
# holds the images at full size, the print PDF at 300 ppi (print
# resamples images above its 450 ppi ceiling after decoding them whole,
# strip by strip), both checked with pdfimages. Before
# the images were made strip by strip, a print build alone peaked at
# 1.08 GB. Skipped in the sanitizer build, whose allocator changes what a
# peak means, and without /usr/bin/time (Debian package time).
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
mkdir images || exit 1
if grep -q '^FO_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "skip: sanitizer build (peak RSS is the sanitizer's)"
    exit 77
fi
need_time
GEN="$BUILD/tests/fo_bigimage"
[ -x "$GEN" ] || fail "no $GEN"
N=11584
"$GEN" png-rgba $N $N images/big.png || fail "fo_bigimage png-rgba"
"$GEN" jpeg-cmyk $N $N images/big-cmyk.jpg || fail "fo_bigimage jpeg-cmyk"
# held whole by their library, so limited to 128 MB decoded: just under,
# and over (refused, with the reason and what to do)
"$GEN" png-rgba-interlaced 5600 5600 images/il.png || fail "fo_bigimage il"
"$GEN" jpeg-rgb-progressive 5600 5600 images/prog.jpg || fail "fo_bigimage prog"
"$GEN" png-rgba-interlaced 6000 6000 images/il-over.png || fail "fo_bigimage il"
"$GEN" jpeg-rgb-progressive 8000 8000 images/prog-over.jpg ||
    fail "fo_bigimage prog"
LIMIT_KB=$((512 * 1024))

cat >big.yaml <<'YAML'
title: "Big"
year: 2025
editions: [en]
sections:
  - title: "Two large images"
    blocks:
      - figure: { src: images/big.png, caption: "RGBA PNG" }
      - figure: { src: images/big-cmyk.jpg, caption: "CMYK JPEG" }
      - figure: { src: images/il.png, caption: "interlaced PNG" }
      - figure: { src: images/prog.jpg, caption: "progressive JPEG" }
YAML
cat >over.yaml <<'YAML'
title: "Over"
year: 2025
editions: [en]
sections:
  - title: "Held whole, too large"
    blocks:
      - figure: { src: images/il-over.png }
      - figure: { src: images/prog-over.jpg }
YAML
cat >over.expected <<'TXT'
over.yaml:7:24: error: cannot use the image 'images/il-over.png': interlaced PNG too large to decode (6000 x 6000, more than 128 MB); save it without interlacing
over.yaml:8:24: error: cannot use the image 'images/prog-over.jpg': JPEG too large to decode in 128 MB (a progressive or multi-scan JPEG is decoded whole; save it as baseline)
TXT
"$FOLIO" build over.yaml -o over >over.out 2>over.err
rc=$?
[ $rc -eq 1 ] || fail "over the limits: exit $rc, expected 1"
diff -u over.expected over.err || fail "over the limits: stderr differs"
[ -z "$(ls -A over 2>/dev/null)" ] || fail "over the limits: output left"
echo "over the limits: refused at the figures, nothing written"

# runs "$@" under /usr/bin/time; fails unless exit 0 and the peak is
# within LIMIT_KB; prints the peak
run() {
    local what=$1
    shift
    /usr/bin/time -v -o time.txt "$@" >run.out 2>run.err
    local rc=$?
    [ $rc -eq 0 ] || { cat run.err; fail "$what: exit $rc"; }
    local kb
    kb=$(peak_kb time.txt)
    [ -n "$kb" ] && [ "$kb" -le $LIMIT_KB ] ||
        fail "$what: peak RSS ${kb:-?} kB, more than $LIMIT_KB"
    echo "$what: peak RSS $kb kB"
}

run "build --profile all" "$FOLIO" build big.yaml -o out --profile all
! compgen -G "out/*.tmp-*" >/dev/null || fail "a temporary file is left in out/"
if command -v pdfimages >/dev/null; then
    p=big-en-archive
    pdfimages -list "out/$p.pdf" >list.txt 2>&1
    n=$(grep -c " image  *$N  *$N " list.txt)
    [ "$n" = 2 ] || { cat list.txt; fail "$p.pdf: $n images of $N x $N, expected 2"; }
    n=$(grep -c " image  *5600  *5600 " list.txt)
    [ "$n" = 2 ] || { cat list.txt; fail "$p.pdf: $n images of 5600 x 5600, expected 2"; }
    p=big-en
    pdfimages -list "out/$p.pdf" >list.txt 2>&1
    n=$(grep -cE " cmyk +4 +8 .* 300 +300 " list.txt)
    [ "$n" = 4 ] || { cat list.txt; fail "$p.pdf: $n CMYK images at 300 ppi, expected 4"; }
fi
rm -rf out # 500 MB of PDFs
run "preview" "$FOLIO" preview big.yaml -o prev
run "preview --profile print" "$FOLIO" preview big.yaml -o prev-print \
    --profile print
[ -s prev/big-en-003.png ] || fail "no preview of the images' page"
