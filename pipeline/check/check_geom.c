/* The page rules on geometry, op by op as fo_check_page reads them:
 *
 *   frame        every glyph run, rectangle, rule and image lies inside
 *                the frame layout filled when it drew it (fo_dl_op.frame:
 *                a column, the text frame, a panel, the page, the bleed);
 *   fold         nothing drawn crosses a fold of a folded sheet;
 *   overlap      no two glyph runs overlap;
 *   letterspace  no run is letterspaced beyond what its style allows:
 *                measured from the glyphs (their advances against the
 *                font's own, read with FreeType), not taken from layout.
 *
 * A run's box is its glyphs' advances across (spaces at its ends left out:
 * they have no ink) and, for the frame rule, from half its size above the
 * baseline (the x-height) down to the baseline: the part of a line that
 * every font draws inside its line box, however tight the leading (a
 * heading set solid has ascenders and descenders beyond its line box, by
 * design). A line whose baseline falls below its frame, or that starts
 * above it, is out; an accent that reaches into the margin is not.
 *
 * For the overlap rule the box is taller, from 0.8 of the size above the
 * baseline to 0.2 below it: the ascender and descender of Latin, Cyrillic
 * and Vietnamese faces (Noto's ascender is 0.71 em at the capitals and
 * about 0.77 em at "d", its descender 0.22 em). Two lines set at a leading
 * of at least their size touch and do not overlap; lines overlap only
 * when one is drawn over the other, by a fraction of a line at least.
 * The boxes are sorted by their top and swept, so a page costs
 * n log n plus the pairs that share a height (the runs of one line, and
 * of the columns side by side), not n².
 *
 * Half a point is the tolerance of every comparison: a hairline rule's
 * half-width, and far below what a reader sees as a spill. */
#include "check_private.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include FT_ADVANCES_H

#define TOL 0.5
#define MM(pt) fo_pt_to_mm(pt)

enum { RULE_FRAME, RULE_FOLD, RULE_OVERLAP, RULE_LETTERSPACE };

/* Has the rule reported this block on this page already? Notes it. */
static int again(fo_checker *c, int rule, const fo_dl_src *src)
{
    if (c->last_block[rule] == src->block &&
        c->last_pos[rule].line == src->pos.line &&
        c->last_pos[rule].col == src->pos.col &&
        c->last_pos[rule].file == src->pos.file)
        return 1;
    c->last_block[rule] = src->block;
    c->last_pos[rule] = src->pos;
    return 0;
}

/* The frame op must lie in, and what to call it in messages. */
static check_box frame_of(const fo_checker *c, const fo_dl_doc *doc,
                          const fo_dl_page *pg, int frame, char *name,
                          size_t len)
{
    double b = doc->bleed;
    if (frame >= 0 && (size_t)frame < pg->nframes) {
        const fo_dl_frame *f = &pg->frames[frame];
        check_box box = {f->x, f->y, f->x + f->w, f->y + f->h};
        switch (f->kind) {
        case FO_DL_FRAME_TEXT:
            (void)snprintf(name, len, "text frame");
            break;
        case FO_DL_FRAME_COLUMN:
            (void)snprintf(name, len, "column");
            break;
        case FO_DL_FRAME_PANEL:
        case FO_DL_FRAME_BOX:
            (void)snprintf(name, len, "panel");
            for (size_t i = 0; i < c->t->npanels; i++) {
                const fo_panel *p = &c->t->panels[i];
                if (fabs(p->x - f->x) < TOL && fabs(p->y - f->y) < TOL &&
                    fabs(p->w - f->w) < TOL && fabs(p->h - f->h) < TOL) {
                    (void)snprintf(name, len, "panel '%s'", p->name);
                    break;
                }
            }
            break;
        }
        return box;
    }
    if (frame == FO_DL_IN_BLEED) {
        (void)snprintf(name, len, "%s", b > 0 ? "bleed" : "page");
        return (check_box){-b, -b, pg->width + b, pg->height + b};
    }
    (void)snprintf(name, len, "page");
    return (check_box){0, 0, pg->width, pg->height};
}

/* The box an op draws in (0: it draws nothing: links, anchors, an empty
 * run). For glyph runs, the frame rule's box (see the top). */
int check_op_box(const fo_dl_op *op, check_box *b)
{
    switch (op->kind) {
    case FO_DL_GLYPHS:
        return check_run_box(&op->u.glyphs, 0.5, 0, b);
    case FO_DL_RECT: {
        const fo_dl_rect *r = &op->u.rect;
        *b = (check_box){r->x, r->y, r->x + r->w, r->y + r->h};
        return r->w > 0 && r->h > 0;
    }
    case FO_DL_LINE: {
        /* Butt caps (PDF's and Cairo's default, which the renderers
         * keep): the stroke widens across the line, not along it. */
        const fo_dl_line *l = &op->u.line;
        double dx = l->x1 - l->x0, dy = l->y1 - l->y0;
        double len = hypot(dx, dy), hw = l->width / 2;
        double ex = len > 0 ? hw * fabs(dy) / len : hw;
        double ey = len > 0 ? hw * fabs(dx) / len : hw;
        *b = (check_box){fmin(l->x0, l->x1) - ex, fmin(l->y0, l->y1) - ey,
                         fmax(l->x0, l->x1) + ex, fmax(l->y0, l->y1) + ey};
        return 1;
    }
    case FO_DL_IMAGE: {
        const fo_dl_image *im = &op->u.image;
        double x0 = im->x, y0 = im->y, x1 = im->x + im->w, y1 = im->y + im->h;
        if (im->clip) {
            x0 = fmax(x0, im->cx);
            y0 = fmax(y0, im->cy);
            x1 = fmin(x1, im->cx + im->cw);
            y1 = fmin(y1, im->cy + im->ch);
        }
        *b = (check_box){x0, y0, x1, y1};
        return x1 > x0 && y1 > y0;
    }
    case FO_DL_LINK:
    case FO_DL_ANCHOR:
    case FO_DL_PLACE: /* imposed sheets are not preflighted */
        break;
    }
    return 0;
}

/* What op is, for messages: the line "…", image 'x.jpg', a rule. */
static void op_name(const fo_dl_doc *doc, const fo_dl_op *op, char *buf,
                    size_t len)
{
    char q[128];
    switch (op->kind) {
    case FO_DL_GLYPHS:
        check_quote(&op->u.glyphs, q, sizeof q);
        (void)snprintf(buf, len, "the text \"%s\"", q);
        return;
    case FO_DL_RECT:
        (void)snprintf(buf, len, "a shaded box");
        return;
    case FO_DL_LINE:
        (void)snprintf(buf, len, "a rule");
        return;
    case FO_DL_IMAGE: {
        const char *src = op->u.image.src;
        if (!src && op->u.image.image >= 0 &&
            (size_t)op->u.image.image < doc->nimages) {
            src = doc->images[op->u.image.image].path;
            const char *slash = strrchr(src, '/');
            src = slash ? slash + 1 : src;
        }
        (void)snprintf(buf, len, "image '%s'", src ? src : "?");
        return;
    }
    case FO_DL_LINK:
    case FO_DL_ANCHOR:
    case FO_DL_PLACE: /* imposed sheets are not preflighted */
        break;
    }
    (void)snprintf(buf, len, "something");
}

/* How far b reaches out of f (the largest of its four overhangs). */
static double overhang(const check_box *b, const check_box *f)
{
    double o = fmax(fmax(f->x0 - b->x0, b->x1 - f->x1),
                    fmax(f->y0 - b->y0, b->y1 - f->y1));
    return o;
}

/* b is what must lie inside, shown what a finding outlines. */
static void rule_frame(fo_checker *c, const fo_dl_doc *doc,
                       const fo_dl_page *pg, int page, const fo_dl_op *op,
                       const check_box *b, const check_box *shown)
{
    char fname[96];
    check_box f = frame_of(c, doc, pg, op->frame, fname, sizeof fname);
    double o = overhang(b, &f);
    if (o <= TOL || again(c, RULE_FRAME, &op->src))
        return;
    char what[192];
    op_name(doc, op, what, sizeof what);
    check_report(c, FO_SEV_ERROR, &op->src, "frame", page, shown,
                 "%s lies %.1f mm outside its %s", what, MM(o), fname);
}

static void rule_fold(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                      int page, const fo_dl_op *op, const check_box *b)
{
    for (size_t i = 0; i < pg->nfolds; i++) {
        double x = pg->folds[i];
        if (b->x0 < x - TOL && b->x1 > x + TOL) {
            if (again(c, RULE_FOLD, &op->src))
                return;
            char what[192];
            op_name(doc, op, what, sizeof what);
            check_report(c, FO_SEV_ERROR, &op->src, "fold", page, b,
                         "%s crosses the fold at %.1f mm from the sheet's "
                         "left edge",
                         what, MM(x));
            return;
        }
    }
}

/* The face of display-list font i, opened once; NULL when it cannot be
 * (the renderers report that). */
static FT_Face face_of(fo_checker *c, const fo_dl_doc *doc, int i)
{
    if (i < 0 || (size_t)i >= doc->nfonts)
        return NULL;
    if ((size_t)i >= c->nfaces) {
        size_t n = doc->nfonts;
        /* sizeof(FT_Face), spelled out: FT_Face is a pointer, which
         * clang-tidy 14 takes sizeof *c->faces for a mistake about. */
        c->faces = fo_xrealloc(c->faces, n * sizeof(FT_Face));
        c->face_tried = fo_xrealloc(c->face_tried, n);
        memset(c->faces + c->nfaces, 0, (n - c->nfaces) * sizeof(FT_Face));
        memset(c->face_tried + c->nfaces, 0, n - c->nfaces);
        c->nfaces = n;
    }
    if (!c->face_tried[i]) {
        c->face_tried[i] = 1;
        if (!c->ft && FT_Init_FreeType(&c->ft) != 0)
            c->ft = NULL;
        if (c->ft && FT_New_Face(c->ft, doc->fonts[i].file, doc->fonts[i].index,
                                 &c->faces[i]) != 0)
            c->faces[i] = NULL;
    }
    return c->faces[i];
}

/* Is the character at byte i of the run's text set by the CJK rules
 * (justified between every two characters, not by letter spacing)? */
static int cjk_at(const fo_dl_glyphs *g, uint32_t i)
{
    if (i >= g->text_len)
        return 0;
    gunichar u =
        g_utf8_get_char_validated(g->text + i, (gssize)(g->text_len - i));
    if (u == (gunichar)-1 || u == (gunichar)-2)
        return 0;
    switch (g_unichar_get_script(u)) {
    case G_UNICODE_SCRIPT_HAN:
    case G_UNICODE_SCRIPT_HIRAGANA:
    case G_UNICODE_SCRIPT_KATAKANA:
    case G_UNICODE_SCRIPT_HANGUL:
    case G_UNICODE_SCRIPT_BOPOMOFO:
        return 1;
    default:
        return (u >= 0x3000 && u <= 0x303F) || (u >= 0xFF00 && u <= 0xFFEF);
    }
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The space the run puts between its letters, measured: at each gap
 * between two letters (the last glyph of a cluster followed by another
 * cluster, neither a space nor CJK), what the glyph advances beyond the
 * font's own advance for it. Kerning moves a few gaps either way; spacing
 * moves every gap alike, so the median is the spacing. 0 when the run has
 * no gap or its font cannot be read. */
static double measured_spacing(fo_checker *c, const fo_dl_doc *doc,
                               const fo_dl_glyphs *g)
{
    FT_Face face = face_of(c, doc, g->font);
    if (!face || g->n < 2)
        return 0;
    double upem = face->units_per_EM > 0 ? face->units_per_EM : 1000;
    size_t n = 0;
    for (int i = 0; i + 1 < g->n; i++) {
        const fo_dl_glyph *a = &g->glyphs[i], *b = &g->glyphs[i + 1];
        if (a->cluster == b->cluster || a->x_advance <= 0 ||
            check_space_at(g->text, g->text_len, a->cluster) ||
            check_space_at(g->text, g->text_len, b->cluster) ||
            cjk_at(g, a->cluster) || cjk_at(g, b->cluster))
            continue;
        FT_Fixed adv;
        if (FT_Get_Advance(face, a->gid, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING,
                           &adv) != 0)
            continue;
        fo_grow((void **)&c->gaps, sizeof *c->gaps, &c->gaps_cap, n + 1);
        c->gaps[n++] = a->x_advance - (double)adv * g->size / upem;
    }
    if (n == 0)
        return 0;
    qsort(c->gaps, n, sizeof *c->gaps, by_value);
    return n % 2 ? c->gaps[n / 2] : (c->gaps[n / 2 - 1] + c->gaps[n / 2]) / 2;
}

/* A hundredth of an em above what the style allows: the share a kerning
 * pair can take of a short run's median, and far below spacing a reader
 * sees (text spaced by 0.05 em looks spaced). On the examples, the
 * measured spacing equals the spacing layout applied to the hundredth of
 * a point. */
#define SPACING_TOL 0.01

static void rule_letterspace(fo_checker *c, const fo_dl_doc *doc, int page,
                             const fo_dl_op *op, const check_box *b)
{
    const fo_dl_glyphs *g = &op->u.glyphs;
    double allowed = g->letterspace_max;
    if (g->n < 2)
        return;
    double got = measured_spacing(c, doc, g);
    if (got <= allowed + SPACING_TOL * g->size ||
        again(c, RULE_LETTERSPACE, &op->src))
        return;
    char q[128];
    check_quote(g, q, sizeof q);
    check_report(c, FO_SEV_ERROR, &op->src, "letterspace", page, b,
                 "the text \"%s\" is letterspaced by %.2f pt between letters; "
                 "its style allows %.2f pt",
                 q, got, allowed);
}

static int by_top(const void *a, const void *b)
{
    const check_run *x = a, *y = b;
    return x->b.y0 < y->b.y0 ? -1 : x->b.y0 > y->b.y0 ? 1 : 0;
}

static int same_src(const fo_dl_src *a, const fo_dl_src *b)
{
    return a->block == b->block && a->pos.line == b->pos.line &&
           a->pos.col == b->pos.col && a->pos.file == b->pos.file;
}

/* Sorted by top, each run meets the runs below it that start before it
 * ends: the only ones that can overlap it. */
static void rule_overlap(fo_checker *c, int page)
{
    check_run *r = c->runs;
    size_t n = c->nruns;
    qsort(r, n, sizeof *r, by_top);
    const fo_dl_src *last_a = NULL, *last_b = NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && r[j].b.y0 < r[i].b.y1 - TOL; j++) {
            double dx = fmin(r[i].b.x1, r[j].b.x1) - fmax(r[i].b.x0, r[j].b.x0);
            double dy = fmin(r[i].b.y1, r[j].b.y1) - fmax(r[i].b.y0, r[j].b.y0);
            if (dx <= TOL || dy <= TOL)
                continue;
            /* the one drawn later is drawn over the other */
            const check_run *a = r[i].op < r[j].op ? &r[i] : &r[j];
            const check_run *b = a == &r[i] ? &r[j] : &r[i];
            if (last_a && same_src(last_a, &a->op->src) &&
                same_src(last_b, &b->op->src))
                continue; /* these two blocks were reported on this page */
            last_a = &a->op->src;
            last_b = &b->op->src;
            char qa[128], qb[128];
            check_quote(&a->op->u.glyphs, qa, sizeof qa);
            check_quote(&b->op->u.glyphs, qb, sizeof qb);
            check_box u = {fmax(a->b.x0, b->b.x0), fmax(a->b.y0, b->b.y0),
                           fmin(a->b.x1, b->b.x1), fmin(a->b.y1, b->b.y1)};
            const fo_pos *ap = &a->op->src.pos;
            const fo_pos *bp = &b->op->src.pos;
            int same = ap->file == bp->file && ap->line == bp->line &&
                       ap->col == bp->col;
            if (ap->file && ap->line > 0 && !same)
                check_report(c, FO_SEV_ERROR, &b->op->src, "overlap", page, &u,
                             "the text \"%s\" is drawn over \"%s\" (from "
                             "%s:%d:%d)",
                             qb, qa, ap->file, ap->line, ap->col);
            else
                check_report(c, FO_SEV_ERROR, &b->op->src, "overlap", page, &u,
                             "the text \"%s\" is drawn over \"%s\"", qb, qa);
        }
}

void check_geom_begin(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                      int page)
{
    memset(c->last_block, 0, sizeof c->last_block);
    memset(c->last_pos, 0, sizeof c->last_pos);
    c->nruns = 0;
    /* The frames themselves lie on the page (a panel's whole box may reach
     * into the bleed): else what fills them is off the sheet. */
    for (size_t i = 0; i < pg->nframes; i++) {
        char name[96], outer[96];
        check_box f = frame_of(c, doc, pg, (int)i, name, sizeof name);
        int box = pg->frames[i].kind == FO_DL_FRAME_BOX;
        check_box p = frame_of(c, doc, pg, box ? FO_DL_IN_BLEED : FO_DL_IN_TRIM,
                               outer, sizeof outer);
        double o = overhang(&f, &p);
        if (o > TOL)
            check_report(c, FO_SEV_ERROR, NULL, "frame", page, &f,
                         "the %s lies %.1f mm outside the %s", name, MM(o),
                         outer);
    }
}

void check_geom_op(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                   int page, const fo_dl_op *op)
{
    check_box b;
    if (!check_op_box(op, &b))
        return;
    check_box ob = b; /* a run's full box: ascenders, descenders */
    if (op->kind == FO_DL_GLYPHS)
        (void)check_run_box(&op->u.glyphs, 0.8, 0.2, &ob);
    rule_frame(c, doc, pg, page, op, &b, &ob);
    rule_fold(c, doc, pg, page, op, &ob);
    if (op->kind != FO_DL_GLYPHS)
        return;
    rule_letterspace(c, doc, page, op, &ob);
    fo_grow((void **)&c->runs, sizeof *c->runs, &c->runs_cap, c->nruns + 1);
    c->runs[c->nruns++] = (check_run){ob, op};
}

void check_geom_end(fo_checker *c, int page)
{
    rule_overlap(c, page);
}
