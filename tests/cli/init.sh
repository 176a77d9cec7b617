#!/usr/bin/env bash
# `folio init`: for every template installed, a new publication that
# builds at once, without a warning (check) and with every edition's PDF
# holding its placeholder text; init never overwrites (a second run in the
# same folder writes nothing and exits 1); a template that is not installed
# is a usage error that lists the installed ones, taken from templates/
# (the list is compared with the folders there, not with a fixed text);
# --editions is checked as the publication's editions are.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
installed=$(cd "$SRC/templates" && for t in */template.yaml; do printf '%s\n' "${t%/template.yaml}"; done | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g')
[ -n "$installed" ] || fail "no template in $SRC/templates"
for t in ${installed//,/}; do
    "$FOLIO" init "$t" --template "$t" --editions vi,en >"init-$t.out" 2>"init-$t.err" ||
        fail "init --template $t: exit $? $(cat "init-$t.err")"
    [ ! -s "init-$t.err" ] || fail "init --template $t printed: $(cat "init-$t.err")"
    for f in publication.yaml README.md images/cover.png images/figure.png; do
        [ -s "$t/$f" ] || fail "init --template $t wrote no $f"
    done
    ls "$t"/sections/*.yaml >/dev/null || fail "init --template $t: no section file"
    "$FOLIO" check "$t" >"check-$t.out" 2>"check-$t.err" ||
        fail "check of the new $t: exit $? $(cat "check-$t.err")"
    [ ! -s "check-$t.err" ] || fail "check of the new $t warns: $(cat "check-$t.err")"
    "$FOLIO" build "$t" -o "out-$t" --strict >"build-$t.out" 2>"build-$t.err" ||
        fail "build --strict of the new $t: exit $? $(cat "build-$t.err")"
    pdftotext "out-$t/$t-vi.pdf" "vi-$t.txt" && pdftotext "out-$t/$t-en.pdf" "en-$t.txt" ||
        fail "no PDFs from the new $t"
    grep -q "Đây là đoạn văn mẫu" "vi-$t.txt" || fail "$t: the Vietnamese sample text is not in the vi PDF"
    grep -q "This is a sample paragraph" "en-$t.txt" || fail "$t: the English sample text is not in the en PDF"
done

# the current folder by default; an edition in a third language
mkdir here && (cd here && "$FOLIO" init --template booklet --editions en,fr >../here.out 2>&1) ||
    fail "init in the current folder: $(cat here.out)"
"$FOLIO" build here/publication.yaml -o out-here >build-here.out 2>&1 || fail "build of here: $(cat build-here.out)"
[ -s out-here/here-fr.pdf ] || fail "no fr edition: $(cat build-here.out)"

# never overwrites: the edited file stays, and nothing is written
echo "# edited" >>booklet/publication.yaml
rm booklet/README.md
before=$(md5sum booklet/publication.yaml)
"$FOLIO" init booklet --template booklet >again.out 2>again.err
rc=$?
[ "$rc" = 1 ] || fail "init over an existing publication: exit $rc, not 1"
[ "$(md5sum booklet/publication.yaml)" = "$before" ] || fail "init overwrote publication.yaml"
[ ! -e booklet/README.md ] || fail "init wrote README.md although other files exist"
grep -qx "folio: init: booklet/publication.yaml exists" again.err || fail "no 'exists' line: $(cat again.err)"
grep -qx "folio: init: nothing written: init never overwrites a file" again.err || fail "no 'nothing written': $(cat again.err)"

# a template that is not installed: the installed ones, from templates/
"$FOLIO" init fs --template leaflet >fs.out 2>fs.err
rc=$?
[ "$rc" = 2 ] || fail "--template leaflet: exit $rc, not 2"
[ "$(cat fs.err)" = "folio: init: no template 'leaflet'; the templates: $installed" ] ||
    fail "--template leaflet said: $(cat fs.err)"
[ ! -e fs ] || fail "--template leaflet wrote fs/"
"$FOLIO" init fs --template bookelt >fs2.out 2>fs2.err
[ "$(cat fs2.err)" = "folio: init: no template 'bookelt'; did you mean 'booklet'? (the templates: $installed)" ] ||
    fail "--template bookelt said: $(cat fs2.err)"

# editions are language tags, without repeats
"$FOLIO" init bad --editions vi,EN >bad.out 2>bad.err
[ $? = 2 ] && [ "$(cat bad.err)" = "folio: init: 'EN' is not a language tag (vi, en, zh-Hant)" ] ||
    fail "--editions vi,EN said: $(cat bad.err)"
"$FOLIO" init bad --editions vi,vi >bad.out 2>bad.err
[ $? = 2 ] && [ "$(cat bad.err)" = "folio: init: --editions names 'vi' twice" ] ||
    fail "--editions vi,vi said: $(cat bad.err)"
[ ! -e bad ] || fail "a bad --editions wrote bad/"
echo "init: every template builds; no overwrite; errors as expected"
