/* Hyphenation with libhyphen (hyph.h).
 *
 * Contract. fo_hyph_open maps a language tag to a .dic file and loads it;
 * fo_hyph_word returns, per character of a token, where a hyphen may go.
 * The rules, each from a failure seen in the sample (tests/unit/test_hyph.c
 * pins them): patterns
 * are lowercase, so the word is lowercased first and skipped when that
 * changes its length; the UTF-8 dictionaries report points per character,
 * not per byte; hnj_hyphen_hyphenate3 takes the larger of our minima and
 * the dictionary's; compounds that already have a hyphen, ALL-CAPS words
 * (acronyms), and technical tokens (digits, paths, URLs, e-mail addresses)
 * are left alone, because hyphenating them produced "external-in-" and
 * broken file names. Non-standard points (libhyphen's replacements, as in
 * German "Schiff-fahrt") are dropped: a penalty cannot change the letters.
 *
 * Yearbooks repeat words, so results are cached per (minima, word) in a
 * GHashTable, cleared when it grows past CACHE_MAX entries. */
#include "hyph.h"

#include <glib.h>
#include <hyphen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MIN_LETTERS = 5, CACHE_MAX = 50000 };

struct fo_hyph {
    HyphenDict *dict;
    GHashTable *cache;      /* "lm rm word" → cached (malloc'd) */
    GHashTable *exceptions; /* lowercased word → cached, points unlimited */
};

/* Points relative to the core word (the token without its leading and
 * trailing non-letters). */
typedef struct cached {
    int n, count;
    unsigned char at[]; /* n entries */
} cached;

static fo_hyph *load(const char *path, fo_diags *d)
{
    HyphenDict *dict = hnj_hyphen_load(path);
    if (!dict) {
        fo_error(d, (fo_pos){0}, "cannot load the hyphenation dictionary %s",
                 path);
        return NULL;
    }
    fo_hyph *h = fo_xcalloc(1, sizeof *h);
    h->dict = dict;
    h->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free);
    h->exceptions =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free);
    return h;
}

fo_hyph *fo_hyph_open_dir(const char *dir, const char *lang, fo_diags *d)
{
    /* "en-GB" / "en_GB" → "en", "GB". */
    char ll[9] = "", cc[9] = "";
    size_t i = 0;
    for (; lang[i] && lang[i] != '-' && lang[i] != '_' && i < 8; i++)
        ll[i] = g_ascii_tolower(lang[i]);
    ll[i] = 0;
    if (lang[i] == '-' || lang[i] == '_') {
        const char *r = lang + i + 1;
        size_t j = 0;
        for (; r[j] && r[j] != '-' && r[j] != '_' && j < 8; j++)
            cc[j] = g_ascii_toupper(r[j]);
        cc[j] = 0;
        if (j != 2) /* a script subtag ("Latn") is not a region */
            cc[0] = 0;
    }
    if (!ll[0] || strcmp(ll, "vi") == 0)
        return NULL; /* Vietnamese syllables are never hyphenated */

    char upper[9];
    for (i = 0; ll[i]; i++)
        upper[i] = g_ascii_toupper(ll[i]);
    upper[i] = 0;
    const char *dflt = strcmp(ll, "en") == 0 ? "en_US" : NULL;
    char *names[4] = {
        cc[0] ? g_strdup_printf("hyph_%s_%s.dic", ll, cc) : NULL,
        dflt ? g_strdup_printf("hyph_%s.dic", dflt) : NULL,
        g_strdup_printf("hyph_%s.dic", ll),
        g_strdup_printf("hyph_%s_%s.dic", ll, upper),
    };
    fo_hyph *h = NULL;
    int found = 0;
    for (i = 0; i < 4 && !found; i++) {
        if (!names[i])
            continue;
        char *path = g_build_filename(dir, names[i], NULL);
        if (access(path, R_OK) == 0) {
            found = 1;
            h = load(path, d);
        }
        g_free(path);
    }
    for (i = 0; i < 4; i++)
        g_free(names[i]);
    if (!found && (strcmp(ll, "en") == 0 || strcmp(ll, "fr") == 0))
        fo_warning(d, (fo_pos){0},
                   "no hyphenation dictionary for \"%s\" in %s (Debian "
                   "package hyphen-%s); the text will not be hyphenated",
                   lang, dir, strcmp(ll, "en") == 0 ? "en-us" : "fr");
    return h;
}

fo_hyph *fo_hyph_open(const char *lang, fo_diags *d)
{
    return fo_hyph_open_dir(FO_HYPH_DIR, lang, d);
}

fo_hyph *fo_hyph_open_with(const char *lang, const fo_hyph_words *words,
                           fo_diags *d)
{
    fo_hyph *h = fo_hyph_open(lang, d);
    for (size_t i = 0; h && i < words->n; i++) {
        const char *w = words->items[i].word;
        /* Checked by model/hyphenation.c; a word that changes length when
         * lowercased ("İ") is refused here and could never match a
         * lookup either, so it is skipped. */
        (void)fo_hyph_add_exception(h, w, strlen(w));
    }
    return h;
}

void fo_hyph_free(fo_hyph *h)
{
    if (!h)
        return;
    hnj_hyphen_free(h->dict);
    g_hash_table_destroy(h->cache);
    g_hash_table_destroy(h->exceptions);
    free(h);
}

int fo_hyph_add_exception(fo_hyph *h, const char *pattern, size_t len)
{
    if (!g_utf8_validate(pattern, (gssize)len, NULL) || len == 0)
        return -1;
    /* Letters (with their combining marks), single '-' between them. */
    GString *word = g_string_sized_new(len);
    unsigned char at[FO_HYPH_MAX_WORD] = {0};
    int n = 0, after_hyphen = 1;
    for (const char *q = pattern; q < pattern + len; q = g_utf8_next_char(q)) {
        gunichar c = g_utf8_get_char(q);
        if (c == '-') {
            if (after_hyphen || n == 0)
                goto bad;
            at[n] = 1;
            after_hyphen = 1;
            continue;
        }
        if (!g_unichar_isalpha(c) && !(g_unichar_ismark(c) && n > 0))
            goto bad;
        if (n >= FO_HYPH_MAX_WORD)
            goto bad;
        g_string_append_unichar(word, c);
        n++;
        after_hyphen = 0;
    }
    if (after_hyphen)
        goto bad;
    char *low = g_utf8_strdown(word->str, (gssize)word->len);
    g_string_free(word, TRUE);
    if (g_utf8_strlen(low, -1) != n) {
        g_free(low);
        return -1;
    }
    if (!h) {
        g_free(low);
        return 0;
    }
    cached *c = fo_xcalloc(1, sizeof *c + (size_t)n);
    c->n = n;
    for (int i = 0; i < n; i++)
        c->count += (c->at[i] = at[i]);
    g_hash_table_replace(h->exceptions, low, c); /* takes low and c */
    return 0;
bad:
    g_string_free(word, TRUE);
    return -1;
}

/* Characters that mark a token as technical or already hyphenated. */
static int is_blocker(gunichar c)
{
    return g_unichar_isdigit(c) || g_unichar_isspace(c) ||
           (c < 0x80 && strchr("/_@=.:-", (int)c)) || c == 0x00AD ||
           c == 0x2010 || c == 0x2011;
}

/* libhyphen on the lowercased core word; NULL when it is to be skipped. */
static cached *compute(const fo_hyph *h, const char *core, size_t bytes, int n,
                       int left_min, int right_min)
{
    char *low = g_utf8_strdown(core, (gssize)bytes);
    size_t lowb = strlen(low);
    if (g_utf8_strlen(low, -1) != n) { /* e.g. "İ" → "i̇" */
        g_free(low);
        return NULL;
    }
    char *hy = fo_xcalloc(lowb + 5, 1);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    hnj_hyphen_hyphenate3(h->dict, low, (int)lowb, hy, NULL, &rep, &pos, &cut,
                          left_min, right_min, 2, 2);
    cached *c = fo_xcalloc(1, sizeof *c + (size_t)n);
    c->n = n;
    /* hy[m] odd: a point after character m, i.e. before character m + 1;
     * the UTF-8 dictionaries give one digit per character. */
    for (int m = 0; m + 1 < n; m++) {
        if (!(hy[m] & 1) || (rep && rep[m]))
            continue;
        if (m + 1 < left_min || n - (m + 1) < right_min)
            continue;
        c->at[m + 1] = 1;
        c->count++;
    }
    if (rep) {
        for (size_t m = 0; m < lowb; m++)
            free(rep[m]);
        free(rep);
    }
    free(pos);
    free(cut);
    free(hy);
    g_free(low);
    return c;
}

/* The points of a listed word, within the minima. */
static int from_exception(const cached *c, int left_min, int right_min,
                          unsigned char *out)
{
    int count = 0;
    for (int i = 0; i < c->n; i++) {
        out[i] = c->at[i] && i >= left_min && c->n - i >= right_min;
        count += out[i];
    }
    return count;
}

int fo_hyph_word(fo_hyph *h, const char *word, size_t len,
                 const fo_hyph_rule *rule, unsigned char *breaks_out)
{
    int left_min = rule->left_min > 1 ? rule->left_min : 1;
    int right_min = rule->right_min > 1 ? rule->right_min : 1;
    int min_word = rule->min_word > MIN_LETTERS ? rule->min_word : MIN_LETTERS;
    /* Decode once: character offsets and code points. */
    size_t nchars = fo_utf8_len(word, len);
    memset(breaks_out, 0, nchars);
    if (!h || nchars < 2 || nchars > FO_HYPH_MAX_WORD)
        return 0;
    uint32_t cps[FO_HYPH_MAX_WORD];
    size_t offs[FO_HYPH_MAX_WORD + 1];
    size_t off = 0;
    for (size_t i = 0; i < nchars; i++) {
        offs[i] = off;
        off += (size_t)fo_utf8_decode(word + off, len - off, &cps[i]);
        if (cps[i] == 0xFFFD)
            return 0; /* invalid UTF-8: not a word */
    }
    offs[nchars] = off;

    /* The core word: from the first letter to the last letter (and its
     * combining marks). */
    size_t i0 = 0, i1 = nchars;
    while (i0 < nchars && !g_unichar_isalpha(cps[i0]))
        i0++;
    while (i1 > i0 && !g_unichar_isalpha(cps[i1 - 1]) &&
           !g_unichar_ismark(cps[i1 - 1]))
        i1--;
    int n = (int)(i1 - i0);
    if (n < 2)
        return 0;
    /* A blocker anywhere rules the token out ("development2", "x@y"),
     * except the sentence's '.' and ':' and (no-break) spaces around the
     * word: "développement\u202F:" is still a word. */
    for (size_t i = 0; i < nchars; i++) {
        int outside = i < i0 || i >= i1;
        uint32_t c = cps[i];
        if (is_blocker(c) &&
            !(outside && (c == '.' || c == ':' || g_unichar_isspace(c))))
            return 0;
    }
    int upper = 0, lower = 0;
    for (size_t i = i0; i < i1; i++) {
        upper += g_unichar_isupper(cps[i]) != 0;
        lower += g_unichar_islower(cps[i]) != 0;
    }
    const char *core = word + offs[i0];
    size_t bytes = offs[i1] - offs[i0];
    if (g_hash_table_size(h->exceptions) > 0) {
        char *low = g_utf8_strdown(core, (gssize)bytes);
        const cached *ex = g_hash_table_lookup(h->exceptions, low);
        g_free(low);
        if (ex && ex->n == n)
            return from_exception(ex, left_min, right_min, breaks_out + i0);
    }
    if (n < min_word)
        return 0;
    if (lower == 0 && upper > 1)
        return 0; /* an acronym, "UNESCO" */

    char *key =
        g_strdup_printf("%d %d %.*s", left_min, right_min, (int)bytes, core);
    cached *c = g_hash_table_lookup(h->cache, key);
    if (!c) {
        c = compute(h, core, bytes, n, left_min, right_min);
        if (!c) {
            g_free(key);
            return 0;
        }
        if (g_hash_table_size(h->cache) >= CACHE_MAX)
            g_hash_table_remove_all(h->cache);
        g_hash_table_insert(h->cache, key, c); /* takes key and c */
    } else {
        g_free(key);
    }
    memcpy(breaks_out + i0, c->at, (size_t)n);
    return c->count;
}
