#!/usr/bin/env bash
# `folio watch` as an editor's tools use it: it prints the proof sheet's
# path at start; `sed -i` (which writes sedXXXXXX and renames it over the
# file) is one change of the file, and its temporary file is not named;
# files of no kind folio reads (x.tmp, 4913, x~, notes.txt) start no
# rebuild; a warning is printed once, and on a rebuild where it is the
# same it is counted ("1 warning as before"), not repeated.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
command -v convert >/dev/null || { echo "skip: ImageMagick convert not installed"; exit 77; }
fresh_work
mkdir pub
convert -size 60x40 xc:'#336699' pub/small.png || fail "convert"
cat >pub/publication.yaml <<'YAML'
title: { en: "Watch" }
slug: w
editions: [en]
sections:
  - title: { en: "One" }
    blocks:
      - p: { en: "A paragraph, a line or two." }
      - figure: { src: small.png }
YAML
"$FOLIO" watch pub -o out --dpi 20 >watch.log 2>watch.err &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
wait_for() { # PATTERN [FILE]
    for _ in $(seq 1 480); do
        grep -q "$1" "${2:-watch.log}" && return 0
        kill -0 $pid 2>/dev/null || fail "folio watch died: $(cat watch.log watch.err)"
        sleep 0.25
    done
    fail "timed out waiting for '$1': $(cat watch.log watch.err)"
}
wait_for '^build 1: '
wait_for '^watching '
grep -qx "proof sheet: $WORK/out/proof.html (open it once: it reloads itself)" watch.log ||
    fail "no proof sheet path at start: $(cat watch.log)"
[ "$(grep -c ': warning: ' watch.err)" = 1 ] || fail "build 1 warnings: $(cat watch.err)"

sed -i 's/a line or two/two lines or three/' pub/publication.yaml
wait_for '^build 2: '
grep -q '^changed: .*sed' watch.log && fail "the sed temporary file was named: $(grep changed watch.log)"
grep -qx "changed: $WORK/pub/publication.yaml" watch.log || fail "changed line: $(grep changed watch.log)"
[ "$(grep -c ': warning: ' watch.err)" = 1 ] || fail "the warning was repeated: $(cat watch.err)"
grep -qx 'folio: 1 warning as before (listed on the proof sheet)' watch.err ||
    fail "no 'as before' line: $(cat watch.err)"

wait_for '^watching ' # the loop is back in its wait
touch pub/x.tmp pub/4913 pub/publication.yaml~ pub/notes.txt pub/sedAb12Cd
sleep 1.5
grep -q '^build 3: ' watch.log && fail "temporary files started a rebuild: $(grep changed watch.log)"
kill -INT $pid
wait $pid
rc=$?
trap - EXIT
[ "$rc" = 0 ] || fail "watch exited $rc after SIGINT"
echo "watch_habits: temporary files ignored, warnings once, proof path at start"
