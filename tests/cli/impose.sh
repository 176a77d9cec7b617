#!/usr/bin/env bash
# `folio impose`, on booklets of 8, 12, 16 and 28 pages whose every page
# says which it is ("MARK-07"):
#  - saddle-stitch: each sheet side holds, left and right of the spine, the
#    pages the signature formula gives (computed here, not by folio):
#    sheet k (1-based) of an n-page booklet has n-2k+2 | 2k-1 on its front
#    and 2k | n-2k+1 on its back. Read from the words' positions in each half of
#    the side (pdftotext -bbox).
#  - creep: the placements' matrices in the content streams move sheet k's
#    pages (k-1) x creep towards the spine.
#  - every imposed page equals the source page: the print PDF's page and
#    the sheet, rasterized by pdftoppm at 72 dpi, cropped to the page's
#    trim (less the strip the creep moves past the spine), agree within
#    preview_is_print.sh's threshold (a channel off by more than 64/255 on
#    at most 0.05 % of the pixels). The fixture puts the trims on whole
#    points on both (page 360 x 540 pt, bleed 9 pt, the sheet 100 pt and
#    50 pt wider on each side than the page's media, creep 2 pt), so the
#    two rasters are cut on the same pixel phase. Negative control: a
#    page against its neighbour must fail.
#  - 2up-proof: reader's spreads, page 1 alone on the right, then 2|3, …
#  - a 7-page booklet with binding none: imposed with a blank eighth and
#    the binding rule's warning; --strict refuses it and writes nothing;
#    a press sheet too small for a spread is an error at the template.
# The sanitizer build, where folio runs several times slower, imposes the
# 8 and 28 pages only: its job is the memory of the code both exercise;
# the order of all four sizes is this build's.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
set -eo pipefail
fresh_work
PNGDIFF="$BUILD/tests/fo_pngdiff"
export SOURCE_DATE_EPOCH=1735689600

mkdir tmpl
sed -e 's/^page: .*/page: { width: 127, height: 190.5 }/' \
    -e 's/^bleed: 3$/bleed: 3.175/' \
    -e 's/^contents: true/contents: false/' \
    -e 's/^cover: true/cover: false\ntitle-page: false/' \
    -e '/^imposition:/d' \
    "$SRC/templates/booklet/template.yaml" >tmpl/template.yaml
cat >>tmpl/template.yaml <<'EOF'
imposition:
  sheet: { width: 350.90556, height: 252.12778 }
  creep: 0.705556
EOF
grep -q '^page: { width: 127' tmpl/template.yaml || fail "fixture: page size not set"
grep -q '^cover: false' tmpl/template.yaml || fail "fixture: cover not off"

# pub N [binding]: pubN.yaml, N pages, each with its mark.
pub() {
    python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
blocks = []
for i in range(1, n + 1):
    blocks.append('      - p: "MARK-%02d"' % i)
    if i < n:
        blocks.append('      - break: page')
open('pub%d.yaml' % n, 'w').write(
    'title: "Imposed"\nslug: imp%d\nyear: 2025\ntemplate: ./tmpl\n'
    'editions: [en]\nsections:\n  - title: "Pages"\n    blocks:\n%s\n'
    % (n, "\n".join(blocks)))
PY
}

sizes="8 12 16 28"
if grep -q '^FO_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    sizes="8 28"
fi
for n in $sizes; do
    pub "$n"
    "$FOLIO" impose "pub$n.yaml" -o out --scheme saddle-stitch >/dev/null 2>"err$n" ||
        fail "impose $n: $(cat "err$n")"
    [ ! -s "err$n" ] || fail "impose $n: unexpected diagnostics: $(cat "err$n")"
    "$FOLIO" build "pub$n.yaml" -o out --profile print >/dev/null 2>&1 ||
        fail "build $n"
    "$FOLIO" impose "pub$n.yaml" -o out --scheme 2up-proof >/dev/null 2>&1 ||
        fail "impose 2up-proof $n"
done

python3 - "$PNGDIFF" $sizes <<'PY' || exit 1
import re, struct, subprocess, sys, zlib
pngdiff = sys.argv[1]
PT = 72 / 25.4
W, H, BLEED = 360.0, 540.0, 9.0
OFF = BLEED + 10 * PT        # the print PDF's trim origin (bleed + slug)
OX, OY = OFF + 100, OFF + 50  # the sheet's: the fixture's larger media
CREEP = 0.705556 * PT
DPI = 36                      # 2 pt a pixel: every offset above is whole
PX = 72 / DPI
fails = []

def run(*args):
    return subprocess.run(args, check=True, capture_output=True).stdout

BOXES = {}
def marks(pdf, page, x, w):
    """The marks of page (1-based) of pdf whose words start in [x, x + w),
    from one pdftotext -bbox of the whole file."""
    if pdf not in BOXES:
        t = run('pdftotext', '-bbox', pdf, '-').decode()
        BOXES[pdf] = [[(float(m.group(1)), int(m.group(2))) for m in
                       re.finditer(r'<word xMin="([\d.]+)"[^>]*>MARK-(\d+)<', pg)]
                      for pg in t.split('<page ')[1:]]
    return [k for (x0, k) in BOXES[pdf][page - 1] if x <= x0 < x + w]

def info_size(pdf):
    out = run('pdfinfo', pdf).decode()
    m = re.search(r'Page size:\s+([\d.]+) x ([\d.]+)', out)
    return float(m.group(1)), float(m.group(2))

def signature(n, k):  # 1-based sheet k: (front, back), each (left, right)
    return ((n - 2 * k + 2, 2 * k - 1), (2 * k, n - 2 * k + 1))

def placements(pdf):
    """The e of each 'a b c d e f cm /Name Do' per page, in order."""
    qdf = pdf + '.qdf'
    run('qpdf', '--qdf', '--object-streams=disable', pdf, qdf)
    data = open(qdf, 'rb').read().decode('latin-1')
    out = []
    for part in re.split(r'%% Contents for page \d+\n', data)[1:]:
        cont = part.split('\n%% ')[0]
        out.append([float(m.group(1)) for m in re.finditer(
            r'1 0 0 1 (-?[\d.]+) 0 cm /\w+ Do', cont)])
    return out

def read_ppm(path):
    """(width, height, rows) of a binary PPM (pdftoppm's default)."""
    data = open(path, 'rb').read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b'P6' and parts[3] == b'255', path
    w, h = int(parts[1]), int(parts[2])
    px = parts[4]
    return w, h, [px[r * w * 3:(r + 1) * w * 3] for r in range(h)]

def crop(ppm, x, y, w, h, dst):
    """The w x h pixels at (x, y) of ppm as a PNG at dst (for fo_pngdiff)."""
    pw, ph, rows = ppm
    assert 0 <= x and x + w <= pw and 0 <= y and y + h <= ph, (x, y, w, h)
    raw = b''.join(b'\0' + rows[r][x * 3:(x + w) * 3] for r in range(y, y + h))
    def chunk(t, d):
        return (struct.pack('>I', len(d)) + t + d +
                struct.pack('>I', zlib.crc32(t + d) & 0xffffffff))
    open(dst, 'wb').write(b'\x89PNG\r\n\x1a\n' +
        chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
        chunk(b'IDAT', zlib.compress(raw, 1)) + chunk(b'IEND', b''))

def same(a, b, pixels):
    r = subprocess.run([pngdiff, a, b, '--tolerance', '64', '--max-diff',
                        str(pixels // 2000)], capture_output=True)
    if r.returncode == 2:
        raise SystemExit('fo_pngdiff: ' + r.stderr.decode())
    return r.returncode == 0

for n in [int(a) for a in sys.argv[2:]]:
    sheet = 'out/imp%d-en-saddle-stitch.pdf' % n
    src = 'out/imp%d-en.pdf' % n
    sw, sh = info_size(sheet)
    if abs(sw - (2 * W + 2 * OX)) > 0.01 or abs(sh - (H + 2 * OY)) > 0.01:
        fails.append('%d: sheet %.2f x %.2f pt, expected %.2f x %.2f' %
                     (n, sw, sh, 2 * W + 2 * OX, H + 2 * OY))
    spine = OX + W
    cms = placements(sheet)
    if len(cms) != n // 2:
        fails.append('%d: %d sheet sides, expected %d' % (n, len(cms), n // 2))
        continue
    run('pdftoppm', '-r', str(DPI), sheet, 'sheet%d' % n)
    run('pdftoppm', '-r', str(DPI), src, 'src%d' % n)
    ppm = {}
    def raster(name):
        if name not in ppm:
            ppm[name] = read_ppm(name)
        return ppm[name]
    digits = len(str(n // 2))
    sdigits = len(str(n))
    a = int(OFF / PX) + 1  # first whole pixel inside the trim
    for k in range(1, n // 4 + 1):
        shift = (k - 1) * CREEP
        for side, (left, right) in enumerate(signature(n, k)):
            p = 2 * (k - 1) + side + 1
            got = (marks(sheet, p, 0, spine), marks(sheet, p, spine, sw - spine))
            if got != ([left], [right]):
                fails.append('%d pages, sheet %d %s: pages %s | %s, expected %d | %d'
                             % (n, k, ('front', 'back')[side], got[0], got[1], left, right))
            e = cms[p - 1]
            want = [shift, W - shift]
            if len(e) != 2 or any(abs(x - y) > 0.001 for x, y in zip(e, want)):
                fails.append('%d pages, sheet %d: placements at %s, expected %s'
                             % (n, k, e, want))
            sppm = raster('sheet%d-%0*d.ppm' % (n, digits, p))
            # in pixels: the shift, the page, the sheet's extra margins
            s, w, h = int(round(shift / PX)), int(W / PX), int(H / PX)
            mx, my = int(100 / PX), int(50 / PX)
            ch = h - 2
            for pos, page in ((0, left), (1, right)):
                cw = w - s - 2
                # the source's columns u in [u0, u0 + cw) of its trim
                u0 = 1 if pos == 0 else s + 1
                x_sheet = a + mx + (s if pos == 0 else w - s) + u0 - 1
                crop(sppm, x_sheet, a + my, cw, ch, 'a.png')
                crop(raster('src%d-%0*d.ppm' % (n, sdigits, page)), a + u0 - 1,
                     a, cw, ch, 'b.png')
                if not same('a.png', 'b.png', cw * ch):
                    fails.append('%d pages, sheet %d side %d: page %d differs '
                                 'from its source' % (n, k, side + 1, page))
                if n == 8 and k == 1 and side == 0:
                    other = right if pos == 0 else left
                    crop(raster('src%d-%0*d.ppm' % (n, sdigits, other)),
                         a + u0 - 1, a, cw, ch, 'c.png')
                    if same('a.png', 'c.png', cw * ch):
                        fails.append('page %d passes as page %d: the raster '
                                     'check cannot fail' % (page, other))
    # 2up-proof: page 1 alone on the right, then 2|3, …, n alone on the left
    proof = 'out/imp%d-en-2up-proof.pdf' % n
    pw, ph = info_size(proof)
    if abs(pw - 2 * W) > 0.01 or abs(ph - H) > 0.01:
        fails.append('%d: proof spread %.2f x %.2f pt' % (n, pw, ph))
    for s in range(n // 2 + 1):
        want = ([2 * s] if s > 0 else [], [2 * s + 1] if 2 * s + 1 <= n else [])
        got = (marks(proof, s + 1, 0, W), marks(proof, s + 1, W, W))
        if got != want:
            fails.append('%d pages, proof spread %d: %s, expected %s' % (n, s + 1, got, want))

for f in fails:
    print('FAIL: ' + f)
sys.exit(1 if fails else 0)
PY

# ---- the binding rule: 7 pages, binding none
pub 7
sed -e 's/^binding: saddle-stitch/binding: none/' tmpl/template.yaml >tmpl7.yaml
mkdir -p t7 && mv tmpl7.yaml t7/template.yaml
sed -i 's|template: ./tmpl|template: ./t7|' pub7.yaml
"$FOLIO" impose pub7.yaml -o out7 >out7.txt 2>err7 || fail "impose 7: $(cat err7)"
grep -qF "pub7.yaml:4:11: warning: added 1 blank page so that the saddle-stitched booklet has 8 pages, a multiple of 4 (edition en)" err7 ||
    fail "impose 7: no binding warning: $(cat err7)"
t=$(pdftotext -r 72 -f 1 -l 1 out7/imp7-en-saddle-stitch.pdf -)
case "$t" in *MARK-01*) ;; *) fail "impose 7: page 1 not on the first side" ;; esac
case "$t" in *MARK-0[2-8]*) fail "impose 7: the blank eighth holds a page: $t" ;; esac
rc=0
"$FOLIO" impose pub7.yaml -o out7s --strict >/dev/null 2>err7s || rc=$?
[ "$rc" = 1 ] || fail "impose 7 --strict: exit $rc, expected 1"
grep -qF "pub7.yaml:4:11: error: the saddle-stitched booklet has 7 pages, not a multiple of 4: it needs 1 blank page at the end (edition en)" err7s ||
    fail "impose 7 --strict: $(cat err7s)"
[ -z "$(ls -A out7s 2>/dev/null)" ] || fail "impose 7 --strict wrote output"

# ---- a press sheet too small for a spread with bleed and marks
sed -e 's/sheet: { width: 350.90556, height: 252.12778 }/sheet: { width: 297, height: 210 }/' \
    t7/template.yaml >t7/small.yaml && mkdir -p t8 && mv t7/small.yaml t8/template.yaml
sed 's|template: ./t7|template: ./t8|' pub7.yaml >pub7s.yaml
rc=0
"$FOLIO" impose pub7s.yaml -o out8 >/dev/null 2>err8 || rc=$?
[ "$rc" = 1 ] || fail "small sheet: exit $rc, expected 1"
line=$(grep -n '^  sheet:' t8/template.yaml | cut -d: -f1)
grep -qF "t8/template.yaml:$line:10: error: the press sheet (297 x 210 mm) cannot hold a spread of two pages with their bleed and marks: it needs at least 281 x 217 mm" err8 ||
    fail "small sheet: $(cat err8)"
[ -z "$(ls -A out8 2>/dev/null)" ] || fail "small sheet: output written"
echo "ok"
