/* Hyphenation exceptions: the words whose break points a person has set,
 * read from folio's shared list (templates/hyphenation.yaml), a
 * template's own hyphenation.yaml and a publication's `hyphenation:`, in
 * that order, so that the later list overrides the earlier for a word
 * (typeset/hyph.c keeps the last entry). All three have one form, a
 * mapping from a language tag to a sequence of words written with '-' at
 * each allowed break ("Kan-de-lia") or none ("Thanh": never broken).
 *
 * The words are checked here, where their positions are known; typeset
 * only hands them to libhyphen's lookup. */
#include "model/model_private.h"
#include "model/read.h"
#include "model/style.h"
#include "model/template.h"
#include "source/source.h"

#include <glib.h>
#include <string.h>

bool fo_hyph_pattern_ok(const char *s, size_t len)
{
    if (len == 0 || !g_utf8_validate(s, (gssize)len, NULL))
        return false;
    int letters = 0, after_hyphen = 1;
    for (const char *q = s; q < s + len; q = g_utf8_next_char(q)) {
        gunichar c = g_utf8_get_char(q);
        if (c == '-') {
            if (after_hyphen)
                return false;
            after_hyphen = 1;
        } else if (g_unichar_isalpha(c) || (g_unichar_ismark(c) && letters)) {
            letters++;
            after_hyphen = 0;
        } else {
            return false;
        }
    }
    return !after_hyphen && letters <= FO_HYPH_WORD_MAX;
}

static fo_hyph_word_entry *push(fo_hyph_words *out, fo_arena *a)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 16;
        fo_hyph_word_entry *items = fo_arena_alloc(a, cap * sizeof *items);
        if (out->n)
            memcpy(items, out->items, out->n * sizeof *items);
        out->items = items;
        out->cap = cap;
    }
    return &out->items[out->n++];
}

void fo_hyph_words_add_lang(const fo_hyph_words *from, const char *lang,
                            fo_arena *a, fo_hyph_words *out)
{
    for (size_t i = 0; i < from->n; i++)
        if (lang && fo_style_lang_match(from->items[i].lang, lang)) {
            fo_hyph_word_entry *e = push(out, a);
            *e = from->items[i];
            e->word = fo_arena_strdup(a, e->word);
            e->lang = fo_arena_strdup(a, e->lang);
            e->pos.file = fo_arena_strdup(a, e->pos.file);
        }
}

void fo_hyph_words_read(const fo_node *v, const char *lang, fo_arena *a,
                        fo_diags *d, fo_hyph_words *out)
{
    if (v->kind != FO_NODE_MAP) {
        fo_error(d, v->pos,
                 "'hyphenation' must map a language to a list of words, as "
                 "in 'en: [Kan-de-lia]', found %s",
                 fo_node_describe(v));
        return;
    }
    for (int i = 0; i < v->n; i++) {
        const fo_node *key = v->pairs[i].key, *seq = v->pairs[i].value;
        if (seq->kind != FO_NODE_SEQ) {
            fo_error(d, seq->pos,
                     "'hyphenation: %s' must be a list of words, found %s",
                     key->str, fo_node_describe(seq));
            continue;
        }
        int use = !lang || fo_style_lang_match(key->str, lang);
        for (int k = 0; k < seq->n; k++) {
            const fo_node *w = seq->items[k];
            if (!fo_read_is_scalar(w)) {
                fo_error(d, w->pos, "a hyphenation entry is one word, found %s",
                         fo_node_describe(w));
                continue;
            }
            if (!fo_hyph_pattern_ok(w->str, w->len)) {
                fo_error(d, w->pos,
                         "'%s' is not a hyphenation entry: write one word "
                         "of letters with '-' at each place it may break "
                         "('Kan-de-lia'), or with none ('Thanh')",
                         w->str);
                continue;
            }
            if (!use)
                continue;
            fo_hyph_word_entry *e = push(out, a);
            e->word = fo_arena_strndup(a, w->str, w->len);
            e->lang = fo_arena_strdup(a, key->str);
            e->pos = w->pos;
            e->pos.file = fo_arena_strdup(a, w->pos.file);
        }
    }
}

void fo_hyph_words_load_file(const char *path, const char *shown,
                             const char *lang, fo_arena *a, fo_diags *d,
                             fo_hyph_words *out)
{
    fo_arena *scratch = fo_arena_new();
    fo_node *root = NULL;
    fo_status st = fo_source_load_file(path, shown, scratch, d, &root);
    if (st == FO_OK)
        fo_hyph_words_read(root, lang, a, d, out);
    /* FO_ERR_IO: no list there, which is fine; syntax errors are
     * reported. */
    fo_arena_free(scratch);
}
