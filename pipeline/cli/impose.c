/* `impose` (impose.h): layout, the preflight of the profile the sheets are
 * printed in, then per edition the imposition (pipeline/impose) and its
 * PDF, written by the same PDF writer as the build's. The sheets hold the
 * whole booklet (a sheet's outer side holds its first and last page), so
 * the edition is laid out whole first, as `preview` does; every PDF stays
 * under its temporary name until all are made, then all are renamed into
 * place, or none. */
#include "cli/impose.h"
#include "cli/gate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const CLI_SCHEME_NAMES[2] = {"saddle-stitch", "2up-proof"};

char *impose_pdf_path(const char *out_dir, const fo_pub *pub, int e,
                      fo_impose_scheme scheme)
{
    char *name = fo_arena_printf(pub->arena, "%s-%s-%s.pdf", pub->slug,
                                 pub->editions[e], CLI_SCHEME_NAMES[scheme]);
    return fo_path_join(out_dir, name);
}

fo_status impose_edition(const fo_pub *pub, int e, const fo_template *t,
                         fo_dl_doc *doc, fo_impose_scheme scheme,
                         const char *path, long long epoch,
                         const icc_paths *icc, fo_diags *d, char **tmp,
                         fo_dl_doc **sheets)
{
    *tmp = NULL;
    if (sheets)
        *sheets = NULL;
    fo_impose_opts io = {.scheme = scheme,
                         .sheet_w = t->sheet_w,
                         .sheet_h = t->sheet_h,
                         .sheet_pos = t->sheet_pos,
                         .marks_room = FO_RENDER_MARKS_ROOM,
                         .creep = t->creep,
                         .binding_pos = pub->template_pos,
                         .edition = pub->editions[e]};
    fo_dl_doc *sd = NULL;
    fo_status st = fo_impose(doc, &io, d, &sd);
    if (st != FO_OK)
        return st;
    int k = scheme == FO_IMPOSE_SADDLE ? FO_PROFILE_PRINT : FO_PROFILE_SCREEN;
    fo_pdf_opts po = cli_pdf_opts(k, epoch, icc->cmyk, icc->srgb);
    fo_pdf_writer *w = NULL;
    st = fo_pdf_writer_new(sd, path, &po, d, &w);
    for (size_t p = 0; st == FO_OK && p < sd->npages; p++)
        st = fo_pdf_writer_page(w, p);
    if (st == FO_OK)
        st = fo_pdf_writer_close_tmp(w, tmp);
    fo_pdf_writer_drop(w);
    if (st == FO_OK && sheets)
        *sheets = sd;
    else
        fo_dl_doc_free(sd);
    return st;
}

int impose_run(opts *o)
{
    cli_catch_signals(0);
    cli_sweep_outputs(o->out_dir);
    fo_diags d;
    cli_diags_init(&d, o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    char *tmp[FO_MAX_EDITIONS] = {0};
    size_t nsheets[FO_MAX_EDITIONS] = {0};
    fo_impose_scheme scheme = (fo_impose_scheme)o->scheme;
    int profile =
        scheme == FO_IMPOSE_SADDLE ? FO_PROFILE_PRINT : FO_PROFILE_SCREEN;
    icc_paths icc = cli_icc_paths_get();
    int rc = cli_layout(o, &d, &pub, docs, tmpl, NULL);
    if (rc)
        goto out;
    gate_docs(pub, tmpl, docs, 1 << profile, o->strict, &d, NULL);
    if (d.errors || !cli_make_dir(o->out_dir, &d)) {
        rc = EXIT_INPUT;
        goto out;
    }
    long long epoch = cli_build_epoch(pub, &d);
    for (int e = 0; e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        char *path = impose_pdf_path(o->out_dir, pub, e, scheme);
        fo_dl_doc *sheets = NULL;
        if (impose_edition(pub, e, tmpl[e], docs[e], scheme, path, epoch, &icc,
                           &d, &tmp[e], &sheets) != FO_OK)
            rc = EXIT_INPUT;
        else
            nsheets[e] = sheets->npages;
        fo_dl_doc_free(sheets);
        free(path);
    }
    if (d.errors)
        rc = EXIT_INPUT;
    cli_begin_commit();
    for (int e = 0; e < pub->neditions; e++) {
        if (!tmp[e])
            continue;
        char *path = impose_pdf_path(o->out_dir, pub, e, scheme);
        if (rc) {
            fo_atomic_discard(tmp[e]);
        } else if (fo_atomic_rename(tmp[e], path) != FO_OK) {
            fo_error_write(&d, path, errno);
            rc = EXIT_INPUT;
        } else {
            printf("%s: %zu %s\n", path, nsheets[e],
                   scheme == FO_IMPOSE_SADDLE ? "sheet sides" : "spreads");
        }
        tmp[e] = NULL;
        free(path);
    }
    cli_end_commit();
out:
    fo_diags_print(&d, stderr);
    if (pub)
        cli_free_docs(pub, docs);
    cli_icc_paths_free(&icc);
    fo_diags_free(&d);
    return rc;
}
