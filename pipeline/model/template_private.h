/* template internals shared by the template loader's files: template.c
 * (the file, its settings and blocks, finding the template, the public
 * API), template_style.c (swatches, paragraph and character styles,
 * languages) and template_page.c (page, margins, masters, panels). */
#ifndef FO_TEMPLATE_PRIVATE_H
#define FO_TEMPLATE_PRIVATE_H

#include <stdbool.h>

#include "model/style.h"
#include "model/template.h"
#include "source/source.h"

/* The smallest text frame, column and panel frame a template may leave. */
#define MIN_FRAME_MM 10.0

/* The layered declarations of one style name (template_style.c). */
typedef struct decl decl;

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

struct fo_tl {
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
};

/* The loader's state for one template load. */
typedef struct fo_tl fo_tl;

/* ---- template.c: shared helpers ---- */

/* Whether v is a mapping; else "WHAT must be a mapping, found X". */
bool fo_tl_need_map(fo_tl *L, const fo_node *v, const char *what);
/* "a, b, c" (malloc'd; the caller frees it). */
char *fo_tl_join_names(const char *const *names);
/* "unknown WHAT 'x' — did you mean 'y'?" or "... (LABEL: a, b, c)". */
void fo_tl_unknown_name(fo_tl *L, fo_pos pos, const char *what,
                        const char *name, const char *const *names,
                        const char *list_label);
/* Swatch name v (the value of key) to resolve into *dst (and *set = 1)
 * once every swatch is known. */
void fo_tl_add_cref(fo_tl *L, const fo_node *v, const char *key, fo_color *dst,
                    int *set);
/* Style name to resolve into *dst once every style is known. */
void fo_tl_add_sref(fo_tl *L, const char *name, fo_pos pos,
                    const fo_style **dst);

/* ---- template_style.c ---- */

void fo_tl_load_swatches(fo_tl *L, const fo_node *v);
/* The colour of swatch name, reporting an unknown one at pos. */
bool fo_tl_swatch_color(fo_tl *L, const char *name, fo_pos pos, fo_color *out);
/* A `styles:` mapping at level: 0 folio's table, 1 the template, 2 a
 * refinement. */
void fo_tl_load_styles(fo_tl *L, const fo_node *v, int level);
/* The template's `languages:`, for the edition in language lang. */
void fo_tl_load_languages(fo_tl *L, const fo_node *v, const char *lang);
/* The publication's style layers, for lang, with their problems. */
void fo_tl_apply_pub_styles(fo_tl *L, const fo_pub_styles *ps,
                            const char *lang);
void fo_tl_load_char_styles(fo_tl *L, const fo_node *v);
/* Every style resolved into the template, and the style names of slots. */
void fo_tl_resolve_styles(fo_tl *L);

/* ---- template_page.c ---- */

void fo_tl_load_page(fo_tl *L, const fo_node *v);
void fo_tl_load_margins(fo_tl *L, const fo_node *v);
void fo_tl_load_masters(fo_tl *L, const fo_node *v);
void fo_tl_load_panels(fo_tl *L, const fo_node *v);
/* The text frame and columns must leave room for text. */
void fo_tl_check_room(fo_tl *L);
/* The keys of a page flow that a panel layout cannot honour. */
void fo_tl_check_panel_keys(fo_tl *L);
/* Narrows the panel that folds in and moves the others to match, once the
 * page, the panels and fold-in-by are known (template_page.c). */
void fo_tl_fold_in(fo_tl *L);
/* `print:`, the print profile's settings (template_print.c). */
void fo_tl_load_print(fo_tl *L, const fo_node *v);

/* ---- template_impose.c ---- */

/* The defaults, then `imposition:` (press sheet and creep). */
void fo_tl_imposition_defaults(fo_template *t);
void fo_tl_load_imposition(fo_tl *L, const fo_node *v);

#endif
