/* Unit tests for fo_markup_parse: every construct, nesting, escapes,
 * whitespace, NFC, and each error message with its exact position. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static const fo_pos base = {"m.yaml", 3, 10};

typedef struct result {
    fo_arena *a;
    fo_rich r;
    fo_status st;
    char *diags; /* printed diagnostics */
} result;

static result parse_n(const char *src, size_t len)
{
    result res = {.a = fo_arena_new()};
    fo_diags d;
    fo_diags_init(&d);
    res.st = fo_markup_parse(src, len, base, res.a, &d, &res.r);
    size_t n = 0;
    FILE *fp = open_memstream(&res.diags, &n);
    fo_diags_print(&d, fp);
    (void)fclose(fp);
    fo_diags_free(&d);
    return res;
}

static result parse(const char *src)
{
    return parse_n(src, strlen(src));
}

static void done(result *res)
{
    fo_arena_free(res->a);
    free(res->diags);
}

/* src parses without error to text with the given number of spans. */
static result ok(const char *src, const char *text, int nspans)
{
    result res = parse(src);
    assert_string_equal(res.diags, "");
    assert_int_equal(res.st, FO_OK);
    assert_string_equal(res.r.text, text);
    assert_int_equal(res.r.len, strlen(text));
    assert_int_equal(res.r.nspans, nspans);
    return res;
}

static void span_is(const result *res, int i, uint32_t start, uint32_t end,
                    unsigned flags, const char *href)
{
    const fo_span *s = &res->r.spans[i];
    assert_int_equal(s->start, start);
    assert_int_equal(s->end, end);
    assert_int_equal(s->flags, flags);
    if (href)
        assert_string_equal(s->href, href);
    else
        assert_null(s->href);
}

/* src fails with exactly these diagnostics. */
static void fails(const char *src, const char *expected)
{
    result res = parse(src);
    assert_int_equal(res.st, FO_ERR_INPUT);
    assert_string_equal(res.diags, expected);
    done(&res);
}

static void test_plain(void **state)
{
    (void)state;
    result r = ok("Nam Định", "Nam Định", 0);
    assert_int_equal(r.r.pos.line, 3);
    assert_int_equal(r.r.pos.col, 10);
    done(&r);
    r = ok("", "", 0);
    done(&r);
}

static void test_whitespace(void **state)
{
    (void)state;
    result r = ok("  Một \n\t  đoạn   văn  \n", "Một đoạn văn", 0);
    done(&r);
    r = ok("a **b** c", "a b c", 1);
    span_is(&r, 0, 2, 3, FO_SPAN_BOLD, NULL);
    done(&r);
    /* a space inside a style keeps it; a space after it does not */
    r = ok("**a b** c", "a b c", 1);
    span_is(&r, 0, 0, 3, FO_SPAN_BOLD, NULL);
    done(&r);
}

static void test_bold_italic(void **state)
{
    (void)state;
    result r = ok("**đậm** và *nghiêng*", "đậm và nghiêng", 2);
    span_is(&r, 0, 0, 6, FO_SPAN_BOLD, NULL);
    span_is(&r, 1, 11, 19, FO_SPAN_ITALIC, NULL);
    done(&r);
    r = ok("***cả hai***", "cả hai", 1);
    span_is(&r, 0, 0, 8, FO_SPAN_BOLD | FO_SPAN_ITALIC, NULL);
    done(&r);
    r = ok("**bold *and italic***", "bold and italic", 2);
    span_is(&r, 0, 0, 5, FO_SPAN_BOLD, NULL);
    span_is(&r, 1, 5, 15, FO_SPAN_BOLD | FO_SPAN_ITALIC, NULL);
    done(&r);
    r = ok("***a** b*", "a b", 2);
    span_is(&r, 0, 0, 1, FO_SPAN_BOLD | FO_SPAN_ITALIC, NULL);
    span_is(&r, 1, 1, 3, FO_SPAN_ITALIC, NULL);
    done(&r);
    r = ok("*a **b** c*", "a b c", 3);
    span_is(&r, 0, 0, 2, FO_SPAN_ITALIC, NULL);
    span_is(&r, 1, 2, 3, FO_SPAN_ITALIC | FO_SPAN_BOLD, NULL);
    span_is(&r, 2, 3, 5, FO_SPAN_ITALIC, NULL);
    done(&r);
    /* stars that can neither open nor close are text */
    r = ok("5 * 3 = 15", "5 * 3 = 15", 0);
    done(&r);
}

static void test_link(void **state)
{
    (void)state;
    result r = ok("Xem [trang **tỉnh**](https://namdinh.gov.vn).",
                  "Xem trang tỉnh.", 2);
    span_is(&r, 0, 4, 10, FO_SPAN_LINK, "https://namdinh.gov.vn");
    span_is(&r, 1, 10, 16, FO_SPAN_LINK | FO_SPAN_BOLD,
            "https://namdinh.gov.vn");
    done(&r);
    r = ok("[thư](mailto:a@b.vn) [x](HTTP://a.vn/\\(1\\))", "thư x", 2);
    span_is(&r, 0, 0, 4, FO_SPAN_LINK, "mailto:a@b.vn");
    span_is(&r, 1, 5, 6, FO_SPAN_LINK, "HTTP://a.vn/(1)");
    done(&r);
}

static void test_break_nbsp_super(void **state)
{
    (void)state;
    result r = ok("dòng một <br> dòng hai<br/>ba",
                  "dòng một\u2028dòng hai\u2028ba", 0);
    done(&r);
    r = ok("10~km", "10\u00A0km", 0);
    done(&r);
    r = ok("GRDP^{1} tăng", "GRDP1 tăng", 1);
    span_is(&r, 0, 4, 5, FO_SPAN_SUPER, NULL);
    done(&r);
    r = ok("x^2 và a < b", "x^2 và a < b", 0);
    done(&r);
}

static void test_escapes(void **state)
{
    (void)state;
    result r = ok("\\*a\\* \\[b\\] \\(c\\) \\~ \\<br> \\^{d\\} \\\\ \\x",
                  "*a* [b] (c) ~ <br> ^{d} \\ \\x", 0);
    done(&r);
}

static void test_nfc(void **state)
{
    (void)state;
    result r = ok("e\xcc\xa3\xcc\x82", "\xe1\xbb\x87", 0); /* ệ */
    done(&r);
    r = ok("**Vie\xcc\xa3\xcc\x82t** Nam", "Vi\xe1\xbb\x87t Nam", 1);
    span_is(&r, 0, 0, 6, FO_SPAN_BOLD, NULL);
    done(&r);
    /* marks in either order compose alike (canonical order: dot below,
     * class 220, before circumflex, 230) */
    r = ok("e\xcc\x82\xcc\xa3 a\xcc\x80", "\xe1\xbb\x87 \xc3\xa0", 0);
    done(&r);
    /* NFC, not NFKC: the Angstrom sign becomes Å, the ligature ﬁ stays */
    r = ok("\xe2\x84\xab \xef\xac\x81", "\xc3\x85 \xef\xac\x81", 0);
    done(&r);
    /* a composition exclusion stays decomposed: U+0958 is U+0915 U+093C */
    r = ok("\xe0\xa5\x98", "\xe0\xa4\x95\xe0\xa4\xbc", 0);
    done(&r);
    /* Hangul jamo compose into a syllable (U+1112 U+1161 U+11AB: 한) */
    r = ok("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c", 0);
    done(&r);
    /* NFC text, and text below U+0300, come out as they went in */
    r = ok("Vi\xe1\xbb\x87t \xc3\xa9t\xc3\xa9 \xc2\xab x \xc2\xbb",
           "Vi\xe1\xbb\x87t \xc3\xa9t\xc3\xa9 \xc2\xab x \xc2\xbb", 0);
    done(&r);
}

/* A letter carries at most 30 combining marks (Unicode's stream-safe
 * limit): sorting longer runs of them costs time quadratic in their
 * number. The 31st is reported where it stands. */
static void test_combining_marks(void **state)
{
    (void)state;
    char src[256] = "xy a";
    for (int i = 0; i < 30; i++)
        strcat(src, i % 2 ? "\xcc\x81" : "\xcc\xa3"); /* U+0301, U+0323 */
    result r = parse(src);
    assert_int_equal(r.st, FO_OK);
    done(&r);
    strcat(src, "\xcc\x81");
    fails(src, "m.yaml:3:44: error: more than 30 combining marks in a row\n");
    /* a run ends at a letter: 30 and 30 more are fine */
    strcpy(src, "a");
    for (int i = 0; i < 60; i++)
        strcat(src, i == 30 ? "b\xcc\x81" : "\xcc\x81");
    r = parse(src);
    assert_int_equal(r.st, FO_OK);
    done(&r);
}

static void test_errors_emphasis(void **state)
{
    (void)state;
    fails("a **b", "m.yaml:3:12: error: unclosed '**' (bold)\n");
    fails("a *b", "m.yaml:3:12: error: unclosed '*' (italic)\n");
    fails("***b", "m.yaml:3:10: error: unclosed '***' (bold italic)\n");
    fails("**a *b**", "m.yaml:3:10: error: unclosed '**' (bold)\n");
    fails("a ****b", "m.yaml:3:12: error: too many '*' in a row (write \\* "
                     "for a literal star)\n");
    /* columns count characters, and restart after a newline */
    fails("Đường\n  *mở", "m.yaml:4:12: error: unclosed '*' (italic)\n");
}

static void test_errors_link(void **state)
{
    (void)state;
    fails("[x] y", "m.yaml:3:12: error: a link needs '(URL)' after ']'\n");
    fails("[x", "m.yaml:3:10: error: unclosed '[' (link)\n");
    fails("x] y", "m.yaml:3:11: error: unmatched ']' (write \\] for a "
                  "literal bracket)\n");
    fails("[x]()", "m.yaml:3:13: error: a link's URL is empty\n");
    fails("[](https://a.vn)", "m.yaml:3:10: error: a link's text is empty\n");
    fails("[x](https://a", "m.yaml:3:13: error: a link's URL needs a "
                           "closing ')'\n");
    fails("[x](https://a b)",
          "m.yaml:3:23: error: a link's URL cannot contain spaces\n");
    fails("[x](javascript:alert)",
          "m.yaml:3:14: error: a link's URL scheme 'javascript:' is not "
          "allowed (use http, https or mailto)\n");
    fails("[x](trang.html)", "m.yaml:3:14: error: a link's URL must start "
                             "with http://, https:// or mailto:\n");
    fails("[x](https:)",
          "m.yaml:3:14: error: a link's URL is empty after 'https:'\n");
    fails("[a [b](https://b.vn)](https://a.vn)",
          "m.yaml:3:13: error: a link cannot contain another link\n");
    fails("[a **b](https://a.vn)",
          "m.yaml:3:13: error: unclosed '**' (bold)\n");
}

static void test_errors_other(void **state)
{
    (void)state;
    fails("x^{1", "m.yaml:3:11: error: unclosed '^{' (superscript)\n");
    fails("a}", "m.yaml:3:11: error: unmatched '}' (write \\} for a literal "
                "brace)\n");
    fails("<b>đậm</b>",
          "m.yaml:3:10: error: '<b>' is not markup: the only tag is <br> "
          "(write \\< for a literal '<')\n"
          "m.yaml:3:16: error: '</b>' is not markup: the only tag is <br> "
          "(write \\< for a literal '<')\n");
    fails("ab\xff", "m.yaml:3:12: error: invalid UTF-8 in a text\n");
    result r = parse_n("ab\0c", 4);
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_string_equal(r.diags,
                        "m.yaml:3:12: error: a text cannot contain a NUL "
                        "character\n");
    done(&r);
    /* every error in a text is reported */
    fails("**a [b] ^{c", "m.yaml:3:16: error: a link needs '(URL)' after ']'\n"
                         "m.yaml:3:10: error: unclosed '**' (bold)\n"
                         "m.yaml:3:18: error: unclosed '^{' (superscript)\n");
    /* in the order found, each at its line and column, across lines */
    fails("[a\n**b ]\n} ^{",
          "m.yaml:4:10: error: unclosed '**' (bold)\n"
          "m.yaml:4:14: error: a link needs '(URL)' after ']'\n"
          "m.yaml:5:10: error: unmatched '}' (write \\} for a literal "
          "brace)\n"
          "m.yaml:5:12: error: unclosed '^{' (superscript)\n");
    /* a link inside links is reported once for each '[' within */
    fails("[a [b [c", "m.yaml:3:13: error: a link cannot contain another link\n"
                      "m.yaml:3:16: error: a link cannot contain another link\n"
                      "m.yaml:3:10: error: unclosed '[' (link)\n"
                      "m.yaml:3:13: error: unclosed '[' (link)\n"
                      "m.yaml:3:16: error: unclosed '[' (link)\n");
    /* a tag looked for at most 64 bytes ahead: a longer one is text */
    fails("<b>", "m.yaml:3:10: error: '<b>' is not markup: the only tag is "
                 "<br> (write \\< for a literal '<')\n");
    result r2 = ok("<a                                                        "
                   "           >",
                   "<a >", 0);
    done(&r2);
}

/* French spacing: typed spaces before : ; ! ? » and after « become no-break
 * spaces; spans move with the text; nothing is inserted where the source
 * has no space. */
static void test_french_spacing(void **state)
{
    (void)state;
    result res = ok("Il dit : « **oui** » ; vraiment ? https://x.fr",
                    "Il dit : « oui » ; vraiment ? https://x.fr", 1);
    const fo_rich *fr = fo_rich_french_spacing(&res.r, res.a);
    assert_string_equal(fr->text, "Il dit\u00A0: «\u00A0oui\u202F»\u202F; "
                                  "vraiment\u202F? https://x.fr");
    assert_int_equal(fr->nspans, 1);
    assert_memory_equal(fr->text + fr->spans[0].start, "oui", 3);
    assert_int_equal(fr->spans[0].end - fr->spans[0].start, 3);
    /* Nothing to do: the same text comes back. */
    result plain = ok("Bonjour", "Bonjour", 0);
    assert_ptr_equal(fo_rich_french_spacing(&plain.r, plain.a), &plain.r);
    done(&plain);
    done(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_bold_italic),
        cmocka_unit_test(test_link),
        cmocka_unit_test(test_break_nbsp_super),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_combining_marks),
        cmocka_unit_test(test_errors_emphasis),
        cmocka_unit_test(test_errors_link),
        cmocka_unit_test(test_errors_other),
        cmocka_unit_test(test_french_spacing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
