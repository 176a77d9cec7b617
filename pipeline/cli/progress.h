/* progress — a build's progress on stderr (progress.c): while an edition
 * is laid out, a line that counts its pages, rewritten in place; when it
 * is done, one line per edition and profile: the pages laid out and
 * written, and the time taken. Shown when stderr is a terminal (not with
 * --quiet), or with --verbose, where the live line is left out when
 * stderr is no terminal; otherwise nothing, so that CI logs hold the
 * diagnostics and the summary only. */
#ifndef FO_CLI_PROGRESS_H
#define FO_CLI_PROGRESS_H

#include "cli/cli.h"

typedef struct cli_progress {
    int on;   /* the lines at the end of an edition */
    int live; /* the line rewritten as pages come */
    double t0, shown;
    const char *edition; /* borrowed */
} cli_progress;

/* Starts an edition's progress (edition borrowed until _done). */
void cli_progress_start(cli_progress *p, const opts *o, const char *edition);

/* pages of the edition laid out and written so far. */
void cli_progress_page(cli_progress *p, size_t pages);

/* The line of one profile of the edition (profile NULL: the live line is
 * only cleared). */
void cli_progress_done(cli_progress *p, const char *profile, size_t pages,
                       int ok);

#endif
