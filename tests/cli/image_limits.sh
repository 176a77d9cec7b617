#!/usr/bin/env bash
# The memory bound of README "Image limits": one image of any size the
# limits accept is built and previewed within 512 MB of peak RSS. Two
# images just under the pixel limit (11584 x 11584 = 134 megapixels), an
# RGBA PNG and a CMYK JPEG, made here by tests/tools/fo_bigimage (too large
# to commit), are built in every profile (print converts both to CMYK and
# deflates the PNG's, archive converts both to sRGB, screen downsamples)
# and previewed (screen, and print's soft proof); /usr/bin/time -v gives
# each run's peak. The PDFs hold the images at full size (pdfimages). Before
# the images were made strip by strip, a print build alone peaked at
# 1.08 GB. Skipped in the sanitizer build, whose allocator changes what a
# peak means, and without /usr/bin/time (Debian package time).
set -u
rm -rf "$WORK" && mkdir -p "$WORK/images" && cd "$WORK" || exit 1
fail() {
    echo "FAIL: $*"
    exit 1
}
if grep -q '^FO_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "skip: sanitizer build (peak RSS is the sanitizer's)"
    exit 77
fi
[ -x /usr/bin/time ] || {
    echo "skip: /usr/bin/time (Debian package time) not installed"
    exit 77
}
GEN="$BUILD/tests/fo_bigimage"
[ -x "$GEN" ] || fail "no $GEN"
N=11584
"$GEN" png-rgba $N $N images/big.png || fail "fo_bigimage png-rgba"
"$GEN" jpeg-cmyk $N $N images/big-cmyk.jpg || fail "fo_bigimage jpeg-cmyk"
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
YAML

# runs "$@" under /usr/bin/time; fails unless exit 0 and the peak is
# within LIMIT_KB; prints the peak
run() {
    local what=$1
    shift
    /usr/bin/time -v -o time.txt "$@" >run.out 2>run.err
    local rc=$?
    [ $rc -eq 0 ] || { cat run.err; fail "$what: exit $rc"; }
    local kb
    kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' time.txt)
    [ -n "$kb" ] && [ "$kb" -le $LIMIT_KB ] ||
        fail "$what: peak RSS ${kb:-?} kB, more than $LIMIT_KB"
    echo "$what: peak RSS $kb kB"
}

run "build --profile all" "$FOLIO" build big.yaml -o out --profile all
! compgen -G "out/*.tmp-*" >/dev/null || fail "a temporary file is left in out/"
if command -v pdfimages >/dev/null; then
    for p in big-en big-en-archive; do
        pdfimages -list "out/$p.pdf" >list.txt 2>&1
        n=$(grep -c " image  *$N  *$N " list.txt)
        [ "$n" = 2 ] || { cat list.txt; fail "$p.pdf: $n images of $N x $N, expected 2"; }
    done
fi
rm -rf out # 500 MB of PDFs
run "preview" "$FOLIO" preview big.yaml -o prev
run "preview --profile print" "$FOLIO" preview big.yaml -o prev-print \
    --profile print
[ -s prev/big-en-003.png ] || fail "no preview of the images' page"
