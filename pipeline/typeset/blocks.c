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
    e->baseline = fo_style_baseline(fl->fonts, &fl->metrics, st);
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
    fo_set_para_pack(&sp, rich->text, &e->packed);
    size_t bytes = fo_packed_para_bytes(&e->packed);
    if (fo_para_keep_take(&fl->keep, bytes))
        e->kept = bytes;
    else
        fo_packed_para_free(&e->packed);
    return e;
}

const fo_set_line *flow_text_lines(flow *fl, const elem *ce)
{
    assert(ce->kind == EL_TEXT && ce >= fl->el && ce < fl->el + fl->nel);
    elem *e = &fl->el[ce - fl->el];
    if (e->para.nlines == e->nlines)
        return e->para.lines;
    if (e->kept) {
        /* The lines set when it was measured: not shaped again. */
        fo_para_keep_give(&fl->keep, e->kept);
        e->kept = 0;
        fo_packed_para_unpack(&e->packed, e->rich->text, &e->para);
        return e->para.lines;
    }
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
            double uy = baseline + st->size * st->underline_position;
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
            op->u.line = (fo_dl_line){x0 + run->x,
                                      uy,
                                      x0 + run->x + w,
                                      uy,
                                      st->size * st->underline_thickness,
                                      color};
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
    double base = fo_style_baseline(fl->fonts, &fl->metrics, st);
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
    f->cap_base = fo_style_baseline(fl->fonts, &fl->metrics, f->cap_st);
    f->cred_base = fo_style_baseline(fl->fonts, &fl->metrics, f->cred_st);
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
    double max_h = fl->frame_h * fl->t->figure_max_height - text_h - gap;
    if (h > max_h)
        h = max_h;
    f->img_w = w;
    f->img_h = h;
    e->data = f;
    e->height = h + gap + text_h;
    e->space_before =
        flow_style(fl, "body")->leading * fl->t->figure_space_before;
    e->space_after =
        flow_style(fl, "body")->leading * fl->t->figure_space_after;
}

void flow_draw_page_figure(flow *fl, const elem *e, fo_dl_page *pg)
{
    double b = fl->t->bleed;
    pg->frame = FO_DL_IN_BLEED;
    flow_draw_figure_in(fl, e, pg, -b, -b, pg->width + 2 * b,
                        pg->height + 2 * b);
}

void flow_draw_figure_in(flow *fl, const elem *e, fo_dl_page *pg, double x,
                         double y, double w, double h)
{
    const figure_lay *f = e->data;
    flow_place_image(fl, pg, &f->fig->image, f->image, 1, f->fig->focus_x,
                     f->fig->focus_y, x, y, w, h);
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
        double vb = fo_style_baseline(fl->fonts, &fl->metrics, f->vst);
        double lb = fo_style_baseline(fl->fonts, &fl->metrics, f->lst);
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
    double tb = fo_style_baseline(fl->fonts, &fl->metrics, q->tst);
    double bb = fo_style_baseline(fl->fonts, &fl->metrics, q->bst);
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

/* Column widths come from the content, as browsers size tables of
 * automatic width: each column has a minimum width, its widest piece that
 * no line break may split, and a maximum width, its widest cell set on one
 * line (both with the cell padding); flow_table_distribute shares the room
 * between them (tests/unit/test_table.c states the rule and checks it on
 * random tables). Cells are paragraphs set at their column's width, so
 * they wrap; a row is as tall as its tallest cell. A table whose minimum
 * widths do not fit its frame is refused at the table rather than drawn
 * over itself, as an 8-column table in the booklet was
 * (tests/layout/table-booklet-8-columns.yaml). */

/* Decimal separator of the edition: a comma in Vietnamese and French. */
static char decimal_sep(const char *lang)
{
    return (strncmp(lang, "vi", 2) == 0 || strncmp(lang, "fr", 2) == 0 ||
            strncmp(lang, "ru", 2) == 0)
               ? ','
               : '.';
}

/* The text the runs of p point into: txt's, or p's own when the style
 * rewrote it (capitals). */
static const char *para_text(const fo_set_para *p, const fo_rich *txt,
                             size_t *len)
{
    const char *s = p->owned_text ? p->owned_text : txt->text;
    *len = p->owned_text ? strlen(p->owned_text) : txt->len;
    return s;
}

/* Width of a one-line cell up to byte `upto` of its text (as para_text
 * gives it). */
static double width_upto(const fo_set_para *p, const char *base, size_t upto)
{
    double w = 0;
    if (p->nlines == 0)
        return 0;
    const fo_set_line *ln = &p->lines[0];
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        for (int i = 0; i < run->n; i++) {
            size_t at = (size_t)(run->text - base) + run->glyphs[i].cluster;
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

/* The widest piece of a cell set on one line (p) that no line break may
 * split: between the line-break opportunities of Pango's attributes,
 * where the paragraph setter breaks; white space at the end of a piece
 * does not count, as it vanishes at a line end. This is the narrowest the
 * cell can be set without a line wider than its measure (lay_columns
 * checks that the setter agrees). */
static double widest_piece(const fo_set_para *p, const fo_rich *txt,
                           const char *lang)
{
    if (p->nlines == 0)
        return 0;
    size_t len;
    const char *base = para_text(p, txt, &len);
    int nchars = (int)g_utf8_strlen(base, (gssize)len);
    PangoLogAttr *attrs = fo_xcalloc((size_t)nchars + 1, sizeof *attrs);
    pango_get_log_attrs(
        base, (int)len, -1,
        pango_language_from_string(txt->lang ? txt->lang : lang), attrs,
        nchars + 1);
    /* brk[b]: a line may break before the character at byte b */
    unsigned char *brk = fo_xcalloc(len + 1, 1);
    const char *s = base;
    for (int i = 0; i < nchars; i++) {
        brk[s - base] = attrs[i].is_line_break != 0;
        s = g_utf8_next_char(s);
    }
    free(attrs);
    const fo_set_line *ln = &p->lines[0];
    double widest = 0, start = 0, ink_end = 0;
    size_t prev = 0;
    int any = 0;
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        double x = run->x;
        for (int i = 0; i < run->n; i++) {
            size_t at = (size_t)(run->text - base) + run->glyphs[i].cluster;
            if (at > len)
                at = len;
            int breaks = 0;
            for (size_t b = prev + 1; any && b <= at; b++)
                breaks |= brk[b];
            if (!any || breaks) {
                if (any)
                    widest = fmax(widest, ink_end - start);
                start = x;
                ink_end = x;
                any = 1;
            }
            prev = at;
            x += run->glyphs[i].x_advance;
            if (at < len && !g_unichar_isspace(g_utf8_get_char(base + at)))
                ink_end = x;
        }
    }
    free(brk);
    return any ? fmax(widest, ink_end - start) : 0;
}

/* Text of cell (r, c) in this edition; r = -1 is the header. */
static const fo_rich *cell_text(const flow *fl, const fo_table *tb, int r,
                                int c)
{
    return ed_text(fl,
                   r < 0 ? &tb->cols[c].head : &tb->cells[r * tb->ncols + c]);
}

static const fo_set_para *cell_para(const table_lay *t, int r, int c)
{
    return r < 0 ? &t->head[c] : &t->cells[r * t->ncols + c];
}

/* Width of a set number up to its decimal separator, or all of it when it
 * has none. */
static double int_width(const fo_set_para *p, const fo_rich *txt, char sep)
{
    size_t len;
    const char *base = para_text(p, txt, &len);
    const char *s = memchr(base, sep, len);
    return s ? width_upto(p, base, (size_t)(s - base)) : line_w(p);
}

/* What the layout needs of a column: its minimum and maximum widths, cell
 * padding included. */
typedef struct col_need {
    double min, max;
} col_need;

/* Measures column c from its cells, each set on one line. In a decimal
 * column the numbers also need room to line up: the widest integer part
 * plus the widest fraction. */
static col_need measure_column(flow *fl, const fo_table *tb, const table_lay *t,
                               int c)
{
    col_need n = {0, 0};
    double max_int = 0, max_frac = 0, min_int = 0, min_frac = 0;
    char sep = decimal_sep(fl->lang);
    for (int r = -1; r < t->nrows; r++) {
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt)
            continue;
        fo_set_para p;
        if (fo_para_set(fl->fonts, fl->doc, txt, t->set_st[r < 0][FO_COL_LEFT],
                        fl->t, fl->lang, NULL, 1e6, fl->d, &p) != FO_OK) {
            flow_fail(fl, FO_ERR_INPUT);
            continue;
        }
        double w = line_w(&p), piece = widest_piece(&p, txt, fl->lang);
        n.max = fmax(n.max, w);
        n.min = fmax(n.min, piece);
        if (r >= 0 && tb->cols[c].align == FO_COL_DECIMAL && p.nlines == 1) {
            double wi = int_width(&p, txt, sep);
            max_int = fmax(max_int, wi);
            max_frac = fmax(max_frac, w - wi);
            if (piece >= w - 1e-6) { /* a number: it stays on one line */
                min_int = fmax(min_int, wi);
                min_frac = fmax(min_frac, w - wi);
            }
        }
        fo_set_para_free(&p);
    }
    n.min = fmax(n.min, min_int + min_frac);
    n.max = fmax(fmax(n.max, max_int + max_frac), n.min);
    /* a hair more than measured, so that a line exactly as wide as its
     * cell is not refused by rounding */
    n.min += 2 * t->pad + 0.01;
    n.max += 2 * t->pad + 0.01;
    return n;
}

/* Distributes the width avail among n columns of minimum and maximum
 * widths min[c] <= max[c] and weights weight[c] (0: sized from its
 * content), into out[c]. Content-sized columns get their maximum widths
 * when these fit beside the weighted columns' minimums, else their minimum
 * plus a share of the room left in proportion to (max - min), as browsers
 * size auto tables. The weighted columns share what the others leave in
 * proportion to their weights, none below its minimum. Without weighted
 * columns the room to spare goes to the first column (the row labels), so
 * that a table fills its frame. Returns 0, or -1 when the minimums alone
 * exceed avail (out is then unset). */
int flow_table_distribute(int n, const double *min, const double *max,
                          const double *weight, double avail, double *out)
{
    double smin = 0, smin_auto = 0, smax_auto = 0, spread = 0;
    int nweighted = 0;
    for (int c = 0; c < n; c++) {
        smin += min[c];
        if (weight[c] > 0) {
            nweighted++;
            continue;
        }
        smin_auto += min[c];
        smax_auto += max[c];
        spread += max[c] - min[c];
    }
    if (smin > avail + 1e-6)
        return -1;
    /* content-sized columns first, the weighted ones at their minimum */
    double room = avail - (smin - smin_auto), used = 0;
    for (int c = 0; c < n; c++) {
        if (weight[c] > 0)
            continue;
        if (smax_auto <= room)
            out[c] = max[c];
        else /* spread > 0 here: sum(max) > room >= sum(min) */
            out[c] = min[c] + (room - smin_auto) * (max[c] - min[c]) / spread;
        used += out[c];
    }
    if (nweighted == 0) {
        out[0] += fmax(0, avail - used);
        return 0;
    }
    /* The weighted columns share the rest; one whose share would be less
     * than its minimum gets its minimum and leaves the others what is
     * left. At most n rounds: each fixes one more column. */
    unsigned char *fixed = fo_xcalloc((size_t)n, 1);
    double rest = avail - used;
    for (int round = 0; round <= n; round++) {
        double wsum = 0, left = rest;
        for (int c = 0; c < n; c++)
            if (weight[c] > 0 && !fixed[c])
                wsum += weight[c];
            else if (weight[c] > 0)
                left -= min[c];
        int more = 0;
        for (int c = 0; c < n; c++) {
            if (weight[c] <= 0 || fixed[c])
                continue;
            out[c] = left * weight[c] / wsum;
            if (out[c] < min[c]) {
                fixed[c] = 1;
                more = 1;
            }
        }
        if (!more)
            break;
    }
    for (int c = 0; c < n; c++)
        if (fixed[c])
            out[c] = min[c];
    free(fixed);
    return 0;
}

/* Sets cell (r, c) (r = -1: the header) at its column's width and records
 * the x offset of its text for the column's alignment (decimal columns
 * are aligned afterwards, by align_decimals). Returns the height of its
 * lines. */
static double set_cell(flow *fl, const fo_table *tb, table_lay *t, int r, int c)
{
    int nc = t->ncols;
    fo_set_para *p = r < 0 ? &t->head[c] : &t->cells[r * nc + c];
    const fo_rich *txt = cell_text(fl, tb, r, c);
    double cw = t->col_w[c] - 2 * t->pad;
    /* Numbers are lined up by the x offset (align_decimals), so a decimal
     * column's cells are set flush left; its header is flush right. */
    fo_col_align al = tb->cols[c].align;
    if (al == FO_COL_DECIMAL)
        al = r < 0 ? FO_COL_RIGHT : FO_COL_LEFT;
    const fo_style *st = t->set_st[r < 0][al];
    memset(p, 0, sizeof *p);
    if (txt && fo_para_set(fl->fonts, fl->doc, txt, st, fl->t, fl->lang, NULL,
                           cw, fl->d, p) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    double dx = t->pad;
    if (tb->cols[c].align == FO_COL_DECIMAL && r >= 0)
        dx += cw - line_w(p); /* until align_decimals lines them up */
    if (r < 0)
        t->head_dx[c] = dx;
    else
        t->cell_dx[r * nc + c] = dx;
    return p->nlines * st->leading;
}

static void free_cells(table_lay *t)
{
    for (int c = 0; c < t->ncols; c++)
        fo_set_para_free(&t->head[c]);
    for (int k = 0; k < t->ncols * t->nrows; k++)
        fo_set_para_free(&t->cells[k]);
}

/* Sets the header and every row at the column widths; each row is as
 * tall as its tallest cell. */
static void set_cells(flow *fl, const fo_table *tb, table_lay *t)
{
    t->head_h = 0;
    for (int r = -1; r < t->nrows; r++) {
        double rh = 0;
        for (int c = 0; c < t->ncols; c++)
            rh = fmax(rh, set_cell(fl, tb, t, r, c));
        if (r < 0)
            t->head_h = rh + 2 * t->pad;
        else
            t->row_h[r] = rh + 2 * t->pad;
    }
}

/* Decimal column c: the separators of the numbers set on one line line
 * up, the widest sitting at the right edge of the column. Were that wider
 * than the column (a cell with a break in it, measured as breakable), they
 * keep their right alignment instead: nothing leaves its cell. */
static void align_decimal_column(flow *fl, const fo_table *tb, table_lay *t,
                                 int c, char sep)
{
    int nc = t->ncols;
    double max_int = 0, max_frac = 0;
    for (int r = 0; r < t->nrows; r++) {
        const fo_set_para *p = &t->cells[r * nc + c];
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt || p->nlines != 1)
            continue;
        double wi = int_width(p, txt, sep);
        max_int = fmax(max_int, wi);
        max_frac = fmax(max_frac, line_w(p) - wi);
    }
    double cw = t->col_w[c] - 2 * t->pad;
    if (max_int + max_frac > cw)
        return;
    for (int r = 0; r < t->nrows; r++) {
        const fo_set_para *p = &t->cells[r * nc + c];
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt || p->nlines != 1)
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

/* The widest set line of column c, padding included. */
static double widest_line(const table_lay *t, int c)
{
    double w = 0;
    for (int r = -1; r < t->nrows; r++)
        w = fmax(w, line_w(cell_para(t, r, c)));
    return w + 2 * t->pad;
}

/* The table's style name at its own text size when it has one: every
 * length of the style scales with it. */
static const fo_style *table_style(flow *fl, const char *name, double size,
                                   double base)
{
    const fo_style *st = flow_style(fl, name);
    if (size <= 0 || size == base)
        return st;
    double k = size / base;
    fo_style *s = fo_arena_alloc(fl->doc->arena, sizeof *s);
    *s = *st;
    s->size *= k;
    s->leading *= k;
    s->space_before *= k;
    s->space_after *= k;
    s->first_indent *= k;
    s->letter_spacing *= k;
    return s;
}

/* Can a table span the text frame, across its columns? */
static int wide_tables(const flow *fl)
{
    return fl->t->npanels == 0 && fl->t->columns > 1;
}

/* Sets the table's styles at text size `size` (0: the template's). */
static void table_styles(flow *fl, table_lay *t, double size)
{
    double base = flow_style(fl, "table")->size;
    t->cst = table_style(fl, "table", size, base);
    t->hst = table_style(fl, "table-head", size, base);
    static const fo_align aligns[3] = {FO_ALIGN_LEFT, FO_ALIGN_RIGHT,
                                       FO_ALIGN_CENTER};
    for (int h = 0; h < 2; h++)
        for (int k = 0; k < 3; k++) {
            fo_style *s = fo_arena_alloc(fl->doc->arena, sizeof *s);
            *s = *(h ? t->hst : t->cst);
            s->align = aligns[k];
            t->set_st[h][k] = s;
        }
}

/* The sum of the table's minimum column widths at its current styles. */
static double min_width(flow *fl, const fo_table *tb, const table_lay *t)
{
    double s = 0;
    for (int c = 0; c < t->ncols; c++)
        s += measure_column(fl, tb, t, c).min;
    return s;
}

/* A text size, in half points below the table's, at which its minimum
 * widths fit avail (measured, not guessed), or 0 when none down to the
 * smallest allowed does. The first try is the size at which the words
 * would fit were they to shrink with it and the padding not (widths of
 * set text scale with its size); at most four sizes are measured, as this
 * only words an error. */
static double fitting_size(flow *fl, const fo_table *tb, table_lay *t,
                           double need, double avail)
{
    const fo_style *cst = t->cst, *hst = t->hst;
    const fo_style *set_st[2][3];
    memcpy(set_st, t->set_st, sizeof set_st);
    double size = cst->size, fixed = t->ncols * (2 * t->pad + 0.01);
    double s = need > fixed && avail > fixed
                   ? floor(size * (avail - fixed) / (need - fixed) * 2) / 2
                   : FO_TABLE_MIN_SIZE;
    if (s > size - 0.5)
        s = size - 0.5;
    double found = 0;
    for (int tries = 0; tries < 4 && s >= FO_TABLE_MIN_SIZE && !found;
         tries++, s -= 0.5) {
        table_styles(fl, t, s);
        if (min_width(fl, tb, t) <= avail + 1e-6)
            found = s;
    }
    t->cst = cst;
    t->hst = hst;
    memcpy(t->set_st, set_st, sizeof set_st);
    return found;
}

/* Reports a table that cannot fit: what it needs, what there is, and
 * what the author can change. */
static void report_too_wide(flow *fl, const fo_block *b, table_lay *t,
                            double need, double avail)
{
    const fo_table *tb = b->table;
    const char *frame = fl->t->npanels > 0 ? "panel"
                        : t->span == FO_SPAN_TEXT || fl->t->columns <= 1
                            ? "text frame"
                            : "column";
    /* Only the changes that would do: a size that fits, measured; the
     * text frame when the table fits it as it is. */
    double size = fitting_size(fl, tb, t, need, avail);
    int can_span =
        wide_tables(fl) && t->span != FO_SPAN_TEXT && need <= fl->text_w + 1e-6;
    char size_opt[96] = "";
    if (size > 0)
        (void)snprintf(size_opt, sizeof size_opt,
                       "%sa smaller text size ('size: %g' fits; now %g pt)",
                       can_span ? ", " : " or ", size, t->cst->size);
    fo_where w = {.rule = "table-width", .edition = fl->lang};
    fo_diag_add_where(fl->d, FO_SEV_ERROR, b->pos, &w,
                      "the table needs %.1f pt but the %s is %.1f pt wide: "
                      "use fewer columns%s%s",
                      need, frame, avail, size_opt,
                      can_span ? " or 'span: text'" : "");
}

void flow_draw_table_row(flow *fl, const elem *e, fo_dl_page *pg, int r,
                         double x, double y)
{
    const table_lay *t = e->table;
    const fo_style *st = r < 0 ? t->hst : t->cst;
    double h = r < 0 ? t->head_h : t->row_h[r];
    if (r < 0 || (e->block->table->zebra && r % 2 == 1)) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect = (fo_dl_rect){x, y, t->width, h,
                                  r < 0 ? fl->t->table_head_fill
                                        : fl->t->table_zebra_fill};
    }
    double base = fo_style_baseline(fl->fonts, &fl->metrics, st);
    for (int c = 0; c < t->ncols; c++) {
        const fo_set_para *p = cell_para(t, r, c);
        double dx = r < 0 ? t->head_dx[c] : t->cell_dx[r * t->ncols + c];
        for (int l = 0; l < p->nlines; l++)
            flow_emit_line(pg, &p->lines[l], st, x + t->col_x[c] + dx,
                           y + t->pad + l * st->leading + base);
    }
    if (r < 0 || r == t->nrows - 1) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
        op->u.line =
            (fo_dl_line){x, y + h, x + t->width, y + h, 0.5, fl->t->rule};
    }
}

/* Column widths for the measures in need, then the cells set at them. A
 * cell line wider than its column (the paragraph setter found no break
 * where the measure saw one) raises its column's minimum to that line and
 * the widths are shared again: each round settles at least one column.
 * Returns 0, or -1 after reporting a table too wide for avail. */
static int lay_columns(flow *fl, const fo_block *b, table_lay *t,
                       col_need *need, double avail)
{
    const fo_table *tb = b->table;
    int nc = t->ncols;
    double *min = fo_xcalloc((size_t)nc, sizeof *min);
    double *max = fo_xcalloc((size_t)nc, sizeof *max);
    double *weight = fo_xcalloc((size_t)nc, sizeof *weight);
    int ok = -1;
    for (int round = 0; round <= nc + 1; round++) {
        double smin = 0;
        for (int c = 0; c < nc; c++) {
            min[c] = need[c].min;
            max[c] = fmax(need[c].max, need[c].min);
            weight[c] = tb->cols[c].weight;
            smin += min[c];
        }
        if (flow_table_distribute(nc, min, max, weight, avail, t->col_w) != 0) {
            report_too_wide(fl, b, t, smin, avail);
            break;
        }
        double x = 0;
        for (int c = 0; c < nc; c++) {
            t->col_x[c] = x;
            x += t->col_w[c];
        }
        t->width = x;
        set_cells(fl, tb, t);
        int wider = 0;
        for (int c = 0; c < nc; c++) {
            double lw = widest_line(t, c);
            if (lw > t->col_w[c] + 1e-6) {
                need[c].min = lw + 0.01;
                wider = 1;
            }
        }
        if (!wider) {
            ok = 0;
            break;
        }
        free_cells(t);
        if (round == nc + 1) { /* not expected: refused rather than drawn
                                  outside its cells */
            double s = 0;
            for (int c = 0; c < nc; c++)
                s += need[c].min;
            report_too_wide(fl, b, t, s, avail);
        }
    }
    free(min);
    free(max);
    free(weight);
    return ok;
}

/* Rows never split: a row taller than the frame under the header could
 * only be drawn past the frame's foot, so it is refused at its first
 * cell. Returns 1 when every row fits (else frees the cells). */
static int rows_fit(flow *fl, const fo_block *b, table_lay *t)
{
    const fo_table *tb = b->table;
    for (int r = 0; r < t->nrows; r++) {
        if (t->head_h + t->row_h[r] <= fl->frame_h + 1e-6)
            continue;
        fo_pos at = b->pos;
        for (int c = 0; c < t->ncols; c++) {
            const fo_rich *txt = cell_text(fl, tb, r, c);
            if (txt) {
                at = txt->pos;
                break;
            }
        }
        fo_where w = {.rule = "table-row", .edition = fl->lang};
        fo_diag_add_where(fl->d, FO_SEV_ERROR, at, &w,
                          "this table row is %.1f pt tall under its header "
                          "but the %s is %.1f pt high: shorten its cells or "
                          "split the row",
                          t->head_h + t->row_h[r],
                          fl->t->npanels > 0 ? "panel" : "text frame",
                          fl->frame_h);
        free_cells(t);
        return 0;
    }
    return 1;
}

static void add_table(flow *fl, const fo_block *b)
{
    const fo_table *tb = b->table;
    const fo_rich *cap = ed_text(fl, &tb->caption);
    table_lay *t = fo_arena_alloc(fl->doc->arena, sizeof *t);
    /* Where the text frame is one column or made of panels, a table as
     * wide as the text frame is a column-wide one. */
    t->span = tb->span == FO_SPAN_TEXT && wide_tables(fl) ? FO_SPAN_TEXT
                                                          : FO_SPAN_COLUMN;
    double avail = t->span == FO_SPAN_TEXT ? fl->text_w : fl->col_w;
    /* The headings that keep with a text-width table go across with it,
     * above it, rather than end the column over it. */
    for (int i = fl->nel - 1; t->span == FO_SPAN_TEXT && i >= 0; i--) {
        elem *h = &fl->el[i];
        if (h->kind != EL_TEXT || !h->keep_with_next || h->section_open)
            break;
        h->span = FO_SPAN_TEXT;
    }
    if (cap) {
        elem *c = flow_add_text(fl, cap, flow_style(fl, "caption"), avail, b);
        c->keep_with_next = 1;
        c->span = t->span;
    }
    int nc = tb->ncols, nr = (int)tb->nrows;
    t->ncols = nc;
    t->nrows = nr;
    t->pad = 3;
    table_styles(fl, t, tb->size);
    fo_arena *a = fl->doc->arena;
    t->col_x = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->col_w = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->head = fo_arena_alloc(a, sizeof *t->head * (size_t)nc);
    t->head_dx = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->cells = fo_arena_alloc(a, sizeof *t->cells * (size_t)(nc * nr));
    t->cell_dx = fo_arena_alloc(a, sizeof(double) * (size_t)(nc * nr));
    t->row_h = fo_arena_alloc(a, sizeof(double) * (size_t)nr);
    col_need *need = fo_xcalloc((size_t)nc, sizeof *need);
    for (int c = 0; c < nc; c++)
        need[c] = measure_column(fl, tb, t, c);
    int laid = lay_columns(fl, b, t, need, avail);
    free(need);
    if (laid != 0 || !rows_fit(fl, b, t))
        return; /* reported; nothing to draw */
    align_decimals(fl, tb, t);
    elem *e = flow_new_elem(fl, EL_TABLE, b);
    e->table = t;
    e->span = t->span;
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
    fo_para_keep_give(&fl->keep, e->kept);
    e->kept = 0;
    fo_packed_para_free(&e->packed);
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
    if (e->kind == EL_TABLE)
        free_cells(e->table);
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
