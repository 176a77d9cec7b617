/* The pages around the body that are not flowed: the cover, on a page of
 * its own or in a panel's box (flow_draw_cover), and the contents —
 * reserved before the body is flowed (their number follows from the
 * entries, which are known) and filled afterwards, when every
 * section's first page is known, so each entry shows the real page
 * number and links to the section's anchor. */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- cover ----------------------------------------------------------- */

/* The publication's cover in box c: its image over the top of it (the
 * template's blocks: cover: image-height; or the background colour alone),
 * the logo at the top, and the title, subtitle, publisher and year on the
 * band below. */
void flow_draw_cover(flow *fl, fo_dl_page *pg, const cover_box *c)
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
    if ((r = flow_ed_text(fl, &pub->title)))
        y +=
            flow_draw_text(fl, pg, r, flow_style(fl, "cover-title"), x, y, tw) +
            t->cover_title_gap;
    if ((r = flow_ed_text(fl, &pub->subtitle)))
        y += flow_draw_text(fl, pg, r, flow_style(fl, "cover-subtitle"), x, y,
                            tw) +
             t->cover_subtitle_gap;
    const fo_rich *publ = flow_ed_text(fl, &pub->publisher);
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
    if (y > c->foot + 0.01 && (r = flow_ed_text(fl, &pub->title))) {
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
void flow_cover_page(flow *fl)
{
    const fo_template *t = fl->t;
    fo_dl_page *pg = flow_new_page(fl, PAGE_FRONT, -1);
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
    flow_draw_cover(fl, pg, &c);
}

/* Does the publication ask for a cover (`cover:` with an image or a
 * logo)? Where it said so, for messages. */
int flow_wants_cover(const fo_pub *pub, fo_pos *at)
{
    const fo_image_ref *r = pub->cover_image.path ? &pub->cover_image
                            : pub->logo.path      ? &pub->logo
                                                  : NULL;
    if (r && at)
        *at = r->pos;
    return r != NULL;
}

/* ---- contents -------------------------------------------------------- */

void flow_toc_collect(flow *fl, toc *tc)
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

void flow_toc_reserve(flow *fl, toc *tc)
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
        flow_new_page(fl, PAGE_FRONT, -1);
}

void flow_toc_fill(flow *fl, const toc *tc)
{
    const fo_template *t = fl->t;
    double tw = t->page_w - t->margin_inner - t->margin_outer;
    const char *title = strncmp(fl->lang, "vi", 2) == 0   ? "Mục lục"
                        : strncmp(fl->lang, "fr", 2) == 0 ? "Sommaire"
                                                          : "Contents";
    size_t p = tc->first_page;
    fo_dl_page *pg = fl->doc->pages[p];
    double x = flow_left_edge(fl, p), y = t->margin_top;
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
            x = flow_left_edge(fl, p);
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
        op->u.link = (fo_dl_link){x, y, tw, drawn, NULL, te->anchor, NULL, 0};
        y += drawn;
    }
}
