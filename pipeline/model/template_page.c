/* template_page — the template's page geometry: the page size, the
 * margins, the masters (running heads and feet), the panels of a folded
 * leaflet, and the checks that they leave room for text. See template.c
 * for the loader's contract. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "model/model_private.h"
#include "model/read.h"
#include "model/template_private.h"

/* ---- masters --------------------------------------------------------- */

static const char *const variables[] = {"page", "title",     "section",
                                        "year", "publisher", NULL};

/* Checks the {variables} of a slot text. Positions are exact for texts on
 * one line (running heads always are). */
static void check_slot_text(fo_tl *L, const fo_node *v)
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
            fo_tl_unknown_name(L, p, "variable", name, variables, "variables");
        i = (size_t)(close - s);
    }
}

static void load_slot(fo_tl *L, const fo_node *v, fo_slot *slot,
                      const char *dflt)
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
    fo_tl_add_sref(L, sname, spos, &slot->style);
}

static void load_slots(fo_tl *L, const fo_node *v, fo_slot *slots,
                       const char *which)
{
    static const char *const keys[] = {"left", "center", "right", NULL};
    if (!fo_tl_need_map(L, v, fo_arena_printf(L->a, "'%s'", which)))
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

static void load_master(fo_tl *L, const fo_node *name, const fo_node *v)
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
    if (!fo_tl_need_map(L, v, fo_arena_printf(L->a, "master '%s'", name->str)))
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

void fo_tl_load_masters(fo_tl *L, const fo_node *v)
{
    if (!fo_tl_need_map(L, v, "'masters'"))
        return;
    for (int k = 0; k < v->n; k++)
        load_master(L, v->pairs[k].key, v->pairs[k].value);
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
static bool named_size(fo_tl *L, const fo_node *v, int landscape)
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
    L->t->page_w = (landscape ? p->h : p->w) * FO_PT_PER_MM;
    L->t->page_h = (landscape ? p->w : p->h) * FO_PT_PER_MM;
    return true;
}

void fo_tl_load_page(fo_tl *L, const fo_node *v)
{
    static const char *const keys[] = {"size", "orientation", "width", "height",
                                       NULL};
    static const char *const orientations[] = {"portrait", "landscape", NULL};
    L->page_ok = false;
    if (v->kind == FO_NODE_SCALAR) {
        L->page_ok = named_size(L, v, 0);
        return;
    }
    if (!fo_tl_need_map(L, v, "'page'"))
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
    L->t->page_w = ww * FO_PT_PER_MM;
    L->t->page_h = hh * FO_PT_PER_MM;
    L->page_ok = ok;
}

void fo_tl_load_margins(fo_tl *L, const fo_node *v)
{
    static const char *const facing_keys[] = {"top", "bottom", "inner", "outer",
                                              NULL};
    static const char *const flat_keys[] = {"top", "bottom", "left", "right",
                                            NULL};
    fo_template *t = L->t;
    if (!fo_tl_need_map(L, v, "'margins'"))
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

static void load_panel(fo_tl *L, const fo_node *v, fo_panel *p, double *pad)
{
    static const char *const keys[] = {
        "name",    "side",         "x",     "y",        "width", "height",
        "padding", "continues-to", "cover", "folds-in", NULL};
    static const char *const sides[] = {"outside", "inside", NULL};
    double *num[] = {NULL, NULL, &p->x, &p->y, &p->w, &p->h, pad};
    bool seen[10] = {false};
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
        } else if (i == 9) {
            (void)fo_read_bool(L->d, x, "folds-in", &p->folds_in);
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

static void check_panel(fo_tl *L, const fo_node *v, fo_panel *p, double pad)
{
    const fo_template *t = L->t;
    double eps = 0.01 * FO_PT_PER_MM;
    if (L->page_ok && p->w > 0 && p->h > 0 &&
        (p->x + p->w > t->page_w + eps || p->y + p->h > t->page_h + eps))
        fo_error(L->d, v->pos, "panel '%s' goes outside the %g × %g mm page",
                 p->name, round(t->page_w / FO_PT_PER_MM * 10) / 10,
                 round(t->page_h / FO_PT_PER_MM * 10) / 10);
    else if (p->w > 0 && p->h > 0 &&
             (p->w - 2 * pad < MIN_FRAME_MM * FO_PT_PER_MM ||
              p->h - 2 * pad < MIN_FRAME_MM * FO_PT_PER_MM))
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
static void check_continues(fo_tl *L, const fo_node *v)
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

void fo_tl_load_panels(fo_tl *L, const fo_node *v)
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
    const char *cover = NULL, *folds_in = NULL;
    for (int i = 0; i < v->n; i++) {
        const fo_node *pv = v->items[i];
        if (!fo_tl_need_map(L, pv, "a panel"))
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
        if (p->folds_in && folds_in)
            fo_error(L->d, fo_node_get(pv, "folds-in")->pos,
                     "only one panel can fold in ('%s' does already)",
                     folds_in);
        else if (p->folds_in)
            folds_in = p->name;
        t->npanels++;
    }
    check_continues(L, v);
}

/* The columns of panels on one side of the sheet: the distinct boxes
 * across, left to right. Returns their count (at most max), 0 when two
 * overlap without being the same column. */
static size_t side_columns(const fo_template *t, int side, double *x, double *w,
                           size_t max)
{
    const double eps = 0.01 * FO_PT_PER_MM;
    size_t n = 0;
    for (size_t i = 0; i < t->npanels; i++) {
        const fo_panel *p = &t->panels[i];
        if (p->side != side)
            continue;
        size_t j = 0;
        while (j < n && !(fabs(x[j] - p->bx) < eps && fabs(w[j] - p->bw) < eps))
            j++;
        if (j < n)
            continue;
        if (n == max)
            return 0;
        /* insertion by x */
        j = n++;
        while (j > 0 && x[j - 1] > p->bx) {
            x[j] = x[j - 1];
            w[j] = w[j - 1];
            j--;
        }
        x[j] = p->bx;
        w[j] = p->bw;
    }
    for (size_t j = 1; j < n; j++)
        if (x[j] < x[j - 1] + w[j - 1] - eps)
            return 0;
    return n;
}

/* Whether the n columns (x, w) stand edge to edge across a sheet of
 * width sheet_w. */
static bool columns_tile(const double *x, const double *w, size_t n,
                         double sheet_w)
{
    const double eps = 0.01 * FO_PT_PER_MM;
    if (n < 2 || fabs(x[0]) >= eps ||
        fabs(x[n - 1] + w[n - 1] - sheet_w) >= eps)
        return false;
    for (size_t j = 1; j < n; j++)
        if (fabs(x[j] - x[j - 1] - w[j - 1]) >= eps)
            return false;
    return true;
}

/* Moves every panel of side whose box starts at x[j] to nx[j], nw[j], its
 * padding kept. */
static void move_panels(fo_tl *L, int side, const double *x, const double *nx,
                        const double *nw, size_t n, fo_pos at)
{
    const double eps = 0.01 * FO_PT_PER_MM;
    fo_template *t = L->t;
    for (size_t i = 0; i < t->npanels; i++) {
        fo_panel *p = &t->panels[i];
        size_t j = 0;
        while (p->side == side && j < n && fabs(x[j] - p->bx) >= eps)
            j++;
        if (p->side != side || j == n)
            continue; /* side_columns found every box */
        double pad = p->x - p->bx;
        p->bx = nx[j];
        p->bw = nw[j];
        p->x = p->bx + pad;
        p->w = p->bw - 2 * pad;
        if (p->w < MIN_FRAME_MM * FO_PT_PER_MM)
            fo_error(L->d, at,
                     "'fold-in-by' leaves panel '%s' less than %g mm for text",
                     p->name, MIN_FRAME_MM);
    }
}

/* Narrows the column of side at x = want, width fw, by the template's
 * fold_in_by and widens the others to match; false when the side's
 * panels do not tile the sheet or have no such column. */
static bool fold_side(fo_tl *L, int side, double want, double fw, fo_pos at)
{
    const double eps = 0.01 * FO_PT_PER_MM;
    const fo_template *t = L->t;
    double x[16], w[16], nx[16], nw[16];
    size_t n = side_columns(t, side, x, w, 16);
    size_t k = 0;
    while (k < n && !(fabs(x[k] - want) < eps && fabs(w[k] - fw) < eps))
        k++;
    if (k == n || !columns_tile(x, w, n, t->page_w))
        return false;
    double at_x = 0, d = t->fold_in_by;
    for (size_t j = 0; j < n; j++) {
        nw[j] = j == k ? w[j] - d : w[j] + d / (double)(n - 1);
        nx[j] = at_x;
        at_x += nw[j];
    }
    move_panels(L, side, x, nx, nw, n, at);
    return true;
}

/* The panel that folds in (`folds-in: true`) is made fold_in_by narrower,
 * so that it clears the fold it tucks in behind; so is the panel on the
 * other side of the sheet behind it (its mirror across the sheet's
 * width). The sheet keeps its width: each other column of the side gets
 * an equal share of what the fold-in column gave up, and every panel of a
 * column moves and widens with it, its padding kept. The folds, midway
 * between the panels (typeset's panel_folds), move with them. Needs each
 * side's panels to stand in columns that meet edge to edge across the
 * whole sheet, as a folded sheet's do. */
void fo_tl_fold_in(fo_tl *L)
{
    fo_template *t = L->t;
    const fo_panel *f = NULL;
    for (size_t i = 0; i < t->npanels && !f; i++)
        if (t->panels[i].folds_in)
            f = &t->panels[i];
    if (!f || !L->page_ok || t->fold_in_by <= 0)
        return;
    const fo_node *pn = fo_node_get(L->root, "panels");
    fo_pos at = pn ? pn->pos : L->root->pos;
    /* f moves with its side: what it was, first */
    const double fx = f->bx, fw = f->bw;
    const int fside = f->side;
    const char *name = f->name;
    for (int side = 0; side < 2; side++) {
        /* the fold-in column, or on the other side the one behind it */
        double want = side == fside ? fx : t->page_w - fx - fw;
        if (!fold_side(L, side, want, fw, at)) {
            fo_error(L->d, at,
                     "panel '%s' folds in, but the panels on the %s of the "
                     "sheet do not stand side by side across it with one "
                     "behind '%s'",
                     name, side ? "inside" : "outside", name);
            return;
        }
    }
}

/* The text frame and columns must leave room for text. */
void fo_tl_check_room(fo_tl *L)
{
    const fo_template *t = L->t;
    if (!L->page_ok)
        return;
    const fo_node *m = fo_node_get(L->root, "margins");
    fo_pos at = m ? m->pos : L->root->pos;
    double w = t->page_w - t->margin_inner - t->margin_outer;
    double h = t->page_h - t->margin_top - t->margin_bottom;
    double min = MIN_FRAME_MM * FO_PT_PER_MM;
    if (w < min || h < min) {
        fo_error(L->d, at,
                 "the margins leave no room for text on a %g × %g mm page "
                 "(the text frame needs at least %g × %g mm)",
                 round(t->page_w / FO_PT_PER_MM * 10) / 10,
                 round(t->page_h / FO_PT_PER_MM * 10) / 10, MIN_FRAME_MM,
                 MIN_FRAME_MM);
        return;
    }
    double col = (w - t->gutter * (t->columns - 1)) / t->columns;
    const fo_node *c = fo_node_get(L->root, "columns");
    if (col < min)
        fo_error(L->d, c ? c->pos : at,
                 "%d columns with a %g mm gutter leave columns narrower "
                 "than %g mm",
                 t->columns, round(t->gutter / FO_PT_PER_MM * 10) / 10,
                 MIN_FRAME_MM);
}

/* With panels, the panels are the frames and the sheet is folded, not
 * bound: the keys of a page flow have nothing to act on. Saying what a
 * panel layout does anyway (columns: 1, margins of 0, contents: false...)
 * is allowed, as the shipped tri-fold once did; asking for anything else
 * is an error rather than a setting silently dropped. */
void fo_tl_check_panel_keys(fo_tl *L)
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
