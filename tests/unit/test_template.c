/* Unit tests for fo_template_load: the three shipped templates (read from
 * the source tree, FO_TEST_SRC, as the data folder) with their key values,
 * a publication's style overrides, and every error message exactly, all
 * reported in one run. Fixtures are written to a fresh temporary folder and
 * the test runs from there, so that file names in messages are the
 * relative paths a user would type.
 *
 * The fixture publication is read with source/ and its `template:` and
 * `styles:` and `languages:` handed to fo_template_load the way fo_pub_load
 * hands them (template_name, template_pos, and the style layers that
 * fo_pub_styles_read makes), so these tests do not depend on the rest of
 * the publication loader. */
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
#include "model/template.h"
#include "source/source.h"

#include "fixture.h"

static char tmpdir[] = "/tmp/fo-test-template-XXXXXX";
static char oldcwd[PATH_MAX];

typedef struct result {
    fo_arena *a;
    const fo_template *t;
    fo_status st;
    char *diags;
    int errors;
} result;

/* Loads the template that publication text names, with data_dir as
 * folio's data folder, for the edition in language lang (NULL: none). The
 * publication is written to proj/pub.yaml. */
static result load_lang(const char *pub_text, const char *data_dir,
                        const char *lang)
{
    put_file("proj/pub.yaml", pub_text);
    result res = {0};
    res.a = fo_arena_new();
    fo_diags d;
    fo_diags_init(&d);
    fo_node *root = NULL;
    fo_status st =
        fo_source_load_file("proj/pub.yaml", "proj/pub.yaml", res.a, &d, &root);
    assert_int_equal(st, FO_OK);
    fo_pub pub = {0};
    pub.arena = res.a;
    pub.file = "proj/pub.yaml";
    char *real = realpath("proj", NULL);
    pub.root = fo_arena_strdup(res.a, real);
    free(real);
    pub.template_name = "yearbook";
    const fo_node *tn = fo_node_get(root, "template");
    if (tn) {
        pub.template_name = tn->str;
        pub.template_pos = tn->pos;
    }
    const fo_node *styles = fo_node_get(root, "styles");
    const fo_node *languages = fo_node_get(root, "languages");
    if (styles || languages)
        pub.styles = fo_pub_styles_read(styles, languages, res.a);
    const fo_node *hy = fo_node_get(root, "hyphenation");
    if (hy)
        fo_hyph_words_read(hy, NULL, res.a, &d, &pub.hyphenation);
    res.st = fo_template_load(&pub, lang, data_dir, res.a, &d, &res.t);
    size_t n = 0;
    FILE *fp = open_memstream(&res.diags, &n);
    fo_diags_print(&d, fp);
    (void)fclose(fp);
    res.errors = d.errors;
    fo_diags_free(&d);
    return res;
}

static result load_with(const char *pub_text, const char *data_dir)
{
    return load_lang(pub_text, data_dir, NULL);
}

static result load(const char *pub_text)
{
    return load_with(pub_text, FO_TEST_SRC);
}

static void done(result *r)
{
    fo_arena_free(r->a);
    free(r->diags);
}

/* A template written to data/templates/bad/ fails with exactly expected. */
static void fails(const char *template_text, const char *expected)
{
    put_file("data/templates/bad/template.yaml", template_text);
    result r = load_with("template: bad\n", "data");
    assert_string_equal(r.diags, expected);
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_null(r.t);
    done(&r);
}

static const double MM = 72.0 / 25.4;
static const char *const style_names[] = {FO_STYLE_NAMES};

static void all_styles(const fo_template *t)
{
    for (size_t i = 0; i < sizeof style_names / sizeof style_names[0]; i++) {
        const fo_style *s = fo_template_style(t, style_names[i]);
        assert_non_null(s);
        assert_string_equal(s->name, style_names[i]);
        assert_non_null(s->family);
        assert_true(s->size > 0 && s->leading > 0);
    }
}

static void color_is(fo_color c, double cc, double m, double y, double k,
                     double r, double g, double b)
{
    assert_float_equal(c.c, cc, 1e-9);
    assert_float_equal(c.m, m, 1e-9);
    assert_float_equal(c.y, y, 1e-9);
    assert_float_equal(c.k, k, 1e-9);
    assert_float_equal(c.r, r, 1e-9);
    assert_float_equal(c.g, g, 1e-9);
    assert_float_equal(c.b, b, 1e-9);
}

/* ---- the shipped templates ----------------------------------------- */

static void test_yearbook(void **state)
{
    (void)state;
    result r = load("title: x\n"); /* the default template */
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    const fo_template *t = r.t;
    assert_non_null(t);
    assert_string_equal(t->name, "yearbook");
    assert_float_equal(t->page_w, 595.28, 0.01);
    assert_float_equal(t->page_h, 841.89, 0.01);
    assert_float_equal(t->bleed, 3 * MM, 1e-9);
    assert_true(t->facing);
    assert_float_equal(t->margin_top, 20 * MM, 1e-9);
    assert_float_equal(t->margin_bottom, 22 * MM, 1e-9);
    assert_float_equal(t->margin_inner, 20 * MM, 1e-9);
    assert_float_equal(t->margin_outer, 20 * MM, 1e-9);
    assert_int_equal(t->columns, 2);
    assert_float_equal(t->gutter, 6 * MM, 1e-9);
    assert_int_equal(t->widows, 2);
    assert_int_equal(t->orphans, 2);
    assert_int_equal(t->opener, FO_OPEN_PAGE);
    assert_true(t->contents);
    assert_true(t->cover);
    assert_int_equal(t->npanels, 0);
    assert_null(t->fonts_dir);
    all_styles(t);

    /* the styles and colours of the old fo_layout_default */
    const fo_style *body = fo_template_style(t, "body");
    assert_string_equal(body->family, "Noto Serif");
    assert_float_equal(body->size, 10, 0);
    assert_float_equal(body->leading, 14, 0);
    assert_float_equal(body->space_after, 5, 0);
    assert_int_equal(body->align, FO_ALIGN_JUSTIFY);
    assert_true(body->hyphenate);
    assert_float_equal(body->shrink, 0.25, 0);
    assert_float_equal(body->stretch, 0.5, 0);
    assert_int_equal(body->hyph_left, 2);
    assert_int_equal(body->hyph_right, 3);
    assert_float_equal(body->tolerance, 200, 0);
    assert_float_equal(body->pretolerance, 100, 0);
    assert_float_equal(body->line_penalty, 10, 0);
    assert_float_equal(body->hyphen_penalty, 50, 0);
    assert_float_equal(body->double_hyphen_demerits, 1e6, 0);
    assert_float_equal(body->final_hyphen_demerits, 5000, 0);
    assert_float_equal(body->adj_demerits, 10000, 0);
    assert_int_equal(body->max_hyphens, 2);
    color_is(body->color, 0, 0, 0, 1, 0, 0, 0);
    const fo_style *h1 = fo_template_style(t, "h1");
    assert_string_equal(h1->family, "Noto Sans");
    assert_true(h1->bold);
    assert_false(h1->italic);
    assert_float_equal(h1->size, 22, 0);
    assert_float_equal(h1->leading, 27, 0);
    assert_float_equal(h1->space_after, 16, 0);
    assert_int_equal(h1->align, FO_ALIGN_LEFT);
    assert_true(h1->keep_with_next);
    assert_false(h1->hyphenate);
    assert_float_equal(h1->shrink, 0.25, 0); /* from body */
    color_is(h1->color, 0, 0.9, 0.85, 0.3, 0.70, 0.07, 0.10);
    const fo_style *h2 = fo_template_style(t, "h2");
    assert_float_equal(h2->size, 13, 0);
    assert_float_equal(h2->space_before, 9, 0);
    assert_float_equal(h2->space_after, 4, 0);
    const fo_style *h3 = fo_template_style(t, "h3");
    assert_true(h3->bold && h3->italic);
    color_is(h3->color, 0, 0, 0, 1, 0, 0, 0);
    const fo_style *ct = fo_template_style(t, "cover-title");
    assert_float_equal(ct->size, 30, 0);
    assert_float_equal(ct->leading, 36, 0);
    const fo_style *cs = fo_template_style(t, "cover-subtitle");
    assert_true(cs->italic);
    assert_string_equal(cs->family, "Noto Serif");
    const fo_style *foot = fo_template_style(t, "foot");
    assert_float_equal(foot->size, 8, 0);
    color_is(foot->color, 0, 0, 0, 0.7, 0.3, 0.3, 0.3);
    const fo_style *credit = fo_template_style(t, "credit");
    assert_string_equal(credit->family, "Noto Sans"); /* base: caption */
    assert_float_equal(credit->size, 6.5, 0);

    /* swatches, resolved */
    const fo_swatch *brand = fo_template_swatch(t, "brand");
    assert_non_null(brand);
    color_is(brand->color, 0, 0.9, 0.85, 0.3, 0.70, 0.07, 0.10);
    assert_non_null(fo_template_swatch(t, "ink"));
    assert_null(fo_template_swatch(t, "nope"));
    color_is(t->rule, 0, 0.9, 0.85, 0.3, 0.70, 0.07, 0.10);
    color_is(t->cover_background, 0, 0.9, 0.85, 0.3, 0.70, 0.07, 0.10);
    color_is(t->facts_fill, 0, 0, 0, 0.08, 0.92, 0.92, 0.92);
    assert_int_equal(t->facts_per_row, 2);
    assert_float_equal(t->figure_gap, 4, 0);

    /* running feet: page number outside (bold), title inside */
    assert_string_equal(t->left.foot[0].text, "{page}");
    assert_true(t->left.foot[0].style->bold);
    assert_string_equal(t->left.foot[2].text, "{title}");
    assert_string_equal(t->left.foot[2].style->name, "foot");
    assert_null(t->left.foot[1].text);
    assert_string_equal(t->right.foot[0].text, "{title}");
    assert_string_equal(t->right.foot[2].text, "{page}");
    assert_string_equal(t->right.foot[2].style->name, "page-number");
    assert_float_equal(t->right.foot_offset, 10 * MM, 1e-9);
    assert_null(t->right.head[0].text);
    assert_string_equal(t->right.head[0].style->name, "head");

    assert_true(t->strong.set_bold && t->strong.bold);
    assert_true(t->emphasis.set_italic && t->emphasis.italic);
    assert_false(t->link.set_color);
    done(&r);
}

static void test_booklet(void **state)
{
    (void)state;
    result r = load("template: booklet\n");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    const fo_template *t = r.t;
    assert_string_equal(t->name, "booklet");
    assert_float_equal(t->page_w, 148 * MM, 1e-9);
    assert_float_equal(t->page_h, 210 * MM, 1e-9);
    assert_true(t->facing);
    assert_int_equal(t->columns, 1);
    assert_int_equal(t->opener, FO_OPEN_CONTINUE);
    assert_true(t->contents);
    assert_true(t->cover);
    assert_int_equal(t->binding, FO_BIND_SADDLE);
    all_styles(t);
    const fo_style *body = fo_template_style(t, "body");
    assert_float_equal(body->size, 9.5, 0);
    assert_float_equal(body->leading, 13, 0);
    done(&r);
}

static void test_trifold(void **state)
{
    (void)state;
    result r = load("template: trifold\n");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    const fo_template *t = r.t;
    assert_float_equal(t->page_w, 841.89, 0.01);
    assert_float_equal(t->page_h, 595.28, 0.01);
    assert_false(t->facing);
    assert_float_equal(t->bleed, 3 * MM, 1e-9);
    assert_float_equal(t->margin_top, 0, 0);
    assert_float_equal(t->margin_inner, 0, 0);
    assert_false(t->contents);
    assert_false(t->cover);
    all_styles(t);
    const fo_style *body = fo_template_style(t, "body");
    assert_float_equal(body->size, 9, 0);
    assert_float_equal(body->leading, 12.5, 0);
    assert_int_equal(body->align, FO_ALIGN_LEFT);

    assert_int_equal(t->binding, FO_BIND_NONE);

    /* Only the inside panels run on into each other; the cover panel is
     * the front cover. inside-3 folds in: it and the flap behind it are
     * 2 mm narrower (fold-in-by), the others 1 mm wider each. */
    static const struct {
        const char *name;
        int side;
        double x, w;
        int continues, cover, folds_in;
    } order[] = {
        {"cover", 0, 197, 100, 0, 1, 0},    {"inside-1", 1, 0, 100, 1, 0, 0},
        {"inside-2", 1, 100, 100, 1, 0, 0}, {"inside-3", 1, 200, 97, 0, 0, 1},
        {"inside-flap", 0, 0, 97, 0, 0, 0}, {"back", 0, 97, 100, 0, 0, 0}};
    assert_float_equal(t->fold_in_by, 2 * MM, 1e-9);
    assert_int_equal(t->npanels, 6);
    for (size_t i = 0; i < 6; i++) {
        const fo_panel *p = &t->panels[i];
        assert_string_equal(p->name, order[i].name);
        assert_int_equal(p->side, order[i].side);
        assert_int_equal(p->continues, order[i].continues);
        assert_int_equal(p->cover, order[i].cover);
        assert_int_equal(p->folds_in, order[i].folds_in);
        /* the whole panel, for page figures and the cover */
        assert_float_equal(p->bx, order[i].x * MM, 1e-6);
        assert_float_equal(p->bw, order[i].w * MM, 1e-6);
        assert_float_equal(p->bh, 210 * MM, 1e-6);
        /* less 8 mm padding all round */
        assert_float_equal(p->x, (order[i].x + 8) * MM, 1e-6);
        assert_float_equal(p->y, 8 * MM, 1e-6);
        assert_float_equal(p->w, (order[i].w - 16) * MM, 1e-6);
        assert_float_equal(p->h, 194 * MM, 1e-6);
    }
    /* print settings: the defaults */
    assert_false(t->print.pdfx_1a);
    for (int i = 0; i < FO_TEMPLATE_NMARKS; i++)
        assert_true(t->print.marks[i]);
    assert_float_equal(t->print.overprint_text, 12, 0);
    assert_true(t->print.overprint_rules);
    done(&r);
}

/* ---- publication overrides ----------------------------------------- */

static void test_overrides(void **state)
{
    (void)state;
    result r = load("template: yearbook\n"
                    "styles:\n"
                    "  body: { size: 11, leading: 15 }\n"
                    "  h1: { color: ink, size: 24 }\n"
                    "  caption: { style: italic }\n"
                    "  pull: { base: quote, size: 18 }\n");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    const fo_template *t = r.t;
    const fo_style *body = fo_template_style(t, "body");
    assert_float_equal(body->size, 11, 0);
    assert_float_equal(body->leading, 15, 0);
    assert_string_equal(body->family, "Noto Serif"); /* the template's */
    const fo_style *h1 = fo_template_style(t, "h1");
    assert_float_equal(h1->size, 24, 0);
    assert_float_equal(h1->leading, 27, 0); /* the template's */
    assert_true(h1->bold);
    color_is(h1->color, 0, 0, 0, 1, 0, 0, 0);
    const fo_style *cap = fo_template_style(t, "caption");
    assert_true(cap->italic);
    assert_float_equal(cap->size, 8, 0);
    /* list sets no size: it follows the publication's body */
    assert_float_equal(fo_template_style(t, "list")->size, 11, 0);
    const fo_style *pull = fo_template_style(t, "pull");
    assert_non_null(pull);
    assert_float_equal(pull->size, 18, 0);
    assert_true(pull->italic);
    done(&r);
}

/* A template that leaves styles out gets folio's built-in ones, derived
 * from its own body; folio's swatches are there too. */
static void test_builtin_styles(void **state)
{
    (void)state;
    put_file("data/templates/tiny/template.yaml",
             "page: A5\n"
             "styles:\n"
             "  body: { family: Noto Sans, size: 9 }\n");
    result r = load_with("template: tiny\n", "data");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    all_styles(r.t);
    assert_string_equal(r.t->name, "tiny");
    assert_float_equal(r.t->page_w, 148 * MM, 1e-9);
    const fo_style *list = fo_template_style(r.t, "list");
    assert_string_equal(list->family, "Noto Sans");
    assert_float_equal(list->size, 9, 0);
    const fo_style *cap = fo_template_style(r.t, "caption");
    assert_float_equal(cap->size, 8, 0);
    color_is(cap->color, 0, 0, 0, 0.7, 0.3, 0.3, 0.3);
    const fo_style *quote = fo_template_style(r.t, "quote");
    assert_true(quote->italic);
    color_is(quote->color, 0, 0.9, 0.85, 0.3, 0.70, 0.07, 0.10);
    assert_non_null(fo_template_swatch(r.t, "black"));
    done(&r);
}

/* The design values layout uses: a template that leaves them out gets the
 * first layout's, the shipped templates write those same values out, and
 * a bad one is an error at its position. */
static void design_is_default(const fo_template *t)
{
    assert_true(t->figure_max_height == 0.8);
    assert_true(t->figure_space_before == 0.5);
    assert_true(t->figure_space_after == 0.6);
    assert_true(t->cover_image_height == 0.64);
    assert_true(t->cover_logo_width == 0.25);
    assert_float_equal(t->cover_logo_height, 20 * MM, 1e-12);
    assert_true(t->cover_text_top == 14);
    assert_true(t->cover_title_gap == 6);
    assert_true(t->cover_subtitle_gap == 10);
    for (size_t i = 0; i < t->nstyles; i++) {
        assert_true(t->styles[i].underline_position == 0.12);
        assert_true(t->styles[i].underline_thickness == 0.06);
    }
}

static void test_design_values(void **state)
{
    (void)state;
    put_file("data/templates/tiny/template.yaml", "page: A5\n");
    result r = load_with("template: tiny\n", "data");
    assert_string_equal(r.diags, "");
    design_is_default(r.t);
    done(&r);
    const char *shipped[] = {"template: yearbook\n", "template: booklet\n",
                             "template: trifold\n"};
    for (int i = 0; i < 3; i++) {
        r = load(shipped[i]);
        assert_string_equal(r.diags, "");
        design_is_default(r.t);
        done(&r);
    }
    put_file("data/templates/tiny/template.yaml",
             "blocks:\n"
             "  figure: { max-height: 0.5, space-before: 1, space-after: 0 }\n"
             "  cover: { image-height: 0.5, logo-height: 10, text-top: 20 }\n"
             "styles:\n"
             "  body: { underline-position: 0.2 }\n"
             "  link-ish: { underline-thickness: 0.1 }\n");
    r = load_with("template: tiny\n", "data");
    assert_string_equal(r.diags, "");
    assert_true(r.t->figure_max_height == 0.5);
    assert_true(r.t->figure_space_before == 1);
    assert_true(r.t->figure_space_after == 0);
    assert_true(r.t->cover_image_height == 0.5);
    assert_float_equal(r.t->cover_logo_height, 10 * MM, 1e-12);
    assert_true(r.t->cover_text_top == 20);
    assert_true(r.t->cover_title_gap == 6);
    const fo_style *h1 = fo_template_style(r.t, "h1");
    assert_true(h1->underline_position == 0.2); /* from body */
    const fo_style *li = fo_template_style(r.t, "link-ish");
    assert_true(li->underline_position == 0.2);
    assert_true(li->underline_thickness == 0.1);
    done(&r);
    fails("blocks:\n"
          "  figure: { max-height: 1.5, space-before: -1, space-afer: 1 }\n"
          "  cover: { image-height: inf, logo-height: -20, title-gap: x }\n"
          "styles:\n"
          "  body: { underline-thickness: -0.1, underline-position: 0x1 }\n",
          "data/templates/bad/template.yaml:2:25: error: 'max-height' must be "
          "between 0 and 1, found '1.5'\n"
          "data/templates/bad/template.yaml:2:44: error: 'space-before' must "
          "not be negative, found '-1'\n"
          "data/templates/bad/template.yaml:2:48: error: unknown key "
          "'space-afer' in 'blocks: figure' — did you mean 'space-after'?\n"
          "data/templates/bad/template.yaml:3:26: error: 'image-height' must "
          "be a number, found 'inf'\n"
          "data/templates/bad/template.yaml:3:44: error: 'logo-height' must "
          "not be negative, found '-20'\n"
          "data/templates/bad/template.yaml:3:60: error: 'title-gap' must be a "
          "number, found 'x'\n"
          "data/templates/bad/template.yaml:5:32: error: "
          "'underline-thickness' must not be negative, found '-0.1'\n"
          "data/templates/bad/template.yaml:5:58: error: "
          "'underline-position' must be a number, found '0x1'\n");
}

/* A template given as a path relative to the publication. */
static void test_path_template(void **state)
{
    (void)state;
    put_file("proj/look/template.yaml", "name: local\ncolumns: 3\n");
    result r = load("template: ./look\n");
    assert_string_equal(r.diags, "");
    assert_int_equal(r.st, FO_OK);
    assert_string_equal(r.t->name, "local");
    assert_int_equal(r.t->columns, 3);
    done(&r);

    r = load("template: ../data/templates/tiny\n");
    assert_string_equal(
        r.diags, "proj/pub.yaml:1:11: error: cannot use the template "
                 "'../data/templates/tiny': outside the project folder\n");
    assert_int_equal(r.st, FO_ERR_INPUT);
    done(&r);
}

/* ---- errors ---------------------------------------------------------- */

static void test_unknown_template(void **state)
{
    (void)state;
    result r = load("template: yearbok\n");
    assert_string_equal(r.diags, "proj/pub.yaml:1:11: error: unknown template "
                                 "'yearbok' — did you mean 'yearbook'?\n");
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_null(r.t);
    done(&r);
    r = load("template: magazine\n");
    assert_string_equal(
        r.diags,
        "proj/pub.yaml:1:11: error: unknown template "
        "'magazine' (templates: booklet, factsheet, trifold, yearbook)\n");
    done(&r);
}

static void test_errors_one_run(void **state)
{
    (void)state;
    fails("name: bad\n"
          "page: { size: A7 }\n"
          "colums: 2\n"
          "margins: { top: -1, left: 10 }\n"
          "swatches:\n"
          "  brand: { cmyk: [0, 90, 185, 30], rgb: \"#b3121\" }\n"
          "  ink: { cymk: [0, 0, 0, 100] }\n"
          "styles:\n"
          "  body: { size: -10, align: centre, colour: ink }\n"
          "  h1: { color: brnad, base: h9 }\n"
          "sections: new-pgae\n",
          "data/templates/bad/template.yaml:2:15: error: unknown page size "
          "'A7' (sizes: A3, A4, A5, Letter, DL)\n"
          "data/templates/bad/template.yaml:3:1: error: unknown key 'colums' "
          "in the template — did you mean 'columns'?\n"
          "data/templates/bad/template.yaml:4:17: error: 'top' must not be "
          "negative, found '-1'\n"
          "data/templates/bad/template.yaml:4:21: error: 'left' is for pages "
          "that do not face (facing: false); facing pages have 'inner' and "
          "'outer' margins\n"
          "data/templates/bad/template.yaml:6:18: error: 'cmyk' must be 4 "
          "numbers from 0 to 100 (percent), such as [0, 90, 85, 30]\n"
          "data/templates/bad/template.yaml:6:41: error: 'rgb' must be "
          "\"#rrggbb\" or 3 numbers from 0 to 100 (percent), found "
          "'#b3121'\n"
          "data/templates/bad/template.yaml:7:10: error: unknown key 'cymk' "
          "in swatch 'ink' — did you mean 'cmyk'?\n"
          "data/templates/bad/template.yaml:9:17: error: 'size' must be "
          "greater than 0, found '-10'\n"
          "data/templates/bad/template.yaml:9:29: error: 'align' must be "
          "justify, left, center or right, not 'centre' — did you mean "
          "'center'?\n"
          "data/templates/bad/template.yaml:9:37: error: unknown key "
          "'colour' in style 'body' — did you mean 'color'?\n"
          "data/templates/bad/template.yaml:10:16: error: unknown swatch "
          "'brnad' — did you mean 'brand'?\n"
          "data/templates/bad/template.yaml:10:29: error: unknown style 'h9' "
          "— did you mean 'h1'?\n"
          "data/templates/bad/template.yaml:11:11: error: 'sections' must be "
          "continue, new-page or new-right-page, not 'new-pgae' — did you "
          "mean 'new-page'?\n");
}

static void test_errors_values(void **state)
{
    (void)state;
    fails("page: { width: 100, height: 0 }\n",
          "data/templates/bad/template.yaml:1:29: error: 'height' must be "
          "greater than 0, found '0'\n");
    fails("page: { size: A4, width: 100 }\n",
          "data/templates/bad/template.yaml:1:7: error: 'page' takes either "
          "'size' or 'width' and 'height'\n");
    fails("margins: { top: 150, bottom: 150 }\n",
          "data/templates/bad/template.yaml:1:10: error: the margins leave no "
          "room for text on a 210 × 297 mm page (the text frame needs at "
          "least 10 × 10 mm)\n");
    fails("columns: 0\n",
          "data/templates/bad/template.yaml:1:10: error: 'columns' must be a "
          "whole number of at least 1, found '0'\n");
    fails("columns: 20\ngutter: 6\n",
          "data/templates/bad/template.yaml:1:10: error: 20 columns with a 6 "
          "mm gutter leave columns narrower than 10 mm\n");
    fails("facing: false\n"
          "margins: { inner: 10 }\n"
          "styles:\n"
          "  body: { shrink: 2, hyphenate: yes, base: h1 }\n"
          "  a: { base: b }\n"
          "  b: { base: a }\n",
          "data/templates/bad/template.yaml:2:12: error: 'inner' is for "
          "facing pages (facing: true); use 'left' and 'right'\n"
          "data/templates/bad/template.yaml:4:19: error: 'shrink' must be "
          "between 0 and 1, found '2'\n"
          "data/templates/bad/template.yaml:4:33: error: 'hyphenate' must be "
          "true or false, found 'yes'\n"
          "data/templates/bad/template.yaml:4:38: error: 'body' has no "
          "'base': every other style derives from it\n"
          "data/templates/bad/template.yaml:6:14: error: 'base: a' makes "
          "style 'b' derive from itself\n");
    fails(
        "page: { size: A4, orientation: landscape }\n"
        "facing: false\n"
        "margins: { left: 0, right: 0, top: 0, bottom: 0 }\n"
        "panels:\n"
        "  - { name: a, side: outside, x: 0, y: 0, width: 99, height: 210 }\n"
        "  - { name: a, side: inside, x: 250, y: 0, width: 99, height: 210 }\n"
        "  - { name: c, side: up, x: 0, y: 0, width: 99, height: 210,\n"
        "      padding: 45 }\n"
        "  - { name: d, x: 0, y: 0, widht: 99, height: 210 }\n",
        "data/templates/bad/template.yaml:6:5: error: panel 'a' goes "
        "outside the 297 × 210 mm page\n"
        "data/templates/bad/template.yaml:6:5: error: duplicate panel "
        "'a'\n"
        "data/templates/bad/template.yaml:7:5: error: the padding of panel "
        "'c' leaves less than 10 mm for text\n"
        "data/templates/bad/template.yaml:7:22: error: 'side' must be "
        "outside or inside, not 'up'\n"
        "data/templates/bad/template.yaml:9:5: error: missing 'side' in a "
        "panel\n"
        "data/templates/bad/template.yaml:9:28: error: unknown key 'widht' "
        "in a panel — did you mean 'width'?\n");
    fails("masters:\n"
          "  left: { foot: { left: \"p. {pgae}\", middle: x } }\n"
          "  rigth: {}\n"
          "char-styles:\n"
          "  strong: { weight: heavy }\n"
          "blocks:\n"
          "  table: { head-fill: nope }\n"
          "fonts: nofonts\n",
          "data/templates/bad/template.yaml:2:29: error: unknown variable "
          "'pgae' — did you mean 'page'?\n"
          "data/templates/bad/template.yaml:2:38: error: unknown key "
          "'middle' in 'foot' (expected one of: left, center, right)\n"
          "data/templates/bad/template.yaml:3:3: error: unknown key 'rigth' "
          "in 'masters' — did you mean 'right'?\n"
          "data/templates/bad/template.yaml:5:21: error: 'weight' must be "
          "normal or bold, not 'heavy'\n"
          "data/templates/bad/template.yaml:7:23: error: unknown swatch "
          "'nope' (swatches: black, white, grey, light, brand, tint)\n"
          "data/templates/bad/template.yaml:8:8: error: 'fonts' must be a "
          "folder inside the template: 'nofonts': no such file\n");
}

/* `print:` and the fold-in panel: settings read, mistakes reported. */
static void test_print_settings(void **state)
{
    (void)state;
    put_file("data/templates/p/template.yaml",
             "print: { pdfx: x1a, marks: { color-bar: false, folds: false },\n"
             "         overprint: { text: 9.5, rules: false } }\n");
    result r = load_with("template: p\n", "data");
    assert_int_equal(r.st, FO_OK);
    assert_true(r.t->print.pdfx_1a);
    static const int marks[FO_TEMPLATE_NMARKS] = {1, 1, 0, 1, 0};
    for (int i = 0; i < FO_TEMPLATE_NMARKS; i++)
        assert_int_equal(r.t->print.marks[i], marks[i]);
    assert_float_equal(r.t->print.overprint_text, 9.5, 0);
    assert_false(r.t->print.overprint_rules);
    done(&r);

    fails("print: { pdfx: x2, marks: { crop: maybe, colour-bar: true },\n"
          "         overprint: { text: 100, rule: true }, bleed: 3 }\n",
          "data/templates/bad/template.yaml:1:16: error: 'pdfx' must be x4 "
          "or x1a, not 'x2' — did you mean 'x4'?\n"
          "data/templates/bad/template.yaml:1:35: error: 'crop' must be true "
          "or false, found 'maybe'\n"
          "data/templates/bad/template.yaml:1:42: error: unknown key "
          "'colour-bar' in 'marks' — did you mean 'color-bar'?\n"
          "data/templates/bad/template.yaml:2:29: error: 'text' must be "
          "between 0 and 72, found '100'\n"
          "data/templates/bad/template.yaml:2:34: error: unknown key 'rule' "
          "in 'overprint' — did you mean 'rules'?\n"
          "data/templates/bad/template.yaml:2:48: error: unknown key "
          "'bleed' in 'print' (expected one of: pdfx, marks, overprint)\n");
    /* a fold-in panel needs panels side by side across the sheet */
    fails(
        "page: { size: A4, orientation: landscape }\n"
        "facing: false\n"
        "margins: { left: 0, right: 0, top: 0, bottom: 0 }\n"
        "sections: continue\n"
        "panels:\n"
        "  - { name: a, side: inside, x: 0, y: 0, width: 140, height: 210 }\n"
        "  - { name: b, side: inside, x: 150, y: 0, width: 147, height: 210,\n"
        "      folds-in: true }\n"
        "  - { name: c, side: outside, x: 0, y: 0, width: 147, height: 210 }\n"
        "  - { name: d, side: outside, x: 147, y: 0, width: 150, height: 210,\n"
        "      folds-in: true }\n",
        "data/templates/bad/template.yaml:6:3: error: panel 'b' folds in, "
        "but the panels on the inside of the sheet do not stand side by "
        "side across it with one behind 'b'\n"
        "data/templates/bad/template.yaml:11:17: error: only one panel can "
        "fold in ('b' does already)\n");
}

/* Errors in the publication's overrides are reported at its positions,
 * after the template's. */
static void test_override_errors(void **state)
{
    (void)state;
    result r = load("template: yearbook\n"
                    "styles:\n"
                    "  h1: { sise: 12, color: brnad }\n"
                    "  body: { align: middle }\n");
    assert_string_equal(
        r.diags,
        "proj/pub.yaml:3:9: error: unknown key 'sise' in style 'h1' — did "
        "you mean 'size'?\n"
        "proj/pub.yaml:3:26: error: unknown swatch 'brnad' — did you mean "
        "'brand'?\n"
        "proj/pub.yaml:4:18: error: 'align' must be justify, left, center or "
        "right, not 'middle'\n");
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_null(r.t);
    assert_int_equal(r.errors, 3);
    done(&r);
}

/* ---- languages ------------------------------------------------------ */

/* The shipped templates: English and French spaces shrink to 2/3,
 * Vietnamese ones keep the body's 3/4; a little letter spacing for all. */
static void test_languages_shipped(void **state)
{
    (void)state;
    static const struct {
        const char *tmpl, *lang;
        double shrink, letter_stretch, letter_shrink;
        int min_left, min_word;
    } cases[] = {
        /* English and French: publishers' minima and wider letter
         * spacing; Vietnamese: the body's own. The trifold is ragged. */
        {"yearbook", "en", 0.333, 0.03, 0.02, 3, 6},
        {"yearbook", "fr", 0.333, 0.03, 0.02, 3, 6},
        {"yearbook", "vi", 0.25, 0.02, 0.01, 2, 5},
        {"yearbook", "en-GB", 0.333, 0.03, 0.02, 3, 6},
        {"yearbook", NULL, 0.25, 0.02, 0.01, 2, 5},
        {"booklet", "en", 0.333, 0.03, 0.02, 3, 6},
        {"booklet", "vi", 0.25, 0.02, 0.01, 2, 5},
        {"trifold", "en", 0.25, 0.01, 0.005, 2, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char pub[64];
        (void)snprintf(pub, sizeof pub, "template: %s\n", cases[i].tmpl);
        result r = load_lang(pub, FO_TEST_SRC, cases[i].lang);
        assert_string_equal(r.diags, "");
        assert_int_equal(r.st, FO_OK);
        const fo_style *body = fo_template_style(r.t, "body");
        assert_float_equal(body->shrink, cases[i].shrink, 0);
        assert_float_equal(body->stretch, 0.5, 0);
        assert_float_equal(body->letter_stretch, cases[i].letter_stretch, 0);
        assert_float_equal(body->letter_shrink, cases[i].letter_shrink, 0);
        assert_int_equal(body->hyph_left, cases[i].min_left);
        assert_int_equal(body->hyph_min_word, cases[i].min_word);
        /* styles based on body follow it */
        assert_float_equal(fo_template_style(r.t, "list")->shrink,
                           cases[i].shrink, 0);
        done(&r);
    }
}

/* The hyphenation exceptions of an edition: folio's shared list, then the
 * template's own, then the publication's, each filtered by language (a
 * primary subtag matches its regions); a malformed entry is an error at
 * it. */
static void test_hyphenation_lists(void **state)
{
    (void)state;
    put_file("data/templates/hyphenation.yaml",
             "en: [home-stays, Kandelia]\nfr: [Viet-na-mien]\n");
    put_file("data/templates/hy/template.yaml", "styles: {}\n");
    put_file("data/templates/hy/hyphenation.yaml", "en: [Kan-de-lia]\n");
    static const char pub[] = "template: hy\n"
                              "hyphenation:\n"
                              "  en-GB: [Nam-dinh]\n"
                              "  vi: [Hanoi]\n";
    result r = load_lang(pub, "data", "en-GB");
    assert_string_equal(r.diags, "");
    const fo_hyph_words *w = &r.t->hyph_words;
    assert_int_equal(w->n, 4);
    assert_string_equal(w->items[0].word, "home-stays");
    assert_string_equal(w->items[1].word, "Kandelia");
    assert_string_equal(w->items[2].word, "Kan-de-lia");
    assert_string_equal(w->items[3].word, "Nam-dinh");
    assert_int_equal(w->items[3].pos.line, 3);
    done(&r);
    r = load_lang(pub, "data", "vi");
    assert_int_equal(r.t->hyph_words.n, 1);
    assert_string_equal(r.t->hyph_words.items[0].word, "Hanoi");
    done(&r);
    r = load_lang("template: hy\nhyphenation:\n  en: [ok, two words, "
                  "a--b, -x, 3rd]\n  fr: word\n",
                  "data", "en");
    assert_string_equal(
        r.diags,
        "proj/pub.yaml:3:12: error: 'two words' is not a hyphenation "
        "entry: write one word of letters with '-' at each place it may "
        "break ('Kan-de-lia'), or with none ('Thanh')\n"
        "proj/pub.yaml:3:23: error: 'a--b' is not a hyphenation entry: "
        "write one word of letters with '-' at each place it may break "
        "('Kan-de-lia'), or with none ('Thanh')\n"
        "proj/pub.yaml:3:29: error: '-x' is not a hyphenation entry: write "
        "one word of letters with '-' at each place it may break "
        "('Kan-de-lia'), or with none ('Thanh')\n"
        "proj/pub.yaml:3:33: error: '3rd' is not a hyphenation entry: write "
        "one word of letters with '-' at each place it may break "
        "('Kan-de-lia'), or with none ('Thanh')\n"
        "proj/pub.yaml:4:7: error: 'hyphenation: fr' must be a list of "
        "words, found a string\n");
    done(&r);
}

/* Only body and list text is hyphenated: a template asking for it in a
 * heading gets a warning and no hyphens there. */
static void test_display_never_hyphenated(void **state)
{
    (void)state;
    put_file("data/templates/hy/template.yaml",
             "styles:\n"
             "  h2: { hyphenate: true }\n"
             "  list: { hyphenate: true }\n");
    result r = load_with("template: hy\n", "data");
    assert_string_equal(
        r.diags, "data/templates/hy/template.yaml:2:3: warning: style 'h2' "
                 "is never hyphenated: only body and list text are "
                 "(headings, captions, tables, the cover and the contents "
                 "are not); 'hyphenate: true' is ignored\n");
    assert_int_equal(fo_template_style(r.t, "h2")->hyphenate, 0);
    assert_int_equal(fo_template_style(r.t, "list")->hyphenate, 1);
    assert_int_equal(fo_template_style(r.t, "body")->hyphenate, 1);
    /* a style that inherits body's hyphenation quietly loses it */
    assert_int_equal(fo_template_style(r.t, "credit")->hyphenate, 0);
    done(&r);
}

/* A template with languages, and a publication that adds its own. */
static const char lang_template[] =
    "styles:\n"
    "  body: { size: 10, leading: 14, shrink: 0.25 }\n"
    "  h1: { size: 20 }\n"
    "languages:\n"
    "  zh-Hant: { styles: { body: { size: 12 } } }\n"
    "  zh: { styles: { body: { size: 11, leading: 16, letter-spacing: 1 },\n"
    "                  note: { size: 7 } } }\n"
    "  en: { styles: { body: { shrink: 0.333 }, h1: { size: 21 } } }\n";
static const char lang_pub[] = "template: lang\n"
                               "styles:\n"
                               "  body: { leading: 15 }\n"
                               "languages:\n"
                               "  zh-Hant: { styles: { body: { letter-spacing: "
                               "0 } } }\n"
                               "  en: { styles: { h1: { size: 22 } } }\n";

typedef struct lang_case {
    const char *lang;
    double size, leading, letter_spacing, shrink, h1;
    bool note; /* the zh-only style exists */
} lang_case;

static void test_language_layers(void **state)
{
    (void)state;
    put_file("data/templates/lang/template.yaml", lang_template);
    static const lang_case cases[] = {
        /* no entry: template, then publication styles */
        {NULL, 10, 15, 0, 0.25, 20, false},
        {"vi", 10, 15, 0, 0.25, 20, false},
        /* exact key; the publication's entry comes last */
        {"en", 10, 15, 0, 0.333, 22, false},
        /* primary subtag; the publication's styles beat the template's
         * language (leading) */
        {"zh", 11, 15, 1, 0.25, 20, true},
        {"zh-Hans", 11, 15, 1, 0.25, 20, true},
        /* zh, then zh-Hant (whatever their order in the file), then the
         * publication's styles and its zh-Hant */
        {"zh-Hant", 12, 15, 0, 0.25, 20, true},
        {"zh-hant", 12, 15, 0, 0.25, 20, true},    /* tags ignore case */
        {"zh-Hant-TW", 11, 15, 1, 0.25, 20, true}, /* only zh matches */
        {"en-US", 10, 15, 0, 0.333, 22, false},    /* en, both files' */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const lang_case *c = &cases[i];
        result r = load_lang(lang_pub, "data", c->lang);
        assert_string_equal(r.diags, "");
        assert_int_equal(r.st, FO_OK);
        const fo_style *body = fo_template_style(r.t, "body");
        assert_float_equal(body->size, c->size, 0);
        assert_float_equal(body->leading, c->leading, 0);
        assert_float_equal(body->letter_spacing, c->letter_spacing, 0);
        assert_float_equal(body->shrink, c->shrink, 0);
        assert_float_equal(fo_template_style(r.t, "h1")->size, c->h1, 0);
        /* base is followed after every layer: list follows the body */
        assert_float_equal(fo_template_style(r.t, "list")->size, c->size, 0);
        const fo_style *note = fo_template_style(r.t, "note");
        assert_int_equal(note != NULL, c->note);
        if (note)
            assert_float_equal(note->leading, c->leading, 0);
        done(&r);
    }
}

/* Every entry is checked whatever the edition's language, so each edition
 * reports the same errors; those of the publication at its positions. */
static void test_language_errors(void **state)
{
    (void)state;
    put_file("data/templates/bad/template.yaml",
             "languages:\n"
             "  EN: { styles: { body: { shrink: 0.3 } } }\n"
             "  en: { style: { body: { size: 9 } } }\n"
             "  vi: { styles: { body: { shrink: 2, colour: ink,\n"
             "                          color: brnad },\n"
             "                  h2: { base: h9 } } }\n"
             "  fr: [1]\n"
             "  zh-Hant: {}\n"
             "  zh-hant: {}\n"
             "  english: {}\n");
    static const char pub[] =
        "template: bad\n"
        "languages:\n"
        "  vi: { styles: { body: { sise: 1 } }, fonts: x }\n";
    static const char expected[] =
        "data/templates/bad/template.yaml:2:3: error: 'EN' is not a "
        "language tag (such as vi, en or zh-Hant)\n"
        "data/templates/bad/template.yaml:3:9: error: unknown key 'style' "
        "in language 'en' — did you mean 'styles'?\n"
        "data/templates/bad/template.yaml:4:35: error: 'shrink' must be "
        "between 0 and 1, found '2'\n"
        "data/templates/bad/template.yaml:4:38: error: unknown key 'colour' "
        "in style 'body' — did you mean 'color'?\n"
        "data/templates/bad/template.yaml:5:34: error: unknown swatch "
        "'brnad' — did you mean 'brand'?\n"
        "data/templates/bad/template.yaml:6:31: error: unknown style 'h9' "
        "— did you mean 'h1'?\n"
        "data/templates/bad/template.yaml:7:7: error: language 'fr' must "
        "be a mapping, found a sequence\n"
        "data/templates/bad/template.yaml:9:3: error: language 'zh-hant' is "
        "already given as 'zh-Hant' (first at 8:3; tags ignore case)\n"
        "data/templates/bad/template.yaml:10:3: error: 'english' is not a "
        "language tag (such as vi, en or zh-Hant)\n"
        "proj/pub.yaml:3:27: error: unknown key 'sise' in style 'body' — "
        "did you mean 'size'?\n"
        "proj/pub.yaml:3:40: error: unknown key 'fonts' in language 'vi' "
        "(expected one of: styles)\n";
    const char *langs[] = {NULL, "en", "vi", "fr", "zh-Hant"};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        result r = load_lang(pub, "data", langs[i]);
        assert_string_equal(r.diags, expected);
        assert_int_equal(r.st, FO_ERR_INPUT);
        assert_null(r.t);
        done(&r);
    }
    result r =
        load_lang("template: yearbook\nlanguages: [en]\n", FO_TEST_SRC, "en");
    assert_string_equal(r.diags, "proj/pub.yaml:2:12: error: 'languages' "
                                 "must be a mapping, found a sequence\n");
    done(&r);
    put_file("data/templates/bad/template.yaml", "languages: en\n");
    r = load_lang("template: bad\n", "data", "en");
    assert_string_equal(r.diags,
                        "data/templates/bad/template.yaml:1:12: error: "
                        "'languages' must be a mapping, found 'en'\n");
    done(&r);
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yearbook),
        cmocka_unit_test(test_booklet),
        cmocka_unit_test(test_trifold),
        cmocka_unit_test(test_print_settings),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_builtin_styles),
        cmocka_unit_test(test_design_values),
        cmocka_unit_test(test_path_template),
        cmocka_unit_test(test_unknown_template),
        cmocka_unit_test(test_errors_one_run),
        cmocka_unit_test(test_errors_values),
        cmocka_unit_test(test_override_errors),
        cmocka_unit_test(test_languages_shipped),
        cmocka_unit_test(test_hyphenation_lists),
        cmocka_unit_test(test_display_never_hyphenated),
        cmocka_unit_test(test_language_layers),
        cmocka_unit_test(test_language_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
