/* model internals that the unit tests reach (FO_STATIC): declared only in
 * FO_UNIT_TEST builds, where FO_STATIC leaves them non-static. */
#ifndef FO_MODEL_PRIVATE_H
#define FO_MODEL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef FO_UNIT_TEST
/* Optimal string alignment distance between s and t (bytes). */
int fo_model_edit_distance(const char *s, const char *t);
/* Whether s is a language tag: [a-z]{2,3}(-[A-Za-z0-9]+)*. */
bool fo_model_is_lang_tag(const char *s);
/* Whether s[0..len) is a usable output file stem. */
bool fo_model_is_slug(const char *s, size_t len);
#endif

#endif
