/* Blocks → elements: each block of a section becomes what the flow can
 * pour — set lines (paragraphs, headings, list items, here), unbreakable
 * boxes (boxes.c) or a table whose rows are the units (table.c) — and
 * elements are released once placed. Everything is measured when added,
 * once; the flow only places and draws. */
#include "flow.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const fo_style *flow_style(const flow *fl, const char *name)
{
    const fo_style *s = fo_template_style(fl->t, name);
    /* The template loader guarantees every FO_STYLE_NAMES style. */
    return s ? s : fo_template_style(fl->t, "body");
}

void flow_fail(flow *fl, fo_status st)
{
    if (fl->status == FO_OK)
        fl->status = st;
}

elem *flow_new_elem(flow *fl, el_kind kind, const fo_block *b)
{
    fo_grow((void **)&fl->el, sizeof *fl->el, &fl->el_cap, (size_t)fl->nel + 1);
    elem *e = &fl->el[fl->nel++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->block = b;
    if (b)
        e->pos = b->pos;
    return e;
}

elem *flow_add_text(flow *fl, const fo_rich *rich, const fo_style *st,
                    double width, const fo_block *b)
{
    elem *e = flow_new_elem(fl, EL_TEXT, b);
    e->st = st;
    e->space_before = st->space_before;
    e->space_after = st->space_after;
    e->keep_with_next = st->keep_with_next;
    e->baseline = fo_style_baseline(fl->fonts, &fl->metrics, st);
    e->pos = rich->pos;
    e->rich = rich;
    e->width = width;
    /* Set now, for the measures and so that fonts enter the document and
     * problems are reported in the order of the content; the lines are
     * dropped until the flow draws them. */
    fo_set_para sp;
    fo_status s = fo_para_measure(fl->fonts, fl->doc, rich, st, fl->t, fl->lang,
                                  fl->hyph, width, fl->d, &sp, &e->breaks);
    if (s != FO_OK) {
        flow_fail(fl, s);
        return e;
    }
    e->nlines = sp.nlines;
    fo_set_para_pack(&sp, rich->text, &e->packed);
    size_t bytes = fo_packed_para_bytes(&e->packed);
    if (fo_para_keep_take(&fl->keep, bytes))
        e->kept = bytes;
    else
        fo_packed_para_free(&e->packed);
    return e;
}

const fo_set_line *flow_text_lines(flow *fl, const elem *ce)
{
    assert(ce->kind == EL_TEXT && ce >= fl->el && ce < fl->el + fl->nel);
    elem *e = &fl->el[ce - fl->el];
    if (e->para.nlines == e->nlines)
        return e->para.lines;
    if (e->kept) {
        /* The lines set when it was measured: not shaped again. */
        fo_para_keep_give(&fl->keep, e->kept);
        e->kept = 0;
        fo_packed_para_unpack(&e->packed, e->rich->text, &e->para);
        return e->para.lines;
    }
    /* The same input as when it was measured gives the same lines; its
     * problems were reported then. */
    fo_diags quiet;
    fo_diags_init(&quiet);
    fo_set_para_free(&e->para);
    fo_status s =
        fo_para_set_again(fl->fonts, fl->doc, e->rich, e->st, fl->t, fl->lang,
                          e->width, e->breaks, e->nlines, &quiet, &e->para);
    fo_diags_free(&quiet);
    if (s != FO_OK || e->para.nlines != e->nlines) {
        /* Not expected: empty lines, so that callers stay in bounds. */
        assert(s != FO_OK);
        flow_fail(fl, s != FO_OK ? s : FO_ERR_INPUT);
        fo_set_para_free(&e->para);
        e->para.lines = fo_xcalloc((size_t)e->nlines, sizeof *e->para.lines);
        e->para.nlines = e->nlines;
    }
    return e->para.lines;
}

void flow_source(fo_dl_page *pg, const elem *e, fo_dl_src_kind kind)
{
    pg->src = (fo_dl_src){kind, e->pos, e->block, e->section};
}

void flow_emit_line(fo_dl_page *pg, const fo_set_line *ln, const fo_style *st,
                    double x0, double baseline)
{
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        if (run->n == 0)
            continue;
        fo_color color = run->has_color ? run->color : st->color;
        fo_dl_glyphs *g = fo_dl_page_add_glyphs(
            pg, run->dl_font, run->size, x0 + run->x, baseline - run->rise,
            color, run->n, run->text, run->text_len);
        memcpy(g->glyphs, run->glyphs, sizeof *g->glyphs * (size_t)run->n);
        g->hyphen = run->hyphen;
        g->letterspace_max = st->letter_spacing + st->size * st->letter_stretch;
        if (run->lang)
            g->lang = fo_arena_strdup(pg->arena, run->lang);
        double w = 0;
        for (int i = 0; i < run->n; i++)
            w += run->glyphs[i].x_advance;
        if (run->underline) {
            double uy = baseline + st->size * st->underline_position;
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
            op->u.line = (fo_dl_line){x0 + run->x,
                                      uy,
                                      x0 + run->x + w,
                                      uy,
                                      st->size * st->underline_thickness,
                                      color};
        }
        if (run->href) {
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINK);
            op->u.link = (fo_dl_link){x0 + run->x,
                                      baseline - st->size,
                                      w,
                                      st->size * 1.25,
                                      fo_arena_strdup(pg->arena, run->href),
                                      NULL,
                                      NULL,
                                      0};
        }
    }
}

double flow_draw_text(flow *fl, fo_dl_page *pg, const fo_rich *rich,
                      const fo_style *st, double x, double y, double width)
{
    fo_set_para sp;
    fo_status s = fo_para_set(fl->fonts, fl->doc, rich, st, fl->t, fl->lang,
                              NULL, width, fl->d, &sp);
    if (s != FO_OK) {
        flow_fail(fl, s);
        return 0;
    }
    double base = fo_style_baseline(fl->fonts, &fl->metrics, st);
    for (int i = 0; i < sp.nlines; i++)
        flow_emit_line(pg, &sp.lines[i], st, x, y + i * st->leading + base);
    double used = sp.nlines * st->leading;
    fo_set_para_free(&sp);
    return used;
}

/* ---- lists ----------------------------------------------------------- */

static void add_list(flow *fl, const fo_block *b)
{
    const fo_style *st = flow_style(fl, "list");
    double indent = st->size * 1.6;
    const fo_list *li = b->list;
    for (size_t i = 0; i < li->n; i++) {
        const fo_rich *r = flow_ed_text(fl, &li->items[i]);
        if (!r)
            continue;
        elem *e = flow_add_text(fl, r, st, fl->col_w - indent, b);
        e->indent = indent;
        e->marker = li->numbered ? fo_arena_printf(fl->doc->arena, "%d.",
                                                   li->start + (int)i)
                                 : "\u2022";
        /* Items of one list sit closer than paragraphs. */
        e->space_before = i == 0 ? st->space_before : 0;
        e->space_after = i + 1 == li->n ? st->space_after : st->leading * 0.2;
    }
}

/* ---- a section ------------------------------------------------------- */

void flow_add_blocks(flow *fl, size_t si)
{
    const fo_section *sec = &fl->pub->sections[si];
    for (size_t bi = 0; bi < sec->nblocks; bi++) {
        const fo_block *b = &sec->blocks[bi];
        int first = fl->nel;
        switch (b->kind) {
        case FO_BLOCK_HEADING: {
            const fo_rich *r = flow_ed_text(fl, &b->text);
            if (!r)
                break;
            elem *e = flow_add_text(fl, r,
                                    flow_style(fl, b->level == 2 ? "h2" : "h3"),
                                    fl->col_w, b);
            e->level = b->level;
            e->anchor =
                fo_arena_printf(fl->doc->arena, "s%zu.%zu", si + 1, bi + 1);
            e->title = fo_arena_strndup(fl->doc->arena, r->text, r->len);
            break;
        }
        case FO_BLOCK_PARA: {
            const fo_rich *r = flow_ed_text(fl, &b->text);
            if (r)
                flow_add_text(fl, r, flow_style(fl, "body"), fl->col_w, b);
            break;
        }
        case FO_BLOCK_FIGURE:
            flow_add_figure(fl, b);
            break;
        case FO_BLOCK_FACTS:
            flow_add_facts(fl, b);
            break;
        case FO_BLOCK_TABLE:
            flow_add_table(fl, b);
            break;
        case FO_BLOCK_QUOTE:
            flow_add_quote(fl, b);
            break;
        case FO_BLOCK_LIST:
            add_list(fl, b);
            break;
        case FO_BLOCK_BREAK: {
            elem *e = flow_new_elem(fl, EL_BREAK, b);
            e->brk = b->brk;
            break;
        }
        case FO_BLOCK_QR:
            flow_add_qr(fl, b);
            break;
        }
        for (int i = first; i < fl->nel; i++)
            fl->el[i].section = (int)si;
    }
}

void flow_release_elem(flow *fl, int i)
{
    elem *e = &fl->el[i];
    fo_para_keep_give(&fl->keep, e->kept);
    e->kept = 0;
    fo_packed_para_free(&e->packed);
    fo_set_para_free(&e->para);
    if (e->kind == EL_BOX || e->kind == EL_TABLE)
        e->released = 1;
    if (e->kind == EL_BOX)
        flow_release_box(e);
    if (e->kind == EL_TABLE)
        flow_table_free_cells(e->table);
}

void flow_free_elems(flow *fl)
{
    for (int i = 0; i < fl->nel; i++) {
        flow_release_elem(fl, i);
        free(fl->el[i].breaks);
    }
    free(fl->el);
    fl->el = NULL;
    fl->nel = 0;
    fl->el_cap = 0;
}
