#!/usr/bin/env bash
# Foreign scripts end to end (issue 7), on a booklet in WORK whose vi
# edition holds a text in each language the province publishes in:
#  - round trip: pdftotext gives back every source text, compared character
#    by character with white space and U+200B left out (CJK, Lao and Khmer
#    write no spaces between words, so words cannot be compared);
#  - /Lang: the catalog says vi, each foreign run sits in /Span <</Lang>>;
#  - CJK line breaking: no line of the Chinese paragraph starts with a
#    closing mark (。，、」）！？) and every line but the last is justified;
#  - glyph exactness for Khmer and Lao (subscript consonants, coeng, marks
#    placed by GPOS: glyphs with no code point of their own): the glyph ids
#    of the display list are the codes in the PDF's content stream, in order;
#  - folio's PNG and pdftocairo's raster agree (the preview_is_print
#    threshold) and mutool draw renders the page without a warning;
#  - a page of CJK text in the zh edition: its size, and poppler, MuPDF and
#    Ghostscript rasters agree;
#  - a character no font has is an error with its name, edition and line.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
PNGDIFF="$BUILD/tests/fo_pngdiff"
cd "$WORK"

cat >pub.yaml <<'YAML'
title: "Languages"
year: 2025
publisher: "Nam Định"
slug: lang
template: booklet
editions: [vi, zh]
sections:
  - title: { vi: "Lời chào", zh: "欢迎" }
    blocks:
      - p: { lang: fr, text: "La province de Nam Định vous souhaite la bienvenue." }
      - p: { lang: ru, text: "Провинция Намдинь сердечно приветствует вас." }
      - p:
          lang: zh
          text: "南定省热烈欢迎您的到来。祝您在我们的家乡度过愉快的时光，留下美好的回忆！这里有古老的寺庙、热闹的节日（如陈庙开印节）和美丽的海滩。欢迎您常来做客，我们期待与您再次相见。「南定」意为南方安定之地，历史悠久，人杰地灵。"
      - p: { lang: ja, text: "ナムディン省へようこそ。私たちのふるさとで楽しい時間を過ごしてください。" }
      - p: { lang: ko, text: "남딘성에 오신 것을 진심으로 환영합니다." }
      - p: { lang: lo, text: "ແຂວງ\u200bນາມດິ່ງ ຍິນດີ\u200bຕ້ອນຮັບ\u200bທ່ານ ຂໍ\u200bໃຫ້\u200bທ່ານ\u200bມີ\u200bຄວາມສຸກ ແລະ ມີ\u200bຄວາມຊົງຈຳ\u200bທີ່\u200bດີ" }
      - p: { lang: km, text: "ខេត្ត\u200bណាមឌិញ សូម\u200bស្វាគមន៍\u200bលោក\u200bអ្នក។ សូម\u200bជូនពរ\u200bលោក\u200bអ្នក\u200bឱ្យ\u200bមាន\u200bសេចក្តី\u200bសុខ និង\u200bអនុស្សាវរីយ៍\u200bដ៏\u200bល្អ។" }
YAML

"$FOLIO" build pub.yaml -o out --profile screen >/dev/null
"$FOLIO" dump pub.yaml --edition vi >dump-vi.txt
pdf=out/lang-vi-screen.pdf
pdftotext -raw "$pdf" text-vi.txt
qpdf --qdf --object-streams=disable "$pdf" qdf-vi.pdf

python3 - <<'PY'
import re, sys, yaml
src = yaml.safe_load(open("pub.yaml"))
texts = [(b["p"]["lang"], b["p"]["text"]) for b in src["sections"][0]["blocks"]]
strip = lambda s: re.sub(r"[\s\u200b]", "", s)
got = strip(open("text-vi.txt", encoding="utf-8").read())
fail = []
for lang, t in texts:
    if strip(t) not in got:
        fail.append(f"round trip: the {lang} text does not come back")
# /Lang: catalog and spans
q = open("qdf-vi.pdf", "rb").read()
if not re.search(rb"/Lang \(vi\)", q):
    fail.append("catalog /Lang is not (vi)")
for lang, _ in texts:
    if not re.search(rb"/Span<</Lang\(" + lang.encode() + rb"\)>>BDC", q):
        fail.append(f"no /Span /Lang({lang})")
# CJK lines: from the dump, the runs of the zh paragraph by baseline
lines = {}
for l in open("dump-vi.txt", encoding="utf-8"):
    m = re.match(r'\s*glyphs (\S+) [\d.]+ x=([\d.]+) y=([\d.]+) w=([\d.]+) .* lang=zh gids=\S+ "(.*)"$', l)
    if m:
        lines.setdefault(float(m.group(3)), []).append((float(m.group(2)), float(m.group(4)), m.group(5)))
zl = [sorted(v) for k, v in sorted(lines.items())]
if len(zl) < 3:
    fail.append(f"the Chinese paragraph has {len(zl)} lines, expected at least 3")
for i, runs in enumerate(zl):
    first = runs[0][2][:1]
    if first in "。，、」）！？：；":
        fail.append(f"zh line {i+1} starts with {first!r}")
ends = [r[-1][0] + r[-1][1] for r in zl]
for i, e in enumerate(ends[:-1]):
    if abs(e - ends[0]) > 0.01:
        fail.append(f"zh line {i+1} ends at {e:.2f}, not {ends[0]:.2f} (not justified)")
if fail:
    print("\n".join("FAIL: " + f for f in fail)); sys.exit(1)
print(f"round trip: {len(texts)} languages; /Lang spans; {len(zl)} zh lines justified, none starts with a closing mark")
PY

# Glyph exactness: dump gids per font (Khmer, Lao) == codes in the PDF.
python3 - "$FOLIO" <<'PY'
import re, subprocess, sys, zlib
dump = open("dump-vi.txt", encoding="utf-8").read().splitlines()
# runs in another language than the edition's list their glyph ids
want = {}
for l in dump:
    m = re.match(r"\s*glyphs (\S+) .* gids=([\d,]+) ", l)
    if m and ("Khmer" in m.group(1) or "Lao" in m.group(1)):
        want.setdefault(m.group(1), []).extend(int(x) for x in m.group(2).split(","))
# what MuPDF draws: each glyph with its font and glyph id (mutool trace)
trace = subprocess.run(["mutool", "trace", "qdf-vi.pdf"], capture_output=True,
                       text=True, check=True).stdout
got, font = {}, None
for l in trace.splitlines():
    m = re.search(r'<span font="[A-Z]{6}\+([^"]+)"', l)
    if m:
        font = m.group(1); continue
    m = re.search(r'<g [^>]*glyph="(\d+)"', l)
    if m and font and ("Khmer" in font or "Lao" in font):
        got.setdefault(font, []).append(int(m.group(1)))
fail = []
if not want:
    fail.append("no Khmer or Lao glyphs in the dump")
for f, g in want.items():
    if got.get(f) != g:
        fail.append(f"{f}: display list {g[:12]}... != PDF {got.get(f, [])[:12]}...")
if fail:
    print("\n".join("FAIL: " + x for x in fail)); sys.exit(1)
print("glyph ids equal in display list and PDF: " + ", ".join(f"{f} {len(g)}" for f, g in want.items()))
PY

# Preview is print on that page, and MuPDF renders it without complaint.
DPI=150
"$FOLIO" preview pub.yaml -o png --edition vi --dpi "$DPI" >/dev/null
# The last page with text on it: the saddle-stitched booklet ends with
# blank pages that make up its count (docs/templates.md, Binding).
last_text_page() {
    "$FOLIO" dump pub.yaml --edition "$1" 2>/dev/null |
        awk '/^page /{p=$2} /^  glyphs /{t=p} END{print t}'
}
n=$(last_text_page vi)
page=$(printf 'png/lang-vi-%03d.png' "$n")
pdftocairo -png -r "$DPI" -f "$n" -l "$n" -singlefile "$pdf" ref
pixels=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); w,h=struct.unpack('>II', d[16:24]); print(w*h)" "$page")
"$PNGDIFF" "$page" ref.png --tolerance 64 --max-diff $((pixels / 2000)) ||
    { echo "FAIL: folio's PNG and pdftocairo differ on the language page"; exit 1; }
# (mupdf-tools 1.21 in Debian always warns that it was built without ICC)
mutool draw -q -o mu.png "$pdf" "$n" 2>&1 | grep -v "ICC support is not available" >mu.err || true
if [[ -s mu.err ]]; then echo "FAIL: mutool draw:"; cat mu.err; exit 1; fi

# A page of CJK text: size, and three renderers agree.
zpdf=out/lang-zh-screen.pdf
size=$(stat -c %s "$zpdf")
if ((size > 60000)); then echo "FAIL: the zh PDF is $size bytes (more than 60 KB)"; exit 1; fi
zn=$(last_text_page zh)
pdftocairo -png -r 100 -f "$zn" -l "$zn" -singlefile "$zpdf" z-poppler
mutool draw -q -r 100 -o z-mupdf.png "$zpdf" "$zn" 2>&1 | grep -v "ICC support is not available" >z.err || true
[[ -s z.err ]] && { echo "FAIL: mutool draw:"; cat z.err; exit 1; }
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=png16m -r100 -dTextAlphaBits=4 \
    -dGraphicsAlphaBits=4 -dFirstPage="$zn" -dLastPage="$zn" \
    -sOutputFile=z-gs.png "$zpdf"
zpx=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); w,h=struct.unpack('>II', d[16:24]); print(w*h)" z-poppler.png)
# Measured at 100 dpi (482,141 pixels): MuPDF 338 pixels differ from
# poppler by more than half, Ghostscript 3,789 (its own rasterizer and
# anti-aliasing, Latin lines as much as CJK ones). A glyph looked up by the
# wrong CID changes some 150 pixels, the ~130 CJK glyphs of the page about
# 20,000.
"$PNGDIFF" z-poppler.png z-mupdf.png --tolerance 128 --max-diff $((zpx / 500)) ||
    { echo "FAIL: poppler and MuPDF render the CJK page differently"; exit 1; }
"$PNGDIFF" z-poppler.png z-gs.png --tolerance 128 --max-diff $((zpx / 80)) ||
    { echo "FAIL: poppler and Ghostscript render the CJK page differently"; exit 1; }
echo "zh edition: $size bytes; poppler, MuPDF and Ghostscript agree on page $zn"

# The missing glyph: exact message, exit 1, no PDF.
cat >miss.yaml <<'YAML'
title: "Missing"
year: 2025
publisher: "P"
slug: miss
template: booklet
editions: [vi]
sections:
  - title: "Thiếu"
    blocks:
      - p: "Chữ tượng hình 𓀀 không có trong phông nào."
YAML
set +e
"$FOLIO" build miss.yaml -o miss-out 2>miss.err
rc=$?
set -e
want="miss.yaml:10:13: error: no font has the character U+13000 EGYPTIAN HIEROGLYPH A001, in the 'vi' edition (in '𓀀 ')"
if ((rc != 1)) || ! grep -qxF "$want" miss.err || ls miss-out/*.pdf >/dev/null 2>&1; then
    echo "FAIL: missing glyph: exit $rc, stderr:"; cat miss.err; echo "expected: $want"; exit 1
fi
echo "missing glyph: $want"
