#!/bin/bash
# PDF/X-4 (the print default) and PDF/X-1a (`print: { pdfx: x1a }` in the
# template), on the sample booklet's cover, whose round logo (a PNG with
# alpha) lies on the cover photo:
#  - X-4: PDF 1.6; the Info's GTS_PDFXVersion and the XMP's
#    pdfxid:GTS_PDFXVersion say PDF/X-4; the logo keeps its soft mask;
#  - X-1a: PDF 1.3, GTS_PDFXConformance PDF/X-1a:2001, no SMask anywhere;
#  - both, in Ghostscript, poppler and MuPDF: the pixels of the logo's box
#    outside its disc equal those of the same cover built without the logo
#    (the photo), within a threshold: no white box, whether the logo is
#    kept transparent or flattened against the photo.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
for t in pdfinfo pdftoppm mutool gs qpdf python3; do
    command -v "$t" >/dev/null || {
        echo "skip: $t not installed"
        exit 77
    }
done
fresh_work
export SOURCE_DATE_EPOCH=1700000000
cp -r "$SRC/examples/nam-dinh-booklet" x4 || fail "copy"
cp -r "$SRC/templates/booklet" x4/look || fail "copy the template"
sed -i 's|^template: booklet$|template: ./look|' x4/publication.yaml
grep -q '^template: ./look$' x4/publication.yaml || fail "template line"
cp -r x4 x1a
printf 'print: { pdfx: x1a }\n' >>x1a/look/template.yaml
# the same covers without the logo: the photo beneath it
for v in x4 x1a; do
    cp -r "$v" "$v-bare"
    sed -i 's|, logo: images/logo.png }| }|' "$v-bare/publication.yaml"
    grep -q 'logo:' "$v-bare/publication.yaml" && fail "logo not removed"
done
for v in x4 x1a x4-bare x1a-bare; do
    "$FOLIO" build "$v/publication.yaml" -o "out-$v" --edition en \
        >/dev/null 2>"err-$v.txt" || fail "build $v: $(cat "err-$v.txt")"
done
"$FOLIO" dump x4/publication.yaml --edition en >dump.txt 2>/dev/null ||
    fail "dump"
"$FOLIO" dump x4-bare/publication.yaml --edition en >bare.txt 2>/dev/null ||
    fail "dump bare"
# the logo is all that differs
grep -v ' logo.png ' dump.txt >dump-nologo.txt
cmp -s dump-nologo.txt bare.txt || fail "the cover without the logo moved"
box=$(awk '/^page 2/ {exit} / image logo.png / {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["x"], v["y"], v["w"], v["h"]; exit }' dump.txt)
[ -n "$box" ] || fail "no logo on the cover"
PDF4=out-x4/nam-dinh-booklet-en.pdf
PDF1=out-x1a/nam-dinh-booklet-en.pdf

# ---- X-4: version, Info, XMP, soft mask ----------------------------------
[ "$(pdfinfo "$PDF4" | awk '/^PDF version:/ {print $3}')" = 1.6 ] ||
    fail "x4: not PDF 1.6"
qpdf --qdf --object-streams=disable "$PDF4" x4.qdf.pdf || fail "qpdf x4"
grep -a -q '/GTS_PDFXVersion (PDF/X-4)' x4.qdf.pdf || fail "x4: Info version"
grep -a -q '/GTS_PDFXConformance' x4.qdf.pdf && fail "x4: a conformance key"
grep -a -q '<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>' \
    x4.qdf.pdf || fail "x4: XMP pdfxid"
grep -a -q '/Metadata' x4.qdf.pdf || fail "x4: no /Metadata"
grep -a -q '/SMask [0-9]* 0 R' x4.qdf.pdf || fail "x4: the logo has no SMask"
grep -a -q '/CS /DeviceCMYK' x4.qdf.pdf || fail "x4: no CMYK page group"

# ---- X-1a: version, Info, no soft mask -----------------------------------
[ "$(pdfinfo "$PDF1" | awk '/^PDF version:/ {print $3}')" = 1.3 ] ||
    fail "x1a: not PDF 1.3"
qpdf --qdf --object-streams=disable "$PDF1" x1a.qdf.pdf || fail "qpdf x1a"
grep -a -q '/GTS_PDFXVersion (PDF/X-1:2001)' x1a.qdf.pdf ||
    fail "x1a: Info version"
grep -a -q '/GTS_PDFXConformance (PDF/X-1a:2001)' x1a.qdf.pdf ||
    fail "x1a: conformance"
grep -a -q '/SMask' x1a.qdf.pdf && fail "x1a: a soft mask"
grep -a -q '/Group' x1a.qdf.pdf && fail "x1a: a transparency group"

# ---- the logo's surroundings are the photo's, in three renderers ---------
# Pixels of the logo's box farther than 0.56 of its half-side from its
# centre (the disc's edge is at 0.5, anti-aliased) against the bare cover.
# Measured at 100 dpi: X-4 differs by at most 1 in any renderer (the
# mask's edge), X-1a by at most 3 (the photo sampled at the logo's pixels,
# then resampled as the logo); flattened on white, by 74 (the pale sky).
# Limit 24.
compare() { # a.ppm b.ppm -> "max over ring, pixels"
    python3 - "$1" "$2" "$box" <<'EOF'
import sys
def ppm(p):
    d = open(p, "rb").read()
    tok, i = [], 0
    while len(tok) < 4:  # magic, width, height, maxval; '#' comments
        while d[i:i + 1].isspace():
            i += 1
        if d[i:i + 1] == b"#":
            i = d.index(b"\n", i)
            continue
        j = i
        while not d[j:j + 1].isspace():
            j += 1
        tok.append(d[i:j])
        i = j
    assert tok[0] == b"P6", p
    w, h = int(tok[1]), int(tok[2])
    return w, h, d[i + 1:i + 1 + w * h * 3]
wa, ha, a = ppm(sys.argv[1])
wb, hb, b = ppm(sys.argv[2])
assert (wa, ha) == (wb, hb)
x, y, w, h = map(float, sys.argv[3].split())
s = 100 / 72.0
off = (3 + 10) * 72 / 25.4   # bleed + slug, print's page offset
cx, cy, r = (x + w / 2 + off) * s, (y + h / 2 + off) * s, w / 2 * s
worst, n = 0, 0
for j in range(int((y + off) * s) + 1, int((y + h + off) * s) - 1):
    for i in range(int((x + off) * s) + 1, int((x + w + off) * s) - 1):
        if ((i + .5 - cx) ** 2 + (j + .5 - cy) ** 2) ** .5 < 1.12 * r:
            continue
        k = (j * wa + i) * 3
        worst = max(worst, max(abs(a[k + c] - b[k + c]) for c in range(3)))
        n += 1
print(worst, n)
EOF
}
for v in x4 x1a; do
    pdf=out-$v/nam-dinh-booklet-en.pdf
    bare=out-$v-bare/nam-dinh-booklet-en.pdf
    for f in "$pdf" "$bare"; do
        b=$(basename "$(dirname "$f")")
        pdftoppm -r 100 -f 1 -l 1 -singlefile "$f" "$b-pop" || fail pdftoppm
        mutool draw -q -r 100 -o "$b-mu.ppm" "$f" 1 2>/dev/null || fail mutool
        gs -q -o "$b-gs.ppm" -sDEVICE=ppmraw -r100 -dFirstPage=1 \
            -dLastPage=1 "$f" 2>/dev/null || fail gs
    done
    for r in pop mu gs; do
        got=$(compare "out-$v-$r.ppm" "out-$v-bare-$r.ppm") ||
            fail "$v $r: compare"
        read -r worst n <<<"$got"
        echo "$v $r: $worst over $n pixels"
        [ "$n" -gt 300 ] || fail "$v $r: only $n pixels around the logo"
        [ "$worst" -le 24 ] ||
            fail "$v $r: around the logo differs from the photo by $worst"
    done
done
echo "ok"
