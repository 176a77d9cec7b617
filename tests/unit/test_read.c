/* Unit tests for model/read.c: for each kind of value, the forms it
 * accepts (and what it makes of them) and the forms it refuses, with the
 * exact message and its position. Values are parsed by source/ from a
 * one-line mapping "k: VALUE", so positions are 1:4 and messages name the
 * key 'k'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/read.h"

static fo_arena *arena;
static fo_diags diags;
static char message[512];

/* The value of k in the YAML "k: text". */
static const fo_node *value(const char *text)
{
    char yaml[256];
    (void)snprintf(yaml, sizeof yaml, "k: %s\n", text);
    fo_node *root = NULL;
    fo_diags d;
    fo_diags_init(&d);
    assert_int_equal(
        fo_source_load_string(yaml, strlen(yaml), "t.yaml", arena, &d, &root),
        FO_OK);
    fo_diags_free(&d);
    return fo_node_get(root, "k");
}

/* The one diagnostic reported since the last call, as printed, or "". */
static const char *said(void)
{
    message[0] = 0;
    assert_true(diags.n <= 1);
    if (diags.n == 1) {
        const fo_diag *g = &diags.items[0];
        (void)snprintf(message, sizeof message, "%d:%d: %s", g->pos.line,
                       g->pos.col, g->message);
    }
    fo_diags_free(&diags);
    fo_diags_init(&diags);
    return message;
}

static int setup(void **state)
{
    (void)state;
    arena = fo_arena_new();
    fo_diags_init(&diags);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fo_diags_free(&diags);
    fo_arena_free(arena);
    return 0;
}

static void number_ok(const char *text, double want)
{
    double x = -12345;
    assert_true(fo_read_number(&diags, value(text), "k", &x));
    assert_true(x == want);
    assert_string_equal(said(), "");
}

static void number_bad(const char *text, const char *msg)
{
    double x = -12345;
    assert_false(fo_read_number(&diags, value(text), "k", &x));
    assert_true(x == -12345); /* left alone */
    assert_string_equal(said(), msg);
}

static void test_number(void **state)
{
    (void)state;
    number_ok("60", 60);
    number_ok("-3", -3);
    number_ok("+2", 2);
    number_ok("10.5", 10.5);
    number_ok(".5", 0.5);
    number_ok("5.", 5);
    number_ok("0.6", 0.6); /* the double nearest 0.6, as strtod makes it */
    number_ok("0.333", 0.333);
    number_bad("0x10", "1:4: 'k' must be a number, found '0x10'");
    number_bad("inf", "1:4: 'k' must be a number, found 'inf'");
    number_bad(".inf", "1:4: 'k' must be a number, found '.inf'");
    number_bad("-.inf", "1:4: 'k' must be a number, found '-.inf'");
    number_bad(".nan", "1:4: 'k' must be a number, found '.nan'");
    number_bad("nan", "1:4: 'k' must be a number, found 'nan'");
    number_bad("1e3", "1:4: 'k' must be a number, found '1e3'");
    number_bad("1.2.3", "1:4: 'k' must be a number, found '1.2.3'");
    number_bad("+", "1:4: 'k' must be a number, found '+'");
    number_bad("-.", "1:4: 'k' must be a number, found '-.'");
    number_bad(".", "1:4: 'k' must be a number, found '.'");
    number_bad("1,5", "1:4: 'k' must be a number, found '1,5'");
    number_bad("\"10\"", "1:4: 'k' must be a number, found '10' in quotes");
    number_bad("'10'", "1:4: 'k' must be a number, found '10' in quotes");
    number_bad("[1]", "1:4: 'k' must be a number, found a sequence");
    number_bad("{a: 1}", "1:4: 'k' must be a number, found a mapping");
    number_bad("~", "1:4: 'k' must be a number, found an empty value");
    /* a long value is cut at 40 bytes, never inside a character */
    number_bad("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé",
               "1:4: 'k' must be a number, found "
               "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
}

static void test_range(void **state)
{
    (void)state;
    double x = 0;
    assert_true(fo_read_in_range(&diags, value("0"), "k", FO_READ_NONNEG, &x));
    assert_false(
        fo_read_in_range(&diags, value("0"), "k", FO_READ_POSITIVE, &x));
    assert_string_equal(said(), "1:4: 'k' must be greater than 0, found '0'");
    assert_false(
        fo_read_in_range(&diags, value("-1"), "k", FO_READ_NONNEG, &x));
    assert_string_equal(said(), "1:4: 'k' must not be negative, found '-1'");
    assert_true(fo_read_in_range(&diags, value("1"), "k", FO_READ_UNIT, &x));
    assert_false(fo_read_in_range(&diags, value("1.5"), "k", FO_READ_UNIT, &x));
    assert_string_equal(said(),
                        "1:4: 'k' must be between 0 and 1, found '1.5'");
    fo_read_range r = {0, true, 2000};
    assert_false(fo_read_in_range(&diags, value("2001"), "k", r, &x));
    assert_string_equal(
        said(),
        "1:4: 'k' must be greater than 0 and at most 2000, found '2001'");
    r = (fo_read_range){4, false, HUGE_VAL};
    assert_false(fo_read_in_range(&diags, value("3"), "k", r, &x));
    assert_string_equal(said(), "1:4: 'k' must be at least 4, found '3'");
    /* not a number: the number's message, once */
    assert_false(fo_read_in_range(&diags, value("inf"), "k", r, &x));
    assert_string_equal(said(), "1:4: 'k' must be a number, found 'inf'");
    assert_true(x == 1);
}

static void test_mm(void **state)
{
    (void)state;
    double pt = 0;
    assert_true(fo_read_mm(&diags, value("25.4"), "k", FO_READ_NONNEG, &pt));
    assert_true(fabs(pt - 72) < 1e-9);
    assert_true(fo_read_mm(&diags, value("10"), "k", FO_READ_NONNEG, &pt));
    assert_true(pt == 10 * (72.0 / 25.4));
    assert_false(fo_read_mm(&diags, value("-2"), "k", FO_READ_NONNEG, &pt));
    assert_string_equal(said(), "1:4: 'k' must not be negative, found '-2'");
    assert_false(fo_read_mm(&diags, value("0x10"), "k", FO_READ_NONNEG, &pt));
    assert_string_equal(said(), "1:4: 'k' must be a number, found '0x10'");
}

static void test_int(void **state)
{
    (void)state;
    int n = -7;
    assert_true(fo_read_int(&diags, value("2025"), "k", 1000, 9999, &n));
    assert_int_equal(n, 2025);
    assert_true(fo_read_int(&diags, value("+3"), "k", 0, 9, &n));
    assert_int_equal(n, 3);
    assert_true(fo_read_int(&diags, value("-3"), "k", -5, 9, &n));
    assert_int_equal(n, -3);
    const char *refused[] = {"2.0", "1.5", "0x10", "1e3", "inf", "~", "\"5\""};
    const char *shown[] = {"'2.0'", "'1.5'",          "'0x10'",       "'1e3'",
                           "'inf'", "an empty value", "'5' in quotes"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_false(fo_read_int(&diags, value(refused[i]), "k", 0, 9, &n));
        char want[128];
        (void)snprintf(want, sizeof want,
                       "1:4: 'k' must be a whole number from 0 to 9, found %s",
                       shown[i]);
        assert_string_equal(said(), want);
    }
    assert_false(fo_read_int(&diags, value("10"), "k", 0, 9, &n));
    assert_string_equal(said(),
                        "1:4: 'k' must be a whole number from 0 to 9, found "
                        "'10'");
    assert_false(fo_read_int(&diags, value("99999999999"), "k", 0, 9, &n));
    assert_string_equal(said(),
                        "1:4: 'k' must be a whole number from 0 to 9, found "
                        "'99999999999'");
    /* no upper bound worth saying */
    assert_false(fo_read_int(&diags, value("0"), "k", 1, FO_READ_INT_MAX, &n));
    assert_string_equal(
        said(), "1:4: 'k' must be a whole number of at least 1, found '0'");
    assert_false(
        fo_read_int(&diags, value("2000000"), "k", 1, FO_READ_INT_MAX, &n));
    assert_string_equal(said(),
                        "1:4: 'k' must be a whole number from 1 to 1000000, "
                        "found '2000000'");
    assert_int_equal(n, -3);
}

static void test_bool(void **state)
{
    (void)state;
    const char *yes[] = {"true", "True", "TRUE"};
    const char *no[] = {"false", "False", "FALSE"};
    for (int i = 0; i < 3; i++) {
        int b = -1;
        assert_true(fo_read_bool(&diags, value(yes[i]), "k", &b));
        assert_int_equal(b, 1);
        assert_true(fo_read_bool(&diags, value(no[i]), "k", &b));
        assert_int_equal(b, 0);
    }
    const char *refused[] = {"yes", "no", "on", "1", "tRUE", "\"true\""};
    const char *shown[] = {"'yes'", "'no'",   "'on'",
                           "'1'",   "'tRUE'", "'true' in quotes"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int b = -1;
        assert_false(fo_read_bool(&diags, value(refused[i]), "k", &b));
        assert_int_equal(b, -1);
        char want[128];
        (void)snprintf(want, sizeof want,
                       "1:4: 'k' must be true or false, found %s", shown[i]);
        assert_string_equal(said(), want);
    }
}

static void test_text(void **state)
{
    (void)state;
    const char *s = NULL;
    assert_true(fo_read_text(&diags, value("Noto Serif"), "k", &s));
    assert_string_equal(s, "Noto Serif");
    assert_true(fo_read_text(&diags, value("\"12\""), "k", &s));
    assert_string_equal(s, "12");
    assert_false(fo_read_text(&diags, value("\"\""), "k", &s));
    assert_string_equal(said(), "1:4: 'k' must be a string, found ''");
    assert_false(fo_read_text(&diags, value("[a]"), "k", &s));
    assert_string_equal(said(), "1:4: 'k' must be a string, found a sequence");
    assert_false(fo_read_text(&diags, value("\"a\\0b\""), "k", &s));
    assert_string_equal(said(), "1:4: 'k' must be a string, found 'a'");
}

static void test_path(void **state)
{
    (void)state;
    const char *s = NULL;
    assert_true(fo_read_path(&diags, value("images/a.jpg"), "k", &s));
    assert_string_equal(s, "images/a.jpg");
    assert_false(fo_read_path(&diags, value("\"a\\0.png\""), "k", &s));
    assert_string_equal(said(),
                        "1:4: 'k': a path cannot contain the NUL character");
    assert_false(fo_read_path(&diags, value("{a: 1}"), "k", &s));
    assert_string_equal(said(),
                        "1:4: 'k' must be a file path, found a mapping");
    assert_false(fo_read_path(&diags, value("~"), "k", &s));
    assert_string_equal(said(),
                        "1:4: 'k' must be a file path, found an empty value");
}

static void test_enum(void **state)
{
    (void)state;
    static const char *const one[] = {"left", NULL};
    static const char *const two[] = {"page", "column", NULL};
    static const char *const four[] = {"justify", "left", "center", "right",
                                       NULL};
    assert_int_equal(fo_read_enum(&diags, value("center"), "k", four), 2);
    assert_int_equal(fo_read_enum(&diags, value("\"left\""), "k", four), 1);
    assert_int_equal(fo_read_enum(&diags, value("centre"), "k", four), -1);
    assert_string_equal(said(),
                        "1:4: 'k' must be justify, left, center or right, not "
                        "'centre' — did you mean 'center'?");
    assert_int_equal(fo_read_enum(&diags, value("section"), "k", two), -1);
    assert_string_equal(said(),
                        "1:4: 'k' must be page or column, not 'section'");
    assert_int_equal(fo_read_enum(&diags, value("Left"), "k", one), -1);
    assert_string_equal(said(),
                        "1:4: 'k' must be left, not 'Left' — did you mean "
                        "'left'?");
    assert_int_equal(fo_read_enum(&diags, value("[page]"), "k", two), -1);
    assert_string_equal(said(),
                        "1:4: 'k' must be page or column, found a sequence");
}

static void test_color(void **state)
{
    (void)state;
    fo_color c = {0};
    assert_true(fo_read_color(
        &diags, value("{ cmyk: [0, 90, 85, 30], rgb: [70, 7, 10] }"), "brand",
        &c));
    assert_true(c.m == 0.9 && c.k == 0.3 && c.r == 0.7 && c.b == 0.1);
    assert_int_equal(c.rgb_only, 0);
    assert_true(
        fo_read_color(&diags, value("{ rgb: \"#ff0000\" }"), "red", &c));
    assert_true(c.r == 1 && c.g == 0 && c.k == 0 && c.m == 1 && c.y == 1);
    assert_int_equal(c.rgb_only, 1);
    assert_true(
        fo_read_color(&diags, value("{ cmyk: [0, 0, 0, 50] }"), "g", &c));
    assert_true(c.r == 0.5 && c.g == 0.5 && c.b == 0.5);
    assert_string_equal(said(), "");
    assert_false(
        fo_read_color(&diags, value("{ cmyk: [0x10, 0, 0, 0] }"), "x", &c));
    assert_string_equal(said(), "1:12: 'cmyk' must be 4 numbers from 0 to 100 "
                                "(percent), such as [0, 90, 85, 30]");
    assert_false(fo_read_color(&diags, value("{ rgb: [1, 2, inf] }"), "x", &c));
    assert_string_equal(said(),
                        "1:11: 'rgb' must be \"#rrggbb\" or 3 numbers from 0 "
                        "to 100 (percent), found a sequence");
    assert_false(fo_read_color(&diags, value("{}"), "x", &c));
    assert_string_equal(said(), "1:4: swatch 'x' needs 'cmyk', 'rgb' or both");
    assert_false(fo_read_color(&diags, value("red"), "x", &c));
    assert_string_equal(said(),
                        "1:4: swatch 'x' must be a mapping, found 'red'");
    assert_false(
        fo_read_color(&diags, value("{ cymk: [0, 0, 0, 0] }"), "x", &c));
    assert_string_equal(said(), "1:6: unknown key 'cymk' in swatch 'x' — did "
                                "you mean 'cmyk'?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_color, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
