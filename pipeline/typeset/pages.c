/* The page builder: cover, contents, the body in columns or fixed panels,
 * full-page figures, running heads and feet, page labels — and
 * fo_typeset, which drives it all for one edition.
 *
 * The contents pages are reserved before the body is flowed (their number
 * follows from the entries, which are known) and filled afterwards, when
 * every section's first page is known, so each entry shows the real page
 * number and links to the section's anchor.
 *
 * A page is closed as soon as nothing more will be drawn on it: its
 * running head and foot are added (its label was given when it was added)
 * and, for fo_typeset_stream, it is handed to the sink and emptied. The
 * body pages are closed in order, the contents pages last. */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void roman(int n, char *out, size_t len)
{
    static const struct {
        int v;
        const char *s;
    } R[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"},
             {90, "xc"},  {50, "l"},   {40, "xl"}, {10, "x"},   {9, "ix"},
             {5, "v"},    {4, "iv"},   {1, "i"}};
    out[0] = 0;
    size_t o = 0;
    for (size_t k = 0; k < sizeof R / sizeof *R; k++)
        while (n >= R[k].v && o + strlen(R[k].s) < len) {
            memcpy(out + o, R[k].s, strlen(R[k].s) + 1);
            o += strlen(R[k].s);
            n -= R[k].v;
        }
}

/* Adds a page of this kind to the document. Every page is added here, so
 * fl->pages has one entry per page: fl->npages == fl->doc->npages. Its
 * label is known now: front matter is numbered in lower-case roman, the
 * body from 1. */
static fo_dl_page *new_page(flow *fl, int kind, int section)
{
    fo_dl_page *pg = fo_dl_doc_add_page(fl->doc, fl->t->page_w, fl->t->page_h);
    fo_grow((void **)&fl->pages, sizeof *fl->pages, &fl->pages_cap,
            fl->npages + 1);
    fl->pages[fl->npages++] = (page_info){kind, section};
    char buf[32];
    if (kind == PAGE_FRONT)
        roman(++fl->nfront, buf, sizeof buf);
    else
        (void)snprintf(buf, sizeof buf, "%d", ++fl->nbody);
    pg->label = fo_arena_strdup(pg->arena, buf);
    return pg;
}

/* Left edge of the text frame on the page with 0-based index i: right
 * hand (odd-numbered) pages have the inner margin on the left. */
static double left_edge(const flow *fl, size_t i)
{
    const fo_template *t = fl->t;
    if (!t->facing)
        return t->margin_inner;
    return i % 2 == 0 ? t->margin_inner : t->margin_outer;
}

static const fo_rich *ed_text(const flow *fl, const fo_text *t)
{
    return t->ed[fl->ed];
}

/* ---- cover ----------------------------------------------------------- */

static void cover(flow *fl)
{
    const fo_template *t = fl->t;
    const fo_pub *pub = fl->pub;
    fo_dl_page *pg = new_page(fl, PAGE_FRONT, -1);
    double b = t->bleed, w = t->page_w, h = t->page_h;
    int img =
        pub->cover_image.path ? flow_use_image(fl, &pub->cover_image) : -1;
    double band_y = h * 0.64;
    pg->frame = FO_DL_IN_BLEED; /* the picture and the colour band */
    if (img >= 0) {
        flow_place_image(fl, pg, &pub->cover_image, img, 1, pub->cover_focus_x,
                         pub->cover_focus_y, -b, -b, w + 2 * b, band_y + b);
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect = (fo_dl_rect){-b, band_y, w + 2 * b, h - band_y + b,
                                  t->cover_background};
    } else {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect =
            (fo_dl_rect){-b, -b, w + 2 * b, h + 2 * b, t->cover_background};
    }
    double x = t->margin_outer, tw = w - t->margin_inner - t->margin_outer;
    pg->frame = FO_DL_IN_TRIM;
    if (pub->logo.path) {
        int logo = flow_use_image(fl, &pub->logo);
        if (logo >= 0)
            flow_place_image(fl, pg, &pub->logo, logo, 0, 0.5, 0.5, x,
                             t->margin_top, tw * 0.25, 20 * 72 / 25.4);
    }
    double y = band_y + 14;
    const fo_rich *r;
    if ((r = ed_text(fl, &pub->title)))
        y +=
            flow_draw_text(fl, pg, r, flow_style(fl, "cover-title"), x, y, tw) +
            6;
    if ((r = ed_text(fl, &pub->subtitle)))
        y += flow_draw_text(fl, pg, r, flow_style(fl, "cover-subtitle"), x, y,
                            tw) +
             10;
    const fo_rich *publ = ed_text(fl, &pub->publisher);
    char meta[512];
    if (publ && pub->year > 0)
        (void)snprintf(meta, sizeof meta, "%s \u00B7 %d", publ->text,
                       pub->year);
    else if (publ)
        (void)snprintf(meta, sizeof meta, "%s", publ->text);
    else if (pub->year > 0)
        (void)snprintf(meta, sizeof meta, "%d", pub->year);
    else
        meta[0] = 0;
    if (meta[0]) {
        fo_rich m = {
            meta, strlen(meta), NULL, 0, publ ? publ->pos : (fo_pos){0}, NULL};
        flow_draw_text(fl, pg, &m, flow_style(fl, "cover-meta"), x, y, tw);
    }
}

/* ---- contents -------------------------------------------------------- */

typedef struct toc_entry {
    const char *title;
    const char *anchor;
    int level, section;
    int page; /* where the anchor is, once its page is closed, else -1 */
} toc_entry;

typedef struct toc {
    toc_entry *e;
    size_t n, cap;
    size_t first_page, npages;
} toc;

static void toc_collect(flow *fl, toc *tc)
{
    for (int i = 0; i < fl->nel; i++) {
        const elem *e = &fl->el[i];
        if (!e->anchor || e->level < 1 || e->level > 2)
            continue;
        fo_grow((void **)&tc->e, sizeof *tc->e, &tc->cap, tc->n + 1);
        tc->e[tc->n++] =
            (toc_entry){e->title, e->anchor, e->level, e->section, -1};
    }
}

static double toc_entry_h(flow *fl, const toc_entry *te)
{
    const fo_style *st = flow_style(fl, te->level == 1 ? "toc-1" : "toc-2");
    return st->leading + (te->level == 1 ? st->space_before : 0);
}

static void toc_reserve(flow *fl, toc *tc)
{
    const fo_style *ts = flow_style(fl, "toc-title");
    double h = ts->leading * 1.5 + ts->space_after;
    size_t pages = 1;
    for (size_t i = 0; i < tc->n; i++) {
        double eh = toc_entry_h(fl, &tc->e[i]);
        if (h + eh > fl->frame_h) {
            pages++;
            h = 0;
        }
        h += eh;
    }
    tc->first_page = fl->doc->npages;
    tc->npages = pages;
    for (size_t i = 0; i < pages; i++)
        new_page(fl, PAGE_FRONT, -1);
}

static void toc_fill(flow *fl, const toc *tc)
{
    const fo_template *t = fl->t;
    double tw = t->page_w - t->margin_inner - t->margin_outer;
    const char *title = strncmp(fl->lang, "vi", 2) == 0   ? "Mục lục"
                        : strncmp(fl->lang, "fr", 2) == 0 ? "Sommaire"
                                                          : "Contents";
    size_t p = tc->first_page;
    fo_dl_page *pg = fl->doc->pages[p];
    double x = left_edge(fl, p), y = t->margin_top;
    fo_dl_page_add_frame(pg, FO_DL_FRAME_TEXT, x, y, tw, fl->frame_h);
    const fo_style *ts = flow_style(fl, "toc-title");
    fo_rich tr = {title, strlen(title), NULL, 0, {0}, NULL};
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_ANCHOR);
    op->u.anchor = (fo_dl_anchor){"contents", x, y, 1, title};
    y += flow_draw_text(fl, pg, &tr, ts, x, y, tw) + ts->space_after;
    for (size_t i = 0; i < tc->n; i++) {
        const toc_entry *te = &tc->e[i];
        const fo_style *st = flow_style(fl, te->level == 1 ? "toc-1" : "toc-2");
        double eh = toc_entry_h(fl, te);
        if (y + eh > t->margin_top + fl->frame_h &&
            p + 1 < tc->first_page + tc->npages) {
            pg = fl->doc->pages[++p];
            x = left_edge(fl, p);
            y = t->margin_top;
            fo_dl_page_add_frame(pg, FO_DL_FRAME_TEXT, x, y, tw, fl->frame_h);
        }
        if (te->level == 1)
            y += st->space_before;
        double indent = te->level == 1 ? 0 : st->size * 1.5;
        const char *num =
            te->page >= 0 ? fl->doc->pages[te->page]->label : NULL;
        fo_rich er = {te->title, strlen(te->title), NULL, 0, {0}, NULL};
        fo_style right = *st;
        right.align = FO_ALIGN_RIGHT;
        double numw = st->size * 3;
        /* A title longer than its line wraps: the next entry goes below
         * all of it (the preflight's overlap rule found them drawn over
         * each other, tests/unit/test_check.c). */
        double used =
            flow_draw_text(fl, pg, &er, st, x + indent, y, tw - indent - numw);
        if (num) {
            fo_rich nr = {num, strlen(num), NULL, 0, {0}, NULL};
            flow_draw_text(fl, pg, &nr, &right, x, y, tw);
        }
        double drawn = fmax(used, st->leading);
        op = fo_dl_page_add(pg, FO_DL_LINK);
        op->u.link = (fo_dl_link){x, y, tw, drawn, NULL, te->anchor};
        y += drawn;
    }
}

/* ---- closing pages: running heads and feet, contents entries ----- */

static char *expand(flow *fl, const char *tmpl, const char *page, int section)
{
    fo_buf b;
    fo_buf_init(&b, 4096);
    const fo_rich *title = ed_text(fl, &fl->pub->title);
    const fo_rich *publ = ed_text(fl, &fl->pub->publisher);
    const fo_rich *sec = section >= 0 && (size_t)section < fl->pub->nsections
                             ? ed_text(fl, &fl->pub->sections[section].title)
                             : NULL;
    char year[16];
    (void)snprintf(year, sizeof year, "%d", fl->pub->year);
    fo_status st = FO_OK;
    for (const char *s = tmpl; *s && st == FO_OK;) {
        const char *v = NULL;
        size_t skip = 0;
        if (strncmp(s, "{page}", 6) == 0)
            v = page, skip = 6;
        else if (strncmp(s, "{title}", 7) == 0)
            v = title ? title->text : "", skip = 7;
        else if (strncmp(s, "{section}", 9) == 0)
            v = sec ? sec->text : "", skip = 9;
        else if (strncmp(s, "{year}", 6) == 0)
            v = fl->pub->year > 0 ? year : "", skip = 6;
        else if (strncmp(s, "{publisher}", 11) == 0)
            v = publ ? publ->text : "", skip = 11;
        if (v) {
            st = fo_buf_puts(&b, v ? v : "");
            s += skip;
        } else {
            st = fo_buf_append(&b, s, 1);
            s++;
        }
    }
    if (st != FO_OK || !b.data) {
        fo_buf_free(&b);
        return fo_xstrdup("");
    }
    return b.data;
}

static void master_line(flow *fl, fo_dl_page *pg, const fo_slot *slots,
                        double x, double y, double w, const char *label,
                        int section)
{
    static const fo_align al[3] = {FO_ALIGN_LEFT, FO_ALIGN_CENTER,
                                   FO_ALIGN_RIGHT};
    for (int k = 0; k < 3; k++) {
        if (!slots[k].text || !slots[k].style)
            continue;
        char *s = expand(fl, slots[k].text, label, section);
        if (s[0]) {
            fo_style st = *slots[k].style;
            st.align = al[k];
            fo_rich r = {s, strlen(s), NULL, 0, {0}, NULL};
            double base = fo_style_baseline(fl->fonts, &st);
            flow_draw_text(fl, pg, &r, &st, x, y - base, w);
        }
        free(s);
    }
}

/* The section a page's running head names: the first section that starts
 * on the page, else the one running on from before. */
static void page_section(flow *fl, size_t i)
{
    const fo_dl_page *pg = fl->doc->pages[i];
    int first = -1;
    for (size_t k = 0; k < pg->n && first < 0; k++) {
        const fo_dl_op *op = &pg->ops[k];
        if (op->kind == FO_DL_ANCHOR && op->u.anchor.level == 1 &&
            op->u.anchor.name[0] == 's' && !strchr(op->u.anchor.name, '.'))
            first = atoi(op->u.anchor.name + 1) - 1;
    }
    if (first >= 0)
        fl->running = first;
    if (fl->pages[i].kind != PAGE_FRONT)
        fl->pages[i].section = first >= 0 ? first : fl->running;
}

static void page_master(flow *fl, size_t i)
{
    const fo_template *t = fl->t;
    double tw = t->page_w - t->margin_inner - t->margin_outer;
    fo_dl_page *pg = fl->doc->pages[i];
    const fo_master *m = (t->facing && i % 2 == 1) ? &t->left : &t->right;
    double x = left_edge(fl, i);
    double foot_y = t->page_h - t->margin_bottom + m->foot_offset;
    double head_y = t->margin_top - m->head_offset;
    /* heads and feet lie in the margins: on the page */
    pg->frame = FO_DL_IN_TRIM;
    pg->src = (fo_dl_src){.section = -1};
    master_line(fl, pg, m->foot, x, foot_y, tw, pg->label,
                fl->pages[i].section);
    master_line(fl, pg, m->head, x, head_y, tw, pg->label,
                fl->pages[i].section);
    if (m->rule_below_head &&
        (m->head[0].text || m->head[1].text || m->head[2].text)) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
        double ry = head_y + 3;
        op->u.line = (fo_dl_line){x, ry, x + tw, ry, 0.3, t->rule};
    }
}

/* Notes which contents entries have their anchor on page i. Entries come
 * in the order of the flow, so the search starts after the last one
 * found. */
static void toc_note(flow *fl, size_t i)
{
    toc *tc = fl->toc;
    const fo_dl_page *pg = fl->doc->pages[i];
    for (size_t k = 0; tc && tc->n && k < pg->n; k++) {
        if (pg->ops[k].kind != FO_DL_ANCHOR)
            continue;
        const char *name = pg->ops[k].u.anchor.name;
        for (size_t j = 0; j < tc->n; j++) {
            toc_entry *te = &tc->e[(fl->toc_next + j) % tc->n];
            if (strcmp(te->anchor, name) == 0) {
                if (te->page < 0)
                    te->page = (int)i;
                fl->toc_next = (fl->toc_next + j + 1) % tc->n;
                break;
            }
        }
    }
}

/* Finishes page i — the section its running head names, the running
 * head and foot of a body page, the contents entries that point to it —
 * and hands it to the sink, which gets it once and for good. */
static void close_page(flow *fl, size_t i)
{
    /* every page is added by new_page, which records it in fl->pages */
    if (fl->status != FO_OK || !fl->pages || i >= fl->npages)
        return;
    page_section(fl, i);
    if (fl->pages[i].kind == PAGE_BODY)
        page_master(fl, i);
    toc_note(fl, i);
    fo_grow((void **)&fl->doc->order, sizeof *fl->doc->order,
            &fl->doc->order_cap, fl->doc->norder + 1);
    fl->doc->order[fl->doc->norder++] = i;
    if (!fl->sink || fl->status != FO_OK)
        return;
    fo_status st = fl->sink->page(fl->sink->ud, fl->doc, i);
    fo_dl_page_release(fl->doc, i);
    if (st != FO_OK)
        flow_fail(fl, st);
}

static int is_contents(const flow *fl, size_t i)
{
    return fl->toc && i >= fl->toc->first_page &&
           i < fl->toc->first_page + fl->toc->npages;
}

/* Closes every page added so far, in order, but the contents: the flow
 * no longer draws on them. */
static void close_pages(flow *fl)
{
    for (; fl->closed < fl->doc->npages; fl->closed++)
        if (!is_contents(fl, fl->closed))
            close_page(fl, fl->closed);
}

/* ---- body in columns --------------------------------------------------- */

static pos fill_columns(flow *fl, pos p, size_t page, double y, double h,
                        fo_dl_page *pg, int *page_break)
{
    const fo_template *t = fl->t;
    double left = left_edge(fl, page);
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
            fo_dl_page *pg = new_page(fl, PAGE_FIGURE, section);
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

static void flow_columns(flow *fl)
{
    const fo_template *t = fl->t;
    pos p = {0};
    int section = 0;
    while (fl->status == FO_OK &&
           (p.e < fl->nel || p.ndefer > 0 || p.ntop > 0)) {
        close_pages(fl); /* the flow draws only on pages it adds from here */
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
            fo_dl_page *fp = new_page(fl, PAGE_BODY, section);
            fo_dl_page_add_frame(fp, FO_DL_FRAME_TEXT, left_edge(fl, fi),
                                 t->margin_top, fl->text_w, fl->frame_h);
            place_top(fl, &p, fp, left_edge(fl, fi), t->margin_top,
                      fl->frame_h);
            continue;
        }
        if (opening && t->opener == FO_OPEN_RIGHT && fl->doc->npages % 2 == 1)
            new_page(fl, PAGE_BLANK, section); /* open on a right page */
        if (opening)
            section = opening->section;
        size_t idx = fl->doc->npages;
        fo_dl_page *pg = new_page(fl, PAGE_BODY, section);
        double x = left_edge(fl, idx), y = t->margin_top;
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
        y += place_top(fl, &p, pg, x, y, t->margin_top + fl->frame_h - y);
        double h = t->margin_top + fl->frame_h - y;
        int pb;
        pos end = fill_columns(fl, p, idx, y, h, NULL, &pb);
        if (t->columns > 1 && section_ends(fl, end)) {
            /* The last page of a section: the shortest columns that still
             * take the same content balance it. */
            double lo = 0, hi = h;
            for (int it = 0; it < 30 && hi - lo > 0.5; it++) {
                double mid = (lo + hi) / 2;
                int pb2;
                pos tr = fill_columns(fl, p, idx, y, mid, NULL, &pb2);
                if (pos_same(tr, end))
                    hi = mid;
                else
                    lo = mid;
            }
            h = hi;
        }
        end = fill_columns(fl, p, idx, y, h, pg, &pb);
        if (pos_same(end, p) && !opening && !pb) {
            fo_error(fl->d, fl->el[p.e].pos,
                     "this block cannot be placed on a page of template "
                     "'%s'",
                     t->name);
            flow_fail(fl, FO_ERR_INPUT);
        }
        p = end;
        release_passed(fl, p);
    }
    close_pages(fl);
}

/* ---- body in fixed panels -------------------------------------------- */

static double remaining_height(const flow *fl, pos p)
{
    double h = 0;
    for (int i = 0; i < p.ndefer; i++)
        h += fl->el[p.defer[i]].height;
    for (int e = p.e; e < fl->nel; e++) {
        const elem *el = &fl->el[e];
        int n = unit_count(el);
        for (int u = e == p.e ? p.u : 0; u < n; u++)
            h += unit_height(el, u);
        h += el->space_after;
    }
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

static void flow_panels(flow *fl)
{
    const fo_template *t = fl->t;
    int sides = 1;
    for (size_t i = 0; i < t->npanels; i++)
        if (t->panels[i].side + 1 > sides)
            sides = t->panels[i].side + 1;
    size_t first = fl->doc->npages;
    for (int s = 0; s < sides; s++)
        panel_folds(fl, new_page(fl, PAGE_BODY, 0), s);
    pos p = {0};
    for (size_t i = 0; i < t->npanels; i++) {
        const fo_panel *pn = &t->panels[i];
        int pb;
        p = fill_frame(fl, p, pn->x, pn->y, pn->w, pn->h,
                       fl->doc->pages[first + (size_t)pn->side], &pb);
    }
    if (p.e < fl->nel || p.ndefer > 0) {
        int at = p.ndefer > 0 ? p.defer[0] : p.e;
        double over = remaining_height(fl, p);
        fo_error(fl->d, fl->el[at].pos,
                 "the content does not fit the %zu panels of template '%s': "
                 "from this block on it overflows by %.1f mm",
                 t->npanels, t->name, over * 25.4 / 72);
        flow_fail(fl, FO_ERR_INPUT);
    }
    close_pages(fl);
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
        const fo_rich *r = ed_text(fl, &fl->pub->sections[s].title);
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
               .running = -1};
    fl.hyph = fo_hyph_open(fl.lang, d);
    fl.prefetch = prefetch_images(pub);
    fl.text_w = t->page_w - t->margin_inner - t->margin_outer;
    fl.frame_h = t->page_h - t->margin_top - t->margin_bottom;
    if (t->npanels > 0) {
        fl.col_w = t->panels[0].w;
        fl.frame_h = t->panels[0].h;
        for (size_t i = 1; i < t->npanels; i++)
            fl.col_w = fmin(fl.col_w, t->panels[i].w);
    } else {
        fl.col_w = (fl.text_w - (t->columns - 1) * t->gutter) / t->columns;
    }
    add_sections(&fl);
    toc tc = {0};
    if (fl.status == FO_OK && t->cover && t->npanels == 0) {
        cover(&fl);
        close_pages(&fl);
    }
    if (fl.status == FO_OK && t->contents && t->npanels == 0) {
        toc_collect(&fl, &tc);
        toc_reserve(&fl, &tc);
        fl.toc = &tc;
    }
    if (fl.status == FO_OK) {
        if (t->npanels > 0)
            flow_panels(&fl);
        else
            flow_columns(&fl);
    }
    if (fl.status == FO_OK && tc.npages) {
        /* Every entry's page is known now: the contents go last. */
        toc_fill(&fl, &tc);
        for (size_t i = 0; i < tc.npages; i++)
            close_page(&fl, tc.first_page + i);
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
