#!/bin/bash
# `folio build -j N` gives what `-j 1` gives: the same PDFs byte for byte,
# the same output lines (each job's lines together, not interleaved) and
# the same diagnostics, each printed once. Covered: more editions than
# processes (jobs queue), as many processes as editions, and one edition
# whose profiles are split over the processes. An error in one edition
# exits 1 with that edition's message and writes no PDF, with -j as
# without (the parent commits the jobs' PDFs only when all succeeded); an
# error every edition reports (a broken image they share) is printed once.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
export SOURCE_DATE_EPOCH=1700000000
PUB="$SRC/examples/nam-dinh-booklet/publication.yaml" # vi, en, fr

# build NAME ARGS...: runs `folio build PUB -o NAME ARGS...` with stdout in
# NAME.out (the folder name taken out) and stderr in NAME.err; prints the
# exit code.
build() {
    local name=$1
    shift
    "$FOLIO" build "$PUB" -o "$name" "$@" >"$name.raw" 2>"$name.err"
    local rc=$?
    sed "s|^$name/||" "$name.raw" >"$name.out"
    echo $rc
}

# same REF NAME: NAME's PDFs, output lines and diagnostics are REF's.
same() {
    local ref=$1 name=$2 f
    [ "$(cd "$ref" && ls)" = "$(cd "$name" && ls)" ] ||
        fail "$name: other files than $ref: $(cd "$name" && ls | tr '\n' ' ')"
    for f in "$ref"/*.pdf; do
        cmp -s "$f" "$name/${f#"$ref"/}" || fail "$name: ${f#"$ref"/} differs"
    done
    diff <(sort "$ref.out") <(sort "$name.out") >/dev/null ||
        fail "$name: other output lines than $ref"
    diff <(sort "$ref.err") <(sort "$name.err") >/dev/null ||
        fail "$name: other diagnostics than $ref"
    [ -z "$(sort "$name.err" | uniq -d)" ] ||
        fail "$name: a diagnostic printed twice"
    # each edition's lines together: an edition's run of lines never
    # starts twice
    [ -z "$(sed 's/.*-\(vi\|en\|fr\)[-.].*/\1/' "$name.out" | uniq | sort |
        uniq -d)" ] || fail "$name: the editions' lines interleave"
}

[ "$(build j1 --profile all -j 1)" = 0 ] || fail "-j 1 exit $(cat j1.err)"
[ "$(wc -l <j1.out)" = 9 ] || fail "-j 1: $(wc -l <j1.out) lines, not 9"
for j in 2 3; do
    [ "$(build "j$j" --profile all -j $j)" = 0 ] || fail "-j $j exit"
    same j1 "j$j"
done
[ "$(build e1 --edition en --profile all)" = 0 ] || fail "--edition en exit"
[ "$(build e3 --edition en --profile all -j 3)" = 0 ] ||
    fail "--edition en -j 3 exit"
same e1 e3

# Errors. One edition's: exit 1 and its message; with -j or without, no file.
mkdir -p images
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >images/broken.png
cat >one.yaml <<'EOF'
title: { vi: "Sách", en: "Book" }
year: 2025
editions: [vi, en]
sections:
  - title: { vi: "Một", en: "One" }
    blocks:
      - p: { vi: "Đoạn văn.", en: "A paragraph 😀 here." }
EOF
sed '/- p:/d' one.yaml >both.yaml
echo '      - figure: { src: images/broken.png }' >>both.yaml
for pub in one both; do
    PUB="$WORK/$pub.yaml"
    [ "$(build "$pub-j1" --profile all -j 1)" = 1 ] || fail "$pub -j 1: exit"
    [ "$(build "$pub-j2" --profile all -j 2)" = 1 ] || fail "$pub -j 2: exit"
    diff "$pub-j1.err" "$pub-j2.err" ||
        fail "$pub: -j 2 diagnostics differ from -j 1's"
    [ "$(wc -l <"$pub-j2.err")" = 1 ] ||
        fail "$pub -j 2: $(wc -l <"$pub-j2.err") diagnostics, not 1"
    # a build writes all of its PDFs or none, with one process or two:
    # vi is written first (-j 1), or by a job that succeeds (-j 2), then
    # en fails, and nothing is left behind, not even a temporary file,
    # and no PDF is announced
    for j in j1 j2; do
        [ -d "$pub-$j" ] && [ -z "$(ls -A "$pub-$j")" ] ||
            fail "$pub -$j: files left: $(ls -A "$pub-$j" | tr '\n' ' ')"
        [ ! -s "$pub-$j.out" ] || fail "$pub -$j: printed $(cat "$pub-$j.out")"
    done
done
grep -q "U+1F600 .* in the 'en' edition" one-j2.err || fail "one: message"
grep -q "cannot use the image 'images/broken.png'" both-j2.err ||
    fail "both: message"
echo ok
