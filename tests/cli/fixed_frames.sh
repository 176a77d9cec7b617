#!/usr/bin/env bash
# Fixed frames and binding, on the cases of tests/layout/: a span: page
# figure fills its tri-fold panel into the bleed on the sheet's edges only;
# the tri-fold's cover panel takes the publication's cover (image, logo,
# title) and the content starts inside, and a title too long for it is
# refused; over-full inside panels are an error at the first block that
# does not fit, never a run onto the flap;
# tall figures stay inside their panel or text frame; a saddle-stitched
# booklet of 7 pages gets a blank eighth with a warning, and --strict
# refuses it; template keys a panel layout cannot honour are errors.
set -euo pipefail
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC"
L=tests/layout
fail=0
bad() {
    echo "FAIL: $*"
    fail=1
}
has() { # has FILE TEXT: FILE holds the line part TEXT
    grep -qF -- "$2" "$1" || bad "$1 lacks: $2"
}

# The dump of case $1 (exit 0 and no diagnostic expected) in $WORK/$1.txt.
dump_sound() {
    local rc=0
    "$FOLIO" dump "$L/$1.yaml" >"$WORK/$1.txt" 2>"$WORK/$1.err" || rc=$?
    [ "$rc" = 0 ] || bad "$1: exit $rc, expected 0: $(cat "$WORK/$1.err")"
    [ ! -s "$WORK/$1.err" ] || bad "$1: unexpected diagnostics: $(cat "$WORK/$1.err")"
}

# ---- span: page figures on panels (A4 landscape, bleed 3 mm; the panels
# 100, 100 and 97 mm inside, 97, 100 and 100 mm outside: inside-3 and the
# flap behind it fold in, 2 mm narrower)
# inside-flap (x 0..274.96 pt) bleeds left, top and bottom; inside-2 (x
# 283.46..566.93) only top and bottom: never across a fold.
dump_sound trifold-page-figure
f=$WORK/trifold-page-figure.txt
has "$f" "image tall.jpg x=-19.84 y=-8.50 w=306.14 h=612.28 clip=-8.50,-8.50,283.46,612.28"
has "$f" "clip=283.46,-8.50,283.46,612.28"
has "$f" "image wide.jpg x=589.61 y=57.93 w=229.61 h=158.96"
n=$(grep -c '^  image tall.jpg' "$f" || true)
[ "$n" = 2 ] || bad "trifold-page-figure: $n page figures drawn, expected 2"
# A page figure has no caption; the text after it goes on in the next panel.
if grep -qF "Not drawn" "$f"; then bad "trifold-page-figure: page figure caption drawn"; fi
has "$f" "x=589.61 y=32.42 w=213.00 n=51"
has "$f" "x=297.64 y=32.42 w=183.95 n=43"

# ---- the tri-fold's cover panel (outside, x 558.43..841.89 pt): image over
# the top 64 % into the top and right bleed, the band below, the logo, the
# title in the cover styles; the content starts in inside-1 (page 2).
dump_sound trifold-cover
f=$WORK/trifold-cover.txt
has "$f" "image tall.jpg x=558.43 y=-47.34 w=291.97 h=583.94 clip=558.43,-8.50,291.97,389.48"
has "$f" "rect x=558.43 y=380.98 w=291.97 h=222.80 cmyk=0.00,0.90,0.85,0.30"
has "$f" "image logo.png x=581.10 y=36.14 w=59.53 h=29.76"
has "$f" "\"A visitor's guide\""
has "$f" "\"Department of Culture · 2025\""
awk '/^edition en/{e=1} e && /^page 2/{p=1} p && /content starts/{ok=1} END{exit !ok}' "$f" ||
    bad "trifold-cover: the content does not start on page 2 (inside-1)"

# ---- refused: over-full inside panels, a cover title longer than its
# panel, a pull quote taller than the text frame: exact message, exit 1,
# nothing written
for c in trifold-inside-overflow trifold-cover-long-title booklet-long-quote; do
    rc=0
    "$FOLIO" build "$L/$c.yaml" -o "$WORK/$c" >/dev/null 2>"$WORK/$c.err" || rc=$?
    [ "$rc" = 1 ] || bad "$c: exit $rc, expected 1"
    diff -u "$L/$c.expected" "$WORK/$c.err" || bad "$c: stderr differs"
    if [ -n "$(ls -A "$WORK/$c" 2>/dev/null)" ]; then bad "$c: output written"; fi
done

# ---- tall figures: nothing outside the frames (glyph runs by their
# advance and baseline, images by their clip or box)
dump_sound trifold-tall-figure
dump_sound booklet-tall-figure
python3 - "$WORK/trifold-tall-figure.txt" "$WORK/booklet-tall-figure.txt" <<'PY' || fail=1
import re, sys
MM = 72 / 25.4
def frames(case, page):
    if case == 0:  # tri-fold: three frames a side, 8 mm inside the panels
        cols = ((0, 97), (97, 100), (197, 100)) if page == 1 else \
               ((0, 100), (100, 100), (200, 97))
        return [((x + 8) * MM, 8 * MM, (w - 16) * MM, 194 * MM) for x, w in cols]
    # booklet A5: margins 16/20, inner 17, outer 14 (page 1 is a right page)
    left = 17 if page % 2 == 1 else 14
    return [(left * MM, 16 * MM, (148 - 31) * MM, (210 - 36) * MM)]
bad = 0
for case, path in enumerate(sys.argv[1:]):
    page = 0
    for line in open(path, encoding="utf-8"):
        m = re.match(r"page (\d+)", line)
        if m:
            page = int(m.group(1))
            continue
        m = re.match(r"\s+image \S+ x=(\S+) y=(\S+) w=(\S+) h=(\S+)(?: clip=(\S+),(\S+),(\S+),(\S+))?", line)
        if m:
            v = [float(g) for g in m.groups() if g is not None]
            x, y, w, h = v[4:8] if len(v) == 8 else v[:4]
        else:
            m = re.match(r"\s+glyphs \S+ \S+ x=(\S+) y=(\S+) w=(\S+)", line)
            if not m:
                continue
            x, y, w = map(float, m.groups())
            h = 0
        # front matter of the booklet (cover, contents) is not a body frame
        if case == 1 and page < 3:
            continue
        # running heads and feet of the booklet lie outside the frame
        if case == 1 and ("NotoSans-Regular 7.00" in line or "NotoSans-Bold 7.50" in line):
            continue
        if not any(fx - 0.01 <= x and x + w <= fx + fw + 0.01 and
                   fy - 0.01 <= y and y + h <= fy + fh + 0.01
                   for fx, fy, fw, fh in frames(case, page)):
            print(f"FAIL: {path}: outside the frames on page {page}: {line.strip()[:100]}")
            bad = 1
sys.exit(bad)
PY

# ---- saddle stitch: 7 pages become 8 with a warning; --strict refuses
rc=0
"$FOLIO" build "$L/booklet-seven-pages.yaml" -o "$WORK/b7" >/dev/null 2>"$WORK/b7.err" || rc=$?
[ "$rc" = 0 ] || bad "booklet-seven-pages: exit $rc, expected 0"
echo "$L/booklet-seven-pages.yaml:4:11: warning: added 1 blank page so that the saddle-stitched booklet has 8 pages, a multiple of 4 (edition en)" >"$WORK/b7.want"
diff -u "$WORK/b7.want" "$WORK/b7.err" || bad "booklet-seven-pages: warning differs"
pdfinfo "$WORK/b7/booklet-seven-pages-en.pdf" >"$WORK/b7.info"
has "$WORK/b7.info" "Pages:           8"
rc=0
"$FOLIO" build "$L/booklet-seven-pages.yaml" -o "$WORK/b7s" --strict >/dev/null 2>"$WORK/b7s.err" || rc=$?
[ "$rc" = 1 ] || bad "booklet-seven-pages --strict: exit $rc, expected 1"
echo "$L/booklet-seven-pages.yaml:4:11: error: the saddle-stitched booklet has 7 pages, not a multiple of 4: it needs 1 blank page at the end (edition en)" >"$WORK/b7s.want"
diff -u "$WORK/b7s.want" "$WORK/b7s.err" || bad "booklet-seven-pages --strict: message differs"
if [ -n "$(ls -A "$WORK/b7s" 2>/dev/null)" ]; then bad "booklet-seven-pages --strict: output written"; fi

# ---- the example booklet is saddle-stitched: a multiple of 4 pages
"$FOLIO" dump examples/nam-dinh-booklet/publication.yaml >"$WORK/nd.txt" 2>/dev/null
awk '/^edition /{if (n % 4) bad = 1; n = 0} /^page /{n++} END{if (n % 4 || bad) exit 1}' "$WORK/nd.txt" ||
    bad "nam-dinh-booklet: an edition's page count is not a multiple of 4"

# ---- a cover the template cannot honour is a warning, not silence
mkdir -p "$WORK/nocover/look"
sed 's/, cover: true//' templates/trifold/template.yaml >"$WORK/nocover/look/template.yaml"
cp "$L/parts/tall.jpg" "$WORK/nocover/"
cat >"$WORK/nocover/pub.yaml" <<'EOF'
title: "No cover panel"
template: ./look
cover: { image: tall.jpg }
editions: [en]
sections:
  - title: "Text"
    blocks:
      - p: "Some text."
EOF
rc=0
(cd "$WORK/nocover" && "$FOLIO" build pub.yaml -o out >/dev/null 2>err) || rc=$?
[ "$rc" = 0 ] || bad "no cover panel: exit $rc, expected 0"
echo "pub.yaml:3:17: warning: template 'trifold' has no cover panel: the cover image and logo are not used" >"$WORK/nocover/want"
diff -u "$WORK/nocover/want" "$WORK/nocover/err" || bad "no cover panel: warning differs"

# ---- perfect binding: an even page count; and a page template without a
# cover page warns about the publication's cover
mkdir -p "$WORK/perfect/look"
# (no cover, no contents: the 5 body pages, made 6)
sed -e 's/^binding: saddle-stitch/binding: perfect/' -e 's/^cover: true/cover: false/' \
    -e 's/^contents: true/contents: false/' templates/booklet/template.yaml >"$WORK/perfect/look/template.yaml"
cp "$L/parts/tall.jpg" "$WORK/perfect/"
sed -e 's|^template: booklet|template: ./look|' \
    -e 's|^editions: \[en\]|cover: { image: tall.jpg }\neditions: [en]|' \
    "$L/booklet-seven-pages.yaml" >"$WORK/perfect/pub.yaml"
rc=0
(cd "$WORK/perfect" && "$FOLIO" build pub.yaml -o out >/dev/null 2>err) || rc=$?
[ "$rc" = 0 ] || bad "perfect: exit $rc, expected 0"
{
    echo "pub.yaml:5:17: warning: template 'booklet' has no cover page ('cover: false'): the cover image and logo are not used"
    echo "pub.yaml:4:11: warning: added 1 blank page so that the perfect-bound book has 6 pages, an even number (edition en)"
} >"$WORK/perfect/want"
diff -u "$WORK/perfect/want" "$WORK/perfect/err" || bad "perfect: warnings differ"

[ "$fail" = 0 ] && echo "fixed frames: ok"
exit "$fail"
