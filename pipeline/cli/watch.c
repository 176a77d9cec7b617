/* `watch` (cli.h watch_run): the whole loop. Build once, then again
 * whenever an input changes (the file watcher of watch_fs.h), until SIGINT
 * or SIGTERM. Each build lays out, runs the preview's preflight, draws the
 * pages whose content changed, writes the PDFs of the editions that
 * changed and the proof sheet; a failed build keeps the last good output. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/cli.h"
#include "cli/report.h"
#include "cli/watch_fs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The paragraph memo's budget (typeset.h fo_para_memo): the 198 pages of
 * the benchmark edition keep about 6 MB of set paragraphs; 32 MB keeps
 * a thousand pages' worth. */
#define WATCH_MEMO_BYTES ((size_t)32 << 20)

static long long clock_ms(void)
{
    return (long long)(fo_report_now() * 1000);
}

/* CPU milliseconds of the process, every thread's. */
static long long cpu_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the PDFs, on a thread of their own ---------------------------------
 * A rebuild's PDF and its page PNGs are made from the same laid-out
 * pages and share nothing else, so the PDF of each edition that changed
 * is written on a worker thread while the main thread draws the PNGs:
 * fo_preview_pages says which editions changed (o->planned) before it
 * draws their pages. Each PDF is left under its temporary name; once the
 * PNGs are drawn the build renames them into place, or removes them when
 * anything failed, so a failed build still leaves the last good output.
 * The worker reports into diagnostics of its own, added to the build's
 * after it is joined. */
typedef struct pdf_worker {
    const fo_pub *pub;
    fo_dl_doc *const *docs;
    const fo_preview_opts *po;
    fo_pdf_opts pdf;
    int profile;
    pthread_t th;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int queue[FO_MAX_EDITIONS]; /* editions to write, in order */
    int nqueued, next, closed;
    char *tmp[FO_MAX_EDITIONS]; /* written: the temporary names */
    int failed;
    fo_diags d;
} pdf_worker;

/* Writes edition e's PDF under its temporary name (w->tmp[e]); 0 on a
 * failure (reported to w->d). Pages in the order layout finished them,
 * as a build writes them. */
static int write_pdf(pdf_worker *w, int e)
{
    const fo_dl_doc *doc = w->docs[e];
    char *path = cli_pdf_path(w->po->out_dir, w->pub, e, w->profile);
    fo_pdf_writer *pw = NULL;
    fo_status st = fo_pdf_writer_new(doc, path, &w->pdf, &w->d, &pw);
    free(path);
    int ordered = doc->norder == doc->npages;
    for (size_t i = 0; st == FO_OK && i < doc->npages; i++)
        st = fo_pdf_writer_page(pw, ordered ? doc->order[i] : i);
    if (st == FO_OK)
        st = fo_pdf_writer_close_tmp(pw, &w->tmp[e]);
    fo_pdf_writer_drop(pw);
    return st == FO_OK;
}

static void *pdf_worker_main(void *ud)
{
    pdf_worker *w = ud;
    (void)pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->next == w->nqueued && !w->closed)
            (void)pthread_cond_wait(&w->cv, &w->mu);
        if (w->next == w->nqueued)
            break;
        int e = w->queue[w->next++];
        (void)pthread_mutex_unlock(&w->mu);
        int ok = write_pdf(w, e);
        (void)pthread_mutex_lock(&w->mu);
        if (!ok)
            w->failed = 1;
    }
    (void)pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* fo_preview_opts.planned: queues edition e's PDF when e changed. */
static void pdf_planned(void *ud, int e, int changed)
{
    pdf_worker *w = ud;
    if (!changed)
        return;
    (void)pthread_mutex_lock(&w->mu);
    w->queue[w->nqueued++] = e;
    if (!w->started) {
        w->started = pthread_create(&w->th, NULL, pdf_worker_main, w) == 0;
        if (!w->started) {
            w->failed = 1;
            fo_error(&w->d, (fo_pos){0}, "cannot start the PDF's thread");
        }
    }
    (void)pthread_cond_signal(&w->cv);
    (void)pthread_mutex_unlock(&w->mu);
}

static void pdf_worker_init(pdf_worker *w, const opts *o, int profile,
                            const fo_pub *pub, fo_dl_doc *const *docs,
                            const fo_preview_opts *po, fo_diags *d)
{
    memset(w, 0, sizeof *w);
    w->pub = pub;
    w->docs = docs;
    w->po = po;
    w->profile = profile;
    w->pdf = cli_pdf_opts(profile, cli_build_epoch(pub, d), po->cmyk_icc,
                          po->srgb_icc);
    (void)pthread_mutex_init(&w->mu, NULL);
    (void)pthread_cond_init(&w->cv, NULL);
    cli_diags_init(&w->d, o);
}

/* Waits for the PDFs queued, adds the worker's diagnostics to d, then
 * renames the PDFs into place when commit (printing each), else removes
 * them. Returns the PDFs renamed, or -1 when one failed. */
static int pdf_worker_finish(pdf_worker *w, int commit, fo_diags *d)
{
    (void)pthread_mutex_lock(&w->mu);
    w->closed = 1;
    (void)pthread_cond_signal(&w->cv);
    (void)pthread_mutex_unlock(&w->mu);
    if (w->started)
        (void)pthread_join(w->th, NULL);
    for (size_t i = 0; i < w->d.n; i++)
        fo_diag_add_where(d, w->d.items[i].sev, w->d.items[i].pos,
                          &w->d.items[i].where, "%s", w->d.items[i].message);
    int done = w->failed ? -1 : 0;
    for (int k = 0; k < w->nqueued; k++) {
        int e = w->queue[k];
        if (!w->tmp[e])
            continue;
        char *path = cli_pdf_path(w->po->out_dir, w->pub, e, w->profile);
        if (!commit || done < 0) {
            fo_atomic_discard(w->tmp[e]);
        } else if (fo_atomic_rename(w->tmp[e], path) != FO_OK) {
            fo_error_write(d, path, errno);
            done = -1;
        } else {
            printf("  %s: %zu pages\n", path, w->docs[e]->npages);
            done++;
        }
        w->tmp[e] = NULL;
        free(path);
    }
    fo_diags_free(&w->d);
    (void)pthread_mutex_destroy(&w->mu);
    (void)pthread_cond_destroy(&w->cv);
    return done;
}

/* One build of `watch`: lay out, draw the pages whose hash changed, write
 * the PDFs of the editions that changed, then the proof sheet. On errors
 * nothing but build.js is written, so the last good proof stays. Returns 1
 * when the build succeeded. */
static int watch_build(const opts *o, int profile, fo_preview_cache *cache,
                       long *good, long *attempt)
{
    long long t0 = clock_ms(), cpu0 = cpu_ms();
    previewed p;
    int found = 0, changed[FO_MAX_EDITIONS] = {0};
    int rendered = 0, pdfs = 0, total = 0;
    int rc = preview_prepare(o, profile, &p, &found);
    long long t_layout = clock_ms();
    if (rc == 0) /* laid out: what it did not ask for is gone */
        fo_para_memo_sweep(o->memo);
    fo_pub *pub = p.pub;
    fo_dl_doc **docs = p.docs;
    fo_diags *d = &p.d;
    (*attempt)++;
    if (rc == 0 && found && !o->draft)
        rc = EXIT_INPUT;
    if (rc == 0 && !cli_make_dir(o->out_dir, d))
        rc = EXIT_INPUT;
    pdf_worker pw;
    int working = rc == 0;
    if (working) {
        pdf_worker_init(&pw, o, profile, pub, docs, &p.po, d);
        p.po.planned = pdf_planned;
        p.po.planned_ud = &pw;
    }
    if (rc == 0 && fo_preview_pages(pub, docs, &p.po, cache, changed, &rendered,
                                    d) != FO_OK)
        rc = EXIT_INPUT;
    long long t_png = clock_ms();
    if (working) {
        pdfs = pdf_worker_finish(&pw, rc == 0, d);
        if (pdfs < 0)
            rc = EXIT_INPUT;
    }
    for (int e = 0; rc == 0 && pub && e < pub->neditions; e++)
        if (docs[e])
            total += (int)docs[e]->npages;
    long long t_pdf = clock_ms();
    if (rc == 0 && fo_proof_write(pub, docs, d, &p.po, *good + 1, d) != FO_OK)
        rc = EXIT_INPUT;
    fo_watch_print_diags(d, stderr);
    long long ms = clock_ms() - t0;
    if (getenv("FOLIO_WATCH_TIMES")) {
        /* where a build's time goes, for measuring watch itself */
        long hits = 0, misses = 0;
        fo_para_memo_stats(o->memo, &hits, &misses);
        (void)fprintf(stderr,
                      "folio watch: layout and preflight %lld ms, PNGs (the "
                      "PDF alongside) %lld ms, then the PDF %lld ms, proof "
                      "%lld ms, CPU %lld ms; "
                      "paragraphs kept %ld, set %ld (all builds)\n",
                      t_layout - t0, t_png - t_layout, t_pdf - t_png,
                      clock_ms() - t_pdf, cpu_ms() - cpu0, hits, misses);
    }
    if (rc == 0) {
        (*good)++;
        printf("build %ld: %d of %d pages rendered, %d PDF%s written, "
               "%lld ms\n",
               *attempt, rendered, total, pdfs, pdfs == 1 ? "" : "s", ms);
    } else {
        fo_preview_cache_clear(cache); /* pages may be half written */
        fo_diags werr;
        fo_diags_init(&werr);
        if (fo_proof_write_status(o->out_dir, *good, d, &werr) != FO_OK)
            fo_diags_print(&werr, stderr);
        fo_diags_free(&werr);
        printf("build %ld: failed, %lld ms; the last good output is kept\n",
               *attempt, ms);
    }
    (void)fflush(stdout);
    (void)fflush(stderr);
    preview_done(&p);
    return rc == 0;
}

/* Whether a changed path lies outside the publication's folder (a
 * template or a font: what no page dump shows). */
static int outside(const char *changed, const char *pub_dir)
{
    size_t n = strlen(pub_dir);
    const char *p = changed;
    while (*p) {
        if (strncmp(p, pub_dir, n) != 0 || p[n] != '/')
            return 1;
        p = strstr(p, ", ");
        if (!p)
            break;
        p += 2;
    }
    return 0;
}

/* Whether a changed path may change how text is shaped without a change
 * the paragraph memo's key sees (typeset.h fo_para_memo): a font file, or
 * anything in a fonts folder, or lost events ("*"). The key sees the
 * YAML of the content, the styles and the templates; images and the
 * temporary files editors and tools write (sed -i, vim) set no paragraph. */
static int memo_stale(const char *changed)
{
    static const char *const exts[] = {".ttf", ".otf",  ".ttc",  ".otc",
                                       ".pfb", ".woff", ".woff2"};
    const char *p = changed;
    while (*p) {
        const char *end = strstr(p, ", ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 1 && *p == '*')
            return 1;
        for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
            size_t k = strlen(exts[i]);
            if (n > k && strncasecmp(p + n - k, exts[i], k) == 0)
                return 1;
        }
        for (const char *f = p; f + 7 <= p + n; f++)
            if (strncmp(f, "/fonts/", 7) == 0)
                return 1;
        if (!end)
            break;
        p = end + 2;
    }
    return 0;
}

/* `watch`: build once, then again whenever an input changes, until
 * SIGINT or SIGTERM. Inputs: the publication's folder (includes, images,
 * a template of its own), and folio's templates/ and fonts/. */
int watch_run(opts *o)
{
    int rc = 0;
    int profile =
        o->preview_profile < 0 ? FO_PROFILE_PRINT : o->preview_profile;
    fo_diags d;
    fo_diags_init(&d);
    if (!cli_make_dir(o->out_dir, &d)) {
        fo_diags_print(&d, stderr);
        fo_diags_free(&d);
        return EXIT_INPUT;
    }
    fo_diags_free(&d);
    const char *why = NULL;
    fo_watch *w = fo_watch_new(o->out_dir, &why);
    char *real = realpath(o->pub, NULL);
    if (!w || !real) {
        cli_say("cannot watch %s: %s", o->pub, w ? strerror(errno) : why);
        fo_watch_free(w);
        free(real);
        return EXIT_INPUT;
    }
    char *pub_dir = fo_path_dirname(real);
    char *templates = fo_path_join(cli_data_dir(), "templates");
    char *fonts = fo_path_join(cli_data_dir(), "fonts");
    cli_catch_signals(1);
    cli_sweep_outputs(o->out_dir);

    char *out_real = realpath(o->out_dir, NULL); /* made above */
    printf("proof sheet: %s/proof.html (open it once: it reloads itself)\n",
           out_real ? out_real : o->out_dir);
    free(out_real);
    fo_preview_cache *cache = fo_preview_cache_new();
    o->memo = fo_para_memo_new(WATCH_MEMO_BYTES);
    long good = (long)time(NULL) * 10, attempt = 0;
    (void)watch_build(o, profile, cache, &good, &attempt);
    fo_buf changed;
    fo_buf_init(&changed, 4096);
    while (!cli_stop) {
        /* Again each time: new folders may have appeared. */
        if (fo_watch_add(w, pub_dir, 1) < 0 ||
            fo_watch_add(w, templates, 1) < 0) {
            cli_say("cannot watch %s: %s", pub_dir, strerror(errno));
            rc = EXIT_INPUT;
            break;
        }
        (void)fo_watch_add(w, fonts, 1);
        printf("watching %s (Ctrl-C to stop)\n", pub_dir);
        (void)fflush(stdout);
        changed.len = 0;
        if (changed.data)
            changed.data[0] = 0;
        int r = fo_watch_wait(w, 200, &cli_stop, &changed);
        if (r <= 0) {
            if (r < 0) {
                cli_say("inotify: %s", strerror(errno));
                rc = EXIT_INPUT;
            }
            break;
        }
        printf("changed: %.*s\n", (int)changed.len, changed.data);
        if (outside(changed.data, pub_dir))
            fo_preview_cache_clear(cache);
        if (memo_stale(changed.data))
            fo_para_memo_clear(o->memo);
        (void)watch_build(o, profile, cache, &good, &attempt);
    }
    printf("folio watch: stopped after %ld build%s\n", attempt,
           attempt == 1 ? "" : "s");
    fo_buf_free(&changed);
    fo_preview_cache_free(cache);
    fo_para_memo_free(o->memo);
    o->memo = NULL;
    fo_watch_free(w);
    free(templates);
    free(fonts);
    free(pub_dir);
    free(real);
    return rc;
}
