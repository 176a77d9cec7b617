#!/bin/bash
# Limits on what a publication reads are checked before the work they
# bound, through the real CLI:
#  - five includes of 15 MB (sparse files: nothing to write) exceed the
#    64 MiB budget, and are refused before any of them is read: the only
#    message is the budget's (reading one would report its NUL bytes);
#  - an include fan-out bomb of about 1 KB (each file includes the next
#    eight times: 8^6 includes) is refused within a second of CPU;
#  - a file that starts with a UTF-8 byte order mark, keys indented as
#    usual, builds.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
export SOURCE_DATE_EPOCH=1700000000

# cpu CMD...: runs CMD (stdout and stderr in cpu.out, cpu.err) and prints
# its exit code and its CPU seconds (user + system).
cpu() {
    /usr/bin/time -f '%U %S' -o cpu.time "$@" >cpu.out 2>cpu.err
    local rc=$?
    # the last line: time writes "Command exited with non-zero status"
    # before its figures
    tail -n 1 cpu.time | awk -v rc="$rc" '{ printf "%d %.2f\n", rc, $1 + $2 }'
}

# ---- the include budget ------------------------------------------------
mkdir budget
cat >budget/publication.yaml <<'EOF'
title: "Sách"
editions: [vi]
sections:
  - include: a.yaml
  - include: b.yaml
  - include: c.yaml
  - include: d.yaml
  - include: e.yaml
EOF
for f in a b c d e; do
    truncate -s 15M "budget/$f.yaml" || fail "truncate"
done
read -r rc secs < <(cpu "$FOLIO" build budget/publication.yaml -o budget/out)
[ "$rc" = 1 ] || fail "budget: exit $rc, expected 1"
want="budget/publication.yaml:8:14: error: the publication and its includes exceed 64 MiB"
[ "$(cat cpu.err)" = "$want" ] ||
    fail "budget: stderr is '$(cat cpu.err)', expected '$want'"
[ ! -e budget/out ] || [ -z "$(ls -A budget/out)" ] ||
    fail "budget: output left: $(ls -A budget/out)"

# ---- a fan-out bomb ----------------------------------------------------
mkdir bomb
{
    printf 'title: "Sách"\neditions: [vi]\nsections:\n'
    printf '  - title: "Một"\n    blocks:\n'
    for i in 1 2 3 4 5 6 7 8; do printf '      - include: f1.yaml\n'; done
} >bomb/publication.yaml
for d in 1 2 3 4 5; do
    for i in 1 2 3 4 5 6 7 8; do
        printf -- '- include: f%d.yaml\n' $((d + 1))
    done >"bomb/f$d.yaml"
done
printf -- '- p: "lá"\n' >bomb/f6.yaml
size=$(cat bomb/*.yaml | wc -c)
[ "$size" -lt 1200 ] || fail "bomb: $size bytes, meant to be about 1 KB"
read -r rc secs < <(cpu "$FOLIO" build bomb/publication.yaml -o bomb/out)
[ "$rc" = 1 ] || fail "bomb: exit $rc, expected 1"
grep -q "error: more than 4096 includes in a publication" cpu.err ||
    fail "bomb: no include limit in: $(head -3 cpu.err)"
# about 0.2 s; AddressSanitizer makes the system calls and the parsing of
# the 4096 includes about eight times as slow (CMake knows if it is on)
bound=1.0
grep -q '^FO_SANITIZE:BOOL=ON' "${BUILD:-.}/CMakeCache.txt" 2>/dev/null &&
    bound=4.0
awk -v s="$secs" -v b="$bound" 'BEGIN { exit !(s < b) }' ||
    fail "bomb: refused after $secs s of CPU (bound $bound s)"
bomb_secs=$secs

# ---- a byte order mark -------------------------------------------------
mkdir bom
printf '\xef\xbb\xbftitle: "Sách"\neditions: [vi]\nsections:\n  - title: "Một"\n    blocks:\n      - p: "Đoạn văn."\n' >bom/publication.yaml
read -r rc secs < <(cpu "$FOLIO" build bom/publication.yaml -o bom/out)
[ "$rc" = 0 ] || fail "bom: exit $rc: $(cat cpu.err)"
[ -s bom/out/bom-vi.pdf ] || fail "bom: no PDF: $(ls bom/out)"

echo "ok: include budget refused before reading, fan-out bomb refused in" \
    "${bomb_secs}s, BOM file builds"
