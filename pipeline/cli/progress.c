/* A build's progress on stderr (progress.h). The live line is rewritten
 * with "\r" and an erase to the end of the line, at most ten times a
 * second, so that a fast build does not spend its time on the terminal. */
#define _POSIX_C_SOURCE 200809L
#include "cli/progress.h"
#include "cli/report.h"

#include <unistd.h>

void cli_progress_start(cli_progress *p, const opts *o, const char *edition)
{
    int tty = isatty(STDERR_FILENO);
    p->live = tty && !o->quiet;
    p->on = p->live || o->verbose;
    p->t0 = fo_report_now();
    p->shown = 0;
    p->edition = edition;
}

void cli_progress_page(cli_progress *p, size_t pages)
{
    if (!p->live)
        return;
    double now = fo_report_now();
    if (now - p->shown < 0.1)
        return;
    p->shown = now;
    (void)fprintf(stderr, "\rfolio: %s: page %zu, %.1f s\033[K", p->edition,
                  pages, now - p->t0);
    (void)fflush(stderr);
}

void cli_progress_done(cli_progress *p, const char *profile, size_t pages,
                       int ok)
{
    if (p->live && p->shown > 0) { /* clear the live line */
        (void)fputs("\r\033[K", stderr);
        p->shown = 0;
    }
    if (!p->on || !profile)
        return;
    (void)fprintf(stderr, "folio: %s %s: %zu page%s laid out and %s, %.1f s\n",
                  p->edition, profile, pages, pages == 1 ? "" : "s",
                  ok ? "written" : "not written", fo_report_now() - p->t0);
    (void)fflush(stderr);
}
