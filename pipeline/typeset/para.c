/* Paragraph setting: one rich text at one measure → set lines of shaped
 * glyph runs.
 *
 * The paragraph is itemized and shaped once to learn every character's
 * width; Pango's log attributes give the break opportunities; these become
 * a Knuth–Plass box/glue/penalty list (kp.h), and the breaker chooses the
 * lines. Each line piece (an item cut by the line and by style spans) is
 * then cut from the item's glyphs where that is exact (slice) or shaped
 * again with pango_shape_item, which is exact at every kind of cut,
 * including hyphenation points where Pango must add the hyphen glyph and
 * undo a ligature (in "ef-ficient" the "ffi" glyph starts before the cut,
 * and the right piece takes the "fi" one). Glue is set from the pieces'
 * own widths, never from the breaker's estimate, which splits a
 * ligature's advance evenly and leaves out the hyphen's kerning. The set
 * lines are what the flow draws: it keeps them packed
 * (fo_set_para_pack) from measuring to drawing, so that a paragraph is
 * shaped once.
 *
 * Every set line fits its measure, or the paragraph is an error at its
 * text (check_fits). Pango's breaks are completed in three ways: runs of
 * Lao, Khmer, Thai and Burmese take ICU's dictionary word boundaries
 * (fo_para_dictionary_breaks); a segment between two breaks that is wider
 * than the measure gets more breaks (add_long_breaks: URL punctuation,
 * dictionary points, then grapheme boundaries); and a line that comes out
 * wider after re-shaping loses the in-word break it ends at. Letter gaps
 * never stretch or shrink past the style's letter-stretch and
 * letter-shrink, in any pass (glue_ratios).
 *
 * PangoLayout is not used: it cannot shrink spaces and breaks greedily. */
#include "hyph.h"
#include "kp.h"
#include "typeset_private.h"

#include <assert.h>
#include <harfbuzz/hb.h>
#include <math.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <stdlib.h>
#include <string.h>

/* What a KP item means in the text: the line ending at this item stops
 * before character end_char and the next line starts at next_char. */
typedef struct brk_info {
    int end_char, next_char;
} brk_info;

typedef struct para_ctx {
    const fo_template *tmpl; /* character styles, or NULL */
    const char *edition;     /* the edition's language, for messages */
    const char *text;
    int len, nchars;
    int *char_byte; /* nchars + 1 */
    int *byte_char; /* len + 1: byte_to_char */
    PangoLogAttr *attrs;
    double *logw;   /* points per character */
    int *char_item; /* item index of each character */
    PangoItem **items;
    PangoGlyphString **shaped; /* each item shaped whole, once */
    int nitems;
    unsigned char *code; /* per character: in a code token (is_code_token) */
    fo_kp_item *kp;
    brk_info *brk;
    size_t nkp, kp_cap;
} para_ctx;

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
static int cjk_gap(const para_ctx *p, int c)
{
    if (c <= 0 || c >= p->nchars || p->attrs[c].is_white ||
        p->attrs[c - 1].is_white)
        return 0;
    uint32_t a = g_utf8_get_char(p->text + p->char_byte[c - 1]);
    uint32_t b = g_utf8_get_char(p->text + p->char_byte[c]);
    return (is_cjk(a) || is_cjk(b)) && a != 0x2028 && b != 0x2028;
}

/* CJK gap glue as shares of the type size: stretch up to a quarter em,
 * shrink a little (JIS X 4051 lets punctuation give up half its width;
 * this is the simple, uniform version). */
#define CJK_STRETCH 0.25
#define CJK_SHRINK 0.05

static PangoWeight weight_of(int bold)
{
    return bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL;
}

static PangoStyle slant_of(int italic)
{
    return italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL;
}

static void insert(PangoAttrList *al, PangoAttribute *a, const fo_span *sp)
{
    a->start_index = sp->start;
    a->end_index = sp->end;
    pango_attr_list_insert(al, a);
}

/* The font changes a character style makes inside text of style st. */
static void char_style_attrs(PangoAttrList *al, const fo_char_style *cs,
                             const fo_span *sp)
{
    if (cs->set_bold)
        insert(al, pango_attr_weight_new(weight_of(cs->bold)), sp);
    if (cs->set_italic)
        insert(al, pango_attr_style_new(slant_of(cs->italic)), sp);
}

static PangoAttrList *make_attrs(const fo_rich *rich, const fo_style *st,
                                 const fo_template *t)
{
    PangoAttrList *al = pango_attr_list_new();
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, st->family);
    pango_font_description_set_weight(fd, weight_of(st->bold));
    pango_font_description_set_style(fd, slant_of(st->italic));
    pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
    pango_attr_list_insert(al, pango_attr_font_desc_new(fd));
    pango_font_description_free(fd);
    if (st->letter_spacing != 0)
        pango_attr_list_insert(al, pango_attr_letter_spacing_new((int)lround(
                                       st->letter_spacing * PANGO_SCALE)));
    for (int i = 0; i < rich->nspans; i++) {
        const fo_span *sp = &rich->spans[i];
        if (sp->flags & FO_SPAN_BOLD) {
            if (t)
                char_style_attrs(al, &t->strong, sp);
            else /* Bold inside bold text is heavier, as in print. */
                insert(al,
                       pango_attr_weight_new(st->bold ? PANGO_WEIGHT_HEAVY
                                                      : PANGO_WEIGHT_BOLD),
                       sp);
        }
        if (sp->flags & FO_SPAN_ITALIC) {
            if (t)
                char_style_attrs(al, &t->emphasis, sp);
            else /* Italic inside italic text reads as upright. */
                insert(al, pango_attr_style_new(slant_of(!st->italic)), sp);
        }
        if ((sp->flags & FO_SPAN_LINK) && t)
            char_style_attrs(al, &t->link, sp);
        if (sp->flags & FO_SPAN_SUPER)
            insert(al,
                   pango_attr_size_new_absolute(
                       (int)lround(st->size * 0.65 * PANGO_SCALE)),
                   sp);
    }
    return al;
}

static const fo_span *span_at(const fo_rich *rich, int byte)
{
    for (int i = 0; i < rich->nspans; i++)
        if ((int)rich->spans[i].start <= byte && byte < (int)rich->spans[i].end)
            return &rich->spans[i];
    return NULL;
}

/* The next byte offset after b where the span (style or link) changes. */
static int next_span_edge(const fo_rich *rich, int b, int limit)
{
    int best = limit;
    for (int i = 0; i < rich->nspans; i++) {
        int s = (int)rich->spans[i].start, e = (int)rich->spans[i].end;
        if (s > b && s < best)
            best = s;
        if (e > b && e < best)
            best = e;
    }
    return best;
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

/* Break opportunities that para.c adds to Pango's, per character c (a
 * break before c), in para_ctx.kind. Pango finds the breaks of ordinary
 * text; these are what a segment too long for the measure (a URL, a path,
 * a long compound, a run of text without spaces) needs so that every line
 * fits. */
enum {
    BRK_NONE,
    BRK_HYPHEN,     /* a dictionary hyphenation point (the style hyphenates) */
    BRK_LONG_HYPH,  /* a dictionary point in an over-long word */
    BRK_PUNCT,      /* after / . - _ etc. or before @, nothing added */
    BRK_GRAPH_HYPH, /* a grapheme boundary; a hyphen is added */
    BRK_GRAPH,      /* a grapheme boundary; nothing is added */
    BRK_FORBID      /* no break here, even where Pango has one */
};

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
    fo_hyph_word(u->hy, p->text + p->char_byte[c0],
                 (size_t)(p->char_byte[c1] - p->char_byte[c0]),
                 u->st->hyph_left, u->st->hyph_right, pts);
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
static void add_long_breaks(para_ctx *p, unsigned char *kind, fo_hyph *hy,
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
    if (kind[c] == BRK_HYPHEN) {
        push(p, penalty(hyphen_width(font), st->hyphen_penalty, 1), c, c);
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
static void build_items(para_ctx *p, const fo_style *st,
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
        if (justify_ok && cjk_gap(p, c)) {
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

/* The first character that starts at or after byte (a table lookup:
 * setting a line asks this for every glyph). */
static int byte_to_char(const para_ctx *p, int byte)
{
    if (byte <= 0)
        return 0;
    return byte > p->len ? p->nchars : p->byte_char[byte];
}

/* Shapes characters [c0, c1) of item k as one run of the line. */
/* Is a cut before character c one where the paragraph's glyphs can be
 * sliced? At a space (the space itself belongs to neither line), at the
 * item's edges, and at a forced break: slicing there was measured equal
 * to re-shaping (no difference in 4,364 line pieces of English, French
 * and Vietnamese prose cut at spaces, set in Noto Serif). */
static int safe_cut(const para_ctx *p, int c, int item_start, int item_end)
{
    if (c == item_start || c == item_end)
        return 1;
    uint32_t prev = g_utf8_get_char(p->text + p->char_byte[c - 1]);
    uint32_t next = g_utf8_get_char(p->text + p->char_byte[c]);
    return prev == ' ' || next == ' ' || prev == 0x2028 || next == 0x2028;
}

/* The glyphs of characters [c0, c1) cut from item k's shaped string, or
 * NULL when the piece must be shaped again: a hyphen to add, a cut inside
 * a word (a ligature or kerning may change), right-to-left text, or a
 * script other than Latin, Cyrillic or Greek (Lao, Khmer and CJK are always
 * re-shaped until measured). */
static PangoGlyphString *slice(const para_ctx *p, int k, int c0, int c1,
                               int need_hyphen)
{
    const PangoItem *it = p->items[k];
    PangoScript sc = (PangoScript)it->analysis.script;
    if (need_hyphen || (it->analysis.level & 1) ||
        (sc != PANGO_SCRIPT_LATIN && sc != PANGO_SCRIPT_COMMON &&
         sc != PANGO_SCRIPT_CYRILLIC && sc != PANGO_SCRIPT_GREEK &&
         sc != PANGO_SCRIPT_INHERITED))
        return NULL;
    int i0 = byte_to_char(p, it->offset), i1 = i0 + it->num_chars;
    if (!safe_cut(p, c0, i0, i1) || !safe_cut(p, c1, i0, i1))
        return NULL;
    const PangoGlyphString *all = p->shaped[k];
    int b0 = p->char_byte[c0] - it->offset, b1 = p->char_byte[c1] - it->offset;
    int g0 = 0;
    while (g0 < all->num_glyphs && all->log_clusters[g0] < b0)
        g0++;
    int g1 = g0;
    while (g1 < all->num_glyphs && all->log_clusters[g1] < b1)
        g1++;
    PangoGlyphString *gs = pango_glyph_string_new();
    pango_glyph_string_set_size(gs, g1 - g0);
    for (int g = g0; g < g1; g++) {
        gs->glyphs[g - g0] = all->glyphs[g];
        gs->log_clusters[g - g0] = all->log_clusters[g] - b0;
    }
    return gs;
}

/* A character no font has: an error that names it (U+XXXX and its Unicode
 * name), the edition and the text's position, never a box in the output. */
static void report_missing(const para_ctx *p, const fo_rich *rich,
                           const PangoItem *sub, uint32_t cp, fo_diags *d)
{
    char name[128] = "";
    UErrorCode err = U_ZERO_ERROR;
    u_charName((UChar32)cp, U_UNICODE_CHAR_NAME, name, sizeof name, &err);
    if (U_FAILURE(err) || !name[0])
        (void)snprintf(name, sizeof name, "unnamed character");
    fo_error(d, rich->pos,
             "no font has the character U+%04X %s, in the '%s' edition "
             "(in '%.*s')",
             (unsigned)cp, name, p->edition ? p->edition : "?",
             sub->length > 40 ? 40 : sub->length, p->text + sub->offset);
}

static fo_status shape_piece(para_ctx *p, fo_fonts *f, fo_dl_doc *doc,
                             const fo_rich *rich, const fo_style *st, int k,
                             int c0, int c1, int need_hyphen, fo_set_run *run,
                             fo_diags *d)
{
    PangoItem *sub = pango_item_copy(p->items[k]);
    sub->offset = p->char_byte[c0];
    sub->length = p->char_byte[c1] - p->char_byte[c0];
    sub->num_chars = c1 - c0;
    if (need_hyphen)
        sub->analysis.flags |= PANGO_ANALYSIS_FLAG_NEED_HYPHEN;
    else
        sub->analysis.flags &= ~PANGO_ANALYSIS_FLAG_NEED_HYPHEN;
    PangoGlyphString *gs = slice(p, k, c0, c1, need_hyphen);
    if (!gs) {
        gs = pango_glyph_string_new();
        pango_shape_item(sub, p->text, p->len, p->attrs + c0, gs,
                         PANGO_SHAPE_NONE);
    }
    fo_font_info fi = fo_fonts_lookup(f, doc, sub->analysis.font);
    const fo_span *sp = span_at(rich, sub->offset);
    memset(run, 0, sizeof *run);
    run->dl_font = fi.dl_font;
    run->size = fi.size;
    run->text = p->text + sub->offset;
    run->text_len = (size_t)sub->length;
    run->href = sp && (sp->flags & FO_SPAN_LINK) ? sp->href : NULL;
    if (sp && p->tmpl) {
        /* The last character style that sets a colour wins: a link inside
         * bold text takes the link's colour. */
        const fo_char_style *cs[3] = {
            sp->flags & FO_SPAN_BOLD ? &p->tmpl->strong : NULL,
            sp->flags & FO_SPAN_ITALIC ? &p->tmpl->emphasis : NULL,
            sp->flags & FO_SPAN_LINK ? &p->tmpl->link : NULL};
        for (int i = 0; i < 3; i++) {
            if (cs[i] && cs[i]->set_color) {
                run->has_color = 1;
                run->color = cs[i]->color;
            }
            if (cs[i] && cs[i]->underline)
                run->underline = 1;
        }
    }
    run->rise = sp && (sp->flags & FO_SPAN_SUPER) ? st->size * 0.33 : 0;
    run->hyphen = need_hyphen;
    run->lang = rich->lang;
    run->glyphs = fo_xcalloc((size_t)(gs->num_glyphs > 0 ? gs->num_glyphs : 1),
                             sizeof *run->glyphs);
    fo_status st_ = FO_OK;
    for (int i = 0; i < gs->num_glyphs; i++) {
        PangoGlyphInfo *gi = &gs->glyphs[i];
        double adv = gi->geometry.width / (double)PANGO_SCALE;
        if (gi->glyph == PANGO_GLYPH_EMPTY) {
            /* Nothing to draw (U+2028, zero-width controls): keep the
             * advance on the previous glyph. */
            if (run->n > 0)
                run->glyphs[run->n - 1].x_advance += adv;
            else
                run->x += adv;
            continue;
        }
        if (gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG) {
            report_missing(p, rich, sub, gi->glyph & ~PANGO_GLYPH_UNKNOWN_FLAG,
                           d);
            st_ = FO_ERR_INPUT;
            break;
        }
        run->glyphs[run->n++] = (fo_dl_glyph){
            gi->glyph, adv, gi->geometry.x_offset / (double)PANGO_SCALE,
            gi->geometry.y_offset / (double)PANGO_SCALE,
            (uint32_t)gs->log_clusters[i]};
    }
    pango_glyph_string_free(gs);
    pango_item_free(sub);
    return st_;
}

static int is_space_at(const para_ctx *p, const fo_set_run *run,
                       const fo_dl_glyph *g)
{
    int byte = (int)(run->text - p->text) + (int)g->cluster;
    return p->attrs[byte_to_char(p, byte)].is_expandable_space;
}

static int cjk_gap_at(const para_ctx *p, const fo_set_run *run,
                      const fo_dl_glyph *g)
{
    int byte = (int)(run->text - p->text) + (int)g->cluster;
    return cjk_gap(p, byte_to_char(p, byte));
}

/* The glue in the gap before glyph g, which follows prev (NULL after a
 * space or at the line's start): between CJK characters when the line is
 * justified, else between letters when the style allows letter spacing.
 * 0 when the gap takes none; else *y and *z are its stretch and shrink. */
static int gap_glue(const para_ctx *p, const fo_style *st, int justify,
                    const fo_dl_glyph *prev, const fo_set_run *prev_run,
                    const fo_set_run *run, const fo_dl_glyph *g, double *y,
                    double *z)
{
    if (!justify || !prev || (prev_run == run && prev->cluster == g->cluster))
        return 0;
    if (cjk_gap_at(p, run, g)) {
        *y = st->size * CJK_STRETCH;
        *z = st->size * CJK_SHRINK;
        return 1;
    }
    if ((st->letter_stretch > 0 || st->letter_shrink > 0) && g->x_advance > 0 &&
        !is_space_at(p, prev_run, prev)) {
        *y = st->size * st->letter_stretch;
        *z = st->size * st->letter_shrink;
        return 1;
    }
    return 0;
}

/* How far a justified line's spaces (nspaces of them, ws wide in all) may
 * stretch when its letter gaps are at their limit: until a space is one em
 * wide (the widest word space of hand-set emergency lines), and at least
 * to ratio 3 (badness 2700, past the tolerances templates set). A line
 * that needs more is left short rather than spaced without bound. */
static double max_space_ratio(const fo_style *st, int nspaces, double ws)
{
    double r = 3;
    if (nspaces > 0 && ws > 0 && st->stretch > 0)
        r = fmax(r, (st->size * nspaces / ws - 1) / st->stretch);
    return r;
}

/* How much wider than its measure a set line may come out: rounding of
 * glyph advances (Pango units are 1/1024 pt). */
#define FIT_EPS 0.01

/* The end of the run that starts at character c of a line ending at c1:
 * the end of its item or of its style span, whichever comes first. */
static int piece_end(const para_ctx *p, const fo_rich *rich, int c, int c1)
{
    int k = p->char_item[c];
    int item_end = byte_to_char(p, p->items[k]->offset + p->items[k]->length);
    int e = item_end < c1 ? item_end : c1;
    int edge =
        byte_to_char(p, next_span_edge(rich, p->char_byte[c], p->char_byte[e]));
    return edge < e ? edge : e;
}

/* Cuts line [c0, c1) into runs and shapes them. The runs are counted
 * first so that the array has its exact size: a document holds many lines
 * of one or two runs each. */
static fo_status cut_line(para_ctx *p, fo_fonts *f, fo_dl_doc *doc,
                          const fo_rich *rich, const fo_style *st, int c0,
                          int c1, int hyphenated, fo_set_line *line,
                          fo_diags *d)
{
    int n = 0;
    for (int c = c0; c < c1; c = piece_end(p, rich, c, c1))
        n++;
    if (n == 0)
        return FO_OK;
    line->runs = fo_xcalloc((size_t)n, sizeof *line->runs);
    fo_status status = FO_OK;
    int c = c0;
    while (c < c1 && status == FO_OK) {
        int e = piece_end(p, rich, c, c1);
        status =
            shape_piece(p, f, doc, rich, st, p->char_item[c], c, e,
                        hyphenated && e == c1, &line->runs[line->nruns], d);
        line->nruns++;
        c = e;
    }
    return status;
}

/* A set line's natural width and the glue of its interior spaces (ys,
 * zs; ws wide in all, nspaces of them) and, when the style allows it, of
 * the gaps between letters (yl, zl). */
typedef struct line_glue {
    double nat, ys, zs, yl, zl, ws;
    int nspaces;
} line_glue;

static line_glue measure_glue(const para_ctx *p, const fo_style *st, int gaps,
                              const fo_set_line *line)
{
    line_glue lg = {0};
    double gy, gz;
    const fo_dl_glyph *prev = NULL;
    const fo_set_run *prev_run = NULL;
    for (int r = 0; r < line->nruns; r++) {
        const fo_set_run *run = &line->runs[r];
        lg.nat += run->x;
        for (int i = 0; i < run->n; i++) {
            const fo_dl_glyph *g = &run->glyphs[i];
            lg.nat += g->x_advance;
            int space = is_space_at(p, run, g);
            if (space) {
                lg.ys += g->x_advance * st->stretch;
                lg.zs += g->x_advance * st->shrink;
                lg.ws += g->x_advance;
                lg.nspaces++;
            } else if (gap_glue(p, st, gaps, prev, prev_run, run, g, &gy,
                                &gz)) {
                lg.yl += gy;
                lg.zl += gz;
            }
            prev = space ? NULL : g;
            prev_run = run;
        }
    }
    return lg;
}

/* The glue set ratios of spaces (*rs) and of letter gaps (*rl). Letter
 * gaps never go past the style's letter-stretch or letter-shrink
 * (|rl| <= 1), whatever the breaker chose: when a line needs more stretch
 * than that, the spaces take the rest up to their bound, and a line that
 * still falls short stays short (as a last line does). */
static void glue_ratios(const fo_style *st, const line_glue *lg, double avail,
                        int justify, double *rs, double *rl)
{
    double y = lg->ys + lg->yl, z = lg->zs + lg->zl;
    *rs = *rl = 0;
    if (lg->nat > avail && z > 0) {
        *rs = *rl = fmax(-1.0, (avail - lg->nat) / z);
    } else if (justify && lg->nat < avail && y > 0) {
        double r = (avail - lg->nat) / y;
        if (r <= 1 || lg->ys <= 0) {
            *rs = *rl = fmin(r, 1.0);
        } else {
            *rl = 1;
            *rs = fmin((avail - lg->nat - lg->yl) / lg->ys,
                       max_space_ratio(st, lg->nspaces, lg->ws));
        }
    }
}

/* Widens (or narrows) the spaces by rs and the letter gaps by rl; returns
 * how much wider the line became. */
static double apply_glue(const para_ctx *p, const fo_style *st, int gaps,
                         fo_set_line *line, double rs, double rl)
{
    double added = 0, gy, gz;
    fo_dl_glyph *prev = NULL;
    const fo_set_run *prev_run = NULL;
    for (int r = 0; r < line->nruns && (rs != 0 || rl != 0); r++) {
        fo_set_run *run = &line->runs[r];
        for (int i = 0; i < run->n; i++) {
            fo_dl_glyph *g = &run->glyphs[i];
            int space = is_space_at(p, run, g);
            double dw = 0;
            if (space) {
                dw = g->x_advance * (rs > 0 ? st->stretch : st->shrink) * rs;
                g->x_advance += dw;
            } else if (prev && gap_glue(p, st, gaps, prev, prev_run, run, g,
                                        &gy, &gz)) {
                /* the gap before g widens: g's predecessor advances more */
                dw = (rl > 0 ? gy : gz) * rl;
                prev->x_advance += dw;
            }
            added += dw;
            prev = space ? NULL : g;
            prev_run = run;
        }
    }
    return added;
}

/* Cuts line [c0, c1) into runs, shapes them and sets the glue. */
static fo_status set_line(para_ctx *p, fo_fonts *f, fo_dl_doc *doc,
                          const fo_rich *rich, const fo_style *st, double width,
                          int c0, int c1, int hyphenated, int justify,
                          double indent, fo_set_line *line, fo_diags *d)
{
    memset(line, 0, sizeof *line);
    line->hyphenated = hyphenated;
    fo_status status =
        cut_line(p, f, doc, rich, st, c0, c1, hyphenated, line, d);
    if (status != FO_OK)
        return status;
    /* The breaker gives every line of a justified paragraph the letter
     * gaps' shrink, the last one too: a last line may need it to fit. */
    int gaps = st->align == FO_ALIGN_JUSTIFY;
    line_glue lg = measure_glue(p, st, gaps, line);
    double avail = width - indent, rs, rl;
    glue_ratios(st, &lg, avail, justify, &rs, &rl);
    double set = lg.nat + apply_glue(p, st, gaps, line, rs, rl);
    double x = indent;
    if (st->align == FO_ALIGN_CENTER)
        x += (avail - set) / 2;
    else if (st->align == FO_ALIGN_RIGHT)
        x += avail - set;
    for (int r = 0; r < line->nruns; r++) {
        fo_set_run *run = &line->runs[r];
        double w = run->x;
        run->x = x + run->x;
        for (int i = 0; i < run->n; i++)
            w += run->glyphs[i].x_advance;
        x += w;
    }
    line->natural = lg.nat;
    line->width = set;
    line->ratio = rs;
    line->letter_ratio = rl;
    return FO_OK;
}

static void para_ctx_free(para_ctx *p)
{
    for (int i = 0; i < p->nitems; i++) {
        pango_item_free(p->items[i]);
        if (p->shaped)
            pango_glyph_string_free(p->shaped[i]);
    }
    free(p->items);
    free(p->shaped);
    free(p->char_byte);
    free(p->byte_char);
    free(p->attrs);
    free(p->logw);
    free(p->char_item);
    free(p->code);
    free(p->kp);
    free(p->brk);
}

/* Hyphenation points per character: kind[c] = BRK_HYPHEN where a hyphen
 * may go before c. Tokens are the runs between spaces and forced breaks;
 * fo_hyph_word skips what must not be hyphenated (URLs, capitals,
 * compounds). */
static void find_hyphens(const para_ctx *p, fo_hyph *hy, const fo_style *st,
                         unsigned char *kind)
{
    unsigned char *h = fo_xcalloc((size_t)p->nchars + 1, 1);
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
        if (c > c0)
            fo_hyph_word(hy, p->text + p->char_byte[c0],
                         (size_t)(p->char_byte[c] - p->char_byte[c0]),
                         st->hyph_left, st->hyph_right, h + c0);
    }
    for (c = 0; c < p->nchars; c++)
        if (h[c])
            kind[c] = BRK_HYPHEN;
    free(h);
}

FO_STATIC void fo_para_dictionary_breaks(const char *text, int len,
                                         const char *lang, PangoLogAttr *attrs,
                                         int nchars)
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

static int no_letter_spacing(const char *lang)
{
    static const char *const tags[] = {"lo", "km", "th", "my"};
    for (size_t i = 0; lang && i < sizeof tags / sizeof tags[0]; i++)
        if (strncmp(lang, tags[i], 2) == 0 && (lang[2] == 0 || lang[2] == '-'))
            return 1;
    return 0;
}

/* Capitals for running heads and labels: *r's text upper-cased when its
 * spans stay valid (the bytes keep their length, or there are none).
 * Returns the new text (g_free it), which *r may point into. */
static char *uppercase(fo_rich *r)
{
    char *up = g_utf8_strup(r->text, (gssize)r->len);
    if (strlen(up) == r->len || r->nspans == 0) {
        r->text = up;
        r->len = strlen(up);
    }
    return up;
}

/* The language rich is set in: its own (no hyphenation then: the
 * edition's dictionary is for another language), else the edition's. */
static const char *text_lang(const fo_rich *rich, const char *edition,
                             fo_hyph **hy)
{
    if (!rich->lang)
        return edition;
    *hy = NULL;
    return rich->lang;
}

/* Lao, Khmer, Thai and Burmese stack marks around their letters: space
 * between letters would pull clusters apart. st, or a copy in *buf
 * without letter spacing. */
static const fo_style *script_style(const fo_style *st, const char *lang,
                                    fo_style *buf)
{
    if (!no_letter_spacing(lang))
        return st;
    *buf = *st;
    buf->letter_spacing = 0;
    buf->letter_stretch = 0;
    buf->letter_shrink = 0;
    return buf;
}

static void kp_params_of(const fo_style *st, fo_kp_params *kp)
{
    fo_kp_params_default(kp);
    kp->tolerance = st->tolerance;
    kp->pretolerance = st->pretolerance;
    kp->line_penalty = st->line_penalty;
    kp->adj_demerits = st->adj_demerits;
    kp->double_hyphen_demerits = st->double_hyphen_demerits;
    kp->final_hyphen_demerits = st->final_hyphen_demerits;
    kp->max_consecutive_hyphens = st->max_hyphens;
}

/* A set line wider than its measure: an error at the block, never a line
 * drawn past the frame. It happens only when a single grapheme (or a
 * glyph and its hyphen) is wider than the measure, since every over-long
 * segment may break between graphemes. */
static fo_status check_fits(const para_ctx *p, const fo_rich *rich,
                            const fo_set_line *ln, int c0, int c1, double avail,
                            fo_diags *d)
{
    if (ln->width <= avail + FIT_EPS)
        return FO_OK;
    int b0 = p->char_byte[c0], b1 = p->char_byte[c1];
    int n = b1 - b0;
    if (n > 40) /* whole characters only */
        n = (int)(g_utf8_find_prev_char(p->text + b0, p->text + b0 + 41) -
                  (p->text + b0));
    fo_where w = {0};
    w.rule = "measure";
    w.edition = p->edition;
    fo_diag_add_where(d, FO_SEV_ERROR, rich->pos, &w,
                      "'%.*s' is %.1f pt wide and does not fit the %g pt "
                      "measure: a character wider than the measure cannot be "
                      "broken (set it smaller or give it a wider frame)",
                      n, p->text + b0, ln->width, round(avail * 100) / 100);
    return FO_ERR_INPUT;
}

/* Sets the lines of a paragraph whose breaks are known (given), skipping
 * hyphenation and the breaker. */
static fo_status set_given(para_ctx *p, fo_fonts *f, fo_dl_doc *doc,
                           const fo_rich *rich, const fo_style *st,
                           double width, const fo_para_break *given, int n,
                           fo_set_para *out, fo_diags *d)
{
    fo_status status = FO_OK;
    out->lines = fo_xcalloc((size_t)(n ? n : 1), sizeof *out->lines);
    for (int i = 0; i < n && status == FO_OK; i++) {
        const fo_para_break *b = &given[i];
        double indent = i == 0 ? st->first_indent : 0;
        fo_set_line *ln = &out->lines[out->nlines];
        status = set_line(p, f, doc, rich, st, width, b->start, b->end,
                          b->hyphenated, b->justify, indent, ln, d);
        out->nlines++;
        if (status == FO_OK)
            status =
                check_fits(p, rich, ln, b->start, b->end, width - indent, d);
    }
    return status;
}

/* Knuth-Plass over the shaped paragraph, then its lines cut at the
 * breaks; *brks_out (when given) gets the breaks, malloc'd. kind holds
 * the breaks added to Pango's (BRK_*). */
static fo_status break_and_set(para_ctx *p, fo_fonts *f, fo_dl_doc *doc,
                               const fo_rich *rich, const fo_style *st,
                               double width, unsigned char *kind,
                               fo_para_break **brks_out, fo_set_para *out,
                               fo_diags *d)
{
    fo_status status = FO_OK;
    fo_kp_params kpp;
    kp_params_of(st, &kpp);
    /* The breaker measures a piece with the widths of the paragraph shaped
     * whole and a hyphen's nominal width; a piece cut inside a word is
     * shaped again and can come out wider (kerning against the hyphen, a
     * ligature undone: "Of-" from "Office"). A line that then overflows
     * even at full shrink loses the break it ends at, and the paragraph
     * is broken again: exact, and rare. */
    for (int attempt = 0;; attempt++) {
        p->nkp = 0;
        build_items(p, st, kind);
        fo_kp_result res = {0};
        status = fo_kp_break(p->kp, p->nkp, &width, 1, &kpp, &res);
        if (status != FO_OK)
            return status;
        out->lines =
            fo_xcalloc(res.nlines ? res.nlines : 1, sizeof *out->lines);
        if (brks_out)
            *brks_out = fo_xrealloc(*brks_out, (res.nlines ? res.nlines : 1) *
                                                   sizeof **brks_out);
        int start = 0, retry = 0;
        for (size_t i = 0; i < res.nlines && status == FO_OK; i++) {
            size_t b = res.breaks[i];
            int end = p->brk[b].end_char;
            /* A forced break (<br>) or the paragraph's end: not
             * justified. */
            int last = p->kp[b].type == FO_KP_PENALTY &&
                       p->kp[b].penalty <= -FO_KP_INF;
            int justify = st->align == FO_ALIGN_JUSTIFY && !last;
            double indent = i == 0 ? st->first_indent : 0;
            while (start < end && p->attrs[start].is_white &&
                   g_utf8_get_char(p->text + p->char_byte[start]) != 0x00A0)
                start++;
            fo_set_line *ln = &out->lines[out->nlines];
            if (brks_out)
                (*brks_out)[out->nlines] =
                    (fo_para_break){start, end, res.hyphenated[i], justify};
            status = set_line(p, f, doc, rich, st, width, start, end,
                              res.hyphenated[i], justify, indent, ln, d);
            out->nlines++;
            int in_word = !last && end > 0 && end < p->nchars &&
                          !p->attrs[end - 1].is_white &&
                          !p->attrs[end].is_white;
            if (status == FO_OK && in_word && attempt < 8 &&
                ln->width > width - indent + FIT_EPS) {
                kind[end] = BRK_FORBID;
                retry = 1;
            } else if (status == FO_OK) {
                /* Every line fits its measure, or the paragraph is an
                 * error. */
                status = check_fits(p, rich, ln, start, end, width - indent, d);
            }
            start = p->brk[b].next_char;
        }
        fo_kp_result_free(&res);
        if (!retry || status != FO_OK)
            break;
        fo_set_para_free(out);
    }
    return status;
}

/* fo_para_set, fo_para_measure and fo_para_set_again: breaks the
 * paragraph (recording the breaks in *got when not NULL) or, when given
 * is not NULL, sets the n lines it describes. */
static fo_status para_set(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich_in,
                          const fo_style *st, const fo_template *t,
                          const char *lang, fo_hyph *hy, double width,
                          const fo_para_break *given, int ngiven,
                          fo_para_break **got, fo_diags *d, fo_set_para *out)
{
    memset(out, 0, sizeof *out);
    /* A text in another language than the edition's (a block's `lang:`)
     * is shaped, broken and hyphenated as that language. */
    const char *ed_lang = lang;
    lang = text_lang(rich_in, lang, &hy);
    fo_style nols;
    st = script_style(st, lang, &nols);
    fo_rich upper = *rich_in;
    char *up = st->uppercase ? uppercase(&upper) : NULL;
    const fo_rich *rich = &upper;
    unsigned char *kind = NULL;
    para_ctx p = {0};
    p.tmpl = t;
    p.edition = ed_lang;
    p.text = rich->text;
    p.len = (int)rich->len;
    p.nchars = (int)g_utf8_strlen(p.text, p.len);
    p.char_byte = fo_xmalloc(sizeof(int) * (size_t)(p.nchars + 1));
    for (int c = 0, b = 0; c <= p.nchars; c++) {
        p.char_byte[c] = b;
        if (c < p.nchars)
            b = (int)(g_utf8_next_char(p.text + b) - p.text);
    }
    p.byte_char = fo_xmalloc(sizeof(int) * (size_t)(p.len + 1));
    for (int b = 0, c = 0; b <= p.len; b++) {
        while (c < p.nchars && p.char_byte[c] < b)
            c++;
        p.byte_char[b] = c;
    }
    p.attrs = fo_xcalloc((size_t)p.nchars + 1, sizeof *p.attrs);
    p.logw = fo_xcalloc((size_t)p.nchars + 1, sizeof *p.logw);
    p.char_item = fo_xcalloc((size_t)p.nchars + 1, sizeof *p.char_item);
    PangoLanguage *language = pango_language_from_string(lang);
    pango_get_log_attrs(p.text, p.len, -1, language, p.attrs, p.nchars + 1);
    fo_para_dictionary_breaks(p.text, p.len, lang, p.attrs, p.nchars);

    pango_context_set_language(f->ctx, language);
    PangoAttrList *al = make_attrs(rich, st, t);
    GList *items = pango_itemize(f->ctx, p.text, 0, p.len, al, NULL);
    pango_attr_list_unref(al);
    p.nitems = (int)g_list_length(items);
    p.items =
        fo_xcalloc((size_t)(p.nitems ? p.nitems : 1), sizeof(PangoItem *));
    p.shaped = fo_xcalloc((size_t)(p.nitems ? p.nitems : 1),
                          sizeof(PangoGlyphString *));
    int k = 0;
    int *logw_pu = fo_xcalloc((size_t)p.nchars + 1, sizeof *logw_pu);
    for (GList *l = items; l; l = l->next, k++) {
        PangoItem *it = l->data;
        p.items[k] = it;
        int c0 = byte_to_char(&p, it->offset);
        for (int c = c0; c < c0 + it->num_chars; c++)
            p.char_item[c] = k;
        PangoGlyphString *gs = pango_glyph_string_new();
        pango_shape_item(it, p.text, p.len, p.attrs + c0, gs, PANGO_SHAPE_NONE);
        pango_glyph_string_get_logical_widths(gs, p.text + it->offset,
                                              it->length, it->analysis.level,
                                              logw_pu + c0);
        p.shaped[k] = gs;
    }
    g_list_free(items);
    for (int c = 0; c < p.nchars; c++)
        p.logw[c] = logw_pu[c] / (double)PANGO_SCALE;
    free(logw_pu);

    fo_status status = FO_OK;
    fo_para_break *brks = NULL;
    if (p.nchars == 0)
        goto out;
    if (given) {
        status = set_given(&p, f, doc, rich, st, width, given, ngiven, out, d);
        goto out;
    }
    kind = fo_xcalloc((size_t)p.nchars + 1, 1);
    if (st->hyphenate && hy)
        find_hyphens(&p, hy, st, kind);
    add_long_breaks(&p, kind, hy, st, width);
    status = break_and_set(&p, f, doc, rich, st, width, kind,
                           got ? &brks : NULL, out, d);
out:
    free(kind);
    out->owned_text = up; /* the runs point into it */
    para_ctx_free(&p);
    if (status != FO_OK) {
        fo_set_para_free(out);
        memset(out, 0, sizeof *out);
        free(brks);
        brks = NULL;
    }
    if (got)
        *got = brks;
    return status;
}

fo_status fo_para_set(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                      const fo_style *st, const fo_template *t,
                      const char *lang, fo_hyph *hy, double width, fo_diags *d,
                      fo_set_para *out)
{
    return para_set(f, doc, rich, st, t, lang, hy, width, NULL, 0, NULL, d,
                    out);
}

fo_status fo_para_measure(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                          const fo_style *st, const fo_template *t,
                          const char *lang, fo_hyph *hy, double width,
                          fo_diags *d, fo_set_para *out, fo_para_break **breaks)
{
    return para_set(f, doc, rich, st, t, lang, hy, width, NULL, 0, breaks, d,
                    out);
}

fo_status fo_para_set_again(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                            const fo_style *st, const fo_template *t,
                            const char *lang, double width,
                            const fo_para_break *breaks, int n, fo_diags *d,
                            fo_set_para *out)
{
    return para_set(f, doc, rich, st, t, lang, NULL, width, breaks, n, NULL, d,
                    out);
}

void fo_set_para_free(fo_set_para *p)
{
    g_free(p->owned_text);
    p->owned_text = NULL;
    for (int i = 0; i < p->nlines; i++) {
        for (int r = 0; r < p->lines[i].nruns; r++)
            free(p->lines[i].runs[r].glyphs);
        free(p->lines[i].runs);
    }
    free(p->lines);
    p->lines = NULL;
    p->nlines = 0;
}

/* The ascent and descent of st's font, from mc when it knows them. */
static void font_extent(fo_fonts *f, fo_metrics_cache *mc, const fo_style *st,
                        double *asc, double *desc)
{
    const void *lang = pango_context_get_language(f->ctx);
    size_t flen = strlen(st->family);
    int cacheable = mc && flen < FO_METRICS_FAMILY;
    for (int i = 0; cacheable && i < FO_METRICS_SLOTS; i++) {
        const struct fo_metrics_slot *s = &mc->slot[i];
        if (s->family[0] && s->bold == st->bold && s->italic == st->italic &&
            s->size == st->size && s->language == lang &&
            strcmp(s->family, st->family) == 0) {
            mc->hits++;
            *asc = s->ascent;
            *desc = s->descent;
            return;
        }
    }
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, st->family);
    pango_font_description_set_weight(fd, weight_of(st->bold));
    pango_font_description_set_style(fd, slant_of(st->italic));
    pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
    PangoFontMetrics *m = pango_context_get_metrics(f->ctx, fd, NULL);
    *asc = pango_font_metrics_get_ascent(m) / (double)PANGO_SCALE;
    *desc = pango_font_metrics_get_descent(m) / (double)PANGO_SCALE;
    pango_font_metrics_unref(m);
    pango_font_description_free(fd);
    if (!mc)
        return;
    mc->misses++;
    if (!cacheable || flen == 0)
        return;
    struct fo_metrics_slot *s = &mc->slot[mc->next];
    mc->next = (mc->next + 1) % FO_METRICS_SLOTS;
    memcpy(s->family, st->family, flen + 1);
    s->bold = st->bold;
    s->italic = st->italic;
    s->size = st->size;
    s->language = lang;
    s->ascent = *asc;
    s->descent = *desc;
}

double fo_style_baseline(fo_fonts *f, fo_metrics_cache *mc, const fo_style *st)
{
    double asc, desc;
    font_extent(f, mc, st, &asc, &desc);
    /* The line box is the leading; the font's ascent+descent sits in its
     * middle. */
    return (st->leading - (asc + desc)) / 2 + asc;
}

size_t fo_set_para_bytes(const fo_set_para *p)
{
    size_t n = (size_t)p->nlines * sizeof *p->lines;
    for (int i = 0; i < p->nlines; i++) {
        const fo_set_line *ln = &p->lines[i];
        n += (size_t)ln->nruns * sizeof *ln->runs;
        for (int r = 0; r < ln->nruns; r++) {
            /* shape_piece allocates at least one glyph */
            int g = ln->runs[r].n > 0 ? ln->runs[r].n : 1;
            n += (size_t)g * sizeof *ln->runs[r].glyphs;
        }
    }
    return n;
}

int fo_para_keep_take(fo_para_keep *k, size_t bytes)
{
    if (bytes > k->cap || k->used > k->cap - bytes) {
        k->refused++;
        return 0;
    }
    k->used += bytes;
    if (k->used > k->peak)
        k->peak = k->used;
    k->kept++;
    return 1;
}

void fo_para_keep_give(fo_para_keep *k, size_t bytes)
{
    assert(bytes <= k->used);
    k->used -= bytes;
}

/* ---- packed set paragraphs -------------------------------------------
 *
 * A set paragraph waiting to be drawn is held as bytes: most of a
 * fo_dl_glyph's 40 bytes are an advance that is a whole number of Pango
 * units (1/1024 pt) and offsets that are zero, so a glyph packs into 5 or
 * 6 bytes, or 13 when justification widened it. Every double is either stored
 * whole or as k/1024 when that division gives back its very bits, so unpacking
 * gives the paragraph exactly as it was set. The buffer is never larger than
 * about the unpacked paragraph it was made from. */

typedef struct pack_buf {
    unsigned char *data;
    size_t len, cap;
} pack_buf;

static void put_bytes(pack_buf *b, const void *p, size_t n)
{
    fo_grow((void **)&b->data, 1, &b->cap, b->len + n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_uint(pack_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put_bytes(b, tmp, n);
}

static void put_int(pack_buf *b, int64_t v)
{
    put_uint(b, v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1);
}

static uint64_t get_uint(const unsigned char **p)
{
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        unsigned char c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
}

static int64_t get_int(const unsigned char **p)
{
    uint64_t u = get_uint(p);
    return u & 1 ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
}

static void get_bytes(const unsigned char **p, void *out, size_t n)
{
    memcpy(out, *p, n);
    *p += n;
}

/* How a double is stored: zero (+0.0), k/1024, or its 8 bytes. */
enum { NUM_ZERO, NUM_UNITS, NUM_RAW };

/* Are a and b the same bits (-0.0 is not 0.0)? */
static int same_bits(double a, double b)
{
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

static int num_kind(double v, int64_t *k)
{
    if (same_bits(v, 0.0))
        return NUM_ZERO;
    if (fabs(v) < 1e12) {
        double u = v * PANGO_SCALE;
        *k = (int64_t)u;
        if (same_bits((double)*k / (double)PANGO_SCALE, v))
            return NUM_UNITS;
    }
    return NUM_RAW;
}

static void put_num(pack_buf *b, int kind, double v, int64_t k)
{
    if (kind == NUM_UNITS)
        put_int(b, k);
    else if (kind == NUM_RAW)
        put_bytes(b, &v, sizeof v);
}

static double get_num(const unsigned char **p, int kind)
{
    double v = 0;
    if (kind == NUM_UNITS)
        v = (double)get_int(p) / (double)PANGO_SCALE;
    else if (kind == NUM_RAW)
        get_bytes(p, &v, sizeof v);
    return v;
}

enum {
    RUN_HYPHEN = 1,
    RUN_COLOR = 2,
    RUN_UNDERLINE = 4,
    RUN_HREF = 8,
    RUN_LANG = 16
};

static void pack_glyphs(pack_buf *b, const fo_set_run *run)
{
    uint32_t prev = 0;
    for (int i = 0; i < run->n; i++) {
        const fo_dl_glyph *g = &run->glyphs[i];
        int64_t ka = 0, kx = 0, ky = 0;
        int a = num_kind(g->x_advance, &ka);
        int x = num_kind(g->x_offset, &kx);
        int y = num_kind(g->y_offset, &ky);
        /* clusters rise through a left-to-right run: a small step */
        int back = g->cluster < prev;
        unsigned char tag = (unsigned char)(a | x << 2 | y << 4 | back << 6);
        put_bytes(b, &tag, 1);
        put_uint(b, g->gid);
        put_num(b, a, g->x_advance, ka);
        put_num(b, x, g->x_offset, kx);
        put_num(b, y, g->y_offset, ky);
        put_uint(b, back ? g->cluster : g->cluster - prev);
        prev = g->cluster;
    }
}

void fo_set_para_pack(fo_set_para *p, const char *base, fo_packed_para *out)
{
    memset(out, 0, sizeof *out);
    pack_buf b = {0};
    const char *text = p->owned_text ? p->owned_text : base;
    for (int i = 0; i < p->nlines; i++) {
        const fo_set_line *ln = &p->lines[i];
        put_bytes(&b, &ln->width, sizeof ln->width);
        put_bytes(&b, &ln->natural, sizeof ln->natural);
        put_bytes(&b, &ln->ratio, sizeof ln->ratio);
        put_bytes(&b, &ln->letter_ratio, sizeof ln->letter_ratio);
        put_int(&b, ln->hyphenated);
        put_uint(&b, (uint64_t)ln->nruns);
        for (int r = 0; r < ln->nruns; r++) {
            const fo_set_run *run = &ln->runs[r];
            unsigned char fl =
                (unsigned char)((run->hyphen ? RUN_HYPHEN : 0) |
                                (run->has_color ? RUN_COLOR : 0) |
                                (run->underline ? RUN_UNDERLINE : 0) |
                                (run->href ? RUN_HREF : 0) |
                                (run->lang ? RUN_LANG : 0));
            put_bytes(&b, &fl, 1);
            put_int(&b, run->dl_font);
            put_bytes(&b, &run->size, sizeof run->size);
            put_bytes(&b, &run->x, sizeof run->x);
            put_bytes(&b, &run->rise, sizeof run->rise);
            if (run->has_color)
                put_bytes(&b, &run->color, sizeof run->color);
            if (run->href)
                put_bytes(&b, &run->href, sizeof run->href);
            if (run->lang)
                put_bytes(&b, &run->lang, sizeof run->lang);
            put_uint(&b, (uint64_t)(run->text - text));
            put_uint(&b, run->text_len);
            put_uint(&b, (uint64_t)run->n);
            pack_glyphs(&b, run);
        }
    }
    if (b.len) {
        out->data = fo_xrealloc(b.data, b.len); /* no slack while kept */
    } else {
        free(b.data);
        out->data = NULL;
    }
    out->len = b.len;
    out->nlines = p->nlines;
    out->owned_text = p->owned_text;
    p->owned_text = NULL;
    fo_set_para_free(p);
}

void fo_packed_para_unpack(fo_packed_para *pk, const char *base,
                           fo_set_para *out)
{
    memset(out, 0, sizeof *out);
    out->owned_text = pk->owned_text;
    pk->owned_text = NULL;
    const char *text = out->owned_text ? out->owned_text : base;
    const unsigned char *p = pk->data;
    out->nlines = pk->nlines;
    out->lines =
        fo_xcalloc((size_t)(pk->nlines ? pk->nlines : 1), sizeof *out->lines);
    for (int i = 0; i < pk->nlines; i++) {
        fo_set_line *ln = &out->lines[i];
        get_bytes(&p, &ln->width, sizeof ln->width);
        get_bytes(&p, &ln->natural, sizeof ln->natural);
        get_bytes(&p, &ln->ratio, sizeof ln->ratio);
        get_bytes(&p, &ln->letter_ratio, sizeof ln->letter_ratio);
        ln->hyphenated = (int)get_int(&p);
        ln->nruns = (int)get_uint(&p);
        ln->runs =
            ln->nruns ? fo_xcalloc((size_t)ln->nruns, sizeof *ln->runs) : NULL;
        for (int r = 0; r < ln->nruns; r++) {
            fo_set_run *run = &ln->runs[r];
            unsigned char fl;
            get_bytes(&p, &fl, 1);
            run->hyphen = (fl & RUN_HYPHEN) != 0;
            run->has_color = (fl & RUN_COLOR) != 0;
            run->underline = (fl & RUN_UNDERLINE) != 0;
            run->dl_font = (int)get_int(&p);
            get_bytes(&p, &run->size, sizeof run->size);
            get_bytes(&p, &run->x, sizeof run->x);
            get_bytes(&p, &run->rise, sizeof run->rise);
            if (fl & RUN_COLOR)
                get_bytes(&p, &run->color, sizeof run->color);
            if (fl & RUN_HREF)
                get_bytes(&p, &run->href, sizeof run->href);
            if (fl & RUN_LANG)
                get_bytes(&p, &run->lang, sizeof run->lang);
            run->text = text + get_uint(&p);
            run->text_len = (size_t)get_uint(&p);
            run->n = (int)get_uint(&p);
            run->glyphs = fo_xcalloc((size_t)(run->n > 0 ? run->n : 1),
                                     sizeof *run->glyphs);
            uint32_t prev = 0;
            for (int g = 0; g < run->n; g++) {
                fo_dl_glyph *gl = &run->glyphs[g];
                unsigned char tag;
                get_bytes(&p, &tag, 1);
                gl->gid = (uint32_t)get_uint(&p);
                gl->x_advance = get_num(&p, tag & 3);
                gl->x_offset = get_num(&p, (tag >> 2) & 3);
                gl->y_offset = get_num(&p, (tag >> 4) & 3);
                uint32_t c = (uint32_t)get_uint(&p);
                gl->cluster = (tag & 64) ? c : prev + c;
                prev = gl->cluster;
            }
        }
    }
    assert(pk->len == 0 || p == pk->data + pk->len);
    fo_packed_para_free(pk);
}

size_t fo_packed_para_bytes(const fo_packed_para *pk)
{
    return pk->len + sizeof *pk;
}

void fo_packed_para_free(fo_packed_para *pk)
{
    free(pk->data);
    g_free(pk->owned_text);
    memset(pk, 0, sizeof *pk);
}
