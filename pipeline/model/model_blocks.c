/* model_blocks — the blocks of a section (docs/content.md, Blocks): p,
 * h2, h3, figure, facts, table, quote, list, break and include, each
 * checked key by key with read.c's getters. See model.c for the loader's
 * contract. */
#include <stdbool.h>
#include <string.h>

#include "model/model_private.h"
#include "model/pub_private.h"
#include "model/read.h"

/* ---- blocks ---------------------------------------------------------- */

static const char *const block_keys[] = {"p",     "h2",    "h3",      "figure",
                                         "facts", "table", "quote",   "list",
                                         "break", "qr",    "include", NULL};

enum { MAX_FACTS = 12, MAX_LIST_ITEMS = 100, MAX_LIST_START = 9999 };

/* 2000 mm: more than any page, less than anything absurd. */
#define MAX_HEIGHT_MM 2000.0

static const char *const figure_keys[] = {
    "src", "caption", "credit", "span", "fit", "focus", "height", "alt", NULL};
enum {
    FIG_SRC,
    FIG_CAPTION,
    FIG_CREDIT,
    FIG_SPAN,
    FIG_FIT,
    FIG_FOCUS,
    FIG_HEIGHT,
    FIG_ALT
};

static const fo_figure *load_figure(fo_ml *L, const fo_node *n)
{
    fo_figure *f = fo_arena_alloc(L->a, sizeof *f);
    f->focus_x = f->focus_y = 0.5;
    if (!fo_ml_expect_map(L, n, "a figure",
                          "src, caption, credit, span, fit, "
                          "focus, height, alt"))
        return f;
    static const char *const required[] = {"src", NULL};
    fo_ml_check_required(L, n, required, "in a figure", figure_keys);
    static const char *const spans[] = {"column", "text", "page", NULL};
    static const char *const fits[] = {"contain", "cover", NULL};
    const fo_node *fit = NULL;
    bool has_height = false, span_ok = true;
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        int i;
        switch (
            fo_ml_key_index(L, n->pairs[k].key, "in a figure", figure_keys)) {
        case FIG_SRC:
            fo_ml_load_image(L, v, "src", &f->image);
            break;
        case FIG_CAPTION:
            fo_ml_load_text(L, v, &f->caption);
            break;
        case FIG_CREDIT:
            fo_ml_load_text(L, v, &f->credit);
            break;
        case FIG_ALT:
            fo_ml_load_text(L, v, &f->alt);
            break;
        case FIG_SPAN:
            i = fo_read_enum(L->d, v, "span", spans);
            if (i >= 0)
                f->span = (fo_fig_span)i;
            span_ok = i >= 0;
            break;
        case FIG_FIT:
            i = fo_read_enum(L->d, v, "fit", fits);
            if (i >= 0)
                f->fit = (fo_fit)i;
            fit = v;
            break;
        case FIG_FOCUS:
            fo_ml_load_focus(L, v, &f->focus_x, &f->focus_y);
            break;
        case FIG_HEIGHT:
            has_height = true;
            (void)fo_read_mm(L->d, v, "height",
                             (fo_read_range){0, true, MAX_HEIGHT_MM},
                             &f->height);
            break;
        default:
            break;
        }
    }
    /* a page-wide cover fills the page: its height is the page's (0 here,
     * the layout knows the page) */
    if (fit && f->fit == FO_FIT_COVER && !has_height && span_ok &&
        f->span != FO_SPAN_PAGE)
        fo_error(L->d, fit->pos,
                 "a figure with 'fit: cover' needs a 'height' (or 'span: "
                 "page')");
    return f;
}

static const char *const fact_keys[] = {"value", "label", NULL};

static void load_facts(fo_ml *L, const fo_node *n, fo_block *b)
{
    if (n->kind != FO_NODE_SEQ) {
        fo_error(L->d, n->pos, "'facts' must be a sequence of facts, found %s",
                 fo_node_describe(n));
        return;
    }
    if (n->n == 0) {
        fo_error(L->d, n->pos, "a facts block needs at least one fact");
        return;
    }
    static const char *const required[] = {"value", "label", NULL};
    int count = n->n < MAX_FACTS ? n->n : MAX_FACTS;
    fo_fact *facts = fo_arena_alloc(L->a, sizeof *facts * (size_t)count);
    for (int i = 0; i < n->n; i++) {
        const fo_node *m = n->items[i];
        if (i == MAX_FACTS) {
            fo_error(L->d, m->pos, "a facts block holds at most %d facts",
                     MAX_FACTS);
            break;
        }
        if (!fo_ml_expect_map(L, m, "a fact", "value, label"))
            continue;
        fo_ml_check_required(L, m, required, "in a fact", fact_keys);
        for (int k = 0; k < m->n; k++) {
            const fo_node *v = m->pairs[k].value;
            int key =
                fo_ml_key_index(L, m->pairs[k].key, "in a fact", fact_keys);
            if (key == 0)
                fo_ml_load_text(L, v, &facts[i].value);
            else if (key == 1)
                fo_ml_load_text(L, v, &facts[i].label);
        }
    }
    b->facts = facts;
    b->nfacts = (size_t)count;
}

static const char *const column_keys[] = {"head", "align", "weight", NULL};

static void load_column(fo_ml *L, const fo_node *n, fo_table_col *col)
{
    if (!fo_ml_expect_map(L, n, "a table column", "head, align, weight"))
        return;
    static const char *const required[] = {"head", NULL};
    fo_ml_check_required(L, n, required, "in a table column", column_keys);
    static const char *const aligns[] = {"left", "right", "center", "decimal",
                                         NULL};
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        int i;
        switch (fo_ml_key_index(L, n->pairs[k].key, "in a table column",
                                column_keys)) {
        case 0:
            fo_ml_load_text(L, v, &col->head);
            break;
        case 1:
            i = fo_read_enum(L->d, v, "align", aligns);
            if (i >= 0)
                col->align = (fo_col_align)i;
            break;
        case 2:
            (void)fo_read_in_range(L->d, v, "weight", FO_READ_POSITIVE,
                                   &col->weight);
            break;
        default:
            break;
        }
    }
}

/* The columns; *ncols stays -1 when there is no usable sequence, so that
 * rows are not measured against it. */
static void load_columns(fo_ml *L, const fo_node *v, fo_table *t)
{
    if (v->kind != FO_NODE_SEQ) {
        fo_error(L->d, v->pos,
                 "'columns' must be a sequence of columns, found %s",
                 fo_node_describe(v));
        return;
    }
    if (v->n == 0) {
        fo_error(L->d, v->pos, "a table needs at least one column");
        return;
    }
    t->ncols = v->n;
    t->cols = fo_arena_alloc(L->a, sizeof *t->cols * (size_t)v->n);
    for (int i = 0; i < v->n; i++)
        load_column(L, v->items[i], &t->cols[i]);
}

static void load_rows(fo_ml *L, const fo_node *v, fo_table *t)
{
    if (v->kind != FO_NODE_SEQ) {
        fo_error(L->d, v->pos, "'rows' must be a sequence of rows, found %s",
                 fo_node_describe(v));
        return;
    }
    if (v->n == 0) {
        fo_error(L->d, v->pos, "a table needs at least one row");
        return;
    }
    fo_ml_vec cells = {0};
    for (int r = 0; r < v->n; r++) {
        const fo_node *row = v->items[r];
        if (row->kind != FO_NODE_SEQ) {
            fo_error(L->d, row->pos,
                     "a table row is a sequence of cells, found %s",
                     fo_node_describe(row));
            continue;
        }
        bool fits = t->ncols < 0 || row->n == t->ncols;
        if (!fits)
            fo_error(L->d, row->pos,
                     "a row has %d cell%s, the table has %d "
                     "column%s",
                     row->n, row->n == 1 ? "" : "s", t->ncols,
                     t->ncols == 1 ? "" : "s");
        for (int c = 0; c < row->n; c++) {
            fo_text cell;
            fo_ml_load_text(L, row->items[c], &cell);
            if (fits && t->ncols > 0)
                *(fo_text *)fo_ml_vec_push(&cells, sizeof cell) = cell;
        }
        if (fits && t->ncols > 0)
            t->nrows++;
    }
    t->cells = fo_ml_vec_to_arena(L->a, &cells, sizeof(fo_text));
}

static const char *const table_keys[] = {"caption", "zebra", "columns", "rows",
                                         "size",    "span",  NULL};
enum {
    TABLE_CAPTION,
    TABLE_ZEBRA,
    TABLE_COLUMNS,
    TABLE_ROWS,
    TABLE_SIZE,
    TABLE_SPAN
};

static const fo_table *load_table(fo_ml *L, const fo_node *n)
{
    fo_table *t = fo_arena_alloc(L->a, sizeof *t);
    t->zebra = 1;
    t->ncols = -1;
    if (!fo_ml_expect_map(L, n, "a table",
                          "caption, zebra, columns, rows, size, span"))
        return t;
    static const char *const required[] = {"columns", "rows", NULL};
    fo_ml_check_required(L, n, required, "in a table", table_keys);
    /* rows are measured against the columns, wherever they are written */
    const fo_node *cols = fo_node_get(n, "columns");
    if (cols)
        load_columns(L, cols, t);
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        switch (fo_ml_key_index(L, n->pairs[k].key, "in a table", table_keys)) {
        case TABLE_CAPTION:
            fo_ml_load_text(L, v, &t->caption);
            break;
        case TABLE_ZEBRA:
            (void)fo_read_bool(L->d, v, "zebra", &t->zebra);
            break;
        case TABLE_COLUMNS: /* loaded above */
            break;
        case TABLE_ROWS:
            load_rows(L, v, t);
            break;
        case TABLE_SIZE:
            (void)fo_read_in_range(
                L->d, v, "size",
                (fo_read_range){FO_TABLE_MIN_SIZE, false, FO_TABLE_MAX_SIZE},
                &t->size);
            break;
        case TABLE_SPAN: {
            static const char *const spans[] = {"column", "text", NULL};
            int i = fo_read_enum(L->d, v, "span", spans);
            if (i >= 0)
                t->span = (fo_fig_span)i;
            break;
        }
        default:
            break;
        }
    }
    if (t->ncols < 0)
        t->ncols = 0;
    return t;
}

static const char *const quote_keys[] = {"text", "by", NULL};

static const fo_quote *load_quote(fo_ml *L, const fo_node *n)
{
    fo_quote *q = fo_arena_alloc(L->a, sizeof *q);
    if (!fo_ml_expect_map(L, n, "a quote", "text, by"))
        return q;
    static const char *const required[] = {"text", NULL};
    fo_ml_check_required(L, n, required, "in a quote", quote_keys);
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        int key = fo_ml_key_index(L, n->pairs[k].key, "in a quote", quote_keys);
        if (key == 0)
            fo_ml_load_text(L, v, &q->text);
        else if (key == 1)
            fo_ml_load_text(L, v, &q->by);
    }
    return q;
}

static void load_items(fo_ml *L, const fo_node *v, fo_list *list)
{
    if (v->kind != FO_NODE_SEQ) {
        fo_error(L->d, v->pos, "'items' must be a sequence of texts, found %s",
                 fo_node_describe(v));
        return;
    }
    if (v->n == 0) {
        fo_error(L->d, v->pos, "a list needs at least one item");
        return;
    }
    int count = v->n < MAX_LIST_ITEMS ? v->n : MAX_LIST_ITEMS;
    list->items = fo_arena_alloc(L->a, sizeof *list->items * (size_t)count);
    list->n = (size_t)count;
    for (int i = 0; i < v->n; i++) {
        if (i == MAX_LIST_ITEMS) {
            fo_error(L->d, v->items[i]->pos, "a list holds at most %d items",
                     MAX_LIST_ITEMS);
            break;
        }
        fo_ml_load_text(L, v->items[i], &list->items[i]);
    }
}

static const char *const list_keys[] = {"items", "numbered", "start", NULL};

static const fo_list *load_list(fo_ml *L, const fo_node *n)
{
    fo_list *list = fo_arena_alloc(L->a, sizeof *list);
    list->start = 1;
    if (!fo_ml_expect_map(L, n, "a list", "items, numbered, start"))
        return list;
    static const char *const required[] = {"items", NULL};
    fo_ml_check_required(L, n, required, "in a list", list_keys);
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        switch (fo_ml_key_index(L, n->pairs[k].key, "in a list", list_keys)) {
        case 0:
            load_items(L, v, list);
            break;
        case 1:
            (void)fo_read_bool(L->d, v, "numbered", &list->numbered);
            break;
        case 2:
            (void)fo_read_int(L->d, v, "start", 0, MAX_LIST_START,
                              &list->start);
            break;
        default:
            break;
        }
    }
    return list;
}

static void load_block(fo_ml *L, const fo_node *n, fo_ml_vec *blocks)
{
    if (n->kind != FO_NODE_MAP) {
        fo_error(L->d, n->pos,
                 "expected a block (a mapping with one key: p, h2, h3, "
                 "figure, facts, table, quote, list, break, qr or include), "
                 "found %s",
                 fo_node_describe(n));
        return;
    }
    if (n->n != 1) {
        fo_pos at = n->n > 1 ? n->pairs[1].key->pos : n->pos;
        fo_error(L->d, at,
                 "a block has one key, one of: p, h2, h3, figure, facts, "
                 "table, quote, list, break, qr, include");
        return;
    }
    const fo_node *key = n->pairs[0].key, *v = n->pairs[0].value;
    if (!fo_model_key_known(key, block_keys)) {
        fo_model_unknown_key(L->d, key, "in a block", block_keys);
        return;
    }
    if (fo_node_is(key, "include")) {
        const fo_node *root = fo_ml_enter_include(L, v);
        if (!root)
            return;
        if (root->kind != FO_NODE_SEQ)
            fo_error(L->d, root->pos,
                     "an included blocks file holds a sequence of blocks, "
                     "found %s",
                     fo_node_describe(root));
        else
            fo_ml_load_blocks(L, root, blocks);
        fo_ml_leave_include(L);
        return;
    }
    /* b stays valid below: only includes grow the vector under it */
    fo_block *b = fo_ml_vec_push(blocks, sizeof *b);
    b->pos = n->pos;
    if (fo_node_is(key, "p")) {
        b->kind = FO_BLOCK_PARA;
        fo_ml_load_block_text(L, v, &b->text);
    } else if (fo_node_is(key, "h2") || fo_node_is(key, "h3")) {
        b->kind = FO_BLOCK_HEADING;
        b->level = fo_node_is(key, "h2") ? 2 : 3;
        fo_ml_load_block_text(L, v, &b->text);
    } else if (fo_node_is(key, "figure")) {
        b->kind = FO_BLOCK_FIGURE;
        b->figure = load_figure(L, v);
    } else if (fo_node_is(key, "facts")) {
        b->kind = FO_BLOCK_FACTS;
        load_facts(L, v, b);
    } else if (fo_node_is(key, "table")) {
        b->kind = FO_BLOCK_TABLE;
        b->table = load_table(L, v);
    } else if (fo_node_is(key, "quote")) {
        b->kind = FO_BLOCK_QUOTE;
        b->quote = load_quote(L, v);
    } else if (fo_node_is(key, "list")) {
        b->kind = FO_BLOCK_LIST;
        b->list = load_list(L, v);
    } else if (fo_node_is(key, "qr")) {
        b->kind = FO_BLOCK_QR;
        b->qr = fo_ml_load_qr(L, v, "a QR code");
    } else {
        static const char *const breaks[] = {"page", "column", NULL};
        b->kind = FO_BLOCK_BREAK;
        int i = fo_read_enum(L->d, v, "break", breaks);
        b->brk = i == 1 ? FO_BREAK_COLUMN : FO_BREAK_PAGE;
    }
}

void fo_ml_load_blocks(fo_ml *L, const fo_node *seq, fo_ml_vec *blocks)
{
    for (int i = 0; i < seq->n; i++)
        load_block(L, seq->items[i], blocks);
}
