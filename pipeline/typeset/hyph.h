/* hyph — hyphenation points from libhyphen's pattern dictionaries (the
 * ones LibreOffice uses), for the Knuth–Plass list that para.c builds.
 * Vietnamese is never hyphenated. Not thread-safe: one fo_hyph per thread
 * (the word cache is unlocked). */
#ifndef FO_HYPH_H
#define FO_HYPH_H

#include "core/core.h"
#include "model/model.h"

/* Where Debian's hyphen-* packages install their dictionaries. */
#define FO_HYPH_DIR "/usr/share/hyphen"

/* Longest word (in characters) that is looked up; longer tokens are not
 * words. */
#define FO_HYPH_MAX_WORD 64

typedef struct fo_hyph fo_hyph;

/* The dictionary for a language tag ("en", "en-GB", "fr", "fr_CA", "de")
 * from FO_HYPH_DIR: hyph_<ll>_<CC>.dic for a region, then the language's
 * default (en → en_US), hyph_<ll>.dic and hyph_<ll>_<LL>.dic. Returns NULL
 * without a diagnostic for a language that is not hyphenated ("vi") or has
 * no dictionary, except that a missing English or French dictionary is a
 * warning (the yearbook needs them); NULL with an error in d when a
 * dictionary exists but does not load. Free with fo_hyph_free. */
fo_hyph *fo_hyph_open(const char *lang, fo_diags *d);
/* The same, looking in dir instead of FO_HYPH_DIR. */
fo_hyph *fo_hyph_open_dir(const char *dir, const char *lang, fo_diags *d);
/* fo_hyph_open, then the exceptions of words (a template's hyph_words,
 * checked by the model) in their order. */
fo_hyph *fo_hyph_open_with(const char *lang, const fo_hyph_words *words,
                           fo_diags *d);
/* NULL is fine. */
void fo_hyph_free(fo_hyph *h);

/* Words whose points a person has set: pattern is the word with '-' at
 * each point where it may break ("Kan-de-lia", "ed-u-cat-ed"), or with no
 * '-' at all for a word that must never break ("Thanh"). The entry replaces
 * the dictionary's points for the word in any case (matched lowercased);
 * the minima still apply, the shortest-word rule does not (the word was
 * listed on purpose). A later entry for the same word replaces an earlier
 * one, so a publication's list overrides the template's. Returns 0, or -1
 * for a pattern that is not one word of letters with single '-' between
 * them (the caller reports it where it was written). h may be NULL (no
 * dictionary: nothing to override; returns 0 for a valid pattern). */
int fo_hyph_add_exception(fo_hyph *h, const char *pattern, size_t len);

/* Limits of one lookup: the letters kept before and after a hyphen (the
 * dictionary's own minima apply when larger), and the shortest word that
 * is hyphenated at all. */
typedef struct fo_hyph_rule {
    int left_min, right_min;
    int min_word; /* letters; words with fewer get no points */
} fo_hyph_rule;

/* Hyphenation points of one token (word[0..len), UTF-8, usually the text
 * between two spaces). breaks_out must hold one entry per character of the
 * token (len entries always suffice); entry i is set to 1 when a hyphen may
 * be inserted before character i, else 0. Leading and trailing
 * non-letters ("«", "(", ".", ",") are ignored; rule gives the minima.
 * A listed exception gives its own points. Otherwise no points for
 * h == NULL, words under rule->min_word letters (never under 5), ALL-CAPS
 * words, tokens containing digits, "/ _ @ = . :", or a hyphen (U+002D,
 * U+00AD, U+2010, U+2011), and words that change length when lowercased.
 * Returns the number of points. Results are cached per fo_hyph. */
int fo_hyph_word(fo_hyph *h, const char *word, size_t len,
                 const fo_hyph_rule *rule, unsigned char *breaks_out);

#endif
