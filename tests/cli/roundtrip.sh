#!/usr/bin/env bash
# Round trip of text through the PDF: every Vietnamese vowel with every tone
# (both cases), đ/Đ, and English words with ligatures come back out of
# pdftotext exactly, in NFC; the same publication written in NFD gives the
# same text; poppler prints no warning; qpdf finds nothing; every font is
# embedded and subset.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK/nfd"
pub="$SRC/tests/roundtrip/publication.yaml"

"$FOLIO" build "$pub" -o "$WORK/nfc" >/dev/null
python3 - "$pub" "$WORK/nfd/publication.yaml" <<'PY'
import sys, unicodedata
src = open(sys.argv[1], encoding="utf-8").read()
nfd = unicodedata.normalize("NFD", src)
assert nfd != src
open(sys.argv[2], "w", encoding="utf-8").write(nfd)
PY
"$FOLIO" build "$WORK/nfd/publication.yaml" -o "$WORK/nfd-out" >/dev/null

for pdf in "$WORK/nfc/roundtrip-vi.pdf" "$WORK/nfd-out/roundtrip-vi.pdf"; do
    pdftotext -enc UTF-8 "$pdf" "$pdf.txt" 2>"$pdf.err"
    if [ -s "$pdf.err" ]; then
        echo "FAIL: poppler warned on $pdf:"; cat "$pdf.err"; exit 1
    fi
    qpdf --check "$pdf" >"$pdf.qpdf" 2>&1 || { cat "$pdf.qpdf"; exit 1; }
    if grep -qi "warning" "$pdf.qpdf"; then
        echo "FAIL: qpdf warned on $pdf"; cat "$pdf.qpdf"; exit 1
    fi
    # pdffonts: every font embedded (emb), subset (sub) and with a ToUnicode (uni).
    pdffonts "$pdf" | awk 'NR > 2 { if ($(NF-4) != "yes" || $(NF-3) != "yes" || $(NF-2) != "yes") { print "FAIL: font not emb/sub/uni: " $0; bad = 1 } } END { exit bad }'
    if pdffonts "$pdf" | tail -n +3 | grep -Ev '^[A-Z]{6}\+'; then
        echo "FAIL: a font name without a subset tag (above)"; exit 1
    fi
done

python3 - "$pub" "$WORK/nfc/roundtrip-vi.pdf.txt" "$WORK/nfd-out/roundtrip-vi.pdf.txt" <<'PY'
import sys, re, unicodedata, collections
src = open(sys.argv[1], encoding="utf-8").read()
want = []
for line in src.splitlines():
    m = re.match(r'\s*-?\s*(p|title): "(.*)"$', line)
    if m:
        want += m.group(2).split()
want = collections.Counter(want)
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    if not unicodedata.is_normalized("NFC", text):
        sys.exit(f"FAIL: {path} is not NFC")
    got = collections.Counter(text.split())
    missing = want - got
    if missing:
        sys.exit(f"FAIL: {path}: words not extracted: {sorted(missing)}\n--- got:\n{text}")
print("roundtrip ok:", sum(want.values()), "words in NFC and NFD input")
PY
