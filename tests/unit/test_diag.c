/* Unit tests for diagnostics (core/diag.c): a repeat is reported once,
 * with where (rule, edition, page, box) part of what makes it a repeat;
 * many diagnostics cost linear time; control characters in messages, file
 * names and editions are stored escaped. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

static char *printed(const fo_diags *d)
{
    char *s = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&s, &n);
    fo_diags_print(d, fp);
    (void)fclose(fp);
    return s;
}

static void test_repeats(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_pos p = {"a.yaml", 2, 3};
    fo_error(&d, p, "bad %s", "thing");
    fo_error(&d, p, "bad thing");                        /* the same: dropped */
    fo_warning(&d, p, "bad thing");                      /* another severity */
    fo_error(&d, (fo_pos){"b.yaml", 2, 3}, "bad thing"); /* another file */
    fo_error(&d, (fo_pos){"a.yaml", 2, 4}, "bad thing"); /* another column */
    fo_error(&d, (fo_pos){NULL, 0, 0}, "bad thing");     /* no position */
    fo_error(&d, (fo_pos){NULL, 0, 0}, "bad thing");
    assert_int_equal(d.n, 5);
    assert_int_equal(d.errors, 4);
    assert_int_equal(d.warnings, 1);
    fo_diags_free(&d);
}

/* Findings at different places of the output are different findings; at
 * the same place (a box equal to the last bit, -0 and 0 alike), one. */
static void test_repeats_where(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_pos p = {"a.yaml", 1, 1};
    fo_where w = {"frame", "vi", 2, 1, 0.0, 10, 20, 30};
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &w, "overflow");
    fo_where same = w;
    same.x = -0.0;
    same.edition = "vi"; /* another pointer to the same tag */
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &same, "overflow");
    assert_int_equal(d.n, 1);
    fo_where other = w;
    other.page = 3;
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &other, "overflow");
    other = w;
    other.edition = "en";
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &other, "overflow");
    other = w;
    other.rule = "overlap";
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &other, "overflow");
    other = w;
    other.h = 30.5;
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &other, "overflow");
    other = w;
    other.has_box = 0;
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &other, "overflow");
    fo_diag_add_where(&d, FO_SEV_WARNING, p, NULL, "overflow");
    fo_diag_add_where(&d, FO_SEV_WARNING, p, &(fo_where){0}, "overflow");
    assert_int_equal(d.n, 7);
    /* the edition is the diagnostic's own copy */
    assert_string_equal(d.items[2].where.edition, "en");
    assert_ptr_equal(d.items[2].where.edition, d.items[2].edition);
    fo_diags_free(&d);
}

static double seconds(void)
{
    struct timespec t;
    (void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 200,000 distinct diagnostics and as many repeats are counted right, in
 * linear time: comparing each with every earlier one took minutes. */
static void test_many(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    enum { N = 200000 };
    double t0 = seconds();
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++)
            fo_error(&d, (fo_pos){"a.yaml", i + 1, 3},
                     "aliases ('*x') are not supported");
    double t = seconds() - t0;
    assert_int_equal(d.n, N);
    assert_int_equal(d.errors, N);
    assert_int_equal(d.items[N - 1].pos.line, N);
    /* about 0.3 s here, 1 s with ASan; the quadratic search took 40 s */
    assert_true(t < 10);
    fo_diags_free(&d);
    /* freed is empty and usable again */
    fo_error(&d, (fo_pos){"a.yaml", 1, 1}, "x");
    assert_int_equal(d.n, 1);
    fo_diags_free(&d);
}

static void escapes_to(const char *in, size_t n, const char *want)
{
    char *out = fo_escape_controls(in, n);
    assert_string_equal(out, want);
    /* escaping what is escaped changes nothing */
    char *again = fo_escape_controls(out, strlen(out));
    assert_string_equal(again, want);
    free(again);
    free(out);
}

static void test_escape(void **state)
{
    (void)state;
    escapes_to("plain Tiếng Việt «»", strlen("plain Tiếng Việt «»"),
               "plain Tiếng Việt «»");
    escapes_to("\x1b[2J\x1b[1;31mevil.jpg", 19, "\\e[2J\\e[1;31mevil.jpg");
    escapes_to("a\tb\nc\rd\x07"
               "e\x7f",
               10, "a\\tb\\nc\\rd\\x07e\\x7f");
    escapes_to("a\0b", 3, "a\\x00b");
    /* C1 controls, as UTF-8 (U+009B CSI, U+0085 NEL) */
    escapes_to("\xc2\x9b"
               "31m\xc2\x85",
               7, "\\u009b31m\\u0085");
    /* U+00A0 and U+2028 are no controls */
    escapes_to("\xc2\xa0\xe2\x80\xa8", 5, "\xc2\xa0\xe2\x80\xa8");
    /* bytes that are not UTF-8, alone or cut short */
    escapes_to("\xff\x9b\xe1\xbb", 4, "\\xff\\x9b\\xe1\\xbb");
    escapes_to("", 0, "");
}

/* Messages, file names and editions are stored escaped: what the CLI
 * prints and what a report reads from fo_diag are alike safe. */
static void test_stored_escaped(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_where w = {NULL, "v\x1bi", 1, 0, 0, 0, 0, 0};
    fo_diag_add_where(&d, FO_SEV_ERROR, (fo_pos){"x\x1b[2J.yaml", 1, 2}, &w,
                      "cannot find image '%s'", "\x1b[2J\xc2\x9b.jpg");
    fo_diag_add_where(&d, FO_SEV_ERROR, (fo_pos){"x\x1b[2J.yaml", 1, 2}, &w,
                      "cannot find image '%s'", "\x1b[2J\xc2\x9b.jpg");
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].message,
                        "cannot find image '\\e[2J\\u009b.jpg'");
    assert_string_equal(d.items[0].pos.file, "x\\e[2J.yaml");
    assert_string_equal(d.items[0].where.edition, "v\\ei");
    char *s = printed(&d);
    assert_string_equal(s, "x\\e[2J.yaml:1:2: error: cannot find image "
                           "'\\e[2J\\u009b.jpg' (page 1, edition v\\ei)\n");
    free(s);
    fo_diags_free(&d);
}

static void test_hash(void **state)
{
    (void)state;
    /* FNV-1a's published values: "" is the offset basis, "a" 0xaf63dc4c8601ec8c
     */
    assert_true(fo_hash(FO_HASH_SEED, "", 0) == FO_HASH_SEED);
    assert_true(fo_hash(FO_HASH_SEED, "a", 1) == 0xaf63dc4c8601ec8cULL);
    /* chaining is hashing the concatenation */
    assert_true(fo_hash(fo_hash(FO_HASH_SEED, "fo", 2), "lio", 3) ==
                fo_hash(FO_HASH_SEED, "folio", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_repeats_where),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_stored_escaped),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
