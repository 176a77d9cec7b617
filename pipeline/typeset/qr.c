/* QR codes: a `qr:` block (one unbreakable box: the symbol and its
 * caption) and the symbol itself for the back cover (flow_draw_qr), and
 * the campaign tagging of the links a page holds (flow_tag_links).
 *
 * libqrencode makes the symbol; it is drawn as vector rectangles in the
 * display list, on a white square that keeps the 4-module quiet zone
 * clear of whatever lies behind, in K only (no registration of four
 * plates to blur a module's edge). Runs of dark modules in a row become
 * one rectangle, and a run with the same ends in the next row extends it
 * down, so a 33 x 33 symbol takes about 150 rectangles instead of 550
 * (tests/golden/qr). With a campaign the URL differs by channel
 * (utm_medium=print or pdf): the symbol is then drawn once per channel,
 * each for the outputs of its channel (dlist.h fo_dl_channel), and each
 * carries a link over its area with the URL it encodes. */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

enum { QUIET = 4 }; /* modules of quiet zone on every side (ISO 18004) */

/* The smallest module that prints and scans reliably (the usual 0.33 mm
 * of retail barcodes, rounded down): a longer URL at a smaller size is
 * refused rather than printed unreadable. */
#define MIN_MODULE_MM 0.3

static const fo_color qr_dark = {0, 0, 0, 1, 0, 0, 0, 0};
static const fo_color qr_light = {0, 0, 0, 0, 1, 1, 1, 0};

/* One symbol to draw: the URL as written, as tagged, which outputs. */
typedef struct qr_variant {
    const char *written, *tagged;
    fo_dl_channel channel;
} qr_variant;

/* The symbols qr takes in the flow's edition: one for every output, or
 * one per channel when the campaign tags the URL by channel. Returns how
 * many (0: no URL). */
static int variants(flow *fl, const fo_qr *qr, qr_variant v[2])
{
    const char *url = qr->url[fl->ed];
    if (!url)
        return 0;
    const char *p =
        fo_campaign_tag(fl->pub, fl->ed, "print", url, fl->doc->arena);
    const char *s =
        fo_campaign_tag(fl->pub, fl->ed, "pdf", url, fl->doc->arena);
    if (strcmp(p, s) == 0) {
        v[0] = (qr_variant){url, p, FO_DL_CH_ALL};
        return 1;
    }
    v[0] = (qr_variant){url, p, FO_DL_CH_PRINT};
    v[1] = (qr_variant){url, s, FO_DL_CH_PDF};
    return 2;
}

static QRcode *encode(const char *s, fo_qr_level level)
{
    return QRcode_encodeString(s, 0, (QRecLevel)level, QR_MODE_8, 1);
}

/* Whether every symbol of qr can be made and has modules large enough to
 * scan; reported at its URL if not. */
static int qr_ok(flow *fl, const fo_qr *qr)
{
    qr_variant v[2];
    int n = variants(fl, qr, v);
    for (int i = 0; i < n; i++) {
        QRcode *code = encode(v[i].tagged, qr->level);
        fo_where w = {.edition = fl->lang};
        if (!code) {
            fo_diag_add_where(fl->d, FO_SEV_ERROR, qr->url_pos, &w,
                              "this URL is too long for a QR code (%zu "
                              "characters tagged): shorten it or use a "
                              "lower 'level'",
                              strlen(v[i].tagged));
            return 0;
        }
        int modules = code->width + 2 * QUIET;
        QRcode_free(code);
        double mm = fo_pt_to_mm(qr->size) / modules;
        if (mm < MIN_MODULE_MM - 1e-9) {
            fo_diag_add_where(
                fl->d, FO_SEV_ERROR, qr->url_pos, &w,
                "this QR code's modules would be %.2f mm wide (%d modules "
                "in %.1f mm), too small to scan: make 'size' at least "
                "%.0f mm, shorten the URL or use a lower 'level'",
                mm, modules, fo_pt_to_mm(qr->size),
                ceil(modules * MIN_MODULE_MM));
            return 0;
        }
    }
    return 1;
}

static void add_rect(fo_dl_page *pg, double x, double y, double w, double h,
                     fo_color c)
{
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){x, y, w, h, c};
}

/* An open rectangle of the merge: modules [x0, x1) from row y0 down. */
typedef struct run {
    int x0, x1, y0;
} run;

/* The dark modules of code as rectangles at (x, y), m points a module:
 * each row's runs, a run continuing one with the same ends in the row
 * above. */
static void draw_modules(fo_dl_page *pg, const QRcode *code, double x, double y,
                         double m)
{
    int w = code->width;
    run *open = fo_xcalloc((size_t)w, sizeof *open);
    run *next = fo_xcalloc((size_t)w, sizeof *next);
    int nopen = 0;
    for (int r = 0; r <= w; r++) {
        int nnext = 0, k = 0;
        for (int c = 0; r < w && c < w;) {
            if (!(code->data[r * w + c] & 1)) {
                c++;
                continue;
            }
            int c0 = c;
            while (c < w && (code->data[r * w + c] & 1))
                c++;
            /* open runs are sorted by x0: close those left of this one */
            while (k < nopen && open[k].x0 < c0) {
                const run *o = &open[k++];
                add_rect(pg, x + o->x0 * m, y + o->y0 * m, (o->x1 - o->x0) * m,
                         (r - o->y0) * m, qr_dark);
            }
            if (k < nopen && open[k].x0 == c0 && open[k].x1 == c)
                next[nnext++] = open[k++];
            else
                next[nnext++] = (run){c0, c, r};
        }
        for (; k < nopen; k++) {
            const run *o = &open[k];
            add_rect(pg, x + o->x0 * m, y + o->y0 * m, (o->x1 - o->x0) * m,
                     (r - o->y0) * m, qr_dark);
        }
        run *t = open;
        open = next;
        next = t;
        nopen = nnext;
    }
    free(open);
    free(next);
}

void flow_draw_qr(flow *fl, fo_dl_page *pg, const fo_qr *qr, double x, double y)
{
    qr_variant v[2];
    int n = variants(fl, qr, v);
    fo_dl_channel was = pg->channel;
    for (int i = 0; i < n; i++) {
        QRcode *code = encode(v[i].tagged, qr->level);
        if (!code)
            continue; /* reported by qr_ok */
        pg->channel = v[i].channel;
        double m = qr->size / (code->width + 2 * QUIET);
        add_rect(pg, x, y, qr->size, qr->size, qr_light);
        draw_modules(pg, code, x + QUIET * m, y + QUIET * m, m);
        QRcode_free(code);
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINK);
        int tagged = strcmp(v[i].tagged, v[i].written) != 0;
        op->u.link = (fo_dl_link){
            .x = x,
            .y = y,
            .w = qr->size,
            .h = qr->size,
            .uri = fo_arena_strdup(pg->arena, v[i].tagged),
            .written = tagged ? fo_arena_strdup(pg->arena, v[i].written) : NULL,
            .qr = 1};
    }
    pg->channel = was;
}

int flow_qr_check(flow *fl, const fo_qr *qr)
{
    return qr_ok(fl, qr);
}

/* ---- the block ------------------------------------------------------- */

typedef struct qr_lay {
    const fo_qr *qr;
    fo_set_para caption;
    const fo_style *cap_st;
    double cap_base;
} qr_lay;

static void draw_qr_block(flow *fl, const elem *e, fo_dl_page *pg, double x,
                          double y, double w)
{
    const qr_lay *q = e->data;
    (void)w;
    flow_draw_qr(fl, pg, q->qr, x, y);
    double cy = y + q->qr->size + fl->t->figure_gap;
    for (int i = 0; i < q->caption.nlines; i++)
        flow_emit_line(pg, &q->caption.lines[i], q->cap_st, x,
                       cy + i * q->cap_st->leading + q->cap_base);
}

void flow_add_qr(flow *fl, const fo_block *b)
{
    const fo_qr *qr = b->qr;
    if (!qr_ok(fl, qr)) {
        flow_fail(fl, FO_ERR_INPUT);
        return;
    }
    if (qr->size > fl->col_w + 0.01) {
        fo_where w = {.edition = fl->lang};
        fo_diag_add_where(fl->d, FO_SEV_ERROR, b->pos, &w,
                          "this QR code is %.1f mm wide but the column is "
                          "%.1f mm: make 'size' smaller",
                          fo_pt_to_mm(qr->size), fo_pt_to_mm(fl->col_w));
        flow_fail(fl, FO_ERR_INPUT);
        return;
    }
    elem *e = flow_new_elem(fl, EL_BOX, b);
    e->draw = draw_qr_block;
    qr_lay *q = fo_arena_alloc(fl->doc->arena, sizeof *q);
    q->qr = qr;
    q->cap_st = flow_style(fl, "caption");
    q->cap_base = fo_style_baseline(fl->fonts, &fl->metrics, q->cap_st);
    const fo_rich *cap = flow_ed_text(fl, &qr->caption);
    if (cap && fo_para_set(fl->fonts, fl->doc, cap, q->cap_st, fl->t, fl->lang,
                           NULL, fl->col_w, fl->d, &q->caption) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    e->data = q;
    e->span = FO_SPAN_COLUMN;
    e->height =
        qr->size +
        (cap ? fl->t->figure_gap + q->caption.nlines * q->cap_st->leading : 0);
    e->space_before =
        flow_style(fl, "body")->leading * fl->t->figure_space_before;
    e->space_after =
        flow_style(fl, "body")->leading * fl->t->figure_space_after;
}

void flow_release_qr(elem *e)
{
    qr_lay *q = e->data;
    if (q)
        fo_set_para_free(&q->caption);
}

/* ---- links ----------------------------------------------------------- */

void flow_tag_links(flow *fl, fo_dl_page *pg)
{
    if (!fl->pub->campaign.on)
        return;
    for (size_t k = 0; k < pg->n; k++) {
        fo_dl_link *l = &pg->ops[k].u.link;
        if (pg->ops[k].kind != FO_DL_LINK || !l->uri || l->qr || l->written)
            continue;
        /* Links live only in the screen and archive PDFs (a print PDF
         * has no annotations): the channel is pdf. */
        const char *t =
            fo_campaign_tag(fl->pub, fl->ed, "pdf", l->uri, pg->arena);
        if (t != l->uri) {
            l->written = l->uri;
            l->uri = t;
        }
    }
}
