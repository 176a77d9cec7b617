#!/bin/bash
# Print downsampling (pdf_image.c print_size): an image shown above the
# template's print-max-ppi (450) at its placed size is stored resampled to
# print-ppi (300); one at or below the ceiling is stored as before. Checked
# on the files: pdfimages -list gives each placed image's effective ppi
# (within 1 % of 300 for those above the ceiling), and the streams of the
# images below it are byte for byte those of a build whose template sets
# the ceiling out of reach (print-max-ppi: 4800). RGB and CMYK JPEGs, an
# RGB PNG and a grey PNG, each above and below.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
for t in pdfimages qpdf python3; do
    command -v "$t" >/dev/null || {
        echo "skip: $t not installed"
        exit 77
    }
done
fresh_work
export SOURCE_DATE_EPOCH=1700000000 FOLIO_CACHE=off
mkdir -p pub/img
# The yearbook's column is 82 mm (3.23 in): 2400 px wide shows at 743 ppi,
# 1200 px at 372 (under the ceiling, over the 300 print asks for).
CONVERT=/usr/bin/convert # ImageMagick's own, whatever is first on PATH
[ -x $CONVERT ] || CONVERT=convert
mk() { # name size type(colour|cmyk|grey): a photo-like plasma, made small
    src=(-seed 7 -size 120x80 plasma:fractal -resize "$2!")
    case $3 in
    colour) $CONVERT "${src[@]}" "pub/img/$1" ;;
    # lightened: print refuses more than 300 % total ink
    cmyk) $CONVERT "${src[@]}" +level 40%,100% -colorspace CMYK "pub/img/$1" ;;
    grey) $CONVERT "${src[@]}" -colorspace Gray -type Grayscale "pub/img/$1" ;;
    esac || fail "convert $1"
}
mk big.jpg 2400x1600 colour
mk big-cmyk.jpg 2400x1600 cmyk
mk big.png 2400x1600 colour
mk big-grey.png 2400x1600 grey
mk small.jpg 1200x800 colour
mk small-cmyk.jpg 1200x800 cmyk
mk small.png 1200x800 colour
mk small-grey.png 1200x800 grey
{
    cat <<'YAML'
title: { en: "Resolution" }
slug: res
year: 2025
editions: [en]
sections:
  - title: { en: "Images" }
    blocks:
YAML
    for f in big.jpg small.jpg big-cmyk.jpg small-cmyk.jpg big.png small.png \
        big-grey.png small-grey.png; do
        printf '      - figure: { src: "img/%s", span: column }\n' "$f"
    done
} >pub/publication.yaml
cp -r "$SRC/templates/yearbook" pub/high
printf '\nprint-max-ppi: 4800\n' >>pub/high/template.yaml
sed 's|^title:|template: ./high\ntitle:|' pub/publication.yaml >pub/high.yaml

"$FOLIO" build pub/publication.yaml -o a --profile print >/dev/null \
    2>err.txt || fail "build: $(cat err.txt)"
"$FOLIO" build pub/high.yaml -o b --profile print >/dev/null 2>err.txt ||
    fail "build with print-max-ppi 4800: $(cat err.txt)"
pdfimages -list a/res-en.pdf >a.txt || fail "pdfimages a"
pdfimages -list b/res-en.pdf >b.txt || fail "pdfimages b"
python3 - a.txt b.txt a/res-en.pdf b/res-en.pdf pub/img <<'PY' || exit 1
import os, subprocess, sys
def rows(path):
    # page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    out = []
    for line in open(path).read().splitlines()[2:]:
        f = line.split()
        out.append(dict(w=int(f[3]), h=int(f[4]), color=f[5], enc=f[8],
                        obj=f[10], xppi=float(f[12]), yppi=float(f[13])))
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
# the figures in order (the cover and logos have none here)
names = ["big.jpg", "small.jpg", "big-cmyk.jpg", "small-cmyk.jpg", "big.png",
         "small.png", "big-grey.png", "small-grey.png"]
if len(a) != len(names) or len(b) != len(names):
    sys.exit(f"FAIL: {len(a)} and {len(b)} images, want {len(names)}")
def stream(pdf, obj):
    return subprocess.run(["qpdf", f"--show-object={obj}", "--raw-stream-data",
                           pdf], capture_output=True, check=True).stdout
for i, n in enumerate(names):
    ra, rb = a[i], b[i]
    if n.startswith("big"):
        if not rb["xppi"] > 450:
            sys.exit(f"FAIL: {n} shows at {rb['xppi']} ppi unresampled")
        for k in ("xppi", "yppi"):
            if abs(ra[k] - 300) > 3:
                sys.exit(f"FAIL: {n} resampled to {ra[k]} ppi, want 300 +- 1 %")
    else:
        if not 300 < ra["xppi"] <= 450 or (ra["w"], ra["h"]) != (1200, 800):
            sys.exit(f"FAIL: {n}: {ra['w']}x{ra['h']} at {ra['xppi']} ppi")
        da = stream(sys.argv[3], ra["obj"])
        if da != stream(sys.argv[4], rb["obj"]):
            sys.exit(f"FAIL: {n} is under the ceiling but its stream changed")
        # a CMYK JPEG under the ceiling still passes through as it is
        if n == "small-cmyk.jpg" and da != open(
                os.path.join(sys.argv[5], n), "rb").read():
            sys.exit(f"FAIL: {n} is not the file's own bytes")
    if ra["color"] != rb["color"]:
        sys.exit(f"FAIL: {n}: colour {ra['color']} against {rb['color']}")
print("print downsampling: ok")
PY

# the report gives each image's ppi before and after
"$FOLIO" build pub/publication.yaml -o c --profile print --report r.json \
    >/dev/null 2>err.txt || fail "build --report: $(cat err.txt)"
python3 - r.json <<'PY' || exit 1
import json, sys
ims = json.load(open(sys.argv[1]))["editions"][0]["profiles"][0]["images"]
got = {i["file"]: i for i in ims}
for n, i in got.items():
    big = n.startswith("img/big")
    if i["resampled"] != big or (big and not (
            i["ppi"] > 450 and abs(i["stored_ppi"] - 300) <= 3 and
            i["pixels"] == [2400, 1600] and i["stored_pixels"][0] < 1200)):
        sys.exit(f"FAIL: report: {n}: {i}")
    if not big and (i["ppi"] != i["stored_ppi"] or i["pixels"] != [1200, 800]):
        sys.exit(f"FAIL: report: {n}: {i}")
if len(got) != 8:
    sys.exit(f"FAIL: report: {len(got)} images: {sorted(got)}")
PY
