/* check — the key checks that the publication loader (model.c) and the
 * template loader (template.c) share, so that a misspelt key gets the
 * same "did you mean" hint wherever it is written. Hints come from the
 * optimal string alignment distance: at most 2 edits, and at most half the
 * word, so that short unrelated words are not "corrected". */
#include <assert.h>
#include <string.h>

#include "model/model_private.h"

void fo_model_put(fo_buf *b, const char *s1, const char *s2)
{
    fo_status st = fo_buf_puts(b, s1);
    if (st == FO_OK)
        st = fo_buf_puts(b, s2);
    assert(st == FO_OK);
    (void)st;
}

int fo_model_edit_distance(const char *s, const char *t)
{
    return fo_edit_distance(s, t, 0);
}

const char *fo_model_hint(const char *name, const char *const *allowed)
{
    const char *best = NULL;
    int best_d = 1000;
    for (int i = 0; allowed[i]; i++) {
        int dist = fo_model_edit_distance(name, allowed[i]);
        if (dist < best_d) {
            best_d = dist;
            best = allowed[i];
        }
    }
    if (best && best_d <= 2 && (size_t)best_d * 2 <= strlen(name))
        return best;
    return NULL;
}

bool fo_model_misspelt(const fo_node *map, const char *key,
                       const char *const *allowed)
{
    for (int i = 0; i < map->n; i++) {
        const char *h = fo_model_hint(map->pairs[i].key->str, allowed);
        if (h && strcmp(h, key) == 0 && !fo_node_is(map->pairs[i].key, key))
            return true;
    }
    return false;
}

void fo_model_unknown_key(fo_diags *d, const fo_node *key, const char *where,
                          const char *const *allowed)
{
    const char *best = fo_model_hint(key->str, allowed);
    if (best) {
        fo_error(d, key->pos, "unknown key '%s' %s — did you mean '%s'?",
                 key->str, where, best);
        return;
    }
    fo_buf b;
    fo_buf_init(&b, 0);
    for (int i = 0; allowed[i]; i++)
        fo_model_put(&b, i ? ", " : "", allowed[i]);
    fo_error(d, key->pos, "unknown key '%s' %s (expected one of: %s)", key->str,
             where, b.data);
    fo_buf_free(&b);
}

bool fo_model_key_known(const fo_node *key, const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++)
        if (fo_node_is(key, allowed[i]))
            return true;
    return false;
}

bool fo_model_few_enough(fo_diags *d, const fo_node *v, const char *key)
{
    if (v->n <= FO_MODEL_MAX_NAMED)
        return true;
    fo_error(d, v->pos, "'%s' holds more than %d entries", key,
             FO_MODEL_MAX_NAMED);
    return false;
}
