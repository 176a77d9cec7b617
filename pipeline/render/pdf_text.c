/* The PDF writer's content streams: the operators of every display-list
 * op that draws, written raw into a page's buffer.
 *
 * Text: one TJ array per glyph run, the glyphs named by their codes in
 * the document's own Type0 fonts (pdf_font.c), with a position adjustment
 * only where the display list's pen and the PDF pen drift apart. A glyph
 * whose occurrence does not match the glyph's ToUnicode entry (a cluster
 * of several glyphs, a glyph shared by two characters, the hyphen that
 * layout inserted at a line break) is wrapped in a /Span with
 * /ActualText, so copy and search give exactly the source text
 * (tests/cli/lang_roundtrip.sh, tests/unit/test_render.c).
 *
 * Rectangles, lines and image placements go between the text objects;
 * each placement is `q [re W n] cm /Im Do Q`, the matrix applying the
 * EXIF orientation.
 *
 * Numbers are formatted without the C library's locale, so that a host
 * program's LC_NUMERIC cannot put a decimal comma into the file. */
#include "pdf_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Pen drift (pt) tolerated before a TJ adjustment is written. */
#define DRIFT_EPS 0.001

static const fo_pos nopos = {NULL, 0, 0};

/* ---- output buffer ---------------------------------------------------- */

void fo_pdf_outs(fo_pdf_out *o, const char *s)
{
    if (o->st == FO_OK)
        o->st = fo_buf_puts(&o->b, s);
}

/* v as four uppercase hex digits (a glyph id, a UTF-16 unit). */
void fo_pdf_outx(fo_pdf_out *o, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char t[5] = {hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                 hex[v & 15], 0};
    fo_pdf_outs(o, t);
}

/* v rounded to dec decimals (0..5). */
double fo_pdf_round(double v, int dec)
{
    static const double scale[] = {1, 10, 100, 1000, 10000, 100000};
    return (double)llround(v * scale[dec]) / scale[dec];
}

/* Formats v with at most dec decimals, trailing zeros trimmed. Integer
 * formatting only: a host program may have set LC_NUMERIC to a locale
 * whose printf("%f") writes a decimal comma, which is not PDF. */
void fo_pdf_num(char *buf, size_t size, double v, int dec)
{
    static const long long scale[] = {1, 10, 100, 1000, 10000, 100000};
    long long q = llround(v * (double)scale[dec]);
    unsigned long long a =
        q < 0 ? 0ull - (unsigned long long)q : (unsigned long long)q;
    unsigned long long ip = a / (unsigned long long)scale[dec];
    unsigned long long fp = a % (unsigned long long)scale[dec];
    const char *sign = q < 0 ? "-" : "";
    if (fp == 0) {
        (void)snprintf(buf, size, "%s%llu", sign, ip);
        return;
    }
    int n = snprintf(buf, size, "%s%llu.%0*llu", sign, ip, dec, fp);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = 0;
}

void fo_pdf_outn(fo_pdf_out *o, double v, int dec)
{
    char tmp[64];
    fo_pdf_num(tmp, sizeof tmp, v, dec);
    fo_pdf_outs(o, tmp);
}

/* UTF-8 → UTF-16BE as hex digits (no BOM), at most max_units units. */
void fo_pdf_out_utf16_hex(fo_pdf_out *o, const char *s, size_t n, int max_units)
{
    int units = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)fo_utf8_decode(s + i, n - i, &cp);
        if (cp >= 0x10000) {
            if (units + 2 > max_units)
                break;
            cp -= 0x10000;
            fo_pdf_outx(o, 0xD800 + (unsigned)(cp >> 10));
            fo_pdf_outx(o, 0xDC00 + (unsigned)(cp & 0x3FF));
            units += 2;
        } else {
            if (units + 1 > max_units)
                break;
            fo_pdf_outx(o, (unsigned)cp);
            units++;
        }
    }
}

/* UTF-8 → UTF-16BE bytes with a BOM, the PDF "text string" form that
 * every reader understands; caller frees. */
unsigned char *fo_pdf_utf16be_bom(const char *s, size_t n, size_t *len)
{
    unsigned char *p = fo_xmalloc(2 + 4 * n);
    size_t o = 0;
    p[o++] = 0xFE;
    p[o++] = 0xFF;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)fo_utf8_decode(s + i, n - i, &cp);
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10),
                     lo = 0xDC00 + (v & 0x3FF);
            p[o++] = (unsigned char)(hi >> 8);
            p[o++] = (unsigned char)hi;
            p[o++] = (unsigned char)(lo >> 8);
            p[o++] = (unsigned char)lo;
        } else {
            p[o++] = (unsigned char)(cp >> 8);
            p[o++] = (unsigned char)cp;
        }
    }
    *len = o;
    return p;
}

/* ---- clusters -------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the run's cluster offsets into c->scratch; returns their count. */
size_t fo_pdf_sort_clusters(fo_pdf_ctx *c, const fo_dl_glyphs *g)
{
    fo_grow((void **)&c->scratch, sizeof *c->scratch, &c->scratch_cap,
            (size_t)g->n + 1);
    for (int i = 0; i < g->n; i++)
        c->scratch[i] = g->glyphs[i].cluster;
    qsort(c->scratch, (size_t)g->n, sizeof *c->scratch, cmp_u32);
    return (size_t)g->n;
}

/* The text of the cluster at byte offset cl: up to the next larger cluster
 * offset of the run, or the run's end (dlist.h's rule). */
void fo_pdf_cluster_text(const fo_pdf_ctx *c, size_t ns, const fo_dl_glyphs *g,
                         uint32_t cl, const char **s, size_t *len)
{
    size_t lo = 0, hi = ns;
    while (lo < hi) { /* first offset > cl */
        size_t mid = (lo + hi) / 2;
        if (c->scratch[mid] <= cl)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo < ns ? c->scratch[lo] : g->text_len;
    if (end > g->text_len)
        end = g->text_len;
    size_t start = cl < end ? cl : end;
    *s = g->text + start;
    *len = end - start;
}

/* Glyphs [i, *j) form one cluster. The inserted hyphen (last glyph of a
 * run marked hyphen) is always a cluster of its own. */
int fo_pdf_cluster_end(const fo_dl_glyphs *g, int i)
{
    if (g->hyphen && i == g->n - 1)
        return i + 1;
    int j = i + 1;
    while (j < g->n && g->glyphs[j].cluster == g->glyphs[i].cluster &&
           !(g->hyphen && j == g->n - 1))
        j++;
    return j;
}

int fo_pdf_is_inserted_hyphen(const fo_dl_glyphs *g, int i)
{
    return g->hyphen && i == g->n - 1;
}

static int starts_with_mark(const char *s, size_t n)
{
    uint32_t cp;
    if (n == 0)
        return 0;
    fo_utf8_decode(s, n, &cp);
    return hb_unicode_general_category(hb_unicode_funcs_get_default(), cp) ==
           HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK;
}

/* An extraction unit: a cluster plus the clusters after it that hold only
 * combining marks (Pango gives a mark without a precomposed form a cluster
 * of its own). Readers that see the mark as a separate character set it
 * apart ("q ̣"), so the unit gets one ActualText. Returns the unit's end
 * and its text in *s, *len. */
static int unit_end(const fo_pdf_ctx *c, size_t ns, const fo_dl_glyphs *g,
                    int i, const char **s, size_t *len)
{
    int j = fo_pdf_cluster_end(g, i);
    const char *t;
    size_t tl;
    fo_pdf_cluster_text(c, ns, g, g->glyphs[i].cluster, &t, &tl);
    const char *lo = t, *hi = t + tl;
    while (j < g->n && !fo_pdf_is_inserted_hyphen(g, j)) {
        fo_pdf_cluster_text(c, ns, g, g->glyphs[j].cluster, &t, &tl);
        if (!starts_with_mark(t, tl))
            break;
        lo = t < lo ? t : lo;
        hi = t + tl > hi ? t + tl : hi;
        j = fo_pdf_cluster_end(g, j);
    }
    *s = lo;
    *len = (size_t)(hi - lo);
    return j;
}

/* What the inserted hyphen extracts as. Tested with pdftotext 22.12:
 * an ActualText of U+002D makes poppler's dehyphenation join the line
 * break ("docu-" + "ment" gives "document"); an empty ActualText gives
 * "docu\nment", and U+00AD or U+2010 are not recognised as hyphens. */
const char fo_pdf_hyphen_text[] = "-";

static int same_text(const char *a, size_t an, const char *b, size_t bn)
{
    return a && an == bn && memcmp(a, b, an) == 0;
}

/* ---- content --------------------------------------------------------- */

/* The colour operands and operator: the swatch's own CMYK values in the
 * print profile (so black, c = m = y = 0, is "0 0 0 1 k", K only), its
 * RGB values otherwise. op is the RGB operator ("rg" or "RG"). */
static void put_color(fo_pdf_out *o, int cmyk, fo_color col, const char *op)
{
    const double v[4] = {cmyk ? col.c : col.r, cmyk ? col.m : col.g,
                         cmyk ? col.y : col.b, col.k};
    for (int i = 0; i < (cmyk ? 4 : 3); i++) {
        fo_pdf_outn(o, v[i], 4);
        fo_pdf_outs(o, " ");
    }
    if (cmyk)
        fo_pdf_outs(o, op[0] == 'r' ? "k\n" : "K\n");
    else {
        fo_pdf_outs(o, op);
        fo_pdf_outs(o, "\n");
    }
}

/* The one place that writes a fill colour. */
static void set_fill(fo_pdf_out *o, fo_pdf_page *ps, fo_color col)
{
    if (ps->have_fill && ps->fill.r == col.r && ps->fill.g == col.g &&
        ps->fill.b == col.b && ps->fill.c == col.c && ps->fill.m == col.m &&
        ps->fill.y == col.y && ps->fill.k == col.k)
        return;
    put_color(o, ps->cmyk, col, "rg");
    ps->have_fill = 1;
    ps->fill = col;
}

/* Stroke colour: same model as set_fill. */
static void set_stroke(fo_pdf_out *o, const fo_pdf_page *ps, fo_color col)
{
    put_color(o, ps->cmyk, col, "RG");
}

/* The graphics state of overprint on (/OP and /op true, /OPM 1: a K-only
 * colour leaves C, M and Y of what lies beneath as they are) or off (the
 * default, knockout), made once per document. */
static HPDF_Dict overprint_gstate(fo_pdf_ctx *c, int on)
{
    if (c->gstate[on])
        return c->gstate[on];
    HPDF_Dict g = fo_pdf_obj_indirect_dict(c->pdf);
    CHECK_PTR(c, g, "ExtGState");
    CHECK(c, HPDF_Dict_AddName(g, "Type", "ExtGState"));
    HPDF_Boolean b = fo_pdf_obj_bool(c->pdf, on);
    CHECK_PTR(c, b, "ExtGState /OP");
    CHECK(c, HPDF_Dict_Add(g, "OP", b));
    b = fo_pdf_obj_bool(c->pdf, on);
    CHECK_PTR(c, b, "ExtGState /op");
    CHECK(c, HPDF_Dict_Add(g, "op", b));
    CHECK(c, HPDF_Dict_AddNumber(g, "OPM", on ? 1 : 0));
    return c->gstate[on] = g;
out:
    return NULL;
}

fo_status fo_pdf_text_overprint(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                                int on)
{
    if (ps->overprint == on)
        return FO_OK;
    HPDF_Dict g = overprint_gstate(c, on);
    const char *name = g ? fo_pdf_obj_gstate_name(ps->hp, g) : NULL;
    if (!name) {
        fo_pdf_lib_fail(c, "overprint graphics state");
        return FO_ERR_LIBRARY;
    }
    /* gs is allowed inside a text object, so the run stays in it */
    fo_pdf_outs(o, "/");
    fo_pdf_outs(o, name);
    fo_pdf_outs(o, " gs\n");
    ps->overprint = on;
    return FO_OK;
}

void fo_pdf_text_end(fo_pdf_out *o, fo_pdf_page *ps)
{
    if (ps->in_text)
        fo_pdf_outs(o, "ET\n");
    ps->in_text = 0;
}

/* A TJ array being written: closed, open after '[' or a number, or inside
 * a hex string (consecutive glyphs share one <…>). */
typedef enum { TJ_CLOSED, TJ_OPEN, TJ_HEX } tj_state;

static void tj_close(fo_pdf_out *o, tj_state *t)
{
    if (*t == TJ_HEX)
        fo_pdf_outs(o, ">");
    if (*t != TJ_CLOSED)
        fo_pdf_outs(o, "]TJ\n");
    *t = TJ_CLOSED;
}

static void tj_open(fo_pdf_out *o, tj_state *t)
{
    if (*t == TJ_CLOSED) {
        fo_pdf_outs(o, "[");
        *t = TJ_OPEN;
    }
}

static void set_tm(fo_pdf_out *o, double x, double y)
{
    fo_pdf_outs(o, "1 0 0 1 ");
    fo_pdf_outn(o, x, 4);
    fo_pdf_outs(o, " ");
    fo_pdf_outn(o, y, 4);
    fo_pdf_outs(o, " Tm\n");
}

static void begin_span(fo_pdf_out *o, tj_state *t, const char *s, size_t n)
{
    tj_close(o, t);
    fo_pdf_outs(o, "/Span<</ActualText<FEFF");
    fo_pdf_out_utf16_hex(o, s, n, FO_PDF_MAX_MAP_UNITS);
    fo_pdf_outs(o, ">>>BDC\n");
}

static void end_span(fo_pdf_out *o, tj_state *t)
{
    tj_close(o, t);
    fo_pdf_outs(o, "EMC\n");
}

/* One glyph run: Tm at its start, then one TJ array. Two pens are
 * tracked: Pango's (the display list) and the one a reader computes from
 * /W widths and the adjustments written so far; an adjustment is written
 * when they drift apart by more than DRIFT_EPS, so the error never grows
 * along a line. A glyph with a vertical offset (a GPOS-placed mark) gets
 * its own Tm, and the next glyph a Tm back on the baseline. */
static void text_run(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                     const fo_dl_glyphs *g)
{
    fo_pdf_font *fs = &c->fonts[g->font];
    double H = ps->page->height;
    if (g->n <= 0)
        return;
    if (!ps->in_text) {
        fo_pdf_outs(o, "BT\n");
        ps->in_text = 1;
        ps->font = -1;
    }
    if (ps->font != g->font || ps->size != g->size) {
        fo_pdf_outs(o, "/");
        fo_pdf_outs(o, ps->font_names[g->font]);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, g->size, 4);
        fo_pdf_outs(o, " Tf\n");
        ps->font = g->font;
        ps->size = g->size;
    }
    set_fill(o, ps, g->color);
    /* Text in another language than the document's: a span with /Lang
     * (the tag was checked by the model: letters, digits, hyphens). */
    int lang_span = g->lang && g->lang[0] &&
                    !(c->doc->lang && strcmp(g->lang, c->doc->lang) == 0);
    if (lang_span) {
        fo_pdf_outs(o, "/Span<</Lang(");
        fo_pdf_outs(o, g->lang);
        fo_pdf_outs(o, ")>>BDC\n");
    }

    size_t ns = fo_pdf_sort_clusters(c, g);
    tj_state tj = TJ_CLOSED;
    double pen = g->x, pdfx = 0, cur_y = 0;
    int need_tm = 1;
    for (int i = 0; i < g->n;) {
        const char *s;
        size_t n;
        int j, span;
        if (fo_pdf_is_inserted_hyphen(g, i)) {
            j = i + 1;
            s = fo_pdf_hyphen_text;
            n = strlen(fo_pdf_hyphen_text);
            span = 1;
        } else {
            j = unit_end(c, ns, g, i, &s, &n);
            uint32_t gid = g->glyphs[i].gid;
            span =
                j - i > 1 || !same_text(fs->text[gid], fs->text_len[gid], s, n);
        }
        if (span)
            begin_span(o, &tj, s, n);
        for (int k = i; k < j; k++) {
            const fo_dl_glyph *gl = &g->glyphs[k];
            double tx = pen + gl->x_offset, ty = g->y + gl->y_offset;
            if (need_tm || ty != cur_y) {
                tj_close(o, &tj);
                set_tm(o, tx, H - ty);
                pdfx = fo_pdf_round(tx, 4);
                cur_y = ty;
                need_tm = 0;
            } else if (fabs(tx - pdfx) > DRIFT_EPS) {
                double adj = fo_pdf_round(-(tx - pdfx) * 1000 / g->size, 3);
                tj_open(o, &tj);
                if (tj == TJ_HEX)
                    fo_pdf_outs(o, ">");
                tj = TJ_OPEN;
                fo_pdf_outn(o, adj, 3);
                pdfx -= adj * g->size / 1000;
            }
            tj_open(o, &tj);
            if (tj != TJ_HEX)
                fo_pdf_outs(o, "<");
            tj = TJ_HEX;
            fo_pdf_outx(o, fo_pdf_code_of(fs, gl->gid));
            pdfx += fs->width[gl->gid] * g->size / 1000;
            pen += gl->x_advance;
        }
        if (span)
            end_span(o, &tj);
        i = j;
    }
    tj_close(o, &tj);
    if (lang_span)
        fo_pdf_outs(o, "EMC\n");
}

/* A glyph run, its font first registered in the page's /Resources. */
fo_status fo_pdf_text_glyphs(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                             const fo_dl_glyphs *g)
{
    if (!ps->font_names[g->font]) {
        HPDF_Dict t0 = c->fonts[g->font].type0;
        ps->font_names[g->font] =
            ps->res ? fo_pdf_obj_res_name(c->pdf, ps->res, "Font", "F", t0)
                    : HPDF_Page_GetLocalFontName(ps->hp, (HPDF_Font)t0);
        if (!ps->font_names[g->font]) {
            fo_pdf_lib_fail(c, "HPDF_Page_GetLocalFontName");
            return FO_ERR_LIBRARY;
        }
    }
    text_run(c, o, ps, g);
    return FO_OK;
}

void fo_pdf_text_rect(fo_pdf_out *o, fo_pdf_page *ps, const fo_dl_rect *r)
{
    fo_pdf_text_end(o, ps);
    set_fill(o, ps, r->color);
    fo_pdf_outn(o, r->x, 4);
    fo_pdf_outs(o, " ");
    fo_pdf_outn(o, ps->page->height - r->y - r->h, 4);
    fo_pdf_outs(o, " ");
    fo_pdf_outn(o, r->w, 4);
    fo_pdf_outs(o, " ");
    fo_pdf_outn(o, r->h, 4);
    fo_pdf_outs(o, " re f\n");
}

void fo_pdf_text_line(fo_pdf_out *o, fo_pdf_page *ps, const fo_dl_line *l)
{
    double H = ps->page->height;
    fo_pdf_text_end(o, ps);
    set_stroke(o, ps, l->color);
    fo_pdf_outn(o, l->width, 4);
    fo_pdf_outs(o, " w ");
    fo_pdf_outn(o, l->x0, 4);
    fo_pdf_outs(o, " ");
    fo_pdf_outn(o, H - l->y0, 4);
    fo_pdf_outs(o, " m ");
    fo_pdf_outn(o, l->x1, 4);
    fo_pdf_outs(o, " ");
    fo_pdf_outn(o, H - l->y1, 4);
    fo_pdf_outs(o, " l S\n");
}

/* ---- images ---------------------------------------------------------- */

/* The image XObject of doc image idx (pdf_image.c), made on its first use:
 * one per image however often it is drawn. Its file's fingerprint (of its
 * bytes, not its path: the same sources in another folder give the same
 * PDF, tests/cli/output_hashes.sh) goes into the /ID: the samples are
 * made only while the file is saved. */
static HPDF_Image get_image(fo_pdf_ctx *c, const fo_dl_image *use)
{
    int idx = use->image;
    /* every use: pdf_image.c keeps the largest placement */
    HPDF_Image img = fo_pdf_image_xobject(c->imgs, use);
    if (!img) {
        fo_pdf_lib_fail(c, "making an image XObject");
        return NULL;
    }
    if (!c->images[idx]) {
        const fo_dl_image_src *src = &c->doc->images[idx];
        fo_pdf_hash_bytes(c, &src->info.hash, sizeof src->info.hash);
        c->images[idx] = img;
    }
    return img;
}

/* q [clip] cm /Im Do Q. The orientation matrix maps the stored image to
 * the shown one in the unit square (y down); composed with the PDF's
 * image space (unit square, first row at the top) and the box (y down on
 * the page, flipped here), the oriented image fills x, y, w, h. */
fo_status fo_pdf_text_image(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                            const fo_dl_image *im)
{
    if (im->image < 0 || (size_t)im->image >= c->doc->nimages) {
        fo_error(c->d, nopos, "image op with unknown image %d", im->image);
        c->input_errors++;
        return FO_OK;
    }
    if (ps->cmyk && c->doc->print.pdfx == FO_DL_PDFX_1A &&
        c->doc->images[im->image].info.has_alpha)
        return fo_pdf_flatten_image(c, o, ps, im);
    HPDF_Image img = get_image(c, im);
    if (!img)
        return FO_ERR_LIBRARY;
    if (ps->cmyk && fo_pdf_image_keeps_alpha(c->imgs, (size_t)im->image))
        ps->transparent = 1;
    const char *name =
        ps->res ? fo_pdf_obj_res_name(c->pdf, ps->res, "XObject", "I", img)
                : HPDF_Page_GetXObjectName(ps->hp, img);
    if (!name) {
        fo_pdf_lib_fail(c, "HPDF_Page_GetXObjectName");
        return FO_ERR_LIBRARY;
    }
    fo_pdf_text_place(c, o, ps, im, name);
    return FO_OK;
}

void fo_pdf_text_place(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                       const fo_dl_image *im, const char *name)
{
    double H = ps->page->height, m[6];
    fo_image_orientation_matrix(c->doc->images[im->image].info.orientation, m);
    /* stored (p, q) in PDF image space: u = p, v = 1 - q */
    double cm[6] = {im->w * m[0],
                    -im->h * m[1],
                    -im->w * m[2],
                    im->h * m[3],
                    im->x + im->w * (m[2] + m[4]),
                    H - im->y - im->h * (m[3] + m[5])};
    double clip[4] = {im->cx, H - im->cy - im->ch, im->cw, im->ch};
    fo_pdf_text_end(o, ps);
    fo_pdf_out_do(o, im->clip ? clip : NULL, cm, name);
}

void fo_pdf_out_do(fo_pdf_out *o, const double *clip, const double *cm,
                   const char *name)
{
    fo_pdf_outs(o, "q\n");
    if (clip) {
        for (int i = 0; i < 4; i++) {
            fo_pdf_outn(o, clip[i], 4);
            fo_pdf_outs(o, " ");
        }
        fo_pdf_outs(o, "re W n\n");
    }
    for (int i = 0; i < 6; i++) {
        fo_pdf_outn(o, cm[i], 4);
        fo_pdf_outs(o, " ");
    }
    fo_pdf_outs(o, "cm /");
    fo_pdf_outs(o, name);
    fo_pdf_outs(o, " Do\nQ\n");
}

fo_status fo_pdf_text_op(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                         const fo_dl_op *op)
{
    switch (op->kind) {
    case FO_DL_GLYPHS:
        return fo_pdf_text_glyphs(c, o, ps, &op->u.glyphs);
    case FO_DL_RECT:
        fo_pdf_text_rect(o, ps, &op->u.rect);
        return FO_OK;
    case FO_DL_LINE:
        fo_pdf_text_line(o, ps, &op->u.line);
        return FO_OK;
    case FO_DL_IMAGE:
        return fo_pdf_text_image(c, o, ps, &op->u.image);
    case FO_DL_LINK:
    case FO_DL_ANCHOR:
    case FO_DL_PLACE:
        return FO_OK;
    }
    return FO_OK;
}
