/* Flow: set paragraphs → columns → pages → display list.
 *
 * Every paragraph of a section is set first (all columns have one width,
 * so a line never depends on where it lands, as in TeX); then the lines are
 * poured into the columns of each page under the flow rules: a heading is
 * never the last thing in a column and keeps at least two lines of what
 * follows; no paragraph leaves fewer than `orphans` lines at the foot of a
 * column or `widows` lines at the head of the next; a column does not end
 * in a hyphenated line when one line less keeps the other rules; nothing is
 * drawn below the text frame. The last page of a section balances its
 * columns. Placement is a pure function of (start, column height), so the
 * balancer can try heights without drawing. */
#include "typeset_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const fo_color BLACK = {0, 0, 0, 1, 0, 0, 0};
static const fo_color BRAND = {0, 0.9, 0.85, 0.3, 0.70, 0.07, 0.10};
static const fo_color GREY = {0, 0, 0, 0.7, 0.30, 0.30, 0.30};

static fo_para_style style(const char *family, int bold, int italic,
                           double size, double leading, double before,
                           double after, fo_align align, fo_color color)
{
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    return (fo_para_style){.family = family,
                           .bold = bold,
                           .italic = italic,
                           .size = size,
                           .leading = leading,
                           .space_before = before,
                           .space_after = after,
                           .align = align,
                           .color = color,
                           .shrink = 0.25,
                           .stretch = 0.5,
                           .hyph_left = 2,
                           .hyph_right = 3,
                           .kp = kp};
}

void fo_layout_default(fo_layout *l)
{
    const double mm = 72.0 / 25.4;
    memset(l, 0, sizeof *l);
    l->page_w = 210 * mm;
    l->page_h = 297 * mm;
    l->margin_top = 20 * mm;
    l->margin_bottom = 22 * mm;
    l->margin_inner = 20 * mm;
    l->margin_outer = 20 * mm;
    l->columns = 2;
    l->gutter = 6 * mm;
    l->widows = 2;
    l->orphans = 2;
    l->body = style("Noto Serif", 0, 0, 10, 14, 0, 5, FO_ALIGN_JUSTIFY, BLACK);
    l->body.hyphenate = 1;
    l->h1 = style("Noto Sans", 1, 0, 22, 27, 0, 16, FO_ALIGN_LEFT, BRAND);
    l->h2 = style("Noto Sans", 1, 0, 13, 16, 9, 4, FO_ALIGN_LEFT, BRAND);
    l->h3 = style("Noto Sans", 1, 1, 11, 14, 6, 3, FO_ALIGN_LEFT, BLACK);
    l->title = style("Noto Sans", 1, 0, 30, 36, 0, 14, FO_ALIGN_LEFT, BRAND);
    l->subtitle =
        style("Noto Serif", 0, 1, 16, 21, 0, 10, FO_ALIGN_LEFT, BLACK);
    l->footer = style("Noto Sans", 0, 0, 8, 10, 0, 0, FO_ALIGN_LEFT, GREY);
    l->footer_offset = 10 * mm;
    l->h1.keep_with_next = l->h2.keep_with_next = l->h3.keep_with_next = 1;
}

/* A set block of a section, ready to be flowed. */
typedef struct elem {
    fo_set_para para;
    const fo_para_style *st;
    double baseline; /* from the top of a line box */
    int level;       /* heading level, 0 for body text */
    const char *anchor, *title;
} elem;

typedef struct pos {
    int e, line; /* element and line within it */
} pos;

typedef struct flow {
    fo_fonts *fonts;
    fo_dl_doc *doc;
    const fo_layout *lay;
    const fo_pub *pub;
    int ed;
    const char *lang;
    fo_hyph *hyph; /* the edition's dictionary, or NULL (never for vi) */
    fo_diags *d;
    elem *el;
    int nel;
    double col_w;
} flow;

static int pos_before(pos a, pos b)
{
    return a.e < b.e || (a.e == b.e && a.line < b.line);
}

static void emit_line(fo_dl_page *page, const fo_set_line *ln,
                      const fo_para_style *st, double x0, double baseline)
{
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        if (run->n == 0)
            continue;
        fo_dl_glyphs *g = fo_dl_page_add_glyphs(
            page, run->dl_font, run->size, x0 + run->x, baseline - run->rise,
            st->color, run->n, run->text, run->text_len);
        memcpy(g->glyphs, run->glyphs, sizeof *g->glyphs * (size_t)run->n);
        g->hyphen = run->hyphen;
        if (run->href) {
            double w = 0;
            for (int i = 0; i < run->n; i++)
                w += run->glyphs[i].x_advance;
            fo_dl_op *op = fo_dl_page_add(page, FO_DL_LINK);
            op->u.link = (fo_dl_link){x0 + run->x,
                                      baseline - st->size,
                                      w,
                                      st->size * 1.25,
                                      fo_arena_strdup(page->arena, run->href),
                                      NULL};
        }
    }
}

/* Lines of element e that may end a column after line j (0-based, the
 * lines j+1.. go to the next column), under the widow/orphan rules. */
static int split_ok(const flow *fl, const elem *e, int first, int upto)
{
    int n = e->para.nlines;
    int before = upto - first; /* lines placed in this column */
    if (before <= 0 || upto >= n)
        return upto >= n;
    if (first == 0 && upto < fl->lay->orphans && n > 1)
        return 0;
    if (n - upto < fl->lay->widows)
        return 0;
    return 1;
}

/* Lines of element e, from line `first` on, that go into a column with
 * room for `fit` of them when not all fit: the most that keep the
 * widow/orphan rules, one less if that avoids ending the column in a
 * hyphenated line. 0 when no split keeps the rules. */
static int split_take(const flow *fl, const elem *e, int first, int fit)
{
    int take = fit;
    while (take > 0 && !split_ok(fl, e, first, first + take))
        take--;
    /* No column ends in a hyphen when one line less will do. */
    if (take > 1 && e->para.lines[first + take - 1].hyphenated &&
        split_ok(fl, e, first, first + take - 1))
        take--;
    return take;
}

/* Whether the n lines of heading e (before: the space above it in this
 * column), followed by the first two lines of the next element nx, fit
 * between y and the column height h: a heading goes with the first lines
 * of what follows, or to the next column. */
static int heading_fits(const elem *e, const elem *nx, int n, double before,
                        double y, double h)
{
    const fo_para_style *st = e->st;
    int nl = nx->para.nlines < 2 ? nx->para.nlines : 2;
    double need = before + n * st->leading + st->space_after +
                  nx->st->space_before + nl * nx->st->leading;
    return y + need <= h + 1e-6;
}

/* How many lines of the element at p, from line p.line, go into the
 * current column, whose content so far reaches y (of h), with `before` the
 * space above them: the heading keep rule, then the widow/orphan split and
 * no hyphen at the column end. 0 sends the element to the next column;
 * an empty column (column_started 0) always takes at least one line. */
static int lines_in_column(const flow *fl, pos p, double y, double h,
                           double before, int column_started)
{
    const elem *e = &fl->el[p.e];
    const fo_para_style *st = e->st;
    int n = e->para.nlines - p.line;
    int fit = (int)floor((h - y - before + 1e-6) / st->leading);
    if (fit < 0)
        fit = 0;
    int take;
    if (st->keep_with_next && p.e + 1 < fl->nel)
        take = heading_fits(e, &fl->el[p.e + 1], n, before, y, h) ? n : 0;
    else if (fit >= n)
        take = n;
    else
        take = split_take(fl, e, p.line, fit);
    if (take == 0 && !column_started) {
        /* Even an empty column cannot satisfy the rules: break them rather
         * than loop (a very tall heading, a tiny frame). */
        take = fit > 0 ? (fit < n ? fit : n) : 1;
    }
    return take;
}

/* Advances over `take` lines of the element at p, whose first one has its
 * top at y below y_top in the column at x0, drawing them (and the
 * element's anchor when it starts here) into page when page != NULL.
 * Returns y below the last line. */
static double emit_lines(const elem *e, pos p, int take, fo_dl_page *page,
                         double x0, double y_top, double y)
{
    if (page && p.line == 0 && e->anchor) {
        fo_dl_op *op = fo_dl_page_add(page, FO_DL_ANCHOR);
        op->u.anchor =
            (fo_dl_anchor){e->anchor, x0, y_top + y, e->level, e->title};
    }
    for (int i = 0; i < take; i++) {
        if (page)
            emit_line(page, &e->para.lines[p.line + i], e->st, x0,
                      y_top + y + e->baseline);
        y += e->st->leading;
    }
    return y;
}

/* Pours elements from p into one column at x0 of height h whose top is at
 * y_top. Draws into page when page != NULL. Returns where it stopped. */
static pos fill_column(const flow *fl, pos p, double x0, double y_top, double h,
                       fo_dl_page *page)
{
    double y = 0;
    int column_started = 0;
    while (p.e < fl->nel) {
        const elem *e = &fl->el[p.e];
        double before =
            (p.line == 0 && column_started) ? e->st->space_before : 0;
        int take = lines_in_column(fl, p, y, h, before, column_started);
        if (take == 0)
            break;
        y += before;
        y = emit_lines(e, p, take, page, x0, y_top, y);
        column_started = 1;
        p.line += take;
        if (p.line < e->para.nlines)
            break; /* the paragraph continues in the next column */
        y += e->st->space_after;
        p.e++;
        p.line = 0;
    }
    return p;
}

/* Pours elements from start into the columns of height h whose tops are
 * at y_top. Draws into page when page != NULL. Returns where it stopped. */
static pos place(const flow *fl, pos start, double y_top, double h,
                 fo_dl_page *page, int odd)
{
    const fo_layout *lay = fl->lay;
    double left = odd ? lay->margin_inner : lay->margin_outer;
    pos p = start;
    for (int col = 0; col < lay->columns && p.e < fl->nel; col++) {
        double x0 = left + col * (fl->col_w + lay->gutter);
        p = fill_column(fl, p, x0, y_top, h, page);
    }
    return p;
}

static const char *text_of(const fo_text *t, int ed)
{
    return t->ed[ed] ? t->ed[ed]->text : NULL;
}

static fo_status add_elem(flow *fl, const fo_rich *rich,
                          const fo_para_style *st, double width, int level,
                          const char *anchor, size_t *cap)
{
    fo_grow((void **)&fl->el, sizeof *fl->el, cap, (size_t)fl->nel + 1);
    elem *e = &fl->el[fl->nel];
    memset(e, 0, sizeof *e);
    e->st = st;
    e->level = level;
    e->anchor = anchor;
    e->title =
        level ? fo_arena_strndup(fl->doc->arena, rich->text, rich->len) : NULL;
    e->baseline = fo_style_baseline(fl->fonts, st);
    fo_status s = fo_para_set(fl->fonts, fl->doc, rich, st, fl->lang, fl->hyph,
                              width, fl->d, &e->para);
    fl->nel++;
    return s;
}

static void free_elems(flow *fl)
{
    for (int i = 0; i < fl->nel; i++)
        fo_set_para_free(&fl->el[i].para);
    fl->nel = 0;
}

/* Sets a text at the full text width and draws it from y, returning the
 * height used. For titles and section headings. */
static double draw_block(flow *fl, fo_dl_page *page, const fo_rich *rich,
                         const fo_para_style *st, double x0, double y,
                         double width, const char *anchor, int level,
                         fo_status *status)
{
    fo_set_para sp;
    fo_status s = fo_para_set(fl->fonts, fl->doc, rich, st, fl->lang, NULL,
                              width, fl->d, &sp);
    if (s != FO_OK) {
        *status = s;
        return 0;
    }
    double base = fo_style_baseline(fl->fonts, st);
    if (anchor) {
        fo_dl_op *op = fo_dl_page_add(page, FO_DL_ANCHOR);
        op->u.anchor = (fo_dl_anchor){
            anchor, x0, y, level,
            fo_arena_strndup(fl->doc->arena, rich->text, rich->len)};
    }
    for (int i = 0; i < sp.nlines; i++)
        emit_line(page, &sp.lines[i], st, x0, y + i * st->leading + base);
    double used = sp.nlines * st->leading + st->space_after;
    fo_set_para_free(&sp);
    return used;
}

static fo_status flow_section(flow *fl, size_t si)
{
    const fo_layout *lay = fl->lay;
    const fo_section *sec = &fl->pub->sections[si];
    double text_w = lay->page_w - lay->margin_inner - lay->margin_outer;
    double frame_h = lay->page_h - lay->margin_top - lay->margin_bottom;
    size_t cap = 0;
    fo_status status = FO_OK;
    for (size_t b = 0; b < sec->nblocks && status == FO_OK; b++) {
        const fo_block *bl = &sec->blocks[b];
        const fo_rich *rich = bl->text.ed[fl->ed];
        if (!rich)
            continue;
        if (bl->kind == FO_BLOCK_HEADING) {
            const char *anchor =
                fo_arena_printf(fl->doc->arena, "s%zu.%zu", si + 1, b + 1);
            status = add_elem(fl, rich, bl->level == 2 ? &lay->h2 : &lay->h3,
                              fl->col_w, bl->level, anchor, &cap);
        } else {
            status = add_elem(fl, rich, &lay->body, fl->col_w, 0, NULL, &cap);
        }
    }
    /* The section opens a page with its title across the columns. */
    fo_dl_page *page = NULL;
    pos p = {0, 0};
    int first = 1;
    while (status == FO_OK && (first || p.e < fl->nel)) {
        page = fo_dl_doc_add_page(fl->doc, lay->page_w, lay->page_h);
        int odd = fl->doc->npages % 2 == 1;
        double y_top = lay->margin_top;
        if (first) {
            const fo_rich *t = sec->title.ed[fl->ed];
            double x0 = odd ? lay->margin_inner : lay->margin_outer;
            if (t)
                y_top +=
                    draw_block(fl, page, t, &lay->h1, x0, y_top, text_w,
                               fo_arena_printf(fl->doc->arena, "s%zu", si + 1),
                               1, &status);
            first = 0;
        }
        double h = frame_h - (y_top - lay->margin_top);
        pos end = place(fl, p, y_top, h, NULL, odd);
        if (end.e >= fl->nel && lay->columns > 1) {
            /* Last page of the section: the shortest column height that
             * still takes everything balances the columns. */
            double lo = 0, hi = h;
            for (int it = 0; it < 30 && hi - lo > 0.5; it++) {
                double mid = (lo + hi) / 2;
                pos t = place(fl, p, y_top, mid, NULL, odd);
                if (t.e >= fl->nel)
                    hi = mid;
                else
                    lo = mid;
            }
            h = hi;
        }
        end = place(fl, p, y_top, h, page, odd);
        if (!pos_before(p, end) && end.e < fl->nel) {
            fo_error(fl->d, sec->pos,
                     "a block of this section cannot be "
                     "placed on a page");
            status = FO_ERR_INPUT;
        }
        p = end;
    }
    free_elems(fl);
    free(fl->el);
    fl->el = NULL;
    return status;
}

static void title_page(flow *fl, fo_status *status)
{
    const fo_layout *lay = fl->lay;
    fo_dl_page *page = fo_dl_doc_add_page(fl->doc, lay->page_w, lay->page_h);
    double text_w = lay->page_w - lay->margin_inner - lay->margin_outer;
    double x0 = lay->margin_inner;
    double y = lay->page_h * 0.28;
    const fo_rich *t;
    if ((t = fl->pub->title.ed[fl->ed]))
        y += draw_block(fl, page, t, &lay->title, x0, y, text_w, NULL, 0,
                        status);
    if ((t = fl->pub->subtitle.ed[fl->ed]))
        y += draw_block(fl, page, t, &lay->subtitle, x0, y, text_w, NULL, 0,
                        status);
    fo_dl_op *op = fo_dl_page_add(page, FO_DL_LINE);
    op->u.line = (fo_dl_line){x0, y, x0 + 60, y, 2, BRAND};
    y += 14;
    if ((t = fl->pub->publisher.ed[fl->ed]))
        y += draw_block(fl, page, t, &lay->h3, x0, y, text_w, NULL, 0, status);
    if (fl->pub->year > 0) {
        char buf[16];
        (void)snprintf(buf, sizeof buf, "%d", fl->pub->year);
        fo_rich yr = {buf, strlen(buf), NULL, 0,
                      fl->pub->title.ed[fl->ed] ? fl->pub->title.ed[fl->ed]->pos
                                                : (fo_pos){0}};
        draw_block(fl, page, &yr, &lay->h3, x0, y, text_w, NULL, 0, status);
    }
}

/* Running footer: the page number on the outer side, the title on the
 * inner. No footer on the title page. */
static void footers(flow *fl, fo_status *status)
{
    const fo_layout *lay = fl->lay;
    const fo_rich *title = fl->pub->title.ed[fl->ed];
    double text_w = lay->page_w - lay->margin_inner - lay->margin_outer;
    for (size_t i = 1; i < fl->doc->npages && *status == FO_OK; i++) {
        fo_dl_page *page = fl->doc->pages[i];
        int odd = (i + 1) % 2 == 1;
        double x0 = odd ? lay->margin_inner : lay->margin_outer;
        double y = lay->page_h - lay->margin_bottom + lay->footer_offset -
                   fo_style_baseline(fl->fonts, &lay->footer);
        char num[24];
        (void)snprintf(num, sizeof num, "%zu", i + 1);
        page->label = fo_arena_strdup(page->arena, num);
        fo_rich nr = {num, strlen(num), NULL, 0, {0}};
        fo_para_style ns = lay->footer, ts = lay->footer;
        ns.align = odd ? FO_ALIGN_RIGHT : FO_ALIGN_LEFT;
        ts.align = odd ? FO_ALIGN_LEFT : FO_ALIGN_RIGHT;
        ns.bold = 1;
        draw_block(fl, page, &nr, &ns, x0, y, text_w, NULL, 0, status);
        if (title)
            draw_block(fl, page, title, &ts, x0, y, text_w, NULL, 0, status);
    }
}

fo_status fo_typeset(const fo_pub *pub, int ed, fo_fonts *fonts,
                     const fo_layout *lay, fo_diags *d, fo_dl_doc **out)
{
    *out = NULL;
    fo_dl_doc *doc = fo_dl_doc_new();
    fo_fonts_begin_doc(fonts);
    const char *t;
    doc->lang = fo_arena_strdup(doc->arena, pub->editions[ed]);
    if ((t = text_of(&pub->title, ed)))
        doc->title = fo_arena_strdup(doc->arena, t);
    if ((t = text_of(&pub->publisher, ed)))
        doc->author = fo_arena_strdup(doc->arena, t);
    if ((t = text_of(&pub->subtitle, ed)))
        doc->subject = fo_arena_strdup(doc->arena, t);
    flow fl = {.fonts = fonts,
               .doc = doc,
               .lay = lay,
               .pub = pub,
               .ed = ed,
               .lang = pub->editions[ed],
               .d = d};
    fl.col_w = (lay->page_w - lay->margin_inner - lay->margin_outer -
                (lay->columns - 1) * lay->gutter) /
               lay->columns;
    fl.hyph = fo_hyph_open(fl.lang, d);
    fo_status status = FO_OK;
    title_page(&fl, &status);
    for (size_t s = 0; s < pub->nsections && status == FO_OK; s++)
        status = flow_section(&fl, s);
    if (status == FO_OK)
        footers(&fl, &status);
    fo_hyph_free(fl.hyph);
    if (status != FO_OK) {
        fo_dl_doc_free(doc);
        return status;
    }
    *out = doc;
    return FO_OK;
}
