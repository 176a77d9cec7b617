/* The gate (gate.h): the preflight over whole documents, and --draft's red
 * outlines. */
#include "cli/gate.h"
#include "render/render.h"

/* Print wants 300 pixels per inch at the placed size (what print shops
 * ask for offset printing); ISO Coated v2 300 % is the output profile that
 * print converts to, so 300 % total ink is its limit. */
enum { PRINT_PPI = 300, PRINT_INK_LIMIT = 300 };

fo_check_opts gate_opts(int profiles, int strict)
{
    int print = (profiles >> FO_PROFILE_PRINT) & 1;
    return (fo_check_opts){.print = print,
                           .min_ppi = print ? PRINT_PPI : 0,
                           .ink_limit = PRINT_INK_LIMIT,
                           .profile = print ? "print" : NULL,
                           .strict = strict};
}

void gate_docs(const fo_pub *pub, const fo_template *const *tmpl,
               fo_dl_doc *const *docs, int profiles, int strict, fo_diags *d,
               double *secs)
{
    fo_check_opts co = gate_opts(profiles, strict);
    for (int e = 0; e < pub->neditions; e++) {
        if (!docs[e] || !tmpl[e])
            continue;
        fo_checker *c = fo_checker_new(pub, e, tmpl[e], &co, d);
        const fo_dl_doc *doc = docs[e];
        /* In the order layout finished the pages, as the build does. */
        for (size_t i = 0; i < doc->npages; i++)
            fo_check_page(c, doc,
                          doc->norder == doc->npages ? doc->order[i] : i);
        fo_check_finish(c, doc);
        if (secs)
            secs[e] = fo_check_seconds(c);
        fo_checker_free(c);
    }
}

/* Red in both colour models: the preview may be soft-proofed. */
static const fo_color RED = {.m = 1, .y = 1, .r = 0.9};
/* The outline's line width and how far it stands off the box, points. */
#define OUTLINE_W 1.5
#define OUTLINE_GAP 1.0

static void outline_box(fo_dl_page *pg, double x, double y, double w, double h)
{
    double x0 = x - OUTLINE_GAP, y0 = y - OUTLINE_GAP;
    double x1 = x + w + OUTLINE_GAP, y1 = y + h + OUTLINE_GAP;
    const double side[4][4] = {
        {x0, y0, x1, y0}, {x1, y0, x1, y1}, {x1, y1, x0, y1}, {x0, y1, x0, y0}};
    for (int s = 0; s < 4; s++) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
        op->u.line = (fo_dl_line){side[s][0], side[s][1], side[s][2],
                                  side[s][3], OUTLINE_W,  RED};
    }
}

void gate_outline(const fo_pub *pub, fo_dl_doc *const *docs, const fo_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const fo_where *w = &d->items[i].where;
        if (!w->has_box || w->page < 1 || !w->edition)
            continue;
        int e = fo_pub_edition(pub, w->edition);
        if (e < 0 || !docs[e] || (size_t)w->page > docs[e]->npages)
            continue;
        outline_box(docs[e]->pages[w->page - 1], w->x, w->y, w->w, w->h);
    }
}
