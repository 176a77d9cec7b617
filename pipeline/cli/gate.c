/* The gate (gate.h): the preflight of every command, over a streamed
 * edition or whole documents, --draft's red outlines, and `check`. */
#include "cli/gate.h"
#include "cli/cli.h"
#include "cli/report.h"
#include "model/vi_audit.h"
#include "render/render.h"

#include <stdio.h>

fo_checker *gate_checker_new(const fo_pub *pub, int e, const fo_template *t,
                             int profiles, int strict, fo_diags *d)
{
    fo_check_opts co =
        fo_check_opts_for((profiles >> FO_PROFILE_PRINT) & 1, strict);
    return fo_checker_new(pub, e, t, &co, d);
}

void gate_docs(const fo_pub *pub, const fo_template *const *tmpl,
               fo_dl_doc *const *docs, int profiles, int strict, fo_diags *d,
               double *secs)
{
    for (int e = 0; e < pub->neditions; e++) {
        if (!docs[e] || !tmpl[e])
            continue;
        fo_checker *c = gate_checker_new(pub, e, tmpl[e], profiles, strict, d);
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

int gate_where_page(const fo_pub *pub, fo_dl_doc *const *docs,
                    const fo_where *w, int *ed, size_t *page)
{
    if (w->page < 1 || !w->edition)
        return 0;
    int e = fo_pub_edition(pub, w->edition);
    if (e < 0 || !docs[e] || (size_t)w->page > docs[e]->npages)
        return 0;
    *ed = e;
    *page = (size_t)w->page - 1;
    return 1;
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
        int e = 0;
        size_t p = 0;
        if (w->has_box && gate_where_page(pub, docs, w, &e, &p))
            outline_box(docs[e]->pages[p], w->x, w->y, w->w, w->h);
    }
}

/* `check`: lay out every chosen edition and run every preflight rule for
 * every profile (print's included); print the findings, warnings too, and
 * the page count of each edition; write nothing but the report. */
int check_run(opts *o)
{
    fo_diags d;
    cli_diags_init(&d, o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    double t0 = fo_report_now();
    double lay[FO_MAX_EDITIONS] = {0}, secs[FO_MAX_EDITIONS] = {0};
    fo_report *rep = o->report ? fo_report_new("check", o->pub) : NULL;
    int rc = cli_layout(o, &d, &pub, docs, tmpl, lay);
    if (rc == 0) {
        /* the Vietnamese text audit: warnings at the source lines */
        fo_vi_audit(pub, &d);
        gate_docs(pub, tmpl, docs, CLI_ALL_PROFILES, o->strict, &d, secs);
        if (d.errors)
            rc = EXIT_INPUT;
    }
    for (int e = 0; pub && e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        printf("%s: %zu pages\n", pub->editions[e], docs[e]->npages);
        if (rep) {
            fo_report_edition(rep, pub->editions[e], docs[e]->npages, lay[e],
                              secs[e]);
            for (int k = 0; k < 3; k++)
                fo_report_output(rep, pub->editions[e], CLI_PROFILE_NAMES[k],
                                 0);
        }
    }
    if (rep) {
        fo_report_timing(rep, "total_s", fo_report_now() - t0);
        if (fo_report_write(rep, o->report, &d, rc, &d) != FO_OK)
            rc = EXIT_INPUT;
        fo_report_free(rep);
    }
    fo_diags_print(&d, stderr);
    if (pub)
        cli_free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}
