/* cli — what folio's commands share (cli.c): the parsed command line, the
 * exit codes, messages, loading and laying out a publication, the names
 * of the PDFs, and the signal handling that keeps a killed run from
 * leaving half-written outputs.
 *
 * The files of the command line:
 *  - main.c: the option and command tables, argument parsing, dispatch;
 *  - build.c: `build` (one path, streamed; --dump prints the display
 *    lists too) and `dump`;
 *  - jobs.c: `build -j`, one process per job;
 *  - preview.c: `preview`; watch.c: `watch`, over the file watcher of
 *    watch_fs.c;
 *  - gate.c: the preflight in every command, and `check`;
 *  - proof.c: the preview's PNGs and proof sheet; report.c: --report. */
#ifndef FO_CLI_H
#define FO_CLI_H

#include "cli/proof.h"
#include "dlist/dlist.h"
#include "model/model.h"
#include "model/template.h"
#include "render/render.h"
#include "typeset/typeset.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

/* Every profile, as a bit set of fo_profile values. */
enum { CLI_ALL_PROFILES = (1 << FO_PROFILE_ARCHIVE << 1) - 1 };

/* The command line of one command, as main.c parsed it. */
typedef struct opts {
    const char *pub;
    const char *out_dir;
    const char *edition; /* NULL or "all": every edition */
    double dpi;
    int dump;
    int profiles;        /* bit set of fo_profile values to write (build) */
    int strict;          /* warnings are errors */
    int jobs;            /* build: processes at once (jobs.c plan_jobs) */
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

    const char *pub2; /* diff: the NEW publication, or NULL */
    const char *rev;  /* diff --rev A..B, or NULL */
    int json;         /* diff, editions: the JSON on stdout too */

    const char *cache_dir; /* --cache DIR, or NULL (cli/cache_cmd.h) */
    int no_cache;          /* --no-cache */
    int scheme;            /* impose: fo_impose_scheme (cli/impose.h) */
    fo_para_memo *memo;    /* watch: layouts set paragraphs through it */

    int out_given;             /* -o was given (else out_dir is "out") */
    int quiet;                 /* --quiet: errors only */
    int verbose;               /* --verbose: the stages' times, progress */
    char *pub_owned;           /* pub when made from a folder's name */
    const char *template_name; /* init --template */
    const char *editions;      /* init --editions, comma-separated */
} opts;

/* The publication named on the command line may be its folder: then
 * o->pub becomes FOLDER/publication.yaml (owned by o). 0, or EXIT_USAGE
 * after saying what is wrong (args.c). */
int cli_resolve_pub(opts *o);

/* Frees what parsing the command line allocated in o. */
void cli_opts_free(opts *o);

/* The summary's last line when -o was not given: where the outputs went
 * (stdout; nothing with --quiet or when o->out_given). */
void cli_say_out_default(const opts *o);

/* The commands, each given its parsed command line; each returns the exit
 * code. */
int build_run(opts *o);   /* build.c */
int dump_run(opts *o);    /* build.c */
int preview_run(opts *o); /* preview.c */
int watch_run(opts *o);   /* watch.c */
int check_run(opts *o);   /* gate.c */
int init_run(opts *o);    /* init.c */

/* The build in this process (build.c), what `build` runs and `package`
 * reuses: every edition laid out, preflighted and written, the PDFs
 * renamed into o->out_dir all or none; diagnostics into d (not printed),
 * the report into rep (may be NULL). Returns the exit code. */
struct fo_report;
int build_editions(opts *o, fo_diags *d, struct fo_report *rep);
/* links.c: adds to rep the links and QR codes that page i of doc has in
 * the PDF of profile (a fo_profile) of edition ed (the report's links
 * manifest). */
void cli_links_page(struct fo_report *rep, const fo_dl_doc *doc, size_t i,
                    const char *ed, int profile);

/* The profiles' names, indexed by fo_profile. */
extern const char *const CLI_PROFILE_NAMES[3];

/* "folio: message" on stderr, the message's control characters escaped
 * (fo_escape_controls): it quotes the command line and file names, and no
 * argument may drive the terminal. */
void cli_vsay(const char *fmt, va_list ap) FO_PRINTF(1, 0);
void cli_say(const char *fmt, ...) FO_PRINTF(1, 2);

/* The diagnostics of a run: with --strict, every warning is an error. */
void cli_diags_init(fo_diags *d, const opts *o);

/* Where fonts/, templates/ and assets/ are: $FOLIO_DATA_DIR, else the
 * installed data beside the running folio (PREFIX/share/folio), else the
 * folder the build was configured with. Borrowed. */
const char *cli_data_dir(void);

/* Creation date of the PDFs: SOURCE_DATE_EPOCH when set, else 1 January of
 * the publication's year (a bad SOURCE_DATE_EPOCH is warned about in d). */
long long cli_build_epoch(const fo_pub *pub, fo_diags *d);

/* Creates dir and its parents; 0 (reported to d) when it cannot. */
int cli_make_dir(const char *dir, fo_diags *d);

/* What layout needs: the publication, a template per chosen edition (NULL
 * for the others) and the fonts. */
typedef struct loaded {
    fo_pub *pub;
    const fo_template *tmpl[FO_MAX_EDITIONS];
    fo_fonts *fonts;
} loaded;

/* Loads the publication, the template of each chosen edition and the
 * fonts; 0, or the exit code (errors reported to d, nothing to free). The
 * caller frees l->fonts and l->pub. */
int cli_load(const opts *o, fo_diags *d, loaded *l);

/* Loads, then lays out every chosen edition whole (docs[e], NULL for the
 * others); 0 with *pub_out set, or the exit code. tmpl (may be NULL)
 * receives each edition's template (owned by the publication); secs (may
 * be NULL) each edition's layout seconds. Free with cli_free_docs. */
int cli_layout(const opts *o, fo_diags *d, fo_pub **pub_out, fo_dl_doc **docs,
               const fo_template **tmpl, double *secs);
void cli_free_docs(fo_pub *pub, fo_dl_doc **docs);

/* Without --profile, the publication's `profiles:` (else print). */
void cli_default_profiles(opts *o, const fo_pub *pub);

/* The PDF of edition e in profile k: DIR/<slug>-<lang>[-<profile>].pdf
 * (malloc'd). */
char *cli_pdf_path(const char *out_dir, const fo_pub *pub, int e, int k);

/* The output profiles shipped in assets/profiles (malloc'd paths). */
typedef struct icc_paths {
    char *cmyk, *srgb;
} icc_paths;
icc_paths cli_icc_paths_get(void);
void cli_icc_paths_free(icc_paths *icc);

/* How every command writes the PDF of profile k (the strings borrowed). */
fo_pdf_opts cli_pdf_opts(int k, long long epoch, const char *cmyk_icc,
                         const char *srgb_icc);

/* ---- signals (cli.c) ----------------------------------------------------
 * SIGINT and SIGTERM end a build or a preview at once, and what it was
 * writing goes with it; `watch` stops gently instead (see cli.c). */

/* Set by the first signal of a gentle run (watch). */
extern volatile sig_atomic_t cli_stop;

/* Installs the handler for SIGINT and SIGTERM (gently: watch's way). */
void cli_catch_signals(int gently);

/* Between these two, the renames that put a build's outputs in place: a
 * signal is held back until the end, so the commit is whole or nothing. */
void cli_begin_commit(void);
void cli_end_commit(void);

/* build -j: the process of job slot (pid 0: ended), so that a signal ends
 * it with the parent; cli_jobs_forget in a child, whose jobs they are
 * not. */
enum { CLI_MAX_JOBS = 3 * FO_MAX_EDITIONS };
void cli_job_pid(int slot, pid_t pid);
void cli_jobs_forget(void);

/* Before a command writes into out_dir: removes the temporary files that
 * killed runs left there (fo_tmp_sweep). */
void cli_sweep_outputs(const char *out_dir);

/* ---- preview.c, shared with watch.c ---------------------------------- */

/* A publication laid out and preflighted for a preview: the run's
 * diagnostics, every chosen edition's display list and template, and the
 * preview's options. */
typedef struct previewed {
    fo_diags d;
    fo_pub *pub; /* NULL when layout failed */
    fo_dl_doc *docs[FO_MAX_EDITIONS];
    const fo_template *tmpl[FO_MAX_EDITIONS];
    fo_preview_opts po;
} previewed;

/* Lays out o's publication for a preview in profile (fo_profile: screen
 * RGB, or print soft-proofed with the bleed) and runs the preview's
 * preflight: the rules of the profile shown and of print, a preview being
 * a proof of the print, so that the proof sheet lists what would stop the
 * print build; with --draft each finding is outlined on its page. Returns
 * cli_layout's exit code, and *found the preflight's errors. Free with
 * preview_done, whatever it returned. */
int preview_prepare(const opts *o, int profile, previewed *p, int *found);
void preview_done(previewed *p);

/* `build -j` (jobs.c): runs the build's jobs, at most o->jobs at once.
 * Returns 1 in a child, which then builds its job as a one-process build
 * (*o names it, and *child_pub, which the caller frees at the end, holds
 * o->edition); in the parent returns 0 with *rc the worst exit code of the
 * jobs. */
int jobs_run(opts *o, fo_pub **child_pub, int *rc);

#endif
