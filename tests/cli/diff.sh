#!/usr/bin/env bash
# `folio diff` (cli/diff.c, docs/diff.md) pairs pages by content:
#  1. the yearbook with one paragraph of section 3 lengthened (vi: enough
#     to push every later page down one; en: three words replaced): the
#     layout differs on every page from there on, yet the diff reports
#     exactly the paragraph's page as changed, with the edited words, and
#     no other change; diff.html marks the words and shows both pages;
#  2. an image file swapped: an image change on its page, nothing else;
#  3. --rev A..B on a throwaway git repository: the edit of the last
#     commit, and the exported trees are gone afterwards.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
command -v git >/dev/null || { echo "skip: git not installed"; exit 77; }

summary() { # diff.json -> one line per edition, one per change
    python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for e in d["editions"]:
    print(e["edition"], e["old_pages"], e["new_pages"], "changed", e["pages_changed"],
          "added", e["pages_added"], "removed", e["pages_removed"],
          "sections", [(s["section"], s["words_changed"]) for s in e["sections"]])
    for c in e["changes"]:
        print(" ", c["kind"], c["section"], c["file"].split("/")[-1], c["line"],
              c["old_pages"], c["new_pages"], "-", " ".join(c["deleted"]),
              "+", " ".join(c["inserted"][:6]), len(c["inserted"]))
PY
}

# 1. an edit that reflows the rest
cp -r "$SRC/examples/nam-dinh" old && cp -r old new || exit 1
python3 - <<'PY' || fail "cannot edit the fixture"
p = "new/sections/03-festivals-heritage.yaml"
L = open(p, encoding="utf-8").read().split("\n")
assert "công việc hanh thông." in L[13] and "make their way to" in L[16]
L[13] += (" Người dân tin rằng lá ấn mang lại may mắn cho cả năm, vì vậy nhiều"
          " gia đình đi từ rất sớm, mang theo lễ vật, hương hoa và chờ đợi suốt"
          " đêm trong sân đền.") * 25
L[16] = L[16].replace("make their way to", "travel from every province to")
open(p, "w", encoding="utf-8").write("\n".join(L))
PY
"$FOLIO" diff old new -o out --json >d.json 2>err.txt || fail "diff: $(cat err.txt)"
cmp -s d.json out/diff.json || fail "--json printed other data than diff.json"
summary d.json >got.txt || fail "diff.json does not read"
cat >want.txt <<'TXT'
vi 26 27 changed [10] added [] removed [] sections [(4, 900)]
  text 4 03-festivals-heritage.yaml 4 [10] [10] -  + Người dân tin rằng lá ấn 900
en 26 26 changed [10] added [] removed [] sections [(4, 7)]
  text 4 03-festivals-heritage.yaml 4 [10] [10] - make their way + travel from every province 4
TXT
diff want.txt got.txt || fail "the reflowed edit (above)"
# the edit did move every later page of vi: their display lists differ
"$FOLIO" dump old/publication.yaml --edition vi >o.txt || fail "dump old"
"$FOLIO" dump new/publication.yaml --edition vi >n.txt || fail "dump new"
moved=$(python3 - <<'PY'
def pages(f):
    P = []
    for l in open(f, encoding="utf-8"):
        if l.startswith("page"):
            P.append([])
        elif P:
            P[-1].append(l)
    return P
o, n = pages("o.txt"), pages("n.txt")
print(sum(1 for i in range(10, 26) if o[i] != n[i]))
PY
)
[ "$moved" -ge 15 ] || fail "the fixture does not reflow the later pages ($moved moved)"
grep -q "<ins>Người</ins>" out/diff.html || fail "diff.html does not mark the inserted words"
grep -q "<del>make</del>" out/diff.html || fail "diff.html does not mark the deleted words"
for f in old-vi-010.png new-vi-010.png old-en-010.png new-en-010.png; do
    [ -s "out/$f" ] && grep -q "src=\"$f\"" out/diff.html || fail "no $f in diff.html"
done
[ "$(ls out | wc -l)" -eq 6 ] || fail "other pages drawn: $(ls out)"

# 2. an image swapped (the booklet: quicker)
cp -r "$SRC/examples/nam-dinh-booklet" b-old && cp -r b-old b-new || exit 1
cp b-old/images/lanterns.jpg b-new/images/rice-fields.jpg || exit 1
"$FOLIO" diff b-old b-new -o out2 >out.txt 2>err.txt || fail "diff: $(cat err.txt)"
summary out2/diff.json >got.txt
cat >want.txt <<'TXT'
vi 8 8 changed [7] added [] removed [] sections []
  image 6 publication.yaml 256 [7] [7] -  +  0
en 8 8 changed [7] added [] removed [] sections []
  image 6 publication.yaml 256 [7] [7] -  +  0
fr 8 8 changed [7] added [] removed [] sections []
  image 6 publication.yaml 256 [7] [7] -  +  0
TXT
diff want.txt got.txt || fail "the image swap (above)"
grep -q "class=box" out2/diff.html || fail "the changed image is not outlined"

# 3. --rev on a throwaway repository
mkdir repo && cp -r b-old/. repo/ && cd repo || exit 1
git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm one || fail "git"
sed -i 's/Spring is the loveliest season/Autumn is the loveliest season/' publication.yaml
git -c user.name=t -c user.email=t@t commit -qam two || fail "git"
cd .. || exit 1
"$FOLIO" diff repo/publication.yaml --rev HEAD~1..HEAD -o out3 --json >d3.json 2>err.txt ||
    fail "diff --rev: $(cat err.txt)"
summary d3.json >got.txt
grep -c "^  " got.txt >n.txt
[ "$(cat n.txt)" = 1 ] || fail "--rev: not exactly one change: $(cat got.txt)"
grep -q "^  text 1 publication.yaml 18 \[3\] \[3\] - Spring + Autumn 1$" got.txt ||
    fail "--rev: $(cat got.txt)"
[ ! -e out3/.rev-old ] && [ ! -e out3/.rev-new ] || fail "--rev left its trees"
"$FOLIO" diff repo/publication.yaml --rev nosuch..HEAD -o out4 >out.txt 2>err.txt &&
    fail "a missing revision was accepted"
grep -q "cannot export revision 'nosuch'" err.txt || fail "$(cat err.txt)"
echo ok
