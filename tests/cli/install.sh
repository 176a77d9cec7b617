#!/usr/bin/env bash
# The installed folio: `cmake --install` into a throwaway prefix puts the
# binary, templates, fonts, colour profiles, the man page and the bash
# completion in place, and that folio builds a sample with its own data:
# with the source tree hidden (an empty tmpfs over it, in a mount
# namespace of our own, when unshare may make one), and, in any case,
# after a template is removed from the prefix, `init` no longer offers it
# (it reads the prefix's templates, not the source tree's). The man page
# renders with `man -l` without a warning.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
: "${BUILD:?}"
fresh_work
root=$WORK/root
cmake --install "$BUILD" --prefix "$root" >install.log 2>&1 || fail "cmake --install: $(tail -5 install.log)"
for f in bin/folio share/folio/templates/yearbook/template.yaml \
    share/folio/fonts/LICENSES.md share/folio/assets/profiles/ISOcoated_v2_300_bas.icc \
    share/folio/assets/init/cover.png share/bash-completion/completions/folio; do
    [ -s "$root/$f" ] || fail "not installed: $f"
done
if command -v scdoc >/dev/null; then
    [ -s "$root/share/man/man1/folio.1" ] || fail "scdoc is here but no man page was installed"
    MANWIDTH=80 man --warnings -l "$root/share/man/man1/folio.1" >man.txt 2>man.err ||
        fail "man -l failed: $(cat man.err)"
    [ ! -s man.err ] || fail "man -l warns: $(cat man.err)"
    grep -q "folio init" man.txt || fail "the man page has no 'folio init'"
fi
bash -n "$root/share/bash-completion/completions/folio" || fail "the completion is not valid bash"
if [ -r /usr/share/bash-completion/bash_completion ]; then
    got=$(PATH=$root/bin:$PATH bash -c '. /usr/share/bash-completion/bash_completion
        . "$1/share/bash-completion/completions/folio"
        COMP_WORDS=(folio bu); COMP_CWORD=1; COMP_LINE="folio bu"; COMP_POINT=8
        _folio folio bu folio; printf "%s\n" "${COMPREPLY[@]}"
        COMP_WORDS=(folio build --str); COMP_CWORD=2; COMP_LINE="folio build --str"; COMP_POINT=17
        _folio folio --str build; printf "%s\n" "${COMPREPLY[@]}"' _ "$root")
    [ "$got" = "build
--strict" ] || fail "completion of 'folio bu' and 'folio build --str' gave: $got"
fi

cp -r "$SRC/examples/nam-dinh-brochure" pub
env -u FOLIO_DATA_DIR "$root/bin/folio" build pub -o out-plain >plain.out 2>plain.err ||
    fail "installed folio: $(cat plain.err)"
[ -s out-plain/nam-dinh-brochure-en.pdf ] || fail "installed folio wrote no PDF"
"$FOLIO" build pub -o out-src >src.out 2>src.err || fail "folio from the build: $(cat src.err)"
cmp -s out-plain/nam-dinh-brochure-en.pdf out-src/nam-dinh-brochure-en.pdf ||
    fail "the installed folio's PDF differs from the build folder's"

# the source tree out of reach: an empty folder over it (and over the
# build folder), the prefix and the sample copied outside both first (a
# copied prefix works: folio finds its data beside its binary)
if unshare -rm true 2>/dev/null; then
    away=$(mktemp -d /tmp/folio-install.XXXXXX) || fail "mktemp"
    trap 'rm -rf "$away"' EXIT
    cp -r "$root" "$away/root" && cp -r pub "$away/pub" || fail "cannot copy to $away"
    unshare -rm bash -c 'for d in "$2" "$1"; do [ -d "$d" ] && mount -t tmpfs none "$d" || exit 1; done
        [ -z "$(ls -A "$1")" ] && cd "$3" && env -u FOLIO_DATA_DIR root/bin/folio build pub -o out-hidden' \
        _ "$SRC" "$BUILD" "$away" >hidden.out 2>hidden.err || fail "installed folio with the source hidden: $(cat hidden.err)"
    cmp -s "$away/out-hidden/nam-dinh-brochure-en.pdf" out-src/nam-dinh-brochure-en.pdf ||
        fail "with the source hidden, the PDF differs"
else
    echo "note: unshare -rm not allowed here; the source tree stays visible"
fi

# the prefix's templates, not the source's
rm -r "$root/share/folio/templates/booklet"
env -u FOLIO_DATA_DIR "$root/bin/folio" init x --template booklet >t.out 2>t.err
left=$(cd "$root/share/folio/templates" && for d in */; do
    [ -f "$d/template.yaml" ] && printf '%s\n' "${d%/}"
done | sort | paste -sd, - | sed 's/,/, /g')
[ "$(cat t.err)" = "folio: init: no template 'booklet'; did you mean 'trifold'? (the templates: $left)" ] ||
    [ "$(cat t.err)" = "folio: init: no template 'booklet'; the templates: $left" ] ||
    fail "the installed folio offers the source tree's templates: $(cat t.err)"
echo "install: the installed folio builds from its prefix"
