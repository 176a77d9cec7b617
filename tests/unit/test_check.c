/* Unit tests for the preflight (pipeline/check): each rule fails on a
 * hand-made display list that breaks it, with its exact message, and a
 * sound page passes; then every example, in every edition and profile,
 * laid out and checked, has no error. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include <jpeglib.h>

#include "check/check.h"
#include "typeset/typeset.h"

/* ---- a hand-made publication: one section, a paragraph and a figure -- */

static fo_rich para_text = {"Hello world",      11,  NULL, 0,
                            {"pub.yaml", 5, 7}, NULL};
static fo_rich title_text = {"Intro", 5, NULL, 0, {"pub.yaml", 3, 10}, NULL};
static fo_figure fig = {{"a.jpg", "/p/a.jpg", {"pub.yaml", 8, 12}},
                        FO_SPAN_COLUMN,
                        FO_FIT_CONTAIN,
                        0.5,
                        0.5,
                        0,
                        {{NULL}},
                        {{NULL}},
                        {{NULL}}};

typedef struct hand {
    fo_pub pub;
    fo_section sec;
    fo_block blocks[2]; /* 0: the paragraph, 1: the figure */
    fo_template t;
    fo_swatch sw[2];
    fo_dl_doc *doc;
    fo_dl_page *pg;
    fo_diags d;
} hand;

static const fo_color BLACK = {0, 0, 0, 1, 0, 0, 0, 0};

static void hand_init(hand *h)
{
    memset(h, 0, sizeof *h);
    h->blocks[0] = (fo_block){.kind = FO_BLOCK_PARA, .pos = {"pub.yaml", 5, 3}};
    h->blocks[0].text.ed[0] = &para_text;
    h->blocks[1] =
        (fo_block){.kind = FO_BLOCK_FIGURE, .pos = {"pub.yaml", 8, 3}};
    h->blocks[1].figure = &fig;
    h->sec.pos = (fo_pos){"pub.yaml", 3, 3};
    h->sec.title.ed[0] = &title_text;
    h->sec.blocks = h->blocks;
    h->sec.nblocks = 2;
    h->pub.file = "pub.yaml";
    h->pub.template_pos = (fo_pos){"pub.yaml", 1, 11};
    h->pub.neditions = 1;
    h->pub.editions[0] = "en";
    h->pub.sections = &h->sec;
    h->pub.nsections = 1;
    h->sw[0] = (fo_swatch){"black", BLACK};
    h->sw[1] = (fo_swatch){"screen-red", {0, 1, 1, 0, 1, 0, 0, 1}};
    h->t.name = "hand";
    h->t.swatches = h->sw;
    h->t.nswatches = 2;
    h->doc = fo_dl_doc_new();
    fo_image_info info = {.width = 600,
                          .height = 600,
                          .shown_w = 600,
                          .shown_h = 600,
                          .components = 3};
    assert_int_equal(fo_dl_doc_image(h->doc, "/p/a.jpg", &info), 0);
    h->pg = fo_dl_doc_add_page(h->doc, 200, 300);
    fo_dl_page_add_frame(h->pg, FO_DL_FRAME_COLUMN, 20, 20, 160, 260);
    fo_diags_init(&h->d);
}

static void hand_free(hand *h)
{
    fo_dl_doc_free(h->doc);
    fo_diags_free(&h->d);
}

/* The ops drawn next come from the section's title (b < 0) or block b. */
static void from(hand *h, int b)
{
    h->pg->src =
        (fo_dl_src){FO_DL_SRC_CONTENT, b < 0 ? h->sec.pos : h->blocks[b].pos,
                    b < 0 ? NULL : &h->blocks[b], 0};
}

/* A run of text at (x, baseline y), 10 pt, each byte one glyph 5 pt
 * wide, in a font the document does not have (no advances to measure
 * its spacing by; set_real gives it one). */
static fo_dl_glyphs *run(hand *h, double x, double y, const char *text)
{
    int n = (int)strlen(text);
    fo_dl_glyphs *g = fo_dl_page_add_glyphs(h->pg, 99, 10, x, y, BLACK, n, text,
                                            strlen(text));
    for (int i = 0; i < n; i++)
        g->glyphs[i] = (fo_dl_glyph){(uint32_t)i + 1, 5, 0, 0, (uint32_t)i};
    return g;
}

static void figure(hand *h, double x, double y, double w, double ppi)
{
    fo_dl_op *op = fo_dl_page_add(h->pg, FO_DL_IMAGE);
    op->u.image = (fo_dl_image){.image = 0,
                                .x = x,
                                .y = y,
                                .w = w,
                                .h = w,
                                .ppi = ppi,
                                .src = fig.image.src,
                                .pos = fig.image.pos};
}

/* Where a page's pieces are drawn: the title "Intro" at (20, title_y), the
 * paragraph's "Hello " and "world" (not drawn when world_x < 0), the
 * figure (not drawn when fig_w is 0). A test copies SOUND and changes only
 * what its rule is about. */
typedef struct spec {
    double title_y;
    double hello_x, hello_y;
    double world_x, world_y;
    double fig_x, fig_y, fig_w, fig_ppi;
} spec;

/* A sound page: the title, the paragraph over two lines, the figure. */
static const spec SOUND = {40, 20, 60, 20, 72, 20, 100, 100, 432};

static void draw(hand *h, const spec *s)
{
    from(h, -1);
    run(h, 20, s->title_y, "Intro");
    from(h, 0);
    run(h, s->hello_x, s->hello_y, "Hello ");
    if (s->world_x >= 0)
        run(h, s->world_x, s->world_y, "world");
    if (s->fig_w > 0) {
        from(h, 1);
        figure(h, s->fig_x, s->fig_y, s->fig_w, s->fig_ppi);
    }
}

static void sound(hand *h)
{
    draw(h, &SOUND);
}

static fo_check_opts print_opts(void)
{
    return (fo_check_opts){
        .print = 1, .min_ppi = 300, .ink_limit = 300, .profile = "print"};
}

/* Checks the page with o; returns the diagnostics printed. */
static char *check(hand *h, const fo_check_opts *o, int *errors, int *warnings)
{
    fo_checker *c = fo_checker_new(&h->pub, 0, &h->t, o, &h->d);
    fo_check_page(c, h->doc, 0);
    fo_check_finish(c, h->doc);
    *errors = fo_check_errors(c);
    *warnings = fo_check_warnings(c);
    assert_true(fo_check_seconds(c) >= 0);
    fo_checker_free(c);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fo_diags_print(&h->d, f);
    (void)fclose(f);
    return buf;
}

/* Checks in print and returns the diagnostics printed. */
static char *check_print(hand *h, int *errors, int *warnings)
{
    fo_check_opts o = print_opts();
    return check(h, &o, errors, warnings);
}

/* Checks with o (print when NULL) and counts the findings only. */
static void count(hand *h, const fo_check_opts *o, int *errors, int *warnings)
{
    fo_check_opts p = print_opts();
    free(check(h, o ? o : &p, errors, warnings));
}

/* Forgets the findings so far, to check the same page again. */
static void forget(hand *h)
{
    fo_diags_free(&h->d);
    fo_diags_init(&h->d);
}

/* Checks in print and expects exactly one error, printed as want. */
static void expect_one(hand *h, const char *want)
{
    int e, w;
    char *got = check_print(h, &e, &w);
    if (e != 1 || w != 0 || strcmp(got, want) != 0)
        fail_msg("%d errors, %d warnings:\n%s--- expected\n%s", e, w, got,
                 want);
    free(got);
}

/* Checks in print and expects no finding; else fails with why, then what
 * was found. */
static void expect_none(hand *h, const char *why)
{
    int e, w;
    char *got = check_print(h, &e, &w);
    if (e || w)
        fail_msg("%s%s", why, got);
    free(got);
}

static void test_sound_page(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    expect_none(&h, "a sound page has findings:\n");
    hand_free(&h);
}

static void test_frame(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    spec s = SOUND;
    s.world_x = 160; /* 160 + 25 > 180 */
    draw(&h, &s);
    expect_one(&h, "pub.yaml:5:3: error: the text \"world\" lies 1.8 mm "
                   "outside its column (page 1, edition en)\n");
    /* where --draft outlines it: the run's box */
    const fo_where *w = &h.d.items[0].where;
    assert_string_equal(w->rule, "frame");
    assert_string_equal(w->edition, "en");
    assert_int_equal(w->page, 1);
    assert_true(w->has_box && w->x == 160 && w->w == 25 && w->y == 64 &&
                w->h == 10);
    hand_free(&h);
}

/* A line whose baseline falls below its frame is out, though its top is
 * in. */
static void test_frame_below(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    from(&h, 0);
    h.pg->ops[2].u.glyphs.y = 284; /* "world": frame ends at 280 */
    expect_one(&h, "pub.yaml:5:3: error: the text \"world\" lies 1.4 mm "
                   "outside its column (page 1, edition en)\n");
    hand_free(&h);
}

/* A frame off the page: the template's fault, reported at the publication's
 * template line. */
static void test_frame_off_page(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    fo_dl_page_add_frame(h.pg, FO_DL_FRAME_PANEL, 150, 20, 60, 100);
    expect_one(&h, "pub.yaml:1:11: error: the panel lies 3.5 mm outside the "
                   "page (page 1, edition en)\n");
    hand_free(&h);
}

static void test_bleed_image(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    h.doc->bleed = 5;
    spec s = SOUND;
    s.fig_w = 0; /* drawn below, in the bleed */
    draw(&h, &s);
    from(&h, 1);
    h.pg->frame = FO_DL_IN_BLEED;
    figure(&h, -5, -5, 210, 432); /* in the bleed: sound */
    int e, w;
    count(&h, NULL, &e, &w);
    assert_int_equal(e, 0);
    h.pg->ops[h.pg->n - 1].u.image.x = -8;
    expect_one(&h, "pub.yaml:8:3: error: image 'a.jpg' lies 1.1 mm outside "
                   "its bleed (page 1, edition en)\n");
    hand_free(&h);
}

/* Text drawn over another block's text names that block; over its own
 * block's, not. */
static void test_overlap(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        hand h;
        hand_init(&h);
        spec s = SOUND;
        s.hello_y = k ? 60 : 43; /* over "Intro" */
        s.world_x = 30;
        s.world_y = k ? 63 : 72; /* over "Hello " */
        draw(&h, &s);
        expect_one(&h, k ? "pub.yaml:5:3: error: the text \"world\" is drawn "
                           "over \"Hello \" (page 1, edition en)\n"
                         : "pub.yaml:5:3: error: the text \"Hello \" is "
                           "drawn over \"Intro\" (from pub.yaml:3:3) (page "
                           "1, edition en)\n");
        hand_free(&h);
    }
}

/* Lines set solid (leading = size) touch: no overlap; runs side by side on
 * one line neither. */
static void test_overlap_touching(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    spec s = SOUND;
    s.hello_y = 50;
    s.world_x = 50; /* right after "Hello " (30 wide) */
    s.world_y = 50;
    draw(&h, &s);
    expect_none(&h, "touching runs reported:\n");
    hand_free(&h);
}

static void test_figure_missing(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    spec s = SOUND;
    s.fig_w = 0;
    draw(&h, &s);
    expect_one(&h, "pub.yaml:8:3: error: figure 'a.jpg' is not drawn "
                   "(edition en)\n");
    hand_free(&h);
}

static void test_figure_twice(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    figure(&h, 20, 150, 100, 432);
    expect_one(&h, "pub.yaml:8:3: error: figure 'a.jpg' is drawn 2 times "
                   "(first on page 1) (page 1, edition en)\n");
    const fo_where *w = &h.d.items[0].where;
    assert_string_equal(w->rule, "figure");
    assert_true(w->has_box && w->x == 20 && w->y == 150 && w->w == 100);
    hand_free(&h);
}

static void test_text_lost(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    spec s = SOUND;
    s.world_x = -1;
    draw(&h, &s);
    expect_one(&h, "pub.yaml:5:3: error: this block's text is not all set: "
                   "5 of its 10 letters and digits are missing (page 1, "
                   "edition en)\n");
    hand_free(&h);
}

static void test_text_twice(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    from(&h, -1);
    run(&h, 20, 200, "Intro");
    expect_one(&h, "pub.yaml:3:3: error: this section's title is set more "
                   "than once: 10 letters and digits drawn for its 5 (page "
                   "1, edition en)\n");
    hand_free(&h);
}

/* A page-wide figure shows no caption (docs/content.md): a warning, not a
 * loss; a caption of a column figure not drawn is lost. */
static void test_page_figure_caption(void **state)
{
    (void)state;
    static fo_rich cap = {"Rice fields",       11,  NULL, 0,
                          {"pub.yaml", 9, 14}, NULL};
    fo_figure f = fig;
    f.caption.ed[0] = &cap;
    for (int span = 0; span < 2; span++) {
        hand h;
        hand_init(&h);
        f.span = span ? FO_SPAN_PAGE : FO_SPAN_COLUMN;
        h.blocks[1].figure = &f;
        sound(&h);
        int e, w;
        char *got = check_print(&h, &e, &w);
        assert_string_equal(
            got, span ? "pub.yaml:8:3: warning: this figure's caption and "
                        "credit are not printed: a 'span: page' figure shows "
                        "none (page 1, edition en)\n"
                      : "pub.yaml:8:3: error: this figure's caption is not "
                        "all set: 10 of its 10 letters and digits are missing "
                        "(page 1, edition en)\n");
        free(got);
        hand_free(&h);
    }
}

/* What layout adds is not counted: a hyphen at a break, a list marker,
 * no-break spaces, capitals. */
static void test_text_added(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    from(&h, -1);
    run(&h, 20, 40, "INTRO");
    from(&h, 0);
    h.pg->src.kind = FO_DL_SRC_ADDED;
    run(&h, 20, 60, "1.");
    h.pg->src.kind = FO_DL_SRC_CONTENT;
    fo_dl_glyphs *g = run(&h, 32, 60, "Hel-");
    g->text_len = 3; /* the hyphen stands for no text */
    g->hyphen = 1;
    run(&h, 20, 72, "lo\xc2\xa0world");
    from(&h, 1);
    figure(&h, 20, 100, 100, 432);
    expect_none(&h, "layout's additions counted:\n");
    hand_free(&h);
}

/* Sets "Hello " in font 0 of the document (Noto Serif, 10 pt) with its
 * real glyphs: each letter advances the font's advance plus extra[i]. */
static void set_real(hand *h, fo_dl_glyphs *g, const double extra[5])
{
    const char *path = FO_TEST_SRC "/fonts/NotoSerif-Regular.ttf";
    assert_int_equal(fo_dl_doc_font(h->doc, path, 0, "NotoSerif-Regular", 1000),
                     0);
    FT_Library ft;
    FT_Face face;
    assert_int_equal(FT_Init_FreeType(&ft), 0);
    assert_int_equal(FT_New_Face(ft, path, 0, &face), 0);
    for (int i = 0; i < g->n; i++) {
        FT_UInt gid = FT_Get_Char_Index(face, (FT_ULong)g->text[i]);
        FT_Fixed adv;
        assert_int_equal(FT_Get_Advance(face, gid, FT_LOAD_NO_SCALE, &adv), 0);
        g->font = 0;
        g->glyphs[i].gid = gid;
        g->glyphs[i].x_advance =
            (double)adv * g->size / face->units_per_EM + (i < 5 ? extra[i] : 0);
    }
    FT_Done_Face(face);
    FT_Done_FreeType(ft);
}

/* Spacing is measured from the glyphs (their advances against the font's):
 * +5 pt at every gap is found, a kerned pair is not spacing, and spacing
 * within the style's allowance passes. */
static void test_letterspace(void **state)
{
    (void)state;
    const double spaced[5] = {5, 5, 5, 5, 5};
    const double kerned[5] = {0, -0.8, 0.4, 0, 0};
    const double allowed[5] = {0.1, 0.1, 0.1, 0.1, 0};
    const double *cases[3] = {spaced, kerned, allowed};
    for (int k = 0; k < 3; k++) {
        hand h;
        hand_init(&h);
        sound(&h);
        fo_dl_glyphs *g = &h.pg->ops[1].u.glyphs;
        set_real(&h, g, cases[k]);
        g->letterspace_max = 0.1;
        if (k == 0) {
            expect_one(&h, "pub.yaml:5:3: error: the text \"Hello \" is "
                           "letterspaced by 5.00 pt between letters; its "
                           "style allows 0.10 pt (page 1, edition en)\n");
        } else {
            char why[16];
            (void)snprintf(why, sizeof why, "case %d: ", k);
            expect_none(&h, why);
        }
        hand_free(&h);
    }
}

static void test_fold(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    h.pg->frame = FO_DL_IN_TRIM; /* a sheet with a fold at x = 100 */
    double fold = 100;
    fo_dl_page_set_folds(h.pg, &fold, 1);
    spec s = SOUND;
    s.world_x = 90; /* 90..115 */
    s.fig_x = 110;
    s.fig_w = 60;
    draw(&h, &s);
    expect_one(&h, "pub.yaml:5:3: error: the text \"world\" crosses the fold "
                   "at 35.3 mm from the sheet's left edge (page 1, edition "
                   "en)\n");
    hand_free(&h);
}

static void test_resolution(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    spec s = SOUND;
    s.fig_ppi = 150;
    draw(&h, &s);
    fo_check_opts o = print_opts();
    int e, w;
    char *got = check(&h, &o, &e, &w);
    assert_int_equal(e, 0);
    assert_int_equal(w, 1);
    assert_string_equal(got, "pub.yaml:8:12: warning: image 'a.jpg' prints "
                             "at 150 ppi at its placed size; print wants "
                             "300: needs 417×417 px at 35×35 mm, or place it "
                             "at most 17×17 mm (page 1, edition en)\n");
    free(got);
    const fo_where *wh = &h.d.items[0].where; /* the image, for --draft */
    assert_true(wh->has_box && wh->x == 20 && wh->y == 100 && wh->w == 100 &&
                wh->h == 100);
    forget(&h);
    o.strict = 1;
    got = check(&h, &o, &e, &w);
    assert_int_equal(e, 1);
    assert_int_equal(w, 0);
    assert_string_equal(got, "pub.yaml:8:12: error: image 'a.jpg' prints "
                             "at 150 ppi at its placed size; print wants "
                             "300: needs 417×417 px at 35×35 mm, or place it "
                             "at most 17×17 mm (page 1, edition en)\n");
    free(got);
    forget(&h);
    o = (fo_check_opts){.profile = "screen"}; /* no minimum */
    count(&h, &o, &e, &w);
    assert_int_equal(e + w, 0);
    hand_free(&h);
}

static void test_rgb_colour(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    h.pg->ops[2].u.glyphs.color = h.sw[1].color;
    expect_one(&h, "pub.yaml:5:3: error: colour 'screen-red' is given only "
                   "in RGB: print needs its CMYK (give the swatch 'cmyk') "
                   "(page 1, edition en)\n");
    forget(&h);
    fo_check_opts o = {.profile = "screen"}; /* RGB is what screen wants */
    int e, w;
    count(&h, &o, &e, &w);
    assert_int_equal(e + w, 0);
    hand_free(&h);
}

static void test_ink(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    sound(&h);
    fo_dl_op *op = fo_dl_page_add(h.pg, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){20, 250, 100, 20, {1, 1, 1, 0.5, 0, 0, 0, 0}};
    expect_one(&h, "pub.yaml:8:3: error: the colour C 100 M 100 Y 100 K 50 "
                   "has 350 % total ink; print allows 300 % (page 1, "
                   "edition en)\n");
    hand_free(&h);
}

/* Small black text overprints: its K adds to the C, M and Y of a fill
 * beneath it. 300 % of C, M and Y is within the limit alone; with the
 * overprinted K 100 % it is 400 %. Without overprint, no finding. */
static void test_ink_overprint(void **state)
{
    (void)state;
    hand h;
    hand_init(&h);
    from(&h, 0);
    fo_dl_op *op = fo_dl_page_add(h.pg, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){20, 50, 60, 15, {1, 1, 1, 0, 0, 0, 0, 0}};
    sound(&h);
    expect_one(&h, "pub.yaml:5:3: error: K 100 % overprints a colour beneath "
                   "it: 400 % total ink; print allows 300 % (set the "
                   "template's print: overprint lower, or lighten what lies "
                   "beneath) (page 1, edition en)\n");
    forget(&h);
    h.doc->print.overprint_text = 0;
    expect_none(&h, "knocked out, the text adds no ink: ");
    hand_free(&h);
}

/* Writes a 16 x 16 CMYK JPEG of one colour (ink 0..255 per channel) as
 * Photoshop does: inverted, with an Adobe marker. */
static void write_cmyk_jpeg(const char *path, const int ink[4])
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = 16;
    cinfo.image_height = 16;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 100, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    JSAMPLE row[16 * 4];
    for (int x = 0; x < 16 * 4; x++)
        row[x] = (JSAMPLE)(255 - ink[x % 4]);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW r = row;
        (void)jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    assert_int_equal(fclose(f), 0);
}

/* A CMYK JPEG goes to print as it is: its densest pixel is its ink. */
static void test_ink_cmyk_image(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo-check-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char dense[64], light[64];
    (void)snprintf(dense, sizeof dense, "%s/dense.jpg", dir);
    (void)snprintf(light, sizeof light, "%s/light.jpg", dir);
    write_cmyk_jpeg(dense, (const int[4]){255, 255, 255, 255});
    write_cmyk_jpeg(light, (const int[4]){128, 0, 0, 255});
    const char *paths[2] = {dense, light};
    for (int k = 0; k < 2; k++) {
        hand h;
        hand_init(&h);
        fo_image_info info;
        char why[160];
        assert_int_equal(fo_image_probe(paths[k], &info, why, sizeof why),
                         FO_OK);
        assert_int_equal(info.components, 4);
        int img = fo_dl_doc_image(h.doc, paths[k], &info);
        sound(&h);
        h.pg->ops[h.pg->n - 1].u.image.image = img;
        if (k == 0) {
            expect_one(&h, "pub.yaml:8:3: error: image 'a.jpg' is CMYK with "
                           "up to 400 % total ink; print allows 300 % (page "
                           "1, edition en)\n");
        } else {
            int e, w;
            count(&h, NULL, &e, &w);
            assert_int_equal(e + w, 0);
        }
        hand_free(&h);
        assert_int_equal(remove(paths[k]), 0);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* ---- the examples, every edition and profile: no error ---------------- */

/* Lays out publication file path in every edition and checks each edition
 * with the n profiles, gathering the preflight's findings in found; layout
 * itself must find nothing. With in_order, every page must be in the
 * reading order. */
static void lay_out_and_check(const char *path, const fo_check_opts *profiles,
                              size_t n, int in_order, fo_diags *found)
{
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    assert_int_equal(fo_pub_load(path, &d, &pub), FO_OK);
    fo_fonts *fonts = NULL;
    for (int e = 0; e < pub->neditions; e++) {
        const fo_template *t = NULL;
        assert_int_equal(fo_template_load(pub, pub->editions[e], FO_TEST_SRC,
                                          pub->arena, &d, &t),
                         FO_OK);
        if (!fonts)
            assert_int_equal(
                fo_fonts_new(FO_TEST_SRC "/fonts", t->fonts_dir, &d, &fonts),
                FO_OK);
        fo_dl_doc *doc = NULL;
        assert_int_equal(fo_typeset(pub, e, t, fonts, &d, &doc), FO_OK);
        if (in_order)
            assert_int_equal(doc->norder, doc->npages);
        for (size_t k = 0; k < n; k++) {
            fo_checker *c = fo_checker_new(pub, e, t, &profiles[k], found);
            for (size_t i = 0; i < doc->norder; i++)
                fo_check_page(c, doc, doc->order[i]);
            fo_check_finish(c, doc);
            fo_checker_free(c);
        }
        fo_dl_doc_free(doc);
    }
    assert_int_equal(d.errors, 0);
    fo_fonts_free(fonts);
    fo_diags_free(&d);
    fo_pub_free(pub);
}

/* Lays out publication file path in every edition and checks it in print;
 * returns the preflight's errors, printing them. */
static int check_file(const char *path)
{
    fo_diags found;
    fo_diags_init(&found);
    fo_check_opts o = print_opts();
    lay_out_and_check(path, &o, 1, 0, &found);
    fo_diags_print(&found, stderr);
    int errors = found.errors;
    fo_diags_free(&found);
    return errors;
}

/* A contents entry whose title wraps: the next entry goes below it (they
 * were drawn over each other). */
static void test_contents_long_title(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo-check-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    (void)snprintf(path, sizeof path, "%s/pub.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    (void)fputs("title: Contents\n"
                "year: 2025\n"
                "slug: toc\n"
                "template: booklet\n"
                "editions: [en]\n"
                "sections:\n"
                "  - title: The Provincial Department of Planning and "
                "Investment's Comprehensive Socioeconomic Development "
                "Programme\n"
                "    blocks:\n"
                "      - h2: The second entry of the contents\n"
                "      - p: A short paragraph.\n",
                f);
    assert_int_equal(fclose(f), 0);
    int errors = check_file(path);
    assert_int_equal(remove(path), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(errors, 0);
}

static void check_example(const char *name)
{
    char path[1024];
    (void)snprintf(path, sizeof path, "%s/examples/%s/publication.yaml",
                   FO_TEST_SRC, name);
    const fo_check_opts profiles[] = {
        {.print = 1, .min_ppi = 300, .ink_limit = 300, .profile = "print"},
        {.profile = "screen"},
        {.profile = "archive"},
    };
    fo_diags found; /* the preflight's */
    fo_diags_init(&found);
    lay_out_and_check(path, profiles, sizeof profiles / sizeof profiles[0], 1,
                      &found);
    if (found.errors || getenv("FO_CHECK_SHOW"))
        fo_diags_print(&found, stderr);
    int errors = found.errors;
    fo_diags_free(&found);
    if (errors)
        fail_msg("%s: %d preflight errors", name, errors);
}

static void test_example_yearbook(void **state)
{
    (void)state;
    check_example("nam-dinh");
}

static void test_example_booklet(void **state)
{
    (void)state;
    check_example("nam-dinh-booklet");
}

static void test_example_brochure(void **state)
{
    (void)state;
    check_example("nam-dinh-brochure");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound_page),
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_frame_below),
        cmocka_unit_test(test_frame_off_page),
        cmocka_unit_test(test_bleed_image),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_overlap_touching),
        cmocka_unit_test(test_figure_missing),
        cmocka_unit_test(test_figure_twice),
        cmocka_unit_test(test_text_lost),
        cmocka_unit_test(test_text_twice),
        cmocka_unit_test(test_text_added),
        cmocka_unit_test(test_page_figure_caption),
        cmocka_unit_test(test_letterspace),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_resolution),
        cmocka_unit_test(test_rgb_colour),
        cmocka_unit_test(test_ink),
        cmocka_unit_test(test_ink_overprint),
        cmocka_unit_test(test_ink_cmyk_image),
        cmocka_unit_test(test_contents_long_title),
        cmocka_unit_test(test_example_yearbook),
        cmocka_unit_test(test_example_booklet),
        cmocka_unit_test(test_example_brochure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
