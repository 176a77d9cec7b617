/* The display list container, the walk over a page's ops, and the text
 * dump (a walker like any other consumer). The dump is the golden
 * tests' main check, so its format is fixed: one line per op, numbers with
 * two decimals (glyph advances with three), fonts by PostScript name;
 * glyph ids only for runs in another language than the document's. */
#include "dlist.h"

#include <stdlib.h>
#include <string.h>

fo_dl_doc *fo_dl_doc_new(void)
{
    fo_dl_doc *doc = fo_xcalloc(1, sizeof *doc);
    doc->arena = fo_arena_new();
    doc->print = (fo_dl_print){.pdfx = FO_DL_PDFX_4,
                               .marks = FO_DL_MARKS_ALL,
                               .overprint_text = 12,
                               .overprint_rules = 1};
    return doc;
}

void fo_dl_doc_free(fo_dl_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->npages; i++) {
        fo_arena_free(doc->pages[i]->arena);
        free(doc->pages[i]->ops);
        free(doc->pages[i]->frames);
        free(doc->pages[i]);
    }
    free(doc->pages);
    for (size_t i = 0; i < doc->nforms; i++) {
        fo_arena_free(doc->forms[i]->arena);
        free(doc->forms[i]->ops);
        free(doc->forms[i]->frames);
        free(doc->forms[i]);
    }
    free(doc->forms);
    free(doc->order);
    free(doc->fonts);
    free(doc->images);
    fo_arena_free(doc->arena);
    free(doc);
}

static const char *dup_or_null(fo_arena *a, const char *s)
{
    return s ? fo_arena_strdup(a, s) : NULL;
}

fo_dl_doc *fo_dl_doc_take_forms(fo_dl_doc *src)
{
    fo_dl_doc *doc = fo_dl_doc_new();
    doc->bleed = src->bleed;
    doc->title = dup_or_null(doc->arena, src->title);
    doc->author = dup_or_null(doc->arena, src->author);
    doc->subject = dup_or_null(doc->arena, src->subject);
    doc->keywords = dup_or_null(doc->arena, src->keywords);
    doc->lang = dup_or_null(doc->arena, src->lang);
    for (size_t i = 0; i < src->nfonts; i++)
        (void)fo_dl_doc_font(doc, src->fonts[i].file, src->fonts[i].index,
                             src->fonts[i].name, src->fonts[i].units_per_em);
    for (size_t i = 0; i < src->nimages; i++)
        (void)fo_dl_doc_image(doc, src->images[i].path, &src->images[i].info);
    doc->nforms = src->npages;
    doc->forms =
        fo_xcalloc(src->npages ? src->npages : 1, sizeof(fo_dl_page *));
    for (size_t i = 0; i < src->npages; i++) {
        fo_dl_page *pg = src->pages[i];
        fo_dl_page *empty = fo_xcalloc(1, sizeof *empty);
        empty->width = pg->width;
        empty->height = pg->height;
        empty->arena = fo_arena_new();
        empty->label = dup_or_null(src->arena, pg->label);
        empty->frame = FO_DL_IN_TRIM;
        empty->src.section = -1;
        doc->forms[i] = pg;
        src->pages[i] = empty;
    }
    return doc;
}

int fo_dl_doc_font(fo_dl_doc *doc, const char *file, int index,
                   const char *name, int units_per_em)
{
    for (size_t i = 0; i < doc->nfonts; i++)
        if (doc->fonts[i].index == index &&
            strcmp(doc->fonts[i].file, file) == 0)
            return (int)i;
    fo_grow((void **)&doc->fonts, sizeof *doc->fonts, &doc->fonts_cap,
            doc->nfonts + 1);
    doc->fonts[doc->nfonts] = (fo_dl_font){
        fo_arena_strdup(doc->arena, file), index,
        fo_arena_strdup(doc->arena, name ? name : "unnamed"), units_per_em};
    return (int)doc->nfonts++;
}

int fo_dl_doc_image(fo_dl_doc *doc, const char *path, const fo_image_info *info)
{
    for (size_t i = 0; i < doc->nimages; i++)
        if (strcmp(doc->images[i].path, path) == 0)
            return (int)i;
    fo_grow((void **)&doc->images, sizeof *doc->images, &doc->images_cap,
            doc->nimages + 1);
    doc->images[doc->nimages] =
        (fo_dl_image_src){fo_arena_strdup(doc->arena, path), *info};
    return (int)doc->nimages++;
}

fo_dl_page *fo_dl_doc_add_page(fo_dl_doc *doc, double width, double height)
{
    fo_dl_page *p = fo_xcalloc(1, sizeof *p);
    p->width = width;
    p->height = height;
    p->arena = fo_arena_new();
    p->frame = FO_DL_IN_TRIM;
    p->src.section = -1;
    fo_grow((void **)&doc->pages, sizeof(fo_dl_page *), &doc->pages_cap,
            doc->npages + 1);
    doc->pages[doc->npages++] = p;
    return p;
}

void fo_dl_page_release(fo_dl_doc *doc, size_t i)
{
    fo_dl_page *pg = doc->pages[i];
    /* The label moves to the document's arena, which outlives the page's. */
    if (pg->label)
        pg->label = fo_arena_strdup(doc->arena, pg->label);
    fo_arena_free(pg->arena);
    pg->arena = fo_arena_new();
    free(pg->ops);
    pg->ops = NULL;
    pg->n = 0;
    pg->cap = 0;
    free(pg->frames);
    pg->frames = NULL;
    pg->nframes = pg->frames_cap = 0;
    pg->folds = NULL;
    pg->nfolds = 0;
    pg->frame = FO_DL_IN_TRIM;
    pg->src = (fo_dl_src){.section = -1};
}

int fo_dl_page_add_frame(fo_dl_page *page, fo_dl_frame_kind kind, double x,
                         double y, double w, double h)
{
    fo_dl_frame f = {kind, x, y, w, h};
    for (size_t i = 0; i < page->nframes; i++) {
        const fo_dl_frame *g = &page->frames[i];
        if (g->kind == kind && g->x == x && g->y == y && g->w == w && g->h == h)
            return page->frame = (int)i;
    }
    fo_grow((void **)&page->frames, sizeof *page->frames, &page->frames_cap,
            page->nframes + 1);
    page->frames[page->nframes] = f;
    return page->frame = (int)page->nframes++;
}

void fo_dl_page_set_folds(fo_dl_page *page, const double *x, size_t n)
{
    page->folds = fo_arena_alloc(page->arena, sizeof(double) * (n ? n : 1));
    if (n)
        memcpy(page->folds, x, sizeof(double) * n);
    page->nfolds = n;
}

fo_dl_op *fo_dl_page_add(fo_dl_page *page, fo_dl_op_kind kind)
{
    fo_grow((void **)&page->ops, sizeof *page->ops, &page->cap, page->n + 1);
    fo_dl_op *op = &page->ops[page->n++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->frame = page->frame;
    op->src = page->src;
    op->channel = page->channel;
    return op;
}

fo_dl_glyphs *fo_dl_page_add_glyphs(fo_dl_page *page, int font, double size,
                                    double x, double y, fo_color color, int n,
                                    const char *text, size_t text_len)
{
    fo_dl_op *op = fo_dl_page_add(page, FO_DL_GLYPHS);
    fo_dl_glyphs *g = &op->u.glyphs;
    g->font = font;
    g->size = size;
    g->x = x;
    g->y = y;
    g->color = color;
    g->n = n;
    g->glyphs = fo_arena_alloc(page->arena,
                               sizeof(fo_dl_glyph) * (size_t)(n > 0 ? n : 1));
    g->text = fo_arena_strndup(page->arena, text, text_len);
    g->text_len = text_len;
    return g;
}

/* Text in double quotes with \ " and control characters escaped. */
static fo_status put_quoted(fo_buf *out, const char *s, size_t n)
{
    fo_status st = fo_buf_puts(out, "\"");
    for (size_t i = 0; i < n && st == FO_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            st = fo_buf_printf(out, "\\%c", c);
        else if (c < 0x20)
            st = fo_buf_printf(out, "\\x%02x", c);
        else
            st = fo_buf_append(out, &s[i], 1);
    }
    if (st == FO_OK)
        st = fo_buf_puts(out, "\"");
    return st;
}

static fo_status put_color(fo_buf *out, fo_color c)
{
    return fo_buf_printf(out, " cmyk=%.2f,%.2f,%.2f,%.2f", c.c, c.m, c.y, c.k);
}

/* The glyph-id list of a run in another language than the document's:
 * complex scripts (Khmer, Lao) draw glyphs that no character maps to, and
 * tests compare them with the PDF. (Runs in the document's language keep
 * the short form the goldens fixed.) */
static fo_status dump_gids(const fo_dl_glyphs *g, fo_buf *out)
{
    fo_status st = fo_buf_printf(out, " lang=%s gids=", g->lang);
    for (int i = 0; i < g->n && st == FO_OK; i++)
        st = fo_buf_printf(out, i ? ",%u" : "%u", (unsigned)g->glyphs[i].gid);
    return st;
}

static fo_status dump_glyphs(const fo_dl_doc *doc, const fo_dl_glyphs *g,
                             fo_buf *out)
{
    double w = 0;
    for (int i = 0; i < g->n; i++)
        w += g->glyphs[i].x_advance;
    fo_status st =
        fo_buf_printf(out, "  glyphs %s %.2f x=%.2f y=%.2f w=%.2f n=%d",
                      doc->fonts[g->font].name, g->size, g->x, g->y, w, g->n);
    if (st == FO_OK)
        st = put_color(out, g->color);
    if (st == FO_OK && g->hyphen)
        st = fo_buf_puts(out, " hyphen");
    if (st == FO_OK && g->lang)
        st = dump_gids(g, out);
    if (st == FO_OK)
        st = fo_buf_puts(out, " ");
    if (st == FO_OK)
        st = put_quoted(out, g->text, g->text_len);
    return st;
}

static fo_status dump_rect(const fo_dl_rect *r, fo_buf *out)
{
    fo_status st = fo_buf_printf(out, "  rect x=%.2f y=%.2f w=%.2f h=%.2f",
                                 r->x, r->y, r->w, r->h);
    if (st == FO_OK)
        st = put_color(out, r->color);
    return st;
}

static fo_status dump_line(const fo_dl_line *l, fo_buf *out)
{
    fo_status st = fo_buf_printf(out, "  line %.2f,%.2f-%.2f,%.2f width=%.2f",
                                 l->x0, l->y0, l->x1, l->y1, l->width);
    if (st == FO_OK)
        st = put_color(out, l->color);
    return st;
}

static fo_status dump_image(const fo_dl_doc *doc, const fo_dl_image *im,
                            fo_buf *out)
{
    const char *path = doc->images[im->image].path;
    const char *base = strrchr(path, '/');
    fo_status st =
        fo_buf_printf(out, "  image %s x=%.2f y=%.2f w=%.2f h=%.2f",
                      base ? base + 1 : path, im->x, im->y, im->w, im->h);
    if (st == FO_OK && im->clip)
        st = fo_buf_printf(out, " clip=%.2f,%.2f,%.2f,%.2f", im->cx, im->cy,
                           im->cw, im->ch);
    return st;
}

static fo_status dump_link(const fo_dl_link *l, fo_buf *out)
{
    fo_status st = fo_buf_printf(
        out, "  link x=%.2f y=%.2f w=%.2f h=%.2f %s=%s", l->x, l->y, l->w, l->h,
        l->uri ? "uri" : "dest", l->uri ? l->uri : (l->dest ? l->dest : ""));
    if (st == FO_OK && l->qr)
        st = fo_buf_puts(out, " qr");
    if (st == FO_OK && l->written)
        st = fo_buf_printf(out, " written=%s", l->written);
    return st;
}

static fo_status dump_place(const fo_dl_doc *doc, const fo_dl_place *pl,
                            fo_buf *out)
{
    fo_status st = fo_buf_printf(out, "  place form=%d", pl->form + 1);
    if (st == FO_OK && pl->form >= 0 && (size_t)pl->form < doc->nforms &&
        doc->forms[pl->form]->label)
        st = fo_buf_printf(out, " label=%s", doc->forms[pl->form]->label);
    if (st == FO_OK)
        st = fo_buf_printf(out,
                           " m=%.4f,%.4f,%.4f,%.4f,%.2f,%.2f"
                           " clip=%.2f,%.2f,%.2f,%.2f",
                           pl->m[0], pl->m[1], pl->m[2], pl->m[3], pl->m[4],
                           pl->m[5], pl->cx, pl->cy, pl->cw, pl->ch);
    return st;
}

static fo_status dump_anchor(const fo_dl_anchor *a, fo_buf *out)
{
    fo_status st = fo_buf_printf(out, "  anchor %s x=%.2f y=%.2f level=%d",
                                 a->name, a->x, a->y, a->level);
    if (st == FO_OK && a->title) {
        st = fo_buf_puts(out, " ");
        if (st == FO_OK)
            st = put_quoted(out, a->title, strlen(a->title));
    }
    return st;
}

/* One op as one line of the dump. */
static fo_status dump_op(const fo_dl_doc *doc, const fo_dl_op *op, fo_buf *out)
{
    fo_status st = FO_OK;
    switch (op->kind) {
    case FO_DL_GLYPHS:
        st = dump_glyphs(doc, &op->u.glyphs, out);
        break;
    case FO_DL_RECT:
        st = dump_rect(&op->u.rect, out);
        break;
    case FO_DL_LINE:
        st = dump_line(&op->u.line, out);
        break;
    case FO_DL_IMAGE:
        st = dump_image(doc, &op->u.image, out);
        break;
    case FO_DL_LINK:
        st = dump_link(&op->u.link, out);
        break;
    case FO_DL_ANCHOR:
        st = dump_anchor(&op->u.anchor, out);
        break;
    case FO_DL_PLACE:
        st = dump_place(doc, &op->u.place, out);
        break;
    }
    if (st == FO_OK && op->channel != FO_DL_CH_ALL)
        st = fo_buf_puts(out, op->channel == FO_DL_CH_PRINT ? " channel=print"
                                                            : " channel=pdf");
    if (st == FO_OK)
        st = fo_buf_puts(out, "\n");
    return st;
}

/* The walk over pg's ops, begin_page given index. */
static fo_status walk(const fo_dl_doc *doc, const fo_dl_page *pg, size_t page,
                      const fo_dl_walker *w, void *ud)
{
    fo_status st = w->begin_page ? w->begin_page(ud, doc, page) : FO_OK;
    if (st != FO_OK)
        return st;
    for (size_t i = 0; w->op && i < pg->n && st == FO_OK; i++)
        st = w->op(ud, &pg->ops[i], i);
    return w->end_page ? w->end_page(ud, st) : st;
}

fo_status fo_dl_walk(const fo_dl_doc *doc, size_t page, const fo_dl_walker *w,
                     void *ud)
{
    if (page >= doc->npages)
        return FO_ERR_USAGE;
    return walk(doc, doc->pages[page], page, w, ud);
}

fo_status fo_dl_walk_form(const fo_dl_doc *doc, size_t f, const fo_dl_walker *w,
                          void *ud)
{
    if (f >= doc->nforms)
        return FO_ERR_USAGE;
    return walk(doc, doc->forms[f], f, w, ud);
}

static fo_status dump_begin(void *ud, const fo_dl_doc *doc, size_t p)
{
    fo_dl_dump_page *dp = ud;
    const fo_dl_page *pg = doc->pages[p];
    dp->doc = doc;
    fo_status st = fo_buf_printf(dp->out, "page %zu %.2fx%.2f", p + 1,
                                 pg->width, pg->height);
    if (st == FO_OK && pg->label)
        st = fo_buf_printf(dp->out, " label=%s", pg->label);
    if (st == FO_OK)
        st = fo_buf_puts(dp->out, "\n");
    return st;
}

static fo_status dump_each(void *ud, const fo_dl_op *op, size_t i)
{
    const fo_dl_dump_page *dp = ud;
    (void)i;
    return dump_op(dp->doc, op, dp->out);
}

const fo_dl_walker fo_dl_dump_walker = {dump_begin, dump_each, NULL};

fo_status fo_dl_dump_fonts(const fo_dl_doc *doc, fo_buf *out)
{
    fo_status st = FO_OK;
    for (size_t i = 0; i < doc->nfonts && st == FO_OK; i++)
        st = fo_buf_printf(out, "font %zu %s\n", i, doc->fonts[i].name);
    return st;
}

fo_status fo_dl_dump(const fo_dl_doc *doc, fo_buf *out)
{
    fo_dl_dump_page dp = {out, doc};
    fo_status st = fo_dl_dump_fonts(doc, out);
    for (size_t p = 0; p < doc->npages && st == FO_OK; p++)
        st = fo_dl_walk(doc, p, &fo_dl_dump_walker, &dp);
    return st;
}

/* Black on its own plate: a registration error then shows no paper. */
static int k_only(fo_color c)
{
    return c.c == 0 && c.m == 0 && c.y == 0 && c.k > 0 && !c.rgb_only;
}

int fo_dl_op_overprints(const fo_dl_doc *doc, const fo_dl_op *op)
{
    const fo_dl_print *p = &doc->print;
    if (op->kind == FO_DL_GLYPHS)
        return k_only(op->u.glyphs.color) && p->overprint_text > 0 &&
               op->u.glyphs.size <= p->overprint_text;
    if (op->kind == FO_DL_LINE)
        return k_only(op->u.line.color) && p->overprint_rules;
    return 0;
}
