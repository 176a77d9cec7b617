/* The page builder: cover, contents, the body in columns or fixed panels,
 * full-page figures, running heads and feet, page labels — and
 * fo_typeset, which drives it all for one edition.
 *
 * A page of columns is filled in regions: columns, and across them a
 * text-width table where the flow meets one, the columns above it
 * balanced (fill_regions).
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

/* Where a cover is drawn: its box on the trim, how far its colour and
 * image go into the bleed beyond each edge (a panel bleeds only on the
 * sheet's edges, never across a fold), and where its logo and text go. */
typedef struct cover_box {
    double x, y, w, h;
    double bl, bt, br, bb; /* bleed beyond the left, top, right, bottom */
    double tx, ty, tw;     /* text and logo: left edge, top, width */
    double foot; /* the text must end above it: the foot of the box (the
                    cover's text runs in the band under the image, which
                    may use the bottom margin, as the booklet's does) */
} cover_box;

/* The publication's cover in box c: its image over the top of it (the
 * template's blocks: cover: image-height; or the background colour alone),
 * the logo at the top, and the title, subtitle, publisher and year on the
 * band below. */
static void draw_cover(flow *fl, fo_dl_page *pg, const cover_box *c)
{
    const fo_template *t = fl->t;
    const fo_pub *pub = fl->pub;
    int img =
        pub->cover_image.path ? flow_use_image(fl, &pub->cover_image) : -1;
    double band_y = c->y + c->h * t->cover_image_height;
    pg->frame = FO_DL_IN_BLEED; /* the picture and the colour band */
    if (img >= 0) {
        flow_place_image(fl, pg, &pub->cover_image, img, 1, pub->cover_focus_x,
                         pub->cover_focus_y, c->x - c->bl, c->y - c->bt,
                         c->w + (c->bl + c->br), band_y - (c->y - c->bt));
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect =
            (fo_dl_rect){c->x - c->bl, band_y, c->w + (c->bl + c->br),
                         c->y + c->h - band_y + c->bb, t->cover_background};
    } else {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect =
            (fo_dl_rect){c->x - c->bl, c->y - c->bt, c->w + (c->bl + c->br),
                         c->h + (c->bt + c->bb), t->cover_background};
    }
    double x = c->tx, tw = c->tw;
    pg->frame = FO_DL_IN_TRIM;
    if (pub->logo.path) {
        int logo = flow_use_image(fl, &pub->logo);
        if (logo >= 0)
            flow_place_image(fl, pg, &pub->logo, logo, 0, 0.5, 0.5, x, c->ty,
                             tw * t->cover_logo_width, t->cover_logo_height);
    }
    double y = band_y + t->cover_text_top;
    const fo_rich *r;
    if ((r = ed_text(fl, &pub->title)))
        y +=
            flow_draw_text(fl, pg, r, flow_style(fl, "cover-title"), x, y, tw) +
            t->cover_title_gap;
    if ((r = ed_text(fl, &pub->subtitle)))
        y += flow_draw_text(fl, pg, r, flow_style(fl, "cover-subtitle"), x, y,
                            tw) +
             t->cover_subtitle_gap;
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
        y += flow_draw_text(fl, pg, &m, flow_style(fl, "cover-meta"), x, y, tw);
    }
    /* A long title would run past the cover's foot: refuse it (nothing is
     * written) rather than print it off the page or across a fold. */
    if (y > c->foot + 0.01 && (r = ed_text(fl, &pub->title))) {
        fo_where w = {.rule = "cover", .edition = fl->lang};
        fo_diag_add_where(fl->d, FO_SEV_ERROR, r->pos, &w,
                          "the cover's title, subtitle and publisher do not "
                          "fit under its image: they need %.1f mm, the cover "
                          "has %.1f mm; shorten them or make the "
                          "'cover-title' style smaller",
                          fo_pt_to_mm(y - band_y),
                          fo_pt_to_mm(c->foot - band_y));
    }
}

/* The cover page: the whole page and its bleed. */
static void cover(flow *fl)
{
    const fo_template *t = fl->t;
    fo_dl_page *pg = new_page(fl, PAGE_FRONT, -1);
    double b = t->bleed;
    cover_box c = {0,
                   0,
                   t->page_w,
                   t->page_h,
                   b,
                   b,
                   b,
                   b,
                   t->margin_outer,
                   t->margin_top,
                   t->page_w - t->margin_inner - t->margin_outer,
                   t->page_h};
    draw_cover(fl, pg, &c);
}

/* Does the publication ask for a cover (`cover:` with an image or a
 * logo)? Where it said so, for messages. */
static int wants_cover(const fo_pub *pub, fo_pos *at)
{
    const fo_image_ref *r = pub->cover_image.path ? &pub->cover_image
                            : pub->logo.path      ? &pub->logo
                                                  : NULL;
    if (r && at)
        *at = r->pos;
    return r != NULL;
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
            double base = fo_style_baseline(fl->fonts, &fl->metrics, &st);
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
    close_pages(fl);
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
        panel_folds(fl, new_page(fl, PAGE_BODY, 0), s);
    size_t cover_panel = t->npanels;
    fo_pos cover_at;
    if (wants_cover(fl->pub, &cover_at)) {
        for (size_t i = 0; i < t->npanels && cover_panel == t->npanels; i++)
            if (t->panels[i].cover)
                cover_panel = i;
        if (cover_panel < t->npanels) {
            const fo_panel *pn = &t->panels[cover_panel];
            cover_box c = panel_box(fl, pn);
            draw_cover(fl, fl->doc->pages[first + (size_t)pn->side], &c);
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
    close_pages(fl);
}

/* ---- binding ---------------------------------------------------------- */

/* A saddle-stitched book is sheets folded in the middle and nested, 4
 * pages each; a perfect-bound one is leaves glued at the spine, 2 pages
 * each. Blank pages (numbered, without running heads) make up the count
 * at the end, since there is no back cover page to keep last; each is
 * a warning, so --strict refuses a book whose content misses the count. */
static void bind(flow *fl)
{
    const fo_template *t = fl->t;
    size_t per = t->binding == FO_BIND_SADDLE    ? 4
                 : t->binding == FO_BIND_PERFECT ? 2
                                                 : 1;
    size_t n = fl->doc->npages, add = (per - n % per) % per;
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
        new_page(fl, PAGE_BLANK, -1);
    close_pages(fl);
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
    fl.hyph = fo_hyph_open(fl.lang, d);
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
    if (fl.status == FO_OK && t->cover && t->npanels == 0) {
        cover(&fl);
        close_pages(&fl);
    } else if (t->npanels == 0 && wants_cover(pub, &cover_at)) {
        fo_warning(d, cover_at,
                   "template '%s' has no cover page ('cover: false'): the "
                   "cover image and logo are not used",
                   t->name);
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
    if (fl.status == FO_OK && t->npanels == 0)
        bind(&fl);
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
