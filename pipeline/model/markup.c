/* markup — the inline markup of a text (docs/content.md) to a fo_rich:
 * plain NFC text plus sorted, non-overlapping styled spans. Contract: the
 * user never writes Pango markup; whatever they write is either one of the
 * few constructs below or literal text, and every mistake is reported at
 * the text's position plus the offset of the problem, counted in characters
 * along the lines of the text (after a newline the column restarts at the
 * text's first column, which is exact for '|' block scalars and plain
 * one-line scalars, and approximate where YAML folded lines or expanded
 * escapes).
 *
 *   **bold**  *italic*  ***both***  [text](https://…)  <br>  ~  ^{sup}  \x
 *
 * Emphasis follows a simplified CommonMark rule: a run of stars can open
 * when followed by a non-space and close when preceded by one; a run that
 * can do neither is literal ("5 * 3"). The parse is one pass with an
 * explicit stack, so nesting depth costs heap, never C stack. Each output
 * byte carries its style; runs of equal style are normalized to NFC one by
 * one (through ICU), which keeps span offsets exact after normalization.
 *
 * Time is linear in the text, whatever it holds (tests/pathological):
 * the stack keeps a count of each kind of opener, so that a closer with
 * nothing to close does not search it; errors get their line and column
 * in one pass at the end; and a letter may carry at most MAX_MARKS
 * combining marks, as canonical reordering sorts each run of them by
 * insertion (100,000 marks on one letter took ICU minutes). */
#include "model/model.h"

#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* The most combining marks in a row: the limit of Unicode's stream-safe
 * text format (UAX #15), which no real text reaches (Vietnamese puts two
 * on a letter). */
enum { MAX_MARKS = 30 };

enum { K_BOLD, K_ITALIC, K_BOTH, K_LINK, K_SUPER };

typedef struct opener {
    int kind;
    size_t at;     /* offset in src, for errors */
    size_t out_at; /* output length when opened (K_LINK: empty text) */
    int link;      /* K_LINK: index into hrefs, or -1 for a nested link */
} opener;

_Static_assert((FO_SPAN_BOLD | FO_SPAN_ITALIC | FO_SPAN_LINK | FO_SPAN_SUPER) <=
                   0xFF,
               "the parser keeps a character's span flags in a byte");

/* An error waiting for its position (see report_errors). */
typedef struct pending_error {
    size_t off;
    char *msg;
} pending_error;

typedef struct parser {
    const char *src;
    size_t len;
    fo_pos pos;
    fo_diags *d;
    pending_error *errs;
    size_t errors, errs_cap;
    /* output before NFC, one style per byte */
    char *out;
    unsigned char *flags; /* FO_SPAN_* fit in a byte: a 15 MB text's
                             buffers are 10 bytes a byte, not 13 */
    int *link;
    size_t n;
    /* open constructs, and how many of each kind are open */
    opener *stack;
    size_t sp, cap;
    size_t open[K_SUPER + 1];
    int bold, italic, super, cur_link;
    /* link targets, by link index */
    char **hrefs;
    size_t nhrefs, hcap;
    /* whitespace collapsing */
    bool pending, after_break;
    unsigned pending_flags;
    int pending_link;
} parser;

/* Records an error at offset off of the text; report_errors gives it its
 * position. */
static void err(parser *p, size_t off, const char *fmt, ...) FO_PRINTF(3, 4);
static void err(parser *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fo_grow((void **)&p->errs, sizeof *p->errs, &p->errs_cap, p->errors + 1);
    p->errs[p->errors++] = (pending_error){off, msg};
}

/* An error's offset and its index in the order found. */
typedef struct error_ref {
    size_t off, index;
} error_ref;

static int cmp_offset(const void *x, const void *y)
{
    const error_ref *a = x, *b = y;
    return (a->off > b->off) - (a->off < b->off);
}

/* Reports the errors in the order found, each at the text's position plus
 * its offset counted in characters along the lines. The positions are
 * counted in one pass over the errors sorted by offset: counting from the
 * start for each error made many errors on a long line quadratic. */
static void report_errors(parser *p)
{
    if (!p->errors)
        return;
    error_ref *by_off = fo_xmalloc(sizeof *by_off * p->errors);
    fo_pos *pos = fo_xmalloc(sizeof *pos * p->errors);
    for (size_t k = 0; k < p->errors; k++)
        by_off[k] = (error_ref){p->errs[k].off, k};
    qsort(by_off, p->errors, sizeof *by_off, cmp_offset);
    fo_pos q = p->pos;
    size_t i = 0;
    for (size_t k = 0; k < p->errors; k++) {
        size_t off = by_off[k].off < p->len ? by_off[k].off : p->len;
        for (; i < off; i++) {
            unsigned char c = (unsigned char)p->src[i];
            if (c == '\n') {
                q.line++;
                q.col = p->pos.col;
            } else if ((c & 0xC0) != 0x80) {
                q.col++;
            }
        }
        pos[by_off[k].index] = q;
    }
    for (size_t k = 0; k < p->errors; k++)
        fo_diag_add(p->d, FO_SEV_ERROR, pos[k], "%s", p->errs[k].msg);
    free(by_off);
    free(pos);
}

static unsigned cur_flags(const parser *p)
{
    unsigned f = 0;
    if (p->bold)
        f |= FO_SPAN_BOLD;
    if (p->italic)
        f |= FO_SPAN_ITALIC;
    if (p->super)
        f |= FO_SPAN_SUPER;
    if (p->cur_link >= 0)
        f |= FO_SPAN_LINK;
    return f;
}

static void put(parser *p, const char *s, size_t n, unsigned flags, int link)
{
    for (size_t i = 0; i < n; i++) {
        p->out[p->n] = s[i];
        p->flags[p->n] = (unsigned char)flags;
        p->link[p->n] = link;
        p->n++;
    }
}

/* Emits visible text, preceded by the space a whitespace run left. */
static void emit(parser *p, const char *s, size_t n)
{
    if (p->pending && p->n > 0 && !p->after_break)
        put(p, " ", 1, p->pending_flags, p->pending_link);
    p->pending = false;
    p->after_break = false;
    put(p, s, n, cur_flags(p), p->cur_link);
}

static void whitespace(parser *p)
{
    if (!p->pending) {
        p->pending = true;
        p->pending_flags = cur_flags(p);
        p->pending_link = p->cur_link;
    }
}

static void line_break(parser *p)
{
    p->pending = false;
    put(p, "\xE2\x80\xA8", 3, cur_flags(p), p->cur_link);
    p->after_break = true;
}

static void apply(parser *p, int kind, int delta)
{
    switch (kind) {
    case K_BOLD:
        p->bold += delta;
        break;
    case K_ITALIC:
        p->italic += delta;
        break;
    case K_BOTH:
        p->bold += delta;
        p->italic += delta;
        break;
    case K_SUPER:
        p->super += delta;
        break;
    default:
        break;
    }
}

static void push(parser *p, int kind, size_t at)
{
    fo_grow((void **)&p->stack, sizeof *p->stack, &p->cap, p->sp + 1);
    p->stack[p->sp++] = (opener){kind, at, p->n, -1};
    p->open[kind]++;
    apply(p, kind, +1);
}

static void pop(parser *p)
{
    opener *o = &p->stack[--p->sp];
    p->open[o->kind]--;
    apply(p, o->kind, -1);
    if (o->kind == K_LINK && o->link >= 0)
        p->cur_link = -1;
}

static void report_unclosed(parser *p, const opener *o)
{
    switch (o->kind) {
    case K_BOLD:
        err(p, o->at, "unclosed '**' (bold)");
        break;
    case K_ITALIC:
        err(p, o->at, "unclosed '*' (italic)");
        break;
    case K_BOTH:
        err(p, o->at, "unclosed '***' (bold italic)");
        break;
    case K_LINK:
        err(p, o->at, "unclosed '[' (link)");
        break;
    default:
        err(p, o->at, "unclosed '^{' (superscript)");
        break;
    }
}

/* Pops everything above the innermost opener of kind, reporting each as
 * unclosed. Returns false if there is no such opener. The count says so
 * without a search; when there is one, every opener passed is popped. */
static bool unwind_to(parser *p, int kind)
{
    if (!p->open[kind])
        return false;
    size_t i = p->sp;
    while (i > 0 && p->stack[i - 1].kind != kind)
        i--;
    if (i == 0)
        return false;
    while (p->sp > i) {
        report_unclosed(p, &p->stack[p->sp - 1]);
        pop(p);
    }
    return true;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_emphasis(int kind)
{
    return kind == K_BOLD || kind == K_ITALIC || kind == K_BOTH;
}

/* A run of n stars at src[i]. */
static void stars(parser *p, size_t i, size_t n)
{
    bool can_close = i > 0 && !is_space((unsigned char)p->src[i - 1]);
    bool can_open = i + n < p->len && !is_space((unsigned char)p->src[i + n]);
    size_t rem = n;
    while (can_close && rem > 0 && p->sp > 0 &&
           is_emphasis(p->stack[p->sp - 1].kind)) {
        opener *top = &p->stack[p->sp - 1];
        if (top->kind == K_BOTH && rem < 3) {
            /* ***a** b*: the closed style ends, the other goes on */
            int left = rem == 2 ? K_ITALIC : K_BOLD;
            apply(p, K_BOTH, -1);
            p->open[K_BOTH]--;
            top->kind = left;
            p->open[left]++;
            apply(p, left, +1);
            rem = 0;
        } else if (top->kind == K_BOTH) {
            pop(p);
            rem -= 3;
        } else if (top->kind == K_BOLD && rem >= 2) {
            pop(p);
            rem -= 2;
        } else if (top->kind == K_ITALIC) {
            pop(p);
            rem -= 1;
        } else {
            break;
        }
    }
    if (rem == 0)
        return;
    size_t at = i + (n - rem);
    if (!can_open) {
        emit(p, p->src + at, rem);
        return;
    }
    if (rem > 3) {
        err(p, at, "too many '*' in a row (write \\* for a literal star)");
        return;
    }
    push(p, rem == 3 ? K_BOTH : rem == 2 ? K_BOLD : K_ITALIC, at);
}

static bool url_scheme_ok(parser *p, size_t at, const char *url)
{
    size_t k = 0;
    if (g_ascii_isalpha(url[0]))
        while (g_ascii_isalnum(url[k]) || url[k] == '+' || url[k] == '-' ||
               url[k] == '.')
            k++;
    if (k == 0 || url[k] != ':') {
        err(p, at, "a link's URL must start with http://, https:// or mailto:");
        return false;
    }
    char *scheme = g_ascii_strdown(url, (gssize)k);
    bool ok = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
              strcmp(scheme, "mailto") == 0;
    if (!ok)
        err(p, at,
            "a link's URL scheme '%s:' is not allowed (use http, https or "
            "mailto)",
            scheme);
    else if (url[k + 1] == 0)
        err(p, at, "a link's URL is empty after '%s:'", scheme);
    g_free(scheme);
    return ok && url[k + 1] != 0;
}

static bool escapable(char c)
{
    return c && strchr("\\*[]()~<^{}", c) != NULL;
}

/* ']' at src[i] closes the innermost link; returns where parsing resumes. */
static size_t close_link(parser *p, size_t i)
{
    if (!unwind_to(p, K_LINK)) {
        err(p, i, "unmatched ']' (write \\] for a literal bracket)");
        return i + 1;
    }
    opener o = p->stack[p->sp - 1];
    pop(p);
    if (i + 1 >= p->len || p->src[i + 1] != '(') {
        err(p, i, "a link needs '(URL)' after ']'");
        return i + 1;
    }
    size_t open = i + 1, j = open + 1;
    GString *url = g_string_new(NULL);
    bool space = false;
    while (j < p->len && p->src[j] != ')') {
        char c = p->src[j];
        if (c == '\\' && j + 1 < p->len && escapable(p->src[j + 1]))
            c = p->src[++j];
        else if (is_space((unsigned char)c) && !space) {
            err(p, j, "a link's URL cannot contain spaces");
            space = true;
        }
        g_string_append_c(url, c);
        j++;
    }
    if (j >= p->len) {
        err(p, open, "a link's URL needs a closing ')'");
        g_string_free(url, TRUE);
        return p->len;
    }
    if (o.out_at == p->n)
        err(p, o.at, "a link's text is empty");
    if (url->len == 0)
        err(p, open, "a link's URL is empty");
    else if (!space && url_scheme_ok(p, open + 1, url->str) && o.link >= 0)
        p->hrefs[o.link] = g_strndup(url->str, url->len);
    g_string_free(url, TRUE);
    return j + 1;
}

static void open_link(parser *p, size_t i)
{
    bool nested = p->cur_link >= 0 || p->open[K_LINK] > 0;
    push(p, K_LINK, i);
    if (nested) {
        err(p, i, "a link cannot contain another link");
        return;
    }
    fo_grow((void **)&p->hrefs, sizeof *p->hrefs, &p->hcap, p->nhrefs + 1);
    p->hrefs[p->nhrefs] = NULL;
    p->stack[p->sp - 1].link = (int)p->nhrefs;
    p->cur_link = (int)p->nhrefs++;
}

/* '<' at src[i]: a line break, a refused tag, or a literal '<'. Returns
 * the bytes consumed. */
static size_t angle(parser *p, size_t i)
{
    static const char *const brs[] = {"<br>", "<br/>", "<br />"};
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(brs[k]);
        if (i + n <= p->len &&
            g_ascii_strncasecmp(p->src + i, brs[k], n) == 0) {
            line_break(p);
            return n;
        }
    }
    if (i + 1 < p->len &&
        (g_ascii_isalpha(p->src[i + 1]) || p->src[i + 1] == '/')) {
        /* a tag is short: looking further made "<a <a <a…" quadratic */
        size_t ahead = p->len - i < 64 ? p->len - i : 64;
        const char *gt = memchr(p->src + i, '>', ahead);
        if (gt && !memchr(p->src + i, '\n', (size_t)(gt - (p->src + i)))) {
            int n = (int)(gt - (p->src + i)) + 1;
            err(p, i,
                "'%.*s' is not markup: the only tag is <br> (write \\< for "
                "a literal '<')",
                n, p->src + i);
            return (size_t)n;
        }
    }
    emit(p, "<", 1);
    return 1;
}

static void parse(parser *p)
{
    size_t i = 0;
    while (i < p->len) {
        char c = p->src[i];
        if (is_space((unsigned char)c)) {
            whitespace(p);
            i++;
        } else if (c == '\\' && i + 1 < p->len && escapable(p->src[i + 1])) {
            emit(p, p->src + i + 1, 1);
            i += 2;
        } else if (c == '*') {
            size_t n = 1;
            while (i + n < p->len && p->src[i + n] == '*')
                n++;
            stars(p, i, n);
            i += n;
        } else if (c == '[') {
            open_link(p, i);
            i++;
        } else if (c == ']') {
            i = close_link(p, i);
        } else if (c == '^' && i + 1 < p->len && p->src[i + 1] == '{') {
            push(p, K_SUPER, i);
            i += 2;
        } else if (c == '}') {
            if (unwind_to(p, K_SUPER))
                pop(p);
            else
                err(p, i, "unmatched '}' (write \\} for a literal brace)");
            i++;
        } else if (c == '~') {
            emit(p, "\xC2\xA0", 2);
            i++;
        } else if (c == '<') {
            i += angle(p, i);
        } else {
            uint32_t cp;
            int n = fo_utf8_decode(p->src + i, p->len - i, &cp);
            emit(p, p->src + i, (size_t)n);
            i += (size_t)n;
        }
    }
    for (size_t k = 0; k < p->sp; k++)
        report_unclosed(p, &p->stack[k]);
}

/* Appends s[0..n) (valid UTF-8) to text in NFC. ICU rather than GLib:
 * g_utf8_normalize grows quadratically with the text (0.5 MB of Vietnamese
 * took 1.9 s, 15 MB never finished), ICU's is linear. Text below U+0300,
 * which UTF-8 writes with lead bytes below 0xCC, is NFC already: English
 * and most of a Vietnamese text's letters skip the conversion. */
static void nfc_append(GString *text, const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (unsigned char)s[k] < 0xCC)
        k++;
    if (k == n) {
        g_string_append_len(text, s, (gssize)n);
        return;
    }
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&e);
    /* the input is UTF-8 checked by fo_markup_parse: one UTF-16 unit at
     * most per byte; int32_t lengths, as texts are at most 16 MiB */
    int32_t cap = (int32_t)n + 1, len = 0;
    UChar *u16 = fo_xmalloc(sizeof *u16 * (size_t)cap);
    u_strFromUTF8(u16, cap, &len, s, (int32_t)n, &e);
    UChar *norm = NULL;
    if (U_SUCCESS(e) && unorm2_spanQuickCheckYes(nfc, u16, len, &e) < len &&
        U_SUCCESS(e)) {
        /* NFC rarely grows a text: try its length plus a margin, and
         * retry with the length ICU asks for */
        int32_t ncap = len + len / 8 + 16;
        norm = fo_xmalloc(sizeof *norm * (size_t)ncap);
        int32_t nlen = unorm2_normalize(nfc, u16, len, norm, ncap, &e);
        if (e == U_BUFFER_OVERFLOW_ERROR) {
            e = U_ZERO_ERROR;
            free(norm);
            ncap = nlen + 1;
            norm = fo_xmalloc(sizeof *norm * (size_t)ncap);
            nlen = unorm2_normalize(nfc, u16, len, norm, ncap, &e);
        }
        free(u16);
        u16 = norm;
        len = nlen;
    }
    if (U_FAILURE(e)) {
        /* cannot happen for valid UTF-8 (ICU's data is built in); should
         * it, the text stays as written rather than being lost */
        free(u16);
        g_string_append_len(text, s, (gssize)n);
        return;
    }
    if (!norm) { /* NFC already */
        free(u16);
        g_string_append_len(text, s, (gssize)n);
        return;
    }
    int32_t need = 0;
    e = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &need, u16, len, &e); /* measures: overflow */
    e = U_ZERO_ERROR;
    size_t at = text->len;
    g_string_set_size(text, at + (size_t)need);
    u_strToUTF8(text->str + at, need + 1, NULL, u16, len, &e);
    free(u16);
}

/* Joins the styled output into out: each run of one style is normalized to
 * NFC on its own so that span boundaries survive normalization. */
static void finish(parser *p, fo_arena *a, fo_rich *out)
{
    GString *text = g_string_sized_new(p->n + 1);
    fo_span *spans = NULL;
    size_t nspans = 0, cap = 0;
    size_t i = 0;
    while (i < p->n) {
        size_t j = i + 1;
        while (j < p->n && p->flags[j] == p->flags[i] &&
               p->link[j] == p->link[i])
            j++;
        uint32_t start = (uint32_t)text->len;
        nfc_append(text, p->out + i, j - i);
        if (p->flags[i]) {
            fo_grow((void **)&spans, sizeof *spans, &cap, nspans + 1);
            const char *href = NULL;
            if (p->link[i] >= 0 && p->hrefs[p->link[i]])
                href = fo_arena_strdup(a, p->hrefs[p->link[i]]);
            spans[nspans++] =
                (fo_span){start, (uint32_t)text->len, p->flags[i], href};
        }
        i = j;
    }
    out->text = fo_arena_strndup(a, text->str, text->len);
    out->len = text->len;
    fo_span *sp = fo_arena_alloc(a, sizeof *sp * nspans);
    if (nspans)
        memcpy(sp, spans, sizeof *sp * nspans);
    out->spans = sp;
    out->nspans = (int)nspans;
    free(spans);
    g_string_free(text, TRUE);
}

/* Offset of the first combining mark past MAX_MARKS in a row, or len. */
static size_t too_many_marks(const char *src, size_t len)
{
    int run = 0;
    for (size_t i = 0; i < len;) {
        if ((unsigned char)src[i] < 0xCC) { /* below U+0300: no mark */
            run = 0;
            i++;
            continue;
        }
        uint32_t cp;
        int n = fo_utf8_decode(src + i, len - i, &cp);
        run = u_getCombiningClass((UChar32)cp) ? run + 1 : 0;
        if (run > MAX_MARKS)
            return i;
        i += (size_t)n;
    }
    return len;
}

/* Frees what the parser allocated. */
static void parser_free(parser *p)
{
    for (size_t k = 0; k < p->errors; k++)
        g_free(p->errs[k].msg);
    free(p->errs);
    for (size_t k = 0; k < p->nhrefs; k++)
        g_free(p->hrefs[k]);
    free(p->hrefs);
    free(p->stack);
    free(p->out);
    free(p->flags);
    free(p->link);
}

fo_status fo_markup_parse(const char *src, size_t len, fo_pos pos, fo_arena *a,
                          fo_diags *d, fo_rich *out)
{
    *out = (fo_rich){.text = "", .pos = pos};
    parser p = {.src = src, .len = len, .pos = pos, .d = d, .cur_link = -1};
    const gchar *end;
    size_t marks;
    if (len > 0 && !g_utf8_validate(src, (gssize)len, &end)) {
        if (*end == 0)
            err(&p, (size_t)(end - src),
                "a text cannot contain a NUL character");
        else
            err(&p, (size_t)(end - src), "invalid UTF-8 in a text");
    } else if ((marks = too_many_marks(src, len)) < len) {
        err(&p, marks, "more than %d combining marks in a row", (int)MAX_MARKS);
    }
    if (p.errors) {
        report_errors(&p);
        parser_free(&p);
        return FO_ERR_INPUT;
    }
    /* the output never outgrows 2 bytes per input byte: ~ is 1 → 2,
     * <br> 4 → 3, escapes 2 → 1, whitespace runs collapse */
    size_t cap = len * 2 + 4;
    p.out = fo_xmalloc(cap);
    p.flags = fo_xmalloc(sizeof *p.flags * cap);
    p.link = fo_xmalloc(sizeof *p.link * cap);
    parse(&p);
    if (!p.errors)
        finish(&p, a, out);
    report_errors(&p);
    fo_status st = p.errors ? FO_ERR_INPUT : FO_OK;
    parser_free(&p);
    return st;
}

/* The space to use instead of the plain space at text[i], or NULL. */
static const char *french_space(const char *t, size_t len, size_t i)
{
    if (t[i] != ' ')
        return NULL;
    if (i + 1 < len) {
        char c = t[i + 1];
        if (c == ':')
            return "\u00A0";
        if (c == ';' || c == '!' || c == '?')
            return "\u202F";
        if (i + 2 < len && memcmp(t + i + 1, "\u00BB", 2) == 0) /* » */
            return "\u202F";
    }
    if (i >= 2 && memcmp(t + i - 2, "\u00AB", 2) == 0) /* « */
        return "\u00A0";
    return NULL;
}

const fo_rich *fo_rich_french_spacing(const fo_rich *in, fo_arena *a)
{
    size_t extra = 0;
    for (size_t i = 0; i < in->len; i++) {
        const char *sp = french_space(in->text, in->len, i);
        if (sp)
            extra += strlen(sp) - 1;
    }
    if (extra == 0)
        return in;
    fo_rich *out = fo_arena_alloc(a, sizeof *out);
    *out = *in;
    char *t = fo_arena_alloc(a, in->len + extra + 1);
    /* map[i]: where byte i of the input lands in the output. */
    uint32_t *map = fo_xmalloc(sizeof(uint32_t) * (in->len + 1));
    size_t o = 0;
    for (size_t i = 0; i < in->len; i++) {
        map[i] = (uint32_t)o;
        const char *sp = french_space(in->text, in->len, i);
        if (sp) {
            memcpy(t + o, sp, strlen(sp));
            o += strlen(sp);
        } else {
            t[o++] = in->text[i];
        }
    }
    map[in->len] = (uint32_t)o;
    t[o] = 0;
    out->text = t;
    out->len = o;
    if (in->nspans > 0) {
        fo_span *spans = fo_arena_alloc(a, sizeof *spans * (size_t)in->nspans);
        for (int k = 0; k < in->nspans; k++) {
            spans[k] = in->spans[k];
            spans[k].start = map[in->spans[k].start];
            spans[k].end = map[in->spans[k].end];
        }
        out->spans = spans;
    }
    free(map);
    return out;
}
