/* The page builder: the body in columns or fixed panels, full-page
 * figures, binding — and fo_typeset, which drives it all for one
 * edition (the cover and contents: front.c; adding and closing pages,
 * with their labels and running heads and feet: masters.c).
 *
 * A page of columns is filled in regions: columns, and across them a
 * text-width table where the flow meets one, the columns above it
 * balanced (fill_regions). */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- body in columns --------------------------------------------------- */

static pos fill_columns(flow *fl, pos p, size_t page, double y, double h,
                        fo_dl_page *pg, int *page_break)
{
    const fo_template *t = fl->t;
    double left = flow_left_edge(fl, page);
    *page_break = 0;
    for (int c = 0; c < t->columns; c++) {
        double x = left + c * (fl->col_w + t->gutter);
        p = fill_frame(fl, p, x, y, fl->col_w, h, pg, page_break);
        if (*page_break)
            break;
    }
    return p;
}

static int pos_same(pos a, pos b)
{
    return a.e == b.e && a.u == b.u && a.ndefer == b.ndefer && a.ntop == b.ntop;
}

/* Does the section end on this page (so its columns should balance)? */
static int section_ends(const flow *fl, pos end)
{
    if (end.ndefer || end.ntop)
        return 0;
    if (end.e >= fl->nel)
        return 1;
    return end.u == 0 && fl->el[end.e].section_open &&
           fl->t->opener != FO_OPEN_CONTINUE;
}

/* Places the text-width figures waiting at the top of a new page; page
 * figures stay in the list. Returns the height used. */
static double place_top(flow *fl, pos *p, fo_dl_page *pg, double x, double y,
                        double room)
{
    double used = 0;
    int kept = 0;
    for (int i = 0; i < p->ntop; i++) {
        const elem *e = &fl->el[p->top[i]];
        if (e->span == FO_SPAN_TEXT && kept == 0 &&
            (used == 0 || used + e->height <= room * 0.7)) {
            flow_source(pg, e, FO_DL_SRC_CONTENT);
            e->draw(fl, e, pg, x, y + used, fl->text_w);
            used += e->height + e->space_after;
        } else {
            p->top[kept++] = p->top[i];
        }
    }
    p->ntop = kept;
    return used;
}

/* Emits the page figures waiting in p, each on a page of its own. */
static void page_figures(flow *fl, pos *p, int section)
{
    int kept = 0;
    for (int i = 0; i < p->ntop; i++) {
        const elem *e = &fl->el[p->top[i]];
        if (e->span == FO_SPAN_PAGE) {
            fo_dl_page *pg = flow_new_page(fl, PAGE_FIGURE, section);
            flow_source(pg, e, FO_DL_SRC_CONTENT);
            flow_draw_page_figure(fl, e, pg);
        } else {
            p->top[kept++] = p->top[i];
        }
    }
    p->ntop = kept;
}

static int waits(pos p, int e)
{
    for (int i = 0; i < p.ndefer; i++)
        if (p.defer[i] == e)
            return 1;
    for (int i = 0; i < p.ntop; i++)
        if (p.top[i] == e)
            return 1;
    return 0;
}

/* Releases what draws the elements the flow has left for good at p: those
 * before p.e, except the figures still waiting. */
static void release_passed(flow *fl, pos p)
{
    int first_waiting = -1;
    for (int i = fl->passed; i < p.e; i++) {
        if (waits(p, i)) {
            if (first_waiting < 0)
                first_waiting = i;
        } else {
            flow_release_elem(fl, i);
        }
    }
    fl->passed = first_waiting >= 0 ? first_waiting : p.e;
}

/* The shortest height, to half a point, at which the columns from p (or
 * the frame across them, wide) reach the same end as at height h. */
static double shortest(flow *fl, pos p, size_t page, double x, double y,
                       double h, int wide, pos end)
{
    double lo = 0, hi = h;
    for (int it = 0; it < 30 && hi - lo > 0.5; it++) {
        double mid = (lo + hi) / 2;
        int pb;
        pos tr = wide ? fill_frame(fl, p, x, y, fl->text_w, mid, NULL, &pb)
                      : fill_columns(fl, p, page, y, mid, NULL, &pb);
        if (pos_same(tr, end))
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* Text-width tables (and their captions) at p, in one frame across the
 * columns from y: as many rows as fit in h, the frame no taller than what
 * it holds. Column figures waiting for a column wait on. Sets *used to
 * the height taken, space after included. */
static pos fill_across(flow *fl, pos p, double x, double y, double h,
                       fo_dl_page *pg, int *page_break, double *used)
{
    pos waiting = p;
    p.ndefer = 0;
    pos end = fill_frame(fl, p, x, y, fl->text_w, h, NULL, page_break);
    *used = 0;
    if (!pos_same(end, p)) {
        double hh = shortest(fl, p, 0, x, y, h, 1, end);
        end = fill_frame(fl, p, x, y, fl->text_w, hh, pg, page_break);
        *used = hh;
        if (end.u == 0 && end.e > p.e)
            *used += fl->el[end.e - 1].space_after;
    }
    end.ndefer = waiting.ndefer;
    memcpy(end.defer, waiting.defer, sizeof end.defer);
    return end;
}

/* Fills page `page` from y down: columns and, where the flow meets a
 * text-width table, the table across them, with the columns above it
 * balanced and the columns going on below it. */
static pos fill_regions(flow *fl, pos p, size_t page, double x, double y,
                        fo_dl_page *pg, int *page_break)
{
    const fo_template *t = fl->t;
    double bottom = t->margin_top + fl->frame_h;
    int above = y > t->margin_top; /* something is drawn above y */
    int columns_above = 0;         /* and it is columns: their last element's
                                      space after is not in y */
    *page_break = 0;
    while (y < bottom && !*page_break) {
        double h = bottom - y;
        if (p.e < fl->nel && flow_elem_wide(fl, &fl->el[p.e])) {
            /* as between two elements in a column: the space after the
             * one above and before this one */
            double gap = above && p.u == 0 ? fl->el[p.e].space_before : 0;
            if (columns_above && p.u == 0 && p.e > 0)
                gap += fl->el[p.e - 1].space_after;
            double used;
            pos end =
                fill_across(fl, p, x, y + gap, h - gap, pg, page_break, &used);
            if (pos_same(end, p))
                break; /* not a row fits: the next page */
            p = end;
            y += gap + used;
            above = 1;
            columns_above = 0;
            if (p.u > 0)
                break; /* the table goes on on the next page */
            continue;
        }
        pos end = fill_columns(fl, p, page, y, h, NULL, page_break);
        int across = !*page_break && end.e < fl->nel && end.u == 0 &&
                     flow_elem_wide(fl, &fl->el[end.e]);
        /* The last page of a section, or the columns above a text-width
         * table: the shortest columns that still take the same content
         * balance it. */
        if (t->columns > 1 && (section_ends(fl, end) || across))
            h = shortest(fl, p, page, x, y, h, 0, end);
        end = fill_columns(fl, p, page, y, h, pg, page_break);
        if (!across)
            return end;
        if (!pos_same(end, p)) {
            y += h;
            above = 1;
            columns_above = 1;
        }
        p = end;
    }
    return p;
}

/* Nothing at p could be placed, even on an empty page (a block taller
 * than the text frame): an error at the block, with its height and the
 * frame's, rather than drawing it past the frame's foot or adding pages
 * for ever. */
static void cannot_place(flow *fl, pos p)
{
    int at = p.e < fl->nel ? p.e : p.ndefer > 0 ? p.defer[0] : p.top[0];
    const elem *e = &fl->el[at];
    int u = at == p.e ? p.u : 0;
    double h = e->kind == EL_BOX   ? e->height
               : u < unit_count(e) ? unit_height(e, u)
                                   : 0;
    if (e->kind == EL_TABLE)
        h += e->table->head_h;
    fo_where w = {.edition = fl->lang};
    if (h > fl->frame_h)
        fo_diag_add_where(fl->d, FO_SEV_ERROR, e->pos, &w,
                          "this block is %.1f mm tall and the text frame of "
                          "template '%s' %.1f mm: it cannot be placed; "
                          "shorten it",
                          fo_pt_to_mm(h), fl->t->name,
                          fo_pt_to_mm(fl->frame_h));
    else
        fo_diag_add_where(fl->d, FO_SEV_ERROR, e->pos, &w,
                          "this block cannot be placed on a page of "
                          "template '%s'",
                          fl->t->name);
    flow_fail(fl, FO_ERR_INPUT);
}

static void flow_columns(flow *fl)
{
    const fo_template *t = fl->t;
    pos p = {0};
    int section = 0;
    while (fl->status == FO_OK &&
           (p.e < fl->nel || p.ndefer > 0 || p.ntop > 0)) {
        flow_close_pages(
            fl); /* the flow draws only on pages it adds from here */
        page_figures(fl, &p, section);
        if (p.e >= fl->nel && p.ndefer == 0 && p.ntop == 0)
            break;
        const elem *opening =
            p.e < fl->nel && p.u == 0 && fl->el[p.e].section_open ? &fl->el[p.e]
                                                                  : NULL;
        if (opening && p.ntop > 0) {
            /* Figures of the section that just ended never go under the
             * next section's title: they get a page of their own. */
            size_t fi = fl->doc->npages;
            fo_dl_page *fp = flow_new_page(fl, PAGE_BODY, section);
            fo_dl_page_add_frame(fp, FO_DL_FRAME_TEXT, flow_left_edge(fl, fi),
                                 t->margin_top, fl->text_w, fl->frame_h);
            place_top(fl, &p, fp, flow_left_edge(fl, fi), t->margin_top,
                      fl->frame_h);
            continue;
        }
        if (opening && t->opener == FO_OPEN_RIGHT && fl->doc->npages % 2 == 1)
            flow_new_page(fl, PAGE_BLANK, section); /* open on a right page */
        if (opening)
            section = opening->section;
        size_t idx = fl->doc->npages;
        fo_dl_page *pg = flow_new_page(fl, PAGE_BODY, section);
        double x = flow_left_edge(fl, idx), y = t->margin_top;
        fo_dl_page_add_frame(pg, FO_DL_FRAME_TEXT, x, y, fl->text_w,
                             fl->frame_h);
        if (opening) {
            flow_source(pg, opening, FO_DL_SRC_CONTENT);
            fo_dl_op *op = fo_dl_page_add(pg, FO_DL_ANCHOR);
            op->u.anchor =
                (fo_dl_anchor){opening->anchor, x, y, 1, opening->title};
            const fo_set_line *lines = flow_text_lines(fl, opening);
            for (int i = 0; i < opening->nlines; i++)
                flow_emit_line(pg, &lines[i], opening->st, x,
                               y + i * opening->st->leading +
                                   opening->baseline);
            y += opening->nlines * opening->st->leading + opening->space_after;
            p.e++;
        }
        /* A text-width figure that opens the flow here goes on this page
         * (at the top), not the next. */
        while (p.e < fl->nel && p.u == 0 && p.ntop < MAX_DEFER &&
               fl->el[p.e].kind == EL_BOX && fl->el[p.e].span == FO_SPAN_TEXT &&
               fl->el[p.e].block && fl->el[p.e].block->kind == FO_BLOCK_FIGURE)
            p.top[p.ntop++] = p.e++;
        double tops =
            place_top(fl, &p, pg, x, y, t->margin_top + fl->frame_h - y);
        y += tops;
        int pb;
        pos end = fill_regions(fl, p, idx, x, y, pg, &pb);
        /* Nothing placed at all (a page that only held waiting figures
         * did progress): stop rather than add empty pages for ever. */
        if (pos_same(end, p) && !opening && !pb && tops == 0)
            cannot_place(fl, p);
        p = end;
        release_passed(fl, p);
    }
    flow_close_pages(fl);
}

/* ---- body in fixed panels -------------------------------------------- */

/* A panel's box with the bleed on the edges it shares with the sheet:
 * never across a fold into the neighbouring panel. */
static cover_box panel_box(const flow *fl, const fo_panel *pn)
{
    const fo_template *t = fl->t;
    double b = t->bleed, eps = 0.01;
    cover_box c = {.x = pn->bx,
                   .y = pn->by,
                   .w = pn->bw,
                   .h = pn->bh,
                   .tx = pn->x,
                   .ty = pn->y,
                   .tw = pn->w,
                   .foot = pn->by + pn->bh};
    c.bl = pn->bx <= eps ? b : 0;
    c.bt = pn->by <= eps ? b : 0;
    c.br = pn->bx + pn->bw >= t->page_w - eps ? b : 0;
    c.bb = pn->by + pn->bh >= t->page_h - eps ? b : 0;
    return c;
}

static int is_page_figure(const flow *fl, pos p)
{
    if (p.u != 0 || p.e >= fl->nel)
        return 0;
    const elem *e = &fl->el[p.e];
    return e->kind == EL_BOX && e->block && e->block->kind == FO_BLOCK_FIGURE &&
           e->span == FO_SPAN_PAGE;
}

/* Did the content move on at p on purpose — just past a break, or at a
 * span: page figure, which takes a panel of its own? Then the next panel
 * starts a new run of content, whether or not the last one continues. */
static int moves_on(const flow *fl, pos p)
{
    return (p.u == 0 && p.e > 0 && fl->el[p.e - 1].kind == EL_BREAK) ||
           is_page_figure(fl, p);
}

/* Height of the run of content left at p — the figures waiting, then the
 * blocks up to the next break or span: page figure, at *stop (fl->nel:
 * none) — which the panels just filled were meant to hold. */
static double run_left(const flow *fl, pos p, int *stop)
{
    double h = 0;
    for (int i = 0; i < p.ndefer; i++)
        h += fl->el[p.defer[i]].space_before + fl->el[p.defer[i]].height;
    int e = p.e;
    for (; e < fl->nel; e++) {
        const elem *el = &fl->el[e];
        if (el->kind == EL_BREAK ||
            (e > p.e && is_page_figure(fl, (pos){.e = e})))
            break;
        int n = unit_count(el);
        if (e > p.e || p.u == 0)
            h += el->space_before;
        if (el->kind == EL_TABLE && (e > p.e || p.u < n))
            h += el->table->head_h;
        for (int u = e == p.e ? p.u : 0; u < n; u++)
            h += unit_height(el, u);
    }
    *stop = e;
    return h;
}

/* The folds of side s of a folded sheet: where two of its panels meet,
 * midway between one's frame and the next's (their paddings are equal in
 * the shipped templates; unequal ones move the fold by half their
 * difference at most). */
static void panel_folds(flow *fl, fo_dl_page *pg, int side)
{
    const fo_template *t = fl->t;
    double folds[16];
    size_t n = 0;
    for (size_t i = 0; i < t->npanels; i++) {
        const fo_panel *a = &t->panels[i];
        if (a->side != side)
            continue;
        /* the nearest panel of the side to a's right */
        const fo_panel *next = NULL;
        for (size_t j = 0; j < t->npanels; j++) {
            const fo_panel *b = &t->panels[j];
            if (b->side == side && b->x >= a->x + a->w - 1e-6 &&
                (!next || b->x < next->x))
                next = b;
        }
        if (next && n < sizeof folds / sizeof folds[0])
            folds[n++] = (a->x + a->w + next->x) / 2;
    }
    fo_dl_page_set_folds(pg, folds, n);
}

/* The run that started in panel `from` has filled panel i, which does not
 * continue into the next: reports what does not fit, at the block that
 * first does not, and returns where the next run starts (after the next
 * break), so that every over-full run of the edition is reported. */
static pos panel_full(flow *fl, size_t from, size_t i, pos end, int last)
{
    const fo_template *t = fl->t;
    const fo_panel *pn = &t->panels[i];
    int stop;
    double over = run_left(fl, end, &stop);
    int at = end.ndefer > 0 ? end.defer[0] : end.e;
    char what[256];
    if (from == i)
        (void)snprintf(what, sizeof what, "panel '%s' is full", pn->name);
    else
        (void)snprintf(what, sizeof what, "the panels '%s' to '%s' are full",
                       t->panels[from].name, pn->name);
    cover_box c = panel_box(fl, pn);
    fo_where w = {.rule = "panel",
                  .edition = fl->lang,
                  .page = pn->side + 1,
                  .has_box = 1,
                  .x = c.x,
                  .y = c.y,
                  .w = c.w,
                  .h = c.h};
    fo_diag_add_where(fl->d, FO_SEV_ERROR, fl->el[at].pos, &w,
                      "%s: %.1f mm of content does not fit; %s", what,
                      fo_pt_to_mm(over),
                      last ? "shorten the text"
                           : "shorten the text, or move a block after a "
                             "'break: column' into the next panel");
    pos q = {0};
    q.e = stop < fl->nel && fl->el[stop].kind == EL_BREAK ? stop + 1 : stop;
    return q;
}

/* Pours the content through the panels in list order. A run of content
 * (up to a break or a span: page figure) runs on from a panel into the
 * next only when the panel says `continues-to`; otherwise a panel that
 * cannot hold the rest of its run is an error. A span: page figure fills
 * the next empty panel into the bleed. With the publication's `cover:`,
 * the cover panel holds the cover and the content skips it. */
static void flow_panels(flow *fl)
{
    const fo_template *t = fl->t;
    int sides = 1;
    for (size_t i = 0; i < t->npanels; i++)
        if (t->panels[i].side + 1 > sides)
            sides = t->panels[i].side + 1;
    size_t first = fl->doc->npages;
    for (int s = 0; s < sides; s++)
        panel_folds(fl, flow_new_page(fl, PAGE_BODY, 0), s);
    size_t cover_panel = t->npanels;
    fo_pos cover_at;
    if (flow_wants_cover(fl->pub, &cover_at)) {
        for (size_t i = 0; i < t->npanels && cover_panel == t->npanels; i++)
            if (t->panels[i].cover)
                cover_panel = i;
        if (cover_panel < t->npanels) {
            const fo_panel *pn = &t->panels[cover_panel];
            cover_box c = panel_box(fl, pn);
            flow_draw_cover(fl, fl->doc->pages[first + (size_t)pn->side], &c);
        } else {
            fo_warning(fl->d, cover_at,
                       "template '%s' has no cover panel: the cover image "
                       "and logo are not used",
                       t->name);
        }
    }
    pos p = {0};
    size_t i = 0, from = 0;
    while (fl->status == FO_OK && (p.e < fl->nel || p.ndefer > 0)) {
        if (i == cover_panel)
            from = ++i;
        if (i >= t->npanels) {
            int at = p.ndefer > 0 ? p.defer[0] : p.e;
            fo_where w = {.edition = fl->lang};
            fo_diag_add_where(fl->d, FO_SEV_ERROR, fl->el[at].pos, &w,
                              "no panel is left for this block: the %zu "
                              "panels of template '%s' are used",
                              t->npanels, t->name);
            break;
        }
        const fo_panel *pn = &t->panels[i];
        fo_dl_page *pg = fl->doc->pages[first + (size_t)pn->side];
        if (p.ndefer == 0 && is_page_figure(fl, p)) {
            cover_box c = panel_box(fl, pn);
            pg->frame = FO_DL_IN_BLEED; /* its panel, out to the sheet's edge */
            flow_source(pg, &fl->el[p.e], FO_DL_SRC_CONTENT);
            flow_draw_figure_in(fl, &fl->el[p.e], pg, c.x - c.bl, c.y - c.bt,
                                c.w + c.bl + c.br, c.h + c.bt + c.bb);
            p.e++;
            from = ++i;
            continue;
        }
        int pb;
        pos end = fill_frame(fl, p, pn->x, pn->y, pn->w, pn->h, pg, &pb);
        if (end.e >= fl->nel && end.ndefer == 0)
            break;
        size_t next = i + 1 == cover_panel ? i + 2 : i + 1;
        if (!pn->continues && (end.ndefer > 0 || !moves_on(fl, end))) {
            p = panel_full(fl, from, i, end, next >= t->npanels);
            from = i = next;
        } else {
            p = end;
            i = next;
            if (moves_on(fl, end))
                from = i;
        }
    }
    flow_close_pages(fl);
}

/* ---- binding ---------------------------------------------------------- */

/* A saddle-stitched book is sheets folded in the middle and nested, 4
 * pages each; a perfect-bound one is leaves glued at the spine, 2 pages
 * each. Blank pages (numbered, without running heads) make up the count
 * at the end, since there is no back cover page to keep last; each is
 * a warning, so --strict refuses a book whose content misses the count. */
static void bind(flow *fl, size_t back)
{
    const fo_template *t = fl->t;
    size_t per = t->binding == FO_BIND_SADDLE    ? 4
                 : t->binding == FO_BIND_PERFECT ? 2
                                                 : 1;
    /* a back cover (back pages) comes after the blanks */
    size_t n = fl->doc->npages + back, add = (per - n % per) % per;
    if (add == 0)
        return;
    const char *book =
        per == 4 ? "saddle-stitched booklet" : "perfect-bound book";
    const char *count = per == 4 ? "a multiple of 4" : "an even number";
    fo_where w = {.edition = fl->lang};
    if (fl->d->strict) { /* nothing is written: say what it lacks */
        fo_diag_add_where(fl->d, FO_SEV_ERROR, fl->pub->template_pos, &w,
                          "the %s has %zu pages, not %s: it needs %zu blank "
                          "page%s at the end",
                          book, n, count, add, add == 1 ? "" : "s");
        return;
    }
    for (size_t i = 0; i < add; i++)
        flow_new_page(fl, PAGE_BLANK, -1);
    flow_close_pages(fl);
    fo_diag_add_where(fl->d, FO_SEV_WARNING, fl->pub->template_pos, &w,
                      "added %zu blank page%s so that the %s has %zu pages, "
                      "%s",
                      add, add == 1 ? "" : "s", book, n + add, count);
}

/* ---- the edition ----------------------------------------------------- */

/* Starts probing every image the publication names (cover, logo,
 * figures), in content order, while layout runs. */
static fo_image_prefetch *prefetch_images(const fo_pub *pub)
{
    const char **paths = NULL;
    size_t n = 0, cap = 0;
    const fo_image_ref *fixed[2] = {&pub->cover_image, &pub->logo};
    for (int i = 0; i < 2; i++)
        if (fixed[i]->path) {
            fo_grow((void **)&paths, sizeof *paths, &cap, n + 1);
            paths[n++] = fixed[i]->path;
        }
    for (size_t s = 0; s < pub->nsections; s++)
        for (size_t b = 0; b < pub->sections[s].nblocks; b++) {
            const fo_block *bl = &pub->sections[s].blocks[b];
            if (bl->kind != FO_BLOCK_FIGURE || !bl->figure ||
                !bl->figure->image.path)
                continue;
            fo_grow((void **)&paths, sizeof *paths, &cap, n + 1);
            paths[n++] = bl->figure->image.path;
        }
    fo_image_prefetch *pf = fo_image_prefetch_start(paths, n);
    free(paths);
    return pf;
}

static void add_sections(flow *fl)
{
    const fo_template *t = fl->t;
    for (size_t s = 0; s < fl->pub->nsections && fl->status == FO_OK; s++) {
        const fo_rich *r = flow_ed_text(fl, &fl->pub->sections[s].title);
        if (r) {
            int open = t->opener != FO_OPEN_CONTINUE && t->npanels == 0;
            elem *e = flow_add_text(fl, r, flow_style(fl, "h1"),
                                    open ? fl->text_w : fl->col_w, NULL);
            e->section_open = open;
            e->level = 1;
            e->section = (int)s;
            e->anchor = fo_arena_printf(fl->doc->arena, "s%zu", s + 1);
            e->title = fo_arena_strndup(fl->doc->arena, r->text, r->len);
            e->pos = fl->pub->sections[s].pos;
        }
        flow_add_blocks(fl, s);
    }
}

/* The keep budget of a layout; the unit tests lower it to check that
 * kept and set-again paragraphs draw the same pages. */
FO_STATIC size_t fo_flow_keep_cap = FLOW_KEEP_BYTES;

fo_status fo_typeset(const fo_pub *pub, int ed, const fo_template *t,
                     fo_fonts *fonts, fo_diags *d, fo_dl_doc **out)
{
    return fo_typeset_stream(pub, ed, t, fonts, d, NULL, out);
}

fo_status fo_typeset_stream(const fo_pub *pub, int ed, const fo_template *t,
                            fo_fonts *fonts, fo_diags *d,
                            const fo_page_sink *sink, fo_dl_doc **out)
{
    *out = NULL;
    fo_dl_doc *doc = fo_dl_doc_new();
    fo_fonts_begin_doc(fonts);
    const fo_rich *r;
    doc->lang = fo_arena_strdup(doc->arena, pub->editions[ed]);
    doc->bleed = t->bleed;
    doc->print.pdfx = t->print.pdfx_1a ? FO_DL_PDFX_1A : FO_DL_PDFX_4;
    doc->print.marks = 0;
    for (int i = 0; i < FO_TEMPLATE_NMARKS; i++)
        if (t->print.marks[i])
            doc->print.marks |= 1u << i; /* FO_DL_MARK_* in the same order */
    doc->print.overprint_text = t->print.overprint_text;
    doc->print.overprint_rules = t->print.overprint_rules;
    if (pub->slug)
        doc->print.name = fo_arena_strdup(doc->arena, pub->slug);
    doc->print_ppi = t->print_ppi;
    doc->print_max_ppi = t->print_max_ppi;
    if ((r = pub->title.ed[ed]))
        doc->title = fo_arena_strdup(doc->arena, r->text);
    if ((r = pub->publisher.ed[ed]))
        doc->author = fo_arena_strdup(doc->arena, r->text);
    if ((r = pub->subtitle.ed[ed]))
        doc->subject = fo_arena_strdup(doc->arena, r->text);
    if ((r = pub->keywords.ed[ed]))
        doc->keywords = fo_arena_strdup(doc->arena, r->text);
    flow fl = {.fonts = fonts,
               .doc = doc,
               .t = t,
               .pub = pub,
               .ed = ed,
               .lang = pub->editions[ed],
               .d = d,
               .sink = sink,
               .running = -1,
               .keep = {.cap = fo_flow_keep_cap}};
    fl.hyph = fo_hyph_open_with(fl.lang, &t->hyph_words, d);
    fl.prefetch = prefetch_images(pub);
    fl.text_w = t->page_w - t->margin_inner - t->margin_outer;
    fl.frame_h = t->page_h - t->margin_top - t->margin_bottom;
    if (t->npanels > 0) {
        /* Every frame is a panel: paragraphs are set once, to the
         * narrowest, and text-width figures are panel-wide (the margins
         * do not apply). */
        fl.col_w = t->panels[0].w;
        fl.frame_h = t->panels[0].h;
        for (size_t i = 1; i < t->npanels; i++) {
            fl.col_w = fmin(fl.col_w, t->panels[i].w);
            fl.frame_h = fmin(fl.frame_h, t->panels[i].h);
        }
        fl.text_w = fl.col_w;
    } else {
        fl.col_w = (fl.text_w - (t->columns - 1) * t->gutter) / t->columns;
    }
    add_sections(&fl);
    toc tc = {0};
    fo_pos cover_at;
    if (fl.status == FO_OK && t->cover && t->npanels == 0 && !pub->no_cover) {
        flow_cover_page(&fl);
        flow_close_pages(&fl);
    } else if (t->npanels == 0 && !pub->no_cover &&
               flow_wants_cover(pub, &cover_at)) {
        fo_warning(d, cover_at,
                   "template '%s' has no cover page ('cover: false'): the "
                   "cover image and logo are not used",
                   t->name);
    }
    if (fl.status == FO_OK && t->contents && t->npanels == 0 &&
        !pub->no_contents) {
        flow_toc_collect(&fl, &tc);
        flow_toc_reserve(&fl, &tc);
        fl.toc = &tc;
    }
    if (fl.status == FO_OK) {
        if (t->npanels > 0)
            flow_panels(&fl);
        else
            flow_columns(&fl);
    }
    size_t back = pub->back_cover && t->npanels == 0;
    if (fl.status == FO_OK && t->npanels == 0)
        bind(&fl, back);
    if (fl.status == FO_OK && back) {
        flow_back_cover_page(&fl);
        flow_close_pages(&fl);
    } else if (pub->back_cover && t->npanels > 0) {
        fo_warning(d, pub->back_cover->pos,
                   "template '%s' folds into panels: it has no back cover "
                   "page, and the back cover is not used",
                   t->name);
    }
    if (fl.status == FO_OK && tc.npages) {
        /* Every entry's page is known now: the contents go last. */
        flow_toc_fill(&fl, &tc);
        for (size_t i = 0; i < tc.npages; i++)
            flow_close_page(&fl, tc.first_page + i);
    }
    free(tc.e);
    flow_free_elems(&fl);
    free(fl.pages);
    fo_hyph_free(fl.hyph);
    fo_image_prefetch_free(fl.prefetch);
    fo_status st = fl.status != FO_OK ? (fo_status)fl.status
                   : d->errors        ? FO_ERR_INPUT
                                      : FO_OK;
    if (st != FO_OK) {
        fo_dl_doc_free(doc);
        return st;
    }
    *out = doc;
    return FO_OK;
}
