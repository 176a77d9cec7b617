/* Break opportunities and the Knuth–Plass item list of a paragraph: from
 * Pango's log attributes, the hyphenation points and the breaks added to
 * over-long segments, the box/glue/penalty list (kp.h) that para.c breaks.
 *
 * Pango's breaks are completed in three ways: runs of Lao, Khmer, Thai and
 * Burmese take ICU's dictionary word boundaries
 * (fo_para_dictionary_breaks); a segment between two breaks that is wider
 * than the measure gets more breaks (fo_para_add_long_breaks: URL
 * punctuation, dictionary points, then grapheme boundaries); and a line
 * that comes out wider after re-shaping loses the in-word break it ends at
 * (BRK_FORBID, set by para.c's break_and_set). */
#include "para_private.h"

#include <harfbuzz/hb.h>
#include <math.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <stdlib.h>
#include <string.h>

static void push(para_ctx *p, fo_kp_item it, int end_char, int next_char)
{
    size_t cap = p->kp_cap;
    fo_grow((void **)&p->kp, sizeof *p->kp, &p->kp_cap, p->nkp + 1);
    if (p->kp_cap != cap)
        p->brk = fo_xrealloc(p->brk, p->kp_cap * sizeof *p->brk);
    p->kp[p->nkp] = it;
    p->brk[p->nkp] = (brk_info){end_char, next_char};
    p->nkp++;
}

static fo_kp_item box(double w)
{
    return (fo_kp_item){FO_KP_BOX, w, 0, 0, 0, 0};
}

static fo_kp_item glue(double w, double y, double z)
{
    return (fo_kp_item){FO_KP_GLUE, w, y, z, 0, 0};
}

static fo_kp_item penalty(double w, double pen, int flagged)
{
    return (fo_kp_item){FO_KP_PENALTY, w, 0, 0, pen, flagged};
}

/* Ideographs, kana, Hangul, CJK punctuation and full-width forms: text
 * set without spaces, where justification spreads the line over the gaps
 * between characters. */
static int is_cjk(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Is the gap before character c (0 < c < nchars) one between two
 * characters of CJK text, where justification may add a little space? */
int fo_para_cjk_gap(const para_ctx *p, int c)
{
    if (c <= 0 || c >= p->nchars || p->attrs[c].is_white ||
        p->attrs[c - 1].is_white)
        return 0;
    uint32_t a = g_utf8_get_char(p->text + p->char_byte[c - 1]);
    uint32_t b = g_utf8_get_char(p->text + p->char_byte[c]);
    return (is_cjk(a) || is_cjk(b)) && a != 0x2028 && b != 0x2028;
}

static double hyphen_width(PangoFont *font)
{
    hb_font_t *hb = pango_font_get_hb_font(font);
    hb_codepoint_t g;
    if (hb_font_get_nominal_glyph(hb, 0x2010, &g) ||
        hb_font_get_nominal_glyph(hb, '-', &g))
        return hb_font_get_glyph_h_advance(hb, g) / (double)PANGO_SCALE;
    return 0;
}

/* Does the character belong to a script written without spaces between
 * words, whose line breaks need a dictionary (Unicode line break class
 * SA: Thai, Lao, Khmer, Burmese, Tai scripts)? */
static int is_complex(uint32_t cp)
{
    return u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK) ==
           U_LB_COMPLEX_CONTEXT;
}

/* Penalties of the breaks added to over-long segments. A break after URL
 * punctuation costs what a hyphen costs; one inside a word's letters is a
 * last resort, dearer than any line the style tolerates, yet below
 * FO_KP_INF so that it stays a break. */
#define PUNCT_PENALTY(st) ((st)->hyphen_penalty)
#define GRAPH_PENALTY 5000.0

/* Where a segment too long for the measure may break without a hyphen:
 * after these (a URL's, a path's, an e-mail address's or a setting's
 * separators) and before '@'. */
static int is_break_punct(uint32_t cp)
{
    return cp && cp < 0x80 && strchr("/\\.-_?&=#,;|", (int)cp);
}

/* A token that is code, not a word: a URL, path, e-mail address or
 * setting ("a@b.c", "/usr/share", "METHOD={…}", "example.com"). Such a
 * token never takes a hyphen: one would read as part of it, and it must
 * copy out whole. */
static int is_code_token(const para_ctx *p, int c0, int c1)
{
    for (int c = c0; c < c1; c++) {
        uint32_t cp = g_utf8_get_char(p->text + p->char_byte[c]);
        if (cp && cp < 0x80 && strchr("/\\_@=&#{}<>|~", (int)cp))
            return 1;
        if (cp == '.' && c > c0 && c + 1 < c1 &&
            g_unichar_isalnum(g_utf8_get_char(p->text + p->char_byte[c - 1])) &&
            g_unichar_isalnum(g_utf8_get_char(p->text + p->char_byte[c + 1])))
            return 1;
    }
    return 0;
}

/* Does a word of this script broken across lines take a hyphen? Yes for
 * the alphabets that are hyphenated with a visible hyphen (Latin, Greek,
 * Cyrillic, Armenian, Georgian: the scripts libhyphen's and TeX's
 * patterns cover). No for Han, kana and Hangul (a line may end between
 * any two characters, with nothing added), for Thai, Lao, Khmer and
 * Burmese (lines end between syllables, unmarked), for Arabic and Hebrew
 * (words are not broken; a hyphen would read as punctuation) and for the
 * rest, where adding a mark we do not know to be the custom is worse than
 * adding none. */
static int script_hyphenates(PangoScript sc)
{
    return sc == PANGO_SCRIPT_LATIN || sc == PANGO_SCRIPT_GREEK ||
           sc == PANGO_SCRIPT_CYRILLIC || sc == PANGO_SCRIPT_ARMENIAN ||
           sc == PANGO_SCRIPT_GEORGIAN;
}

/* Is there a break before character c (0 < c < nchars)? */
static int has_break(const para_ctx *p, const unsigned char *kind, int c)
{
    if (kind[c] == BRK_FORBID)
        return 0;
    return kind[c] != BRK_NONE || p->attrs[c].is_line_break;
}

/* Width of characters [c0, c1) as the line ending at c1 sets them: the
 * spaces at the end are dropped. */
static double seg_width(const para_ctx *p, int c0, int c1)
{
    while (c1 > c0 && p->attrs[c1 - 1].is_white)
        c1--;
    double w = 0;
    for (int c = c0; c < c1; c++)
        w += p->logw[c];
    return w;
}

/* A position inside a segment where a break may be added: between two
 * graphemes, neither of them white space. */
static int inner_ok(const para_ctx *p, const unsigned char *kind, int c)
{
    return p->attrs[c].is_cursor_position && !p->attrs[c].is_white &&
           !p->attrs[c - 1].is_white && kind[c] == BRK_NONE &&
           g_utf8_get_char(p->text + p->char_byte[c - 1]) != 0x2028;
}

/* The token (run between white space) around character c. */
static void token_of(const para_ctx *p, int c, int *t0, int *t1)
{
    int a = c, b = c;
    while (a > 0 && !p->attrs[a - 1].is_white)
        a--;
    while (b < p->nchars && !p->attrs[b].is_white)
        b++;
    *t0 = a;
    *t1 = b;
}

typedef void (*seg_fn)(para_ctx *p, unsigned char *kind, int c0, int c1,
                       const void *ud);

/* Calls fn on every segment (the text between two breaks) wider than
 * limit. fn adds breaks inside [c0, c1) only. */
static void each_long_segment(para_ctx *p, unsigned char *kind, double limit,
                              seg_fn fn, const void *ud)
{
    int s = 0;
    for (int c = 1; c <= p->nchars; c++) {
        if (c < p->nchars && !has_break(p, kind, c))
            continue;
        if (seg_width(p, s, c) > limit)
            fn(p, kind, s, c, ud);
        s = c;
    }
}

static void add_punct(para_ctx *p, unsigned char *kind, int c0, int c1,
                      const void *ud)
{
    (void)ud;
    int code = p->code[c0];
    for (int c = c0 + 1; c < c1; c++) {
        if (!inner_ok(p, kind, c))
            continue;
        uint32_t a = g_utf8_get_char(p->text + p->char_byte[c - 1]);
        uint32_t b = g_utf8_get_char(p->text + p->char_byte[c]);
        /* After the last of a row of separators ("//", "..."), before '@',
         * and in code before a hyphen (see mark_code). */
        if ((is_break_punct(a) && !(code && a == '-') && !is_break_punct(b) &&
             b != '@') ||
            (b == '@' && a != '@') || (code && b == '-' && a != '-'))
            kind[c] = BRK_PUNCT;
    }
}

/* Marks the characters of code tokens in p->code. In code (a URL, a path,
 * a file name) a line breaks before a hyphen, never after it: pdftotext,
 * like other text extractors, joins a line that ends in '-' to the next
 * and drops the '-', so "nam-\ndinh.jpg" would copy as "namdinh.jpg"
 * (tests/cli/url_roundtrip.sh). Pango's breaks after hyphens in code
 * tokens move before them. */
static void mark_code(para_ctx *p)
{
    p->code = fo_xcalloc((size_t)p->nchars + 1, 1);
    int c = 0;
    while (c < p->nchars) {
        if (p->attrs[c].is_white) {
            c++;
            continue;
        }
        int t0, t1;
        token_of(p, c, &t0, &t1);
        if (!is_code_token(p, t0, t1)) {
            c = t1;
            continue;
        }
        memset(p->code + t0, 1, (size_t)(t1 - t0));
        for (int x = t0 + 1; x < t1; x++) {
            uint32_t a = g_utf8_get_char(p->text + p->char_byte[x - 1]);
            if (a != '-' || !p->attrs[x].is_line_break)
                continue;
            p->attrs[x].is_line_break = FALSE;
            if (x - 1 > t0 &&
                g_utf8_get_char(p->text + p->char_byte[x - 2]) != '-')
                p->attrs[x - 1].is_line_break = TRUE;
        }
        c = t1;
    }
}

typedef struct dict_ud {
    fo_hyph *hy;
    const fo_style *st;
} dict_ud;

static void add_dict(para_ctx *p, unsigned char *kind, int c0, int c1,
                     const void *ud)
{
    const dict_ud *u = ud;
    if (p->code[c0])
        return;
    while (c1 > c0 && p->attrs[c1 - 1].is_white)
        c1--;
    unsigned char *pts = fo_xcalloc((size_t)(c1 - c0) + 1, 1);
    /* An over-long word is long: no shortest-word rule. */
    fo_hyph_rule rule = {u->st->hyph_left, u->st->hyph_right, 0};
    fo_hyph_word(u->hy, p->text + p->char_byte[c0],
                 (size_t)(p->char_byte[c1] - p->char_byte[c0]), &rule, pts);
    for (int c = c0 + 1; c < c1; c++)
        if (pts[c - c0] && inner_ok(p, kind, c))
            kind[c] = BRK_LONG_HYPH;
    free(pts);
}

static void add_graphemes(para_ctx *p, unsigned char *kind, int c0, int c1,
                          const void *ud)
{
    const fo_style *st = ud;
    int code = p->code[c0];
    while (c1 > c0 && p->attrs[c1 - 1].is_white)
        c1--;
    /* A hyphenated piece keeps the style's shortest pieces ("Open-ing",
     * not "Openin-g") when the segment has room for them. */
    int total = 1;
    for (int c = c0 + 1; c < c1; c++)
        total += p->attrs[c].is_cursor_position;
    int lmin = st->hyph_left > 1 ? st->hyph_left : 1;
    int rmin = st->hyph_right > 1 ? st->hyph_right : 1;
    if (total < lmin + rmin)
        lmin = rmin = 1;
    int left = 1; /* graphemes before c */
    for (int c = c0 + 1; c < c1; c++) {
        int boundary = p->attrs[c].is_cursor_position;
        if (!inner_ok(p, kind, c)) {
            left += boundary;
            continue;
        }
        PangoScript sc = (PangoScript)g_unichar_get_script(
            g_utf8_get_char(p->text + p->char_byte[c - 1]));
        if (sc == PANGO_SCRIPT_COMMON || sc == PANGO_SCRIPT_INHERITED ||
            sc == PANGO_SCRIPT_UNKNOWN)
            sc = (PangoScript)p->items[p->char_item[c - 1]]->analysis.script;
        int hyphen = !code && script_hyphenates(sc);
        if (!hyphen || (left >= lmin && total - left >= rmin))
            kind[c] = hyphen ? BRK_GRAPH_HYPH : BRK_GRAPH;
        left += boundary;
    }
}

/* Makes every segment fit the measure: a segment wider than the narrowest
 * line (less room for a hyphen) may break after URL punctuation; a word
 * still too long takes the dictionary's hyphenation points (even in a
 * style that does not hyphenate: a broken word is better than a line
 * drawn past the frame), and what is still too long breaks between any two
 * graphemes, never inside one. Each stage works only on what the one
 * before left too long, so ordinary text keeps Pango's breaks alone. */
void fo_para_add_long_breaks(para_ctx *p, unsigned char *kind, fo_hyph *hy,
                             const fo_style *st, double width)
{
    double limit = width - fmax(st->first_indent, 0) - 0.5 * st->size;
    mark_code(p);
    each_long_segment(p, kind, limit, add_punct, NULL);
    if (hy && !st->hyphenate) {
        dict_ud u = {hy, st};
        each_long_segment(p, kind, limit, add_dict, &u);
    }
    each_long_segment(p, kind, limit, add_graphemes, st);
}

/* The break before character c (0 < c < nchars) inside a run of text,
 * if there is one: a hyphenation point, a break that kind adds to an
 * over-long segment, or Pango's (after "-" or "/", between ideographs,
 * between words of Lao, Khmer, Thai or Burmese). */
static void push_inner_break(para_ctx *p, const fo_style *st,
                             const unsigned char *kind, int c, int ragged)
{
    double R = 3 * st->size; /* ragged-right glue, Knuth's 3em */
    PangoFont *font = p->items[p->char_item[c - 1]]->analysis.font;
    uint32_t prev = g_utf8_get_char(p->text + p->char_byte[c - 1]);
    uint32_t cp = g_utf8_get_char(p->text + p->char_byte[c]);
    if (kind[c] == BRK_HYPHEN || kind[c] == BRK_HYPHEN_SHORT) {
        double pen = st->hyphen_penalty;
        if (kind[c] == BRK_HYPHEN_SHORT)
            pen += st->hyph_short_penalty;
        push(p, penalty(hyphen_width(font), pen, 1), c, c);
    } else if (kind[c] >= BRK_LONG_HYPH && kind[c] <= BRK_GRAPH) {
        /* A break inside an over-long segment. Its line has no space to
         * stretch (or the segment's start is its only one): the R glue
         * lets it end short without looking infeasible, and the penalty
         * before it keeps the glue from being a break. */
        int hyphen = kind[c] == BRK_LONG_HYPH || kind[c] == BRK_GRAPH_HYPH;
        double pen = kind[c] == BRK_LONG_HYPH ? st->hyphen_penalty
                     : kind[c] == BRK_PUNCT   ? PUNCT_PENALTY(st)
                                              : GRAPH_PENALTY;
        push(p, penalty(0, FO_KP_INF, 0), c, c);
        push(p, glue(0, R, 0), c, c);
        push(p, penalty(hyphen ? hyphen_width(font) : 0, pen, hyphen), c, c);
        push(p, glue(0, -R, 0), c, c);
    } else if (p->attrs[c].is_line_break && kind[c] != BRK_FORBID &&
               !p->attrs[c - 1].is_expandable_space && prev != 0x2028) {
        /* Lao, Khmer, Thai and Burmese have no spaces to justify with and
         * no letter spacing (it would pull their clusters apart), so their
         * lines are set ragged: the best fill, not uniformly bad lines. */
        if (ragged || (is_complex(prev) && is_complex(cp))) {
            push(p, glue(0, R, 0), c, c);
            push(p, penalty(0, 0, 0), c, c);
            push(p, glue(0, -R, 0), c, c);
        } else {
            push(p, penalty(0, 0, 0), c, c);
        }
    }
}

/* Builds the box/glue/penalty list of the paragraph. */
void fo_para_build_items(para_ctx *p, const fo_style *st,
                         const unsigned char *kind)
{
    int ragged = st->align != FO_ALIGN_JUSTIFY;
    int justify_ok = !ragged;
    double R = 3 * st->size; /* ragged-right glue, Knuth's 3em */
    if (st->first_indent > 0)
        push(p, box(st->first_indent), 0, 0);
    for (int c = 0; c < p->nchars; c++) {
        uint32_t cp = g_utf8_get_char(p->text + p->char_byte[c]);
        double w = p->logw[c];
        if (cp == 0x2028) { /* forced line break: the line is not stretched */
            push(p, glue(0, 1e9, 0), c, c + 1);
            push(p, penalty(0, -FO_KP_INF, 0), c, c + 1);
            continue;
        }
        int breakable = c + 1 < p->nchars && p->attrs[c + 1].is_line_break &&
                        !p->attrs[c + 1].is_mandatory_break;
        if (p->attrs[c].is_expandable_space) {
            if (!breakable) {
                push(p, penalty(0, FO_KP_INF, 0), c, c);
                push(p, glue(w, w * st->stretch, w * st->shrink), c, c + 1);
            } else if (ragged) {
                push(p, glue(0, R, 0), c, c + 1);
                push(p, penalty(0, 0, 0), c, c + 1);
                push(p, glue(w, -R, w * st->shrink), c, c + 1);
            } else {
                push(p, glue(w, w * st->stretch, w * st->shrink), c, c + 1);
            }
            continue;
        }
        if (justify_ok && fo_para_cjk_gap(p, c)) {
            /* Between ideographs: a glue that is the breakpoint when Pango
             * allows a break here, else one that is none (a closing mark
             * never starts a line, an opening one never ends it). */
            if (!p->attrs[c].is_line_break)
                push(p, penalty(0, FO_KP_INF, 0), c, c);
            push(p, glue(0, st->size * CJK_STRETCH, st->size * CJK_SHRINK), c,
                 c);
        } else if (c > 0) {
            push_inner_break(p, st, kind, c, ragged);
        }
        if (p->nkp > 0 && p->kp[p->nkp - 1].type == FO_KP_BOX && w > 0 &&
            (st->letter_stretch > 0 || st->letter_shrink > 0) && justify_ok) {
            /* Letter spacing the breaker may use a little of; the
             * infinite penalty makes the gap no break (TeX: glue after a
             * penalty is not a breakpoint). */
            push(p, penalty(0, FO_KP_INF, 0), c, c);
            push(p,
                 glue(0, st->size * st->letter_stretch,
                      st->size * st->letter_shrink),
                 c, c);
        }
        push(p, box(w), c, c);
    }
    push(p, glue(0, 1e9, 0), p->nchars, p->nchars);
    push(p, penalty(0, -FO_KP_INF, 0), p->nchars, p->nchars);
}

/* Hyphenation points per character: kind[c] = BRK_HYPHEN where a hyphen
 * may go before c. Tokens are the runs between spaces and forced breaks;
 * fo_hyph_word skips what must not be hyphenated (URLs, capitals,
 * compounds). */
void fo_para_find_hyphens(const para_ctx *p, fo_hyph *hy, const fo_style *st,
                          unsigned char *kind)
{
    unsigned char *h = fo_xcalloc((size_t)p->nchars + 1, 1);
    fo_hyph_rule rule = {st->hyph_left, st->hyph_right, st->hyph_min_word};
    int c = 0;
    while (c < p->nchars) {
        while (c < p->nchars &&
               (p->attrs[c].is_white ||
                g_utf8_get_char(p->text + p->char_byte[c]) == 0x2028))
            c++;
        int c0 = c;
        while (c < p->nchars && !p->attrs[c].is_white &&
               g_utf8_get_char(p->text + p->char_byte[c]) != 0x2028)
            c++;
        if (c == c0)
            continue;
        if (fo_hyph_word(hy, p->text + p->char_byte[c0],
                         (size_t)(p->char_byte[c] - p->char_byte[c0]), &rule,
                         h + c0) == 0)
            continue;
        int letters = 0;
        for (int k = c0; k < c; k++)
            letters += g_unichar_isalpha(
                           g_utf8_get_char(p->text + p->char_byte[k])) != 0;
        for (int k = c0; k < c; k++)
            if (h[k])
                kind[k] = letters < st->hyph_short_word ? BRK_HYPHEN_SHORT
                                                        : BRK_HYPHEN;
    }
    free(h);
}

void fo_para_dictionary_breaks(const char *text, int len, const char *lang,
                               PangoLogAttr *attrs, int nchars)
{
    int any = 0;
    for (const char *q = text; q < text + len && !any; q = g_utf8_next_char(q))
        any = is_complex(g_utf8_get_char(q));
    if (!any)
        return;
    UErrorCode err = U_ZERO_ERROR;
    int32_t ulen = 0;
    u_strFromUTF8(NULL, 0, &ulen, text, len, &err);
    err = U_ZERO_ERROR;
    UChar *u = fo_xmalloc(sizeof(UChar) * (size_t)(ulen + 1));
    u_strFromUTF8(u, ulen + 1, NULL, text, len, &err);
    /* UTF-16 index → character index, and each character's code point. */
    int *u2c = fo_xcalloc((size_t)ulen + 1, sizeof *u2c);
    unsigned char *cplx = fo_xcalloc((size_t)nchars + 1, 1);
    const char *q = text;
    for (int c = 0, i = 0; c < nchars; c++, q = g_utf8_next_char(q)) {
        uint32_t cp = g_utf8_get_char(q);
        cplx[c] = (unsigned char)is_complex(cp);
        u2c[i++] = c;
        if (cp > 0xFFFF && i <= ulen)
            u2c[i++] = c;
    }
    u2c[ulen] = nchars;
    UBreakIterator *bi =
        U_SUCCESS(err) ? ubrk_open(UBRK_LINE, lang, u, ulen, &err) : NULL;
    if (bi && U_SUCCESS(err)) {
        unsigned char *at = fo_xcalloc((size_t)nchars + 1, 1);
        for (int32_t b = ubrk_first(bi); b != UBRK_DONE; b = ubrk_next(bi))
            if (b >= 0 && b <= ulen)
                at[u2c[b]] = 1;
        /* Inside a run of such text ICU decides; elsewhere Pango does. */
        for (int c = 1; c < nchars; c++)
            if (cplx[c - 1] && cplx[c])
                attrs[c].is_line_break = at[c] && attrs[c].is_cursor_position;
        free(at);
    }
    if (bi)
        ubrk_close(bi);
    free(u);
    free(u2c);
    free(cplx);
}
