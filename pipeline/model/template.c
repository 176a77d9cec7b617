/* template — a template folder's template.yaml, plus the publication's
 * `styles:` overrides, to a fo_template with every style complete and every
 * colour resolved (docs/templates.md is the user's reference).
 *
 * Contract: fo_template_load either returns a template in which every key
 * was known and every value in range, or nothing, having reported every
 * problem it found at the file:line:col of the offending node, in file
 * order (template.yaml first, then the publication's overrides), never
 * stopping at the first. Geometry in the YAML is in millimetres and comes
 * out in points; type is in points throughout.
 *
 * Styles are declarations layered per name and then resolved: folio's
 * built-in table (written below as YAML and read by the same code as a
 * template, so both follow one schema), then the template's declaration
 * (which replaces the built-in one, except for body, which it refines),
 * then the template's `languages:` entry for the edition, the publication's
 * `styles:` and the publication's `languages:` entry (each of which refines
 * whatever is there). A value a
 * declaration leaves out comes from its `base` style (default body), after
 * all layers: a publication that enlarges body enlarges every style that
 * does not set its own size. Swatch names are resolved last, so a template
 * may use a swatch before the `swatches:` key that defines it. */
#define _XOPEN_SOURCE 700
#include "model/template.h"

#include <assert.h>
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "model/model_private.h"
#include "model/read.h"
#include "model/style.h"
#include "model/template_private.h"
#include "source/source.h"

/* folio's own swatches and styles, under every template. The swatch
 * colours are those of the first hard-coded yearbook layout. */
static const char builtin_yaml[] =
    "swatches:\n"
    "  black: { cmyk: [0, 0, 0, 100], rgb: [0, 0, 0] }\n"
    "  white: { cmyk: [0, 0, 0, 0], rgb: [100, 100, 100] }\n"
    "  grey: { cmyk: [0, 0, 0, 70], rgb: [30, 30, 30] }\n"
    "  light: { cmyk: [0, 0, 0, 8], rgb: [92, 92, 92] }\n"
    "  brand: { cmyk: [0, 90, 85, 30], rgb: [70, 7, 10] }\n"
    "  tint: { cmyk: [0, 12, 11, 4], rgb: [96, 86, 85] }\n"
    "styles:\n"
    "  body: { family: Noto Serif, weight: normal, style: normal, size: 10,\n"
    "    leading: 14, space-before: 0, space-after: 5, first-indent: 0,\n"
    "    align: justify, color: black, keep-with-next: false,\n"
    "    hyphenate: true, shrink: 0.25, stretch: 0.5, hyphen-min-left: 2,\n"
    "    hyphen-min-right: 3, hyphen-min-word: 5, hyphen-short-word: 0,\n"
    "    hyphen-short-penalty: 0, tolerance: 200, pretolerance: 100,\n"
    "    line-penalty: 10, hyphen-penalty: 50,\n"
    "    double-hyphen-demerits: 1000000, final-hyphen-demerits: 5000,\n"
    "    adj-demerits: 10000, max-hyphens: 2, letter-spacing: 0,\n"
    "    letter-stretch: 0.01, letter-shrink: 0.005,\n"
    "    uppercase: false, balance: false, underline-position: 0.12,\n"
    "    underline-thickness: 0.06 }\n"
    "  h1: { balance: true, family: Noto Sans, weight: bold, size: 22, "
    "leading: 27,\n"
    "    space-after: 16, align: left, color: brand, keep-with-next: true,\n"
    "    hyphenate: false }\n"
    "  h2: { balance: true, family: Noto Sans, weight: bold, size: 13, "
    "leading: 16,\n"
    "    space-before: 9, space-after: 4, align: left, color: brand,\n"
    "    keep-with-next: true, hyphenate: false }\n"
    "  h3: { balance: true, family: Noto Sans, weight: bold, style: italic, "
    "size: 11,\n"
    "    leading: 14, space-before: 6, space-after: 3, align: left,\n"
    "    keep-with-next: true, hyphenate: false }\n"
    "  caption: { family: Noto Sans, size: 8, leading: 10, space-before: 4,\n"
    "    space-after: 8, align: left, color: grey, hyphenate: false }\n"
    "  credit: { family: Noto Sans, size: 6.5, leading: 8, space-after: 8,\n"
    "    align: left, color: grey, hyphenate: false }\n"
    "  quote: { style: italic, size: 13, leading: 17, space-before: 6,\n"
    "    space-after: 4, align: left, color: brand, hyphenate: false }\n"
    "  quote-by: { family: Noto Sans, size: 8, leading: 10, space-after: 10,\n"
    "    align: left, color: grey, hyphenate: false }\n"
    "  list: { space-after: 3 }\n"
    "  table: { family: Noto Sans, size: 8, leading: 10, space-after: 0,\n"
    "    align: left, hyphenate: false }\n"
    "  table-head: { base: table, weight: bold }\n"
    "  fact-value: { family: Noto Sans, weight: bold, size: 24, leading: 26,\n"
    "    space-after: 2, align: left, color: brand, hyphenate: false }\n"
    "  fact-label: { family: Noto Sans, size: 8, leading: 10,\n"
    "    space-after: 8, align: left, hyphenate: false }\n"
    "  toc-title: { base: h1 }\n"
    "  toc-1: { family: Noto Sans, size: 11, leading: 16, space-after: 2,\n"
    "    align: left, hyphenate: false }\n"
    "  toc-2: { base: toc-1, size: 9.5, leading: 13, first-indent: 12 }\n"
    "  cover-title: { balance: true, family: Noto Sans, weight: bold, size: "
    "34,\n"
    "    leading: 40, space-after: 14, align: left, color: brand,\n"
    "    hyphenate: false }\n"
    "  cover-subtitle: { balance: true, style: italic, size: 16, leading: 21,\n"
    "    space-after: 10, align: left, hyphenate: false }\n"
    "  cover-meta: { family: Noto Sans, size: 10, leading: 13,\n"
    "    space-after: 3, align: left, hyphenate: false }\n"
    "  head: { family: Noto Sans, size: 8, leading: 10, space-after: 0,\n"
    "    align: left, color: grey, hyphenate: false }\n"
    "  foot: { family: Noto Sans, size: 8, leading: 10, space-after: 0,\n"
    "    align: left, color: grey, hyphenate: false }\n";

/* ---- the loader ------------------------------------------------------ */

bool fo_tl_need_map(fo_tl *L, const fo_node *v, const char *what)
{
    if (v->kind == FO_NODE_MAP)
        return true;
    char buf[FO_READ_FOUND_MAX];
    fo_error(L->d, v->pos, "%s must be a mapping, found %s", what,
             fo_read_found(v, buf));
    return false;
}

char *fo_tl_join_names(const char *const *names)
{
    fo_buf b;
    fo_buf_init(&b, 0);
    for (int i = 0; names[i]; i++) {
        fo_status st = fo_buf_puts(&b, i ? ", " : "");
        if (st == FO_OK)
            st = fo_buf_puts(&b, names[i]);
        assert(st == FO_OK);
        (void)st;
    }
    return b.data;
}

/* "unknown WHAT 'x' — did you mean 'y'?" or "... (expected one of: …)". */
void fo_tl_unknown_name(fo_tl *L, fo_pos pos, const char *what,
                        const char *name, const char *const *names,
                        const char *list_label)
{
    const char *h = fo_model_hint(name, names);
    if (h) {
        fo_error(L->d, pos, "unknown %s '%s' — did you mean '%s'?", what, name,
                 h);
        return;
    }
    char *list = fo_tl_join_names(names);
    fo_error(L->d, pos, "unknown %s '%s' (%s: %s)", what, name, list_label,
             list ? list : "");
    free(list);
}

void fo_tl_add_cref(fo_tl *L, const fo_node *v, const char *key, fo_color *dst,
                    int *set)
{
    const char *name = NULL;
    if (!fo_read_text(L->d, v, key, &name))
        return;
    cref *c = fo_arena_alloc(L->a, sizeof *c);
    *c = (cref){NULL, name, v->pos, dst, set};
    *L->crefs_end = c;
    L->crefs_end = &c->next;
}

void fo_tl_add_sref(fo_tl *L, const char *name, fo_pos pos,
                    const fo_style **dst)
{
    sref *s = fo_arena_alloc(L->a, sizeof *s);
    *s = (sref){NULL, name, pos, dst};
    *L->srefs_end = s;
    L->srefs_end = &s->next;
}

/* ---- blocks ---------------------------------------------------------- */

/* What a block key holds. */
typedef enum bkind {
    B_COLOR, /* a swatch name */
    B_COUNT, /* a whole number >= 1 */
    B_PT,    /* points >= 0 */
    B_MM,    /* millimetres >= 0, kept in points */
    B_SHARE, /* a share, 0 to 1 */
    B_TIMES  /* a number >= 0 of something (body leadings) */
} bkind;

typedef struct bkey {
    const char *block, *key;
    bkind kind;
    size_t off;
} bkey;

#define BKEY(b, k, kind, m)                                                    \
    {                                                                          \
        b, k, kind, offsetof(fo_template, m)                                   \
    }
static const bkey block_keys[] = {
    BKEY("rule", NULL, B_COLOR, rule),
    BKEY("table", "head-fill", B_COLOR, table_head_fill),
    BKEY("table", "zebra-fill", B_COLOR, table_zebra_fill),
    BKEY("quote", "rule", B_COLOR, quote_rule),
    BKEY("facts", "fill", B_COLOR, facts_fill),
    BKEY("facts", "per-row", B_COUNT, facts_per_row),
    BKEY("facts", "space-before", B_PT, facts_space_before),
    BKEY("facts", "space-after", B_PT, facts_space_after),
    BKEY("figure", "gap", B_PT, figure_gap),
    BKEY("figure", "max-height", B_SHARE, figure_max_height),
    BKEY("figure", "space-before", B_TIMES, figure_space_before),
    BKEY("figure", "space-after", B_TIMES, figure_space_after),
    BKEY("cover", "background", B_COLOR, cover_background),
    BKEY("cover", "image-height", B_SHARE, cover_image_height),
    BKEY("cover", "logo-width", B_SHARE, cover_logo_width),
    BKEY("cover", "logo-height", B_MM, cover_logo_height),
    BKEY("cover", "text-top", B_PT, cover_text_top),
    BKEY("cover", "title-gap", B_PT, cover_title_gap),
    BKEY("cover", "subtitle-gap", B_PT, cover_subtitle_gap),
};
#undef BKEY
#define NBKEYS (sizeof block_keys / sizeof block_keys[0])

static void load_block_value(fo_tl *L, const bkey *b, const fo_node *v)
{
    char *dst = (char *)L->t + b->off;
    const char *key = b->key ? b->key : b->block;
    int n = 0;
    double x = 0;
    bool ok = false;
    switch (b->kind) {
    case B_COLOR:
        fo_tl_add_cref(L, v, key, (fo_color *)(void *)dst, NULL);
        return;
    case B_COUNT:
        if (fo_read_int(L->d, v, key, 1, FO_READ_INT_MAX, &n))
            memcpy(dst, &n, sizeof n);
        return;
    case B_MM:
        ok = fo_read_mm(L->d, v, key, FO_READ_NONNEG, &x);
        break;
    case B_SHARE:
        ok = fo_read_in_range(L->d, v, key, FO_READ_UNIT, &x);
        break;
    case B_PT:
    case B_TIMES:
        ok = fo_read_in_range(L->d, v, key, FO_READ_NONNEG, &x);
        break;
    }
    if (ok)
        memcpy(dst, &x, sizeof x);
}

static void load_block(fo_tl *L, const fo_node *name, const fo_node *v)
{
    const char *names[NBKEYS + 1] = {NULL}, *keys[NBKEYS + 1] = {NULL};
    size_t nn = 0, nk = 0;
    const bkey *simple = NULL;
    bool known = false;
    for (size_t i = 0; i < NBKEYS; i++) {
        if (nn == 0 || strcmp(names[nn - 1], block_keys[i].block) != 0)
            names[nn++] = block_keys[i].block;
        if (fo_node_is(name, block_keys[i].block)) {
            known = true;
            if (block_keys[i].key)
                keys[nk++] = block_keys[i].key;
            else
                simple = &block_keys[i];
        }
    }
    if (!known) {
        fo_model_unknown_key(L->d, name, "in 'blocks'", names);
        return;
    }
    if (simple) {
        load_block_value(L, simple, v);
        return;
    }
    if (!fo_tl_need_map(L, v, fo_arena_printf(L->a, "'%s'", name->str)))
        return;
    const char *where = fo_arena_printf(L->a, "in 'blocks: %s'", name->str);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key;
        size_t i = 0;
        while (i < NBKEYS &&
               !(fo_node_is(name, block_keys[i].block) && block_keys[i].key &&
                 fo_node_is(key, block_keys[i].key)))
            i++;
        if (i < NBKEYS)
            load_block_value(L, &block_keys[i], v->pairs[k].value);
        else
            fo_model_unknown_key(L->d, key, where, keys);
    }
}

static void load_blocks(fo_tl *L, const fo_node *v)
{
    if (!fo_tl_need_map(L, v, "'blocks'"))
        return;
    for (int k = 0; k < v->n; k++)
        load_block(L, v->pairs[k].key, v->pairs[k].value);
}

/* ---- the template file ----------------------------------------------- */

static const char *const template_keys[] = {
    "name",     "description", "page",          "facing",     "bleed",
    "margins",  "columns",     "gutter",        "widows",     "orphans",
    "sections", "contents",    "cover",         "title-page", "fonts",
    "swatches", "styles",      "char-styles",   "masters",    "blocks",
    "panels",   "languages",   "binding",       "imposition", "fold-in-by",
    "print",    "print-ppi",   "print-max-ppi", NULL};

static void load_fonts_dir(fo_tl *L, const fo_node *v)
{
    const char *rel = NULL;
    if (!fo_read_path(L->d, v, "fonts", &rel))
        return;
    const char *why = NULL;
    char *p = fo_path_confined(L->t->dir, L->t->dir, rel, &why);
    struct stat st;
    if (p && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)))
        why = "not a folder";
    if (!p || why)
        fo_error(L->d, v->pos,
                 "'fonts' must be a folder inside the template: "
                 "'%s': %s",
                 rel, why ? why : "not a folder");
    else
        L->t->fonts_dir = fo_arena_strdup(L->out, p);
    free(p);
}

/* Scalar settings: lengths, counts, switches. Returns false for a key that
 * is not one of them. */
static bool load_setting(fo_tl *L, const fo_node *key, const fo_node *v)
{
    static const char *const openers[] = {"continue", "new-page",
                                          "new-right-page", NULL};
    static const char *const bindings[] = {"none", "perfect", "saddle-stitch",
                                           NULL};
    fo_template *t = L->t;
    int n = 0;
    if (fo_node_is(key, "bleed")) {
        (void)fo_read_mm(L->d, v, "bleed", (fo_read_range){0, false, 25},
                         &t->bleed);
    } else if (fo_node_is(key, "fold-in-by")) {
        (void)fo_read_mm(L->d, v, "fold-in-by", (fo_read_range){0, false, 25},
                         &t->fold_in_by);
    } else if (fo_node_is(key, "print-ppi")) {
        (void)fo_read_in_range(L->d, v, "print-ppi",
                               (fo_read_range){72, false, 4800}, &t->print_ppi);
    } else if (fo_node_is(key, "print-max-ppi")) {
        (void)fo_read_in_range(L->d, v, "print-max-ppi",
                               (fo_read_range){72, false, 4800},
                               &t->print_max_ppi);
    } else if (fo_node_is(key, "gutter")) {
        (void)fo_read_mm(L->d, v, "gutter", FO_READ_NONNEG, &t->gutter);
    } else if (fo_node_is(key, "columns")) {
        (void)fo_read_int(L->d, v, "columns", 1, FO_READ_INT_MAX, &t->columns);
    } else if (fo_node_is(key, "widows")) {
        (void)fo_read_int(L->d, v, "widows", 1, FO_READ_INT_MAX, &t->widows);
    } else if (fo_node_is(key, "orphans")) {
        (void)fo_read_int(L->d, v, "orphans", 1, FO_READ_INT_MAX, &t->orphans);
    } else if (fo_node_is(key, "facing")) {
        if (fo_read_bool(L->d, v, "facing", &n))
            t->facing = n;
    } else if (fo_node_is(key, "contents")) {
        (void)fo_read_bool(L->d, v, "contents", &t->contents);
    } else if (fo_node_is(key, "cover")) {
        (void)fo_read_bool(L->d, v, "cover", &t->cover);
    } else if (fo_node_is(key, "title-page")) {
        (void)fo_read_bool(L->d, v, "title-page", &t->title_page);
    } else if (fo_node_is(key, "binding")) {
        n = fo_read_enum(L->d, v, "binding", bindings);
        if (n >= 0)
            t->binding = (fo_binding)n;
    } else if (fo_node_is(key, "sections")) {
        n = fo_read_enum(L->d, v, "sections", openers);
        if (n >= 0)
            t->opener = (fo_opener)n;
    } else if (fo_node_is(key, "name") || fo_node_is(key, "description")) {
        const char *s = NULL;
        if (fo_read_text(L->d, v, key->str, &s) && fo_node_is(key, "name"))
            t->name = fo_arena_strdup(L->out, s);
    } else {
        return false;
    }
    return true;
}

static void load_template(fo_tl *L, const fo_node *root, const char *lang)
{
    const fo_node *languages = NULL;
    if (!fo_tl_need_map(L, root, "a template"))
        return;
    L->root = root;
    /* the margins' keys depend on facing, wherever it is written */
    const fo_node *f = fo_node_get(root, "facing");
    int facing = 1;
    if (f && fo_read_parse_bool(f, &facing))
        L->t->facing = facing;
    for (int k = 0; k < root->n; k++) {
        const fo_node *key = root->pairs[k].key, *v = root->pairs[k].value;
        if (load_setting(L, key, v))
            continue;
        if (fo_node_is(key, "page"))
            fo_tl_load_page(L, v);
        else if (fo_node_is(key, "margins"))
            fo_tl_load_margins(L, v);
        else if (fo_node_is(key, "fonts"))
            load_fonts_dir(L, v);
        else if (fo_node_is(key, "swatches"))
            fo_tl_load_swatches(L, v);
        else if (fo_node_is(key, "styles"))
            fo_tl_load_styles(L, v, 1);
        else if (fo_node_is(key, "char-styles"))
            fo_tl_load_char_styles(L, v);
        else if (fo_node_is(key, "masters"))
            fo_tl_load_masters(L, v);
        else if (fo_node_is(key, "blocks"))
            load_blocks(L, v);
        else if (fo_node_is(key, "panels"))
            fo_tl_load_panels(L, v);
        else if (fo_node_is(key, "imposition"))
            fo_tl_load_imposition(L, v);
        else if (fo_node_is(key, "print"))
            fo_tl_load_print(L, v);
        else if (fo_node_is(key, "languages"))
            languages = v; /* on top of styles, wherever it is written */
        else
            fo_model_unknown_key(L->d, key, "in the template", template_keys);
    }
    if (languages)
        fo_tl_load_languages(L, languages, lang);
    fo_tl_check_room(L);
    fo_tl_check_panel_keys(L);
    fo_tl_fold_in(L);
    const fo_node *mx = fo_node_get(root, "print-max-ppi");
    if (L->t->print_max_ppi < L->t->print_ppi)
        fo_error(L->d, mx ? mx->pos : root->pos,
                 "'print-max-ppi' (%g) must be at least 'print-ppi' (%g): "
                 "images above it are resampled down to 'print-ppi'",
                 L->t->print_max_ppi, L->t->print_ppi);
}

/* Defaults before the template speaks: folio's swatches and styles, an A4
 * portrait facing page, and block colours by swatch name (so that a
 * template's own 'brand' colours them). */
static void load_defaults(fo_tl *L)
{
    fo_template *t = L->t;
    fo_node *root = NULL;
    fo_status st = fo_source_load_string(builtin_yaml, sizeof builtin_yaml - 1,
                                         "<built-in>", L->a, L->d, &root);
    assert(st == FO_OK);
    (void)st;
    fo_tl_load_swatches(L, fo_node_get(root, "swatches"));
    fo_tl_load_styles(L, fo_node_get(root, "styles"), 0);
    L->page_ok = true;
    t->page_w = 210 * FO_PT_PER_MM;
    t->page_h = 297 * FO_PT_PER_MM;
    t->facing = 1;
    t->margin_top = t->margin_bottom = 20 * FO_PT_PER_MM;
    t->margin_inner = t->margin_outer = 20 * FO_PT_PER_MM;
    t->columns = 1;
    fo_tl_imposition_defaults(t);
    t->gutter = 5 * FO_PT_PER_MM;
    t->widows = t->orphans = 2;
    t->opener = FO_OPEN_PAGE;
    t->left.head_offset = t->right.head_offset = 10 * FO_PT_PER_MM;
    t->left.foot_offset = t->right.foot_offset = 10 * FO_PT_PER_MM;
    t->strong = (fo_char_style){.set_bold = 1, .bold = 1};
    t->emphasis = (fo_char_style){.set_italic = 1, .italic = 1};
    t->facts_per_row = 2;
    t->facts_space_before = 6;
    t->facts_space_after = 10;
    t->print_ppi = 300;
    t->print_max_ppi = 450;
    t->figure_gap = 4;
    /* The looks of the first hard-coded layout, which the shipped
     * templates write out (docs/templates.md, Blocks). */
    t->figure_max_height = 0.8;
    t->figure_space_before = 0.5;
    t->figure_space_after = 0.6;
    t->cover_image_height = 0.64;
    t->cover_logo_width = 0.25;
    t->cover_logo_height = 20 * FO_PT_PER_MM;
    t->cover_text_top = 14;
    t->cover_title_gap = 6;
    t->cover_subtitle_gap = 10;
    t->fold_in_by = 2 * FO_PT_PER_MM;
    t->print = (fo_print_settings){.overprint_text = 12, .overprint_rules = 1};
    for (int i = 0; i < FO_TEMPLATE_NMARKS; i++)
        t->print.marks[i] = 1;
    static const struct {
        const char *swatch;
        size_t off;
    } colors[] = {
        {"brand", offsetof(fo_template, cover_background)},
        {"brand", offsetof(fo_template, rule)},
        {"tint", offsetof(fo_template, table_head_fill)},
        {"light", offsetof(fo_template, table_zebra_fill)},
        {"brand", offsetof(fo_template, quote_rule)},
        {"light", offsetof(fo_template, facts_fill)},
    };
    for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++) {
        cref *c = fo_arena_alloc(L->a, sizeof *c);
        *c = (cref){NULL,
                    colors[i].swatch,
                    {NULL, 0, 0},
                    (fo_color *)(void *)((char *)t + colors[i].off),
                    NULL};
        *L->crefs_end = c;
        L->crefs_end = &c->next;
    }
    for (int i = 0; i < 3; i++) {
        fo_tl_add_sref(L, "head", (fo_pos){NULL, 0, 0}, &t->left.head[i].style);
        fo_tl_add_sref(L, "foot", (fo_pos){NULL, 0, 0}, &t->left.foot[i].style);
        fo_tl_add_sref(L, "head", (fo_pos){NULL, 0, 0},
                       &t->right.head[i].style);
        fo_tl_add_sref(L, "foot", (fo_pos){NULL, 0, 0},
                       &t->right.foot[i].style);
    }
}

static void finish(fo_tl *L)
{
    fo_template *t = L->t;
    for (cref *c = L->crefs; c; c = c->next)
        if (fo_tl_swatch_color(L, c->name, c->pos, c->dst) && c->set)
            *c->set = 1;
    fo_tl_resolve_styles(L);
    /* One master given: both sides look alike. */
    if (L->got_left && !L->got_right)
        t->right = t->left;
    else if (L->got_right && !L->got_left)
        t->left = t->right;
    size_t n = 0;
    for (swnode *s = L->swatches; s; s = s->next)
        n++;
    t->swatches = fo_arena_alloc(L->out, n * sizeof *t->swatches + 1);
    for (swnode *s = L->swatches; s; s = s->next) {
        t->swatches[t->nswatches] = s->s;
        t->swatches[t->nswatches++].name = fo_arena_strdup(L->out, s->s.name);
    }
}

/* ---- finding the template -------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The template folders under dir (those holding a template.yaml), sorted,
 * NULL-terminated, in arena a. */
static const char **list_templates(const char *dir, fo_arena *a)
{
    size_t n = 0, cap = 0;
    char **names = NULL;
    DIR *dp = opendir(dir);
    struct dirent *e;
    while (dp && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = fo_path_join(dir, e->d_name);
        char *yaml = fo_path_join(sub, "template.yaml");
        struct stat st;
        if (stat(yaml, &st) == 0 && S_ISREG(st.st_mode)) {
            fo_grow((void **)&names, sizeof *names, &cap, n + 1);
            names[n++] = fo_arena_strdup(a, e->d_name);
        }
        free(sub);
        free(yaml);
    }
    if (dp)
        (void)closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    const char **out = fo_arena_alloc(a, (n + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = names[i];
    free(names);
    return out;
}

/* Finds the template folder: *dir (canonical) and *shown (template.yaml as
 * the user would write it), malloc'd; false after reporting. */
static bool find_template(const fo_pub *pub, const char *data_dir, fo_arena *a,
                          fo_diags *d, char **dir, char **shown)
{
    const char *name = pub->template_name ? pub->template_name : "yearbook";
    fo_pos pos = pub->template_pos;
    *dir = *shown = NULL;
    if (strchr(name, '/')) {
        const char *why = NULL;
        char *rel = fo_path_join(name, "template.yaml");
        char *yaml = fo_path_confined(pub->root, pub->root, rel, &why);
        free(rel);
        *dir = yaml ? fo_path_dirname(yaml) : NULL;
        free(yaml);
        if (!*dir) {
            char *hint = NULL;
            if (strcmp(why, "no such file") == 0) {
                /* the folder is there: it lacks its template.yaml; else
                 * where folio looked, and a near folder name */
                char *folder = fo_path_join(pub->root, name);
                struct stat st;
                if (stat(folder, &st) == 0)
                    why = "no template.yaml there";
                else
                    hint = fo_path_missing_hint(pub->root, pub->root, name);
                free(folder);
            }
            fo_error(d, pos, "cannot use the template '%s': %s", name,
                     hint ? hint : why);
            free(hint);
            free(*dir);
            *dir = NULL;
            return false;
        }
        char *pubdir = fo_path_dirname(pub->file);
        char *folder = fo_path_join(pubdir, name);
        *shown = fo_path_join(folder, "template.yaml");
        free(pubdir);
        free(folder);
        return true;
    }
    char *base = fo_path_join(data_dir, "templates");
    const char **names = list_templates(base, a);
    bool ok = false;
    for (size_t i = 0; names[i] && !ok; i++)
        ok = strcmp(names[i], name) == 0;
    if (ok) {
        char *folder = fo_path_join(base, name);
        *dir = realpath(folder, NULL);
        *shown = fo_path_join(folder, "template.yaml");
        free(folder);
        ok = *dir != NULL;
    }
    if (!ok) {
        const char *h = fo_model_hint(name, names);
        char *list = fo_tl_join_names(names);
        if (h)
            fo_error(d, pos, "unknown template '%s' — did you mean '%s'?", name,
                     h);
        else
            fo_error(d, pos, "unknown template '%s' (templates: %s)", name,
                     list ? list : "none");
        free(list);
        free(*shown);
        *shown = NULL;
    }
    free(base);
    return ok;
}

/* ---- diagnostics in file order --------------------------------------- */

typedef struct ord {
    const fo_diag *g;
    int file; /* order of first appearance of its file */
    size_t seq;
} ord;

static int cmp_ord(const void *x, const void *y)
{
    const ord *p = x, *q = y;
    if (p->file != q->file)
        return p->file < q->file ? -1 : 1;
    if (p->g->pos.line != q->g->pos.line)
        return p->g->pos.line < q->g->pos.line ? -1 : 1;
    if (p->g->pos.col != q->g->pos.col)
        return p->g->pos.col < q->g->pos.col ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Moves the diagnostics of local into d, sorted by file (in order of first
 * appearance), line and column. */
static void flush_sorted(fo_diags *local, fo_diags *d)
{
    ord *o = fo_xcalloc(local->n ? local->n : 1, sizeof *o);
    for (size_t i = 0; i < local->n; i++) {
        const fo_diag *g = &local->items[i];
        o[i] = (ord){g, (int)i, i};
        for (size_t j = 0; j < i; j++) {
            const char *f = local->items[j].file;
            if ((f == NULL && g->file == NULL) ||
                (f && g->file && strcmp(f, g->file) == 0)) {
                o[i].file = o[j].file;
                break;
            }
        }
    }
    if (local->n)
        qsort(o, local->n, sizeof *o, cmp_ord);
    for (size_t i = 0; i < local->n; i++)
        fo_diag_add_where(d, o[i].g->sev, o[i].g->pos, &o[i].g->where, "%s",
                          o[i].g->message);
    free(o);
    fo_diags_free(local);
}

/* The edition's hyphenation exceptions, in the order that lets the more
 * specific list win (fo_template.hyph_words). */
static void load_hyphenation(fo_template *t, const fo_pub *pub,
                             const char *lang, const char *data_dir,
                             const char *dir, fo_arena *a, fo_diags *d)
{
    char *shared = fo_path_join(data_dir, "templates/hyphenation.yaml");
    fo_hyph_words_load_file(shared, "templates/hyphenation.yaml", lang, a, d,
                            &t->hyph_words);
    free(shared);
    char *own = fo_path_join(dir, "hyphenation.yaml");
    fo_hyph_words_load_file(own, own, lang, a, d, &t->hyph_words);
    free(own);
    fo_hyph_words_add_lang(&pub->hyphenation, lang, a, &t->hyph_words);
}

/* ---- public API ------------------------------------------------------ */

fo_status fo_template_load(const fo_pub *pub, const char *lang,
                           const char *data_dir, fo_arena *a, fo_diags *d,
                           const fo_template **out)
{
    *out = NULL;
    fo_diags local;
    fo_diags_init(&local);
    char *dir = NULL, *shown = NULL;
    fo_status st = FO_OK;
    fo_template *t = fo_arena_alloc(a, sizeof *t);
    fo_arena *scratch = fo_arena_new();
    fo_tl L = {.t = t, .a = scratch, .out = a, .d = &local};
    L.decls_end = &L.decls;
    L.crefs_end = &L.crefs;
    L.srefs_end = &L.srefs;
    L.swatches_end = &L.swatches;
    if (!find_template(pub, data_dir, scratch, &local, &dir, &shown)) {
        st = FO_ERR_INPUT;
        goto out;
    }
    t->dir = fo_arena_strdup(a, dir);
    const char *base = strrchr(t->dir, '/');
    t->name = base ? base + 1 : t->dir;
    char *yaml = fo_path_join(dir, "template.yaml");
    fo_node *root = NULL;
    st = fo_source_load_file(yaml, shown, scratch, &local, &root);
    free(yaml);
    if (st == FO_ERR_IO) {
        fo_error(&local, (fo_pos){shown, 0, 0}, "cannot read the template");
        goto out;
    }
    if (st != FO_OK)
        goto out;
    load_defaults(&L);
    load_template(&L, root, lang);
    if (pub->styles)
        fo_tl_apply_pub_styles(&L, pub->styles, lang);
    finish(&L);
    load_hyphenation(t, pub, lang, data_dir, dir, a, &local);
    if (local.errors)
        st = FO_ERR_INPUT;
out:
    flush_sorted(&local, d); /* diagnostics copy their file names */
    fo_arena_free(scratch);
    free(dir);
    free(shown);
    if (st == FO_OK)
        *out = t;
    return st;
}

const fo_style *fo_template_style(const fo_template *t, const char *name)
{
    for (size_t i = 0; i < t->nstyles; i++)
        if (strcmp(t->styles[i].name, name) == 0)
            return &t->styles[i];
    return NULL;
}

const fo_swatch *fo_template_swatch(const fo_template *t, const char *name)
{
    for (size_t i = 0; i < t->nswatches; i++)
        if (strcmp(t->swatches[i].name, name) == 0)
            return &t->swatches[i];
    return NULL;
}
