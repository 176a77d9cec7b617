/* `folio editions` (editions.c): the parity report across editions,
 * DIR/editions.html and DIR/editions.json, findings at source lines. */
#ifndef FO_CLI_EDITIONS_H
#define FO_CLI_EDITIONS_H

#include "cli/cli.h"

/* Reports on o->pub's editions; the exit code. */
int editions_run(opts *o);

#endif
