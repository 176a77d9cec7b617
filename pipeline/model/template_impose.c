/* `imposition:` of a template: the press sheet `folio impose` puts the
 * pages on and the creep it compensates (docs/impose.md). Layout does not
 * read them; whether the sheet holds a spread with its bleed and marks is
 * the impose stage's check, which knows how much room the marks take. */
#include "model/model_private.h"
#include "model/read.h"
#include "model/template_private.h"

/* SRA3 (450 x 320 mm), the sheet a digital or small offset press takes
 * for an A5 booklet 2-up with bleed and marks; no creep until a template
 * measures its paper's. */
#define DEFAULT_SHEET_W_MM 450.0
#define DEFAULT_SHEET_H_MM 320.0

void fo_tl_imposition_defaults(fo_template *t)
{
    t->sheet_w = DEFAULT_SHEET_W_MM * FO_PT_PER_MM;
    t->sheet_h = DEFAULT_SHEET_H_MM * FO_PT_PER_MM;
    t->creep = 0;
}

/* The largest sheet and creep a template may set: a B0 sheet's long side
 * is 1414 mm; a creep of 2 mm a sheet is far beyond any paper's (a sheet
 * of 300 g board creeps about 0.4 mm). */
static const fo_read_range sheet_range = {50, false, 1500};
static const fo_read_range creep_range = {0, false, 2};

static void load_sheet(fo_tl *L, const fo_node *v)
{
    static const char *const keys[] = {"width", "height", NULL};
    fo_template *t = L->t;
    if (!fo_tl_need_map(L, v, "'sheet'"))
        return;
    /* the node tree goes when loading ends: the message needs its file */
    t->sheet_pos = v->pos;
    t->sheet_pos.file = fo_arena_strdup(L->out, v->pos.file);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *val = v->pairs[k].value;
        if (fo_node_is(key, "width"))
            (void)fo_read_mm(L->d, val, "width", sheet_range, &t->sheet_w);
        else if (fo_node_is(key, "height"))
            (void)fo_read_mm(L->d, val, "height", sheet_range, &t->sheet_h);
        else
            fo_model_unknown_key(L->d, key, "in 'sheet'", keys);
    }
}

void fo_tl_load_imposition(fo_tl *L, const fo_node *v)
{
    static const char *const keys[] = {"sheet", "creep", NULL};
    if (!fo_tl_need_map(L, v, "'imposition'"))
        return;
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *val = v->pairs[k].value;
        if (fo_node_is(key, "sheet"))
            load_sheet(L, val);
        else if (fo_node_is(key, "creep"))
            (void)fo_read_mm(L->d, val, "creep", creep_range, &L->t->creep);
        else
            fo_model_unknown_key(L->d, key, "in 'imposition'", keys);
    }
}
