/* Unbreakable boxes: figures (and the placing of any image,
 * flow_use_image and flow_place_image), key figures and pull quotes —
 * each block measured, once, into one EL_BOX element with what draws it,
 * and its set lines freed once the flow has placed it (flow_release_box). */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

void flow_add_figure(flow *fl, const fo_block *b)
{
    const fo_figure *fig = b->figure;
    int img = use_image(fl, &fig->image);
    if (img < 0)
        return;
    const fo_image_info *info = &fl->doc->images[img].info;
    elem *e = flow_new_elem(fl, EL_BOX, b);
    e->draw = draw_figure;
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
    const fo_rich *cap = flow_ed_text(fl, &fig->caption);
    const fo_rich *cred = flow_ed_text(fl, &fig->credit);
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
    double *row_gap; /* per row: extra space between values and labels */
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
        cy += f->value[i].nlines * f->vst->leading + f->row_gap[row];
        for (int l = 0; l < f->label[i].nlines; l++)
            flow_emit_line(pg, &f->label[i].lines[l], f->lst, cx,
                           cy + l * f->lst->leading + lb);
    }
}

/* Extra space key figure i needs between its value and its label so that
 * their ink stays apart by a fifth of the label's size: the value's lowest
 * ink (a dot below "Ộ" at 24 pt reaches well under the leading) against
 * the label's highest (an "Ấ" stacks two marks), measured, not guessed. */
static double value_label_gap(flow *fl, const facts_lay *f, int i)
{
    const fo_set_para *v = &f->value[i], *l = &f->label[i];
    if (v->nlines == 0 || l->nlines == 0)
        return 0;
    double vt, vb, lt, lb;
    fo_set_line_ink(fl->fonts, &v->lines[v->nlines - 1], &vt, &vb);
    fo_set_line_ink(fl->fonts, &l->lines[0], &lt, &lb);
    double v_base = (v->nlines - 1) * f->vst->leading +
                    fo_style_baseline(fl->fonts, &fl->metrics, f->vst);
    double l_base = v->nlines * f->vst->leading +
                    fo_style_baseline(fl->fonts, &fl->metrics, f->lst);
    double clear = (l_base + lt) - (v_base + vb);
    double want = 0.2 * f->lst->size;
    return clear < want ? want - clear : 0;
}

void flow_add_facts(flow *fl, const fo_block *b)
{
    elem *e = flow_new_elem(fl, EL_BOX, b);
    e->draw = draw_facts;
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
    f->row_gap = fo_arena_alloc(fl->doc->arena, sizeof(double) * (size_t)rows);
    memset(f->row_h, 0, sizeof(double) * (size_t)rows);
    memset(f->row_gap, 0, sizeof(double) * (size_t)rows);
    for (int i = 0; i < f->n; i++) {
        const fo_rich *v = flow_ed_text(fl, &b->facts[i].value);
        const fo_rich *l = flow_ed_text(fl, &b->facts[i].label);
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
        int row = i / f->per_row;
        double gap = value_label_gap(fl, f, i);
        if (gap > f->row_gap[row])
            f->row_gap[row] = gap;
    }
    /* Rows after their gaps are known: the labels of one row stay on one
     * line. */
    for (int i = 0; i < f->n; i++) {
        int row = i / f->per_row;
        double h = f->value[i].nlines * f->vst->leading + f->row_gap[row] +
                   f->label[i].nlines * f->lst->leading + f->pad;
        if (h > f->row_h[row])
            f->row_h[row] = h;
    }
    double total = f->pad;
    for (int r = 0; r < rows; r++)
        total += f->row_h[r];
    e->data = f;
    e->height = total;
    e->span = FO_SPAN_COLUMN;
    e->space_before = fl->t->facts_space_before;
    e->space_after = fl->t->facts_space_after;
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
    cy += q->text.nlines * q->tst->leading + q->tst->space_after;
    for (int i = 0; i < q->by.nlines; i++)
        flow_emit_line(pg, &q->by.lines[i], q->bst, x + q->indent,
                       cy + i * q->bst->leading + bb);
}

void flow_add_quote(flow *fl, const fo_block *b)
{
    elem *e = flow_new_elem(fl, EL_BOX, b);
    e->draw = draw_quote;
    quote_lay *q = fo_arena_alloc(fl->doc->arena, sizeof *q);
    q->tst = flow_style(fl, "quote");
    q->bst = flow_style(fl, "quote-by");
    q->indent = 12;
    double w = fl->col_w - q->indent;
    const fo_rich *t = flow_ed_text(fl, &b->quote->text);
    const fo_rich *by = flow_ed_text(fl, &b->quote->by);
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
    /* The template's spaces, exactly: quote's space-before above the
     * block, quote's space-after between the quote and its attribution,
     * quote-by's space-after below the block (with or without an
     * attribution: it is the space that closes a pull quote). */
    e->height =
        q->text.nlines * q->tst->leading +
        (q->by.nlines ? q->tst->space_after + q->by.nlines * q->bst->leading
                      : 0);
    e->space_before = q->tst->space_before;
    e->space_after = q->bst->space_after;
}

void flow_release_box(elem *e)
{
    if (!e->block)
        return;
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
    } else if (e->block->kind == FO_BLOCK_QR) {
        flow_release_qr(e);
    }
}
