/* Unit tests for campaign tagging (model.h fo_campaign_tag): the default
 * parameters, a URL's own query extended with '&' and its fragment kept
 * last, a parameter the URL already has kept as written, values
 * percent-encoded, an empty value left out, and URLs that are not tagged
 * (no campaign, mailto:). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/model.h"

#include <string.h>

static const fo_campaign_param defaults[] = {{"utm_source", "{slug}"},
                                             {"utm_medium", "{channel}"},
                                             {"utm_campaign", "{year}"},
                                             {"utm_content", "{edition}"}};

static fo_pub pub_with(const fo_campaign_param *p, int n, int year)
{
    fo_pub pub = {.slug = "nam-dinh", .year = year, .neditions = 2};
    pub.editions[0] = "vi";
    pub.editions[1] = "en";
    pub.campaign = (fo_campaign){1, p, n};
    return pub;
}

static void expect_tag(const fo_pub *pub, int ed, const char *ch,
                       const char *url, const char *want)
{
    fo_arena *a = fo_arena_new();
    assert_string_equal(fo_campaign_tag(pub, ed, ch, url, a), want);
    fo_arena_free(a);
}

static void test_defaults(void **state)
{
    (void)state;
    fo_pub pub = pub_with(defaults, 4, 2026);
    expect_tag(&pub, 1, "print", "https://namdinh.gov.vn/en",
               "https://namdinh.gov.vn/en?utm_source=nam-dinh&utm_medium="
               "print&utm_campaign=2026&utm_content=en");
    expect_tag(&pub, 0, "pdf", "http://a.vn",
               "http://a.vn?utm_source=nam-dinh&utm_medium=pdf&utm_campaign="
               "2026&utm_content=vi");
}

static void test_query_and_fragment(void **state)
{
    (void)state;
    static const fo_campaign_param one[] = {{"utm_source", "{slug}"}};
    fo_pub pub = pub_with(one, 1, 0);
    expect_tag(&pub, 0, "pdf", "https://a.vn/p?x=1#top",
               "https://a.vn/p?x=1&utm_source=nam-dinh#top");
    expect_tag(&pub, 0, "pdf", "https://a.vn/p#top",
               "https://a.vn/p?utm_source=nam-dinh#top");
    /* an empty query and one ending in '&' take no extra separator */
    expect_tag(&pub, 0, "pdf", "https://a.vn/p?",
               "https://a.vn/p?utm_source=nam-dinh");
    expect_tag(&pub, 0, "pdf", "https://a.vn/p?x=1&",
               "https://a.vn/p?x=1&utm_source=nam-dinh");
    /* a '?' inside the fragment is the fragment's */
    expect_tag(&pub, 0, "pdf", "https://a.vn/#a?b",
               "https://a.vn/?utm_source=nam-dinh#a?b");
    /* the URL's own value wins; a longer name is another parameter */
    expect_tag(&pub, 0, "pdf", "https://a.vn/?utm_source=poster",
               "https://a.vn/?utm_source=poster");
    expect_tag(&pub, 0, "pdf", "https://a.vn/?utm_source_x=1",
               "https://a.vn/?utm_source_x=1&utm_source=nam-dinh");
}

static void test_encoding_and_empty(void **state)
{
    (void)state;
    static const fo_campaign_param p[] = {{"utm_term", "lễ hội & {year}/#"},
                                          {"utm_campaign", "{year}"},
                                          {"c", "{edition}-{channel}"}};
    fo_pub pub = pub_with(p, 3, 0);
    /* no year: {year} is empty and utm_campaign is left out */
    expect_tag(&pub, 1, "print", "https://a.vn",
               "https://a.vn?utm_term=l%E1%BB%85%20h%E1%BB%99i%20%26%20%2F%23"
               "&c=en-print");
}

static void test_untagged(void **state)
{
    (void)state;
    fo_pub pub = pub_with(defaults, 4, 2026);
    fo_arena *a = fo_arena_new();
    const char *m = "mailto:info@namdinh.gov.vn";
    assert_ptr_equal(fo_campaign_tag(&pub, 0, "pdf", m, a), m);
    pub.campaign.on = 0;
    const char *u = "https://a.vn";
    assert_ptr_equal(fo_campaign_tag(&pub, 0, "pdf", u, a), u);
    fo_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_query_and_fragment),
        cmocka_unit_test(test_encoding_and_empty),
        cmocka_unit_test(test_untagged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
