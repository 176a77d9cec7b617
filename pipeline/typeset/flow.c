/* Flow: elements → frames (columns or fixed panels).
 *
 * Every paragraph was measured before flowing (all frames of a template
 * have one width, so a line never depends on where it lands, as in TeX);
 * its set lines are kept from then, or set again when they did not fit
 * the keep budget, and are drawn through flow_text_lines; here
 * the units — lines, boxes, table rows — are poured into frames under the
 * flow rules: a heading is never the last thing in a frame and keeps at
 * least two lines of what follows; no paragraph leaves fewer than
 * `orphans` lines at the foot of a frame or `widows` at the head of the
 * next; a frame does not end in a hyphenated line when one line less keeps
 * the other rules; a column figure that does not fit where it is called
 * waits for the top of the next column while the text goes on; table rows
 * are never split and the header row repeats; a text-width table (and
 * the caption and headings that go with it) goes only into a frame across
 * the columns, which takes nothing else; nothing is drawn below the
 * frame. Placement is a pure function of (position, frame), so the page
 * builder can try frame heights (balancing) without drawing. */
#include "flow.h"

#include <assert.h>
#include <math.h>
#include <string.h>

int unit_count(const elem *e)
{
    switch (e->kind) {
    case EL_TEXT:
        return e->nlines;
    case EL_BOX:
        return 1;
    case EL_TABLE:
        return e->table->nrows;
    case EL_BREAK:
        return 0;
    }
    return 0;
}

double unit_height(const elem *e, int u)
{
    switch (e->kind) {
    case EL_TEXT:
        return e->st->leading;
    case EL_BOX:
        return e->height;
    case EL_TABLE:
        return e->table->row_h[u];
    case EL_BREAK:
        return 0;
    }
    return 0;
}

static void draw_unit(flow *fl, const elem *e, int u, fo_dl_page *pg, double x,
                      double y, double w)
{
    switch (e->kind) {
    case EL_TEXT:
        if (u == 0 && e->marker) {
            fo_rich m = {e->marker, strlen(e->marker), NULL, 0, e->pos, NULL};
            flow_source(pg, e, FO_DL_SRC_ADDED);
            flow_draw_text(fl, pg, &m, e->st, x, y, e->indent);
        }
        flow_source(pg, e, FO_DL_SRC_CONTENT);
        flow_emit_line(pg, &flow_text_lines(fl, e)[u], e->st, x + e->indent,
                       y + e->baseline);
        break;
    case EL_BOX:
        assert(!e->released);
        flow_source(pg, e, FO_DL_SRC_CONTENT);
        e->draw(fl, e, pg, x, y, w);
        break;
    case EL_TABLE:
        assert(!e->released);
        flow_source(pg, e, FO_DL_SRC_CONTENT);
        flow_draw_table_row(fl, e, pg, u, x, y);
        break;
    case EL_BREAK:
        break;
    }
}

/* How many lines of paragraph e, from line `first`, may end this frame
 * after `fit` of them fit: widows, orphans, and no hyphen at the end. */
static int split_text(const flow *fl, const elem *e, int first, int fit)
{
    int n = e->nlines;
    int take = fit;
    for (; take > 0; take--) {
        int upto = first + take;
        if (first == 0 && upto < fl->t->orphans && n > 1)
            continue;
        if (n - upto < fl->t->widows)
            continue;
        break;
    }
    if (take > 1 && e->breaks[first + take - 1].hyphenated) {
        int upto = first + take - 1;
        if (!(first == 0 && upto < fl->t->orphans) && n - upto >= fl->t->widows)
            take--;
    }
    return take;
}

/* Height the first units of e need to be worth starting here: the heading
 * keep rule looks at the element after a heading. */
static double lead_in(const elem *e, int from)
{
    int n = unit_count(e) - from;
    int k = n < 2 ? n : 2;
    double h = 0;
    if (e->kind == EL_TABLE)
        h += e->table->head_h;
    for (int i = 0; i < k; i++)
        h += unit_height(e, from + i);
    return h;
}

int flow_elem_wide(const flow *fl, const elem *e)
{
    return fl->t->npanels == 0 && fl->t->columns > 1 && e->kind != EL_BOX &&
           e->span == FO_SPAN_TEXT;
}

/* Is a frame w wide one across the columns of the text frame? */
static int wide_frame(const flow *fl, double w)
{
    return fl->t->npanels == 0 && fl->t->columns > 1 && w > fl->col_w + 0.5;
}

static int is_float(const elem *e)
{
    return e->kind == EL_BOX && e->block && e->block->kind == FO_BLOCK_FIGURE;
}

typedef struct frame_state {
    flow *fl;
    fo_dl_page *pg;
    double x, y0, w, h;
    double y;    /* used height */
    int started; /* something is in the frame */
} frame_state;

static int fits(const frame_state *fs, double need)
{
    return fs->y + need <= fs->h + 1e-6;
}

/* Places deferred column figures at the top of a frame. */
static void place_deferred(frame_state *fs, pos *p)
{
    int kept = 0;
    for (int i = 0; i < p->ndefer; i++) {
        const elem *e = &fs->fl->el[p->defer[i]];
        double before = fs->started ? e->space_before : 0;
        /* At the top of a frame too, only if it fits: a frame made short
         * to balance the columns must not take a figure taller than it
         * (it was drawn past the frame's foot, which the preflight found) */
        if (kept == 0 && (fits(fs, before + e->height) ||
                          (!fs->started && e->height <= fs->h + 1e-6))) {
            fs->y += before;
            if (fs->pg)
                draw_unit(fs->fl, e, 0, fs->pg, fs->x, fs->y0 + fs->y, fs->w);
            fs->y += e->height + e->space_after;
            fs->started = 1;
        } else {
            p->defer[kept++] = p->defer[i];
        }
    }
    p->ndefer = kept;
}

/* Box element e, next at p: placed when it fits (or the frame is still
 * empty); a column figure that does not fit — or must wait behind another
 * — is deferred to the top of the next column while the text goes on.
 * Returns 0 when the box stays for the next frame. */
static int place_box(frame_state *fs, pos *p, const elem *e, double before)
{
    int floating = is_float(e);
    /* Figures keep their order: one waits behind another. */
    /* An empty frame takes a box that is too tall for the rest of a
     * frame, but not one taller than the frame: that would be drawn past
     * its foot (the page builder reports it instead). */
    int can = (fits(fs, before + e->height) ||
               (!fs->started && e->height <= fs->h + 1e-6)) &&
              !(floating && p->ndefer > 0);
    if (can) {
        fs->y += before;
        if (fs->pg)
            draw_unit(fs->fl, e, 0, fs->pg, fs->x, fs->y0 + fs->y, fs->w);
        fs->y += e->height + e->space_after;
        fs->started = 1;
    } else if (floating && p->ndefer < MAX_DEFER) {
        p->defer[p->ndefer++] = p->e; /* text goes on */
    } else {
        return 0;
    }
    p->e++;
    p->u = 0;
    return 1;
}

/* Heading keep rule: all n units of e go here only if the first units of
 * the element after it, nx, fit too; else none. */
static int take_keep(const frame_state *fs, const elem *e, const elem *nx,
                     double before, int n)
{
    double need = before;
    for (int i = 0; i < n; i++)
        need += unit_height(e, i);
    need += e->space_after + nx->space_before + lead_in(nx, 0);
    return fits(fs, need) ? n : 0;
}

/* Units of e from `from` (n left) that fit in the rest of the frame, under
 * a table header `head`: all of them, else a paragraph's split under the
 * widow and orphan rules, else the table rows that fit, whole. */
static int take_fitting(const frame_state *fs, const elem *e, int from, int n,
                        double before, double head)
{
    double room = fs->h - fs->y - before - head;
    int fit = 0;
    double acc = 0;
    while (fit < n && acc + unit_height(e, from + fit) <= room + 1e-6)
        acc += unit_height(e, from + fit++);
    if (fit >= n)
        return n;
    if (e->kind == EL_TEXT)
        return split_text(fs->fl, e, from, fit);
    return fit; /* table rows, whole */
}

/* Even an empty frame cannot satisfy the rules (a tall heading, a tiny
 * frame): break them rather than stall — what fits in `room`. A unit
 * taller than the whole frame is never taken: it would be drawn past the
 * frame's foot, so the page builder reports it instead. */
static int take_forced(const elem *e, int from, int n, double room)
{
    int take = 0;
    double acc = 0;
    while (take < n && acc + unit_height(e, from + take) <= room + 1e-6)
        acc += unit_height(e, from + take++);
    return take;
}

/* How many units of text or table e, from p.u, go into this frame
 * (0: none, the frame ends here). */
static int units_to_take(const frame_state *fs, pos p, const elem *e,
                         double before, double head)
{
    const flow *fl = fs->fl;
    int n = unit_count(e) - p.u;
    int take;
    if (e->keep_with_next && p.e + 1 < fl->nel && p.u == 0)
        take = take_keep(fs, e, &fl->el[p.e + 1], before, n);
    else
        take = take_fitting(fs, e, p.u, n, before, head);
    if (take == 0 && !fs->started)
        take = take_forced(e, p.u, n, fs->h - head);
    return take;
}

/* Places units p->u .. p->u + take - 1 of text or table e — with the
 * heading's anchor and the table's header row — and moves p on. Returns 0
 * when e continues in the next frame. */
static int emit_units(frame_state *fs, pos *p, const elem *e, int take,
                      double before, double head)
{
    fo_dl_page *pg = fs->pg;
    fs->y += before;
    if (pg)
        flow_source(pg, e, FO_DL_SRC_CONTENT);
    if (pg && p->u == 0 && e->anchor) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_ANCHOR);
        op->u.anchor = (fo_dl_anchor){e->anchor, fs->x, fs->y0 + fs->y,
                                      e->level, e->title};
    }
    if (head > 0) {
        if (pg && p->u > 0) /* the header repeated: not the table's text */
            pg->src.kind = FO_DL_SRC_ADDED;
        if (pg)
            flow_draw_table_row(fs->fl, e, pg, -1, fs->x, fs->y0 + fs->y);
        if (pg)
            flow_source(pg, e, FO_DL_SRC_CONTENT);
        fs->y += head;
    }
    for (int i = 0; i < take; i++) {
        if (pg)
            draw_unit(fs->fl, e, p->u + i, pg, fs->x, fs->y0 + fs->y, fs->w);
        fs->y += unit_height(e, p->u + i);
    }
    fs->started = 1;
    p->u += take;
    if (p->u < unit_count(e))
        return 0; /* continues in the next frame */
    fs->y += e->space_after;
    p->e++;
    p->u = 0;
    return 1;
}

pos fill_frame(flow *fl, pos p, double x, double y, double w, double h,
               fo_dl_page *pg, int *page_break)
{
    frame_state fs = {fl, pg, x, y, w, h, 0, 0};
    *page_break = 0;
    if (pg) /* what is drawn from here on must lie in this frame */
        fo_dl_page_add_frame(
            pg, fl->t->npanels ? FO_DL_FRAME_PANEL : FO_DL_FRAME_COLUMN, x, y,
            w, h);
    place_deferred(&fs, &p);
    while (p.e < fl->nel) {
        const elem *e = &fl->el[p.e];
        /* Text-width tables go only into a frame as wide as the text
         * frame, and nothing else does (flow_columns). */
        if (flow_elem_wide(fl, e) != wide_frame(fl, w))
            break;
        if (e->kind == EL_BREAK) {
            p.e++;
            p.u = 0;
            if (e->brk == FO_BREAK_PAGE)
                *page_break = 1;
            if (fs.started || e->brk == FO_BREAK_PAGE)
                break;
            continue;
        }
        if (e->section_open && fl->t->opener != FO_OPEN_CONTINUE) {
            *page_break = 1; /* the page builder opens the section */
            break;
        }
        int panels = fl->t->npanels > 0;
        if (panels && is_float(e) && e->span == FO_SPAN_PAGE)
            break; /* the panel builder gives it a panel of its own */
        /* (in a panel, the text is the panel: a text-width figure is a
         * column figure) */
        if (!panels && is_float(e) && e->span != FO_SPAN_COLUMN) {
            /* Text-width and page figures wait for the top of the next
             * page (the page builder places them); the text goes on. */
            if (p.ntop < MAX_DEFER) {
                p.top[p.ntop++] = p.e++;
                p.u = 0;
                continue;
            }
            break;
        }
        double before = (p.u == 0 && fs.started) ? e->space_before : 0;
        if (e->kind == EL_BOX) {
            if (!place_box(&fs, &p, e, before))
                break;
            continue;
        }
        double head = e->kind == EL_TABLE ? e->table->head_h : 0;
        int take = units_to_take(&fs, p, e, before, head);
        if (take == 0 || !emit_units(&fs, &p, e, take, before, head))
            break;
    }
    return p;
}
