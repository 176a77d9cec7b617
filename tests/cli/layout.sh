#!/usr/bin/env bash
# The corpus of hard layout cases, tests/layout/<case>.yaml (each says on
# its first line why it is there). A case with a <case>.expected must be
# refused: `folio build` exits 1 with exactly that stderr and writes
# nothing. A case without one must build sound: `folio build` exits 0
# (so the preflight found no error), and tests/layout/sound.py, which
# trusts neither layout nor the preflight, reads `folio dump`, the screen
# PDF's words (pdftotext -bbox) and characters (mutool stext) and finds no
# glyph outside the page's frames, no overlap and no letterspaced line.
set -u
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC" || exit 1
for tool in pdftotext mutool python3; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done
fail=0
n=0
for file in tests/layout/*.yaml; do
    [ -e "$file" ] || continue
    n=$((n + 1))
    name=$(basename "$file" .yaml)
    first=$(head -n 1 "$file")
    if [[ $first != "# why: "?* ]]; then
        echo "FAIL $file: the first line must be '# why: <reason>'"
        fail=1
    fi
    out="$WORK/$name"
    mkdir -p "$out/pdf"
    expected="tests/layout/$name.expected"
    "$FOLIO" build "$file" -o "$out/pdf" --profile screen \
        2>"$out/stderr" >/dev/null
    rc=$?
    if [ -f "$expected" ]; then
        if [ "$rc" -ne 1 ]; then
            echo "FAIL $file: exit status $rc, expected 1 (refused)"
            fail=1
        fi
        if ! diff -u "$expected" "$out/stderr"; then
            echo "FAIL $file: stderr differs from $expected"
            fail=1
        fi
        if [ -n "$(ls -A "$out/pdf")" ]; then
            echo "FAIL $file: output left behind: $(ls -A "$out/pdf")"
            fail=1
        fi
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $file: exit status $rc, expected 0 (sound); stderr:"
        cat "$out/stderr"
        fail=1
        continue
    fi
    "$FOLIO" dump "$file" >"$out/dump.txt" 2>/dev/null || {
        echo "FAIL $file: folio dump failed"
        fail=1
        continue
    }
    for pdf in "$out"/pdf/*-screen.pdf; do
        base=$(basename "$pdf" -screen.pdf)
        # (poppler says "no word list" on stderr for a page without text)
        pdftotext -enc UTF-8 -bbox "$pdf" "$out/$base.bbox.html" 2>/dev/null
        # mutool says it lacks ICC support on stderr; only its output matters.
        mutool draw -q -F stext -o "$out/$base.stext.xml" "$pdf" 2>/dev/null
    done
    if ! python3 "$SRC/tests/layout/sound.py" --pub "$file" --src "$SRC" \
        --dump "$out/dump.txt" --dir "$out" >"$out/sound.txt" 2>&1; then
        echo "FAIL $file: not sound:"
        head -20 "$out/sound.txt"
        fail=1
    fi
done
if [ "$n" -lt 1 ]; then
    echo "FAIL: no tests/layout/*.yaml found"
    fail=1
fi
[ "$fail" = 0 ] && echo "layout: $n cases ok"
exit "$fail"
