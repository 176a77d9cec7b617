/* Unit tests for the Vietnamese tone placement rule (model/vi_audit.c,
 * fo_vi_tone_of): only an open syllable with the nucleus oa, oe or uy has
 * two places for its mark; qu and gi are initials; a final consonant, a
 * third vowel, two marks or none leave nothing to choose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "model/vi_audit.h"

static void expect_style(const char *word, int style, const char *other)
{
    char *o = NULL;
    int got = fo_vi_tone_of(word, &o);
    if (got != style || (other && (!o || strcmp(o, other) != 0)) ||
        (!other && o))
        fail_msg("'%s': style %d, other '%s'; wanted %d, '%s'", word, got,
                 o ? o : "(none)", style, other ? other : "(none)");
    g_free(o);
}

static void old_and_new(void **state)
{
    (void)state;
    expect_style("hòa", FO_VI_TONE_OLD, "hoà");
    expect_style("hoà", FO_VI_TONE_NEW, "hòa");
    expect_style("thủy", FO_VI_TONE_OLD, "thuỷ");
    expect_style("thuỷ", FO_VI_TONE_NEW, "thủy");
    expect_style("khỏe", FO_VI_TONE_OLD, "khoẻ");
    expect_style("khoẻ", FO_VI_TONE_NEW, "khỏe");
    expect_style("ủy", FO_VI_TONE_OLD, "uỷ");
    expect_style("họa", FO_VI_TONE_OLD, "hoạ");
    expect_style("tòa", FO_VI_TONE_OLD, "toà");
    expect_style("lũy", FO_VI_TONE_OLD, "luỹ");
    expect_style("xòe", FO_VI_TONE_OLD, "xoè");
}

static void one_place(void **state)
{
    (void)state;
    /* a final consonant: the mark goes on the second vowel either way */
    expect_style("hoàng", 0, NULL);
    expect_style("toán", 0, NULL);
    expect_style("khoảnh", 0, NULL);
    expect_style("huỳnh", 0, NULL);
    /* qu and gi are initials: the nucleus is one vowel */
    expect_style("quý", 0, NULL);
    expect_style("quỹ", 0, NULL);
    expect_style("già", 0, NULL);
    expect_style("gì", 0, NULL);
    /* three vowels, other pairs, no mark, not Vietnamese */
    expect_style("ngoài", 0, NULL);
    expect_style("thuyền", 0, NULL);
    expect_style("hóa", FO_VI_TONE_OLD, "hoá");
    expect_style("mùa", 0, NULL);
    expect_style("hoa", 0, NULL);
    expect_style("poésie", 0, NULL);
    expect_style("", 0, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(old_and_new),
        cmocka_unit_test(one_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
