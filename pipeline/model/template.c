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
#include "source/source.h"

#define MM FO_READ_MM
/* The smallest text frame, column and panel frame a template may leave. */
#define MIN_FRAME_MM 10.0

enum { MAX_BASE_DEPTH = 64 };

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
    "    hyphen-min-right: 3, tolerance: 200, pretolerance: 100,\n"
    "    line-penalty: 10, hyphen-penalty: 50,\n"
    "    double-hyphen-demerits: 1000000, final-hyphen-demerits: 5000,\n"
    "    adj-demerits: 10000, max-hyphens: 2, letter-spacing: 0,\n"
    "    letter-stretch: 0.01, letter-shrink: 0.005,\n"
    "    uppercase: false, underline-position: 0.12,\n"
    "    underline-thickness: 0.06 }\n"
    "  h1: { family: Noto Sans, weight: bold, size: 22, leading: 27,\n"
    "    space-after: 16, align: left, color: brand, keep-with-next: true,\n"
    "    hyphenate: false }\n"
    "  h2: { family: Noto Sans, weight: bold, size: 13, leading: 16,\n"
    "    space-before: 9, space-after: 4, align: left, color: brand,\n"
    "    keep-with-next: true, hyphenate: false }\n"
    "  h3: { family: Noto Sans, weight: bold, style: italic, size: 11,\n"
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
    "  cover-title: { family: Noto Sans, weight: bold, size: 34,\n"
    "    leading: 40, space-after: 14, align: left, color: brand,\n"
    "    hyphenate: false }\n"
    "  cover-subtitle: { style: italic, size: 16, leading: 21,\n"
    "    space-after: 10, align: left, hyphenate: false }\n"
    "  cover-meta: { family: Noto Sans, size: 10, leading: 13,\n"
    "    space-after: 3, align: left, hyphenate: false }\n"
    "  head: { family: Noto Sans, size: 8, leading: 10, space-after: 0,\n"
    "    align: left, color: grey, hyphenate: false }\n"
    "  foot: { family: Noto Sans, size: 8, leading: 10, space-after: 0,\n"
    "    align: left, color: grey, hyphenate: false }\n";

/* ---- the loader ------------------------------------------------------ */

/* The layered declarations of one style name: d holds, per key, what the
 * last layer that set it said. */
typedef struct decl decl;
struct decl {
    decl *next;
    fo_style_decl d; /* d.base NULL: body */
    bool builtin;    /* only folio's table declares it so far */
    int state;       /* 0 unresolved, 1 resolving, 2 resolved */
    fo_style out;
};

/* A swatch name to resolve into *dst (and *set = 1) once all are known. */
typedef struct cref cref;
struct cref {
    cref *next;
    const char *name;
    fo_pos pos;
    fo_color *dst;
    int *set;
};

/* A style name to resolve into *dst once all styles are known. */
typedef struct sref sref;
struct sref {
    sref *next;
    const char *name;
    fo_pos pos;
    const fo_style **dst;
};

typedef struct swnode swnode;
struct swnode {
    swnode *next;
    fo_swatch s;
};

typedef struct tl {
    fo_template *t;
    /* a: scratch for the node trees, declarations and messages, freed when
     * loading ends; out: the caller's arena, for the template and every
     * string it keeps (copied out of the trees) */
    fo_arena *a, *out;
    fo_diags *d;
    decl *decls, **decls_end;
    /* Declarations of languages that are not this edition's: checked like
     * the others (swatch and base names too) but applied to nothing. */
    decl *unused;
    cref *crefs, **crefs_end;
    sref *srefs, **srefs_end;
    swnode *swatches, **swatches_end;
    bool page_ok;
    bool got_left, got_right; /* masters */
    const fo_node *root;      /* of template.yaml */
} tl;

static bool need_map(tl *L, const fo_node *v, const char *what)
{
    if (v->kind == FO_NODE_MAP)
        return true;
    char buf[FO_READ_FOUND_MAX];
    fo_error(L->d, v->pos, "%s must be a mapping, found %s", what,
             fo_read_found(v, buf));
    return false;
}

static char *join_names(const char *const *names)
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
static void unknown_name(tl *L, fo_pos pos, const char *what, const char *name,
                         const char *const *names, const char *list_label)
{
    const char *h = fo_model_hint(name, names);
    if (h) {
        fo_error(L->d, pos, "unknown %s '%s' — did you mean '%s'?", what, name,
                 h);
        return;
    }
    char *list = join_names(names);
    fo_error(L->d, pos, "unknown %s '%s' (%s: %s)", what, name, list_label,
             list ? list : "");
    free(list);
}

static void add_cref(tl *L, const fo_node *v, const char *key, fo_color *dst,
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

static void add_sref(tl *L, const char *name, fo_pos pos, const fo_style **dst)
{
    sref *s = fo_arena_alloc(L->a, sizeof *s);
    *s = (sref){NULL, name, pos, dst};
    *L->srefs_end = s;
    L->srefs_end = &s->next;
}

/* ---- swatches -------------------------------------------------------- */

static void load_swatch(tl *L, const fo_node *name, const fo_node *v)
{
    fo_color c;
    if (!fo_read_color(L->d, v, name->str, &c))
        return;
    for (swnode *s = L->swatches; s; s = s->next)
        if (strcmp(s->s.name, name->str) == 0) {
            s->s.color = c; /* a template's own 'black' replaces folio's */
            return;
        }
    swnode *s = fo_arena_alloc(L->a, sizeof *s);
    s->s = (fo_swatch){name->str, c};
    *L->swatches_end = s;
    L->swatches_end = &s->next;
}

static void load_swatches(tl *L, const fo_node *v)
{
    if (!need_map(L, v, "'swatches'") ||
        !fo_model_few_enough(L->d, v, "swatches"))
        return;
    for (int k = 0; k < v->n; k++)
        load_swatch(L, v->pairs[k].key, v->pairs[k].value);
}

static const fo_swatch *find_swatch(tl *L, const char *name)
{
    for (swnode *s = L->swatches; s; s = s->next)
        if (strcmp(s->s.name, name) == 0)
            return &s->s;
    return NULL;
}

static const char **swatch_names(tl *L)
{
    size_t n = 0;
    for (swnode *s = L->swatches; s; s = s->next)
        n++;
    const char **names = fo_arena_alloc(L->a, (n + 1) * sizeof *names);
    n = 0;
    for (swnode *s = L->swatches; s; s = s->next)
        names[n++] = s->s.name;
    return names;
}

/* The colour of swatch name, reporting an unknown one at pos. */
static bool swatch_color(tl *L, const char *name, fo_pos pos, fo_color *out)
{
    const fo_swatch *s = find_swatch(L, name);
    if (s) {
        *out = s->color;
        return true;
    }
    unknown_name(L, pos, "swatch", name, swatch_names(L), "swatches");
    return false;
}

/* ---- styles ---------------------------------------------------------- */

static decl *find_decl(tl *L, const char *name)
{
    for (decl *dc = L->decls; dc; dc = dc->next)
        if (strcmp(dc->d.name, name) == 0)
            return dc;
    return NULL;
}

/* Stacks a layer of declarations. level: 0 folio's table, 1 the template
 * (whose declaration replaces folio's, except body's, which it refines),
 * 2 a refinement (a language of the template, the publication, a language
 * of the publication). */
static void apply_layer(tl *L, const fo_style_layer *layer, int level)
{
    for (size_t i = 0; i < layer->n; i++) {
        const fo_style_decl *src = &layer->decls[i];
        decl *dc = find_decl(L, src->name);
        if (!dc) {
            dc = fo_arena_alloc(L->a, sizeof *dc);
            dc->d.name = src->name;
            dc->d.pos = src->pos;
            *L->decls_end = dc;
            L->decls_end = &dc->next;
        } else if (level == 1 && dc->builtin &&
                   strcmp(dc->d.name, "body") != 0) {
            decl *next = dc->next;
            memset(dc, 0, sizeof *dc);
            dc->next = next;
            dc->d.name = src->name;
            dc->d.pos = src->pos;
        }
        fo_style_decl_refine(&dc->d, src);
        dc->builtin = level == 0;
    }
}

/* A layer that applies to nothing (another edition's language): kept to
 * check its swatch and base names. */
static void keep_unused(tl *L, const fo_style_layer *layer)
{
    for (size_t i = 0; i < layer->n; i++) {
        decl *dc = fo_arena_alloc(L->a, sizeof *dc);
        dc->d = layer->decls[i];
        dc->next = L->unused;
        L->unused = dc;
    }
}

/* A `styles:` mapping at level (see apply_layer). */
static void load_styles(tl *L, const fo_node *v, int level)
{
    fo_style_layer layer;
    fo_style_layer_read(v, L->a, L->d, &layer);
    apply_layer(L, &layer, level);
}

static const char **style_names(tl *L)
{
    size_t n = 0;
    for (decl *dc = L->decls; dc; dc = dc->next)
        n++;
    const char **names = fo_arena_alloc(L->a, (n + 1) * sizeof *names);
    n = 0;
    for (decl *dc = L->decls; dc; dc = dc->next)
        names[n++] = dc->d.name;
    return names;
}

static const fo_style *resolve(tl *L, decl *dc, int depth)
{
    if (dc->state == 2)
        return &dc->out;
    dc->state = 1;
    fo_style s = {0};
    const fo_style_decl *d = &dc->d;
    if (strcmp(d->name, "body") != 0) {
        decl *body = find_decl(L, "body");
        decl *bd = find_decl(L, d->base ? d->base : "body");
        if (!bd) {
            unknown_name(L, d->base_pos, "style", d->base, style_names(L),
                         "styles");
            bd = body;
        } else if (bd->state == 1 || depth > MAX_BASE_DEPTH) {
            fo_error(L->d, d->base_pos,
                     "'base: %s' makes style '%s' derive from itself",
                     d->base ? d->base : "body", d->name);
            bd = body;
        }
        s = *resolve(L, bd, depth + 1);
    }
    fo_style_decl_apply(d, &s);
    if (d->color)
        (void)swatch_color(L, d->color, d->color_pos, &s.color);
    s.name = d->name;
    dc->out = s;
    dc->state = 2;
    return &dc->out;
}

/* The swatch and base names of the languages that were not applied. */
static void check_unused(tl *L)
{
    for (decl *dc = L->unused; dc; dc = dc->next) {
        const fo_style_decl *d = &dc->d;
        fo_color c;
        if (d->color)
            (void)swatch_color(L, d->color, d->color_pos, &c);
        bool known = !d->base || find_decl(L, d->base);
        for (decl *u = L->unused; u && !known; u = u->next)
            known = strcmp(u->d.name, d->base) == 0;
        if (!known)
            unknown_name(L, d->base_pos, "style", d->base, style_names(L),
                         "styles");
    }
}

static void resolve_styles(tl *L)
{
    check_unused(L);
    fo_template *t = L->t;
    size_t n = 0;
    for (decl *dc = L->decls; dc; dc = dc->next)
        n++;
    t->styles = fo_arena_alloc(L->out, n * sizeof *t->styles);
    for (decl *dc = L->decls; dc; dc = dc->next) {
        fo_style *s = &t->styles[t->nstyles++];
        *s = *resolve(L, dc, 0);
        /* out of the scratch arena's trees */
        s->name = fo_arena_strdup(L->out, s->name);
        if (s->family)
            s->family = fo_arena_strdup(L->out, s->family);
    }
    for (sref *r = L->srefs; r; r = r->next) {
        const fo_style *s = fo_template_style(t, r->name);
        if (!s) {
            unknown_name(L, r->pos, "style", r->name, style_names(L), "styles");
            s = fo_template_style(t, "body");
        }
        *r->dst = s;
    }
}

/* ---- languages ------------------------------------------------------- */

/* `languages:` of the template or the publication, read: the entry whose
 * key is lang's primary subtag refines the styles, then the one whose key
 * is lang itself (so an exact key wins); the others are only checked. */
static void apply_langs(tl *L, const fo_style_langs *langs, const char *lang)
{
    const fo_style_lang *use[3] = {NULL, NULL, NULL}; /* by match */
    for (size_t i = 0; i < langs->n; i++) {
        const fo_style_lang *l = &langs->items[i];
        int m = l->repeated ? 0 : fo_style_lang_match(l->tag, lang);
        if (m)
            use[m] = l;
        else
            keep_unused(L, &l->styles);
    }
    for (int m = 1; m <= 2; m++)
        if (use[m])
            apply_layer(L, &use[m]->styles, 2);
}

static void load_languages(tl *L, const fo_node *v, const char *lang)
{
    fo_style_langs langs;
    fo_style_langs_read(v, L->a, L->d, &langs);
    apply_langs(L, &langs, lang);
}

/* The publication's `styles:` and `languages:`, read when it was loaded:
 * their problems are reported now, with the template's. */
static void apply_pub_styles(tl *L, const fo_pub_styles *ps, const char *lang)
{
    for (size_t i = 0; i < ps->nnotes; i++)
        fo_diag_add(L->d, ps->notes[i].sev, ps->notes[i].pos, "%s",
                    ps->notes[i].message);
    apply_layer(L, &ps->styles, 2);
    apply_langs(L, &ps->langs, lang);
}

/* ---- character styles ------------------------------------------------ */

static void load_char_style(tl *L, const fo_node *name, const fo_node *v)
{
    static const char *const names[] = {"strong", "emphasis", "link", NULL};
    static const char *const keys[] = {"weight", "style", "color", "underline",
                                       NULL};
    fo_template *t = L->t;
    fo_char_style *cs = fo_node_is(name, "strong")     ? &t->strong
                        : fo_node_is(name, "emphasis") ? &t->emphasis
                        : fo_node_is(name, "link")     ? &t->link
                                                       : NULL;
    if (!cs) {
        fo_model_unknown_key(L->d, name, "in 'char-styles'", names);
        return;
    }
    if (!need_map(L, v, fo_arena_printf(L->a, "'%s'", name->str)))
        return;
    const char *where =
        fo_arena_printf(L->a, "in character style '%s'", name->str);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        int i = -1;
        if (fo_node_is(key, "weight")) {
            i = fo_read_enum(L->d, x, "weight", fo_style_weight_names);
            if (i >= 0) {
                cs->set_bold = 1;
                cs->bold = i;
            }
        } else if (fo_node_is(key, "style")) {
            i = fo_read_enum(L->d, x, "style", fo_style_slant_names);
            if (i >= 0) {
                cs->set_italic = 1;
                cs->italic = i;
            }
        } else if (fo_node_is(key, "color")) {
            add_cref(L, x, "color", &cs->color, &cs->set_color);
        } else if (fo_node_is(key, "underline")) {
            (void)fo_read_bool(L->d, x, "underline", &cs->underline);
        } else {
            fo_model_unknown_key(L->d, key, where, keys);
        }
    }
}

static void load_char_styles(tl *L, const fo_node *v)
{
    if (!need_map(L, v, "'char-styles'") ||
        !fo_model_few_enough(L->d, v, "char-styles"))
        return;
    for (int k = 0; k < v->n; k++)
        load_char_style(L, v->pairs[k].key, v->pairs[k].value);
}

/* ---- masters --------------------------------------------------------- */

static const char *const variables[] = {"page", "title",     "section",
                                        "year", "publisher", NULL};

/* Checks the {variables} of a slot text. Positions are exact for texts on
 * one line (running heads always are). */
static void check_slot_text(tl *L, const fo_node *v)
{
    const char *s = v->str;
    for (size_t i = 0; i < v->len; i++) {
        if (s[i] != '{' && s[i] != '}')
            continue;
        fo_pos p = v->text_pos;
        p.col += (int)fo_utf8_len(s, i);
        const char *close = s[i] == '{' ? strchr(s + i, '}') : NULL;
        if (!close) {
            fo_error(L->d, p,
                     "'%c' outside a variable (variables: {page}, {title}, "
                     "{section}, {year}, {publisher})",
                     s[i]);
            continue;
        }
        char *name = fo_arena_strndup(L->a, s + i + 1,
                                      (size_t)(close - s - (long)i - 1));
        bool known = false;
        for (int k = 0; variables[k]; k++)
            known = known || strcmp(name, variables[k]) == 0;
        if (!known)
            unknown_name(L, p, "variable", name, variables, "variables");
        i = (size_t)(close - s);
    }
}

static void load_slot(tl *L, const fo_node *v, fo_slot *slot, const char *dflt)
{
    static const char *const keys[] = {"text", "style", NULL};
    const fo_node *text = v, *style = NULL;
    if (fo_node_is_null(v))
        text = NULL; /* an empty slot */
    else if (v->kind == FO_NODE_MAP) {
        text = NULL;
        for (int k = 0; k < v->n; k++) {
            const fo_node *key = v->pairs[k].key;
            if (fo_node_is(key, "text"))
                text = v->pairs[k].value;
            else if (fo_node_is(key, "style"))
                style = v->pairs[k].value;
            else
                fo_model_unknown_key(L->d, key, "in a slot", keys);
        }
        if (!text && !fo_model_misspelt(v, "text", keys))
            fo_error(L->d, v->pos, "missing 'text' in a slot");
    }
    if (text && fo_read_text(L->d, text, "text", &slot->text)) {
        slot->text = fo_arena_strdup(L->out, slot->text);
        check_slot_text(L, text);
    }
    const char *sname = dflt;
    fo_pos spos = v->pos;
    if (style && fo_read_text(L->d, style, "style", &sname))
        spos = style->pos;
    add_sref(L, sname, spos, &slot->style);
}

static void load_slots(tl *L, const fo_node *v, fo_slot *slots,
                       const char *which)
{
    static const char *const keys[] = {"left", "center", "right", NULL};
    if (!need_map(L, v, fo_arena_printf(L->a, "'%s'", which)))
        return;
    const char *where = fo_arena_printf(L->a, "in '%s'", which);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key;
        int i = 0;
        while (keys[i] && !fo_node_is(key, keys[i]))
            i++;
        if (keys[i])
            load_slot(L, v->pairs[k].value, &slots[i], which);
        else
            fo_model_unknown_key(L->d, key, where, keys);
    }
}

static void load_master(tl *L, const fo_node *name, const fo_node *v)
{
    static const char *const names[] = {"left", "right", NULL};
    static const char *const keys[] = {
        "head", "foot", "head-offset", "foot-offset", "rule-below-head", NULL};
    fo_master *m = NULL;
    if (fo_node_is(name, "left")) {
        m = &L->t->left;
        L->got_left = true;
    } else if (fo_node_is(name, "right")) {
        m = &L->t->right;
        L->got_right = true;
    } else {
        fo_model_unknown_key(L->d, name, "in 'masters'", names);
        return;
    }
    if (!need_map(L, v, fo_arena_printf(L->a, "master '%s'", name->str)))
        return;
    const char *where = fo_arena_printf(L->a, "in master '%s'", name->str);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *val = v->pairs[k].value;
        if (fo_node_is(key, "head")) {
            load_slots(L, val, m->head, "head");
        } else if (fo_node_is(key, "foot")) {
            load_slots(L, val, m->foot, "foot");
        } else if (fo_node_is(key, "head-offset")) {
            (void)fo_read_mm(L->d, val, "head-offset", FO_READ_NONNEG,
                             &m->head_offset);
        } else if (fo_node_is(key, "foot-offset")) {
            (void)fo_read_mm(L->d, val, "foot-offset", FO_READ_NONNEG,
                             &m->foot_offset);
        } else if (fo_node_is(key, "rule-below-head")) {
            (void)fo_read_bool(L->d, val, "rule-below-head",
                               &m->rule_below_head);
        } else {
            fo_model_unknown_key(L->d, key, where, keys);
        }
    }
}

static void load_masters(tl *L, const fo_node *v)
{
    if (!need_map(L, v, "'masters'"))
        return;
    for (int k = 0; k < v->n; k++)
        load_master(L, v->pairs[k].key, v->pairs[k].value);
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

static void load_block_value(tl *L, const bkey *b, const fo_node *v)
{
    char *dst = (char *)L->t + b->off;
    const char *key = b->key ? b->key : b->block;
    int n = 0;
    double x = 0;
    bool ok = false;
    switch (b->kind) {
    case B_COLOR:
        add_cref(L, v, key, (fo_color *)(void *)dst, NULL);
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

static void load_block(tl *L, const fo_node *name, const fo_node *v)
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
    if (!need_map(L, v, fo_arena_printf(L->a, "'%s'", name->str)))
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

static void load_blocks(tl *L, const fo_node *v)
{
    if (!need_map(L, v, "'blocks'"))
        return;
    for (int k = 0; k < v->n; k++)
        load_block(L, v->pairs[k].key, v->pairs[k].value);
}

/* ---- page, margins, panels ------------------------------------------- */

typedef struct page_size {
    const char *name;
    double w, h; /* mm, portrait */
} page_size;

static const page_size page_sizes[] = {
    {"A3", 297, 420},         {"A4", 210, 297}, {"A5", 148, 210},
    {"Letter", 215.9, 279.4}, {"DL", 99, 210},
};
static const char *const page_size_names[] = {"A3",     "A4", "A5",
                                              "Letter", "DL", NULL};

/* Sets the page from a size name (and orientation). */
static bool named_size(tl *L, const fo_node *v, int landscape)
{
    int i = 0;
    while (page_size_names[i] && !fo_node_is(v, page_size_names[i]))
        i++;
    if (!page_size_names[i] || !fo_read_is_string(v)) {
        char buf[FO_READ_FOUND_MAX];
        if (fo_read_is_string(v)) /* no hint: A7 is not a typo of A3 */
            fo_error(L->d, v->pos,
                     "unknown page size '%s' (sizes: A3, A4, A5, Letter, DL)",
                     v->str);
        else
            fo_error(L->d, v->pos,
                     "the page size must be a name such as A4, found %s",
                     fo_read_found(v, buf));
        return false;
    }
    const page_size *p = &page_sizes[i];
    L->t->page_w = (landscape ? p->h : p->w) * MM;
    L->t->page_h = (landscape ? p->w : p->h) * MM;
    return true;
}

static void load_page(tl *L, const fo_node *v)
{
    static const char *const keys[] = {"size", "orientation", "width", "height",
                                       NULL};
    static const char *const orientations[] = {"portrait", "landscape", NULL};
    L->page_ok = false;
    if (v->kind == FO_NODE_SCALAR) {
        L->page_ok = named_size(L, v, 0);
        return;
    }
    if (!need_map(L, v, "'page'"))
        return;
    const fo_node *size = NULL, *w = NULL, *h = NULL;
    int landscape = 0; /* a bad orientation leaves the page portrait */
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        if (fo_node_is(key, "size"))
            size = x;
        else if (fo_node_is(key, "width"))
            w = x;
        else if (fo_node_is(key, "height"))
            h = x;
        else if (fo_node_is(key, "orientation")) {
            landscape = fo_read_enum(L->d, x, "orientation", orientations);
        } else {
            fo_model_unknown_key(L->d, key, "in 'page'", keys);
        }
    }
    if (size && (w || h)) {
        fo_error(L->d, v->pos,
                 "'page' takes either 'size' or 'width' and 'height'");
        return;
    }
    if (size) {
        L->page_ok = named_size(L, size, landscape > 0);
        return;
    }
    if (!w || !h) {
        fo_error(L->d, v->pos, "'page' needs 'size', or 'width' and 'height'");
        return;
    }
    double ww = 0, hh = 0;
    bool ok = fo_read_in_range(L->d, w, "width", FO_READ_POSITIVE, &ww);
    ok = fo_read_in_range(L->d, h, "height", FO_READ_POSITIVE, &hh) && ok;
    if (ok && landscape > 0 && ww < hh) {
        double tmp = ww;
        ww = hh;
        hh = tmp;
    }
    L->t->page_w = ww * MM;
    L->t->page_h = hh * MM;
    L->page_ok = ok;
}

static void load_margins(tl *L, const fo_node *v)
{
    static const char *const facing_keys[] = {"top", "bottom", "inner", "outer",
                                              NULL};
    static const char *const flat_keys[] = {"top", "bottom", "left", "right",
                                            NULL};
    fo_template *t = L->t;
    if (!need_map(L, v, "'margins'"))
        return;
    double *dst[] = {&t->margin_top, &t->margin_bottom, &t->margin_inner,
                     &t->margin_outer};
    const char *const *keys = t->facing ? facing_keys : flat_keys;
    const char *const *other = t->facing ? flat_keys : facing_keys;
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key;
        int i = 0;
        while (keys[i] && !fo_node_is(key, keys[i]))
            i++;
        if (keys[i]) {
            (void)fo_read_mm(L->d, v->pairs[k].value, keys[i], FO_READ_NONNEG,
                             dst[i]);
        } else if (fo_model_key_known(key, other)) {
            fo_error(L->d, key->pos,
                     t->facing ? "'%s' is for pages that do not face "
                                 "(facing: false); facing pages have "
                                 "'inner' and 'outer' margins"
                               : "'%s' is for facing pages (facing: true); "
                                 "use 'left' and 'right'",
                     key->str);
        } else {
            fo_model_unknown_key(L->d, key, "in 'margins'", keys);
        }
    }
}

static void load_panel(tl *L, const fo_node *v, fo_panel *p, double *pad)
{
    static const char *const keys[] = {
        "name",    "side",         "x",     "y", "width", "height",
        "padding", "continues-to", "cover", NULL};
    static const char *const sides[] = {"outside", "inside", NULL};
    double *num[] = {NULL, NULL, &p->x, &p->y, &p->w, &p->h, pad};
    bool seen[9] = {false};
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        int i = 0;
        while (keys[i] && !fo_node_is(key, keys[i]))
            i++;
        if (!keys[i]) {
            fo_model_unknown_key(L->d, key, "in a panel", keys);
            continue;
        }
        seen[i] = true;
        const char *to = NULL;
        if (i == 0) {
            (void)fo_read_text(L->d, x, "name", &p->name);
        } else if (i == 1) {
            int side = fo_read_enum(L->d, x, "side", sides);
            p->side = side > 0;
        } else if (i == 7) {
            /* resolved by load_panels once every name is known */
            p->continues = fo_read_text(L->d, x, "continues-to", &to);
        } else if (i == 8) {
            (void)fo_read_bool(L->d, x, "cover", &p->cover);
        } else {
            (void)fo_read_mm(
                L->d, x, keys[i],
                i >= 4 && i <= 5 ? FO_READ_POSITIVE : FO_READ_NONNEG, num[i]);
        }
    }
    for (int i = 0; i < 6; i++)
        if (!seen[i] && !fo_model_misspelt(v, keys[i], keys))
            fo_error(L->d, v->pos, "missing '%s' in a panel", keys[i]);
    if (!p->name) /* reported above; keep the list usable */
        p->name = "";
    else
        p->name = fo_arena_strdup(L->out, p->name);
}

static void check_panel(tl *L, const fo_node *v, fo_panel *p, double pad)
{
    const fo_template *t = L->t;
    double eps = 0.01 * MM;
    if (L->page_ok && p->w > 0 && p->h > 0 &&
        (p->x + p->w > t->page_w + eps || p->y + p->h > t->page_h + eps))
        fo_error(L->d, v->pos, "panel '%s' goes outside the %g × %g mm page",
                 p->name, round(t->page_w / MM * 10) / 10,
                 round(t->page_h / MM * 10) / 10);
    else if (p->w > 0 && p->h > 0 &&
             (p->w - 2 * pad < MIN_FRAME_MM * MM ||
              p->h - 2 * pad < MIN_FRAME_MM * MM))
        fo_error(L->d, v->pos,
                 "the padding of panel '%s' leaves less than %g mm for text",
                 p->name, MIN_FRAME_MM);
    p->bx = p->x;
    p->by = p->y;
    p->bw = p->w;
    p->bh = p->h;
    p->x += pad;
    p->y += pad;
    p->w -= 2 * pad;
    p->h -= 2 * pad;
}

/* `continues-to` names the panel a block may run on into. Content goes
 * through the panels in list order, so that can only be the next one:
 * naming it (rather than a yes/no) keeps the template readable and catches
 * a list reordered without its runs. */
static void check_continues(tl *L, const fo_node *v)
{
    const fo_template *t = L->t;
    size_t i = 0;
    for (int k = 0; k < v->n && i < t->npanels; k++) {
        const fo_node *pv = v->items[k];
        if (pv->kind != FO_NODE_MAP)
            continue;
        const fo_panel *p = &t->panels[i++];
        const fo_node *to = fo_node_get(pv, "continues-to");
        if (!to || !p->continues)
            continue;
        const fo_panel *next = i < t->npanels ? &t->panels[i] : NULL;
        if (next && fo_node_is(to, next->name))
            continue;
        bool known = false;
        for (size_t j = 0; j < t->npanels; j++)
            known = known || fo_node_is(to, t->panels[j].name);
        if (!known)
            fo_error(L->d, to->pos,
                     "panel '%s' continues to '%s', which is not a panel",
                     p->name, to->str);
        else if (!next)
            fo_error(L->d, to->pos,
                     "panel '%s' is the last in the list: nothing follows it "
                     "for content to continue into",
                     p->name);
        else
            fo_error(L->d, to->pos,
                     "panel '%s' can only continue to the next panel in the "
                     "list, '%s' (content goes through the panels in list "
                     "order)",
                     p->name, next->name);
    }
}

static void load_panels(tl *L, const fo_node *v)
{
    char buf[FO_READ_FOUND_MAX];
    if (v->kind != FO_NODE_SEQ) {
        fo_error(L->d, v->pos,
                 "'panels' must be a sequence of panels, found %s",
                 fo_read_found(v, buf));
        return;
    }
    fo_template *t = L->t;
    t->panels = fo_arena_alloc(L->out, (size_t)v->n * sizeof *t->panels + 1);
    const char *cover = NULL;
    for (int i = 0; i < v->n; i++) {
        const fo_node *pv = v->items[i];
        if (!need_map(L, pv, "a panel"))
            continue;
        fo_panel *p = &t->panels[t->npanels];
        double pad = 0;
        load_panel(L, pv, p, &pad);
        check_panel(L, pv, p, pad);
        for (size_t j = 0; j < t->npanels && *p->name; j++)
            if (strcmp(t->panels[j].name, p->name) == 0)
                fo_error(L->d, pv->pos, "duplicate panel '%s'", p->name);
        if (p->cover && cover)
            fo_error(L->d, fo_node_get(pv, "cover")->pos,
                     "only one panel can be the cover ('%s' is already)",
                     cover);
        else if (p->cover)
            cover = p->name;
        t->npanels++;
    }
    check_continues(L, v);
}

/* The text frame and columns must leave room for text. */
static void check_room(tl *L)
{
    const fo_template *t = L->t;
    if (!L->page_ok)
        return;
    const fo_node *m = fo_node_get(L->root, "margins");
    fo_pos at = m ? m->pos : L->root->pos;
    double w = t->page_w - t->margin_inner - t->margin_outer;
    double h = t->page_h - t->margin_top - t->margin_bottom;
    double min = MIN_FRAME_MM * MM;
    if (w < min || h < min) {
        fo_error(L->d, at,
                 "the margins leave no room for text on a %g × %g mm page "
                 "(the text frame needs at least %g × %g mm)",
                 round(t->page_w / MM * 10) / 10,
                 round(t->page_h / MM * 10) / 10, MIN_FRAME_MM, MIN_FRAME_MM);
        return;
    }
    double col = (w - t->gutter * (t->columns - 1)) / t->columns;
    const fo_node *c = fo_node_get(L->root, "columns");
    if (col < min)
        fo_error(L->d, c ? c->pos : at,
                 "%d columns with a %g mm gutter leave columns narrower "
                 "than %g mm",
                 t->columns, round(t->gutter / MM * 10) / 10, MIN_FRAME_MM);
}

/* With panels, the panels are the frames and the sheet is folded, not
 * bound: the keys of a page flow have nothing to act on. Saying what a
 * panel layout does anyway (columns: 1, margins of 0, contents: false...)
 * is allowed, as the shipped tri-fold once did; asking for anything else
 * is an error rather than a setting silently dropped. */
static void check_panel_keys(tl *L)
{
    const fo_template *t = L->t;
    const fo_node *k;
    /* The page builder makes no title page yet: say so rather than
     * drop the setting. */
    if (t->npanels == 0 && !t->cover && t->title_page &&
        (k = fo_node_get(L->root, "title-page")))
        fo_warning(L->d, k->pos,
                   "'title-page' is not supported yet: no title page is "
                   "made");
    if (t->npanels == 0)
        return;
    if ((k = fo_node_get(L->root, "columns")) && t->columns != 1)
        fo_error(L->d, k->pos,
                 "'columns' does not apply to a template with panels: each "
                 "panel is one frame");
    if ((k = fo_node_get(L->root, "margins")) &&
        (t->margin_top > 0 || t->margin_bottom > 0 || t->margin_inner > 0 ||
         t->margin_outer > 0))
        fo_error(L->d, k->pos,
                 "'margins' does not apply to a template with panels: give "
                 "each panel a 'padding'");
    if ((k = fo_node_get(L->root, "sections")) && t->opener != FO_OPEN_CONTINUE)
        fo_error(L->d, k->pos,
                 "'sections' must be 'continue' in a template with panels: "
                 "end a panel with 'break: column' in the content");
    if ((k = fo_node_get(L->root, "contents")) && t->contents)
        fo_error(L->d, k->pos, "a template with panels has no contents pages");
    if ((k = fo_node_get(L->root, "cover")) && t->cover)
        fo_error(L->d, k->pos,
                 "a template with panels has no cover page: give the cover "
                 "panel 'cover: true'");
    if ((k = fo_node_get(L->root, "title-page")) && t->title_page)
        fo_error(L->d, k->pos, "a template with panels has no title page");
    if ((k = fo_node_get(L->root, "masters")))
        fo_error(L->d, k->pos,
                 "a template with panels has no running heads or feet: "
                 "remove 'masters'");
    if ((k = fo_node_get(L->root, "binding")) && t->binding != FO_BIND_NONE)
        fo_error(L->d, k->pos,
                 "a template with panels is one folded sheet: its binding "
                 "can only be 'none'");
}

/* ---- the template file ----------------------------------------------- */

static const char *const template_keys[] = {
    "name",    "description", "page",   "facing",    "bleed",    "margins",
    "columns", "gutter",      "widows", "orphans",   "sections", "contents",
    "cover",   "title-page",  "fonts",  "swatches",  "styles",   "char-styles",
    "masters", "blocks",      "panels", "languages", "binding",  NULL};

static void load_fonts_dir(tl *L, const fo_node *v)
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
static bool load_setting(tl *L, const fo_node *key, const fo_node *v)
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

static void load_template(tl *L, const fo_node *root, const char *lang)
{
    const fo_node *languages = NULL;
    if (!need_map(L, root, "a template"))
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
            load_page(L, v);
        else if (fo_node_is(key, "margins"))
            load_margins(L, v);
        else if (fo_node_is(key, "fonts"))
            load_fonts_dir(L, v);
        else if (fo_node_is(key, "swatches"))
            load_swatches(L, v);
        else if (fo_node_is(key, "styles"))
            load_styles(L, v, 1);
        else if (fo_node_is(key, "char-styles"))
            load_char_styles(L, v);
        else if (fo_node_is(key, "masters"))
            load_masters(L, v);
        else if (fo_node_is(key, "blocks"))
            load_blocks(L, v);
        else if (fo_node_is(key, "panels"))
            load_panels(L, v);
        else if (fo_node_is(key, "languages"))
            languages = v; /* on top of styles, wherever it is written */
        else
            fo_model_unknown_key(L->d, key, "in the template", template_keys);
    }
    if (languages)
        load_languages(L, languages, lang);
    check_room(L);
    check_panel_keys(L);
}

/* Defaults before the template speaks: folio's swatches and styles, an A4
 * portrait facing page, and block colours by swatch name (so that a
 * template's own 'brand' colours them). */
static void load_defaults(tl *L)
{
    fo_template *t = L->t;
    fo_node *root = NULL;
    fo_status st = fo_source_load_string(builtin_yaml, sizeof builtin_yaml - 1,
                                         "<built-in>", L->a, L->d, &root);
    assert(st == FO_OK);
    (void)st;
    load_swatches(L, fo_node_get(root, "swatches"));
    load_styles(L, fo_node_get(root, "styles"), 0);
    L->page_ok = true;
    t->page_w = 210 * MM;
    t->page_h = 297 * MM;
    t->facing = 1;
    t->margin_top = t->margin_bottom = 20 * MM;
    t->margin_inner = t->margin_outer = 20 * MM;
    t->columns = 1;
    t->gutter = 5 * MM;
    t->widows = t->orphans = 2;
    t->opener = FO_OPEN_PAGE;
    t->left.head_offset = t->right.head_offset = 10 * MM;
    t->left.foot_offset = t->right.foot_offset = 10 * MM;
    t->strong = (fo_char_style){.set_bold = 1, .bold = 1};
    t->emphasis = (fo_char_style){.set_italic = 1, .italic = 1};
    t->facts_per_row = 2;
    t->figure_gap = 4;
    /* The looks of the first hard-coded layout, which the shipped
     * templates write out (docs/templates.md, Blocks). */
    t->figure_max_height = 0.8;
    t->figure_space_before = 0.5;
    t->figure_space_after = 0.6;
    t->cover_image_height = 0.64;
    t->cover_logo_width = 0.25;
    t->cover_logo_height = 20 * MM;
    t->cover_text_top = 14;
    t->cover_title_gap = 6;
    t->cover_subtitle_gap = 10;
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
        add_sref(L, "head", (fo_pos){NULL, 0, 0}, &t->left.head[i].style);
        add_sref(L, "foot", (fo_pos){NULL, 0, 0}, &t->left.foot[i].style);
        add_sref(L, "head", (fo_pos){NULL, 0, 0}, &t->right.head[i].style);
        add_sref(L, "foot", (fo_pos){NULL, 0, 0}, &t->right.foot[i].style);
    }
}

static void finish(tl *L)
{
    fo_template *t = L->t;
    for (cref *c = L->crefs; c; c = c->next)
        if (swatch_color(L, c->name, c->pos, c->dst) && c->set)
            *c->set = 1;
    resolve_styles(L);
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
            if (strcmp(why, "no such file") == 0)
                why = "no template.yaml there";
            fo_error(d, pos, "cannot use the template '%s': %s", name, why);
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
        char *list = join_names(names);
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
    tl L = {.t = t, .a = scratch, .out = a, .d = &local};
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
        apply_pub_styles(&L, pub->styles, lang);
    finish(&L);
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
