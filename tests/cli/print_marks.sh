#!/bin/bash
# Printer's marks (render/pdf_marks.c) on the sample tri-fold, whose sheet
# folds at 97 and 197 mm outside and 100 and 200 mm inside (inside-3
# folds in, 2 mm narrower):
#  - every mark lies outside the BleedBox and inside the MediaBox: the
#    sheet rendered with every mark and with none (`print: marks:` all
#    false) differ only there, and do differ;
#  - fold marks: with them and without (`folds: false`), the sheets differ
#    only in the slug at each fold, and at every fold;
#  - the colour bar: Ghostscript's separations (tiffsep) of the slug under
#    the trim show solid and tint patches of each of C, M, Y and K;
#  - the slug line: pdftotext of the slug above the trim reads the
#    publication, edition, page, profile and SOURCE_DATE_EPOCH's date, and
#    of the page inside the bleed none of it.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
for t in gs pdftotext python3; do
    command -v "$t" >/dev/null || {
        echo "skip: $t not installed"
        exit 77
    }
done
LIB=$(cd "${BASH_SOURCE%/*}/lib" && pwd)
fresh_work
export SOURCE_DATE_EPOCH=1700000000
mk() { # mk NAME 'print: …': the brochure with the trifold template + line
    cp -r "$SRC/examples/nam-dinh-brochure" "$1"
    cp -r "$SRC/templates/trifold" "$1/look"
    sed -i 's|^template: trifold$|template: ./look|' "$1/publication.yaml"
    grep -q '^template: ./look$' "$1/publication.yaml" || fail "template line"
    [ -z "$2" ] || printf '%s\n' "$2" >>"$1/look/template.yaml"
    "$FOLIO" build "$1/publication.yaml" -o "out-$1" --edition en \
        --profile print >/dev/null 2>"$1.err" || fail "build $1: $(cat "$1.err")"
}
mk all ""
mk none "print: { marks: { crop: false, registration: false, color-bar: false, slug: false, folds: false } }"
mk nofolds "print: { marks: { folds: false } }"
PDF=out-all/nam-dinh-brochure-en.pdf
R=72 # dpi: 1 pixel a point
for v in all none nofolds; do
    for pg in 1 2; do
        gs -q -o "$v-$pg.ppm" -sDEVICE=ppmraw -r$R -dFirstPage=$pg \
            -dLastPage=$pg "out-$v/nam-dinh-brochure-en.pdf" || fail "gs $v"
    done
done

# Where each differing pixel lies. A4 landscape, bleed 3 mm, slug 10 mm:
# media 915.59 x 668.98, BleedBox 28.35..887.24 x 28.35..640.63.
where() { # a.ppm b.ppm folds(mm, comma-separated or -) -> a report
    python3 - "$LIB" "$@" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import sep
wa, ha, a = sep.ppm(sys.argv[2])
wb, hb, b = sep.ppm(sys.argv[3])
assert (wa, ha) == (wb, hb)
MM = 72 / 25.4
off, bleed = 13 * MM, 3 * MM
b0, b1x, b1y = off - bleed, wa - off + bleed, ha - off + bleed
folds = [] if sys.argv[4] == "-" else \
    [off + float(f) * MM for f in sys.argv[4].split(",")]
n = inside = 0
near = [0] * len(folds)
away = 0
for j in range(ha):
    for i in range(wa):
        k = (j * wa + i) * 3
        if a[k:k + 3] == b[k:k + 3]:
            continue
        n += 1
        # the pixel's square [i, i+1] x [j, j+1] meets the bleed box
        if i + 1 > b0 + 0.5 and i < b1x - 0.5 and j + 1 > b0 + 0.5 and \
                j < b1y - 0.5:
            inside += 1
        hit = [f for f, x in enumerate(folds) if abs(i + 0.5 - x) <= 2]
        for f in hit:
            near[f] += 1
        if folds and not hit:
            away += 1
print(n, inside, away, " ".join(map(str, near)) or "-")
EOF
}
for pg in 1 2; do
    read -r n inside _ _ <<<"$(where all-$pg.ppm none-$pg.ppm -)" ||
        fail "compare page $pg"
    [ "$n" -gt 1000 ] || fail "page $pg: the marks change only $n pixels"
    [ "$inside" = 0 ] ||
        fail "page $pg: $inside pixels of marks on the bleed or the trim"
done
# fold marks: page 1 (outside) folds at 97 and 197 mm, page 2 at 100, 200
for spec in "1 97,197" "2 100,200"; do
    read -r pg folds <<<"$spec"
    read -r n inside away near <<<"$(where all-$pg.ppm nofolds-$pg.ppm "$folds")" ||
        fail "compare folds page $pg"
    [ "$inside" = 0 ] || fail "page $pg: fold marks on the bleed or trim"
    [ "$away" = 0 ] || fail "page $pg: $away pixels of fold marks off a fold"
    for c in $near; do
        [ "$c" -ge 8 ] || fail "page $pg: a fold without its marks ($near)"
    done
done

# ---- the colour bar, in the separations ------------------------------------
gs -q -o sep.tif -sDEVICE=tiffsep -sCompression=none -r$R -dFirstPage=1 \
    -dLastPage=1 "$PDF" || fail "gs tiffsep"
python3 - "$LIB" <<'EOF' || fail "colour bar"
import sys
sys.path.insert(0, sys.argv[1])
import sep
MM = 72 / 25.4
off, bleed = 13 * MM, 3 * MM
bad = 0
for ink in ("Cyan", "Magenta", "Yellow", "Black"):
    w, h, p = sep.ink("sep(%s).tif" % ink)
    # the bar's row: 5 to 9 mm below the bleed's lower edge, left half
    y = int(h - (off - bleed - 7 * MM))
    row = [p[y * w + i] for i in range(int(off), w // 2)]
    solid = max(row)
    tints = sorted(set(v for v in row if 20 < v < 235))
    if solid < 250 or len(tints) < 3:
        print("FAIL: %s: solid %d, tints %s in the bar" % (ink, solid, tints))
        bad = 1
sys.exit(bad)
EOF

# ---- the slug line ------------------------------------------------------
for pg in 1 2; do
    pdftotext -f $pg -l $pg -x 0 -y 0 -W 916 -H 28 "$PDF" slug.txt ||
        fail pdftotext
    want="nam-dinh-brochure · en · page $pg · print PDF/X-4 · 2023-11-14 22:13 UTC"
    grep -qF "$want" slug.txt || fail "page $pg slug: $(cat slug.txt)"
    pdftotext -f $pg -l $pg -x 28 -y 28 -W 860 -H 613 "$PDF" page.txt ||
        fail pdftotext
    grep -q "PDF/X-4" page.txt && fail "page $pg: slug text on the page"
done
echo "ok"
