/* source internals shared between source.c and source_explain.c. */
#ifndef FO_SOURCE_PRIVATE_H
#define FO_SOURCE_PRIVATE_H

#include <stdbool.h>
#include <yaml.h>

#include "core/core.h"

/* After libyaml stopped parser p on text[0..len) (file: the name shown),
 * reports the mistake in plain words at the place the user should look
 * (the opening quote or bracket, the key missing its ':', the TAB) and
 * returns true; false when no rule recognises it, and the caller reports
 * libyaml's own words. */
bool fo_source_explain(fo_diags *d, const char *file, const char *text,
                       size_t len, const yaml_parser_t *p);

#endif
