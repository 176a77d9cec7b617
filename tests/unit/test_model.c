/* Unit tests for fo_pub_load: a valid publication with includes, and every
 * error message exactly, all reported in one run. Fixtures are written to
 * a fresh temporary folder (the test runs from there, so that file names
 * in messages are the relative paths a user would type). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model.h"
#include "model/model_private.h"

#include "fixture.h"

static char tmpdir[] = "/tmp/fo-test-model-XXXXXX";
static char oldcwd[PATH_MAX];

typedef struct result {
    fo_pub *pub;
    fo_status st;
    char *diags;
    int errors;
} result;

static result load(const char *path)
{
    result res = {0};
    fo_diags d;
    fo_diags_init(&d);
    res.st = fo_pub_load(path, &d, &res.pub);
    size_t n = 0;
    FILE *fp = open_memstream(&res.diags, &n);
    fo_diags_print(&d, fp);
    (void)fclose(fp);
    res.errors = d.errors;
    fo_diags_free(&d);
    return res;
}

static void done(result *r)
{
    fo_pub_free(r->pub);
    free(r->diags);
}

/* The publication text fails with exactly the expected diagnostics. */
static void fails(const char *text, const char *expected)
{
    put_file("proj/pub.yaml", text);
    result r = load("proj/pub.yaml");
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_null(r.pub);
    assert_string_equal(r.diags, expected);
    done(&r);
}

#define HEAD                                                                   \
    "title: { vi: \"Sách\", en: \"Book\" }\n"                                 \
    "editions: [vi, en]\n"

static int setup(void **state)
{
    (void)state;
    return fixture_enter_tmpdir(tmpdir, oldcwd);
}

static int teardown(void **state)
{
    (void)state;
    return fixture_leave_tmpdir(tmpdir, oldcwd);
}

static void test_valid(void **state)
{
    (void)state;
    put_file("proj/publication.yaml",
             "title: { vi: \"Nam Định — Đất và người\", en: \"Nam Dinh — Land "
             "and People\" }\n"
             "subtitle: \"Niên giám 2025\"\n"
             "year: 2025\n"
             "publisher: { en: \"Department\", vi: \"Sở Thông tin\" }\n"
             "editions: [vi, en]\n"
             "sections:\n"
             "  - include: sections/history.yaml\n"
             "  - include: sections/more.yaml\n"
             "  - title: { vi: \"Đầu tư\", en: \"Investment\" }\n"
             "    blocks:\n"
             "      - p: { vi: \"Có **đậm**\", en: \"With **bold**\" }\n"
             "      - h2: \"Hai\"\n"
             "      - include: ../proj/blocks/more.yaml\n"
             "      - h3: \"Ba\"\n");
    put_file("proj/sections/history.yaml", "title: \"Lịch sử\"\n"
                                           "blocks:\n"
                                           "  - p: \"Xin chào\"\n");
    put_file("proj/sections/more.yaml", "- title: \"Một\"\n  blocks: []\n"
                                        "- include: ../blocks/section.yaml\n");
    put_file("proj/blocks/section.yaml", "title: \"Hai\"\nblocks: []\n");
    put_file("proj/blocks/more.yaml", "- p: \"Thêm\"\n"
                                      "- include: deeper.yaml\n");
    put_file("proj/blocks/deeper.yaml", "- h3: \"Sâu hơn\"\n");

    result r = load("proj/publication.yaml");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    fo_pub *p = r.pub;
    assert_non_null(p);
    assert_string_equal(p->file, "proj/publication.yaml");
    char *real = realpath("proj", NULL);
    assert_string_equal(p->root, real);
    free(real);
    assert_string_equal(p->slug, "proj");
    assert_string_equal(p->template_name, "yearbook");
    assert_int_equal(p->year, 2025);
    assert_int_equal(p->neditions, 2);
    assert_string_equal(p->editions[0], "vi");
    assert_string_equal(p->editions[1], "en");
    assert_int_equal(fo_pub_edition(p, "en"), 1);
    assert_int_equal(fo_pub_edition(p, "fr"), -1);
    assert_string_equal(p->title.ed[0]->text, "Nam Định — Đất và người");
    assert_string_equal(p->title.ed[1]->text, "Nam Dinh — Land and People");
    assert_int_equal(p->title.ed[0]->pos.line, 1);
    assert_int_equal(p->title.ed[0]->pos.col, 15);
    assert_ptr_equal(p->subtitle.ed[0], p->subtitle.ed[1]);
    assert_string_equal(p->publisher.ed[0]->text, "Sở Thông tin");
    assert_string_equal(p->publisher.ed[1]->text, "Department");

    assert_int_equal(p->nsections, 4);
    const fo_section *s = &p->sections[0];
    assert_string_equal(s->title.ed[1]->text, "Lịch sử");
    assert_string_equal(s->pos.file, "proj/sections/history.yaml");
    assert_int_equal(s->nblocks, 1);
    assert_int_equal(s->blocks[0].kind, FO_BLOCK_PARA);
    assert_string_equal(p->sections[1].title.ed[0]->text, "Một");
    assert_int_equal(p->sections[1].nblocks, 0);
    assert_string_equal(p->sections[2].title.ed[0]->text, "Hai");
    assert_string_equal(p->sections[2].pos.file,
                        "proj/sections/../blocks/section.yaml");

    s = &p->sections[3];
    assert_string_equal(s->title.ed[1]->text, "Investment");
    assert_int_equal(s->nblocks, 5);
    assert_int_equal(s->blocks[0].kind, FO_BLOCK_PARA);
    const fo_rich *en = s->blocks[0].text.ed[1];
    assert_string_equal(en->text, "With bold");
    assert_int_equal(en->nspans, 1);
    assert_int_equal(en->spans[0].flags, FO_SPAN_BOLD);
    assert_int_equal(s->blocks[1].kind, FO_BLOCK_HEADING);
    assert_int_equal(s->blocks[1].level, 2);
    assert_string_equal(s->blocks[2].text.ed[0]->text, "Thêm");
    assert_string_equal(s->blocks[2].pos.file, "proj/../proj/blocks/more.yaml");
    assert_int_equal(s->blocks[3].level, 3);
    assert_string_equal(s->blocks[3].text.ed[0]->text, "Sâu hơn");
    assert_string_equal(s->blocks[3].pos.file,
                        "proj/../proj/blocks/deeper.yaml");
    assert_string_equal(s->blocks[4].text.ed[1]->text, "Ba");
    done(&r);
}

static void test_slug_template(void **state)
{
    (void)state;
    put_file("proj/nien-giam.yaml", HEAD "sections:\n"
                                         "  - title: Một\n"
                                         "    blocks: []\n");
    result r = load("proj/nien-giam.yaml");
    assert_int_equal(r.st, FO_OK);
    assert_string_equal(r.pub->slug, "nien-giam");
    assert_int_equal(r.pub->year, 0);
    assert_null(r.pub->subtitle.ed[0]);
    done(&r);
    put_file("proj/pub.yaml", HEAD "slug: nam-dinh-2025\n"
                                   "template: booklet\n"
                                   "sections:\n"
                                   "  - title: Một\n"
                                   "    blocks: []\n");
    r = load("proj/pub.yaml");
    assert_int_equal(r.st, FO_OK);
    assert_string_equal(r.pub->slug, "nam-dinh-2025");
    assert_string_equal(r.pub->template_name, "booklet");
    done(&r);
    fails(HEAD "slug: ../x\nsections: [{title: a, blocks: []}]\n",
          "proj/pub.yaml:3:7: error: 'slug' must be a file name stem: "
          "letters, digits, '-', '_' and '.'\n");
}

static void test_unknown_keys(void **state)
{
    (void)state;
    fails(HEAD "subtitel: x\n"
               "colour: red\n"
               "sections:\n"
               "  - titel: Một\n"
               "    blocks:\n"
               "      - p: x\n"
               "      - h4: y\n"
               "      - chart: z\n"
               "  - title: Hai\n"
               "    blocks: []\n"
               "    foo: 1\n",
          "proj/pub.yaml:3:1: error: unknown key 'subtitel' in the "
          "publication — did you mean 'subtitle'?\n"
          "proj/pub.yaml:4:1: error: unknown key 'colour' in the publication "
          "(expected one of: title, short_title, subtitle, year, publisher, "
          "keywords, slug, template, profiles, styles, languages, cover, "
          "back_cover, contents, campaign, editions, sections, hyphenation, "
          "vi_tone_style)\n"
          "proj/pub.yaml:6:5: error: unknown key 'titel' in a section — did "
          "you mean 'title'?\n"
          "proj/pub.yaml:9:9: error: unknown key 'h4' in a block — did you "
          "mean 'h2'?\n"
          "proj/pub.yaml:10:9: error: unknown key 'chart' in a block "
          "(expected one of: p, h2, h3, figure, facts, table, quote, list, "
          "break, qr, include)\n"
          "proj/pub.yaml:13:5: error: unknown key 'foo' in a section "
          "(expected one of: title, blocks, include)\n");
}

static void test_translations(void **state)
{
    (void)state;
    fails(HEAD "subtitle: { vi: \"Phụ đề\" }\n"
               "publisher: { vi: a, en: b, fr: c }\n"
               "sections:\n"
               "  - title: { vi: Một, en: [One] }\n"
               "    blocks:\n"
               "      - p: { vi: \"\", en: x }\n"
               "      - h2: {}\n",
          "proj/pub.yaml:3:11: error: missing 'en' text (editions: vi, en)\n"
          "proj/pub.yaml:4:28: error: 'fr' is not an edition of this "
          "publication (editions: vi, en)\n"
          "proj/pub.yaml:6:27: error: the 'en' text must be a string, found "
          "a sequence\n"
          "proj/pub.yaml:6:12: error: missing 'en' text (editions: vi, en)\n"
          "proj/pub.yaml:8:18: error: the 'vi' text is empty\n"
          "proj/pub.yaml:9:13: error: missing 'vi' text (editions: vi, en)\n"
          "proj/pub.yaml:9:13: error: missing 'en' text (editions: vi, en)\n");
}

static void test_wrong_types(void **state)
{
    (void)state;
    fails("title: [Sách, Book]\n"
          "year: \"2025\"\n"
          "editions: vi\n"
          "sections:\n"
          "  title: Một\n",
          "proj/pub.yaml:1:8: error: expected a text (a string, or a mapping "
          "of edition to string), found a sequence\n"
          "proj/pub.yaml:2:7: error: 'year' must be a whole number from 1000 "
          "to 9999, found '2025' in quotes\n"
          "proj/pub.yaml:3:11: error: 'editions' must be a sequence of "
          "language tags such as [vi, en], found a string\n"
          "proj/pub.yaml:5:3: error: 'sections' must be a sequence of "
          "sections, found a mapping\n");
    fails(HEAD "year: 99999\n"
               "template: [a]\n"
               "sections:\n"
               "  - Một\n"
               "  - title:\n"
               "    blocks: {p: x}\n"
               "  - title: Ba\n"
               "    blocks:\n"
               "      - just text\n"
               "      - {}\n"
               "      - {p: a, h2: b}\n",
          "proj/pub.yaml:3:7: error: 'year' must be a whole number from 1000 "
          "to 9999, found '99999'\n"
          "proj/pub.yaml:4:11: error: 'template' must be a file path, found a "
          "sequence\n"
          "proj/pub.yaml:6:5: error: expected a section (a mapping with "
          "title and blocks), found a string\n"
          "proj/pub.yaml:7:11: error: expected a text (a string, or a "
          "mapping of edition to string), found an empty value\n"
          "proj/pub.yaml:8:13: error: 'blocks' must be a sequence of blocks, "
          "found a mapping\n"
          "proj/pub.yaml:11:9: error: expected a block (a mapping with one "
          "key: p, h2, h3, figure, facts, table, quote, list, break, qr or "
          "include), found a string\n"
          "proj/pub.yaml:12:9: error: a block has one key, one of: p, h2, "
          "h3, figure, facts, table, quote, list, break, qr, include\n"
          "proj/pub.yaml:13:16: error: a block has one key, one of: p, h2, "
          "h3, figure, facts, table, quote, list, break, qr, include\n");
    fails("- a\n", "proj/pub.yaml:1:1: error: a publication is a mapping "
                   "(title, editions, sections, …), found a sequence\n");
}

static void test_required_and_editions(void **state)
{
    (void)state;
    fails("year: 2025\n", "proj/pub.yaml:1:1: error: missing 'title' in the "
                          "publication\n"
                          "proj/pub.yaml:1:1: error: missing 'editions' in "
                          "the publication\n"
                          "proj/pub.yaml:1:1: error: missing 'sections' in "
                          "the publication\n");
    fails(HEAD "sections: []\n", "proj/pub.yaml:3:11: error: 'sections' must "
                                 "list at least one section\n");
    fails("title: Sách\n"
          "sections:\n"
          "  - title: { vi: a, en: b }\n"
          "    blocks: []\n"
          "editions: [vi, EN, vi, zh-Hant, [x]]\n",
          "proj/pub.yaml:5:16: error: 'EN' is not a language tag (such as "
          "vi, en or zh-Hant)\n"
          "proj/pub.yaml:5:20: error: duplicate edition 'vi' (first at "
          "5:12)\n"
          "proj/pub.yaml:5:33: error: expected a language tag, found a "
          "sequence\n");
    fails("title: a\neditions: []\nsections: [{title: a, blocks: []}]\n",
          "proj/pub.yaml:2:11: error: 'editions' must list at least one "
          "edition\n");
}

static void test_includes(void **state)
{
    (void)state;
    put_file("outside.yaml", "title: x\nblocks: []\n");
    put_file("proj/sections/bad.yaml", "title: { vi: Hai, en: Two, de: "
                                       "Zwei }\n"
                                       "blocks:\n"
                                       "  - include: ../blocks/map.yaml\n");
    put_file("proj/blocks/map.yaml", "p: x\n");
    put_file("proj/sections/syntax.yaml", "title: [\n");
    fails(HEAD "sections:\n"
               "  - include: sections/khong-co.yaml\n"
               "  - include: ../outside.yaml\n"
               "  - include: sections/bad.yaml\n"
               "  - include: sections/syntax.yaml\n"
               "  - include: [x]\n"
               "  - include: sections\n"
               "  - include: pub.yaml\n"
               "  - title: a\n"
               "    include: sections/bad.yaml\n",
          "proj/pub.yaml:4:14: error: cannot include "
          "'sections/khong-co.yaml': no such file (looked for "
          "'sections/khong-co.yaml' in the project)\n"
          "proj/pub.yaml:5:14: error: cannot include '../outside.yaml': "
          "outside the project folder\n"
          "proj/sections/bad.yaml:1:28: error: 'de' is not an edition of "
          "this publication (editions: vi, en)\n"
          "proj/sections/../blocks/map.yaml:1:1: error: an included blocks "
          "file holds a sequence of blocks, found a mapping\n"
          "proj/sections/syntax.yaml:2:1: error: did not find expected node "
          "content while parsing a flow node\n"
          "proj/pub.yaml:8:14: error: 'include' must be a file path, found a "
          "sequence\n"
          "proj/pub.yaml:9:14: error: cannot include 'sections': not a "
          "regular file\n"
          "proj/pub.yaml:10:14: error: include cycle: proj/pub.yaml → "
          "proj/pub.yaml\n"
          "proj/pub.yaml:11:5: error: a section either includes a file or "
          "has a title and blocks, not both\n");
}

static void test_include_cycle_and_depth(void **state)
{
    (void)state;
    put_file("proj/a.yaml", "- title: A\n  blocks:\n    - include: "
                            "b/b.yaml\n");
    put_file("proj/b/b.yaml", "- include: ../a.yaml\n");
    fails(HEAD "sections:\n  - include: a.yaml\n",
          "proj/b/b.yaml:1:12: error: include cycle: proj/a.yaml → "
          "proj/b/b.yaml → proj/b/../a.yaml\n");

    /* d0 includes d1 … includes d20: 16 levels are fine, the 17th not */
    for (int i = 0; i <= 20; i++) {
        char name[64], text[128];
        (void)snprintf(name, sizeof name, "proj/deep/d%d.yaml", i);
        (void)snprintf(text, sizeof text, "- include: d%d.yaml\n", i + 1);
        put_file(name, text);
    }
    fails(HEAD "sections:\n  - title: a\n    blocks:\n"
               "      - include: deep/d0.yaml\n",
          "proj/deep/d15.yaml:1:12: error: includes are nested more than 16 "
          "deep\n");
}

static void test_markup_and_all_errors(void **state)
{
    (void)state;
    put_file("proj/part.yaml", "- p: \"x *y\"\n- pp: z\n");
    put_file("proj/pub.yaml", HEAD "year: nineteen\n"
                                   "sections:\n"
                                   "  - title: \"**Một\"\n"
                                   "    blocks:\n"
                                   "      - p: |\n"
                                   "          Dòng một.\n"
                                   "          Xem [trang](ftp://x).\n"
                                   "      - include: part.yaml\n"
                                   "  - blocks: []\n");
    result r = load("proj/pub.yaml");
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_null(r.pub);
    assert_string_equal(
        r.diags,
        "proj/pub.yaml:3:7: error: 'year' must be a whole number from 1000 to "
        "9999, found 'nineteen'\n"
        "proj/pub.yaml:5:13: error: unclosed '**' (bold)\n"
        "proj/pub.yaml:9:23: error: a link's URL scheme 'ftp:' is not allowed "
        "(use http, https or mailto)\n"
        "proj/part.yaml:1:9: error: unclosed '*' (italic)\n"
        "proj/part.yaml:2:3: error: unknown key 'pp' in a block — did you "
        "mean 'p'?\n"
        "proj/pub.yaml:11:5: error: missing 'title' in a section\n");
    assert_int_equal(r.errors, 6);
    done(&r);
}

static void test_unreadable(void **state)
{
    (void)state;
    result r = load("proj/khong-co.yaml");
    assert_int_equal(r.st, FO_ERR_IO);
    assert_null(r.pub);
    assert_string_equal(r.diags, "proj/khong-co.yaml: error: cannot read the "
                                 "file: no such file\n");
    done(&r);
    put_file("proj/empty.yaml", "");
    r = load("proj/empty.yaml");
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_string_equal(r.diags, "proj/empty.yaml:1:1: error: the file is "
                                 "empty\n");
    done(&r);
}

/* Absolute path of a file under the source tree's fixtures; caller frees. */
static char *fixture_real(const char *rel)
{
    char path[PATH_MAX];
    (void)snprintf(path, sizeof path, "%s/tests/fixtures/blocks/%s",
                   FO_TEST_SRC, rel);
    char *real = realpath(path, NULL);
    assert_non_null(real);
    return real;
}

static void assert_image(const fo_image_ref *im, const char *src,
                         const char *rel, int line, int col)
{
    char *real = fixture_real(rel);
    assert_string_equal(im->src, src);
    assert_string_equal(im->path, real);
    assert_int_equal(im->pos.line, line);
    assert_int_equal(im->pos.col, col);
    free(real);
}

/* Both editions of t, as "vi|en". */
static void assert_text(const fo_text *t, const char *vi, const char *en)
{
    assert_non_null(t->ed[0]);
    assert_non_null(t->ed[1]);
    assert_string_equal(t->ed[0]->text, vi);
    assert_string_equal(t->ed[1]->text, en);
}

/* tests/fixtures/blocks: every block kind and every publication field. */
static void test_blocks_valid(void **state)
{
    (void)state;
    result r = load(FO_TEST_SRC "/tests/fixtures/blocks/publication.yaml");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    const fo_pub *p = r.pub;
    assert_text(&p->keywords, "Nam Định, du lịch", "Nam Dinh, tourism");
    assert_image(&p->cover_image, "images/COVER.JPEG", "images/COVER.JPEG", 5,
                 17);
    assert_image(&p->logo, "images/logo.png", "images/logo.png", 5, 61);
    assert_true(p->cover_focus_x == 0.5);
    assert_true(p->cover_focus_y == 0.4);
    /* read into style layers: the node trees die with the loading */
    const fo_pub_styles *ps = p->styles;
    assert_non_null(ps);
    assert_true(ps->styles.n > 0);
    assert_int_equal(ps->styles.n, 1);
    assert_string_equal(ps->styles.decls[0].name, "body");
    assert_true(ps->styles.decls[0].set[fo_style_field("size")]);
    assert_false(ps->styles.decls[0].set[fo_style_field("leading")]);
    assert_true(ps->styles.decls[0].v.size == 10.5);
    assert_ptr_equal(ps->styles.decls[0].pos.file, p->file);
    assert_int_equal(ps->nnotes, 0);
    assert_int_equal(p->template_pos.line, 7);
    assert_ptr_equal(p->template_pos.file, p->file);
    assert_int_equal(p->template_pos.col, 11);

    assert_int_equal(p->nsections, 1);
    const fo_section *s = &p->sections[0];
    assert_int_equal(s->nblocks, 11);
    const fo_block *b = s->blocks;

    assert_int_equal(b[0].kind, FO_BLOCK_FIGURE);
    const fo_figure *f = b[0].figure;
    assert_image(&f->image, "images/port.jpg", "images/port.jpg", 12, 16);
    assert_text(&f->caption, "Cảng Hải Thịnh", "Hai Thinh port");
    assert_int_equal(f->caption.ed[0]->nspans, 1);
    assert_text(&f->credit, "Ảnh: Sở VHTTDL", "Ảnh: Sở VHTTDL");
    assert_int_equal(f->span, FO_SPAN_TEXT);
    assert_int_equal(f->fit, FO_FIT_COVER);
    assert_true(f->focus_x == 0.25);
    assert_true(f->focus_y == 1);
    assert_true(fabs(f->height - 60 * 72 / 25.4) < 1e-9);

    f = b[1].figure; /* all defaults; a path that wanders but stays in */
    assert_image(&f->image, "./images/../images/logo.png", "images/logo.png",
                 19, 24);
    assert_null(f->caption.ed[0]);
    assert_null(f->credit.ed[1]);
    assert_int_equal(f->span, FO_SPAN_COLUMN);
    assert_int_equal(f->fit, FO_FIT_CONTAIN);
    assert_true(f->focus_x == 0.5 && f->focus_y == 0.5);
    assert_true(f->height == 0);

    assert_int_equal(b[2].kind, FO_BLOCK_FACTS);
    assert_int_equal(b[2].nfacts, 2);
    assert_text(&b[2].facts[0].value, "8,1 %", "8,1 %");
    assert_text(&b[2].facts[0].label, "Tăng trưởng GRDP", "GRDP growth");
    assert_text(&b[2].facts[1].value, "1.669 km²", "1.669 km²");
    assert_text(&b[2].facts[1].label, "Diện tích", "Area");

    assert_int_equal(b[3].kind, FO_BLOCK_TABLE);
    const fo_table *t = b[3].table;
    assert_text(&t->caption, "Dân số", "Population");
    assert_int_equal(t->zebra, 0);
    assert_int_equal(t->ncols, 3);
    assert_text(&t->cols[0].head, "Chỉ tiêu", "Indicator");
    assert_int_equal(t->cols[0].align, FO_COL_LEFT);
    assert_true(t->cols[0].weight == 0);
    assert_text(&t->cols[1].head, "2023", "2023");
    assert_int_equal(t->cols[1].align, FO_COL_DECIMAL);
    assert_true(t->cols[1].weight == 2);
    assert_int_equal(t->cols[2].align, FO_COL_RIGHT);
    assert_true(t->cols[2].weight == 1.5);
    assert_int_equal(t->nrows, 2);
    static const char *const cells[][2] = {
        {"Dân số", "Population"}, {"1,87", "1,87"}, {"1,88", "1,88"},
        {"GRDP", "GRDP"},         {"92,3", "92,3"}, {"100", "100"}};
    for (size_t i = 0; i < 6; i++)
        assert_text(&t->cells[i], cells[i][0], cells[i][1]);
    assert_int_equal(t->cells[5].ed[0]->spans[0].flags, FO_SPAN_ITALIC);

    assert_int_equal(b[4].kind, FO_BLOCK_QUOTE);
    assert_text(&b[4].quote->text, "Đất học.", "A land of learning.");
    assert_text(&b[4].quote->by, "Ngạn ngữ", "Ngạn ngữ");
    assert_text(&b[5].quote->text, "Không tác giả", "Không tác giả");
    assert_null(b[5].quote->by.ed[0]);

    assert_int_equal(b[6].kind, FO_BLOCK_LIST);
    const fo_list *l = b[6].list;
    assert_int_equal(l->numbered, 0);
    assert_int_equal(l->start, 1);
    assert_int_equal(l->n, 2);
    assert_text(&l->items[0], "Một", "Một");
    assert_text(&l->items[1], "Hai", "Two");
    l = b[7].list;
    assert_int_equal(l->numbered, 1);
    assert_int_equal(l->start, 3);
    assert_int_equal(l->n, 1);
    assert_text(&l->items[0], "Ba", "Ba");

    assert_int_equal(b[8].kind, FO_BLOCK_BREAK);
    assert_int_equal(b[8].brk, FO_BREAK_COLUMN);
    assert_int_equal(b[9].kind, FO_BLOCK_BREAK);
    assert_int_equal(b[9].brk, FO_BREAK_PAGE);

    /* from sections/port.yaml: src relative to that file */
    assert_int_equal(b[10].kind, FO_BLOCK_FIGURE);
    f = b[10].figure;
    assert_image(&f->image, "../images/port.jpg", "images/port.jpg", 2, 10);
    assert_int_equal(f->span, FO_SPAN_PAGE);
    assert_int_equal(f->fit, FO_FIT_COVER);
    assert_true(f->height == 0); /* the page's height, set by the layout */
    done(&r);
}

#define BLOCKS HEAD "sections:\n  - title: a\n    blocks:\n"

static void test_block_errors(void **state)
{
    (void)state;
    put_file("proj/images/a.jpg", "not checked here");
    put_file("outside.png", "x");
    /* images */
    fails(BLOCKS "      - figure: { src: images/x.jpg }\n"
                 "      - figure: { src: ../outside.png }\n"
                 "      - figure: { src: images/x.gif }\n"
                 "      - figure: { src: images }\n"
                 "      - figure: { src: [a.jpg] }\n"
                 "      - figure: { caption: a }\n"
                 "      - figure: images/a.jpg\n",
          "proj/pub.yaml:6:24: error: cannot find image 'images/x.jpg': no "
          "such file (looked for 'images/x.jpg' in the project)\n"
          "proj/pub.yaml:7:24: error: cannot use image '../outside.png': "
          "outside the project folder\n"
          "proj/pub.yaml:8:24: error: 'images/x.gif' is not a JPEG or PNG "
          "image\n"
          "proj/pub.yaml:9:24: error: 'images' is not a JPEG or PNG image\n"
          "proj/pub.yaml:10:24: error: 'src' must be a file path, found a "
          "sequence\n"
          "proj/pub.yaml:11:17: error: missing 'src' in a figure\n"
          "proj/pub.yaml:12:17: error: a figure is a mapping (src, caption, "
          "credit, span, fit, focus, height, alt), found a string\n");
    /* figure settings */
    fails(BLOCKS "      - figure:\n"
                 "          src: images/a.jpg\n"
                 "          captoin: x\n"
                 "          span: colum\n"
                 "          fit: stretch\n"
                 "          focus: [0.5, 1.5]\n"
                 "          height: 0\n"
                 "          colour: red\n"
                 "      - figure: { src: images/a.jpg, fit: cover, focus: "
                 "[x, -0.1] }\n"
                 "      - figure: { src: images/a.jpg, focus: 0.5, height: "
                 "\"60\" }\n"
                 "      - figure: { src: images/a.jpg, span: [page], height: "
                 "2001 }\n",
          "proj/pub.yaml:8:11: error: unknown key 'captoin' in a figure — "
          "did you mean 'caption'?\n"
          "proj/pub.yaml:9:17: error: 'span' must be column, text or page, "
          "not 'colum' — did you mean 'column'?\n"
          "proj/pub.yaml:10:16: error: 'fit' must be contain or cover, not "
          "'stretch'\n"
          "proj/pub.yaml:11:24: error: 'focus' must be between 0 and 1, found "
          "'1.5'\n"
          "proj/pub.yaml:12:19: error: 'height' must be greater than 0 and at "
          "most 2000, found '0'\n"
          "proj/pub.yaml:13:11: error: unknown key 'colour' in a figure "
          "(expected one of: src, caption, credit, span, fit, focus, "
          "height, alt)\n"
          "proj/pub.yaml:14:58: error: 'focus' must be a number, found 'x'\n"
          "proj/pub.yaml:14:61: error: 'focus' must be between 0 and 1, found "
          "'-0.1'\n"
          "proj/pub.yaml:14:43: error: a figure with 'fit: cover' needs a "
          "'height' (or 'span: page')\n"
          "proj/pub.yaml:15:45: error: 'focus' must be [x, y], two numbers "
          "from 0 to 1\n"
          "proj/pub.yaml:15:58: error: 'height' must be a number, found '60' "
          "in quotes\n"
          "proj/pub.yaml:16:44: error: 'span' must be column, text or page, "
          "found a sequence\n"
          "proj/pub.yaml:16:60: error: 'height' must be greater than 0 and at "
          "most 2000, found '2001'\n");
    /* tables */
    fails(
        BLOCKS "      - table:\n"
               "          columns: [{head: a}, {head: b, align: middle}, "
               "{head: c, weight: 0}, {align: left}]\n"
               "          rows:\n"
               "            - [x, y, z, w]\n"
               "            - [x, y, z]\n"
               "            - [x]\n"
               "            - x\n"
               "            - [x, y, z, [w]]\n"
               "          zebra: yes\n"
               "      - table: { rows: [[a]], columns: [] }\n"
               "      - table: { columns: [{head: a}], rows: [], heads: 1 "
               "}\n"
               "      - table: { columns: x }\n"
               "      - table: { columns: [{head: a}], rows: [[b]], size: 3, "
               "span: page }\n"
               "      - table: { columns: [{head: a}], rows: [[b]], size: 80, "
               "span: [text] }\n",
        "proj/pub.yaml:7:49: error: 'align' must be left, right, center or "
        "decimal, not 'middle'\n"
        "proj/pub.yaml:7:76: error: 'weight' must be greater than 0, found "
        "'0'\n"
        "proj/pub.yaml:7:80: error: missing 'head' in a table column\n"
        "proj/pub.yaml:10:15: error: a row has 3 cells, the table has 4 "
        "columns\n"
        "proj/pub.yaml:11:15: error: a row has 1 cell, the table has 4 "
        "columns\n"
        "proj/pub.yaml:12:15: error: a table row is a sequence of cells, "
        "found a string\n"
        "proj/pub.yaml:13:25: error: expected a text (a string, or a "
        "mapping of edition to string), found a sequence\n"
        "proj/pub.yaml:14:18: error: 'zebra' must be true or false, found "
        "'yes'\n"
        "proj/pub.yaml:15:40: error: a table needs at least one column\n"
        "proj/pub.yaml:16:46: error: a table needs at least one row\n"
        "proj/pub.yaml:16:50: error: unknown key 'heads' in a table (expected "
        "one of: caption, zebra, columns, rows, size, span)\n"
        "proj/pub.yaml:17:16: error: missing 'rows' in a table\n"
        "proj/pub.yaml:17:27: error: 'columns' must be a sequence of "
        "columns, found a string\n"
        "proj/pub.yaml:18:59: error: 'size' must be between 4 and 72, found "
        "'3'\n"
        "proj/pub.yaml:18:68: error: 'span' must be column or text, not "
        "'page'\n"
        "proj/pub.yaml:19:59: error: 'size' must be between 4 and 72, found "
        "'80'\n"
        "proj/pub.yaml:19:69: error: 'span' must be column or text, found a "
        "sequence\n");
    /* facts, quotes, lists, breaks */
    fails(BLOCKS "      - facts: []\n"
                 "      - facts: {value: 1}\n"
                 "      - facts: [{value: 1}, {value: 2, label: a, lable: b}, "
                 "x]\n"
                 "      - facts: [{value: 1, label: a}, {value: 1, label: a}, "
                 "{value: 1, label: a}, {value: 1, label: a}, {value: 1, "
                 "label: a}, {value: 1, label: a}, {value: 1, label: a}, "
                 "{value: 1, label: a}, {value: 1, label: a}, {value: 1, "
                 "label: a}, {value: 1, label: a}, {value: 1, label: a}, "
                 "{value: 1, label: a}]\n"
                 "      - quote: { by: x }\n"
                 "      - quote: \"Đất học\"\n"
                 "      - list: { items: [], numbered: 1 }\n"
                 "      - list: { items: a, start: 1.5 }\n"
                 "      - list: [a]\n"
                 "      - break: section\n"
                 "      - break: colum\n",
          "proj/pub.yaml:6:16: error: a facts block needs at least one fact\n"
          "proj/pub.yaml:7:16: error: 'facts' must be a sequence of facts, "
          "found a mapping\n"
          "proj/pub.yaml:8:17: error: missing 'label' in a fact\n"
          "proj/pub.yaml:8:50: error: unknown key 'lable' in a fact — did "
          "you mean 'label'?\n"
          "proj/pub.yaml:8:61: error: a fact is a mapping (value, label), "
          "found a string\n"
          "proj/pub.yaml:9:281: error: a facts block holds at most 12 facts\n"
          "proj/pub.yaml:10:16: error: missing 'text' in a quote\n"
          "proj/pub.yaml:11:16: error: a quote is a mapping (text, by), found "
          "a string\n"
          "proj/pub.yaml:12:24: error: a list needs at least one item\n"
          "proj/pub.yaml:12:38: error: 'numbered' must be true or false, "
          "found '1'\n"
          "proj/pub.yaml:13:24: error: 'items' must be a sequence of texts, "
          "found a string\n"
          "proj/pub.yaml:13:34: error: 'start' must be a whole number from 0 "
          "to 9999, found '1.5'\n"
          "proj/pub.yaml:14:15: error: a list is a mapping (items, numbered, "
          "start), found a sequence\n"
          "proj/pub.yaml:15:16: error: 'break' must be page or column, not "
          "'section'\n"
          "proj/pub.yaml:16:16: error: 'break' must be page or column, not "
          "'colum' — did you mean 'column'?\n");
}

static void test_pub_fields_errors(void **state)
{
    (void)state;
    put_file("proj/images/a.jpg", "x");
    fails(HEAD "keywords: [a]\n"
               "cover: { image: images/b.jpg, logo: logo.svg, focus: [1], "
               "crop: 1 }\n"
               "styles: [body]\n"
               "languages: en\n"
               "sections: [{title: a, blocks: []}]\n",
          "proj/pub.yaml:3:11: error: expected a text (a string, or a mapping "
          "of edition to string), found a sequence\n"
          "proj/pub.yaml:4:17: error: cannot find image 'images/b.jpg': no "
          "such file (looked for 'images/b.jpg' in the project)\n"
          "proj/pub.yaml:4:37: error: 'logo.svg' is not a JPEG or PNG image\n"
          "proj/pub.yaml:4:54: error: 'focus' must be [x, y], two numbers "
          "from 0 to 1\n"
          "proj/pub.yaml:4:59: error: unknown key 'crop' in the cover "
          "(expected one of: image, focus, logo)\n"
          "proj/pub.yaml:5:9: error: 'styles' must be a mapping of style "
          "names to settings, found a sequence\n"
          "proj/pub.yaml:6:12: error: 'languages' must be a mapping of "
          "language tags to settings, found a string\n");
    fails(HEAD "cover: images/a.jpg\n"
               "sections: [{title: a, blocks: []}]\n",
          "proj/pub.yaml:3:8: error: the cover is a mapping (image, focus, "
          "logo), found a string\n");
    put_file("proj/pub.yaml", HEAD "cover: { logo: images/a.jpg }\n"
                                   "sections: [{title: a, blocks: []}]\n");
    result r = load("proj/pub.yaml");
    assert_int_equal(r.st, FO_OK);
    assert_null(r.pub->cover_image.path);
    assert_non_null(r.pub->logo.path);
    assert_true(r.pub->cover_focus_x == 0.5 && r.pub->cover_focus_y == 0.5);
    assert_null(r.pub->styles);
    assert_null(r.pub->keywords.ed[0]);
    done(&r);
}

static void test_helpers(void **state)
{
    (void)state;
    assert_int_equal(fo_model_edit_distance("captoin", "caption"), 1);
    assert_int_equal(fo_model_edit_distance("titel", "title"), 1);
    assert_int_equal(fo_model_edit_distance("foo", "title"), 5);
    assert_int_equal(fo_model_edit_distance("", "p"), 1);
    assert_true(fo_model_is_lang_tag("vi"));
    assert_true(fo_model_is_lang_tag("zh-Hant"));
    assert_true(fo_model_is_lang_tag("sr-Latn-RS"));
    assert_false(fo_model_is_lang_tag("v"));
    assert_false(fo_model_is_lang_tag("viet"));
    assert_false(fo_model_is_lang_tag("EN"));
    assert_false(fo_model_is_lang_tag("zh-"));
    assert_false(fo_model_is_lang_tag("zh_Hant"));
    assert_true(fo_model_is_slug("nam-dinh_2025.v2", 16));
    assert_false(fo_model_is_slug("a/b", 3));
    assert_false(fo_model_is_slug(".hidden", 7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_slug_template),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_translations),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_required_and_editions),
        cmocka_unit_test(test_includes),
        cmocka_unit_test(test_include_cycle_and_depth),
        cmocka_unit_test(test_markup_and_all_errors),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_blocks_valid),
        cmocka_unit_test(test_block_errors),
        cmocka_unit_test(test_pub_fields_errors),
        cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
