/* Blocks → elements: each block of a section becomes what the flow can
 * pour — set lines (paragraphs, headings, list items), unbreakable boxes
 * (figures with their caption and credit, key figures, pull quotes) or a
 * table whose rows are the units. Everything is measured here, once; the
 * flow only places and draws. */
#include "flow.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const fo_style *flow_style(const flow *fl, const char *name)
{
    const fo_style *s = fo_template_style(fl->t, name);
    /* The template loader guarantees every FO_STYLE_NAMES style. */
    return s ? s : fo_template_style(fl->t, "body");
}

void flow_fail(flow *fl, fo_status st)
{
    if (fl->status == FO_OK)
        fl->status = st;
}

elem *flow_new_elem(flow *fl, el_kind kind, const fo_block *b)
{
    fo_grow((void **)&fl->el, sizeof *fl->el, &fl->el_cap, (size_t)fl->nel + 1);
    elem *e = &fl->el[fl->nel++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->block = b;
    if (b)
        e->pos = b->pos;
    return e;
}

static const fo_rich *ed_text(const flow *fl, const fo_text *t)
{
    return t->ed[fl->ed];
}

elem *flow_add_text(flow *fl, const fo_rich *rich, const fo_style *st,
                    double width, const fo_block *b)
{
    elem *e = flow_new_elem(fl, EL_TEXT, b);
    e->st = st;
    e->space_before = st->space_before;
    e->space_after = st->space_after;
    e->keep_with_next = st->keep_with_next;
    e->baseline = fo_style_baseline(fl->fonts, st);
    e->pos = rich->pos;
    e->rich = rich;
    e->width = width;
    /* Set now, for the measures and so that fonts enter the document and
     * problems are reported in the order of the content; the lines are
     * dropped until the flow draws them. */
    fo_set_para sp;
    fo_status s = fo_para_measure(fl->fonts, fl->doc, rich, st, fl->t, fl->lang,
                                  fl->hyph, width, fl->d, &sp, &e->breaks);
    if (s != FO_OK) {
        flow_fail(fl, s);
        return e;
    }
    e->nlines = sp.nlines;
    fo_set_para_free(&sp);
    return e;
}

const fo_set_line *flow_text_lines(flow *fl, const elem *ce)
{
    assert(ce->kind == EL_TEXT && ce >= fl->el && ce < fl->el + fl->nel);
    elem *e = &fl->el[ce - fl->el];
    if (e->para.nlines == e->nlines)
        return e->para.lines;
    /* The same input as when it was measured gives the same lines; its
     * problems were reported then. */
    fo_diags quiet;
    fo_diags_init(&quiet);
    fo_set_para_free(&e->para);
    fo_status s =
        fo_para_set_again(fl->fonts, fl->doc, e->rich, e->st, fl->t, fl->lang,
                          e->width, e->breaks, e->nlines, &quiet, &e->para);
    fo_diags_free(&quiet);
    if (s != FO_OK || e->para.nlines != e->nlines) {
        /* Not expected: empty lines, so that callers stay in bounds. */
        assert(s != FO_OK);
        flow_fail(fl, s != FO_OK ? s : FO_ERR_INPUT);
        fo_set_para_free(&e->para);
        e->para.lines = fo_xcalloc((size_t)e->nlines, sizeof *e->para.lines);
        e->para.nlines = e->nlines;
    }
    return e->para.lines;
}

void flow_source(fo_dl_page *pg, const elem *e, fo_dl_src_kind kind)
{
    pg->src = (fo_dl_src){kind, e->pos, e->block, e->section};
}

void flow_emit_line(fo_dl_page *pg, const fo_set_line *ln, const fo_style *st,
                    double x0, double baseline)
{
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        if (run->n == 0)
            continue;
        fo_color color = run->has_color ? run->color : st->color;
        fo_dl_glyphs *g = fo_dl_page_add_glyphs(
            pg, run->dl_font, run->size, x0 + run->x, baseline - run->rise,
            color, run->n, run->text, run->text_len);
        memcpy(g->glyphs, run->glyphs, sizeof *g->glyphs * (size_t)run->n);
        g->hyphen = run->hyphen;
        g->letterspace_max = st->letter_spacing + st->size * st->letter_stretch;
        if (run->lang)
            g->lang = fo_arena_strdup(pg->arena, run->lang);
        double w = 0;
        for (int i = 0; i < run->n; i++)
            w += run->glyphs[i].x_advance;
        if (run->underline) {
            double uy = baseline + st->size * 0.12;
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
            op->u.line = (fo_dl_line){
                x0 + run->x, uy, x0 + run->x + w, uy, st->size * 0.06, color};
        }
        if (run->href) {
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINK);
            op->u.link = (fo_dl_link){x0 + run->x,
                                      baseline - st->size,
                                      w,
                                      st->size * 1.25,
                                      fo_arena_strdup(pg->arena, run->href),
                                      NULL};
        }
    }
}

double flow_draw_text(flow *fl, fo_dl_page *pg, const fo_rich *rich,
                      const fo_style *st, double x, double y, double width)
{
    fo_set_para sp;
    fo_status s = fo_para_set(fl->fonts, fl->doc, rich, st, fl->t, fl->lang,
                              NULL, width, fl->d, &sp);
    if (s != FO_OK) {
        flow_fail(fl, s);
        return 0;
    }
    double base = fo_style_baseline(fl->fonts, st);
    for (int i = 0; i < sp.nlines; i++)
        flow_emit_line(pg, &sp.lines[i], st, x, y + i * st->leading + base);
    double used = sp.nlines * st->leading;
    fo_set_para_free(&sp);
    return used;
}

/* ---- figures --------------------------------------------------------- */

typedef struct figure_lay {
    const fo_figure *fig;
    int image;           /* index in the document's images */
    double img_w, img_h; /* the image box (contain) or frame (cover) */
    fo_set_para caption, credit;
    const fo_style *cap_st, *cred_st;
    double cap_base, cred_base;
} figure_lay;

/* Probes the image once per document; reports an unusable one at the
 * figure's src. Returns the image index or -1. */
static int use_image(flow *fl, const fo_image_ref *ref)
{
    for (size_t i = 0; i < fl->doc->nimages; i++)
        if (strcmp(fl->doc->images[i].path, ref->path) == 0)
            return (int)i;
    fo_image_info info;
    char why[160] = "";
    if (fo_image_prefetch_probe(fl->prefetch, ref->path, &info, why,
                                sizeof why) != FO_OK) {
        fo_image_report(fl->d, ref->pos, ref->src, why);
        flow_fail(fl, FO_ERR_INPUT);
        return -1;
    }
    return fo_dl_doc_image(fl->doc, ref->path, &info);
}

/* Where the image goes inside a w x h box: contain centres it, cover
 * scales it to fill and clips at the focus point. */
void flow_place_image(flow *fl, fo_dl_page *pg, const fo_image_ref *ref,
                      int image, int cover, double fx, double fy, double x,
                      double y, double w, double h)
{
    const fo_image_info *info = &fl->doc->images[image].info;
    double iw = info->shown_w, ih = info->shown_h;
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_IMAGE);
    fo_dl_image *im = &op->u.image;
    if (cover) {
        double s = fmax(w / iw, h / ih);
        double dw = iw * s, dh = ih * s;
        /* the focus point lands as close to the box centre as the image
         * allows */
        double ox = fmin(0, fmax(w - dw, w / 2 - fx * dw));
        double oy = fmin(0, fmax(h - dh, h / 2 - fy * dh));
        *im = (fo_dl_image){.image = image,
                            .x = x + ox,
                            .y = y + oy,
                            .w = dw,
                            .h = dh,
                            .clip = 1,
                            .cx = x,
                            .cy = y,
                            .cw = w,
                            .ch = h};
    } else {
        double s = fmin(w / iw, h / ih);
        double dw = iw * s, dh = ih * s;
        *im = (fo_dl_image){.image = image,
                            .x = x + (w - dw) / 2,
                            .y = y + (h - dh) / 2,
                            .w = dw,
                            .h = dh};
    }
    /* Effective resolution: the image's pixels over the inches it is
     * printed at (the whole image, crop or not). */
    im->ppi = fmin(iw / (im->w / 72.0), ih / (im->h / 72.0));
    im->src = ref->src;
    im->pos = ref->pos;
}

int flow_use_image(flow *fl, const fo_image_ref *ref)
{
    return use_image(fl, ref);
}

static void draw_figure(flow *fl, const elem *e, fo_dl_page *pg, double x,
                        double y, double w)
{
    const figure_lay *f = e->data;
    (void)w;
    flow_place_image(fl, pg, &f->fig->image, f->image,
                     f->fig->fit == FO_FIT_COVER, f->fig->focus_x,
                     f->fig->focus_y, x, y, f->img_w, f->img_h);
    double cy = y + f->img_h + fl->t->figure_gap;
    for (int i = 0; i < f->caption.nlines; i++)
        flow_emit_line(pg, &f->caption.lines[i], f->cap_st, x,
                       cy + i * f->cap_st->leading + f->cap_base);
    cy += f->caption.nlines * f->cap_st->leading;
    for (int i = 0; i < f->credit.nlines; i++)
        flow_emit_line(pg, &f->credit.lines[i], f->cred_st, x,
                       cy + i * f->cred_st->leading + f->cred_base);
}

static void add_figure(flow *fl, const fo_block *b)
{
    const fo_figure *fig = b->figure;
    int img = use_image(fl, &fig->image);
    if (img < 0)
        return;
    const fo_image_info *info = &fl->doc->images[img].info;
    elem *e = flow_new_elem(fl, EL_BOX, b);
    figure_lay *f = fo_arena_alloc(fl->doc->arena, sizeof *f);
    f->fig = fig;
    f->image = img;
    e->span = fig->span;
    double w = fig->span == FO_SPAN_COLUMN ? fl->col_w : fl->text_w;
    if (fig->span == FO_SPAN_PAGE) {
        /* A page of its own, into the bleed: drawn by the page builder
         * (flow_draw_page_figure). Captions are not drawn on it. */
        e->data = f;
        e->height = 0;
        return;
    }
    double aspect = (double)info->shown_h / info->shown_w;
    double h =
        fig->fit == FO_FIT_COVER && fig->height > 0 ? fig->height : w * aspect;
    f->cap_st = flow_style(fl, "caption");
    f->cred_st = flow_style(fl, "credit");
    f->cap_base = fo_style_baseline(fl->fonts, f->cap_st);
    f->cred_base = fo_style_baseline(fl->fonts, f->cred_st);
    const fo_rich *cap = ed_text(fl, &fig->caption);
    const fo_rich *cred = ed_text(fl, &fig->credit);
    if (cap && fo_para_set(fl->fonts, fl->doc, cap, f->cap_st, fl->t, fl->lang,
                           NULL, w, fl->d, &f->caption) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    if (cred && fo_para_set(fl->fonts, fl->doc, cred, f->cred_st, fl->t,
                            fl->lang, NULL, w, fl->d, &f->credit) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    double text_h = f->caption.nlines * f->cap_st->leading +
                    f->credit.nlines * f->cred_st->leading;
    double gap = (cap || cred) ? fl->t->figure_gap : 0;
    /* A figure never outgrows its frame: a tall image is scaled down. */
    double max_h = fl->frame_h * 0.8 - text_h - gap;
    if (h > max_h)
        h = max_h;
    f->img_w = w;
    f->img_h = h;
    e->data = f;
    e->height = h + gap + text_h;
    e->space_before = flow_style(fl, "body")->leading * 0.5;
    e->space_after = flow_style(fl, "body")->leading * 0.6;
}

void flow_draw_page_figure(flow *fl, const elem *e, fo_dl_page *pg)
{
    const figure_lay *f = e->data;
    double b = fl->t->bleed;
    pg->frame = FO_DL_IN_BLEED;
    flow_place_image(fl, pg, &f->fig->image, f->image, 1, f->fig->focus_x,
                     f->fig->focus_y, -b, -b, pg->width + 2 * b,
                     pg->height + 2 * b);
}

/* ---- key figures ----------------------------------------------------- */

typedef struct facts_lay {
    int n, per_row;
    fo_set_para *value, *label;
    const fo_style *vst, *lst;
    const fo_style **vsize; /* per value: a smaller style when it had to
                               shrink to fit its cell, else NULL */
    double *row_h;
    double pad, cell_w;
} facts_lay;

static void draw_facts(flow *fl, const elem *e, fo_dl_page *pg, double x,
                       double y, double w)
{
    const facts_lay *f = e->data;
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){x, y, w, e->height, fl->t->facts_fill};
    double ry = y + f->pad;
    for (int i = 0; i < f->n; i++) {
        int row = i / f->per_row, col = i % f->per_row;
        if (col == 0 && row > 0)
            ry += f->row_h[row - 1];
        double cx = x + f->pad + col * (f->cell_w + f->pad);
        double vb = fo_style_baseline(fl->fonts, f->vst);
        double lb = fo_style_baseline(fl->fonts, f->lst);
        double cy = ry;
        const fo_style *vs = f->vsize[i] ? f->vsize[i] : f->vst;
        for (int l = 0; l < f->value[i].nlines; l++)
            flow_emit_line(pg, &f->value[i].lines[l], vs, cx,
                           cy + l * f->vst->leading + vb);
        cy += f->value[i].nlines * f->vst->leading;
        for (int l = 0; l < f->label[i].nlines; l++)
            flow_emit_line(pg, &f->label[i].lines[l], f->lst, cx,
                           cy + l * f->lst->leading + lb);
    }
}

static void add_facts(flow *fl, const fo_block *b)
{
    elem *e = flow_new_elem(fl, EL_BOX, b);
    facts_lay *f = fo_arena_alloc(fl->doc->arena, sizeof *f);
    f->n = (int)b->nfacts;
    f->per_row = fl->t->facts_per_row > 0 ? fl->t->facts_per_row : 2;
    if (f->per_row > f->n)
        f->per_row = f->n;
    f->pad = 8;
    f->cell_w = (fl->col_w - f->pad * (f->per_row + 1)) / f->per_row;
    f->vst = flow_style(fl, "fact-value");
    f->lst = flow_style(fl, "fact-label");
    f->value = fo_arena_alloc(fl->doc->arena, sizeof *f->value * (size_t)f->n);
    f->label = fo_arena_alloc(fl->doc->arena, sizeof *f->label * (size_t)f->n);
    /* sizeof(const fo_style *), spelled out: clang-tidy 14 mistakes
     * sizeof *f->vsize for the size of a pointer to an aggregate. */
    f->vsize =
        fo_arena_alloc(fl->doc->arena, sizeof(const fo_style *) * (size_t)f->n);
    int rows = (f->n + f->per_row - 1) / f->per_row;
    f->row_h = fo_arena_alloc(fl->doc->arena, sizeof(double) * (size_t)rows);
    for (int i = 0; i < f->n; i++) {
        const fo_rich *v = ed_text(fl, &b->facts[i].value);
        const fo_rich *l = ed_text(fl, &b->facts[i].label);
        if (v && fo_para_set(fl->fonts, fl->doc, v, f->vst, fl->t, fl->lang,
                             NULL, 1e6, fl->d, &f->value[i]) != FO_OK)
            flow_fail(fl, FO_ERR_INPUT);
        if (f->value[i].nlines > 0 && f->value[i].lines[0].width > f->cell_w) {
            /* A big number is one line: too wide for its cell, it is set
             * smaller rather than broken. */
            fo_style *small = fo_arena_alloc(fl->doc->arena, sizeof *small);
            *small = *f->vst;
            double k = f->cell_w / f->value[i].lines[0].width * 0.98;
            small->size *= k;
            small->leading *= k;
            fo_set_para_free(&f->value[i]);
            if (fo_para_set(fl->fonts, fl->doc, v, small, fl->t, fl->lang, NULL,
                            1e6, fl->d, &f->value[i]) != FO_OK)
                flow_fail(fl, FO_ERR_INPUT);
            f->vsize[i] = small;
        }
        if (l && fo_para_set(fl->fonts, fl->doc, l, f->lst, fl->t, fl->lang,
                             NULL, f->cell_w, fl->d, &f->label[i]) != FO_OK)
            flow_fail(fl, FO_ERR_INPUT);
        double h = f->value[i].nlines * f->vst->leading +
                   f->label[i].nlines * f->lst->leading + f->pad;
        int row = i / f->per_row;
        if (h > f->row_h[row])
            f->row_h[row] = h;
    }
    double total = f->pad;
    for (int r = 0; r < rows; r++)
        total += f->row_h[r];
    e->data = f;
    e->height = total;
    e->span = FO_SPAN_COLUMN;
    e->space_before = 6;
    e->space_after = 10;
}

/* ---- pull quotes ----------------------------------------------------- */

typedef struct quote_lay {
    fo_set_para text, by;
    const fo_style *tst, *bst;
    double indent;
} quote_lay;

static void draw_quote(flow *fl, const elem *e, fo_dl_page *pg, double x,
                       double y, double w)
{
    const quote_lay *q = e->data;
    (void)w;
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
    op->u.line =
        (fo_dl_line){x + 1.5, y, x + 1.5, y + e->height, 3, fl->t->quote_rule};
    double tb = fo_style_baseline(fl->fonts, q->tst);
    double bb = fo_style_baseline(fl->fonts, q->bst);
    double cy = y;
    for (int i = 0; i < q->text.nlines; i++)
        flow_emit_line(pg, &q->text.lines[i], q->tst, x + q->indent,
                       cy + i * q->tst->leading + tb);
    cy += q->text.nlines * q->tst->leading + 3;
    for (int i = 0; i < q->by.nlines; i++)
        flow_emit_line(pg, &q->by.lines[i], q->bst, x + q->indent,
                       cy + i * q->bst->leading + bb);
}

static void add_quote(flow *fl, const fo_block *b)
{
    elem *e = flow_new_elem(fl, EL_BOX, b);
    quote_lay *q = fo_arena_alloc(fl->doc->arena, sizeof *q);
    q->tst = flow_style(fl, "quote");
    q->bst = flow_style(fl, "quote-by");
    q->indent = 12;
    double w = fl->col_w - q->indent;
    const fo_rich *t = ed_text(fl, &b->quote->text);
    const fo_rich *by = ed_text(fl, &b->quote->by);
    if (t && fo_para_set(fl->fonts, fl->doc, t, q->tst, fl->t, fl->lang, NULL,
                         w, fl->d, &q->text) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    if (by) {
        /* "— Name", the attribution set as the template's quote-by. */
        size_t n = by->len + 4;
        char *s = fo_arena_alloc(fl->doc->arena, n + 1);
        (void)snprintf(s, n + 1, "\u2014 %s", by->text);
        fo_rich *r = fo_arena_alloc(fl->doc->arena, sizeof *r);
        *r = *by;
        r->text = s;
        r->len = strlen(s);
        fo_span *sp = NULL;
        if (by->nspans) {
            size_t shift = r->len - by->len;
            sp =
                fo_arena_alloc(fl->doc->arena, sizeof *sp * (size_t)by->nspans);
            for (int i = 0; i < by->nspans; i++) {
                sp[i] = by->spans[i];
                sp[i].start += (uint32_t)shift;
                sp[i].end += (uint32_t)shift;
            }
        }
        r->spans = sp;
        if (fo_para_set(fl->fonts, fl->doc, r, q->bst, fl->t, fl->lang, NULL, w,
                        fl->d, &q->by) != FO_OK)
            flow_fail(fl, FO_ERR_INPUT);
    }
    e->data = q;
    e->height = q->text.nlines * q->tst->leading +
                (q->by.nlines ? 3 + q->by.nlines * q->bst->leading : 0);
    e->space_before = q->tst->space_before > 0 ? q->tst->space_before : 8;
    e->space_after = q->tst->space_after > 0 ? q->tst->space_after : 10;
}

/* ---- lists ----------------------------------------------------------- */

static void add_list(flow *fl, const fo_block *b)
{
    const fo_style *st = flow_style(fl, "list");
    double indent = st->size * 1.6;
    const fo_list *li = b->list;
    for (size_t i = 0; i < li->n; i++) {
        const fo_rich *r = ed_text(fl, &li->items[i]);
        if (!r)
            continue;
        elem *e = flow_add_text(fl, r, st, fl->col_w - indent, b);
        e->indent = indent;
        e->marker = li->numbered ? fo_arena_printf(fl->doc->arena, "%d.",
                                                   li->start + (int)i)
                                 : "\u2022";
        /* Items of one list sit closer than paragraphs. */
        e->space_before = i == 0 ? st->space_before : 0;
        e->space_after = i + 1 == li->n ? st->space_after : st->leading * 0.2;
    }
}

/* ---- tables ---------------------------------------------------------- */

/* Decimal separator of the edition: a comma in Vietnamese and French. */
static char decimal_sep(const char *lang)
{
    return (strncmp(lang, "vi", 2) == 0 || strncmp(lang, "fr", 2) == 0 ||
            strncmp(lang, "ru", 2) == 0)
               ? ','
               : '.';
}

/* Width of a one-line cell up to byte `upto` of its text. */
static double width_upto(const fo_set_para *p, size_t upto)
{
    double w = 0;
    if (p->nlines == 0)
        return 0;
    const fo_set_line *ln = &p->lines[0];
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        for (int i = 0; i < run->n; i++) {
            size_t at =
                (size_t)(run->text - ln->runs[0].text) + run->glyphs[i].cluster;
            if (at >= upto)
                return w;
            w += run->glyphs[i].x_advance;
        }
    }
    return w;
}

static double line_w(const fo_set_para *p)
{
    double w = 0;
    for (int i = 0; i < p->nlines; i++)
        if (p->lines[i].width > w)
            w = p->lines[i].width;
    return w;
}

void flow_draw_table_row(flow *fl, const elem *e, fo_dl_page *pg, int r,
                         double x, double y)
{
    const table_lay *t = e->table;
    const fo_style *st = flow_style(fl, r < 0 ? "table-head" : "table");
    double h = r < 0 ? t->head_h : t->row_h[r];
    double total_w = t->col_x[t->ncols - 1] + t->col_w[t->ncols - 1];
    if (r < 0 || (e->block->table->zebra && r % 2 == 1)) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect = (fo_dl_rect){x, y, total_w, h,
                                  r < 0 ? fl->t->table_head_fill
                                        : fl->t->table_zebra_fill};
    }
    double base = fo_style_baseline(fl->fonts, st);
    for (int c = 0; c < t->ncols; c++) {
        const fo_set_para *p =
            r < 0 ? &t->head[c] : &t->cells[r * t->ncols + c];
        double dx = r < 0 ? t->head_dx[c] : t->cell_dx[r * t->ncols + c];
        for (int l = 0; l < p->nlines; l++)
            flow_emit_line(pg, &p->lines[l], st, x + t->col_x[c] + dx,
                           y + t->pad + l * st->leading + base);
    }
    if (r < 0 || r == t->nrows - 1) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
        op->u.line =
            (fo_dl_line){x, y + h, x + total_w, y + h, 0.5, fl->t->rule};
    }
}

/* Text of cell (r, c) in this edition; r = -1 is the header. */
static const fo_rich *cell_text(const flow *fl, const fo_table *tb, int r,
                                int c)
{
    return ed_text(fl,
                   r < 0 ? &tb->cols[c].head : &tb->cells[r * tb->ncols + c]);
}

/* Width of column c's widest cell, each set on one very long line. */
static double natural_width(flow *fl, const fo_table *tb, int c,
                            const fo_style *hst, const fo_style *cst)
{
    double m = 0;
    for (int r = -1; r < (int)tb->nrows; r++) {
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt)
            continue;
        fo_set_para p;
        if (fo_para_set(fl->fonts, fl->doc, txt, r < 0 ? hst : cst, fl->t,
                        fl->lang, NULL, 1e6, fl->d, &p) == FO_OK) {
            m = fmax(m, line_w(&p));
            fo_set_para_free(&p);
        }
    }
    return m;
}

/* Column widths: the weights given, else each column's widest cell,
 * scaled to the column width. */
static void table_widths(flow *fl, const fo_table *tb, table_lay *t,
                         const fo_style *hst, const fo_style *cst)
{
    int nc = t->ncols;
    double inner = 2 * t->pad;
    double *want = fo_arena_alloc(fl->doc->arena, sizeof(double) * (size_t)nc);
    for (int c = 0; c < nc; c++)
        want[c] = tb->cols[c].weight > 0
                      ? tb->cols[c].weight
                      : natural_width(fl, tb, c, hst, cst) + inner;
    double wsum = 0;
    int weighted = 0;
    for (int c = 0; c < nc; c++) {
        wsum += want[c];
        weighted |= tb->cols[c].weight > 0;
    }
    double x = 0;
    for (int c = 0; c < nc; c++) {
        double w = fl->col_w * want[c] / wsum;
        if (!weighted && wsum < fl->col_w) /* spare room to the first col */
            w = want[c] + (c == 0 ? fl->col_w - wsum : 0);
        t->col_x[c] = x;
        t->col_w[c] = w;
        x += w;
    }
}

/* Sets cell (r, c) (r = -1: the header) at its column's width and records
 * the x offset of its text for the column's alignment (decimal columns
 * are aligned afterwards, by align_decimals). Returns the height of its
 * lines. */
static double set_cell(flow *fl, const fo_table *tb, table_lay *t, int r, int c,
                       const fo_style *st)
{
    int nc = t->ncols;
    fo_set_para *p = r < 0 ? &t->head[c] : &t->cells[r * nc + c];
    const fo_rich *txt = cell_text(fl, tb, r, c);
    double cw = t->col_w[c] - 2 * t->pad;
    memset(p, 0, sizeof *p);
    if (txt && fo_para_set(fl->fonts, fl->doc, txt, st, fl->t, fl->lang, NULL,
                           cw, fl->d, p) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    double lw = line_w(p);
    fo_col_align al = tb->cols[c].align;
    double dx = t->pad;
    if (al == FO_COL_RIGHT || (al == FO_COL_DECIMAL && r < 0))
        dx += cw - lw;
    else if (al == FO_COL_CENTER)
        dx += (cw - lw) / 2;
    if (r < 0)
        t->head_dx[c] = dx;
    else
        t->cell_dx[r * nc + c] = dx;
    return p->nlines * st->leading;
}

/* Sets the header and every row; each row is as tall as its tallest
 * cell. */
static void set_cells(flow *fl, const fo_table *tb, table_lay *t,
                      const fo_style *hst, const fo_style *cst)
{
    t->head_h = 0;
    for (int r = -1; r < t->nrows; r++) {
        double rh = 0;
        for (int c = 0; c < t->ncols; c++)
            rh = fmax(rh, set_cell(fl, tb, t, r, c, r < 0 ? hst : cst));
        if (r < 0)
            t->head_h = rh + 2 * t->pad;
        else
            t->row_h[r] = rh + 2 * t->pad;
    }
}

/* Width of a set number up to its decimal separator, or all of it when it
 * has none. */
static double int_width(const fo_set_para *p, const fo_rich *txt, char sep)
{
    const char *s = memchr(txt->text, sep, txt->len);
    return s ? width_upto(p, (size_t)(s - txt->text)) : line_w(p);
}

/* Decimal column c: the separators line up, the widest number sits at the
 * right edge of the column. */
static void align_decimal_column(flow *fl, const fo_table *tb, table_lay *t,
                                 int c, char sep)
{
    int nc = t->ncols;
    double max_int = 0, max_frac = 0;
    for (int r = 0; r < t->nrows; r++) {
        const fo_set_para *p = &t->cells[r * nc + c];
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt || p->nlines == 0)
            continue;
        double wi = int_width(p, txt, sep);
        max_int = fmax(max_int, wi);
        max_frac = fmax(max_frac, line_w(p) - wi);
    }
    double cw = t->col_w[c] - 2 * t->pad;
    for (int r = 0; r < t->nrows; r++) {
        const fo_set_para *p = &t->cells[r * nc + c];
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt || p->nlines == 0)
            continue;
        double wi = int_width(p, txt, sep);
        t->cell_dx[r * nc + c] =
            t->pad + (cw - (max_int + max_frac)) + (max_int - wi);
    }
}

static void align_decimals(flow *fl, const fo_table *tb, table_lay *t)
{
    char sep = decimal_sep(fl->lang);
    for (int c = 0; c < t->ncols; c++)
        if (tb->cols[c].align == FO_COL_DECIMAL)
            align_decimal_column(fl, tb, t, c, sep);
}

static void add_table(flow *fl, const fo_block *b)
{
    const fo_table *tb = b->table;
    const fo_style *hst = flow_style(fl, "table-head");
    const fo_style *cst = flow_style(fl, "table");
    const fo_rich *cap = ed_text(fl, &tb->caption);
    if (cap) {
        elem *c =
            flow_add_text(fl, cap, flow_style(fl, "caption"), fl->col_w, b);
        c->keep_with_next = 1;
    }
    elem *e = flow_new_elem(fl, EL_TABLE, b);
    table_lay *t = fo_arena_alloc(fl->doc->arena, sizeof *t);
    int nc = tb->ncols, nr = (int)tb->nrows;
    t->ncols = nc;
    t->nrows = nr;
    t->pad = 3;
    fo_arena *a = fl->doc->arena;
    t->col_x = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->col_w = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->head = fo_arena_alloc(a, sizeof *t->head * (size_t)nc);
    t->head_dx = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->cells = fo_arena_alloc(a, sizeof *t->cells * (size_t)(nc * nr));
    t->cell_dx = fo_arena_alloc(a, sizeof(double) * (size_t)(nc * nr));
    t->row_h = fo_arena_alloc(a, sizeof(double) * (size_t)nr);
    table_widths(fl, tb, t, hst, cst);
    set_cells(fl, tb, t, hst, cst);
    align_decimals(fl, tb, t);
    e->table = t;
    e->space_before = 4;
    e->space_after = 10;
}

/* ---- a section ------------------------------------------------------- */

void flow_add_blocks(flow *fl, size_t si)
{
    const fo_section *sec = &fl->pub->sections[si];
    for (size_t bi = 0; bi < sec->nblocks; bi++) {
        const fo_block *b = &sec->blocks[bi];
        int first = fl->nel;
        switch (b->kind) {
        case FO_BLOCK_HEADING: {
            const fo_rich *r = ed_text(fl, &b->text);
            if (!r)
                break;
            elem *e = flow_add_text(fl, r,
                                    flow_style(fl, b->level == 2 ? "h2" : "h3"),
                                    fl->col_w, b);
            e->level = b->level;
            e->anchor =
                fo_arena_printf(fl->doc->arena, "s%zu.%zu", si + 1, bi + 1);
            e->title = fo_arena_strndup(fl->doc->arena, r->text, r->len);
            break;
        }
        case FO_BLOCK_PARA: {
            const fo_rich *r = ed_text(fl, &b->text);
            if (r)
                flow_add_text(fl, r, flow_style(fl, "body"), fl->col_w, b);
            break;
        }
        case FO_BLOCK_FIGURE:
            add_figure(fl, b);
            break;
        case FO_BLOCK_FACTS:
            add_facts(fl, b);
            break;
        case FO_BLOCK_TABLE:
            add_table(fl, b);
            break;
        case FO_BLOCK_QUOTE:
            add_quote(fl, b);
            break;
        case FO_BLOCK_LIST:
            add_list(fl, b);
            break;
        case FO_BLOCK_BREAK: {
            elem *e = flow_new_elem(fl, EL_BREAK, b);
            e->brk = b->brk;
            break;
        }
        }
        for (int i = first; i < fl->nel; i++) {
            fl->el[i].section = (int)si;
            if (fl->el[i].kind == EL_BOX && fl->el[i].draw == NULL) {
                if (b->kind == FO_BLOCK_FIGURE)
                    fl->el[i].draw = draw_figure;
                else if (b->kind == FO_BLOCK_FACTS)
                    fl->el[i].draw = draw_facts;
                else if (b->kind == FO_BLOCK_QUOTE)
                    fl->el[i].draw = draw_quote;
            }
        }
    }
}

void flow_release_elem(flow *fl, int i)
{
    elem *e = &fl->el[i];
    fo_set_para_free(&e->para);
    if (e->kind == EL_BOX || e->kind == EL_TABLE)
        e->released = 1;
    if (e->kind == EL_BOX && e->block) {
        if (e->block->kind == FO_BLOCK_FIGURE && e->data) {
            figure_lay *f = e->data;
            fo_set_para_free(&f->caption);
            fo_set_para_free(&f->credit);
        } else if (e->block->kind == FO_BLOCK_FACTS) {
            facts_lay *f = e->data;
            for (int k = 0; k < f->n; k++) {
                fo_set_para_free(&f->value[k]);
                fo_set_para_free(&f->label[k]);
            }
        } else if (e->block->kind == FO_BLOCK_QUOTE) {
            quote_lay *q = e->data;
            fo_set_para_free(&q->text);
            fo_set_para_free(&q->by);
        }
    }
    if (e->kind == EL_TABLE) {
        table_lay *t = e->table;
        for (int c = 0; c < t->ncols; c++)
            fo_set_para_free(&t->head[c]);
        for (int k = 0; k < t->ncols * t->nrows; k++)
            fo_set_para_free(&t->cells[k]);
    }
}

void flow_free_elems(flow *fl)
{
    for (int i = 0; i < fl->nel; i++) {
        flow_release_elem(fl, i);
        free(fl->el[i].breaks);
    }
    free(fl->el);
    fl->el = NULL;
    fl->nel = 0;
    fl->el_cap = 0;
}
