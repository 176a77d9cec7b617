/* template_style — the template's swatches, paragraph styles (the layers
 * of style.c stacked and resolved), languages and character styles. See
 * template.c for the loader's contract. */
#include <stdbool.h>
#include <string.h>

#include "model/model_private.h"
#include "model/read.h"
#include "model/style.h"
#include "model/template_private.h"

enum { MAX_BASE_DEPTH = 64 };

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

/* ---- swatches -------------------------------------------------------- */

static void load_swatch(fo_tl *L, const fo_node *name, const fo_node *v)
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

void fo_tl_load_swatches(fo_tl *L, const fo_node *v)
{
    if (!fo_tl_need_map(L, v, "'swatches'") ||
        !fo_model_few_enough(L->d, v, "swatches"))
        return;
    for (int k = 0; k < v->n; k++)
        load_swatch(L, v->pairs[k].key, v->pairs[k].value);
}

static const fo_swatch *find_swatch(fo_tl *L, const char *name)
{
    for (swnode *s = L->swatches; s; s = s->next)
        if (strcmp(s->s.name, name) == 0)
            return &s->s;
    return NULL;
}

static const char **swatch_names(fo_tl *L)
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
bool fo_tl_swatch_color(fo_tl *L, const char *name, fo_pos pos, fo_color *out)
{
    const fo_swatch *s = find_swatch(L, name);
    if (s) {
        *out = s->color;
        return true;
    }
    fo_tl_unknown_name(L, pos, "swatch", name, swatch_names(L), "swatches");
    return false;
}

/* ---- styles ---------------------------------------------------------- */

static decl *find_decl(fo_tl *L, const char *name)
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
static void apply_layer(fo_tl *L, const fo_style_layer *layer, int level)
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
static void keep_unused(fo_tl *L, const fo_style_layer *layer)
{
    for (size_t i = 0; i < layer->n; i++) {
        decl *dc = fo_arena_alloc(L->a, sizeof *dc);
        dc->d = layer->decls[i];
        dc->next = L->unused;
        L->unused = dc;
    }
}

/* A `styles:` mapping at level (see apply_layer). */
void fo_tl_load_styles(fo_tl *L, const fo_node *v, int level)
{
    fo_style_layer layer;
    fo_style_layer_read(v, L->a, L->d, &layer);
    apply_layer(L, &layer, level);
}

static const char **style_names(fo_tl *L)
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

static const fo_style *resolve(fo_tl *L, decl *dc, int depth)
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
            fo_tl_unknown_name(L, d->base_pos, "style", d->base, style_names(L),
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
        (void)fo_tl_swatch_color(L, d->color, d->color_pos, &s.color);
    s.name = d->name;
    dc->out = s;
    dc->state = 2;
    return &dc->out;
}

/* The swatch and base names of the languages that were not applied. */
static void check_unused(fo_tl *L)
{
    for (decl *dc = L->unused; dc; dc = dc->next) {
        const fo_style_decl *d = &dc->d;
        fo_color c;
        if (d->color)
            (void)fo_tl_swatch_color(L, d->color, d->color_pos, &c);
        bool known = !d->base || find_decl(L, d->base);
        for (decl *u = L->unused; u && !known; u = u->next)
            known = strcmp(u->d.name, d->base) == 0;
        if (!known)
            fo_tl_unknown_name(L, d->base_pos, "style", d->base, style_names(L),
                               "styles");
    }
}

/* Running text is hyphenated; nothing else ever is: headings, titles,
 * captions, table cells, key figures, quotes, the contents, the cover and
 * the page furniture are display type, read at a glance, where a broken
 * word reads as a mistake ("Seal- / Opening" on a cover). Only body and
 * list may say `hyphenate: true`; elsewhere it is switched off, with a
 * warning where a template or publication asked for it. */
static bool may_hyphenate(const char *style)
{
    return strcmp(style, "body") == 0 || strcmp(style, "list") == 0;
}

static void no_display_hyphens(fo_tl *L, decl *dc, fo_style *s)
{
    if (!s->hyphenate || may_hyphenate(s->name))
        return;
    s->hyphenate = 0;
    int k = fo_style_field("hyphenate");
    if (!dc->builtin && dc->d.set[k])
        fo_warning(L->d, dc->d.pos,
                   "style '%s' is never hyphenated: only body and list "
                   "text are (headings, captions, tables, the cover and "
                   "the contents are not); 'hyphenate: true' is ignored",
                   s->name);
}

void fo_tl_resolve_styles(fo_tl *L)
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
        no_display_hyphens(L, dc, s);
        /* out of the scratch arena's trees */
        s->name = fo_arena_strdup(L->out, s->name);
        if (s->family)
            s->family = fo_arena_strdup(L->out, s->family);
    }
    for (sref *r = L->srefs; r; r = r->next) {
        const fo_style *s = fo_template_style(t, r->name);
        if (!s) {
            fo_tl_unknown_name(L, r->pos, "style", r->name, style_names(L),
                               "styles");
            s = fo_template_style(t, "body");
        }
        *r->dst = s;
    }
}

/* ---- languages ------------------------------------------------------- */

/* `languages:` of the template or the publication, read: the entry whose
 * key is lang's primary subtag refines the styles, then the one whose key
 * is lang itself (so an exact key wins); the others are only checked. */
static void apply_langs(fo_tl *L, const fo_style_langs *langs, const char *lang)
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

void fo_tl_load_languages(fo_tl *L, const fo_node *v, const char *lang)
{
    fo_style_langs langs;
    fo_style_langs_read(v, L->a, L->d, &langs);
    apply_langs(L, &langs, lang);
}

/* The publication's `styles:` and `languages:`, read when it was loaded:
 * their problems are reported now, with the template's. */
void fo_tl_apply_pub_styles(fo_tl *L, const fo_pub_styles *ps, const char *lang)
{
    for (size_t i = 0; i < ps->nnotes; i++)
        fo_diag_add(L->d, ps->notes[i].sev, ps->notes[i].pos, "%s",
                    ps->notes[i].message);
    apply_layer(L, &ps->styles, 2);
    apply_langs(L, &ps->langs, lang);
}

/* ---- character styles ------------------------------------------------ */

static void load_char_style(fo_tl *L, const fo_node *name, const fo_node *v)
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
    if (!fo_tl_need_map(L, v, fo_arena_printf(L->a, "'%s'", name->str)))
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
            fo_tl_add_cref(L, x, "color", &cs->color, &cs->set_color);
        } else if (fo_node_is(key, "underline")) {
            (void)fo_read_bool(L->d, x, "underline", &cs->underline);
        } else {
            fo_model_unknown_key(L->d, key, where, keys);
        }
    }
}

void fo_tl_load_char_styles(fo_tl *L, const fo_node *v)
{
    if (!fo_tl_need_map(L, v, "'char-styles'") ||
        !fo_model_few_enough(L->d, v, "char-styles"))
        return;
    for (int k = 0; k < v->n; k++)
        load_char_style(L, v->pairs[k].key, v->pairs[k].value);
}
