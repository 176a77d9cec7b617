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
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long clock_ms(void)
{
    return (long long)(fo_report_now() * 1000);
}

/* The PDF of edition e in profile k, named as `build` names it. */
static int watch_pdf(const fo_pub *pub, const fo_dl_doc *doc, int e, int k,
                     const fo_preview_opts *po, fo_diags *d)
{
    fo_pdf_opts pdf =
        cli_pdf_opts(k, cli_build_epoch(pub, d), po->cmyk_icc, po->srgb_icc);
    char *path = cli_pdf_path(po->out_dir, pub, e, k);
    int ok = fo_render_pdf(doc, path, &pdf, d) == FO_OK;
    if (ok)
        printf("  %s: %zu pages\n", path, doc->npages);
    free(path);
    return ok;
}

/* One build of `watch`: lay out, draw the pages whose hash changed, write
 * the PDFs of the editions that changed, then the proof sheet. On errors
 * nothing but build.js is written, so the last good proof stays. Returns 1
 * when the build succeeded. */
static int watch_build(const opts *o, int profile, fo_preview_cache *cache,
                       long *good, long *attempt)
{
    long long t0 = clock_ms();
    previewed p;
    int found = 0, changed[FO_MAX_EDITIONS] = {0};
    int rendered = 0, pdfs = 0, total = 0;
    int rc = preview_prepare(o, profile, &p, &found);
    fo_pub *pub = p.pub;
    fo_dl_doc **docs = p.docs;
    fo_diags *d = &p.d;
    (*attempt)++;
    if (rc == 0 && found && !o->draft)
        rc = EXIT_INPUT;
    if (rc == 0 && !cli_make_dir(o->out_dir, d))
        rc = EXIT_INPUT;
    if (rc == 0 && fo_preview_pages(pub, docs, &p.po, cache, changed, &rendered,
                                    d) != FO_OK)
        rc = EXIT_INPUT;
    for (int e = 0; rc == 0 && pub && e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        total += (int)docs[e]->npages;
        if (!changed[e])
            continue;
        if (!watch_pdf(pub, docs[e], e, profile, &p.po, d))
            rc = EXIT_INPUT;
        pdfs++;
    }
    if (rc == 0 && fo_proof_write(pub, docs, d, &p.po, *good + 1, d) != FO_OK)
        rc = EXIT_INPUT;
    fo_watch_print_diags(d, stderr);
    long long ms = clock_ms() - t0;
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
        (void)watch_build(o, profile, cache, &good, &attempt);
    }
    printf("folio watch: stopped after %ld build%s\n", attempt,
           attempt == 1 ? "" : "s");
    fo_buf_free(&changed);
    fo_preview_cache_free(cache);
    fo_watch_free(w);
    free(templates);
    free(fonts);
    free(pub_dir);
    free(real);
    return rc;
}
