/* `build -j N` (cli.h jobs_run): the scheduler that runs a build as one
 * process per job, and the commit that puts every job's PDFs in place
 * together, or none of them. */
#define _XOPEN_SOURCE 700
#include "cli/cli.h"
#include "cli/report.h"
#include "image/image.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* `build -j N`: one process per job, at most N at once. A job is one
 * edition and a set of profiles (every profile, unless plan_jobs splits
 * them). Each child builds its job as `build --edition E --profile P...`
 * would, with build.c's one-process code: it lays out its edition once
 * and renders each profile from that one display list in turn. Its stdout
 * and stderr go to temporary files; the parent prints them job by job, in
 * job order, so no two jobs' lines interleave. A diagnostic line another
 * job already printed (a warning about the shared publication, say) is
 * printed once. The exit code is the worst of the jobs'.
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
    cli_jobs_forget();
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
        char *path = cli_pdf_path(o->out_dir, pub, j->edition, k);
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
        cli_say("cannot create a temporary file: %s", strerror(errno));
        j->rc = EXIT_INPUT;
        return 0;
    }
    (void)fflush(stdout);
    (void)fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        cli_say("cannot start a job: %s", strerror(errno));
        j->rc = EXIT_INPUT;
        return 0;
    }
    if (pid > 0) {
        j->pid = pid;
        cli_job_pid(slot, pid);
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
    cli_default_profiles(o, pub);
    *only = -1;
    if (o->edition && strcmp(o->edition, "all") != 0) {
        *only = fo_pub_edition(pub, o->edition);
        if (*only < 0) {
            cli_say("'%s' is not an edition of %s", o->edition, o->pub);
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
    cli_job_pid(slot, 0);
    j->rc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_INPUT;
    if (WIFSIGNALED(status))
        cli_say("the build of edition %s died of signal %d",
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
        cli_say("waitpid: %s", strerror(errno));
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
    cli_begin_commit();
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < n; i++) {
            char *tmp = jobs[i].tmp[k];
            jobs[i].tmp[k] = NULL;
            if (!tmp)
                continue;
            char *path = cli_pdf_path(o->out_dir, pub, jobs[i].edition, k);
            if (rc != 0 && !o->draft) {
                fo_atomic_discard(tmp);
            } else if (fo_atomic_rename(tmp, path) != FO_OK) {
                fo_error_write(&d, path, errno);
                rc = EXIT_INPUT;
            }
            free(path);
        }
    cli_end_commit();
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

/* The jobs of build -j probe the images apart: an image that changed
 * between two jobs' probes gave editions made from different files, which
 * each job alone cannot see. Returns 0, or EXIT_INPUT after saying which
 * file changed. */
static int same_images(build_job *jobs, int n, fo_diags *d)
{
    FILE *f[CLI_MAX_JOBS];
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
                       int rc, const fo_diags *parent, double t0)
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
            char *path = cli_pdf_path(o->out_dir, pub, jobs[i].edition, k);
            fo_report_output_path(rep, pub->editions[jobs[i].edition],
                                  CLI_PROFILE_NAMES[k], path);
            free(path);
        }
    fo_report_timing(rep, "total_s", fo_report_now() - t0);
    if (fo_report_write(rep, o->report, &d, rc, &err) != FO_OK) {
        fo_diags_print(&err, stderr);
        rc = EXIT_INPUT;
    }
    fo_diags_free(&d); /* before rep: its where may name rep's strings */
    fo_diags_free(&err);
    fo_report_free(rep);
    return rc;
}

int jobs_run(opts *o, fo_pub **child_pub, int *rc)
{
    double t0 = fo_report_now(); /* for the report's total */
    fo_pub *pub = NULL;
    int only = -1;
    *rc = load_jobs_pub(o, &pub, &only);
    if (*rc != 0)
        return 0;
    build_job jobs[CLI_MAX_JOBS];
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
        *rc = report_jobs(o, pub, jobs, n, *rc, &pd, t0);
    fo_diags_free(&pd);
    free_jobs(jobs, n, &seen);
    fo_pub_free(pub);
    return 0;
}
