/* gate — the one gate between layout and the outputs: every command's
 * preflight (pipeline/check) goes through gate_checker_new, for the
 * profiles being made; for --draft, each finding's box is drawn in red on
 * its page so that a preview and the proof sheet show it. Also `check`
 * (cli.h check_run), which is the gate alone.
 *
 * The build streams pages (a page is checked in the layout's page sink,
 * before it is written and freed); preview, watch and check hold the
 * whole display list and check it after layout with gate_docs. */
#ifndef FO_CLI_GATE_H
#define FO_CLI_GATE_H

#include "check/check.h"

/* A checker of edition e for a set of profiles (bit set of fo_profile
 * values): the print rules apply when print is among them
 * (fo_check_opts_for); findings go to d. Free with fo_checker_free. */
fo_checker *gate_checker_new(const fo_pub *pub, int e, const fo_template *t,
                             int profiles, int strict, fo_diags *d);

/* Checks every page of docs[e] (NULL entries skipped) for the profiles;
 * findings go to d. secs[e] (when secs is not NULL) receives the seconds
 * spent on edition e. */
void gate_docs(const fo_pub *pub, const fo_template *const *tmpl,
               fo_dl_doc *const *docs, int profiles, int strict, fo_diags *d,
               double *secs);

/* The page a finding's where names, when it is a page of docs: 1 with *ed
 * (index into pub->editions) and *page (0-based) set, else 0. */
int gate_where_page(const fo_pub *pub, fo_dl_doc *const *docs,
                    const fo_where *w, int *ed, size_t *page);

/* Draws a red frame around the box of each finding in d that lies on a
 * page of docs[e] (edition pub->editions[e]): --draft's outlines. */
void gate_outline(const fo_pub *pub, fo_dl_doc *const *docs, const fo_diags *d);

#endif
