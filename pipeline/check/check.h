/* check — the preflight: proves every laid-out page sound before anything
 * is written. It reads the model (what the source asked for) and the page
 * display list (what layout drew), never Pango or libharu, so it is an
 * independent witness of layout: a rule here must not trust the code that
 * made the page.
 *
 * Rules (each finding is one diagnostic at the block that made it, with
 * its rule name, edition, page and box in fo_where):
 *   frame       a glyph run, rule or image outside its frame or panel
 *               (bleed images inside the bleed)
 *   fold        something crosses a fold
 *   overlap     two text runs overlap
 *   letterspace a run letterspaced beyond what its style allows
 *   figure      a figure of the source drawn zero or several times
 *   text        a block's text lost or set twice (characters counted per
 *               block)
 *   resolution  an image below the profile's minimum
 *   colour      RGB or spot colour in print
 *   ink         total ink over the output profile's limit, in print
 *
 * Use: one checker per edition and profile set, fed every page once while
 * its contents are live (from the layout's page sink, before the page is
 * released), then finished. It reads each page's ops once. */
#ifndef FO_CHECK_H
#define FO_CHECK_H

#include "dlist/dlist.h"
#include "model/model.h"
#include "model/template.h"

typedef struct fo_check_opts {
    /* The rules that depend on the output profile. */
    int print;        /* CMYK-only and total-ink rules apply */
    double min_ppi;   /* resolution rule: images below it; 0 = off */
    double ink_limit; /* total ink limit in percent (300 for ISO Coated v2) */
    const char *profile; /* profile name for messages ("print"), or NULL */
    int strict;          /* warnings are reported as errors */
} fo_check_opts;

/* The rules for the outputs being made: with print among them, the print
 * rules (CMYK only, total ink within the output profile's limit, images at
 * print resolution) apply besides the rules every output has. Every
 * preflight, whatever the command, takes its options from here. */
fo_check_opts fo_check_opts_for(int print, int strict);

typedef struct fo_checker fo_checker;

/* A checker for edition ed of pub laid out in t; findings go to d. */
fo_checker *fo_checker_new(const fo_pub *pub, int ed, const fo_template *t,
                           const fo_check_opts *o, fo_diags *d);

/* Checks page index (0-based) of doc: call once per page, in the order the
 * layout finished them, while the page's ops are still there. */
void fo_check_page(fo_checker *c, const fo_dl_doc *doc, size_t index);

/* The rules over the whole edition (each figure drawn once, no text lost
 * or set twice); call after the last page. With doc NULL (layout failed
 * and made no document) it does nothing: the pages never made are not
 * findings. */
void fo_check_finish(fo_checker *c, const fo_dl_doc *doc);

/* Errors and warnings this checker found so far. */
int fo_check_errors(const fo_checker *c);
int fo_check_warnings(const fo_checker *c);
/* CPU seconds spent in fo_check_page and fo_check_finish (the report's
 * timings). */
double fo_check_seconds(const fo_checker *c);

void fo_checker_free(fo_checker *c);

#endif
