/* Form XObjects: the PDF side of FO_DL_PLACE (dlist.h). Each form of the
 * document (an imposed sheet's source page) is written once, as a Form
 * XObject whose content is the form's ops drawn by the same functions as
 * a page's (pdf_text.c), in the form's own coordinates (origin at its
 * trim's lower-left corner, y up, as a page without marks), with its own
 * /Resources; every placement is then "q clip cm /Fm Do Q". A booklet's
 * page drawn on two sheets (a proof and a press sheet, or the same page
 * twice) is thus one object, and the sheet's file holds each page's text
 * and images exactly as the page's own PDF does.
 *
 * A form is made when the first page that places it is begun: its glyphs
 * go into the fonts before any content names them, as a page's do. */
#include "pdf_private.h"

#include <stdlib.h>
#include <string.h>

static const fo_pos nopos = {NULL, 0, 0};

static fo_status collect_op(void *ud, const fo_dl_op *op, size_t i)
{
    fo_pdf_ctx *c = ud;
    (void)i;
    if (op->kind == FO_DL_PLACE) {
        /* dlist.h: a form places no forms (no cycles to follow) */
        fo_error(c->d, nopos, "a form places another form");
        c->input_errors++;
        return FO_OK;
    }
    if (op->kind != FO_DL_GLYPHS)
        return FO_OK;
    return fo_pdf_collect_run(c, &op->u.glyphs);
}

static const fo_dl_walker collect_walker = {NULL, collect_op, NULL};

/* A form's content being written. */
typedef struct form_draw {
    fo_pdf_ctx *c;
    fo_pdf_out o;
    fo_pdf_page ps;
} form_draw;

static fo_status draw_op(void *ud, const fo_dl_op *op, size_t i)
{
    form_draw *fd = ud;
    (void)i;
    return fo_pdf_text_op(fd->c, &fd->o, &fd->ps, op);
}

static const fo_dl_walker draw_walker = {NULL, draw_op, NULL};

/* The Form XObject of form f: its dictionary, then its content. */
static fo_status make_form(fo_pdf_ctx *c, size_t f)
{
    const fo_dl_doc *doc = c->doc;
    const fo_dl_page *pg = doc->forms[f];
    double b = doc->bleed;
    fo_status st = fo_dl_walk_form(doc, f, &collect_walker, c);
    if (st != FO_OK)
        return st;
    form_draw fd = {c, {{0}, FO_OK}, {0}};
    fo_buf_init(&fd.o.b, FO_PDF_MAX_CONTENT);
    fd.ps.font_names =
        fo_xcalloc(doc->nfonts ? doc->nfonts : 1, sizeof(char *));
    st = FO_ERR_LIBRARY;
    HPDF_Dict x = fo_pdf_obj_form(c->pdf, c->opts->compress);
    CHECK_PTR(c, x, "Form XObject");
    HPDF_Dict res = fo_pdf_obj_dict(c->pdf);
    CHECK_PTR(c, res, "Form XObject resources");
    HPDF_Box box = {(HPDF_REAL)fo_pdf_round(-b, 3),
                    (HPDF_REAL)fo_pdf_round(-b, 3),
                    (HPDF_REAL)fo_pdf_round(pg->width + b, 3),
                    (HPDF_REAL)fo_pdf_round(pg->height + b, 3)};
    HPDF_Array bbox = fo_pdf_obj_box(c->pdf, box);
    CHECK_PTR(c, bbox, "Form XObject BBox");
    CHECK(c, HPDF_Dict_AddName(x, "Type", "XObject"));
    CHECK(c, HPDF_Dict_AddName(x, "Subtype", "Form"));
    CHECK(c, HPDF_Dict_Add(x, "BBox", bbox));
    CHECK(c, HPDF_Dict_Add(x, "Resources", res));
    fd.ps.page = pg;
    fd.ps.index = f;
    fd.ps.font = -1;
    fd.ps.cmyk = c->profile == FO_PROFILE_PRINT;
    fd.ps.res = res;
    st = fo_dl_walk_form(doc, f, &draw_walker, &fd);
    if (st != FO_OK)
        goto out;
    fo_pdf_text_end(&fd.o, &fd.ps);
    if (fd.o.b.len == 0)
        fo_pdf_outs(&fd.o, "q Q\n"); /* pdf.c page_end says why */
    if (fd.o.st != FO_OK) {
        fo_error(c->d, nopos, "form %zu: content stream too large", f + 1);
        st = fd.o.st;
        goto out;
    }
    fo_pdf_hash_bytes(c, fd.o.b.data, fd.o.b.len);
    st = FO_ERR_LIBRARY;
    CHECK(c, fo_pdf_obj_write(x, fd.o.b.data, fd.o.b.len));
    c->forms[f] = x;
    st = FO_OK;
out:
    free(fd.ps.font_names);
    fo_buf_free(&fd.o.b);
    return st;
}

fo_status fo_pdf_forms_make(fo_pdf_ctx *c, size_t p)
{
    const fo_dl_doc *doc = c->doc;
    const fo_dl_page *pg = doc->pages[p];
    if (doc->nforms > c->nforms) {
        // NOLINTBEGIN(bugprone-sizeof-expression): an array of handles
        c->forms = fo_xrealloc(c->forms, doc->nforms * sizeof *c->forms);
        memset(c->forms + c->nforms, 0,
               (doc->nforms - c->nforms) * sizeof *c->forms);
        // NOLINTEND(bugprone-sizeof-expression)
        c->nforms = doc->nforms;
    }
    for (size_t i = 0; i < pg->n; i++) {
        const fo_dl_op *op = &pg->ops[i];
        if (op->kind != FO_DL_PLACE)
            continue;
        int f = op->u.place.form;
        if (f < 0 || (size_t)f >= doc->nforms) {
            fo_error(c->d, nopos, "place op with unknown form %d", f);
            c->input_errors++;
            continue;
        }
        if (!c->forms[f]) {
            fo_status st = make_form(c, (size_t)f);
            if (st != FO_OK)
                return st;
        }
    }
    return FO_OK;
}

fo_status fo_pdf_form_place(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                            const fo_dl_place *pl)
{
    if (pl->form < 0 || (size_t)pl->form >= c->nforms || !c->forms[pl->form])
        return FO_OK; /* reported by fo_pdf_forms_make */
    const char *name = HPDF_Page_GetXObjectName(ps->hp, c->forms[pl->form]);
    if (!name) {
        fo_pdf_lib_fail(c, "HPDF_Page_GetXObjectName");
        return FO_ERR_LIBRARY;
    }
    /* The display list's matrix maps y-down form coordinates to y-down page
     * ones; the form's content and the page's are both flipped (y' = H -
     * y), so in PDF space the matrix is conjugated by the two flips. */
    double Hs = ps->page->height, Hf = c->doc->forms[pl->form]->height;
    const double *m = pl->m;
    double cm[6] = {
        m[0], -m[1], -m[2], m[3], m[2] * Hf + m[4], Hs - m[3] * Hf - m[5]};
    double clip[4] = {pl->cx, Hs - pl->cy - pl->ch, pl->cw, pl->ch};
    fo_pdf_text_end(o, ps);
    fo_pdf_out_do(o, clip, cm, name);
    return FO_OK;
}
