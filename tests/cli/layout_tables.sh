#!/usr/bin/env bash
# Tables in every template (tests/layout/table-*.yaml). A case with a
# .expected must make `folio build` exit 1 with exactly that stderr and
# leave no output. Any other case must build (exit 0), and its display
# list (`folio dump`, every edition) must show each table sound: every
# glyph run of a table lies inside the table less the cell padding, no two
# runs overlap, and the runs fall into exactly as many columns as the table
# has, each at least two cell paddings from the next — a cell drawn into
# its neighbour would merge two of them. Paths are given relative to $SRC,
# as the messages show them.
set -u
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC" || exit 1
fail=0
n=0
for file in tests/layout/table-*.yaml; do
    n=$((n + 1))
    name=$(basename "$file" .yaml)
    expected="${file%.yaml}.expected"
    out="$WORK/$name"
    mkdir -p "$out"
    "$FOLIO" build "$file" -o "$out" 2>"$WORK/$name.err" >/dev/null
    rc=$?
    if [ -f "$expected" ]; then
        [ "$rc" -eq 1 ] || { echo "FAIL $file: exit $rc, expected 1"; fail=1; }
        if ! diff -u "$expected" "$WORK/$name.err"; then
            echo "FAIL $file: stderr differs from $expected"
            fail=1
        fi
        if [ -n "$(ls -A "$out")" ]; then
            echo "FAIL $file: output left behind"
            fail=1
        fi
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $file: exit $rc, expected 0:"
        cat "$WORK/$name.err"
        fail=1
        continue
    fi
    "$FOLIO" dump "$file" >"$WORK/$name.dump" || {
        echo "FAIL $file: dump"
        fail=1
        continue
    }
    # the columns of the (one) table in the case, as the generator writes
    # them: one "- { head: ... }" line each
    ncols=$(grep -c '^ *- { head:' "$file")
    if ! python3 - "$WORK/$name.dump" "$ncols" >"$WORK/$name.check" <<'PY'; then
import re
import sys

PAD = 3.0   # cell padding (table.c flow_add_table)
EPS = 0.05  # the dump prints two decimals
dump, ncols = sys.argv[1], int(sys.argv[2])
glyph = re.compile(r'\s*glyphs (\S+) ([\d.]+) x=([-\d.]+) y=([-\d.]+) '
                   r'w=([-\d.]+) n=\d+ cmyk=([\d.,]+)')
rect = re.compile(r'\s*rect x=([-\d.]+) y=([-\d.]+) w=([-\d.]+) h=([-\d.]+)')
line = re.compile(r'\s*line ([-\d.]+),([-\d.]+)-([-\d.]+),([-\d.]+)')
pages = []  # (edition, page, ops)
ed = '?'
for ln in open(dump, encoding='utf-8'):
    if ln.startswith('edition '):
        ed = ln.split()[1]
    elif ln.startswith('page '):
        pages.append((ed, ln.split()[1], []))
    elif pages:
        pages[-1][2].append(ln.rstrip('\n'))
bad = []
segments = 0
BLACK = '0.00,0.00,0.00,1.00'


def header_at(ops, i):
    """A table (or its part in a column or on a page) starts with its
    header fill, followed by the header's bold text inside it."""
    m = rect.match(ops[i])
    g = glyph.match(ops[i + 1]) if m and i + 1 < len(ops) else None
    if not g or not g.group(1).endswith('-Bold') or g.group(6) != BLACK:
        return None
    x, y, w, h = (float(v) for v in m.groups())
    gx, gy = float(g.group(3)), float(g.group(4))
    if not (x <= gx <= x + w and y <= gy <= y + h):
        return None
    return x, w, g.group(2)


for ed, pno, ops in pages:
    starts = [i for i in range(len(ops)) if header_at(ops, i)]
    for k, i in enumerate(starts):
        x0, w, size = header_at(ops, i)
        end = starts[k + 1] if k + 1 < len(starts) else len(ops)
        runs, rules = [], 0
        for j in range(i + 1, end):
            g, r = glyph.match(ops[j]), line.match(ops[j])
            if r and abs(float(r.group(1)) - x0) < EPS and \
                    abs(float(r.group(3)) - (x0 + w)) < EPS:
                rules += 1
                if rules == 2:  # below the last row
                    break
            if g and g.group(1).startswith('NotoSans-') and \
                    g.group(2) == size and g.group(6) == BLACK:
                runs.append((float(g.group(3)), float(g.group(4)),
                             float(g.group(5)), float(size), ops[j].strip()))
        segments += 1
        where = 'edition %s page %s' % (ed, pno)
        for x, y, rw, s, txt in runs:
            if x < x0 + PAD - EPS or x + rw > x0 + w - PAD + EPS:
                bad.append('%s: outside the table %.2f..%.2f: %s' %
                           (where, x0, x0 + w, txt))
        for a in range(len(runs)):
            for b in range(a + 1, len(runs)):
                xa, ya, wa, sa, ta = runs[a]
                xb, yb, wb, sb, tb = runs[b]
                if xa < xb + wb - EPS and xb < xa + wa - EPS and \
                        ya - 0.8 * sa < yb + 0.2 * sb - EPS and \
                        yb - 0.8 * sb < ya + 0.2 * sa - EPS:
                    bad.append('%s: overlap: %s / %s' % (where, ta, tb))
        spans = sorted((x, x + rw) for x, _, rw, _, _ in runs)
        cols = []
        for a, b in spans:
            if cols and a < cols[-1][1] + 2 * PAD - EPS:
                cols[-1][1] = max(cols[-1][1], b)
            else:
                cols.append([a, b])
        if len(cols) != ncols:
            bad.append('%s: the runs fall into %d columns, the table has %d: '
                       '%s' % (where, len(cols), ncols,
                               ' '.join('%.1f-%.1f' % (a, b) for a, b in cols)))
if segments == 0:
    bad.append('no table found in the dump')
for b in bad:
    print(b)
print('%d table parts checked' % segments)
sys.exit(1 if bad else 0)
PY
        echo "FAIL $file:"
        head -20 "$WORK/$name.check"
        fail=1
    fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no tests/layout/table-*.yaml"; exit 1; }
[ "$fail" -eq 0 ] && echo "ok: $n table cases"
exit "$fail"
