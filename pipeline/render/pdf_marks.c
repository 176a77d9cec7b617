/* Printer's marks: what the print profile draws in the slug, the band
 * between the bleed's edge and the media's edge (docs/templates.md,
 * Print). Everything here lies outside the BleedBox and inside the
 * MediaBox, never on the trim or the bleed (tests/cli/print_marks.sh
 * renders a page with and without them and finds every difference there).
 *
 * The marks are drawn around a geometry (fo_pdf_marks_geom), not a
 * display-list page, so that a press sheet carrying several pages can be
 * marked alike: a trim, its bleed, the slug, the folds.
 *
 * Layout of the slug, measured out from the bleed's edge (the slug is
 * FO_PDF_SLUG, 10 mm):
 *  - crop marks on the trim lines at the corners, from 1 mm clear of the
 *    bleed (at least 4 mm from the trim) to 1 mm short of the media;
 *  - registration targets (r 3 mm) centred on each side, in the middle of
 *    the slug;
 *  - fold marks at each fold, in the inner part of the slug (1 to 4 mm
 *    from the bleed), dashed so that they are not taken for crop marks;
 *  - the colour bar in the outer part (5 to 9 mm) below the trim, left of
 *    the target: solid C, M, Y, K, their overprints two by two, and tints
 *    of 75, 50 and 25 % of each;
 *  - the slug line in the outer part above the trim, left of the target:
 *    publication, edition, page, profile and build date, shaped here with
 *    one of the document's own fonts (embedded like any other: PDF/X
 *    wants every font in the file).
 * The registration colour (all four inks) draws everything but the bar. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "pdf_private.h"

#include <hb.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MM FO_PDF_MM

/* The colour bar's patches, CMYK in percent. */
static const unsigned char bar[][4] = {
    {100, 0, 0, 0},   {0, 100, 0, 0},   {0, 0, 100, 0},   {0, 0, 0, 100},
    {100, 100, 0, 0}, {100, 0, 100, 0}, {0, 100, 100, 0}, {75, 0, 0, 0},
    {0, 75, 0, 0},    {0, 0, 75, 0},    {0, 0, 0, 75},    {50, 0, 0, 0},
    {0, 50, 0, 0},    {0, 0, 50, 0},    {0, 0, 0, 50},    {25, 0, 0, 0},
    {0, 25, 0, 0},    {0, 0, 25, 0},    {0, 0, 0, 25}};
enum { NBAR = sizeof bar / sizeof bar[0] };
/* The largest patch, and the smallest worth printing: a densitometer's
 * aperture needs about 3 mm. */
#define PATCH_MAX (5 * MM)
#define PATCH_MIN (3 * MM)
/* The slug line's type size, and the smallest it is set at to fit. */
#define SLUG_SIZE 6.0
#define SLUG_MIN 4.0

typedef struct marks {
    fo_buf *b;
    fo_status st;
} marks;

static void mput(marks *m, const char *s)
{
    if (m->st == FO_OK)
        m->st = fo_buf_puts(m->b, s);
}

static void mnum(marks *m, double v)
{
    char t[64];
    fo_pdf_num(t, sizeof t, v, 3);
    mput(m, t);
    mput(m, " ");
}

static void mline(marks *m, double x0, double y0, double x1, double y1)
{
    mnum(m, x0);
    mnum(m, y0);
    mput(m, "m ");
    mnum(m, x1);
    mnum(m, y1);
    mput(m, "l S\n");
}

/* A registration target: a circle of radius r and a cross through it. */
static void target(marks *m, double x, double y, double r)
{
    const double k = 0.5523 * r; /* Bézier quarter circle */
    double arm = r + 1 * MM;
    mnum(m, x + r);
    mnum(m, y);
    mput(m, "m\n");
    const double q[4][6] = {{x + r, y + k, x + k, y + r, x, y + r},
                            {x - k, y + r, x - r, y + k, x - r, y},
                            {x - r, y - k, x - k, y - r, x, y - r},
                            {x + k, y - r, x + r, y - k, x + r, y}};
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 6; j++)
            mnum(m, q[i][j]);
        mput(m, "c\n");
    }
    mput(m, "S\n");
    mline(m, x - arm, y, x + arm, y);
    mline(m, x, y - arm, x, y + arm);
}

/* From the trim's left edge, what the targets leave for the bar and the
 * slug line on their side: [3 mm, w/2 - r - 2 mm]. */
static double left_room(const fo_pdf_marks_geom *g)
{
    return g->w / 2 - 3 * MM - 3 * MM - 2 * MM;
}

static void color_bar(marks *m, const fo_pdf_marks_geom *g)
{
    double room = left_room(g);
    double side = fmin(PATCH_MAX, room / (double)NBAR);
    size_t n = NBAR;
    if (side < PATCH_MIN) { /* a narrow page: the solids first */
        side = PATCH_MIN;
        n = (size_t)fmax(0, floor(room / side));
    }
    /* 5 to 9 mm out from the bleed, below the trim */
    double y0 = g->y - g->bleed - 9 * MM, h = 4 * MM;
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++)
            mnum(m, bar[i][k] / 100.0);
        mput(m, "k\n");
        mnum(m, g->x + 3 * MM + (double)i * side);
        mnum(m, y0);
        mnum(m, side);
        mnum(m, h);
        mput(m, "re f\n");
    }
}

static void fold_marks(marks *m, const fo_pdf_marks_geom *g)
{
    double d0 = g->bleed + 1 * MM, d1 = g->bleed + 4 * MM;
    mput(m, "[2 1] 0 d\n");
    for (size_t i = 0; i < g->nfolds; i++) {
        double x = g->x + g->folds[i];
        if (g->folds[i] <= 0 || g->folds[i] >= g->w)
            continue; /* a fold on the trim's edge is no fold */
        mline(m, x, g->y + g->h + d0, x, g->y + g->h + d1);
        mline(m, x, g->y - d0, x, g->y - d1);
    }
    mput(m, "[] 0 d\n");
}

fo_status fo_pdf_marks(fo_buf *b, const fo_pdf_marks_geom *g)
{
    marks m = {b, FO_OK};
    double x = g->x, y = g->y, w = g->w, h = g->h;
    mput(&m, "q\n0.25 w\n1 1 1 1 K\n");
    if (g->marks & FO_DL_MARK_CROP) {
        /* clear of the bleed (at least 4 mm from the trim), 1 mm short of
         * the media's edge */
        double d0 = (g->bleed > 3 * MM ? g->bleed : 3 * MM) + MM;
        double d1 = g->bleed + g->slug - MM;
        const double cx[2] = {x, x + w}, cy[2] = {y, y + h};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                double sx = i ? 1 : -1, sy = j ? 1 : -1;
                mline(&m, cx[i] + sx * d0, cy[j], cx[i] + sx * d1, cy[j]);
                mline(&m, cx[i], cy[j] + sy * d0, cx[i], cy[j] + sy * d1);
            }
    }
    if (g->marks & FO_DL_MARK_REGISTRATION) {
        double mid = g->bleed + g->slug / 2, r = 3 * MM;
        target(&m, x + w / 2, y - mid, r);
        target(&m, x + w / 2, y + h + mid, r);
        target(&m, x - mid, y + h / 2, r);
        target(&m, x + w + mid, y + h / 2, r);
    }
    if (g->marks & FO_DL_MARK_FOLDS)
        fold_marks(&m, g);
    if (g->marks & FO_DL_MARK_COLOR_BAR)
        color_bar(&m, g);
    mput(&m, "Q\n");
    return m.st;
}

/* ---- the slug line ---------------------------------------------------- */

/* The document font the slug line is set in: a regular sans if the
 * document has one (Noto Sans in the shipped templates), else its first
 * font; -1 when it has none. */
static int slug_font(const fo_dl_doc *doc)
{
    int best = -1, score = -1;
    for (size_t i = 0; i < doc->nfonts; i++) {
        const char *n = doc->fonts[i].name ? doc->fonts[i].name : "";
        int s = (strstr(n, "Sans") != NULL) * 2 +
                (strstr(n, "Bold") == NULL && strstr(n, "Italic") == NULL);
        if (s > score) {
            score = s;
            best = (int)i;
        }
    }
    return best;
}

char *fo_pdf_slug_text(const fo_dl_doc *doc, const char *page, long long epoch)
{
    struct tm tm;
    time_t t = (time_t)epoch;
    char date[64] = "";
    if (gmtime_r(&t, &tm))
        (void)snprintf(date, sizeof date, "%04d-%02d-%02d %02d:%02d UTC",
                       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min);
    const char *name = doc->print.name ? doc->print.name : doc->title;
    fo_buf b;
    fo_buf_init(&b, 4096);
    fo_status st = fo_buf_printf(
        &b, "%s \xC2\xB7 %s \xC2\xB7 page %s \xC2\xB7 print %s \xC2\xB7 %s",
        name ? name : "untitled", doc->lang ? doc->lang : "-",
        page ? page : "?",
        doc->print.pdfx == FO_DL_PDFX_1A ? "PDF/X-1a:2001" : "PDF/X-4", date);
    if (st != FO_OK) { /* a name over the cap: cut */
        fo_buf_free(&b);
        return fo_xstrdup("?");
    }
    char *s = fo_xstrndup(b.data, b.len);
    fo_buf_free(&b);
    return s;
}

fo_status fo_pdf_slug_line(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                           const fo_pdf_marks_geom *g, const char *text)
{
    int f = slug_font(c->doc);
    if (f < 0 || !text[0])
        return FO_OK; /* a document without text has no font to set it in */
    /* opens the font: its HarfBuzz face shapes the line */
    fo_dl_glyphs g0 = {.font = f, .size = SLUG_SIZE, .text = text};
    fo_status st = fo_pdf_collect_run(c, &g0);
    if (st != FO_OK)
        return st;
    const fo_pdf_font *fs = &c->fonts[f];
    hb_buffer_t *buf = hb_buffer_create();
    hb_buffer_add_utf8(buf, text, -1, 0, -1);
    hb_buffer_guess_segment_properties(buf);
    hb_shape(fs->font, buf, NULL, 0);
    unsigned n = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
    double natural = 0;
    for (unsigned i = 0; i < n; i++)
        natural += pos[i].x_advance;
    natural *= SLUG_SIZE / fs->upem;
    double room = left_room(g), size = SLUG_SIZE;
    if (natural > room && natural > 0)
        size = fmax(SLUG_MIN, SLUG_SIZE * room / natural);
    fo_dl_glyph *gl = fo_xcalloc(n ? n : 1, sizeof *gl);
    for (unsigned i = 0; i < n; i++)
        gl[i] = (fo_dl_glyph){.gid = info[i].codepoint,
                              .x_advance = pos[i].x_advance * size / fs->upem,
                              .x_offset = pos[i].x_offset * size / fs->upem,
                              .y_offset = -pos[i].y_offset * size / fs->upem,
                              .cluster = info[i].cluster};
    hb_buffer_destroy(buf);
    /* trim coordinates, y down (as the display list's): the baseline 6.5
     * mm out from the bleed, above the trim */
    fo_dl_glyphs run = {.font = f,
                        .size = size,
                        .x = 3 * MM,
                        .y = -(g->bleed + 6.5 * MM),
                        .color = {1, 1, 1, 1, 0, 0, 0, 0},
                        .n = (int)n,
                        .glyphs = gl,
                        .text = text,
                        .text_len = strlen(text)};
    st = fo_pdf_collect_run(c, &run);
    if (st == FO_OK) {
        fo_pdf_outs(o, "q\n1 0 0 1 ");
        fo_pdf_outn(o, g->x, 3);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, g->y, 3);
        fo_pdf_outs(o, " cm\n");
        ps->have_fill = 0;
        st = fo_pdf_text_glyphs(c, o, ps, &run);
        fo_pdf_text_end(o, ps);
        fo_pdf_outs(o, "Q\n");
        ps->have_fill = 0;
    }
    free(gl);
    return st;
}
