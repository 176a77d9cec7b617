#!/usr/bin/env bash
# Help and mistakes on the command line. `folio help`, `folio help CMD`,
# `folio CMD --help` and `folio CMD -h` print the same text on stdout,
# nothing on stderr, and exit 0; each command's text is compared whole
# with tests/cli/help/<cmd>.txt (FO_UPDATE_GOLDEN=1 rewrites them: review
# the diff). A mistyped command or option gets the nearest real one, an
# option of another command names the commands that take it (exact
# texts, exit 2). The publication may be named by its folder.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
golden=$SRC/tests/cli/help

# same: the command's output is stdout $1, exit 0, no stderr
run_ok() { # NAME ARGS...: stdout into NAME.out, stderr into NAME.err
    local name=$1
    shift
    "$FOLIO" "$@" >"$name.out" 2>"$name.err"
    local rc=$?
    [ "$rc" = 0 ] || fail "folio $*: exit $rc, not 0: $(cat "$name.err")"
    [ ! -s "$name.err" ] || fail "folio $*: printed on stderr: $(cat "$name.err")"
}

run_ok overview help
run_ok overview2 --help
cmp -s overview.out overview2.out || fail "'folio help' and 'folio --help' differ"
if [ -n "${FO_UPDATE_GOLDEN:-}" ]; then
    cp overview.out "$golden/overview.txt"
fi
diff -u "$golden/overview.txt" overview.out || fail "folio help differs from tests/cli/help/overview.txt"

# every command 'folio help' lists
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' overview.out)
[ -n "$cmds" ] || fail "no commands in 'folio help'"
for c in $cmds; do
    run_ok "help-$c" help "$c"
    if [ -n "${FO_UPDATE_GOLDEN:-}" ]; then
        cp "help-$c.out" "$golden/$c.txt"
    fi
    [ -f "$golden/$c.txt" ] || fail "no tests/cli/help/$c.txt for the command $c"
    diff -u "$golden/$c.txt" "help-$c.out" || fail "folio help $c differs from tests/cli/help/$c.txt"
    [ "$c" = help ] && continue
    run_ok "long-$c" "$c" --help
    run_ok "short-$c" "$c" -h
    cmp -s "help-$c.out" "long-$c.out" || fail "folio $c --help differs from folio help $c"
    cmp -s "help-$c.out" "short-$c.out" || fail "folio $c -h differs from folio help $c"
done
# --help wins over a missing publication and other options
run_ok late build --edition en --help
cmp -s help-build.out late.out || fail "folio build --edition en --help is not build's help"

# mistakes: exact texts, exit 2
mistake() { # EXPECTED-STDERR ARGS...
    local want=$1
    shift
    "$FOLIO" "$@" >m.out 2>m.err
    local rc=$?
    [ "$rc" = 2 ] || fail "folio $*: exit $rc, not 2"
    [ "$(cat m.err)" = "$want" ] || fail "folio $*: stderr
$(cat m.err)
wanted
$want"
    [ ! -s m.out ] || fail "folio $*: printed on stdout"
}
mistake "folio: unknown command 'biuld'; did you mean 'build'?
folio: 'folio help' lists the commands" biuld x.yaml
mistake "folio: unknown command 'chekc'; did you mean 'check'?
folio: 'folio help' lists the commands" chekc
mistake "folio: unknown command 'publish'
folio: 'folio help' lists the commands" publish
mistake "folio: unknown command 'previwe'; did you mean 'preview'?
folio: 'folio help' lists the commands" help previwe
mistake "folio: build: unknown option '--strcit'; did you mean '--strict'?
folio: 'folio build --help' lists its options" build x.yaml --strcit
mistake "folio: preview: unknown option '--dip'; did you mean '--dpi'?
folio: 'folio preview --help' lists its options" preview x.yaml --dip 20
mistake "folio: check: unknown option '--dpi' (an option of preview, watch)
folio: 'folio check --help' lists its options" check x.yaml --dpi 20
mistake "folio: build: unknown option '--frobnicate'
folio: 'folio build --help' lists its options" build x.yaml --frobnicate

# the publication by its folder
cp -r "$SRC/examples/nam-dinh-brochure" pub
"$FOLIO" check pub >dir.out 2>dir.err || fail "check on the folder: $(cat dir.err)"
"$FOLIO" check pub/publication.yaml >file.out 2>file.err || fail "check on the file: $(cat file.err)"
cmp -s dir.out file.out || fail "check on the folder and on its file differ"
mkdir empty
"$FOLIO" check empty >e.out 2>e.err
[ $? = 2 ] && [ "$(cat e.err)" = "folio: empty is a folder without a publication.yaml: name the publication's .yaml file, or its folder" ] ||
    fail "check on a folder without publication.yaml said: $(cat e.err)"

# -o's default is said in the summary, and only then
(cd pub && "$FOLIO" build . >../default.out 2>../default.err) || fail "build without -o: $(cat default.err)"
grep -qx "(written into ./out, the default; -o DIR chooses the folder)" default.out ||
    fail "build without -o does not say where: $(cat default.out)"
[ -s pub/out/nam-dinh-brochure-en.pdf ] || fail "build without -o wrote no pub/out/*.pdf"
"$FOLIO" build pub -o given >given.out 2>given.err || fail "build -o: $(cat given.err)"
! grep -q "the default" given.out || fail "build -o still speaks of the default: $(cat given.out)"
echo "help: every command's help, the suggestions and the folder as publication"
