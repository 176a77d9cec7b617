/* source_explain — libyaml's syntax errors in the words of the mistake.
 * libyaml reports what its grammar expected where it gave up ("mapping
 * values are not allowed in this context", "did not find expected key"),
 * which is often a line after the mistake. Each rule below looks at the
 * source lines around libyaml's marks (and, for quotes, at libyaml's own
 * tokens from the start of the file) and, when the text shows the mistake,
 * reports it where the user should look, with the fix. Lines end in LF or
 * CRLF; columns count characters, as libyaml's marks do; both marks are
 * 0-based. A rule that does not recognise the text leaves the error to
 * libyaml's words (tests/errors/bad-yaml-*.yaml hold one fixture per
 * rule, in block and flow style, nested, and with CRLF line ends). */
#include "source/source_private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct text {
    const char *s;
    size_t n;
} text;

typedef struct span {
    const char *s, *e; /* one line, without its line end */
} span;

/* Line l (0-based) of t; false past the end. */
static bool get_line(text t, int l, span *out)
{
    const char *p = t.s, *end = t.s + t.n;
    for (int i = 0; i < l; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return false;
        p = nl + 1;
    }
    if (p > end || (p == end && l > 0 && p[-1] == '\n'))
        return false;
    const char *e = memchr(p, '\n', (size_t)(end - p));
    e = e ? e : end;
    if (e > p && e[-1] == '\r')
        e--;
    *out = (span){p, e};
    return true;
}

/* The line after s; false at the end of t. */
static bool next_line(text t, span s, span *out)
{
    const char *end = t.s + t.n;
    const char *nl = memchr(s.e, '\n', (size_t)(end - s.e));
    if (!nl || nl + 1 >= end)
        return false;
    const char *p = nl + 1, *e = memchr(p, '\n', (size_t)(end - p));
    e = e ? e : end;
    if (e > p && e[-1] == '\r')
        e--;
    *out = (span){p, e};
    return true;
}

/* The line before s; false at the start of t. */
static bool prev_line(text t, span s, span *out)
{
    if (s.s == t.s)
        return false;
    const char *e = s.s - 1; /* its '\n' */
    const char *p = e;
    while (p > t.s && p[-1] != '\n')
        p--;
    if (e > p && e[-1] == '\r')
        e--;
    *out = (span){p, e};
    return true;
}

static int char_len(const char *p, const char *e)
{
    int k = 1;
    while (p + k < e && (p[k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* The byte of line s at 0-based character column col (s.e past it). */
static const char *at_col(span s, int col)
{
    const char *p = s.s;
    for (int i = 0; i < col && p < s.e; i++)
        p += char_len(p, s.e);
    return p;
}

/* 1-based character column of byte p of line s. */
static int col_of(span s, const char *p)
{
    int col = 1;
    for (const char *q = s.s; q < p && q < s.e; q += char_len(q, s.e))
        col++;
    return col;
}

static int indent_of(span s)
{
    int i = 0;
    while (s.s + i < s.e && s.s[i] == ' ')
        i++;
    return i;
}

/* Where a line's content starts: after its indentation and any "- ". */
static const char *content_of(span s, bool *dash)
{
    const char *p = s.s + indent_of(s);
    *dash = false;
    while (p < s.e && *p == '-' && (p + 1 == s.e || p[1] == ' ')) {
        *dash = true;
        p++;
        while (p < s.e && *p == ' ')
            p++;
    }
    return p;
}

static bool is_blank(span s)
{
    const char *p = s.s + indent_of(s);
    return p == s.e || *p == '#';
}

/* The ':' that ends the key of a line's content (a ':' followed by a
 * space or the line end, outside a quoted key), or NULL. */
static const char *key_colon(const char *p, const char *e)
{
    if (p < e && (*p == '"' || *p == '\'')) {
        const char *q = memchr(p + 1, *p, (size_t)(e - p - 1));
        if (!q)
            return NULL;
        p = q + 1;
    }
    for (; p < e; p++) {
        if (*p == ':' && (p + 1 == e || p[1] == ' '))
            return p;
        if (*p == '#' && p[-1] == ' ')
            return NULL;
    }
    return NULL;
}

/* s[0..n) with trailing spaces (and a " #" comment) cut. */
static size_t trimmed(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] == '#' && s[i - 1] == ' ') {
            n = i;
            break;
        }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* v[0..n) as a double-quoted YAML string (backslash and '"' escaped), in
 * b. */
static void put_quoted(fo_buf *b, const char *v, size_t n)
{
    fo_status st = fo_buf_append(b, "\"", 1);
    for (size_t i = 0; i < n && st == FO_OK; i++) {
        if (v[i] == '"' || v[i] == '\\')
            st = fo_buf_append(b, "\\", 1);
        if (st == FO_OK)
            st = fo_buf_append(b, v + i, 1);
    }
    if (st == FO_OK)
        st = fo_buf_append(b, "\"", 1);
    (void)st; /* an unbounded buffer: only out of memory fails, which aborts */
}

/* "a value that holds ': ' must be in quotes" for the pair whose key is
 * key[0..colon) and whose value is val[0..vn), reported at the value. */
static void colon_in_value(fo_diags *d, fo_pos pos, const char *key,
                           const char *colon, const char *val, size_t vn)
{
    fo_buf b;
    fo_buf_init(&b, 0);
    fo_status st = fo_buf_append(&b, key, (size_t)(colon - key));
    if (st == FO_OK)
        st = fo_buf_puts(&b, ": ");
    (void)st;
    put_quoted(&b, val, vn);
    fo_error(d, pos, "a value that holds ': ' must be in quotes: write %s",
             b.data ? b.data : "");
    fo_buf_free(&b);
}

static fo_pos at(const char *file, int line0, int col1)
{
    return (fo_pos){file, line0 + 1, col1};
}

/* "found character that cannot start any token": a TAB in the
 * indentation, or a plain value that starts with a reserved character. */
static bool bad_start(fo_diags *d, const char *file, text t, yaml_mark_t m)
{
    span s;
    if (!get_line(t, (int)m.line, &s))
        return false;
    const char *p = at_col(s, (int)m.column);
    if (p >= s.e)
        return false;
    if (*p == '\t') {
        fo_error(d, at(file, (int)m.line, (int)m.column + 1),
                 "indent with spaces, not TABs: line %d has a TAB at column "
                 "%d",
                 (int)m.line + 1, (int)m.column + 1);
        return true;
    }
    fo_error(d, at(file, (int)m.line, (int)m.column + 1),
             "'%.*s' cannot start a value: put the value in quotes",
             char_len(p, s.e), p);
    return true;
}

static const char *quote_name(char q)
{
    return q == '\'' ? "single" : "double";
}

/* Whether line s looks like the start of a YAML entry (a key or a list
 * item): what an unclosed quote swallows. */
static bool looks_like_entry(span s)
{
    bool dash;
    const char *p = content_of(s, &dash);
    return dash || (p < s.e && key_colon(p, s.e));
}

/* A quoted scalar that runs over lines that look like keys or list items,
 * before libyaml's error: its quote was never closed where it should have
 * been. Found with libyaml's own scanner, from the start of the file. */
static bool runaway_quote(fo_diags *d, const char *file, text t,
                          yaml_mark_t err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return false;
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&p, (const unsigned char *)t.s, t.n);
    bool found = false;
    yaml_mark_t open = {0}, end = {0};
    span cur; /* a forward cursor: tokens come in file order */
    int cur_line = 0;
    if (!get_line(t, 0, &cur))
        cur = (span){t.s, t.s};
    char quote = '"';
    for (;;) {
        yaml_token_t tok;
        if (!yaml_parser_scan(&p, &tok))
            break;
        bool stop =
            tok.type == YAML_STREAM_END_TOKEN || tok.start_mark.line > err.line;
        if (tok.type == YAML_SCALAR_TOKEN &&
            (tok.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
             tok.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE) &&
            tok.end_mark.line > tok.start_mark.line &&
            tok.end_mark.line + 3 >= err.line && !stop) {
            bool more = true;
            while (more && cur_line < (int)tok.start_mark.line + 1) {
                more = next_line(t, cur, &cur);
                cur_line++;
            }
            for (; more && cur_line <= (int)tok.end_mark.line;
                 more = next_line(t, cur, &cur), cur_line++) {
                if (looks_like_entry(cur)) {
                    found = true;
                    open = tok.start_mark;
                    end = tok.end_mark;
                    quote =
                        tok.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                            ? '"'
                            : '\'';
                    break;
                }
            }
        }
        yaml_token_delete(&tok);
        if (stop)
            break;
    }
    yaml_parser_delete(&p);
    if (!found)
        return false;
    fo_error(d, at(file, (int)open.line, (int)open.column + 1),
             "the %s quote opened here is not closed on its line, so lines "
             "%d to %d are read as part of this value: end the value with %c",
             quote_name(quote), (int)open.line + 1, (int)end.line + 1, quote);
    return true;
}

/* "did not find expected ',' or ']'" ('}'): a ':' in a flow value, a
 * bracket never closed, or two items without a comma. */
static bool flow_error(fo_diags *d, const char *file, text t,
                       const yaml_parser_t *p, char close)
{
    yaml_mark_t m = p->problem_mark, c = p->context_mark;
    char open = close == ']' ? '[' : '{';
    const char *what = close == ']' ? "list" : "mapping";
    span s;
    const char *x = NULL;
    if (get_line(t, (int)m.line, &s))
        x = at_col(s, (int)m.column);
    if (x && x < s.e && *x == ':') {
        /* the entry holding this ':' starts after the last ',', '{' or
         * '[' before it; its key ends at the first ': ' in it */
        const char *start = x;
        while (start > s.s && start[-1] != ',' && start[-1] != '{' &&
               start[-1] != '[')
            start--;
        while (start < x && *start == ' ')
            start++;
        const char *colon = key_colon(start, x);
        if (colon) {
            const char *v = colon + 1, *ve = x;
            while (v < ve && *v == ' ')
                v++;
            while (ve < s.e && *ve != ',' && *ve != close)
                ve++;
            colon_in_value(d, at(file, (int)m.line, col_of(s, v)), start, colon,
                           v, trimmed(v, (size_t)(ve - v)));
            return true;
        }
    }
    if (x && x < s.e && (*x == ']' || *x == '}') && *x != close) {
        fo_error(d, at(file, (int)m.line, (int)m.column + 1),
                 "this '%c' does not match the '%c' opened at %d:%d: close "
                 "that %s with '%c' first",
                 *x, open, (int)c.line + 1, (int)c.column + 1, what, close);
        return true;
    }
    if (m.line > c.line) {
        fo_error(d, at(file, (int)c.line, (int)c.column + 1),
                 "this '%c' is never closed: end the %s with '%c'", open, what,
                 close);
        return true;
    }
    fo_error(d, at(file, (int)m.line, (int)m.column + 1),
             "expected ',' or '%c' here, in the %s opened at column %d: "
             "separate its items with ', ', and quote an item that holds "
             "', ' or ': '",
             close, what, (int)c.column + 1);
    return true;
}

/* A key without its ':' on line l, starting at p: reports where the ':'
 * belongs, with the line to write. */
static void missing_colon(fo_diags *d, const char *file, int l, span s,
                          const char *p)
{
    const char *k = p;
    while (k < s.e && *k != ' ' && *k != '\t')
        k++;
    const char *rest = k;
    while (rest < s.e && *rest == ' ')
        rest++;
    size_t rn = trimmed(rest, (size_t)(s.e - rest));
    if (rn)
        fo_error(d, at(file, l, col_of(s, k)),
                 "missing ':' after the key '%.*s': write %.*s: %.*s",
                 (int)(k - p), p, (int)(k - p), p, (int)rn, rest);
    else
        fo_error(d, at(file, l, col_of(s, k)),
                 "missing ':' after the key '%.*s'", (int)(k - p), p);
}

/* "mapping values are not allowed in this context": a ':' and a space
 * inside a plain value, or a line indented deeper than its key, which
 * YAML reads as more of the value above (a key missing its ':' on the
 * line above looks the same). */
static bool mapping_values(fo_diags *d, const char *file, text t, yaml_mark_t m)
{
    span s;
    if (!get_line(t, (int)m.line, &s))
        return false;
    bool dash;
    const char *c = content_of(s, &dash);
    const char *x = at_col(s, (int)m.column);
    const char *colon = key_colon(c, s.e);
    if (colon && colon < x) {
        const char *v = colon + 1;
        while (v < s.e && *v == ' ')
            v++;
        colon_in_value(d, at(file, (int)m.line, col_of(s, v)), c, colon, v,
                       trimmed(v, (size_t)(s.e - v)));
        return true;
    }
    int l = (int)m.line - 1;
    span prev;
    if (!prev_line(t, s, &prev))
        return false;
    while (is_blank(prev)) {
        if (!prev_line(t, prev, &prev))
            return false;
        l--;
    }
    bool pdash;
    const char *pc = content_of(prev, &pdash);
    const char *pcolon = key_colon(pc, prev.e);
    if (!pcolon) {
        missing_colon(d, file, l, prev, pc);
        return true;
    }
    fo_error(d, at(file, (int)m.line, col_of(s, c)),
             "this line is indented deeper than the key '%.*s' on line %d, "
             "so it is read as more of that key's value: line it up with "
             "'%.*s' (column %d) to start a new key, or put the whole value "
             "in quotes",
             (int)(pcolon - pc), pc, l + 1, (int)(pcolon - pc), pc,
             col_of(prev, pc));
    return true;
}

/* An indentation level open at some line above: a list's '-' or a
 * mapping's keys. */
typedef struct level {
    int indent, line;
    bool dash;
} level;

/* Mid-line, in a mapping that starts on the same line: a key of several
 * words ("h2 {vi: x}") is a key that lacks its ':' after the first word. */
static bool key_of_words(fo_diags *d, const char *file, text t, yaml_mark_t m,
                         yaml_mark_t c)
{
    span cl;
    if (c.line != m.line || !get_line(t, (int)c.line, &cl))
        return false;
    const char *k = at_col(cl, (int)c.column);
    const char *colon = key_colon(k, cl.e);
    const char *sp = memchr(k, ' ', (size_t)(cl.e - k));
    if (!colon || !sp || sp > colon)
        return false;
    missing_colon(d, file, (int)c.line, cl, k);
    return true;
}

/* Records the blocks line l (indented i) opens in lv (n of them): "- -
 * key:" opens a list at each '-' and a mapping after them. */
static void open_levels(span s, int l, int i, level *lv, int *n)
{
    const char *p = s.s + i;
    for (;;) {
        bool item = p < s.e && *p == '-' && (p + 1 == s.e || p[1] == ' ');
        int col = (int)(p - s.s);
        if (*n > 0 && lv[*n - 1].indent == col) {
            lv[*n - 1].line = l;
            lv[*n - 1].dash = item;
        } else if (*n < 64) {
            lv[(*n)++] = (level){col, l, item};
        }
        if (!item)
            break;
        p++;
        while (p < s.e && *p == ' ')
            p++;
        if (p == s.e)
            break;
    }
}

/* A line whose indentation matches no block above it ("did not find
 * expected key", "... '-' indicator"): reports the column it should have,
 * taken from the open blocks above (a stack of indentations, as a reader
 * of the file sees them), preferring a block of the same kind. */
static bool wrong_indent(fo_diags *d, const char *file, text t, yaml_mark_t m,
                         yaml_mark_t c)
{
    span ml;
    if (get_line(t, (int)m.line, &ml) && (int)m.column > indent_of(ml))
        return key_of_words(d, file, t, m, c);
    level lv[64];
    int n = 0;
    span s = {t.s, t.s};
    bool more = get_line(t, 0, &s);
    for (int l = 0; l < (int)m.line; l++, more = more && next_line(t, s, &s)) {
        if (!more)
            return false;
        if (is_blank(s))
            continue;
        int i = indent_of(s);
        while (n > 0 && lv[n - 1].indent > i)
            n--;
        open_levels(s, l, i, lv, &n);
    }
    if (!more || is_blank(s))
        return false;
    int i = indent_of(s);
    bool item = s.s + i < s.e && s.s[i] == '-';
    const level *best = NULL;
    for (int k = 0; k < n; k++) {
        if (lv[k].indent == i)
            return false; /* lined up with a block: not an indentation slip */
        int dist = abs(lv[k].indent - i);
        int bdist = best ? abs(best->indent - i) : 0;
        bool kind = lv[k].dash == item, bkind = best && best->dash == item;
        if (!best || (kind && !bkind) ||
            (kind == bkind &&
             (dist < bdist || (dist == bdist && lv[k].indent > best->indent))))
            best = &lv[k];
    }
    if (!best)
        return false;
    fo_error(d, at(file, (int)m.line, i + 1),
             "wrong indentation: this line starts at column %d, where no "
             "block above starts: line it up with line %d (column %d)",
             i + 1, best->line + 1, best->indent + 1);
    return true;
}

static bool starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool fo_source_explain(fo_diags *d, const char *file, const char *s, size_t len,
                       const yaml_parser_t *p)
{
    text t = {s, len};
    const char *pr = p->problem;
    if (p->error != YAML_SCANNER_ERROR && p->error != YAML_PARSER_ERROR)
        return false;
    if (starts(pr, "found character that cannot start any token"))
        return bad_start(d, file, t, p->problem_mark);
    if (starts(pr, "found unexpected end of stream") &&
        starts(p->context, "while scanning a quoted scalar")) {
        span l;
        const char *q = get_line(t, (int)p->context_mark.line, &l)
                            ? at_col(l, (int)p->context_mark.column)
                            : NULL;
        char quote = q && q < l.e ? *q : '"';
        fo_error(d,
                 at(file, (int)p->context_mark.line,
                    (int)p->context_mark.column + 1),
                 "the %s quote opened here is never closed: end the value "
                 "with %c",
                 quote_name(quote), quote);
        return true;
    }
    if (runaway_quote(d, file, t, p->problem_mark))
        return true;
    if (starts(pr, "did not find expected ',' or ']'"))
        return flow_error(d, file, t, p, ']');
    if (starts(pr, "did not find expected ',' or '}'"))
        return flow_error(d, file, t, p, '}');
    if (starts(pr, "could not find expected ':'")) {
        span l;
        if (!get_line(t, (int)p->context_mark.line, &l))
            return false;
        missing_colon(d, file, (int)p->context_mark.line, l,
                      at_col(l, (int)p->context_mark.column));
        return true;
    }
    if (starts(pr, "mapping values are not allowed"))
        return mapping_values(d, file, t, p->problem_mark);
    if (starts(pr, "did not find expected key") ||
        starts(pr, "did not find expected '-' indicator") ||
        starts(pr, "block sequence entries are not allowed"))
        return wrong_indent(d, file, t, p->problem_mark, p->context_mark);
    return false;
}
