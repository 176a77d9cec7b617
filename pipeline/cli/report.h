/* report — the machine-readable account of a build or check
 * (`--report FILE.json`), what a nightly print build's CI reads: per
 * edition and profile the pages and the outputs (size, SHA-256), every
 * finding (rule, severity, file, line, column, page, edition) and the
 * timings. The schema is docs/report.md (and docs/report.schema.json). */
#ifndef FO_CLI_REPORT_H
#define FO_CLI_REPORT_H

#include "core/core.h"

enum { FO_REPORT_VERSION = 1 };

typedef struct fo_report fo_report;

/* A report of command ("build", "check") on the publication pub_path. */
fo_report *fo_report_new(const char *command, const char *pub_path);
void fo_report_free(fo_report *r);

/* Edition ed was laid out into pages pages in layout_s seconds (layout and
 * page writing interleave in a streamed build: writing is counted apart,
 * see fo_report_output), with preflight_s seconds of preflight. */
void fo_report_edition(fo_report *r, const char *ed, size_t pages,
                       double layout_s, double preflight_s);

/* Profile profile of edition ed was made, writing its output took write_s
 * seconds (0 when nothing was written, as in `check`). */
void fo_report_output(fo_report *r, const char *ed, const char *profile,
                      double write_s);
/* The output of profile profile of edition ed is the file at path (once
 * renamed into place): the report gives its size and SHA-256, read from
 * the file when the report is written. */
void fo_report_output_path(fo_report *r, const char *ed, const char *profile,
                           const char *path);

/* A link or QR code (kind "link" or "qr") in the output of profile
 * profile of edition ed, on page page (1-based, the PDF's order) labelled
 * label: its URL as the content wrote it and as the output holds it
 * (tagged by the campaign). Listed in the report's `links` manifest. */
void fo_report_link(fo_report *r, const char *ed, const char *profile, int page,
                    const char *label, const char *kind, const char *written,
                    const char *url);
/* One image of an output: its file as the content names it, its pixels,
 * its largest placement (points), the pixels stored in the output, and
 * the effective pixels per inch at that placement before and after. */
typedef struct fo_report_image {
    char *file;
    int width, height, stored_w, stored_h;
    double place_w, place_h, ppi, stored_ppi;
} fo_report_image;
/* Adds im (copied) to the images of profile profile of edition ed. */
void fo_report_image_add(fo_report *r, const char *ed, const char *profile,
                         const fo_report_image *im);

/* A timing of the whole run: "load", "total"… in seconds. */
void fo_report_timing(fo_report *r, const char *what, double seconds);

/* Writes the report to path atomically, with the findings in d and the
 * run's exit status. FO_ERR_IO (reported to err) when it cannot. */
FO_WUR fo_status fo_report_write(fo_report *r, const char *path,
                                 const fo_diags *d, int exit_status,
                                 fo_diags *err);

/* `build -j`: a job (a child process) saves what it would report, and
 * its diagnostics, to f; the parent loads every job's into one report and
 * one fo_diags (the where of each diagnostic kept), then writes the
 * report. A line format of tab-separated fields, private to folio. */
FO_WUR fo_status fo_report_save(const fo_report *r, const fo_diags *d, FILE *f);
void fo_report_load(fo_report *r, fo_diags *d, FILE *f);

/* Seconds on a monotonic clock, for timings. */
double fo_report_now(void);

#endif
