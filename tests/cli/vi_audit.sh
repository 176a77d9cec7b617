#!/usr/bin/env bash
# The Vietnamese text audit of `folio check` (model/vi_audit.c,
# docs/content.md "Vietnamese text audit"):
#  - a publication written with tone marks placed both ways (hòa/hoà,
#    thủy/thuỷ, khỏe/khoẻ, ủy) gets one warning per word of the style
#    fewer words use, listing both forms and where each occurs, and with
#    vi_tone_style the other style's words are the ones reported;
#  - a decomposed (NFD) word is reported at its line and column, and so is
#    the mix of decomposed and composed marks;
#  - a Cyrillic а inside a Latin word is reported, a Russian word is not;
#  - texts of other editions (en:) and blocks marked `lang: en` are not
#    audited;
#  - the examples, which place every mark the old way, give no finding,
#    and the report (valid against docs/report.schema.json) lists the
#    findings with their rules.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work

python3 - <<'PY' || fail "cannot write the fixture"
import unicodedata
nfd = unicodedata.normalize("NFD", "Hòa")
open("t.yaml", "w", encoding="utf-8").write(f"""\
title: {{ vi: "Hoà bình", en: "Peace" }}
slug: t
year: 2025
editions: [vi, en]
sections:
  - title: {{ vi: "Thủy lợi", en: "Water" }}
    blocks:
      - p: {{ vi: "Hòa bình và thuỷ sản, khỏe mạnh. Nаm Định, Москва", en: "Hòa, thuỷ" }}
      - p:
          vi: >
            Sức khoẻ và hoà thuận, Ủy ban thuỷ sản.
          en: "x"
      - p: {{ vi: "Thuỷ, và {nfd}", en: "x" }}
      - p: {{ lang: en, text: "hoà hoà hoà hoà" }}
""")
PY

"$FOLIO" check t.yaml >out.txt 2>err.txt || fail "check failed: $(cat err.txt)"
grep -v "ppi" err.txt >got.txt
cat >want.txt <<'EOF2'
t.yaml:8:53: warning: 'а' (U+0430, Cyrillic) inside the word 'Nаm', whose other letters are Latin: a look-alike typed by mistake? (edition vi)
t.yaml:13:30: warning: this text is not in Unicode NFC (composed) form: folio composes it when it reads it, but search and spell checkers see it as typed; save the file as NFC (edition vi)
t.yaml:13:30: warning: tone marks written both ways: 1 as a letter and a combining mark (the first here), 22 as one composed letter (the first at t.yaml:1:17) (edition vi)
t.yaml:6:19: warning: 'thủy' (old style) at t.yaml:6:19; 'thuỷ' (new style) at t.yaml:8:31, t.yaml:11:43, t.yaml:13:19: tone marks placed both ways (5 words old, 6 new); choose one with vi_tone_style: old|new (edition vi)
t.yaml:8:19: warning: 'hòa' (old style) at t.yaml:8:19, t.yaml:13:28; 'hoà' (new style) at t.yaml:1:15, t.yaml:11:25: tone marks placed both ways (5 words old, 6 new); choose one with vi_tone_style: old|new (edition vi)
t.yaml:8:41: warning: 'khỏe' (old style) at t.yaml:8:41; 'khoẻ' (new style) at t.yaml:11:17: tone marks placed both ways (5 words old, 6 new); choose one with vi_tone_style: old|new (edition vi)
t.yaml:11:36: warning: 'ủy' (old style) at t.yaml:11:36; 'uỷ' (new style) nowhere: tone marks placed both ways (5 words old, 6 new); choose one with vi_tone_style: old|new (edition vi)
EOF2
diff want.txt got.txt || fail "the audit's findings differ (above)"

# vi_tone_style: old reports the new-style words instead
sed -i 's/^year: 2025$/year: 2025\nvi_tone_style: old/' t.yaml
"$FOLIO" check t.yaml --report r.json >out.txt 2>err.txt || fail "check failed: $(cat err.txt)"
grep "style" err.txt >got.txt
cat >want.txt <<'EOF2'
t.yaml:1:15: warning: 'hoà' (new style) at t.yaml:1:15, t.yaml:12:25; 'hòa' (old style) at t.yaml:9:19, t.yaml:14:28: vi_tone_style is old (edition vi)
t.yaml:9:31: warning: 'thuỷ' (new style) at t.yaml:9:31, t.yaml:12:43, t.yaml:14:19; 'thủy' (old style) at t.yaml:7:19: vi_tone_style is old (edition vi)
t.yaml:12:17: warning: 'khoẻ' (new style) at t.yaml:12:17; 'khỏe' (old style) at t.yaml:9:41: vi_tone_style is old (edition vi)
EOF2
diff want.txt got.txt || fail "with vi_tone_style: old (above)"
python3 - "$SRC/docs/report.schema.json" <<'PY' || fail "the report's findings"
import json, sys
import jsonschema
r = json.load(open("r.json", encoding="utf-8"))
jsonschema.Draft202012Validator(json.load(open(sys.argv[1], encoding="utf-8"))).validate(r)
rules = sorted(f["rule"] for f in r["findings"] if (f["rule"] or "").startswith("vi-"))
want = ["vi-lookalike", "vi-marks", "vi-nfc", "vi-tone", "vi-tone", "vi-tone"]
assert rules == want, rules
PY

# the examples: consistent (old style throughout), composed, no look-alikes
for e in nam-dinh nam-dinh-booklet nam-dinh-brochure; do
    "$FOLIO" check "$SRC/examples/$e/publication.yaml" >out.txt 2>err.txt ||
        fail "check $e: $(cat err.txt)"
    if grep -E "style\)|NFC|look-alike|both ways" err.txt >found.txt; then
        fail "$e: $(cat found.txt)"
    fi
done
echo ok
