/* model internals shared by the module's files (model.c, template.c,
 * check.c), and the FO_STATIC helpers that unit tests reach. */
#ifndef FO_MODEL_PRIVATE_H
#define FO_MODEL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "model/model.h"
#include "model/style.h"
#include "source/source.h"

/* ---- hyphenation exceptions (hyphenation.c) -------------------------- */

/* Whether s[0..len) is one word of letters with single '-' between them. */
bool fo_hyph_pattern_ok(const char *s, size_t len);
/* Checks a `hyphenation:` mapping (language → list of words) and appends
 * to out, in arena a, the words of the entries that match lang, or of
 * every entry when lang is NULL (a publication's list, filtered per
 * edition by fo_hyph_words_add_lang). */
void fo_hyph_words_read(const fo_node *v, const char *lang, fo_arena *a,
                        fo_diags *d, fo_hyph_words *out);
/* Appends to out the words of from listed under a key matching lang. */
void fo_hyph_words_add_lang(const fo_hyph_words *from, const char *lang,
                            fo_arena *a, fo_hyph_words *out);
/* The same from a YAML file holding such a mapping; a file that cannot be
 * read is no list, silently. */
void fo_hyph_words_load_file(const char *path, const char *shown,
                             const char *lang, fo_arena *a, fo_diags *d,
                             fo_hyph_words *out);

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

/* The most entries of one 'styles', 'char-styles' or 'swatches' mapping.
 * Names are found by a walk of a list (in the template loader and in
 * layout), so n of them cost n² (100,000 styles: over 10 s,
 * tests/pathological); a template has a few dozen. */
enum { FO_MODEL_MAX_NAMED = 1000 };

/* Whether mapping v (the value of key) has at most FO_MODEL_MAX_NAMED
 * entries; reported at v if not. */
bool fo_model_few_enough(fo_diags *d, const fo_node *v, const char *key);

/* ---- style layers (style.c, types in style.h) ------------------------- */

/* Reads a `styles:` mapping into *out (in arena a), reporting every
 * problem to d. */
void fo_style_layer_read(const fo_node *v, fo_arena *a, fo_diags *d,
                         fo_style_layer *out);
/* Reads a `languages:` mapping into *out, likewise. */
void fo_style_langs_read(const fo_node *v, fo_arena *a, fo_diags *d,
                         fo_style_langs *out);
/* The publication's `styles:` and `languages:` (either may be NULL), read
 * into arena a with their problems kept as notes (style.h). */
const fo_pub_styles *fo_pub_styles_read(const fo_node *styles,
                                        const fo_node *languages, fo_arena *a);

/* Whether s is a language tag: [a-z]{2,3}(-[A-Za-z0-9]+)*. */
bool fo_model_is_lang_tag(const char *s);

#ifdef FO_UNIT_TEST
/* Whether s[0..len) is a usable output file stem. */
bool fo_model_is_slug(const char *s, size_t len);
#endif

#endif
