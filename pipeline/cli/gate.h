/* gate — the one gate between layout and the outputs: runs the preflight
 * (pipeline/check) on every edition for the profiles being made, and, for
 * --draft, draws each finding's box in red on its page so that a preview
 * and the proof sheet show it.
 *
 * The build streams pages (a page is checked in the layout's page sink,
 * before it is written and freed); preview, watch, dump and check hold the
 * whole display list and check it after layout with gate_docs. */
#ifndef FO_CLI_GATE_H
#define FO_CLI_GATE_H

#include "check/check.h"

/* The preflight's options for a set of profiles (bit set of fo_profile
 * values): the print rules (CMYK only, total ink, 300 ppi) apply when
 * print is among them. */
fo_check_opts gate_opts(int profiles, int strict);

/* Checks every page of docs[e] (NULL entries skipped) for the profiles;
 * findings go to d. secs[e] (when secs is not NULL) receives the seconds
 * spent on edition e. */
void gate_docs(const fo_pub *pub, const fo_template *const *tmpl,
               fo_dl_doc *const *docs, int profiles, int strict, fo_diags *d,
               double *secs);

/* Draws a red frame around the box of each finding in d that lies on a
 * page of docs[e] (edition pub->editions[e]): --draft's outlines. */
void gate_outline(const fo_pub *pub, fo_dl_doc *const *docs, const fo_diags *d);

#endif
