#!/usr/bin/env bash
# `folio editions` (cli/editions.c, docs/editions.md): a fixture with one
# untranslated paragraph, one figure with neither alt nor caption and one
# English paragraph over twice as long as its Vietnamese source gets
# exactly those three findings at their lines, and nothing for the
# translated paragraph, the shared name or the matching links; a link
# whose target differs, and an alt text given, change exactly that; the
# examples, whose texts set the default bands, give no length finding.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
cp "$SRC/examples/nam-dinh-booklet/images/lanterns.jpg" . || exit 1
cat >e.yaml <<'YAML'
title: { vi: "Sách", en: "Book" }
slug: e
editions: [vi, en]
sections:
  - title: { vi: "Một", en: "One" }
    blocks:
      - p:
          vi: "Tỉnh Nam Định nằm ở phía nam đồng bằng sông Hồng, cách Hà Nội khoảng chín mươi cây số."
          en: "Nam Định province lies in the south of the Red River Delta, about ninety kilometres from Hà Nội."
      - p:
          vi: "Mùa xuân là mùa lễ hội: người dân đi chợ Viềng và dự lễ Khai Ấn ở Đền Trần."
          en: "Mùa xuân là mùa lễ hội: người dân đi chợ Viềng và dự lễ Khai Ấn ở Đền Trần."
      - figure:
          src: lanterns.jpg
          credit: "Folio"
      - p:
          vi: "Làng nghề truyền thống vẫn giữ được nhiều sản phẩm thủ công tinh xảo."
          en: "The traditional craft villages still keep many fine handmade products, passed down from generation to generation by families who have worked the same trades for centuries."
      - h3: "Nam Định"
      - p:
          vi: "Xem [trang của tỉnh](https://namdinh.gov.vn) để biết thêm chi tiết."
          en: "See [the province's site](https://namdinh.gov.vn) for more details."
YAML
"$FOLIO" editions e.yaml -o out --json >e.json 2>err.txt || fail "editions: $(cat err.txt)"
cat >want.txt <<'TXT'
e.yaml:12:16: warning: this text is the same as in edition vi: not translated? (edition en)
e.yaml:14:16: warning: this figure has neither alt text nor a caption: a reader who cannot see it learns nothing of it
e.yaml:18:16: warning: 171 characters, 2.48 times the 69 of edition vi: outside 0.68 to 1.90 for vi to en (edition en)
TXT
diff want.txt err.txt || fail "the findings (above)"
cmp -s e.json out/editions.json || fail "--json printed other data than editions.json"
python3 - <<'PY' || fail "editions.json"
import json
d = json.load(open("e.json", encoding="utf-8"))
assert d["editions"] == ["vi", "en"], d["editions"]
assert [f["rule"] for f in d["findings"]] == [
    "edition-untranslated", "edition-figure", "edition-length"], d["findings"]
b = d["blocks"][3]
assert (b["line"], b["lengths"], b["ratios"]) == (16, {"vi": 69, "en": 171}, {"en": 2.48}), b
assert d["sections"] == [{"section": 1, "pages": {"vi": 1, "en": 1}}], d["sections"]
PY
grep -q "class=out>171 (2.48)" out/editions.html || fail "editions.html does not mark the long block"

# an alt text given, a link's target changed: the figure finding goes,
# a link finding comes, at the English text
sed -i 's|          credit: "Folio"|          alt: { vi: "Đèn lồng", en: "Lanterns" }|; s|See \[the province.s site\](https://namdinh.gov.vn)|See [the site](https://example.org)|' e.yaml
"$FOLIO" editions e.yaml -o out >out.txt 2>err.txt || fail "editions: $(cat err.txt)"
grep -c "warning" err.txt >n.txt
[ "$(cat n.txt)" = 3 ] || fail "after the edit: $(cat err.txt)"
grep -q "^e.yaml:22:16: warning: the links go to 'https://example.org' here, to 'https://namdinh.gov.vn' in edition vi (edition en)$" err.txt ||
    fail "no link finding: $(cat err.txt)"
grep -q "neither alt" err.txt && fail "the alt text was not read"

# the examples: inside their own bands
for e in nam-dinh nam-dinh-booklet nam-dinh-brochure; do
    "$FOLIO" editions "$SRC/examples/$e/publication.yaml" -o "ex-$e" >out.txt 2>err.txt ||
        fail "editions $e: $(cat err.txt)"
    if grep -E "times the|not translated|links go" err.txt >found.txt; then
        fail "$e: $(cat found.txt)"
    fi
done
echo ok
