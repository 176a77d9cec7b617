/* init — `folio init [DIR] --template NAME --editions LANG,LANG` (init.c,
 * run as cli.h init_run): writes a new publication that builds at once. */
#ifndef FO_CLI_INIT_H
#define FO_CLI_INIT_H

#include <stddef.h>

/* The templates installed in data_dir/templates (folders holding a
 * template.yaml), sorted by name; *n of them. The caller frees each name
 * and the array. NULL with *n 0 when there are none. */
char **cli_init_templates(const char *data_dir, size_t *n);

#endif
