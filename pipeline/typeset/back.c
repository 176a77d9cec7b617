/* The back cover (`back_cover:`): the last page of a paged publication,
 * after the blank pages binding adds, with no running head. Its logo and
 * text stand at the top of the text frame; its QR code (with its caption)
 * and the address at the foot, the address last, so that the office's
 * contacts sit where a reader turning the publication over looks. Texts
 * are set in the template's styles: the text as `body`, the address and
 * the QR code's caption as `caption`. What does not fit on the page is
 * refused, at the back cover, rather than drawn over. */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The height text r takes in style st at width w; its problems are
 * reported when it is drawn. */
static double text_height(flow *fl, const fo_rich *r, const fo_style *st,
                          double w)
{
    if (!r)
        return 0;
    fo_diags quiet;
    fo_diags_init(&quiet);
    fo_set_para sp;
    double h = 0;
    if (fo_para_set(fl->fonts, fl->doc, r, st, fl->t, fl->lang, NULL, w, &quiet,
                    &sp) == FO_OK) {
        h = sp.nlines * st->leading;
        fo_set_para_free(&sp);
    }
    fo_diags_free(&quiet);
    return h;
}

void flow_back_cover_page(flow *fl)
{
    const fo_template *t = fl->t;
    const fo_back_cover *bc = fl->pub->back_cover;
    if (bc->qr && !flow_qr_check(fl, bc->qr)) {
        flow_fail(fl, FO_ERR_INPUT);
        return;
    }
    size_t i = fl->doc->npages;
    fo_dl_page *pg = flow_new_page(fl, PAGE_BLANK, -1);
    double x = flow_left_edge(fl, i), tw = fl->text_w;
    double top = t->margin_top, foot = t->page_h - t->margin_bottom;
    fo_dl_page_add_frame(pg, FO_DL_FRAME_TEXT, x, top, tw, fl->frame_h);
    pg->src = (fo_dl_src){.section = -1};

    double y = top;
    if (bc->logo.path) {
        int logo = flow_use_image(fl, &bc->logo);
        if (logo >= 0) {
            double h = t->cover_logo_height;
            flow_place_image(fl, pg, &bc->logo, logo, 0, 0.5, 0.5, x, y,
                             tw * t->cover_logo_width, h);
            y += h + flow_style(fl, "body")->leading;
        }
    }
    const fo_rich *r;
    if ((r = flow_ed_text(fl, &bc->text)))
        y += flow_draw_text(fl, pg, r, flow_style(fl, "body"), x, y, tw);

    /* From the foot up: the address, then the QR code and its caption. */
    const fo_style *cap = flow_style(fl, "caption");
    double bottom = foot;
    const fo_rich *addr = flow_ed_text(fl, &bc->address);
    const fo_rich *qcap = bc->qr ? flow_ed_text(fl, &bc->qr->caption) : NULL;
    double ah = text_height(fl, addr, cap, tw);
    double ch = text_height(fl, qcap, cap, tw);
    if (addr) {
        bottom -= ah;
        flow_draw_text(fl, pg, addr, cap, x, bottom, tw);
    }
    if (bc->qr) {
        double gap = t->figure_gap;
        double qh = bc->qr->size + (qcap ? gap + ch : 0);
        bottom -= qh + (addr ? cap->leading : 0);
        flow_draw_qr(fl, pg, bc->qr, x, bottom);
        if (qcap)
            flow_draw_text(fl, pg, qcap, cap, x, bottom + bc->qr->size + gap,
                           tw);
    }
    if (y > bottom + 0.01) {
        fo_where w = {.rule = "cover", .edition = fl->lang};
        fo_diag_add_where(fl->d, FO_SEV_ERROR, bc->pos, &w,
                          "the back cover's logo, text, QR code and address "
                          "do not fit on the page: they need %.1f mm, the "
                          "page has %.1f mm; shorten the text",
                          fo_pt_to_mm(y - top + foot - bottom),
                          fo_pt_to_mm(foot - top));
        flow_fail(fl, FO_ERR_INPUT);
    }
}
