/* A page's life outside the flow: added with its label (front matter in
 * lower-case roman, the body from 1), and closed as soon as nothing more
 * will be drawn on it — its running head and foot from the template's
 * masters, the contents entries that point to it noted, and, for
 * fo_typeset_stream, handed to the sink and emptied. The body pages are
 * closed in order, the contents pages last. */
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
fo_dl_page *flow_new_page(flow *fl, int kind, int section)
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
double flow_left_edge(const flow *fl, size_t i)
{
    const fo_template *t = fl->t;
    if (!t->facing)
        return t->margin_inner;
    return i % 2 == 0 ? t->margin_inner : t->margin_outer;
}

/* ---- closing pages: running heads and feet, contents entries ----- */

static char *expand(flow *fl, const char *tmpl, const char *page, int section)
{
    fo_buf b;
    fo_buf_init(&b, 4096);
    const fo_rich *title = flow_ed_text(fl, &fl->pub->short_title);
    if (!title)
        title = flow_ed_text(fl, &fl->pub->title);
    const fo_rich *publ = flow_ed_text(fl, &fl->pub->publisher);
    const fo_rich *sec =
        section >= 0 && (size_t)section < fl->pub->nsections
            ? flow_ed_text(fl, &fl->pub->sections[section].title)
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
            /* a title's forced breaks (U+2028, from <br>) balance it on
             * the cover; a running head is one line */
            for (const char *lb; st == FO_OK && (lb = strstr(v, "\u2028"));
                 v = lb + 3)
                if ((st = fo_buf_append(&b, v, (size_t)(lb - v))) == FO_OK)
                    st = fo_buf_puts(&b, " ");
            if (st == FO_OK)
                st = fo_buf_puts(&b, v);
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
    double x = flow_left_edge(fl, i);
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
void flow_close_page(flow *fl, size_t i)
{
    /* every page is added by new_page, which records it in fl->pages */
    if (fl->status != FO_OK || !fl->pages || i >= fl->npages)
        return;
    page_section(fl, i);
    if (fl->pages[i].kind == PAGE_BODY)
        page_master(fl, i);
    flow_tag_links(fl, fl->doc->pages[i]);
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
void flow_close_pages(flow *fl)
{
    for (; fl->closed < fl->doc->npages; fl->closed++)
        if (!is_contents(fl, fl->closed))
            flow_close_page(fl, fl->closed);
}
