/* Imposition (impose.h): where each page of a booklet goes on the sheets,
 * as FO_DL_PLACE ops on new display-list pages. The source pages become
 * the sheets' document's forms; nothing is copied or drawn here.
 *
 * Placement of one page on a spread (two trims side by side, 2W x H, the
 * spine at x = W): the page's own coordinates are translated by its slot's
 * x (0 or W) plus its creep shift towards the spine, and clipped to its
 * half of the spread. A printer's spread keeps the bleed on the three
 * outer sides and cuts at the spine, where the facing page begins; a
 * reader's spread shows each page as trimmed. */
#include "impose.h"

#include <math.h>

size_t fo_impose_saddle_slot(size_t n, size_t sheet, int side, int pos)
{
    size_t outer = n - 1 - 2 * sheet, inner = 2 * sheet;
    if (side == FO_IMPOSE_FRONT)
        return pos == FO_IMPOSE_LEFT ? outer : inner;
    return pos == FO_IMPOSE_LEFT ? inner + 1 : outer - 1;
}

/* Source page src_page (>= nsrc: a blank slot, nothing placed) on the
 * spread page sp at position pos, moved by shift towards the spine, with
 * bleed b kept on the outer sides. */
static void place(fo_dl_page *sp, size_t src_page, size_t nsrc, int pos,
                  double w, double h, double b, double shift)
{
    if (src_page >= nsrc)
        return;
    fo_dl_op *op = fo_dl_page_add(sp, FO_DL_PLACE);
    fo_dl_place *pl = &op->u.place;
    pl->form = (int)src_page;
    pl->m[0] = pl->m[3] = 1;
    pl->m[4] = pos == FO_IMPOSE_LEFT ? shift : w - shift;
    pl->m[5] = 0;
    pl->cx = pos == FO_IMPOSE_LEFT ? -b : w;
    pl->cy = -b;
    pl->cw = w + b;
    pl->ch = h + 2 * b;
}

/* The binding rule for a booklet of n pages (impose.h): how many blank
 * slots it gets, or -1 when d is strict (reported). */
static long blank_slots(size_t n, const fo_impose_opts *o, fo_diags *d)
{
    size_t add = (4 - n % 4) % 4;
    if (add == 0)
        return 0;
    fo_where wh = {.edition = o->edition};
    if (d->strict) {
        fo_diag_add_where(d, FO_SEV_ERROR, o->binding_pos, &wh,
                          "the saddle-stitched booklet has %zu pages, not a "
                          "multiple of 4: it needs %zu blank page%s at the end",
                          n, add, add == 1 ? "" : "s");
        return -1;
    }
    fo_diag_add_where(d, FO_SEV_WARNING, o->binding_pos, &wh,
                      "added %zu blank page%s so that the saddle-stitched "
                      "booklet has %zu pages, a multiple of 4",
                      add, add == 1 ? "" : "s", n + add);
    return (long)add;
}

/* Every page must be the first's size: a spread is two equal trims. */
static int same_size(const fo_dl_doc *src, fo_diags *d)
{
    const fo_dl_page *p0 = src->pages[0];
    for (size_t i = 1; i < src->npages; i++) {
        const fo_dl_page *p = src->pages[i];
        if (fabs(p->width - p0->width) > 0.01 ||
            fabs(p->height - p0->height) > 0.01) {
            fo_error(d, (fo_pos){NULL, 0, 0},
                     "page %zu is %.2f x %.2f pt, not %.2f x %.2f pt like "
                     "page 1: only pages of one size can be imposed",
                     i + 1, p->width, p->height, p0->width, p0->height);
            return 0;
        }
    }
    return 1;
}

static fo_status saddle(fo_dl_doc *doc, size_t nsrc, size_t n,
                        const fo_impose_opts *o, double w, double h)
{
    double b = doc->bleed;
    doc->media_w = o->sheet_w;
    doc->media_h = o->sheet_h;
    double fold = w;
    for (size_t k = 0; k < n / 4; k++) {
        double shift = (double)k * o->creep;
        for (int side = FO_IMPOSE_FRONT; side <= FO_IMPOSE_BACK; side++) {
            fo_dl_page *sp = fo_dl_doc_add_page(doc, 2 * w, h);
            fo_dl_page_set_folds(sp, &fold, 1);
            for (int pos = FO_IMPOSE_LEFT; pos <= FO_IMPOSE_RIGHT; pos++)
                place(sp, fo_impose_saddle_slot(n, k, side, pos), nsrc, pos, w,
                      h, b, shift);
        }
    }
    return FO_OK;
}

static fo_status proof(fo_dl_doc *doc, size_t nsrc, double w, double h)
{
    doc->bleed = 0;
    /* spread s: pages 2s-1 | 2s, 1-based; page 0 and page nsrc+1 are no
     * pages */
    for (size_t s = 0; s <= nsrc / 2; s++) {
        fo_dl_page *sp = fo_dl_doc_add_page(doc, 2 * w, h);
        if (s > 0)
            place(sp, 2 * s - 1, nsrc, FO_IMPOSE_LEFT, w, h, 0, 0);
        place(sp, 2 * s, nsrc, FO_IMPOSE_RIGHT, w, h, 0, 0);
    }
    return FO_OK;
}

fo_status fo_impose(fo_dl_doc *src, const fo_impose_opts *o, fo_diags *d,
                    fo_dl_doc **out)
{
    *out = NULL;
    size_t nsrc = src->npages;
    if (nsrc == 0) {
        fo_error(d, o->binding_pos,
                 "nothing to impose: edition %s has no pages",
                 o->edition ? o->edition : "?");
        return FO_ERR_INPUT;
    }
    if (!same_size(src, d))
        return FO_ERR_INPUT;
    double w = src->pages[0]->width, h = src->pages[0]->height;
    size_t n = nsrc;
    if (o->scheme == FO_IMPOSE_SADDLE) {
        double need_w = 2 * w + 2 * (src->bleed + o->marks_room),
               need_h = h + 2 * (src->bleed + o->marks_room);
        if (o->sheet_w < need_w || o->sheet_h < need_h) {
            fo_error(d, o->sheet_pos,
                     "the press sheet (%.0f x %.0f mm) cannot hold a spread "
                     "of two pages with their bleed and marks: it needs at "
                     "least %.0f x %.0f mm",
                     o->sheet_w / FO_PT_PER_MM, o->sheet_h / FO_PT_PER_MM,
                     ceil(need_w / FO_PT_PER_MM), ceil(need_h / FO_PT_PER_MM));
            return FO_ERR_INPUT;
        }
        long add = blank_slots(nsrc, o, d);
        if (add < 0)
            return FO_ERR_INPUT;
        n += (size_t)add;
    }
    fo_dl_doc *doc = fo_dl_doc_take_forms(src);
    fo_status st = o->scheme == FO_IMPOSE_SADDLE ? saddle(doc, nsrc, n, o, w, h)
                                                 : proof(doc, nsrc, w, h);
    if (st != FO_OK) {
        fo_dl_doc_free(doc);
        return st;
    }
    *out = doc;
    return FO_OK;
}
