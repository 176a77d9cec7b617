/* Flow: elements → frames (columns or fixed panels).
 *
 * Every paragraph was set before flowing (all frames of a template have
 * one width, so a line never depends on where it lands, as in TeX); here
 * the units — lines, boxes, table rows — are poured into frames under the
 * flow rules: a heading is never the last thing in a frame and keeps at
 * least two lines of what follows; no paragraph leaves fewer than
 * `orphans` lines at the foot of a frame or `widows` at the head of the
 * next; a frame does not end in a hyphenated line when one line less keeps
 * the other rules; a column figure that does not fit where it is called
 * waits for the top of the next column while the text goes on; table rows
 * are never split and the header row repeats; nothing is drawn below the
 * frame. Placement is a pure function of (position, frame), so the page
 * builder can try frame heights (balancing) without drawing. */
#include "flow.h"

#include <math.h>
#include <string.h>

int unit_count(const elem *e)
{
    switch (e->kind) {
    case EL_TEXT:
        return e->para.nlines;
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
            fo_rich m = {e->marker, strlen(e->marker), NULL, 0, e->pos};
            flow_draw_text(fl, pg, &m, e->st, x, y, e->indent);
        }
        flow_emit_line(pg, &e->para.lines[u], e->st, x + e->indent,
                       y + e->baseline);
        break;
    case EL_BOX:
        e->draw(fl, e, pg, x, y, w);
        break;
    case EL_TABLE:
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
    int n = e->para.nlines;
    int take = fit;
    for (; take > 0; take--) {
        int upto = first + take;
        if (first == 0 && upto < fl->t->orphans && n > 1)
            continue;
        if (n - upto < fl->t->widows)
            continue;
        break;
    }
    if (take > 1 && e->para.lines[first + take - 1].hyphenated) {
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
        if (kept == 0 && (!fs->started || fits(fs, before + e->height))) {
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

pos fill_frame(flow *fl, pos p, double x, double y, double w, double h,
               fo_dl_page *pg, int *page_break)
{
    frame_state fs = {fl, pg, x, y, w, h, 0, 0};
    *page_break = 0;
    place_deferred(&fs, &p);
    while (p.e < fl->nel) {
        const elem *e = &fl->el[p.e];
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
        if (is_float(e) && e->span != FO_SPAN_COLUMN) {
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
        int n = unit_count(e) - p.u;
        if (e->kind == EL_BOX) {
            int floating = is_float(e);
            /* Figures keep their order: one waits behind another. */
            int can = (fits(&fs, before + e->height) || !fs.started) &&
                      !(floating && p.ndefer > 0);
            if (can) {
                fs.y += before;
                if (pg)
                    draw_unit(fl, e, 0, pg, x, y + fs.y, w);
                fs.y += e->height + e->space_after;
                fs.started = 1;
            } else if (floating && p.ndefer < MAX_DEFER) {
                p.defer[p.ndefer++] = p.e; /* text goes on */
            } else {
                break;
            }
            p.e++;
            p.u = 0;
            continue;
        }
        double head = e->kind == EL_TABLE ? e->table->head_h : 0;
        int take = 0;
        if (e->keep_with_next && p.e + 1 < fl->nel && p.u == 0) {
            const elem *nx = &fl->el[p.e + 1];
            double need = before;
            for (int i = 0; i < n; i++)
                need += unit_height(e, i);
            need += e->space_after + nx->space_before + lead_in(nx, 0);
            take = fits(&fs, need) ? n : 0;
        } else {
            double room = fs.h - fs.y - before - head;
            int fit = 0;
            double acc = 0;
            while (fit < n && acc + unit_height(e, p.u + fit) <= room + 1e-6)
                acc += unit_height(e, p.u + fit++);
            if (fit >= n)
                take = n;
            else if (e->kind == EL_TEXT)
                take = split_text(fl, e, p.u, fit);
            else
                take = fit; /* table rows, whole */
        }
        if (take == 0 && !fs.started) {
            /* Even an empty frame cannot satisfy the rules (a tall
             * heading, a tiny frame): break them rather than stall. */
            double room = fs.h - head;
            double acc = 0;
            while (take < n && acc + unit_height(e, p.u + take) <= room)
                acc += unit_height(e, p.u + take++);
            if (take == 0)
                take = 1;
        }
        if (take == 0)
            break;
        fs.y += before;
        if (pg && p.u == 0 && e->anchor) {
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_ANCHOR);
            op->u.anchor =
                (fo_dl_anchor){e->anchor, x, y + fs.y, e->level, e->title};
        }
        if (head > 0) {
            if (pg)
                flow_draw_table_row(fl, e, pg, -1, x, y + fs.y);
            fs.y += head;
        }
        for (int i = 0; i < take; i++) {
            if (pg)
                draw_unit(fl, e, p.u + i, pg, x, y + fs.y, w);
            fs.y += unit_height(e, p.u + i);
        }
        fs.started = 1;
        p.u += take;
        if (p.u < unit_count(e))
            break; /* continues in the next frame */
        fs.y += e->space_after;
        p.e++;
        p.u = 0;
    }
    return p;
}
