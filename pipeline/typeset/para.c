/* Paragraph setting: one rich text at one measure → set lines of shaped
 * glyph runs.
 *
 * The paragraph is itemized and shaped once to learn every character's
 * width; Pango's log attributes give the break opportunities; these become
 * a Knuth–Plass box/glue/penalty list (para_breaks.c, kp.h), and the
 * breaker chooses the lines. Each line piece (an item cut by the line and
 * by style spans) is then cut from the item's glyphs where that is exact
 * (slice) or shaped again with pango_shape_item, which is exact at every
 * kind of cut, including hyphenation points where Pango must add the
 * hyphen glyph and undo a ligature (in "ef-ficient" the "ffi" glyph starts
 * before the cut, and the right piece takes the "fi" one). Glue is set
 * from the pieces' own widths, never from the breaker's estimate, which
 * splits a ligature's advance evenly and leaves out the hyphen's kerning.
 * The set lines are what the flow draws: it keeps them packed
 * (para_pack.c) from measuring to drawing, so that a paragraph is shaped
 * once.
 *
 * Every set line fits its measure, or the paragraph is an error at its
 * text (check_fits). Letter gaps never stretch or shrink past the style's
 * letter-stretch and letter-shrink, in any pass (glue_ratios).
 *
 * PangoLayout is not used: it cannot shrink spaces and breaks greedily. */
#include "para_private.h"

#include <math.h>
#include <unicode/uchar.h>
#include <stdlib.h>
#include <string.h>

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
    return fo_para_cjk_gap(p, byte_to_char(p, byte));
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

/* Knuth–Plass at width; for a ragged style with `balance`, the breaks
 * are those of the narrowest measure that keeps the line count, so that
 * the lines come out of even length ("Lễ hội Khai ấn / Đền Trần 2026",
 * not "... Đền Trần / 2026"), while the lines are still set and aligned
 * on the whole width. Found by bisection: a narrower measure never gives
 * fewer lines in practice, and a title is a few dozen items, so the 12
 * breaks cost microseconds. Justified text is left alone (its lines are
 * full by definition). */
static fo_status kp_break(para_ctx *p, const fo_style *st, double width,
                          const fo_kp_params *kpp, fo_kp_result *res)
{
    fo_status s = fo_kp_break(p->kp, p->nkp, &width, 1, kpp, res);
    if (s != FO_OK || !st->balance || st->align == FO_ALIGN_JUSTIFY ||
        res->nlines < 2 || res->overfull)
        return s;
    size_t n = res->nlines;
    double lo = width / 2, hi = width;
    for (int i = 0; i < 12; i++) {
        double w = (lo + hi) / 2;
        fo_kp_result r = {0};
        if (fo_kp_break(p->kp, p->nkp, &w, 1, kpp, &r) != FO_OK)
            break;
        if (r.nlines == n && !r.overfull) {
            fo_kp_result_free(res);
            *res = r;
            hi = w;
        } else {
            fo_kp_result_free(&r);
            lo = w;
        }
    }
    return FO_OK;
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
        fo_para_build_items(p, st, kind);
        fo_kp_result res = {0};
        status = kp_break(p, st, width, &kpp, &res);
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
        fo_para_find_hyphens(&p, hy, st, kind);
    fo_para_add_long_breaks(&p, kind, hy, st, width);
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

fo_status fo_para_shape(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                        const fo_style *st, const fo_template *t,
                        const char *lang, fo_hyph *hy, double width,
                        fo_diags *d, fo_set_para *out, fo_para_break **breaks)
{
    return para_set(f, doc, rich, st, t, lang, hy, width, NULL, 0, breaks, d,
                    out);
}

fo_status fo_para_set(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                      const fo_style *st, const fo_template *t,
                      const char *lang, fo_hyph *hy, double width, fo_diags *d,
                      fo_set_para *out)
{
    if (f->memo)
        return fo_para_memo_shape(f, doc, rich, st, t, lang, hy, width, d, out,
                                  NULL);
    return fo_para_shape(f, doc, rich, st, t, lang, hy, width, d, out, NULL);
}

fo_status fo_para_measure(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                          const fo_style *st, const fo_template *t,
                          const char *lang, fo_hyph *hy, double width,
                          fo_diags *d, fo_set_para *out, fo_para_break **breaks)
{
    if (f->memo)
        return fo_para_memo_shape(f, doc, rich, st, t, lang, hy, width, d, out,
                                  breaks);
    return fo_para_shape(f, doc, rich, st, t, lang, hy, width, d, out, breaks);
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
