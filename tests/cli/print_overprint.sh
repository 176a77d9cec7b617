#!/bin/bash
# Overprint in print: K-only text at or below the template's
# `overprint: text` size (12 pt) and K-only rules overprint (/OP true
# /OPM 1); larger text and every other colour knock out. A booklet page
# with a table: a tint head (0/12/11/4) under bold 7.5 pt black text,
# black rules (the template's rule colour set to black), a black 14 pt
# heading, 9.5 pt black body text.
#  - The content streams: every text shown and every line stroked is
#    under an ExtGState with /OP true exactly when it should be;
#  - Ghostscript's separations (tiffsep): inside the tint head, M and Y
#    are even (no knockout under the text) and K holds the text; with
#    overprint off (`overprint: { text: 0, rules: false }`) M has holes,
#    which shows the measure sees a knockout;
#  - the soft proof (preview --profile print) shows it: the head's text
#    differs from the knockout proof's, the text on white does not.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
for t in gs qpdf python3; do
    command -v "$t" >/dev/null || {
        echo "skip: $t not installed"
        exit 77
    }
done
LIB=$(cd "${BASH_SOURCE%/*}/lib" && pwd)
fresh_work
export SOURCE_DATE_EPOCH=1700000000
mk() { # mk NAME 'print: …'
    mkdir -p "$1"
    cp -r "$SRC/templates/booklet" "$1/look"
    sed -i 's/^  rule: brand$/  rule: black/' "$1/look/template.yaml"
    grep -q '^  rule: black$' "$1/look/template.yaml" || fail "rule colour"
    [ -z "$2" ] || printf '%s\n' "$2" >>"$1/look/template.yaml"
    cat >"$1/op.yaml" <<'YAML'
title: "Overprint"
slug: op
year: 2025
template: ./look
editions: [en]
styles:
  h2: { color: black, size: 14, leading: 17 }
sections:
  - title: "Tables"
    blocks:
      - h2: "A heading in black at 14 pt"
      - table:
          columns:
            - { head: "Indicator" }
            - { head: "Value", align: right }
          rows:
            - [ "Growth", "8.1" ]
            - [ "Area", "1669" ]
      - p: "Body text in black at 9.5 pt after the table, on white paper."
YAML
    "$FOLIO" build "$1/op.yaml" -o "out-$1" >/dev/null 2>"$1.err" ||
        fail "build $1: $(cat "$1.err")"
    "$FOLIO" preview "$1/op.yaml" -o "prev-$1" --profile print \
        >/dev/null 2>"$1.err" || fail "preview $1: $(cat "$1.err")"
}
mk on ""
mk off "print: { overprint: { text: 0, rules: false } }"
"$FOLIO" dump on/op.yaml >dump.txt 2>/dev/null || fail "dump"
# the page of the table (1-based index in the file) and its tint head
read -r page box <<<"$(awk '/^page / { n++ }
    / rect .*cmyk=0.00,0.12,0.11,0.04/ { sub(/.*rect /, ""); sub(/ cmyk.*/, "");
        gsub(/[xywh]=/, ""); print n, $0; exit }' dump.txt)"
[ -n "$box" ] || fail "no tint table head in the dump"

# ---- the content streams --------------------------------------------------
qpdf --qdf --object-streams=disable out-on/op-en.pdf on.qdf.pdf || fail qpdf
python3 - on.qdf.pdf <<'EOF' || fail "content streams"
import re, sys
d = open(sys.argv[1], "rb").read().decode("latin-1")
objs = {int(m.group(1)): m.group(2) for m in
        re.finditer(r"\n(\d+) 0 obj\n(.*?)\nendobj", d, re.S)}
on = {n for n, o in objs.items()
      if "/Type /ExtGState" in o and re.search(r"/OP true", o)
      and re.search(r"/op true", o) and re.search(r"/OPM 1", o)}
seen = {"small": 0, "large": 0, "rule": 0}
bad = 0
for n, o in objs.items():
    if not re.search(r"/Type /Page\b", o):
        continue
    names = {}
    m = re.search(r"/ExtGState\s*<<(.*?)>>", o, re.S)
    if m:
        names = {k: int(v) in on for k, v in
                 re.findall(r"/(\w+)\s+(\d+) 0 R", m.group(1))}
    c = re.search(r"/Contents (\d+) 0 R", o)
    text = objs[int(c.group(1))]
    body = text[text.index("stream\n") + 7:text.rindex("endstream")]
    st = {"op": False, "size": 0, "fill": None, "stroke": None}
    stack = []
    for line in body.split("\n"):
        t = line.split()
        if line == "q":
            stack.append(dict(st))
        elif line == "Q":
            st = stack.pop()
        elif t[-1:] == ["gs"]:
            st["op"] = names[t[0][1:]]
        elif t[-1:] == ["Tf"]:
            st["size"] = float(t[-2])
        elif t[-1:] == ["k"] and len(t) == 5:
            st["fill"] = tuple(map(float, t[:4]))
        elif t[-1:] == ["K"] and len(t) == 5:
            st["stroke"] = tuple(map(float, t[:4]))
        kk = lambda c: c and c[0] == c[1] == c[2] == 0 and c[3] > 0
        if line.endswith("TJ"):
            want = kk(st["fill"]) and st["size"] <= 12
            if kk(st["fill"]):
                seen["small" if st["size"] <= 12 else "large"] += 1
            if st["op"] != want:
                print("FAIL: text at %g pt in %s: overprint %s" %
                      (st["size"], st["fill"], st["op"]))
                bad = 1
        elif line.endswith(" l S"):
            want = kk(st["stroke"])
            seen["rule"] += want
            if st["op"] != want:
                print("FAIL: a line in %s: overprint %s" %
                      (st["stroke"], st["op"]))
                bad = 1
for k, v in seen.items():
    if not v:
        print("FAIL: no K-only %s in the file" % k)
        bad = 1
sys.exit(bad)
EOF

# ---- separations ------------------------------------------------------------
for v in on off; do
    gs -q -o "$v.tif" -sDEVICE=tiffsep -sCompression=none -r150 \
        -dFirstPage="$page" -dLastPage="$page" "out-$v/op-en.pdf" ||
        fail "gs tiffsep $v"
done
seps() { # PREFIX -> "M: min max, Y: min max, K: max" inside the head
    python3 - "$LIB" "$1" "$box" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import sep
x, y, w, h = map(float, sys.argv[3].split())
s, off = 150 / 72, 13 * 72 / 25.4  # booklet: bleed 3 mm + slug 10 mm
out = []
for ink in ("Magenta", "Yellow", "Black"):
    W, H, p = sep.ink("%s(%s).tif" % (sys.argv[2], ink))
    v = [p[j * W + i]
         for j in range(int((y + off) * s) + 2, int((y + h + off) * s) - 2)
         for i in range(int((x + off) * s) + 2, int((x + w + off) * s) - 2)]
    out += [min(v), max(v)]
print(*out)
EOF
}
read -r m0 m1 y0 y1 _ k1 <<<"$(seps on)" || fail "separations"
# 12 % magenta is 31 of 255, 11 % yellow 28: even, whatever the text
[ $((m1 - m0)) -le 2 ] && [ "$m0" -ge 28 ] ||
    fail "overprint: M in the head $m0..$m1, a knockout"
[ $((y1 - y0)) -le 2 ] && [ "$y0" -ge 25 ] ||
    fail "overprint: Y in the head $y0..$y1, a knockout"
[ "$k1" -ge 200 ] || fail "overprint: no text on K in the head ($k1)"
read -r m0 m1 _ _ _ _ <<<"$(seps off)" || fail "separations (off)"
[ "$m0" -le 5 ] || fail "knockout: M in the head $m0..$m1 has no holes"

# ---- the soft proof ----------------------------------------------------------
n=$(printf '%03d' "$page")
python3 - "$LIB" "prev-on/op-en-$n.png" "prev-off/op-en-$n.png" "$box" <<'EOF' ||
import sys
sys.path.insert(0, sys.argv[1])
import sep
w, h, a = sep.png(sys.argv[2])
_, _, b = sep.png(sys.argv[3])
x, y, bw, bh = map(float, sys.argv[4].split())
s, bleed = 96 / 72, 3 * 72 / 25.4  # the print preview shows the bleed
x0, x1 = int((x + bleed) * s), int((x + bw + bleed) * s)
y0, y1 = int((y + bleed) * s), int((y + bh + bleed) * s)
# Black ink over the tint looks nearly as black knocked out: measured,
# the proof's text in the head is up to 5 levels darker (the tint's
# colour under the K), and never lighter; on white, the same.
head = white = lighter = 0
for j in range(h):
    for i in range(w):
        k = (j * w + i) * 3
        if max(abs(a[k + c] - b[k + c]) for c in range(3)) <= 2:
            continue
        if x0 <= i < x1 and y0 <= j < y1:
            head += 1
            lighter += any(a[k + c] > b[k + c] for c in range(3))
        else:
            white += 1
if head < 20 or white or lighter:
    print("FAIL: soft proof: %d pixels of the head differ from the knockout "
          "proof (%d lighter), %d elsewhere" % (head, lighter, white))
    sys.exit(1)
EOF
    fail "soft proof"
echo "ok"
