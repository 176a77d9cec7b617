/* `build` and `dump` (cli.h build_run, dump_run): the one build path.
 *
 * Each chosen edition is laid out once. Every page, as soon as layout has
 * finished it, goes to the edition's consumers: first the preflight (its
 * checker, gate.c), then each output (the PDF of each profile being made);
 * then the page is freed, so a long publication never holds more than the
 * pages in the flow. Once the edition is laid out, the preflight finishes,
 * and each output is closed under a temporary name when nothing found an
 * error (or with --draft), else dropped. When every edition is done, the
 * commit renames all the outputs into place, or removes them all.
 *
 * --dump is one more output of each edition: the text dump as a writer
 * (render/writer.h fo_dump_writer_new), which keeps each page's text as it
 * comes and, when closed, puts the font table (known only at the end) and
 * the pages in page order into a buffer that the build prints after the
 * commit. So --dump streams too: no edition is held whole. */
#define _XOPEN_SOURCE 700
#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/gate.h"
#include "cli/report.h"
#include "image/image.h"
#include "render/writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Prints the display lists' dumps to out (stdout: the product of `dump`
 * and of `build --dump`), edition by edition (dumps[e] NULL: none). A
 * failed write (a full disk, say) exits 1, not 0 with a truncated dump:
 * the first failure's errno is kept for the message, and ferror() catches
 * any failure that set none. */
static int print_dumps(const fo_pub *pub, fo_buf *const *dumps, FILE *out)
{
    int werr = 0;
    for (int e = 0; e < pub->neditions; e++) {
        if (!dumps[e])
            continue;
        if (fprintf(out, "edition %s\n", pub->editions[e]) < 0 && !werr)
            werr = errno;
        if (fwrite(dumps[e]->data, 1, dumps[e]->len, out) != dumps[e]->len &&
            !werr)
            werr = errno;
    }
    if (fflush(out) != 0 && !werr)
        werr = errno;
    if (werr || ferror(out)) {
        cli_say("cannot write the dump: %s",
                werr ? strerror(werr) : "write error");
        return EXIT_INPUT;
    }
    return 0;
}

/* ---- outputs ------------------------------------------------------------
 * One output of an edition: a writer (render/writer.h), the PDF of one
 * profile or the text dump. It is opened at the first page (the PDF
 * writer reads the document's metadata then; fonts and images may still
 * be added), fed every page, then closed (a PDF is left under its
 * temporary name for the commit; the dump is written into its buffer) and
 * dropped, or dropped unclosed, which abandons it. */
typedef struct output {
    int profile;            /* fo_profile; DUMP_OUTPUT: the text dump */
    const fo_pdf_opts *po;  /* a PDF: how the PDF of this profile is written */
    fo_buf *dump;           /* the dump: where it is written when closed */
    fo_pdf_writer *pdf;     /* a PDF: its writer, for its temporary name */
    fo_writer *w;           /* NULL until opened */
    double write_s;         /* seconds spent writing it */
    fo_pdf_image_res *imgs; /* a closed PDF: its images, for the report */
    size_t nimgs;
} output;

enum { DUMP_OUTPUT = -1 };

static fo_status output_open(output *out, const opts *o, const fo_pub *pub,
                             int e, const fo_dl_doc *doc, fo_diags *d)
{
    if (out->profile == DUMP_OUTPUT) {
        out->w = fo_dump_writer_new(doc, out->dump);
        return FO_OK;
    }
    char *path = cli_pdf_path(o->out_dir, pub, e, out->profile);
    fo_status st = fo_pdf_writer_new(doc, path, out->po, d, &out->pdf);
    free(path);
    if (st == FO_OK)
        out->w = fo_pdf_writer_writer(out->pdf);
    return st;
}

static fo_status output_page(output *out, const fo_dl_doc *doc, size_t i)
{
    double t0 = fo_report_now();
    fo_status st = fo_writer_page(out->w, doc, i);
    out->write_s += fo_report_now() - t0;
    return st;
}

/* Closes and drops the output; a PDF's *tmp (malloc'd) is its temporary
 * name. */
static fo_status output_close(output *out, char **tmp)
{
    double t0 = fo_report_now();
    fo_status st = out->pdf ? fo_pdf_writer_close_tmp(out->pdf, tmp)
                            : fo_writer_close(out->w);
    if (out->pdf && st == FO_OK)
        out->nimgs = fo_pdf_writer_images(out->pdf, &out->imgs);
    fo_writer_drop(out->w);
    out->w = NULL;
    out->pdf = NULL;
    out->write_s += fo_report_now() - t0;
    return st;
}

static void output_drop(output *out)
{
    fo_writer_drop(out->w);
    out->w = NULL;
    out->pdf = NULL;
}

/* ---- one edition -------------------------------------------------------- */

/* One edition being laid out: its consumers, fed each page as layout
 * finishes it (edition_page). */
typedef struct edition_out {
    const opts *o;
    const fo_pub *pub;
    int ed;
    fo_diags *d;
    fo_checker *check; /* the preflight, fed each page first */
    fo_report *rep;    /* --report: the links manifest, or NULL */
    output out[4];     /* the PDFs in profile order, then the dump */
    int nout;
    int opened; /* the outputs were opened at the first page */
    cli_progress prog;
} edition_out;

static fo_status edition_page(void *ud, const fo_dl_doc *doc, size_t i)
{
    edition_out *eo = ud;
    fo_status st = FO_OK;
    fo_check_page(eo->check, doc, i);
    if (!eo->opened) {
        eo->opened = 1;
        for (int k = 0; k < eo->nout && st == FO_OK; k++)
            st = output_open(&eo->out[k], eo->o, eo->pub, eo->ed, doc, eo->d);
        if (st != FO_OK)
            return st;
    }
    for (int k = 0; k < eo->nout && st == FO_OK; k++) {
        if (eo->rep && eo->out[k].profile != DUMP_OUTPUT)
            cli_links_page(eo->rep, doc, i, eo->pub->editions[eo->ed],
                           eo->out[k].profile);
        st = output_page(&eo->out[k], doc, i);
    }
    cli_progress_page(&eo->prog, i + 1);
    return st;
}

/* The report's entry of output out of edition ed, with its images. */
static void report_output(fo_report *rep, const char *ed, const output *out)
{
    const char *prof = CLI_PROFILE_NAMES[out->profile];
    fo_report_output(rep, ed, prof, out->write_s);
    for (size_t i = 0; i < out->nimgs; i++) {
        const fo_pdf_image_res *m = &out->imgs[i];
        fo_report_image ri = {.file = m->file, /* copied */
                              .width = m->width,
                              .height = m->height,
                              .stored_w = m->stored_w,
                              .stored_h = m->stored_h,
                              .place_w = m->place_w,
                              .place_h = m->place_h,
                              .ppi = m->ppi,
                              .stored_ppi = m->stored_ppi};
        fo_report_image_add(rep, ed, prof, &ri);
    }
}

/* One edition laid out, checked and written page by page (each freed once
 * handed over) into an output per profile; each closed PDF is left under
 * its temporary name in tmp[k]. The outputs are closed only when layout
 * and the preflight found no error (anywhere in d), or with --draft when
 * layout succeeded. With dump (--dump), the dump is one more output,
 * written into *dump when closed; *dumped says whether it was. FO_OK, or
 * the failure (reported). */
static fo_status build_edition(const opts *o, const loaded *l, int e,
                               const fo_pdf_opts *po, fo_diags *d,
                               fo_diags *pre, fo_report *rep, char **tmp,
                               size_t *npages, fo_buf *dump, int *dumped)
{
    double t0 = fo_report_now();
    edition_out eo = {.o = o, .pub = l->pub, .ed = e, .d = d, .rep = rep};
    cli_progress_start(&eo.prog, o, l->pub->editions[e]);
    eo.check =
        gate_checker_new(l->pub, e, l->tmpl[e], o->profiles, o->strict, pre);
    for (int k = 0; k < 3; k++)
        if (o->profiles & (1 << k))
            eo.out[eo.nout++] = (output){.profile = k, .po = &po[k]};
    if (dump)
        eo.out[eo.nout++] = (output){.profile = DUMP_OUTPUT, .dump = dump};
    fo_dl_doc *doc = NULL;
    fo_page_sink sink = {edition_page, &eo};
    fo_status st =
        fo_typeset_stream(l->pub, e, l->tmpl[e], l->fonts, d, &sink, &doc);
    if (st == FO_OK)
        fo_check_finish(eo.check, doc);
    for (int k = 0; k < eo.nout; k++) {
        output *out = &eo.out[k];
        if (!out->w)
            continue;
        if (st == FO_OK && (!(d->errors + pre->errors) || o->draft)) {
            int is_dump = out->profile == DUMP_OUTPUT;
            if (output_close(out, is_dump ? NULL : &tmp[out->profile]) != FO_OK)
                st = FO_ERR_INPUT;
            else if (is_dump)
                *dumped = 1;
        } else {
            output_drop(out);
        }
    }
    *npages = doc ? doc->npages : 0;
    cli_progress_done(&eo.prog, NULL, 0, 0);
    for (int k = 0; k < eo.nout; k++)
        if (eo.out[k].profile != DUMP_OUTPUT)
            cli_progress_done(&eo.prog, CLI_PROFILE_NAMES[eo.out[k].profile],
                              *npages, tmp[eo.out[k].profile] != NULL);
    if (rep) {
        double write = 0;
        for (int k = 0; k < eo.nout; k++)
            write += eo.out[k].write_s;
        double check = fo_check_seconds(eo.check);
        fo_report_edition(rep, l->pub->editions[e], *npages,
                          fo_report_now() - t0 - write - check, check);
        for (int k = 0; k < eo.nout; k++)
            if (eo.out[k].profile != DUMP_OUTPUT)
                report_output(rep, l->pub->editions[e], &eo.out[k]);
    }
    for (int k = 0; k < eo.nout; k++) {
        for (size_t i = 0; i < eo.out[k].nimgs; i++)
            free(eo.out[k].imgs[i].file);
        free(eo.out[k].imgs);
    }
    fo_checker_free(eo.check);
    fo_dl_doc_free(doc);
    return st;
}

/* ---- the build ---------------------------------------------------------- */

/* Renames every finished PDF into place when rc is 0 (or, with --draft,
 * whatever was finished despite the preflight's errors), profile by
 * profile as the files are named, else removes them all; frees tmp. A
 * child of build -j (o->keep_tmp) leaves them under their temporary names
 * for the parent (jobs.c commit_jobs), and prints the lines the parent
 * prints once they are in place. */
static int commit_pdfs(const opts *o, const fo_pub *pub,
                       char *tmp[FO_MAX_EDITIONS][3], const size_t *npages,
                       int rc, fo_diags *d, fo_report *rep)
{
    int commit = rc == 0 || o->draft;
    cli_begin_commit();
    for (int k = 0; k < 3; k++)
        for (int e = 0; e < pub->neditions; e++) {
            if (!tmp[e][k])
                continue;
            char *path = cli_pdf_path(o->out_dir, pub, e, k);
            if (!commit) {
                fo_atomic_discard(tmp[e][k]);
            } else if (o->keep_tmp) {
                /* still tracked: a signal before the child exits removes
                 * it, and the parent sees the child die */
                free(tmp[e][k]);
                printf("%s: %zu pages\n", path, npages[e]);
            } else if (fo_atomic_rename(tmp[e][k], path) != FO_OK) {
                fo_error_write(d, path, errno);
                rc = EXIT_INPUT;
                commit = o->draft; /* all or nothing: the rest go too */
            } else {
                printf("%s: %zu pages%s\n", path, npages[e],
                       rc ? " (draft: the preflight found errors)" : "");
                if (rep)
                    fo_report_output_path(rep, pub->editions[e],
                                          CLI_PROFILE_NAMES[k], path);
            }
            tmp[e][k] = NULL;
            free(path);
        }
    cli_end_commit();
    return rc;
}

/* The build in this process: edition by edition, laid out and written
 * page by page. The PDFs stay under temporary names until every edition
 * is done without an error; then all are renamed into place, else all
 * removed. With --dump, then the display lists on stdout. */
int build_editions(opts *o, fo_diags *d, fo_report *rep)
{
    double t0 = fo_report_now();
    loaded l;
    int rc = cli_load(o, d, &l);
    if (rep)
        fo_report_timing(rep, "load_s", fo_report_now() - t0);
    if (rc)
        return rc;
    fo_pub *pub = l.pub;
    cli_default_profiles(o, pub);
    char *tmp[FO_MAX_EDITIONS][3] = {{NULL}};
    size_t npages[FO_MAX_EDITIONS] = {0};
    fo_buf dumps[FO_MAX_EDITIONS];         /* --dump: each edition's */
    fo_buf *dumped[FO_MAX_EDITIONS] = {0}; /* those closed, to print */
    int ndumped = 0, ndump = 0;
    for (int e = 0; e < pub->neditions; e++)
        fo_buf_init(&dumps[e], 0);
    fo_diags pre; /* the preflight's findings: reported after layout's */
    fo_diags_init(&pre);
    icc_paths icc = cli_icc_paths_get();
    fo_pdf_opts po[3];
    long long epoch = cli_build_epoch(pub, d);
    for (int k = 0; k < 3; k++)
        po[k] = cli_pdf_opts(k, epoch, icc.cmyk, icc.srgb);
    int laid_out = cli_make_dir(o->out_dir, d);
    if (!laid_out)
        rc = EXIT_INPUT;
    /* every edition is laid out, even after an error, to report all */
    for (int e = 0; e < pub->neditions && laid_out; e++) {
        if (!l.tmpl[e])
            continue;
        int done = 0;
        ndump++;
        if (build_edition(o, &l, e, po, d, &pre, rep, tmp[e], &npages[e],
                          o->dump ? &dumps[e] : NULL, &done) != FO_OK)
            rc = EXIT_INPUT;
        if (done) {
            dumped[e] = &dumps[e];
            ndumped++;
        }
    }
    fo_fonts_free(l.fonts);
    for (size_t i = 0; i < pre.n; i++)
        fo_diag_add_where(d, pre.items[i].sev, pre.items[i].pos,
                          &pre.items[i].where, "%s", pre.items[i].message);
    fo_diags_free(&pre);
    if (d->errors)
        rc = EXIT_INPUT;
    rc = commit_pdfs(o, pub, tmp, npages, rc, d, rep);
    /* the dumps only when every edition's was written */
    if (o->dump && laid_out && ndumped == ndump && (rc == 0 || o->draft)) {
        int wrc = print_dumps(pub, dumped, stdout);
        rc = wrc ? wrc : rc;
    }
    for (int e = 0; e < pub->neditions; e++)
        fo_buf_free(&dumps[e]);
    cli_icc_paths_free(&icc);
    fo_pub_free(pub);
    return rc;
}

int build_run(opts *o)
{
    cli_catch_signals(0);
    cli_sweep_outputs(o->out_dir);
    /* -j N: the parent runs the jobs and returns their worst exit code;
     * each child goes on below with o naming its one job. */
    int rc = 0;
    fo_pub *job_pub = NULL;
    if (o->jobs > 1 && !jobs_run(o, &job_pub, &rc))
        return rc;
    fo_diags d;
    cli_diags_init(&d, o);
    double t0 = fo_report_now();
    fo_report *rep =
        o->report || o->job_report ? fo_report_new("build", o->pub) : NULL;
    rc = build_editions(o, &d, rep);
    if (o->job_seen && fo_image_seen_save(o->job_seen) != FO_OK) {
        cli_say("cannot save the job's list of images: %s", strerror(errno));
        rc = EXIT_INPUT;
    }
    if (rep && o->job_report) {
        /* a job of build -j: its part, for the parent's report */
        if (fo_report_save(rep, &d, o->job_report) != FO_OK) {
            cli_say("cannot save the job's report: %s", strerror(errno));
            rc = EXIT_INPUT;
        }
    } else if (rep) {
        fo_report_timing(rep, "total_s", fo_report_now() - t0);
        if (fo_report_write(rep, o->report, &d, rc, &d) != FO_OK)
            rc = EXIT_INPUT;
    }
    fo_report_free(rep);
    fo_diags_print(&d, stderr);
    fo_pub_free(job_pub);
    fo_diags_free(&d);
    return rc;
}

/* `dump`: lay out the chosen editions and print their display lists; no
 * preflight, nothing written. */
int dump_run(opts *o)
{
    fo_diags d;
    cli_diags_init(&d, o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    int rc = cli_layout(o, &d, &pub, docs, NULL, NULL);
    fo_buf dumps[FO_MAX_EDITIONS];
    fo_buf *dumped[FO_MAX_EDITIONS] = {0};
    for (int e = 0; rc == 0 && e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        fo_buf_init(&dumps[e], 0);
        dumped[e] = &dumps[e];
        if (fo_dl_dump(docs[e], &dumps[e]) != FO_OK)
            rc = EXIT_INPUT;
    }
    if (rc == 0)
        rc = print_dumps(pub, dumped, stdout);
    for (int e = 0; e < FO_MAX_EDITIONS; e++)
        if (dumped[e])
            fo_buf_free(dumped[e]);
    fo_diags_print(&d, stderr);
    if (pub)
        cli_free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}
