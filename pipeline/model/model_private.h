/* model internals shared by the module's files (model.c, template.c,
 * check.c), and the FO_STATIC helpers that unit tests reach. */
#ifndef FO_MODEL_PRIVATE_H
#define FO_MODEL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "source/source.h"

/* ---- key checks (check.c), shared by the publication and template
 * loaders so that both report unknown keys alike ------------------------ */

/* Optimal string alignment distance between s and t (bytes). */
int fo_model_edit_distance(const char *s, const char *t);
/* The word in allowed (NULL-terminated) that name is probably a typo of,
 * or NULL. Borrowed from allowed. */
/* Appends s1 then s2 to an uncapped buffer, which cannot fail (memory
 * aborts). */
void fo_model_put(fo_buf *b, const char *s1, const char *s2);

const char *fo_model_hint(const char *name, const char *const *allowed);
/* Whether mapping map has a misspelling of key (then "missing 'key'" would
 * only repeat the unknown-key error). */
bool fo_model_misspelt(const fo_node *map, const char *key,
                       const char *const *allowed);
/* Reports "unknown key 'K' WHERE — did you mean 'X'?" (or the list of
 * allowed keys when nothing is close) at key's position. */
void fo_model_unknown_key(fo_diags *d, const fo_node *key, const char *where,
                          const char *const *allowed);
/* Whether scalar key is one of allowed. */
bool fo_model_key_known(const fo_node *key, const char *const *allowed);

/* Whether s is a language tag: [a-z]{2,3}(-[A-Za-z0-9]+)*. */
bool fo_model_is_lang_tag(const char *s);

#ifdef FO_UNIT_TEST
/* Whether s[0..len) is a usable output file stem. */
bool fo_model_is_slug(const char *s, size_t len);
#endif

#endif
