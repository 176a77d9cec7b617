#!/usr/bin/env bash
# --draft: with the preflight's errors (here the print resolution warnings
# made errors by --strict), `build --draft` still writes the PDF and
# `preview --draft` the PNGs and the proof sheet, both exiting 1; each
# finding is outlined in red on its page in the preview (the pixel on the
# outline's top edge, where the report's box says, is red with --draft and
# not without) and listed, linked to its page, on the proof sheet.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
cd "$SRC" || exit 1
[ -x /usr/bin/convert ] || fail "ImageMagick's convert is not installed"
pub=examples/nam-dinh/publication.yaml

"$FOLIO" build "$pub" --edition vi --strict --draft -o "$WORK/build" \
    >"$WORK/build.out" 2>"$WORK/build.err"
rc=$?
[ "$rc" = 1 ] || fail "build --draft with errors exit $rc, expected 1"
grep -q ': error: image' "$WORK/build.err" || fail "no error printed: $(cat "$WORK/build.err")"
ls "$WORK"/build/*.pdf >/dev/null 2>&1 || fail "build --draft wrote no PDF"
qpdf --check "$WORK"/build/*.pdf >/dev/null || fail "the draft PDF is damaged"

"$FOLIO" check "$pub" --edition vi --strict --report "$WORK/check.json" \
    >/dev/null 2>&1
# The first finding with a box: its page and the pixel on its outline.
read -r page px py < <(python3 - "$WORK/check.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
# (one inside the page: a box reaching into the bleed, as the cover
# image's does, has its outline off the PNG)
f = next(f for f in r["findings"] if f["box"] and f["page"]
         and f["box"][0] >= 0 and f["box"][1] > 2)
x, y, w, h = f["box"]
scale = 96 / 72  # preview's default dpi
print(f["page"], int((x + w / 2) * scale), int((y - 1.0) * scale))
PY
) || fail "no finding with a box in the check report"

"$FOLIO" preview "$pub" --edition vi --strict --draft -o "$WORK/draft" \
    >/dev/null 2>"$WORK/draft.err"
rc=$?
[ "$rc" = 1 ] || fail "preview --draft with errors exit $rc, expected 1"
png=$(printf '%s/draft/nam-dinh-yearbook-vi-%03d.png' "$WORK" "$page")
[ -f "$png" ] || png=$(ls "$WORK"/draft/*-vi-"$(printf %03d "$page")".png 2>/dev/null | head -n 1)
[ -n "$png" ] && [ -f "$png" ] || fail "preview --draft wrote no PNG of page $page"
[ -f "$WORK/draft/proof.html" ] || fail "preview --draft wrote no proof sheet"
grep -q "error: image" "$WORK/draft/proof.html" || fail "the proof sheet does not list the errors"
grep -q "href=\"#p-vi-$page\"" "$WORK/draft/proof.html" || fail "the proof sheet does not link a finding to page $page"

pixel() { # png x y -> r g b (0..255)
    /usr/bin/convert "$1" -format '%[fx:int(255*p{'"$2,$3"'}.r)] %[fx:int(255*p{'"$2,$3"'}.g)] %[fx:int(255*p{'"$2,$3"'}.b)]' info:
}
read -r r g b < <(pixel "$png" "$px" "$py")
[ "$r" -gt 180 ] && [ "$g" -lt 90 ] && [ "$b" -lt 90 ] ||
    fail "page $page at ($px, $py) is rgb($r, $g, $b) with --draft, expected the red outline"

"$FOLIO" preview "$pub" --edition vi -o "$WORK/plain" >/dev/null 2>&1 ||
    fail "preview without --strict failed"
plain="$WORK/plain/$(basename "$png")"
read -r r g b < <(pixel "$plain" "$px" "$py")
if [ "$r" -gt 180 ] && [ "$g" -lt 90 ] && [ "$b" -lt 90 ]; then
    fail "page $page at ($px, $py) is red without --draft too: the test proves nothing"
fi
echo "draft: PDF and preview written despite errors (exit 1), finding outlined on page $page"
