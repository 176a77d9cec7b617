/* `folio diff` (diff.c): what changed between two versions of a
 * publication, paired by content, as DIR/diff.html and DIR/diff.json. */
#ifndef FO_CLI_DIFF_H
#define FO_CLI_DIFF_H

#include "cli/cli.h"

/* Compares o->pub with o->pub2, or the revisions o->rev ("A..B") of
 * o->pub; the exit code. */
int diff_run(opts *o);

#endif
