/* style — `styles:` and `languages:` mappings to typed layers (style.h).
 *
 * Every key and value of a style is checked here, with read.c's wordings,
 * whoever wrote it (folio's built-in table, a template, a publication), so
 * that one schema holds everywhere. Names a style refers to (its swatch, its
 * base) are kept as written: only the template that the layers are stacked
 * on knows which exist. */
#include "model/style.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "model/model_private.h"
#include "model/read.h"

typedef enum ftype {
    F_FAMILY, /* a non-empty string */
    F_WEIGHT, /* normal | bold → int */
    F_SLANT,  /* normal | italic → int */
    F_POS,    /* double > 0 */
    F_NONNEG, /* double >= 0 */
    F_NUM,    /* any double */
    F_UNIT,   /* double in 0..1 */
    F_ALIGN,  /* fo_align */
    F_COLOR,  /* a swatch name, kept in the decl */
    F_BOOL,   /* true | false → int */
    F_INT1,   /* int >= 1 */
    F_INT0    /* int >= 0 */
} ftype;

typedef struct field {
    const char *key;
    ftype type;
    size_t off;
} field;

#define FIELD(k, t, m)                                                         \
    {                                                                          \
        k, t, offsetof(fo_style, m)                                            \
    }
static const field fields[] = {
    FIELD("family", F_FAMILY, family),
    FIELD("weight", F_WEIGHT, bold),
    FIELD("style", F_SLANT, italic),
    FIELD("size", F_POS, size),
    FIELD("leading", F_POS, leading),
    FIELD("space-before", F_NONNEG, space_before),
    FIELD("space-after", F_NONNEG, space_after),
    FIELD("first-indent", F_NUM, first_indent),
    FIELD("align", F_ALIGN, align),
    FIELD("color", F_COLOR, color),
    FIELD("keep-with-next", F_BOOL, keep_with_next),
    FIELD("hyphenate", F_BOOL, hyphenate),
    FIELD("shrink", F_UNIT, shrink),
    FIELD("stretch", F_UNIT, stretch),
    FIELD("hyphen-min-left", F_INT1, hyph_left),
    FIELD("hyphen-min-right", F_INT1, hyph_right),
    FIELD("hyphen-min-word", F_INT1, hyph_min_word),
    FIELD("hyphen-short-word", F_INT0, hyph_short_word),
    FIELD("hyphen-short-penalty", F_NONNEG, hyph_short_penalty),
    FIELD("tolerance", F_NUM, tolerance),
    FIELD("pretolerance", F_NUM, pretolerance),
    FIELD("line-penalty", F_NUM, line_penalty),
    FIELD("hyphen-penalty", F_NUM, hyphen_penalty),
    FIELD("double-hyphen-demerits", F_NONNEG, double_hyphen_demerits),
    FIELD("final-hyphen-demerits", F_NONNEG, final_hyphen_demerits),
    FIELD("adj-demerits", F_NONNEG, adj_demerits),
    FIELD("max-hyphens", F_INT0, max_hyphens),
    FIELD("letter-spacing", F_NUM, letter_spacing),
    FIELD("letter-stretch", F_UNIT, letter_stretch),
    FIELD("letter-shrink", F_UNIT, letter_shrink),
    FIELD("uppercase", F_BOOL, uppercase),
    FIELD("balance", F_BOOL, balance),
    FIELD("underline-position", F_NUM, underline_position),
    FIELD("underline-thickness", F_NONNEG, underline_thickness),
};
#undef FIELD
#define NFIELDS (sizeof fields / sizeof fields[0])
_Static_assert(NFIELDS == FO_STYLE_NFIELDS, "style.h counts the fields");

/* "base" and every field key, for hints. */
static const char *const style_keys[] = {"base",
                                         "family",
                                         "weight",
                                         "style",
                                         "size",
                                         "leading",
                                         "space-before",
                                         "space-after",
                                         "first-indent",
                                         "align",
                                         "color",
                                         "keep-with-next",
                                         "hyphenate",
                                         "shrink",
                                         "stretch",
                                         "hyphen-min-left",
                                         "hyphen-min-right",
                                         "hyphen-min-word",
                                         "hyphen-short-word",
                                         "hyphen-short-penalty",
                                         "tolerance",
                                         "pretolerance",
                                         "line-penalty",
                                         "hyphen-penalty",
                                         "double-hyphen-demerits",
                                         "final-hyphen-demerits",
                                         "adj-demerits",
                                         "max-hyphens",
                                         "letter-spacing",
                                         "letter-stretch",
                                         "letter-shrink",
                                         "uppercase",
                                         "balance",
                                         "underline-position",
                                         "underline-thickness",
                                         NULL};

static const char *const align_names[] = {"justify", "left", "center", "right",
                                          NULL};
const char *const fo_style_weight_names[] = {"normal", "bold", NULL};
const char *const fo_style_slant_names[] = {"normal", "italic", NULL};

int fo_style_field(const char *key)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(fields[i].key, key) == 0)
            return (int)i;
    return -1;
}

int fo_style_color_field(void)
{
    return fo_style_field("color");
}

static size_t field_size(ftype t)
{
    switch (t) {
    case F_FAMILY:
        return sizeof(const char *);
    case F_WEIGHT:
    case F_SLANT:
    case F_BOOL:
    case F_INT1:
    case F_INT0:
        return sizeof(int);
    case F_ALIGN:
        return sizeof(fo_align);
    case F_COLOR:
        return sizeof(fo_color);
    default:
        return sizeof(double);
    }
}

void fo_style_decl_apply(const fo_style_decl *decl, fo_style *s)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        const field *f = &fields[i];
        if (decl->set[i] && f->type != F_COLOR)
            memcpy((char *)s + f->off, (const char *)&decl->v + f->off,
                   field_size(f->type));
    }
}

void fo_style_decl_refine(fo_style_decl *dst, const fo_style_decl *src)
{
    fo_style_decl_apply(src, &dst->v);
    for (size_t i = 0; i < NFIELDS; i++)
        dst->set[i] = dst->set[i] || src->set[i];
    if (src->color) {
        dst->color = src->color;
        dst->color_pos = src->color_pos;
    }
    if (src->base) {
        dst->base = src->base;
        dst->base_pos = src->base_pos;
    }
}

int fo_style_lang_match(const char *key, const char *lang)
{
    if (!lang)
        return 0;
    if (strcasecmp(key, lang) == 0)
        return 2;
    size_t n = strcspn(lang, "-");
    return lang[n] == '-' && strlen(key) == n && strncasecmp(key, lang, n) == 0
               ? 1
               : 0;
}

/* ---- reading --------------------------------------------------------- */

static bool need_map(fo_diags *d, const fo_node *v, const char *what,
                     const char *name)
{
    if (v->kind == FO_NODE_MAP)
        return true;
    char buf[FO_READ_FOUND_MAX];
    fo_error(d, v->pos, "%s%s%s must be a mapping, found %s", what,
             name ? name : "", name ? "'" : "", fo_read_found(v, buf));
    return false;
}

/* Reads v as field f into dc (strings copied into a). */
static void read_field(fo_arena *a, fo_diags *d, const field *f,
                       const fo_node *v, fo_style_decl *dc)
{
    size_t i = (size_t)(f - fields);
    char *dst = (char *)&dc->v + f->off;
    const char *s = NULL;
    double x = 0;
    int n = 0;
    bool ok = false;
    switch (f->type) {
    case F_FAMILY:
        ok = fo_read_text(d, v, f->key, &s);
        if (ok) {
            s = fo_arena_strdup(a, s);
            memcpy(dst, (const void *)&s, sizeof s);
        }
        break;
    case F_WEIGHT:
    case F_SLANT:
    case F_ALIGN:
        n = fo_read_enum(d, v, f->key,
                         f->type == F_WEIGHT  ? fo_style_weight_names
                         : f->type == F_SLANT ? fo_style_slant_names
                                              : align_names);
        ok = n >= 0;
        if (ok && f->type == F_ALIGN) {
            fo_align al = (fo_align)n;
            memcpy(dst, &al, sizeof al);
        } else if (ok) {
            memcpy(dst, &n, sizeof n);
        }
        break;
    case F_COLOR:
        ok = fo_read_text(d, v, f->key, &s);
        if (ok) {
            dc->color = fo_arena_strdup(a, s);
            dc->color_pos = v->pos;
        }
        break;
    case F_BOOL:
    case F_INT1:
    case F_INT0:
        ok = f->type == F_BOOL
                 ? fo_read_bool(d, v, f->key, &n)
                 : fo_read_int(d, v, f->key, f->type == F_INT1 ? 1 : 0,
                               FO_READ_INT_MAX, &n);
        if (ok)
            memcpy(dst, &n, sizeof n);
        break;
    default:
        ok = f->type == F_NUM ? fo_read_number(d, v, f->key, &x)
             : f->type == F_UNIT
                 ? fo_read_in_range(d, v, f->key, FO_READ_UNIT, &x)
                 : fo_read_in_range(d, v, f->key,
                                    f->type == F_POS ? FO_READ_POSITIVE
                                                     : FO_READ_NONNEG,
                                    &x);
        if (ok)
            memcpy(dst, &x, sizeof x);
        break;
    }
    if (ok)
        dc->set[i] = true;
}

/* One style: name → mapping of keys. false when it is no style at all. */
static bool read_style(const fo_node *name, const fo_node *v, fo_arena *a,
                       fo_diags *d, fo_style_decl *dc)
{
    if (!fo_read_is_string(name) || name->len == 0) {
        fo_error(d, name->pos, "a style name must be a string");
        return false;
    }
    if (!need_map(d, v, "style '", name->str))
        return false;
    memset(dc, 0, sizeof *dc);
    dc->name = fo_arena_strdup(a, name->str);
    dc->pos = name->pos;
    const char *where = fo_arena_printf(a, "in style '%s'", name->str);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        const char *base = NULL;
        if (fo_node_is(key, "base")) {
            if (strcmp(dc->name, "body") == 0)
                fo_error(d, key->pos,
                         "'body' has no 'base': every other style derives "
                         "from it");
            else if (fo_read_text(d, x, "base", &base)) {
                dc->base = fo_arena_strdup(a, base);
                dc->base_pos = x->pos;
            }
            continue;
        }
        int f = fo_style_field(key->str);
        if (f >= 0 && fo_read_is_string(key))
            read_field(a, d, &fields[f], x, dc);
        else
            fo_model_unknown_key(d, key, where, style_keys);
    }
    return true;
}

void fo_style_layer_read(const fo_node *v, fo_arena *a, fo_diags *d,
                         fo_style_layer *out)
{
    *out = (fo_style_layer){NULL, 0};
    if (!need_map(d, v, "'styles'", NULL) ||
        !fo_model_few_enough(d, v, "styles"))
        return;
    out->decls = fo_arena_alloc(a, sizeof *out->decls * (size_t)(v->n + 1));
    for (int k = 0; k < v->n; k++)
        if (read_style(v->pairs[k].key, v->pairs[k].value, a, d,
                       &out->decls[out->n]))
            out->n++;
}

/* One entry of `languages:`: its `styles:`. */
static void read_lang(const fo_node *name, const fo_node *v, fo_arena *a,
                      fo_diags *d, fo_style_lang *out)
{
    static const char *const keys[] = {"styles", NULL};
    if (!need_map(d, v, "language '", name->str))
        return;
    const char *where = fo_arena_printf(a, "in language '%s'", name->str);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        if (fo_node_is(key, "styles"))
            fo_style_layer_read(x, a, d, &out->styles);
        else
            fo_model_unknown_key(d, key, where, keys);
    }
}

void fo_style_langs_read(const fo_node *v, fo_arena *a, fo_diags *d,
                         fo_style_langs *out)
{
    *out = (fo_style_langs){NULL, 0};
    if (!need_map(d, v, "'languages'", NULL))
        return;
    out->items = fo_arena_alloc(a, sizeof *out->items * (size_t)(v->n + 1));
    char buf[FO_READ_FOUND_MAX];
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        if (!fo_read_is_string(key) || !fo_model_is_lang_tag(key->str)) {
            fo_error(d, key->pos,
                     "%s is not a language tag (such as vi, en or zh-Hant)",
                     fo_read_found(key, buf));
            continue;
        }
        bool dup = false;
        for (int j = 0; j < k && !dup; j++) {
            const fo_node *o = v->pairs[j].key;
            dup = fo_read_is_string(o) && fo_model_is_lang_tag(o->str) &&
                  strcasecmp(o->str, key->str) == 0;
            if (dup)
                fo_error(d, key->pos,
                         "language '%s' is already given as '%s' (first at "
                         "%d:%d; tags ignore case)",
                         key->str, o->str, o->pos.line, o->pos.col);
        }
        fo_style_lang *l = &out->items[out->n];
        *l = (fo_style_lang){
            fo_arena_strdup(a, key->str), key->pos, {NULL, 0}, dup};
        read_lang(key, x, a, d, l);
        out->n++;
    }
}

const fo_pub_styles *fo_pub_styles_read(const fo_node *styles,
                                        const fo_node *languages, fo_arena *a)
{
    fo_pub_styles *ps = fo_arena_alloc(a, sizeof *ps);
    fo_diags local;
    fo_diags_init(&local);
    if (styles)
        fo_style_layer_read(styles, a, &local, &ps->styles);
    if (languages)
        fo_style_langs_read(languages, a, &local, &ps->langs);
    /* A diagnostic's position names its own copy of the file name, which
     * dies with local: the notes borrow the file's name from the nodes,
     * which are all in the publication file. */
    const fo_node *any = styles ? styles : languages;
    const char *file = any ? any->pos.file : NULL;
    ps->notes = fo_arena_alloc(a, sizeof *ps->notes * (local.n + 1));
    for (size_t i = 0; i < local.n; i++) {
        const fo_diag *g = &local.items[i];
        fo_pos pos = g->pos;
        pos.file = g->pos.file ? file : NULL;
        ps->notes[ps->nnotes++] =
            (fo_style_note){g->sev, pos, fo_arena_strdup(a, g->message)};
    }
    fo_diags_free(&local);
    return ps;
}
