/* `impose` (impose.c): a publication's pages laid out, preflighted and
 * imposed (pipeline/impose) into one PDF of sheets per edition; and the
 * piece of it `package` shares. */
#ifndef FO_CLI_IMPOSE_H
#define FO_CLI_IMPOSE_H

#include "cli/cli.h"
#include "impose/impose.h"

/* The command: `folio impose PUB.yaml --scheme saddle-stitch|2up-proof`. */
int impose_run(opts *o);
/* `folio package PUB.yaml -o DIR` (package.c). */
int package_run(opts *o);

/* The scheme's name on the command line and in file names, by
 * fo_impose_scheme. */
extern const char *const CLI_SCHEME_NAMES[2];

/* DIR/<slug>-<lang>-<scheme>.pdf (malloc'd). */
char *impose_pdf_path(const char *out_dir, const fo_pub *pub, int e,
                      fo_impose_scheme scheme);

/* Imposes doc (edition e of pub, laid out with template t; its pages move
 * into the sheets, doc is left with empty pages) by scheme and writes the
 * sheets as a PDF (print profile for saddle-stitch, screen for the proof)
 * at path under its temporary name, *tmp (malloc'd), for the caller to
 * rename or discard. *sheets (may be NULL) receives the sheets' display
 * list, the caller's to free. FO_OK, or the failure (reported to d). */
FO_WUR fo_status impose_edition(const fo_pub *pub, int e, const fo_template *t,
                                fo_dl_doc *doc, fo_impose_scheme scheme,
                                const char *path, long long epoch,
                                const icc_paths *icc, fo_diags *d, char **tmp,
                                fo_dl_doc **sheets);

#endif
