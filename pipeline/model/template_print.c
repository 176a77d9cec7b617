/* `print:` in template.yaml: what the print profile makes of the pages
 * besides their content (docs/templates.md, Print) — the PDF/X flavour,
 * which printer's marks go in the slug around the bleed, and which black
 * overprints. Read into fo_template.print; typeset hands it to the display
 * list (fo_dl_print), where the PDF writer and the soft proof find it. */
#include <stdbool.h>
#include <string.h>

#include "model/model_private.h"
#include "model/read.h"
#include "model/template_private.h"

static void load_marks(fo_tl *L, const fo_node *v)
{
    static const char *const names[] = {FO_TEMPLATE_MARK_NAMES, NULL};
    if (!fo_tl_need_map(L, v, "'marks'"))
        return;
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        int i = 0;
        while (names[i] && !fo_node_is(key, names[i]))
            i++;
        if (!names[i])
            fo_model_unknown_key(L->d, key, "in 'marks'", names);
        else
            (void)fo_read_bool(L->d, x, names[i], &L->t->print.marks[i]);
    }
}

static void load_overprint(fo_tl *L, const fo_node *v)
{
    static const char *const keys[] = {"text", "rules", NULL};
    fo_print_settings *p = &L->t->print;
    if (!fo_tl_need_map(L, v, "'overprint'"))
        return;
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        if (fo_node_is(key, "text"))
            /* the largest type a print shop would still call small */
            (void)fo_read_in_range(L->d, x, "text",
                                   (fo_read_range){0, false, 72},
                                   &p->overprint_text);
        else if (fo_node_is(key, "rules"))
            (void)fo_read_bool(L->d, x, "rules", &p->overprint_rules);
        else
            fo_model_unknown_key(L->d, key, "in 'overprint'", keys);
    }
}

void fo_tl_load_print(fo_tl *L, const fo_node *v)
{
    static const char *const keys[] = {"pdfx", "marks", "overprint", NULL};
    static const char *const pdfx[] = {"x4", "x1a", NULL};
    if (!fo_tl_need_map(L, v, "'print'"))
        return;
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        if (fo_node_is(key, "pdfx")) {
            int n = fo_read_enum(L->d, x, "pdfx", pdfx);
            if (n >= 0)
                L->t->print.pdfx_1a = n == 1;
        } else if (fo_node_is(key, "marks")) {
            load_marks(L, x);
        } else if (fo_node_is(key, "overprint")) {
            load_overprint(L, x);
        } else {
            fo_model_unknown_key(L->d, key, "in 'print'", keys);
        }
    }
}
