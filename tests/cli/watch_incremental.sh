#!/usr/bin/env bash
# `folio watch` keeps what did not change between its builds (the page
# PNGs whose page hash is the same, and whatever else a build reuses):
# after each of a run of scripted edits (a paragraph, an image swapped
# under the same name, a style of the publication, its own template, a
# section added, then removed), what watch leaves in its folder is
# byte-identical to what a cold run writes from the same content: the PDF
# to `folio build`'s, every page PNG and thumbnail to
# `folio preview --profile print`'s (the soft proof watch draws), and no
# PNG of a page that no longer exists is left behind. A small split
# publication at 20 dpi, so each build takes a fraction of a second; the
# cold runs share watch's image cache, which gives the same bytes as none
# (tests/cli/cache.sh), so that they do not convert every image again.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
export FOLIO_CACHE=$WORK/cache
img=$SRC/examples/nam-dinh/images
mkdir -p pub/images pub/look
cp "$img/beach.jpg" pub/images/a.jpg
cp "$img/distances.png" pub/images/b.png
cp "$SRC/templates/yearbook/template.yaml" pub/look/template.yaml
cat >pub/publication.yaml <<'YAML'
title: { en: "Incremental" }
slug: inc
year: 2025
template: ./look
styles: { body: { size: 10 } }
editions: [en]
sections:
  - include: s1.yaml
  - include: s2.yaml
  - include: s3.yaml
YAML
para() { # para WORDS: a paragraph of about WORDS words
    python3 -c 'import sys; w="quartz river lantern harbour rice field temple market".split(); print(" ".join(w[i % len(w)] for i in range(int(sys.argv[1]))).capitalize() + ".")' "$1"
}
section() { # section FILE TITLE IMAGE
    {
        echo "title: { en: \"$2\" }"
        echo "blocks:"
        echo "  - p: { en: \"$(para 120)\" }"
        echo "  - figure: { src: \"$3\", caption: { en: \"A picture.\" } }"
        echo "  - p: { en: \"$(para 200)\" }"
    } >"pub/$1"
}
section s1.yaml "One" images/a.jpg
section s2.yaml "Two" images/b.png
section s3.yaml "Three" images/a.jpg
section s4.yaml "Four" images/b.png

"$FOLIO" watch pub/publication.yaml -o out --dpi 20 >watch.log 2>watch.err &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' EXIT

builds=1
wait_build() { # wait_build: until watch has ended build number $builds
    for _ in $(seq 1 600); do
        grep -q "^build $builds: " watch.log && return 0
        kill -0 $pid 2>/dev/null || { cat watch.log watch.err; fail "folio watch died"; }
        sleep 0.1
    done
    cat watch.log watch.err
    fail "timed out waiting for build $builds"
}

# same STEP: watch's output after its last build against a cold build and
# preview of the same content.
same() {
    grep -q "^build $builds: failed" watch.log && { cat watch.err; fail "$1: watch's build failed"; }
    rm -rf cold prev
    "$FOLIO" build pub/publication.yaml -o cold >cold.log 2>&1 ||
        { cat cold.log; fail "$1: the cold build failed"; }
    "$FOLIO" preview pub/publication.yaml -o prev --profile print --dpi 20 \
        >prev.log 2>&1 || { cat prev.log; fail "$1: the cold preview failed"; }
    cmp -s cold/inc-en.pdf out/inc-en.pdf ||
        fail "$1: watch's PDF differs from a cold build's"
    (cd prev && find . -name '*.png' | LC_ALL=C sort) >want.txt
    (cd out && find . -name '*.png' | LC_ALL=C sort) >got.txt
    diff want.txt got.txt >/dev/null ||
        fail "$1: watch's PNGs are not the cold preview's: $(diff want.txt got.txt | tr '\n' ' ')"
    [ -s want.txt ] || fail "$1: the cold preview wrote no PNG"
    while read -r f; do
        cmp -s "prev/$f" "out/$f" || fail "$1: $f differs from the cold preview's"
    done <want.txt
    echo "$1: PDF and $(wc -l <want.txt) PNGs as a cold build's ($(grep "^build $builds: " watch.log))"
}

# edit STEP COMMAND...: runs the edit, waits for the build it sets off,
# compares.
edit() {
    local step=$1
    shift
    "$@"
    builds=$((builds + 1))
    wait_build
    same "$step"
}

wait_build
same "first build"
sed_i() { sed -i "$1" "$2"; }
edit "text" sed_i 's/^  - p: { en: "Quartz/  - p: { en: "Zebrafish, quartz/' pub/s2.yaml
edit "image swap" cp "$img/temple-dusk.jpg" pub/images/a.jpg # same size
edit "style" sed_i 's/size: 10 }/size: 11 }/' pub/publication.yaml
edit "template" sed_i 's/^gutter: 6$/gutter: 12/' pub/look/template.yaml
edit "section added" sed_i 's/^  - include: s2.yaml$/  - include: s2.yaml\n  - include: s4.yaml/' pub/publication.yaml
edit "section removed" sed_i '/^  - include: s4.yaml$/d' pub/publication.yaml

kill -INT $pid
trap - EXIT
rc=0
wait $pid || rc=$?
[ "$rc" = 0 ] || fail "folio watch exited with $rc after SIGINT"
