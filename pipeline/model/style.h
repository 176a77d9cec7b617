/* style — paragraph style declarations as typed layers, internal to model/.
 *
 * A `styles:` mapping (folio's built-in table, a template's, a language
 * entry's, a publication's) is read once into a fo_style_layer: per style
 * name, the keys it sets and their values, with the swatch and base names
 * it refers to kept as names (a publication's layer is read before the
 * template that defines its swatches and bases is known). A `languages:`
 * mapping is read into fo_style_langs, one layer per language tag. The
 * template loader (template_style.c) stacks the layers and resolves the
 * names.
 *
 * This header knows no YAML: the readers that take a node tree are in
 * model_private.h. Everything lives in the arena the reader was given. */
#ifndef FO_MODEL_STYLE_H
#define FO_MODEL_STYLE_H

#include <stdbool.h>

#include "model/template.h"

/* The keys of a style besides `base`, in the order of the schema
 * (docs/templates.md, Styles). */
enum { FO_STYLE_NFIELDS = 34 };

/* One style as one layer declares it. */
typedef struct fo_style_decl {
    const char *name;
    fo_pos pos;                 /* of the name */
    bool set[FO_STYLE_NFIELDS]; /* which keys this layer gives */
    fo_style v;                 /* their values (colour: see color) */
    const char *color;          /* swatch name, when set[color] */
    fo_pos color_pos;
    const char *base; /* NULL: not given here */
    fo_pos base_pos;
} fo_style_decl;

/* A `styles:` mapping, in file order. */
typedef struct fo_style_layer {
    fo_style_decl *decls;
    size_t n;
} fo_style_layer;

/* One entry of a `languages:` mapping: a language tag and its styles. */
typedef struct fo_style_lang {
    const char *tag;
    fo_pos pos;
    fo_style_layer styles;
    bool repeated; /* the tag was given before (reported): never applied */
} fo_style_lang;

/* A `languages:` mapping: its entries with a language tag, in file order
 * (a key that is no tag was reported and left out). */
typedef struct fo_style_langs {
    fo_style_lang *items;
    size_t n;
} fo_style_langs;

/* A diagnostic kept to be reported later. */
typedef struct fo_style_note {
    fo_severity sev;
    fo_pos pos;
    const char *message;
} fo_style_note;

/* The publication's `styles:` and `languages:` (fo_pub.styles). What was
 * wrong in them is kept in notes and reported by fo_template_load with the
 * template's problems, in file order: the publication refines a template,
 * and the unknown swatch and base names in it can only be found there, so
 * all its style problems are reported together, after template.yaml's
 * (docs/templates.md, Checking). */
struct fo_pub_styles {
    fo_style_layer styles;
    fo_style_langs langs;
    fo_style_note *notes;
    size_t nnotes;
};

/* Index of the field called key, or -1. */
int fo_style_field(const char *key);
/* Index of the `color` field (its value is a swatch name, resolved by the
 * template). */
int fo_style_color_field(void);

/* Copies into dst (a style's accumulated declaration) every key that src
 * sets, which then wins over what dst held. */
void fo_style_decl_refine(fo_style_decl *dst, const fo_style_decl *src);

/* Copies the values of the keys that decl sets onto s (colour and base
 * aside). */
void fo_style_decl_apply(const fo_style_decl *decl, fo_style *s);

/* How well language key (a tag) fits edition lang: 2 the same tag, 1 key is
 * lang's primary subtag (zh for zh-Hans), 0 not at all (also when lang is
 * NULL). Tags compare without regard to case, as BCP 47 has it. */
int fo_style_lang_match(const char *key, const char *lang);

/* The names of `weight` and `style` values (char-styles use them too). */
extern const char *const fo_style_weight_names[];
extern const char *const fo_style_slant_names[];

#endif
