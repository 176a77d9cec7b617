/* What folio's commands share (cli.h): messages, loading and laying out
 * a publication, the PDFs' names and options, and the signal handling
 * that keeps a killed run from leaving half-written outputs. */
#define _XOPEN_SOURCE 700
#include "cli/cache_cmd.h"
#include "cli/cli.h"
#include "cli/report.h"
#include "image/image.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const CLI_PROFILE_NAMES[3] = {"screen", "print", "archive"};

void cli_vsay(const char *fmt, va_list ap)
{
    char buf[1024];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    size_t len = n < 0                    ? 0
                 : (size_t)n < sizeof buf ? (size_t)n
                                          : sizeof buf - 1;
    char *esc = fo_escape_controls(buf, len);
    (void)fprintf(stderr, "folio: %s\n", esc);
    free(esc);
}

void cli_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vsay(fmt, ap);
    va_end(ap);
}

void cli_diags_init(fo_diags *d, const opts *o)
{
    fo_diags_init(d);
    d->strict = o->strict;
    d->quiet = o->quiet;
}

/* The installed data beside the running folio: BINDIR/FO_DATA_REL (the
 * relative path CMake computed from bin/ to share/folio), when it holds
 * templates/. Looked up through /proc/self/exe, so that an installed
 * folio, or a copy of its prefix anywhere, finds its own templates and
 * fonts, never a source tree's (tests/cli/install.sh). NULL when folio
 * runs from its build folder. */
static char *installed_data_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || (size_t)n >= sizeof exe - 1)
        return NULL;
    exe[n] = 0;
    char *bin = fo_path_dirname(exe);
    char *data = fo_path_join(bin, FO_DATA_REL);
    char *tmpl = fo_path_join(data, "templates");
    struct stat st;
    int found = stat(tmpl, &st) == 0 && S_ISDIR(st.st_mode);
    free(tmpl);
    free(bin);
    if (!found) {
        free(data);
        return NULL;
    }
    return data;
}

const char *cli_data_dir(void)
{
    static char *installed;
    static int looked;
    const char *env = getenv("FOLIO_DATA_DIR");
    if (env && *env)
        return env;
    if (!looked) { /* once: the answer cannot change during a run */
        installed = installed_data_dir();
        looked = 1;
    }
    return installed ? installed : FO_DATA_DIR;
}

/* Creation date of the PDFs: SOURCE_DATE_EPOCH when set (reproducible
 * builds), else 1 January of the publication's year, so that a build is
 * byte-identical whatever the clock says. */
long long cli_build_epoch(const fo_pub *pub, fo_diags *d)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s && *s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*end && errno == 0 && v >= 0)
            return v;
        fo_warning(d, (fo_pos){0},
                   "SOURCE_DATE_EPOCH='%s' is not a number of seconds; "
                   "ignored",
                   s);
    }
    /* Days from 1970-01-01 to 1 January of year y (proleptic Gregorian). */
    long long y = (pub->year > 0 ? pub->year : 2000) - 1;
    long long days = 365 * (y - 1969) + (y / 4 - 1969 / 4) -
                     (y / 100 - 1969 / 100) + (y / 400 - 1969 / 400);
    return days * 86400;
}

int cli_make_dir(const char *dir, fo_diags *d)
{
    char *p = fo_xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        mkdir(p, 0777);
        *s = '/';
    }
    int ok = mkdir(p, 0777) == 0 || errno == EEXIST;
    free(p);
    if (!ok)
        fo_error_path(d, dir, "create the folder", errno);
    return ok;
}

int cli_load(const opts *o, fo_diags *d, loaded *l)
{
    memset(l, 0, sizeof *l);
    fo_image_seen_reset(); /* a new build: its images as it finds them */
    fo_pub *pub = NULL;
    fo_status st = fo_pub_load(o->pub, d, &pub);
    if (st != FO_OK)
        return EXIT_INPUT;
    int only = -1;
    if (o->edition && strcmp(o->edition, "all") != 0) {
        only = fo_pub_edition(pub, o->edition);
        if (only < 0) {
            cli_say("'%s' is not an edition of %s", o->edition, o->pub);
            fo_pub_free(pub);
            return EXIT_USAGE;
        }
    }
    /* One template per edition: its `languages:` entries differ. Every
     * load checks the whole template, so an error in it is found by each
     * and reported once (fo_diags drops repeats). */
    const fo_template **tmpl = l->tmpl;
    const fo_template *first = NULL;
    for (int e = 0; e < pub->neditions; e++) {
        if (only >= 0 && e != only)
            continue;
        if (fo_template_load(pub, pub->editions[e], cli_data_dir(), pub->arena,
                             d, &tmpl[e]) != FO_OK)
            st = FO_ERR_INPUT;
        else if (!first)
            first = tmpl[e];
    }
    if (st != FO_OK || !first) {
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    char *fonts_dir = fo_path_join(cli_data_dir(), "fonts");
    fo_fonts *fonts = NULL; /* the template's fonts folder is every edition's */
    st = fo_fonts_new(fonts_dir, first->fonts_dir, d, &fonts);
    free(fonts_dir);
    if (st != FO_OK) {
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    fo_fonts_set_memo(fonts, o->memo);
    l->pub = pub;
    l->fonts = fonts;
    return 0;
}

int cli_layout(const opts *o, fo_diags *d, fo_pub **pub_out, fo_dl_doc **docs,
               const fo_template **tmpl, double *secs)
{
    loaded l;
    int rc = cli_load(o, d, &l);
    if (rc)
        return rc;
    fo_pub *pub = l.pub;
    for (int e = 0; tmpl && e < FO_MAX_EDITIONS; e++)
        tmpl[e] = l.tmpl[e];
    fo_status st = FO_OK;
    for (int e = 0; e < pub->neditions; e++) {
        docs[e] = NULL;
        if (!l.tmpl[e])
            continue;
        /* Lay out every edition even after an error, to report them all. */
        double t0 = fo_report_now();
        if (fo_typeset(pub, e, l.tmpl[e], l.fonts, d, &docs[e]) != FO_OK)
            st = FO_ERR_INPUT;
        if (secs)
            secs[e] = fo_report_now() - t0;
    }
    fo_fonts_free(l.fonts);
    if (st != FO_OK || d->errors) {
        for (int e = 0; e < pub->neditions; e++)
            fo_dl_doc_free(docs[e]);
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    *pub_out = pub;
    return 0;
}

void cli_free_docs(fo_pub *pub, fo_dl_doc **docs)
{
    for (int e = 0; e < pub->neditions; e++)
        fo_dl_doc_free(docs[e]);
    fo_pub_free(pub);
}

/* ---- signals ------------------------------------------------------------
 * SIGINT and SIGTERM end a build or a preview at once, and what it was
 * writing goes with it: the handler removes the temporary files
 * (fo_tmp_remove_all), sends SIGTERM to the jobs of `build -j`, and dies of
 * the signal (the shell sees 128 + its number). The outputs already in
 * place stay. A commit (the renames that put a build's PDFs in place)
 * holds the signal back until it is done, so it happens whole or not at
 * all. `watch` stops gently instead: the first signal ends it after the
 * build under way, whose outputs are whole; a second one ends it at once,
 * as it ends a build. The handler may run on any thread (the PDF writer's
 * image workers too): it reads only flags and atomics. */
volatile sig_atomic_t cli_stop;           /* watch: a signal came */
static volatile sig_atomic_t stop_gently; /* watch: the first one only
                                             sets cli_stop */
static volatile sig_atomic_t committing;  /* a commit is under way */
static volatile sig_atomic_t deferred;    /* the signal it held back */
/* build -j: the running jobs' processes, by job (0: none) */
static atomic_int job_pid[CLI_MAX_JOBS];

static void on_signal(int sig)
{
    if (stop_gently && !cli_stop) {
        cli_stop = 1;
        return;
    }
    if (committing) {
        deferred = sig;
        return;
    }
    fo_tmp_remove_all();
    for (int i = 0; i < CLI_MAX_JOBS; i++) {
        int pid = atomic_load(&job_pid[i]);
        if (pid > 0)
            (void)kill((pid_t)pid, SIGTERM);
    }
    /* Blocked until the handler returns, then the default action: the
     * process dies of sig. */
    (void)signal(sig, SIG_DFL);
    (void)raise(sig);
}

void cli_catch_signals(int gently)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: watch's poll() returns */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT); /* the two never nest */
    sigaddset(&sa.sa_mask, SIGTERM);
    stop_gently = gently;
    cli_stop = 0;
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
}

void cli_begin_commit(void)
{
    committing = 1;
}

void cli_end_commit(void)
{
    committing = 0;
    if (deferred)
        on_signal(deferred);
}

void cli_sweep_outputs(const char *out_dir)
{
    fo_tmp_sweep(out_dir);
    char *thumbs = fo_path_join(out_dir, "thumbs");
    fo_tmp_sweep(thumbs);
    free(thumbs);
}

void cli_default_profiles(opts *o, const fo_pub *pub)
{
    if (o->profiles != 0)
        return;
    for (int i = 0; i < pub->nprofiles; i++)
        for (int k = 0; k < 3; k++)
            if (strcmp(pub->profiles[i], CLI_PROFILE_NAMES[k]) == 0)
                o->profiles |= 1 << k;
    if (o->profiles == 0)
        o->profiles = 1 << FO_PROFILE_PRINT;
}

char *cli_pdf_path(const char *out_dir, const fo_pub *pub, int e, int k)
{
    char *name =
        fo_arena_printf(pub->arena, "%s-%s%s%s.pdf", pub->slug,
                        pub->editions[e], k == FO_PROFILE_PRINT ? "" : "-",
                        k == FO_PROFILE_PRINT ? "" : CLI_PROFILE_NAMES[k]);
    return fo_path_join(out_dir, name);
}

icc_paths cli_icc_paths_get(void)
{
    return (icc_paths){
        fo_path_join(cli_data_dir(),
                     "assets/profiles/ISOcoated_v2_300_bas.icc"),
        fo_path_join(cli_data_dir(), "assets/profiles/sRGB.icc")};
}

void cli_icc_paths_free(icc_paths *icc)
{
    free(icc->cmyk);
    free(icc->srgb);
}

fo_pdf_opts cli_pdf_opts(int k, long long epoch, const char *cmyk_icc,
                         const char *srgb_icc)
{
    return (fo_pdf_opts){.epoch = epoch,
                         .compress = 1,
                         .profile = (fo_profile)k,
                         .screen_ppi = 150,
                         .cmyk_icc = cmyk_icc,
                         .srgb_icc = srgb_icc,
                         .cache = fo_cli_cache()};
}

void cli_job_pid(int slot, pid_t pid)
{
    atomic_store(&job_pid[slot], (int)pid);
}

void cli_jobs_forget(void)
{
    for (int i = 0; i < CLI_MAX_JOBS; i++)
        atomic_store(&job_pid[i], 0);
}
