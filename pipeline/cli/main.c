/* folio's command line: a table of subcommands, each a function taking
 * argc/argv. Exit codes: 0 done, 1 the input has errors (or an output could
 * not be written), 2 bad usage. Diagnostics go to stderr in the compiler
 * format; nothing is written unless every edition laid out without error,
 * and every output is written under a temporary name and renamed. */
#define _XOPEN_SOURCE 700
#include "cli/cache_cmd.h"
#include "cli/gate.h"
#include "cli/proof.h"
#include "cli/report.h"
#include "cli/watch.h"
#include "dlist/dlist.h"
#include "image/image.h"
#include "model/model.h"
#include "model/template.h"
#include "render/render.h"
#include "typeset/typeset.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

static const char USAGE[] =
    "usage: folio build   PUB.yaml [-o DIR] [--edition LANG|all]\n"
    "                     [--profile print|screen|archive|all] [--strict]\n"
    "                     [--draft] [--report FILE.json] [--dump] [-j N]\n"
    "       folio preview PUB.yaml [-o DIR] [--edition LANG|all] [--dpi N]\n"
    "                     [--profile screen|print] [--bleed] [--draft]\n"
    "       folio watch   PUB.yaml [-o DIR] [--edition LANG|all] [--dpi N]\n"
    "                     [--profile print|screen] [--bleed] [--draft]\n"
    "       folio dump    PUB.yaml [--edition LANG]\n"
    "       folio check   PUB.yaml [--edition LANG|all] [--strict]\n"
    "                     [--report FILE.json]\n"
    "       folio cache   clean|info [--cache DIR]\n"
    "       folio --help | --version\n"
    "every command but cache also takes --cache DIR or --no-cache\n";

typedef struct opts {
    const char *pub;
    const char *out_dir;
    const char *edition; /* NULL or "all": every edition */
    double dpi;
    int dump;
    int profiles;        /* bit set of fo_profile values to write (build) */
    int strict;          /* warnings are errors */
    int jobs;            /* build: processes at once (see plan_jobs) */
    int preview_profile; /* preview, watch: -1 unset, else fo_profile */
    int bleed;           /* preview, watch: PNGs show the bleed */
    int draft;           /* write despite preflight errors, outlined */
    const char *report;  /* build, check: the JSON report's path, or NULL */
    int keep_tmp;        /* a child of build -j: PDFs stay under their
                            temporary names, for the parent to commit */
    FILE *job_report;    /* a child of build -j with --report: where it
                            saves its part of the report (fo_report_save) */
    FILE *job_seen;      /* a child of build -j: where it saves the image
                            files it read (fo_image_seen_save) */

    const char *cache_dir; /* --cache DIR, or NULL (cli/cache_cmd.h) */
    int no_cache;          /* --no-cache */
} opts;

/* Indexed by fo_profile. */
static const char *const PROFILE_NAMES[] = {"screen", "print", "archive"};

/* "folio: message" on stderr, the message's control characters escaped
 * (fo_escape_controls): it quotes the command line and file names, and no
 * argument may drive the terminal. */
static void vsay(const char *fmt, va_list ap) FO_PRINTF(1, 0);

static void vsay(const char *fmt, va_list ap)
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

static void say(const char *fmt, ...) FO_PRINTF(1, 2);

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

static int usage_error(const char *fmt, ...) FO_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    (void)fputs(USAGE, stderr);
    return EXIT_USAGE;
}

/* parse_option's answer for an argument that is not one of cmd's options. */
enum { NOT_AN_OPTION = -1 };

/* The value after option argv[*i], with *i moved onto it; NULL, after the
 * usage error "OPTION needs what", when the option is the last argument. */
static const char *option_value(int argc, char **argv, int *i, const char *what)
{
    if (*i + 1 >= argc) {
        (void)usage_error("%s needs %s", argv[*i], what);
        return NULL;
    }
    return argv[++*i];
}

/* The diagnostics of a run: with --strict, every warning is an error. */
static void diags_init(fo_diags *d, const opts *o)
{
    fo_diags_init(d);
    d->strict = o->strict;
}

/* Options every subcommand takes: -o/--output, --edition, --strict,
 * --cache DIR, --no-cache. */
static int parse_common_option(int argc, char **argv, int *i, opts *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "--cache") == 0) {
        o->cache_dir = option_value(argc, argv, i, "a folder");
        return o->cache_dir ? 0 : EXIT_USAGE;
    }
    if (strcmp(a, "--no-cache") == 0) {
        o->no_cache = 1;
        return 0;
    }
    if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
        o->out_dir = option_value(argc, argv, i, "a folder");
        return o->out_dir ? 0 : EXIT_USAGE;
    }
    if (strcmp(a, "--edition") == 0) {
        o->edition = option_value(argc, argv, i, "a language tag or 'all'");
        return o->edition ? 0 : EXIT_USAGE;
    }
    if (strcmp(a, "--strict") == 0) {
        o->strict = 1;
        return 0;
    }
    return NOT_AN_OPTION;
}

/* --profile of preview and watch: print or screen (v "" when missing). */
static int parse_preview_profile(const char *v, opts *o)
{
    if (strcmp(v, "print") == 0)
        o->preview_profile = FO_PROFILE_PRINT;
    else if (strcmp(v, "screen") == 0)
        o->preview_profile = FO_PROFILE_SCREEN;
    else
        return usage_error("--profile takes print or screen here, "
                           "not '%s'",
                           v);
    return 0;
}

/* --dpi of preview and watch: 10 to 1200. */
static int parse_dpi(const char *v, opts *o)
{
    char *end;
    o->dpi = strtod(v, &end);
    if (*end || o->dpi < 10 || o->dpi > 1200)
        return usage_error("--dpi takes a number from 10 to 1200, "
                           "not '%s'",
                           v);
    return 0;
}

/* Options of preview and watch: --profile, --bleed, --dpi. */
static int parse_preview_option(int argc, char **argv, int *i, opts *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "--profile") == 0)
        return parse_preview_profile(*i + 1 < argc ? argv[++*i] : "", o);
    if (strcmp(a, "--bleed") == 0) {
        o->bleed = 1;
        return 0;
    }
    if (strcmp(a, "--draft") == 0) {
        o->draft = 1;
        return 0;
    }
    if (strcmp(a, "--dpi") == 0) {
        const char *v = option_value(argc, argv, i, "a number");
        return v ? parse_dpi(v, o) : EXIT_USAGE;
    }
    return NOT_AN_OPTION;
}

/* --profile of build: print, screen, archive or all; adds to o->profiles. */
static int parse_build_profile(const char *v, opts *o)
{
    int found = strcmp(v, "all") == 0 ? 7 : 0;
    for (int k = 0; k < 3; k++)
        if (strcmp(v, PROFILE_NAMES[k]) == 0)
            found = 1 << k;
    if (!found)
        return usage_error("--profile takes print, screen, archive "
                           "or all, not '%s'",
                           v);
    o->profiles |= found;
    return 0;
}

/* -j/--jobs of build: 1 to 64 processes. */
static int parse_jobs(const char *v, opts *o)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > 64)
        return usage_error("-j takes a number from 1 to 64, not '%s'", v);
    o->jobs = (int)n;
    return 0;
}

/* Options of build: --dump, --profile, -j/--jobs. */
static int parse_build_option(int argc, char **argv, int *i, opts *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "--dump") == 0) {
        o->dump = 1;
        return 0;
    }
    if (strcmp(a, "--profile") == 0) {
        const char *v =
            option_value(argc, argv, i, "print, screen, archive or all");
        return v ? parse_build_profile(v, o) : EXIT_USAGE;
    }
    if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
        const char *v = option_value(argc, argv, i, "a number of processes");
        return v ? parse_jobs(v, o) : EXIT_USAGE;
    }
    if (strcmp(a, "--draft") == 0) {
        o->draft = 1;
        return 0;
    }
    return NOT_AN_OPTION;
}

/* --report FILE.json of build and check. */
static int parse_report_option(int argc, char **argv, int *i, opts *o)
{
    if (strcmp(argv[*i], "--report") != 0)
        return NOT_AN_OPTION;
    o->report = option_value(argc, argv, i, "a file name (FILE.json)");
    return o->report ? 0 : EXIT_USAGE;
}

/* Parses argv[*i] if it is an option of subcommand cmd (moving *i past its
 * value). Returns 0, EXIT_USAGE after a usage error, or NOT_AN_OPTION. */
static int parse_option(const char *cmd, int argc, char **argv, int *i, opts *o)
{
    int rc = parse_common_option(argc, argv, i, o);
    if (rc == NOT_AN_OPTION &&
        (strcmp(cmd, "preview") == 0 || strcmp(cmd, "watch") == 0))
        rc = parse_preview_option(argc, argv, i, o);
    if (rc == NOT_AN_OPTION && strcmp(cmd, "build") == 0)
        rc = parse_build_option(argc, argv, i, o);
    if (rc == NOT_AN_OPTION &&
        (strcmp(cmd, "build") == 0 || strcmp(cmd, "check") == 0))
        rc = parse_report_option(argc, argv, i, o);
    return rc;
}

/* An argument that is not an option of the subcommand: the publication,
 * or a usage error. */
static int parse_operand(const char *a, opts *o)
{
    if (a[0] == '-' && a[1])
        return usage_error("unknown option '%s'", a);
    if (o->pub)
        return usage_error("one publication at a time ('%s' is extra)", a);
    o->pub = a;
    return 0;
}

/* Parses "PUB.yaml [options]" for subcommand cmd. */
static int parse_opts(const char *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    o->dpi = 96;
    o->profiles = 0;
    o->jobs = 1;
    o->preview_profile = -1;
    for (int i = 0; i < argc; i++) {
        int rc = parse_option(cmd, argc, argv, &i, o);
        if (rc == NOT_AN_OPTION)
            rc = parse_operand(argv[i], o);
        if (rc != 0)
            return rc;
    }
    if (!o->pub)
        return usage_error("%s: which publication? (a .yaml file)", cmd);
    if (o->dump && o->jobs > 1)
        return usage_error("--dump prints the display lists from one process: "
                           "leave out -j");
    /* before any job of -j starts: they share it */
    fo_cli_cache_start(o->cache_dir, o->no_cache);
    return 0;
}

static const char *data_dir(void)
{
    const char *env = getenv("FOLIO_DATA_DIR");
    return env && *env ? env : FO_DATA_DIR;
}

/* Creation date of the PDFs: SOURCE_DATE_EPOCH when set (reproducible
 * builds), else 1 January of the publication's year, so that a build is
 * byte-identical whatever the clock says. */
static long long build_epoch(const fo_pub *pub, fo_diags *d)
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

static int make_dir(const char *dir, fo_diags *d)
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

/* Loads the publication and lays out the chosen editions. On success
 * docs[i] is the display list of edition i (NULL when not chosen). */
/* What layout needs: the publication, a template per chosen edition (NULL
 * for the others) and the fonts. */
typedef struct loaded {
    fo_pub *pub;
    const fo_template *tmpl[FO_MAX_EDITIONS];
    fo_fonts *fonts;
} loaded;

/* Loads the publication, the template of each chosen edition and the
 * fonts; 0, or the exit code (errors reported to d, nothing to free). */
static int load(const opts *o, fo_diags *d, loaded *l)
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
            say("'%s' is not an edition of %s", o->edition, o->pub);
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
        if (fo_template_load(pub, pub->editions[e], data_dir(), pub->arena, d,
                             &tmpl[e]) != FO_OK)
            st = FO_ERR_INPUT;
        else if (!first)
            first = tmpl[e];
    }
    if (st != FO_OK || !first) {
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    char *fonts_dir = fo_path_join(data_dir(), "fonts");
    fo_fonts *fonts = NULL; /* the template's fonts folder is every edition's */
    st = fo_fonts_new(fonts_dir, first->fonts_dir, d, &fonts);
    free(fonts_dir);
    if (st != FO_OK) {
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    l->pub = pub;
    l->fonts = fonts;
    return 0;
}

/* Loads, then lays out every chosen edition whole (docs[e], NULL for the
 * others); 0 with *pub_out set, or the exit code. tmpl (may be NULL)
 * receives each edition's template (owned by the publication). */
static int layout(const opts *o, fo_diags *d, fo_pub **pub_out,
                  fo_dl_doc **docs, const fo_template **tmpl, double *secs)
{
    loaded l;
    int rc = load(o, d, &l);
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

static void free_docs(fo_pub *pub, fo_dl_doc **docs)
{
    for (int e = 0; e < pub->neditions; e++)
        fo_dl_doc_free(docs[e]);
    fo_pub_free(pub);
}

/* Prints the display lists to out (stdout: the product of `dump` and of
 * `build --dump`). A failed write (a full disk, say) exits 1, not 0 with a
 * truncated dump: the first failure's errno is kept for the message, and
 * ferror() catches any failure that set none. */
static int dump_docs(const fo_pub *pub, fo_dl_doc **docs, FILE *out)
{
    int werr = 0;
    for (int e = 0; e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        fo_buf b;
        fo_buf_init(&b, 0);
        if (fprintf(out, "edition %s\n", pub->editions[e]) < 0 && !werr)
            werr = errno;
        if (fo_dl_dump(docs[e], &b) != FO_OK) {
            fo_buf_free(&b);
            return EXIT_INPUT;
        }
        if (fwrite(b.data, 1, b.len, out) != b.len && !werr)
            werr = errno;
        fo_buf_free(&b);
    }
    if (fflush(out) != 0 && !werr)
        werr = errno;
    if (werr || ferror(out)) {
        say("cannot write the dump: %s", werr ? strerror(werr) : "write error");
        return EXIT_INPUT;
    }
    return 0;
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
static volatile sig_atomic_t watch_stop;  /* watch: a signal came */
static volatile sig_atomic_t stop_gently; /* watch: the first one only
                                             sets watch_stop */
static volatile sig_atomic_t committing;  /* a commit is under way */
static volatile sig_atomic_t deferred;    /* the signal it held back */
/* build -j: the running jobs' processes, by job (0: none) */
static atomic_int job_pid[3 * FO_MAX_EDITIONS];

static void on_signal(int sig)
{
    if (stop_gently && !watch_stop) {
        watch_stop = 1;
        return;
    }
    if (committing) {
        deferred = sig;
        return;
    }
    fo_tmp_remove_all();
    for (int i = 0; i < 3 * FO_MAX_EDITIONS; i++) {
        int pid = atomic_load(&job_pid[i]);
        if (pid > 0)
            (void)kill((pid_t)pid, SIGTERM);
    }
    /* Blocked until the handler returns, then the default action: the
     * process dies of sig. */
    (void)signal(sig, SIG_DFL);
    (void)raise(sig);
}

/* Installs on_signal for SIGINT and SIGTERM (gently: watch's way). */
static void catch_signals(int gently)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: watch's poll() returns */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT); /* the two never nest */
    sigaddset(&sa.sa_mask, SIGTERM);
    stop_gently = gently;
    watch_stop = 0;
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
}

static void begin_commit(void)
{
    committing = 1;
}

/* Ends a commit; a signal it held back now ends the process. */
static void end_commit(void)
{
    committing = 0;
    if (deferred)
        on_signal(deferred);
}

/* Before a build or preview writes into out_dir: removes the temporary
 * files that killed builds left there (fo_tmp_sweep). */
static void sweep_outputs(const char *out_dir)
{
    fo_tmp_sweep(out_dir);
    char *thumbs = fo_path_join(out_dir, "thumbs");
    fo_tmp_sweep(thumbs);
    free(thumbs);
}

static char *pdf_path(const char *out_dir, const fo_pub *pub, int e, int k);

/* When build -j started, for the report's total. */
static double jobs_t0;

/* `build -j N`: one process per job, at most N at once. A job is one
 * edition and a set of profiles (every profile, unless plan_jobs splits
 * them). Each child builds its job as `build --edition E --profile P...`
 * would, with the one-process code below: it lays out its edition once and
 * renders each profile from that one display list in turn. Its stdout and
 * stderr go to temporary files; the parent prints them job by job, in job
 * order, so no two jobs' lines interleave. A diagnostic line another job
 * already printed (a warning about the shared publication, say) is printed
 * once. The exit code is the worst of the jobs'.
 *
 * All or nothing, as with one process: a job leaves its PDFs under their
 * temporary names (NAME.tmp-CHILDPID), and the parent, once every job has
 * ended, renames all of them into place if every job succeeded, else
 * removes them all; the jobs' output lines (the PDFs written) are printed
 * only then. A job dies with the parent (PR_SET_PDEATHSIG), and the
 * parent's signal handler ends the running jobs and removes their files,
 * so no job outlives a killed build to put a PDF in place. */
typedef struct build_job {
    int edition;  /* index into pub->editions */
    int profiles; /* bit set of fo_profile values */
    pid_t pid;    /* 0: not started */
    int rc;       /* -1 while it runs */
    FILE *out;    /* the child's stdout and stderr */
    FILE *err;
    FILE *rep;    /* --report: the child's part of it (fo_report_save) */
    FILE *seen;   /* the image files the child read (fo_image_seen_save) */
    char *tmp[3]; /* by profile: the PDF the child leaves (malloc'd) */
} build_job;

typedef struct seen_lines {
    char **v;
    size_t n, cap;
} seen_lines;

/* Copies f (rewound) to out; with seen, skips and records repeated lines. */
static void copy_lines(FILE *f, FILE *out, seen_lines *seen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    rewind(f);
    while ((len = getline(&line, &cap, f)) >= 0) {
        size_t i = 0;
        while (seen && i < seen->n && strcmp(seen->v[i], line) != 0)
            i++;
        if (seen && i < seen->n)
            continue;
        if (seen) {
            if (seen->n == seen->cap) {
                seen->cap = seen->cap ? 2 * seen->cap : 64;
                seen->v = fo_xrealloc(seen->v, seen->cap * sizeof *seen->v);
            }
            seen->v[seen->n++] = fo_xstrdup(line);
        }
        (void)fwrite(line, 1, (size_t)len, out);
    }
    free(line);
    (void)fflush(out);
}

/* In a child of build -j, right after fork(): the parent's temporary
 * files and jobs are not the child's, and the child dies with the parent.
 * SIGTERM rather than SIGKILL, so that the child's handler removes its own
 * temporary files. */
static void child_setup(pid_t parent)
{
    fo_tmp_forget_all();
    for (int i = 0; i < 3 * FO_MAX_EDITIONS; i++)
        atomic_store(&job_pid[i], 0);
#ifdef __linux__
    (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    /* The parent died before prctl, and nobody will send the signal. */
    if (getppid() != parent)
        _exit(128 + SIGTERM);
}

/* In the parent: the temporary names job j's PDFs get, tracked so that a
 * signal removes them with the parent's own. */
static void track_job_pdfs(build_job *j, const fo_pub *pub, const opts *o)
{
    for (int k = 0; k < 3; k++) {
        if (!(j->profiles & (1 << k)))
            continue;
        char *path = pdf_path(o->out_dir, pub, j->edition, k);
        j->tmp[k] = fo_atomic_tmpname_of(path, (long)j->pid);
        fo_tmp_track(j->tmp[k]);
        free(path);
    }
}

/* Starts job j (slot: its index). In the child, sets *o to the job's
 * edition and profiles (o->edition then points into pub) and returns 1; in
 * the parent returns 0 (j->pid set, or j->rc on failure). */
static int start_job(build_job *j, int slot, const fo_pub *pub, opts *o)
{
    j->out = tmpfile();
    j->err = tmpfile();
    j->rep = o->report ? tmpfile() : NULL;
    j->seen = tmpfile();
    if (!j->out || !j->err || !j->seen || (o->report && !j->rep)) {
        say("cannot create a temporary file: %s", strerror(errno));
        j->rc = EXIT_INPUT;
        return 0;
    }
    (void)fflush(stdout);
    (void)fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        say("cannot start a job: %s", strerror(errno));
        j->rc = EXIT_INPUT;
        return 0;
    }
    if (pid > 0) {
        j->pid = pid;
        atomic_store(&job_pid[slot], (int)pid);
        track_job_pdfs(j, pub, o);
        return 0;
    }
    child_setup(parent);
    if (dup2(fileno(j->out), STDOUT_FILENO) < 0 ||
        dup2(fileno(j->err), STDERR_FILENO) < 0)
        _exit(EXIT_INPUT);
    o->edition = pub->editions[j->edition];
    o->profiles = j->profiles;
    o->jobs = 1;
    o->keep_tmp = 1;
    o->job_report = j->rep;
    o->job_seen = j->seen;
    o->report = NULL;
    return 1;
}

/* Without --profile, the publication's `profiles:` (else print). */
static void default_profiles(opts *o, const fo_pub *pub)
{
    if (o->profiles != 0)
        return;
    for (int i = 0; i < pub->nprofiles; i++)
        for (int k = 0; k < 3; k++)
            if (strcmp(pub->profiles[i], PROFILE_NAMES[k]) == 0)
                o->profiles |= 1 << k;
    if (o->profiles == 0)
        o->profiles = 1 << FO_PROFILE_PRINT;
}

/* Loads the publication for the jobs and finds the edition o->edition
 * names (*only -1: every edition). Returns 0, or the exit code after
 * reporting why not. */
static int load_jobs_pub(opts *o, fo_pub **pub_out, int *only)
{
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    if (fo_pub_load(o->pub, &d, &pub) != FO_OK) {
        fo_diags_print(&d, stderr);
        fo_diags_free(&d);
        return EXIT_INPUT;
    }
    fo_diags_free(&d); /* the jobs load it again and report its warnings */
    default_profiles(o, pub);
    *only = -1;
    if (o->edition && strcmp(o->edition, "all") != 0) {
        *only = fo_pub_edition(pub, o->edition);
        if (*only < 0) {
            say("'%s' is not an edition of %s", o->edition, o->pub);
            fo_pub_free(pub);
            return EXIT_USAGE;
        }
    }
    *pub_out = pub;
    return 0;
}

/* Fills jobs edition by edition and returns how many (at most 3 per
 * edition). With at least as many editions as processes, a job is one
 * edition with all its profiles: it lays the edition out once, and
 * splitting its profiles would only add layouts, since every process
 * already has an edition to build. With fewer editions than processes,
 * each edition's profiles are dealt out over the spare processes (never
 * more jobs than processes): each of those jobs lays the edition out again,
 * but on a core that would otherwise idle, while the renders, which cost
 * more than layout (print most), run side by side. Measured on 2 idle
 * cores, nam-dinh --edition en (vi) --profile print --profile screen -j 2,
 * median of 3: split 1.64 s (1.69 s), one job 1.79 s (1.84 s); before the
 * PDF writer made images on a worker thread, 2.94 s (2.85 s) against
 * 3.81 s (4.07 s). */
static int plan_jobs(const opts *o, const fo_pub *pub, int only,
                     build_job *jobs)
{
    int neditions = only < 0 ? pub->neditions : 1, nprofiles = 0;
    for (int k = 0; k < 3; k++)
        nprofiles += (o->profiles >> k) & 1;
    int per_edition = o->jobs / neditions; /* jobs for each edition */
    if (per_edition > nprofiles)
        per_edition = nprofiles;
    if (per_edition < 1)
        per_edition = 1;
    /* Screen, print, archive dealt in turn: with 3 profiles over 2 jobs,
     * print (the slowest: CMYK images) has a job of its own. */
    int sets[3] = {0, 0, 0};
    for (int k = 0, i = 0; k < 3; k++)
        if (o->profiles & (1 << k))
            sets[i++ % per_edition] |= 1 << k;
    int n = 0;
    for (int e = 0; e < pub->neditions; e++)
        for (int i = 0; i < per_edition && (only < 0 || e == only); i++)
            jobs[n++] =
                (build_job){.edition = e, .profiles = sets[i], .rc = -1};
    return n;
}

/* Records the exit code of job j (slot: its index), which ended with
 * status. */
static void job_ended(build_job *j, int slot, int status, const fo_pub *pub)
{
    atomic_store(&job_pid[slot], 0);
    j->rc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_INPUT;
    if (WIFSIGNALED(status))
        say("the build of edition %s died of signal %d",
            pub->editions[j->edition], WTERMSIG(status));
}

/* Waits for a job to end and records its exit code (*running one less).
 * Returns 0 when a signal interrupted the wait, else 1. */
static int wait_job(build_job *jobs, int n, const fo_pub *pub, int *running)
{
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR)
        return 0;
    for (int i = 0; i < n; i++) {
        if (pid <= 0 || jobs[i].pid != pid)
            continue;
        (*running)--;
        job_ended(&jobs[i], i, status, pub);
    }
    if (pid < 0) { /* no child left to wait for: a bug */
        say("waitpid: %s", strerror(errno));
        for (int i = 0; i < n; i++)
            if (jobs[i].rc < 0)
                jobs[i].rc = EXIT_INPUT;
        *running = 0;
    }
    return 1;
}

/* Prints, in job order, the diagnostics of the jobs from *printed on that
 * have ended, and raises *rc to the worst of their exit codes. Their
 * output lines wait for the commit (commit_jobs). */
static void print_ended_jobs(build_job *jobs, int n, int *printed,
                             seen_lines *seen, int *rc)
{
    for (; *printed < n && jobs[*printed].rc >= 0; (*printed)++) {
        build_job *j = &jobs[*printed];
        if (j->err)
            copy_lines(j->err, stderr, seen);
        if (j->rc > *rc)
            *rc = j->rc;
    }
}

/* Once every job has ended: renames the PDFs the jobs left into place when
 * rc is 0, profile by profile as the files are named (as commit_pdfs
 * does), then prints the jobs' output lines; else removes them all, those
 * of a job that failed or died too. Returns the exit code. */
static int commit_jobs(const opts *o, const fo_pub *pub, build_job *jobs, int n,
                       int rc)
{
    fo_diags d;
    fo_diags_init(&d);
    begin_commit();
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < n; i++) {
            char *tmp = jobs[i].tmp[k];
            jobs[i].tmp[k] = NULL;
            if (!tmp)
                continue;
            char *path = pdf_path(o->out_dir, pub, jobs[i].edition, k);
            if (rc != 0 && !o->draft) {
                fo_atomic_discard(tmp);
            } else if (fo_atomic_rename(tmp, path) != FO_OK) {
                fo_error_write(&d, path, errno);
                rc = EXIT_INPUT;
            }
            free(path);
        }
    end_commit();
    for (int i = 0; i < n && (rc == 0 || o->draft); i++)
        if (jobs[i].out)
            copy_lines(jobs[i].out, stdout, NULL);
    fo_diags_print(&d, stderr);
    fo_diags_free(&d);
    return rc;
}

static void free_seen(seen_lines *seen)
{
    for (size_t i = 0; i < seen->n; i++)
        free(seen->v[i]);
    free(seen->v);
}

static void free_jobs(build_job *jobs, int n, seen_lines *seen)
{
    for (int i = 0; i < n; i++) {
        if (jobs[i].out)
            (void)fclose(jobs[i].out);
        if (jobs[i].err)
            (void)fclose(jobs[i].err);
        if (jobs[i].rep)
            (void)fclose(jobs[i].rep);
        if (jobs[i].seen)
            (void)fclose(jobs[i].seen);
        for (int k = 0; k < 3; k++)
            free(jobs[i].tmp[k]);
    }
    free_seen(seen);
}

/* Runs the build's jobs, at most o->jobs at once. Returns 1 in a child,
 * which then builds its job as a one-process build (*o names it, and
 * *child_pub, which the caller frees at the end, holds o->edition); in the
 * parent returns 0 with *rc the worst exit code of the jobs. */
/* The jobs of build -j probe the images apart: an image that changed
 * between two jobs' probes gave editions made from different files, which
 * each job alone cannot see. Returns 0, or EXIT_INPUT after saying which
 * file changed. */
static int same_images(build_job *jobs, int n, fo_diags *d)
{
    FILE *f[3 * FO_MAX_EDITIONS];
    for (int i = 0; i < n; i++)
        f[i] = jobs[i].seen;
    char *path = fo_image_seen_differs(f, n);
    if (!path)
        return 0;
    fo_error(d, (fo_pos){path, 0, 0},
             "the image changed during the build: the jobs of -j read "
             "different files under this name, so nothing is written");
    free(path);
    return EXIT_INPUT;
}

/* build -j --report: the report of the whole build, from what each job
 * saved (its editions, outputs and diagnostics) and the PDFs the commit
 * put in place. Returns the exit code. */
static int report_jobs(const opts *o, const fo_pub *pub, build_job *jobs, int n,
                       int rc, const fo_diags *parent)
{
    fo_report *rep = fo_report_new("build", o->pub);
    fo_diags d, err;
    fo_diags_init(&d);
    fo_diags_init(&err);
    for (int i = 0; i < n; i++)
        if (jobs[i].rep)
            fo_report_load(rep, &d, jobs[i].rep);
    for (size_t i = 0; i < parent->n; i++)
        fo_diag_add_where(&d, parent->items[i].sev, parent->items[i].pos,
                          &parent->items[i].where, "%s",
                          parent->items[i].message);
    for (int i = 0; i < n && (rc == 0 || o->draft); i++)
        for (int k = 0; k < 3; k++) {
            if (!(jobs[i].profiles & (1 << k)))
                continue;
            char *path = pdf_path(o->out_dir, pub, jobs[i].edition, k);
            fo_report_output_path(rep, pub->editions[jobs[i].edition],
                                  PROFILE_NAMES[k], path);
            free(path);
        }
    fo_report_timing(rep, "total_s", fo_report_now() - jobs_t0);
    if (fo_report_write(rep, o->report, &d, rc, &err) != FO_OK) {
        fo_diags_print(&err, stderr);
        rc = EXIT_INPUT;
    }
    fo_diags_free(&d); /* before rep: its where may name rep's strings */
    fo_diags_free(&err);
    fo_report_free(rep);
    return rc;
}

static int run_jobs(opts *o, fo_pub **child_pub, int *rc)
{
    jobs_t0 = fo_report_now();
    fo_pub *pub = NULL;
    int only = -1;
    *rc = load_jobs_pub(o, &pub, &only);
    if (*rc != 0)
        return 0;
    build_job jobs[3 * FO_MAX_EDITIONS];
    int n = plan_jobs(o, pub, only, jobs);
    seen_lines seen = {0};
    int running = 0, next = 0, printed = 0;
    while (printed < n) {
        while (running < o->jobs && next < n) {
            build_job *j = &jobs[next];
            if (start_job(j, next++, pub, o)) {
                /* The child. The other jobs' files stay open: closing one
                 * could move the offset its running writer shares. */
                free_seen(&seen);
                for (int i = 0; i < n; i++)
                    for (int k = 0; k < 3; k++)
                        free(jobs[i].tmp[k]);
                *child_pub = pub;
                return 1;
            }
            running += j->pid > 0;
        }
        if (running > 0 && !wait_job(jobs, n, pub, &running))
            continue;
        print_ended_jobs(jobs, n, &printed, &seen, rc);
    }
    fo_diags pd; /* the parent's own findings */
    fo_diags_init(&pd);
    if (*rc == 0)
        *rc = same_images(jobs, n, &pd);
    fo_diags_print(&pd, stderr);
    *rc = commit_jobs(o, pub, jobs, n, *rc);
    if (o->report)
        *rc = report_jobs(o, pub, jobs, n, *rc, &pd);
    fo_diags_free(&pd);
    free_jobs(jobs, n, &seen);
    fo_pub_free(pub);
    return 0;
}

/* The PDF of edition e in profile k: DIR/<slug>-<lang>[-<profile>].pdf
 * (malloc'd). */
static char *pdf_path(const char *out_dir, const fo_pub *pub, int e, int k)
{
    char *name =
        fo_arena_printf(pub->arena, "%s-%s%s%s.pdf", pub->slug,
                        pub->editions[e], k == FO_PROFILE_PRINT ? "" : "-",
                        k == FO_PROFILE_PRINT ? "" : PROFILE_NAMES[k]);
    return fo_path_join(out_dir, name);
}

/* The output profiles shipped in assets/profiles (malloc'd paths). */
typedef struct icc_paths {
    char *cmyk, *srgb;
} icc_paths;

static icc_paths icc_paths_get(void)
{
    return (icc_paths){
        fo_path_join(data_dir(), "assets/profiles/ISOcoated_v2_300_bas.icc"),
        fo_path_join(data_dir(), "assets/profiles/sRGB.icc")};
}

static void icc_paths_free(icc_paths *icc)
{
    free(icc->cmyk);
    free(icc->srgb);
}

/* How every command writes the PDF of profile k. */
static fo_pdf_opts pdf_opts(int k, long long epoch, const char *cmyk_icc,
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

/* One edition being laid out and written: the layout hands each page over
 * as soon as it is final (fo_typeset_stream), every profile's PDF writer
 * takes it, and the page is freed, so a long publication never holds more
 * than the pages in the flow. */
typedef struct edition_out {
    const opts *o;
    const fo_pub *pub;
    int ed;
    fo_pdf_opts po[3];
    fo_pdf_writer *w[3];
    int started;
    fo_diags *d;
    fo_checker *check; /* the preflight, fed each page before it is freed */
    double write_s[3]; /* seconds spent writing each profile's PDF */
} edition_out;

static fo_status edition_page(void *ud, const fo_dl_doc *doc, size_t i)
{
    edition_out *eo = ud;
    fo_status st = FO_OK;
    fo_check_page(eo->check, doc, i);
    if (!eo->started) {
        eo->started = 1;
        for (int k = 0; k < 3 && st == FO_OK; k++) {
            if (!(eo->o->profiles & (1 << k)))
                continue;
            char *path = pdf_path(eo->o->out_dir, eo->pub, eo->ed, k);
            st = fo_pdf_writer_new(doc, path, &eo->po[k], eo->d, &eo->w[k]);
            free(path);
        }
        if (st != FO_OK)
            return st;
    }
    for (int k = 0; k < 3 && st == FO_OK; k++) {
        if (!eo->w[k])
            continue;
        double t0 = fo_report_now();
        st = fo_pdf_writer_page(eo->w[k], i);
        eo->write_s[k] += fo_report_now() - t0;
    }
    return st;
}

/* One edition laid out, checked and written page by page into a PDF
 * writer per profile; each finished PDF is left under its temporary name
 * in tmp[k]. The PDFs are finished only when layout and the preflight
 * found no error (anywhere in d), or with --draft when layout succeeded.
 * FO_OK, or the failure (reported). */
static fo_status build_edition(opts *o, const loaded *l, int e,
                               const fo_pdf_opts *po, fo_diags *d,
                               fo_diags *pre, fo_report *rep, char **tmp,
                               size_t *npages)
{
    double t0 = fo_report_now();
    edition_out eo = {.o = o, .pub = l->pub, .ed = e, .d = d};
    fo_check_opts co = gate_opts(o->profiles, o->strict);
    eo.check = fo_checker_new(l->pub, e, l->tmpl[e], &co, pre);
    for (int k = 0; k < 3; k++)
        eo.po[k] = po[k];
    fo_page_sink sink = {edition_page, &eo};
    fo_dl_doc *doc = NULL;
    fo_status st =
        fo_typeset_stream(l->pub, e, l->tmpl[e], l->fonts, d, &sink, &doc);
    if (st == FO_OK)
        fo_check_finish(eo.check, doc);
    for (int k = 0; k < 3; k++) {
        if (!eo.w[k])
            continue;
        if (st == FO_OK && (!(d->errors + pre->errors) || o->draft)) {
            double t1 = fo_report_now();
            if (fo_pdf_writer_finish_tmp(eo.w[k], &tmp[k]) != FO_OK)
                st = FO_ERR_INPUT;
            eo.write_s[k] += fo_report_now() - t1;
        } else {
            fo_pdf_writer_free(eo.w[k]);
        }
    }
    *npages = doc ? doc->npages : 0;
    if (rep) {
        double write = eo.write_s[0] + eo.write_s[1] + eo.write_s[2];
        double check = fo_check_seconds(eo.check);
        fo_report_edition(rep, l->pub->editions[e], *npages,
                          fo_report_now() - t0 - write - check, check);
        for (int k = 0; k < 3; k++)
            if (o->profiles & (1 << k))
                fo_report_output(rep, l->pub->editions[e], PROFILE_NAMES[k],
                                 eo.write_s[k]);
    }
    fo_checker_free(eo.check);
    fo_dl_doc_free(doc);
    return st;
}

/* Renames every finished PDF into place when rc is 0 (or, with --draft,
 * whatever was finished despite the preflight's errors), profile by
 * profile as the files are named, else removes them all; frees tmp. A
 * child of build -j (o->keep_tmp) leaves them under their temporary names
 * for the parent (commit_jobs), and prints the lines the parent prints
 * once they are in place. */
static int commit_pdfs(const opts *o, const fo_pub *pub,
                       char *tmp[FO_MAX_EDITIONS][3], const size_t *npages,
                       int rc, fo_diags *d, fo_report *rep)
{
    int commit = rc == 0 || o->draft;
    begin_commit();
    for (int k = 0; k < 3; k++)
        for (int e = 0; e < pub->neditions; e++) {
            if (!tmp[e][k])
                continue;
            char *path = pdf_path(o->out_dir, pub, e, k);
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
                                          PROFILE_NAMES[k], path);
            }
            tmp[e][k] = NULL;
            free(path);
        }
    end_commit();
    return rc;
}

/* `build` without --dump: edition by edition, laid out and written page by
 * page. The PDFs stay under temporary names until every edition is done
 * without an error; then all are renamed into place, else all removed. */
static int build_streaming(opts *o, fo_diags *d, fo_report *rep)
{
    double t0 = fo_report_now();
    loaded l;
    int rc = load(o, d, &l);
    if (rep)
        fo_report_timing(rep, "load_s", fo_report_now() - t0);
    if (rc)
        return rc;
    fo_pub *pub = l.pub;
    default_profiles(o, pub);
    char *tmp[FO_MAX_EDITIONS][3] = {{NULL}};
    size_t npages[FO_MAX_EDITIONS] = {0};
    fo_diags pre; /* the preflight's findings: reported after layout's */
    fo_diags_init(&pre);
    icc_paths icc = icc_paths_get();
    fo_pdf_opts po[3];
    long long epoch = build_epoch(pub, d);
    for (int k = 0; k < 3; k++)
        po[k] = pdf_opts(k, epoch, icc.cmyk, icc.srgb);
    int dir_ok = make_dir(o->out_dir, d);
    if (!dir_ok)
        rc = EXIT_INPUT;
    /* every edition is laid out, even after an error, to report all */
    for (int e = 0; e < pub->neditions && dir_ok; e++)
        if (l.tmpl[e] && build_edition(o, &l, e, po, d, &pre, rep, tmp[e],
                                       &npages[e]) != FO_OK)
            rc = EXIT_INPUT;
    fo_fonts_free(l.fonts);
    for (size_t i = 0; i < pre.n; i++)
        fo_diag_add_where(d, pre.items[i].sev, pre.items[i].pos,
                          &pre.items[i].where, "%s", pre.items[i].message);
    fo_diags_free(&pre);
    if (d->errors)
        rc = EXIT_INPUT;
    rc = commit_pdfs(o, pub, tmp, npages, rc, d, rep);
    icc_paths_free(&icc);
    fo_pub_free(pub);
    return rc;
}

/* build --dump's PDFs, profile by profile, from the whole display lists;
 * 0 or the exit code (the first failure stops it). */
static int write_dump_pdfs(const opts *o, const fo_pub *pub,
                           fo_dl_doc *const *docs, fo_diags *d, fo_report *rep)
{
    icc_paths icc = icc_paths_get();
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        if (!(o->profiles & (1 << k)))
            continue;
        fo_pdf_opts po = pdf_opts(k, build_epoch(pub, d), icc.cmyk, icc.srgb);
        for (int e = 0; e < pub->neditions && rc == 0; e++) {
            if (!docs[e])
                continue;
            char *path = pdf_path(o->out_dir, pub, e, k);
            double t1 = fo_report_now();
            if (fo_render_pdf(docs[e], path, &po, d) != FO_OK) {
                rc = EXIT_INPUT;
            } else {
                printf("%s: %zu pages\n", path, docs[e]->npages);
                if (rep) {
                    fo_report_output(rep, pub->editions[e], PROFILE_NAMES[k],
                                     fo_report_now() - t1);
                    fo_report_output_path(rep, pub->editions[e],
                                          PROFILE_NAMES[k], path);
                }
            }
            free(path);
        }
    }
    icc_paths_free(&icc);
    return rc;
}

/* build --dump: the whole display list, kept to be printed after the PDFs
 * (written from it in the streamed order: the same bytes). */
static int build_dump(opts *o, fo_diags *d, fo_report *rep)
{
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    double lay[FO_MAX_EDITIONS] = {0}, secs[FO_MAX_EDITIONS] = {0};
    int rc = layout(o, d, &pub, docs, tmpl, lay);
    if (rc == 0) {
        default_profiles(o, pub);
        gate_docs(pub, tmpl, docs, o->profiles, o->strict, d, secs);
        if (d->errors)
            rc = EXIT_INPUT;
        for (int e = 0; rep && e < pub->neditions; e++)
            if (docs[e])
                fo_report_edition(rep, pub->editions[e], docs[e]->npages,
                                  lay[e], secs[e]);
    }
    /* with --draft, written despite the preflight's errors */
    if ((rc == 0 || (o->draft && pub)) && !make_dir(o->out_dir, d)) {
        rc = EXIT_INPUT;
    } else if (rc == 0 || (o->draft && pub)) {
        int wrc = write_dump_pdfs(o, pub, docs, d, rep);
        if (wrc == 0)
            wrc = dump_docs(pub, docs, stdout);
        rc = wrc ? wrc : rc;
    }
    if (pub)
        free_docs(pub, docs);
    return rc;
}

static int cmd_build(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("build", argc, argv, &o);
    if (rc)
        return rc;
    catch_signals(0);
    sweep_outputs(o.out_dir);
    /* -j N: the parent runs the jobs and returns their worst exit code;
     * each child goes on below with o naming its one job. */
    fo_pub *job_pub = NULL;
    if (o.jobs > 1 && !run_jobs(&o, &job_pub, &rc))
        return rc;
    fo_diags d;
    diags_init(&d, &o);
    double t0 = fo_report_now();
    fo_report *rep =
        o.report || o.job_report ? fo_report_new("build", o.pub) : NULL;
    rc = o.dump ? build_dump(&o, &d, rep) : build_streaming(&o, &d, rep);
    if (o.job_seen && fo_image_seen_save(o.job_seen) != FO_OK) {
        say("cannot save the job's list of images: %s", strerror(errno));
        rc = EXIT_INPUT;
    }
    if (rep && o.job_report) {
        /* a job of build -j: its part, for the parent's report */
        if (fo_report_save(rep, &d, o.job_report) != FO_OK) {
            say("cannot save the job's report: %s", strerror(errno));
            rc = EXIT_INPUT;
        }
    } else if (rep) {
        fo_report_timing(rep, "total_s", fo_report_now() - t0);
        if (fo_report_write(rep, o.report, &d, rc, &d) != FO_OK)
            rc = EXIT_INPUT;
    }
    fo_report_free(rep);
    fo_diags_print(&d, stderr);
    fo_pub_free(job_pub);
    fo_diags_free(&d);
    return rc;
}

/* Thumbnails on the proof sheet: small enough for a strip of them. */
#define THUMB_DPI 20

/* The preview options of o; the profile paths are malloc'd (free with
 * free_preview_opts). Print: soft-proofed colours and the bleed. */
static fo_preview_opts preview_opts(const opts *o, int profile)
{
    fo_preview_opts po = {.out_dir = o->out_dir,
                          .dpi = o->dpi,
                          .thumb_dpi = THUMB_DPI,
                          .soft_proof = profile == FO_PROFILE_PRINT,
                          .bleed = o->bleed || profile == FO_PROFILE_PRINT};
    icc_paths icc = icc_paths_get(); /* freed by free_preview_opts */
    po.cmyk_icc = icc.cmyk;
    po.srgb_icc = icc.srgb;
    return po;
}

static void free_preview_opts(fo_preview_opts *po)
{
    free((char *)(uintptr_t)po->cmyk_icc);
    free((char *)(uintptr_t)po->srgb_icc);
}

/* The preflight of preview and watch: the rules of the profile shown and
 * of print (a preview is a proof of the print), so the proof sheet lists
 * what would stop the print build. With --draft, each finding is outlined
 * in red on its page. Returns the errors found. */
static int preflight_preview(const opts *o, int profile, const fo_pub *pub,
                             const fo_template *const *tmpl,
                             fo_dl_doc *const *docs, fo_diags *d)
{
    int before = d->errors;
    gate_docs(pub, tmpl, docs, (1 << profile) | (1 << FO_PROFILE_PRINT),
              o->strict, d, NULL);
    if (o->draft)
        gate_outline(pub, docs, d);
    return d->errors - before;
}

/* `preview`: page PNGs, thumbnails and proof.html (cli/proof.h). Screen
 * RGB unless --profile print, which soft-proofs through the output
 * profile and shows the bleed. */
static int cmd_preview(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("preview", argc, argv, &o);
    if (rc)
        return rc;
    int profile = o.preview_profile < 0 ? FO_PROFILE_SCREEN : o.preview_profile;
    catch_signals(0);
    sweep_outputs(o.out_dir);
    fo_diags d;
    diags_init(&d, &o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    fo_preview_opts po = preview_opts(&o, profile);
    rc = layout(&o, &d, &pub, docs, tmpl, NULL);
    int write = rc == 0;
    if (rc == 0 && preflight_preview(&o, profile, pub, tmpl, docs, &d) != 0) {
        rc = EXIT_INPUT;
        write = o.draft;
    }
    if (write && make_dir(o.out_dir, &d)) {
        int rendered = 0;
        if (fo_preview_pages(pub, docs, &po, NULL, NULL, &rendered, &d) !=
                FO_OK ||
            fo_proof_write(pub, docs, &d, &po, (long)time(NULL), &d) != FO_OK) {
            rc = EXIT_INPUT;
            write = 0; /* nothing to announce */
        }
        for (int e = 0; e < pub->neditions && write; e++)
            if (docs[e])
                printf("%s/%s-%s-*.png: %zu pages at %g dpi%s\n", o.out_dir,
                       pub->slug, pub->editions[e], docs[e]->npages, o.dpi,
                       po.soft_proof ? ", soft-proofed" : "");
        if (write)
            printf("%s/proof.html\n", o.out_dir);
    } else if (write) {
        rc = EXIT_INPUT;
    }
    fo_diags_print(&d, stderr);
    if (pub)
        free_docs(pub, docs);
    free_preview_opts(&po);
    fo_diags_free(&d);
    return rc;
}

/* ---- watch ------------------------------------------------------------ */

static long long clock_ms(void)
{
    return (long long)(fo_report_now() * 1000);
}

/* The PDF of edition e in profile k, named as `build` names it. */
static int watch_pdf(const fo_pub *pub, const fo_dl_doc *doc, int e, int k,
                     const fo_preview_opts *po, fo_diags *d)
{
    fo_pdf_opts pdf =
        pdf_opts(k, build_epoch(pub, d), po->cmyk_icc, po->srgb_icc);
    char *path = pdf_path(po->out_dir, pub, e, k);
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
    fo_diags d;
    diags_init(&d, o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    fo_preview_opts po = preview_opts(o, profile);
    int changed[FO_MAX_EDITIONS] = {0}, rendered = 0, pdfs = 0, total = 0;
    int rc = layout(o, &d, &pub, docs, tmpl, NULL);
    (*attempt)++;
    if (rc == 0 && preflight_preview(o, profile, pub, tmpl, docs, &d) != 0 &&
        !o->draft)
        rc = EXIT_INPUT;
    if (rc == 0 && !make_dir(o->out_dir, &d))
        rc = EXIT_INPUT;
    if (rc == 0 && fo_preview_pages(pub, docs, &po, cache, changed, &rendered,
                                    &d) != FO_OK)
        rc = EXIT_INPUT;
    for (int e = 0; rc == 0 && pub && e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        total += (int)docs[e]->npages;
        if (!changed[e])
            continue;
        if (!watch_pdf(pub, docs[e], e, profile, &po, &d))
            rc = EXIT_INPUT;
        pdfs++;
    }
    if (rc == 0 && fo_proof_write(pub, docs, &d, &po, *good + 1, &d) != FO_OK)
        rc = EXIT_INPUT;
    fo_diags_print(&d, stderr);
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
        if (fo_proof_write_status(o->out_dir, *good, &d, &werr) != FO_OK)
            fo_diags_print(&werr, stderr);
        fo_diags_free(&werr);
        printf("build %ld: failed, %lld ms; the last good output is kept\n",
               *attempt, ms);
    }
    (void)fflush(stdout);
    (void)fflush(stderr);
    if (pub)
        free_docs(pub, docs);
    free_preview_opts(&po);
    fo_diags_free(&d);
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
static int cmd_watch(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("watch", argc, argv, &o);
    if (rc)
        return rc;
    int profile = o.preview_profile < 0 ? FO_PROFILE_PRINT : o.preview_profile;
    fo_diags d;
    fo_diags_init(&d);
    if (!make_dir(o.out_dir, &d)) {
        fo_diags_print(&d, stderr);
        fo_diags_free(&d);
        return EXIT_INPUT;
    }
    fo_diags_free(&d);
    const char *why = NULL;
    fo_watch *w = fo_watch_new(o.out_dir, &why);
    char *real = realpath(o.pub, NULL);
    if (!w || !real) {
        say("cannot watch %s: %s", o.pub, w ? strerror(errno) : why);
        fo_watch_free(w);
        free(real);
        return EXIT_INPUT;
    }
    char *pub_dir = fo_path_dirname(real);
    char *templates = fo_path_join(data_dir(), "templates");
    char *fonts = fo_path_join(data_dir(), "fonts");
    catch_signals(1);
    sweep_outputs(o.out_dir);

    fo_preview_cache *cache = fo_preview_cache_new();
    long good = (long)time(NULL) * 10, attempt = 0;
    (void)watch_build(&o, profile, cache, &good, &attempt);
    fo_buf changed;
    fo_buf_init(&changed, 4096);
    while (!watch_stop) {
        /* Again each time: new folders may have appeared. */
        if (fo_watch_add(w, pub_dir, 1) < 0 ||
            fo_watch_add(w, templates, 1) < 0) {
            say("cannot watch %s: %s", pub_dir, strerror(errno));
            rc = EXIT_INPUT;
            break;
        }
        (void)fo_watch_add(w, fonts, 1);
        printf("watching %s (Ctrl-C to stop)\n", pub_dir);
        (void)fflush(stdout);
        changed.len = 0;
        if (changed.data)
            changed.data[0] = 0;
        int r = fo_watch_wait(w, 200, &watch_stop, &changed);
        if (r <= 0) {
            if (r < 0) {
                say("inotify: %s", strerror(errno));
                rc = EXIT_INPUT;
            }
            break;
        }
        printf("changed: %.*s\n", (int)changed.len, changed.data);
        if (outside(changed.data, pub_dir))
            fo_preview_cache_clear(cache);
        (void)watch_build(&o, profile, cache, &good, &attempt);
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

static int cmd_dump(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("dump", argc, argv, &o);
    if (rc)
        return rc;
    fo_diags d;
    diags_init(&d, &o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    rc = layout(&o, &d, &pub, docs, NULL, NULL);
    if (rc == 0)
        rc = dump_docs(pub, docs, stdout);
    fo_diags_print(&d, stderr);
    if (pub)
        free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}

/* `check`: lay out every chosen edition and run every preflight rule for
 * every profile (print's included); print the findings, warnings too, and
 * the page count of each edition; write nothing but the report. */
static int cmd_check(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("check", argc, argv, &o);
    if (rc)
        return rc;
    fo_diags d;
    diags_init(&d, &o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    double t0 = fo_report_now();
    double lay[FO_MAX_EDITIONS] = {0}, secs[FO_MAX_EDITIONS] = {0};
    fo_report *rep = o.report ? fo_report_new("check", o.pub) : NULL;
    rc = layout(&o, &d, &pub, docs, tmpl, lay);
    if (rc == 0) {
        gate_docs(pub, tmpl, docs, 7, o.strict, &d, secs);
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
                fo_report_output(rep, pub->editions[e], PROFILE_NAMES[k], 0);
        }
    }
    if (rep) {
        fo_report_timing(rep, "total_s", fo_report_now() - t0);
        if (fo_report_write(rep, o.report, &d, rc, &d) != FO_OK)
            rc = EXIT_INPUT;
        fo_report_free(rep);
    }
    fo_diags_print(&d, stderr);
    if (pub)
        free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} COMMANDS[] = {
    {"build", cmd_build, "write one PDF per edition into DIR"},
    {"preview", cmd_preview,
     "write page PNGs, thumbnails and proof.html into DIR"},
    {"watch", cmd_watch, "build and preview, again on every saved change"},
    {"dump", cmd_dump, "print the page display list as text"},
    {"check", cmd_check,
     "lay out and run the preflight for every profile; write nothing"},
    {"cache", fo_cli_cache_cmd,
     "empty the cache of images (clean), or say what it holds (info)"},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        (void)fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        (void)fputs(USAGE, stdout);
        puts("\ncommands:");
        for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
            printf("  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].help);
        puts("\nexit status: 0 done, 1 the input has errors, 2 bad usage");
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("folio " FO_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) {
            int rc = COMMANDS[i].run(argc - 2, argv + 2);
            fo_cli_cache_end(); /* in each job of -j too */
            return rc;
        }
    return usage_error("unknown command '%s'", argv[1]);
}
