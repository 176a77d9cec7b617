#!/usr/bin/env bash
# Progress of a build: with stderr a terminal (script(1) gives one), one
# line per edition and profile ("folio: en print: N pages laid out and
# written, T s"); with stderr a file, nothing on it; --quiet: nothing but
# errors even on a terminal (no summary on stdout either); --verbose: the
# lines without a terminal too.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
command -v script >/dev/null || { echo "skip: script (bsdutils) not installed"; exit 77; }
fresh_work
tiny_yaml
tty_run() { # OUT ARGS...: folio ARGS with a terminal, everything into OUT
    local out=$1
    shift
    local cmd="'$FOLIO'"
    for a in "$@"; do cmd+=" '$a'"; done
    script -qec "$cmd" /dev/null </dev/null >"$out" 2>&1
}
line_re='^folio: en print: [0-9]+ pages? laid out and written, [0-9]+\.[0-9] s'
tty_run tty.txt build tiny.yaml -o out --profile print
tr '\r' '\n' <tty.txt | sed 's/\x1b\[K//g' >tty.clean
grep -Eq "$line_re\$" tty.clean || fail "no progress line on a terminal: $(cat -v tty.txt)"
grep -Eq '^out/tiny-en.pdf: [0-9]+ pages$' tty.clean || fail "no summary on a terminal: $(cat -v tty.txt)"

"$FOLIO" build tiny.yaml -o out2 --profile print >plain.out 2>plain.err || fail "build: $(cat plain.err)"
[ ! -s plain.err ] || fail "stderr is no terminal, yet: $(cat plain.err)"
grep -Eqx 'out2/tiny-en.pdf: [0-9]+ pages' plain.out || fail "summary: $(cat plain.out)"

tty_run quiet.txt build tiny.yaml -o out3 --quiet
[ ! -s quiet.txt ] || fail "--quiet on a terminal printed: $(cat -v quiet.txt)"
[ -s out3/tiny-en.pdf ] || fail "--quiet wrote no PDF"
# --quiet still prints errors
sed 's/editions: \[en\]/editions: [en]\nbogus: 1/' tiny.yaml >bad.yaml
"$FOLIO" build bad.yaml -o out4 --quiet >q.out 2>q.err
[ $? = 1 ] && grep -q ': error: ' q.err || fail "--quiet hid an error: $(cat q.err)"

"$FOLIO" build tiny.yaml -o out5 --profile print --verbose >v.out 2>v.err || fail "--verbose: $(cat v.err)"
grep -Eq "$line_re\$" v.err || fail "--verbose printed no progress line: $(cat v.err)"
echo "progress: a line per edition and profile on a terminal, none elsewhere"
