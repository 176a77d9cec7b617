/* Tests of hyphenation (typeset/hyph.c) against Debian's hyphen-en-us
 * 2.8.8 and hyphen-fr 7.5.0 dictionaries: the expected points are what
 * those patterns give (checked by hand: hy-phen-ation, de-vel-op-ment,
 * dé-ve-lop-pe-ment), so a dictionary update may need them revisited. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "typeset/hyph.h"

#include <stdlib.h>
#include <string.h>

/* libhyphen 2.8.8 leaks a pattern string when a dictionary repeats a
 * pattern (hnj_hyphen_load_line overwrites states[].match); hyph_fr.dic
 * does. Not ours to fix: tell LeakSanitizer (used only in -DFO_SANITIZE
 * builds; tests/lsan.supp should carry the same line for the CLI). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:hnj_hyphen_load_line\n";
}

/* libhyphen has no frame pointers: only the slow unwinder sees
 * hnj_hyphen_load_line on the stack. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

/* The points of word as a string of character indices, "2 6", under
 * rule. */
static char *points_rule(fo_hyph *h, const char *word, const fo_hyph_rule *r)
{
    static char out[256];
    unsigned char b[256];
    memset(b, 0xAA, sizeof b); /* every entry must be written */
    size_t len = strlen(word);
    size_t n = fo_utf8_len(word, len);
    int k = fo_hyph_word(h, word, len, r, b);
    out[0] = 0;
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(b[i] == 0 || b[i] == 1);
        if (b[i]) {
            size_t l = strlen(out);
            snprintf(out + l, sizeof out - l, "%s%zu", count ? " " : "", i);
            count++;
        }
    }
    assert_int_equal(k, count);
    return out;
}

/* The same with minima lm, rm and no shortest-word rule beyond the
 * built-in 5 letters. */
static char *points(fo_hyph *h, const char *word, int lm, int rm)
{
    fo_hyph_rule r = {lm, rm, 0};
    return points_rule(h, word, &r);
}

static int setup_en(void **state)
{
    fo_diags d;
    fo_diags_init(&d);
    fo_hyph *h = fo_hyph_open("en", &d);
    assert_int_equal(d.n, 0);
    fo_diags_free(&d);
    *state = h;
    return h ? 0 : -1;
}

static int setup_fr(void **state)
{
    fo_diags d;
    fo_diags_init(&d);
    fo_hyph *h = fo_hyph_open("fr-FR", &d);
    assert_int_equal(d.n, 0);
    fo_diags_free(&d);
    *state = h;
    return h ? 0 : -1;
}

static int teardown(void **state)
{
    fo_hyph_free(*state);
    return 0;
}

static void test_english(void **state)
{
    fo_hyph *h = *state;
    assert_string_equal(points(h, "hyphenation", 2, 3),
                        "2 6"); /* hy-phen-ation */
    assert_string_equal(points(h, "development", 2, 3), "2 5 7");
    assert_string_equal(points(h, "yearbook", 2, 3), "4");
    /* Capitalised words are hyphenated (the findings' default, §1d). */
    assert_string_equal(points(h, "Development", 2, 3), "2 5 7");
    /* Twice: the second answer comes from the cache. */
    assert_string_equal(points(h, "hyphenation", 2, 3), "2 6");
}

static void test_minima(void **state)
{
    fo_hyph *h = *state;
    assert_string_equal(points(h, "hyphenation", 3, 3), "6");
    assert_string_equal(points(h, "hyphenation", 2, 6), "2");
    assert_string_equal(points(h, "development", 2, 5), "2 5");
    /* The dictionary's minima (2, 3) win over smaller ones. */
    assert_string_equal(points(h, "development", 1, 1), "2 5 7");
    /* The cache is per minima: the first answers still hold. */
    assert_string_equal(points(h, "hyphenation", 2, 3), "2 6");
}

/* Leading and trailing punctuation is not part of the word; points are
 * indices into the whole token. */
static void test_punctuation(void **state)
{
    fo_hyph *h = *state;
    assert_string_equal(points(h, "(development),", 2, 3), "3 6 8");
    assert_string_equal(points(h,
                               "\xC2\xAB"
                               "development\xC2\xBB",
                               2, 3),
                        "3 6 8"); /* «development» */
    assert_string_equal(points(h, "development.", 2, 3), "2 5 7");
    /* French spacing: a narrow no-break space before the colon. */
    assert_string_equal(points(h, "development\xE2\x80\xAF:", 2, 3), "2 5 7");
}

static void test_skipped(void **state)
{
    fo_hyph *h = *state;
    static const char *const skip[] = {
        "ALLCAPS",
        "UNESCO,",
        "well-known",
        "hyphen\xE2\x80\x90"
        "ation", /* U+2010 */
        "hyphen\xC2\xAD"
        "ation", /* soft hyphen: the author chose */
        "2025",
        "development2",
        "http://example.org/development",
        "www.development.org",
        "someone@development.org",
        "file_development",
        "a=development",
        "dev",
        "with", /* under 5 letters */
        "",
        "...",
    };
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++) {
        if (strcmp(points(h, skip[i], 2, 3), "") != 0)
            fail_msg("\"%s\" was hyphenated", skip[i]);
    }
    /* Invalid UTF-8 is not a word either. */
    unsigned char b[16];
    fo_hyph_rule r = {2, 3, 0};
    assert_int_equal(fo_hyph_word(h, "develop\xFFment", 12, &r, b), 0);
}

/* hyphen-min-word: shorter words get no points; the minima still hold. */
static void test_min_word(void **state)
{
    fo_hyph *h = *state;
    fo_hyph_rule r = {2, 3, 9};
    assert_string_equal(points_rule(h, "yearbook", &r), ""); /* 8 letters */
    assert_string_equal(points_rule(h, "hyphenation", &r), "2 6");
    /* Punctuation around the word does not count as letters. */
    assert_string_equal(points_rule(h, "(yearbook),", &r), "");
}

/* A listed word replaces the dictionary's points, in any case, under the
 * minima; a word listed without '-' never breaks; a later entry wins; the
 * shortest-word rule does not apply to a listed word. */
static void test_exceptions(void **state)
{
    fo_diags d;
    fo_diags_init(&d);
    fo_hyph *h = fo_hyph_open("en", &d);
    assert_non_null(h);
    (void)state;
    /* The dictionary's weak breaks "ed-u-cated". */
    assert_string_equal(points(h, "educated", 2, 3), "2 3");
    assert_int_equal(fo_hyph_add_exception(h, "edu-cated", 9), 0);
    assert_string_equal(points(h, "educated", 2, 3), "3");
    assert_string_equal(points(h, "Educated,", 2, 3), "3");
    assert_string_equal(points(h, "EDUCATED", 2, 3), "3");
    assert_string_equal(points(h, "educated", 4, 3), "");
    assert_int_equal(fo_hyph_add_exception(h, "development", 11), 0);
    assert_string_equal(points(h, "development", 2, 3), "");
    assert_int_equal(fo_hyph_add_exception(h, "de-vel-op-ment", 14), 0);
    assert_string_equal(points(h, "development", 2, 3), "2 5 7");
    fo_hyph_rule r = {2, 2, 9};
    assert_int_equal(fo_hyph_add_exception(h, "Kan-de-lia", 10), 0);
    assert_string_equal(points_rule(h, "Kandelia", &r), "3 5");
    /* Not one word of letters with single hyphens. */
    static const char *const bad[] = {"-ab", "ab-", "a--b", "a b",
                                      "a1b", "",    "a.b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(fo_hyph_add_exception(h, bad[i], strlen(bad[i])), -1);
    fo_hyph_free(h);
    fo_diags_free(&d);
}

static void test_french(void **state)
{
    fo_hyph *h = *state;
    /* dé-ve-lop-pe-ment: points per character, not per byte. */
    assert_string_equal(points(h, "d\xC3\xA9veloppement", 2, 3), "2 4 7 9");
    /* l'or-ga-ni-sa-tion */
    assert_string_equal(points(h, "l'organisation", 2, 3), "4 6 8 10");
    assert_string_equal(points(h,
                               "\xC3\xA9"
                               "conomique",
                               2, 3),
                        "3 5");
}

static void test_languages(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    /* Vietnamese is never hyphenated: NULL, and no diagnostic. */
    assert_null(fo_hyph_open("vi", &d));
    assert_null(fo_hyph_open("vi-VN", &d));
    /* No dictionary installed: NULL, quietly. */
    assert_null(fo_hyph_open("tlh", &d));
    assert_int_equal(d.n, 0);
    /* A region without its own file falls back to the language. */
    fo_hyph *h = fo_hyph_open("en_GB", &d);
    assert_non_null(h);
    assert_string_equal(points(h, "hyphenation", 2, 3), "2 6");
    fo_hyph_free(h);
    /* A NULL handle gives no points, so callers need no special case. */
    assert_string_equal(points(NULL, "hyphenation", 2, 3), "");
    /* English or French without a dictionary is worth a warning. */
    assert_null(fo_hyph_open_dir(FO_TEST_SRC "/tests/unit", "en", &d));
    assert_int_equal(d.warnings, 1);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_english, setup_en, teardown),
        cmocka_unit_test_setup_teardown(test_min_word, setup_en, teardown),
        cmocka_unit_test(test_exceptions),
        cmocka_unit_test_setup_teardown(test_minima, setup_en, teardown),
        cmocka_unit_test_setup_teardown(test_punctuation, setup_en, teardown),
        cmocka_unit_test_setup_teardown(test_skipped, setup_en, teardown),
        cmocka_unit_test_setup_teardown(test_french, setup_fr, teardown),
        cmocka_unit_test(test_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
