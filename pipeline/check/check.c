/* The preflight's frame: one checker per edition, fed each page once
 * while its ops are live. The page rules (check_geom.c, check_colour.c)
 * report as they read; the edition rules — every figure drawn exactly
 * once, no text lost or set twice — count here, per block, what each page
 * drew, and compare it with what the model asks for in fo_check_finish.
 *
 * Text is counted as letters, marks and digits (Unicode L, M, N), case
 * folded: layout adds spaces (French no-break spaces), punctuation (the
 * attribution's dash, hyphens at breaks, bullets) and changes case
 * (capitals styles, where "ß" becomes "SS"), but it never adds or drops a
 * letter or a digit of the content. List numbers, which are digits layout
 * adds, are drawn as FO_DL_SRC_ADDED and not counted. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, CLOCK_THREAD_CPUTIME_ID */
#include "check_private.h"

#include <assert.h>
#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double thread_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void check_report(fo_checker *c, fo_severity sev, const fo_dl_src *src,
                  const char *rule, int page, const check_box *box,
                  const char *fmt, ...)
{
    if (sev == FO_SEV_WARNING && c->o.strict)
        sev = FO_SEV_ERROR;
    fo_where w = {
        .rule = rule, .edition = c->pub->editions[c->ed], .page = page};
    if (box) {
        w.has_box = 1;
        w.x = box->x0;
        w.y = box->y0;
        w.w = box->x1 - box->x0;
        w.h = box->y1 - box->y0;
    }
    fo_pos pos = src ? src->pos : (fo_pos){0};
    if (!pos.file) /* the template's own drawing: where the content picks it */
        pos = c->pub->template_pos.file ? c->pub->template_pos
                                        : (fo_pos){c->pub->file, 0, 0};
    int before = c->d->errors + c->d->warnings;
    va_list ap;
    va_start(ap, fmt);
    fo_diag_vadd_where(c->d, sev, pos, &w, fmt, ap);
    va_end(ap);
    if (c->d->errors + c->d->warnings == before)
        return; /* the same finding again */
    if (sev == FO_SEV_ERROR)
        c->errors++;
    else if (sev == FO_SEV_WARNING)
        c->warnings++;
}

void check_quote(const fo_dl_glyphs *g, char *buf, size_t len)
{
    const char *s = g->text ? g->text : "";
    size_t n = g->text ? g->text_len : 0, o = 0, chars = 0;
    while (o < n && (s[o] == ' ' || s[o] == '\n'))
        o++;
    size_t start = o;
    while (o < n && chars < 24) {
        o++;
        while (o < n && ((unsigned char)s[o] & 0xC0) == 0x80)
            o++;
        chars++;
    }
    int cut = o < n;
    size_t take = o - start;
    if (take + 4 > len)
        take = len > 4 ? len - 4 : 0;
    while (take > 0 && ((unsigned char)s[start + take] & 0xC0) == 0x80)
        take--;
    memcpy(buf, s + start, take);
    if (cut)
        memcpy(buf + take, "\u2026", 4); /* 3 bytes and the terminator */
    else
        buf[take] = 0;
}

int check_space_at(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    unsigned char b = (unsigned char)s[i];
    if (b == ' ' || b == '\t' || b == '\n')
        return 1;
    if (b < 0x80)
        return 0;
    gunichar u = g_utf8_get_char_validated(s + i, (gssize)(n - i));
    return u != (gunichar)-1 && u != (gunichar)-2 &&
           (g_unichar_isspace(u) || u == 0x00A0 || u == 0x202F || u == 0x2028 ||
            u == 0x200B);
}

int check_run_box(const fo_dl_glyphs *g, double top, double bottom,
                  check_box *out)
{
    double pen = g->x, x0 = 0, x1 = 0;
    int any = 0;
    for (int i = 0; i < g->n; i++) {
        const fo_dl_glyph *gl = &g->glyphs[i];
        double a = pen + gl->x_offset, b = a + gl->x_advance;
        pen += gl->x_advance;
        if (gl->x_advance <= 0 ||
            check_space_at(g->text, g->text_len, gl->cluster))
            continue;
        if (!any || a < x0)
            x0 = a;
        if (!any || b > x1)
            x1 = b;
        any = 1;
    }
    *out = (check_box){x0, g->y - top * g->size, x1, g->y + bottom * g->size};
    return any;
}

/* ---- counting per block ---------------------------------------------- */

/* Letters, marks and digits of s[0..n), case folded (see the top). */
static long count_text(const char *s, size_t n)
{
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80;
    if (ascii) {
        long k = 0;
        for (size_t i = 0; i < n; i++)
            k += g_ascii_isalnum(s[i]) != 0;
        return k;
    }
    if (!g_utf8_validate(s, (gssize)n, NULL))
        return 0;
    char *f = g_utf8_casefold(s, (gssize)n);
    long k = 0;
    for (const char *p = f; *p; p = g_utf8_next_char(p)) {
        switch (g_unichar_type(g_utf8_get_char(p))) {
        case G_UNICODE_LOWERCASE_LETTER:
        case G_UNICODE_MODIFIER_LETTER:
        case G_UNICODE_OTHER_LETTER:
        case G_UNICODE_TITLECASE_LETTER:
        case G_UNICODE_UPPERCASE_LETTER:
        case G_UNICODE_SPACING_MARK:
        case G_UNICODE_ENCLOSING_MARK:
        case G_UNICODE_NON_SPACING_MARK:
        case G_UNICODE_DECIMAL_NUMBER:
        case G_UNICODE_LETTER_NUMBER:
        case G_UNICODE_OTHER_NUMBER:
            k++;
            break;
        default:
            break;
        }
    }
    g_free(f);
    return k;
}

static long count_rich(const fo_text *t, int ed)
{
    const fo_rich *r = t->ed[ed];
    return r ? count_text(r->text, r->len) : 0;
}

/* What block b asks for in edition ed: the letters of each text layout
 * draws for it. */
static long block_want(const fo_block *b, int ed)
{
    long k = 0;
    switch (b->kind) {
    case FO_BLOCK_HEADING:
    case FO_BLOCK_PARA:
        k = count_rich(&b->text, ed);
        break;
    case FO_BLOCK_FIGURE:
        k = count_rich(&b->figure->caption, ed) +
            count_rich(&b->figure->credit, ed);
        break;
    case FO_BLOCK_FACTS:
        for (size_t i = 0; i < b->nfacts; i++)
            k += count_rich(&b->facts[i].value, ed) +
                 count_rich(&b->facts[i].label, ed);
        break;
    case FO_BLOCK_TABLE:
        k = count_rich(&b->table->caption, ed);
        for (int c = 0; c < b->table->ncols; c++)
            k += count_rich(&b->table->cols[c].head, ed);
        for (size_t i = 0; i < b->table->nrows * (size_t)b->table->ncols; i++)
            k += count_rich(&b->table->cells[i], ed);
        break;
    case FO_BLOCK_QUOTE:
        k = count_rich(&b->quote->text, ed) + count_rich(&b->quote->by, ed);
        break;
    case FO_BLOCK_LIST:
        for (size_t i = 0; i < b->list->n; i++)
            k += count_rich(&b->list->items[i], ed);
        break;
    case FO_BLOCK_BREAK:
        break;
    case FO_BLOCK_QR:
        k = count_rich(&b->qr->caption, ed);
        break;
    }
    return k;
}

/* The slot of what src names, or -1 (the template's, or not in pub). */
static long slot_of(const fo_checker *c, const fo_dl_src *src)
{
    if (src->kind != FO_DL_SRC_CONTENT || src->section < 0 ||
        (size_t)src->section >= c->pub->nsections)
        return -1;
    const fo_section *s = &c->pub->sections[src->section];
    if (!src->block)
        return (long)c->base[src->section];
    if (src->block < s->blocks || src->block >= s->blocks + s->nblocks)
        return -1;
    return (long)(c->base[src->section] + 1 + (size_t)(src->block - s->blocks));
}

static int pos_cmp(const fo_pos *a, const fo_pos *b)
{
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return strcmp(a->file ? a->file : "", b->file ? b->file : "");
}

static int by_pos(const void *a, const void *b)
{
    const check_fig *x = a, *y = b;
    return pos_cmp(&x->pos, &y->pos);
}

/* The slot of the figure whose image the content names at pos, or -1
 * (the cover, the logo). */
static long figure_slot(const fo_checker *c, const fo_pos *pos)
{
    if (!pos->file || c->nfigs == 0)
        return -1;
    check_fig key = {*pos, 0};
    const check_fig *f =
        bsearch(&key, c->figs, c->nfigs, sizeof *c->figs, by_pos);
    return f ? (long)f->slot : -1;
}

/* Print wants 300 pixels per inch at the placed size (what print shops
 * ask for offset printing); ISO Coated v2 300 % is the output profile that
 * print converts to, so 300 % total ink is its limit. */
enum { PRINT_PPI = 300, PRINT_INK_LIMIT = 300 };

fo_check_opts fo_check_opts_for(int print, int strict)
{
    return (fo_check_opts){.print = print,
                           .min_ppi = print ? PRINT_PPI : 0,
                           .ink_limit = PRINT_INK_LIMIT,
                           .profile = print ? "print" : NULL,
                           .strict = strict};
}

fo_checker *fo_checker_new(const fo_pub *pub, int ed, const fo_template *t,
                           const fo_check_opts *o, fo_diags *d)
{
    fo_checker *c = fo_xcalloc(1, sizeof *c);
    c->pub = pub;
    c->ed = ed;
    c->t = t;
    c->o = *o;
    c->d = d;
    c->base = fo_xcalloc(pub->nsections + 1, sizeof *c->base);
    for (size_t s = 0; s < pub->nsections; s++) {
        c->base[s] = c->nslots;
        c->nslots += 1 + pub->sections[s].nblocks;
    }
    size_t n = c->nslots ? c->nslots : 1;
    c->want = fo_xcalloc(n, sizeof *c->want);
    c->got = fo_xcalloc(n, sizeof *c->got);
    c->drawn = fo_xcalloc(n, sizeof *c->drawn);
    c->page_at = fo_xcalloc(n, sizeof *c->page_at);
    c->page_two = fo_xcalloc(n, sizeof *c->page_two);
    c->box_two = fo_xcalloc(n, sizeof *c->box_two);
    double t0 = thread_seconds();
    for (size_t s = 0; s < pub->nsections; s++) {
        const fo_section *sec = &pub->sections[s];
        c->want[c->base[s]] = count_rich(&sec->title, ed);
        for (size_t b = 0; b < sec->nblocks; b++)
            c->want[c->base[s] + 1 + b] = block_want(&sec->blocks[b], ed);
    }
    for (size_t sn = 0; sn < pub->nsections; sn++)
        for (size_t b = 0; b < pub->sections[sn].nblocks; b++) {
            const fo_block *bl = &pub->sections[sn].blocks[b];
            if (bl->kind != FO_BLOCK_FIGURE || !bl->figure)
                continue;
            fo_grow((void **)&c->figs, sizeof *c->figs, &c->figs_cap,
                    c->nfigs + 1);
            c->figs[c->nfigs++] =
                (check_fig){bl->figure->image.pos, c->base[sn] + 1 + b};
        }
    if (c->nfigs)
        qsort(c->figs, c->nfigs, sizeof *c->figs, by_pos);
    c->seconds += thread_seconds() - t0;
    return c;
}

/* Counts what op draws for its block: the letters of a run, the image of
 * a figure. */
static void count_op(fo_checker *c, int page, const fo_dl_op *op)
{
    long s = op->kind == FO_DL_GLYPHS  ? slot_of(c, &op->src)
             : op->kind == FO_DL_IMAGE ? figure_slot(c, &op->u.image.pos)
                                       : -1;
    if (s < 0)
        return;
    if (!c->page_at[s])
        c->page_at[s] = page;
    if (op->kind == FO_DL_GLYPHS) {
        c->got[s] += count_text(op->u.glyphs.text, op->u.glyphs.text_len);
    } else {
        if (++c->drawn[s] == 2) {
            const fo_dl_image *im = &op->u.image;
            c->page_two[s] = page;
            c->box_two[s] =
                (check_box){im->x, im->y, im->x + im->w, im->y + im->h};
        }
    }
}

/* fo_check_page's walk (dlist's fo_dl_walk, the one loop over a page's
 * ops): every rule sees each op in the page's order. */
typedef struct check_walk {
    fo_checker *c;
    const fo_dl_doc *doc;
    const fo_dl_page *pg;
    int page; /* 1-based */
} check_walk;

static fo_status check_op(void *ud, const fo_dl_op *op, size_t i)
{
    check_walk *w = ud;
    check_geom_op(w->c, w->doc, w->pg, w->page, op);
    check_colour_op(w->c, w->doc, w->pg, w->page, i);
    count_op(w->c, w->page, op);
    return FO_OK;
}

/* One pass over the page's ops; the overlap rule then sweeps the runs it
 * collected. */
void fo_check_page(fo_checker *c, const fo_dl_doc *doc, size_t index)
{
    if (index >= doc->npages)
        return;
    double t0 = thread_seconds();
    check_walk w = {c, doc, doc->pages[index], (int)index + 1};
    static const fo_dl_walker walker = {NULL, check_op, NULL};
    check_geom_begin(c, doc, w.pg, w.page);
    /* the page exists and check_op never fails: neither can the walk */
    fo_status st = fo_dl_walk(doc, index, &walker, &w);
    assert(st == FO_OK);
    (void)st;
    check_geom_end(c, w.page);
    c->seconds += thread_seconds() - t0;
}

/* The figure and text rules for the block in slot s. */
static void finish_block(fo_checker *c, const fo_block *b, int section,
                         size_t s)
{
    fo_dl_src src = {FO_DL_SRC_CONTENT, b ? b->pos : (fo_pos){0}, b, section};
    if (!b)
        src.pos = c->pub->sections[section].pos;
    if (b && b->kind == FO_BLOCK_FIGURE) {
        const char *name = b->figure->image.src;
        if (c->drawn[s] == 0)
            check_report(c, FO_SEV_ERROR, &src, "figure", 0, NULL,
                         "figure '%s' is not drawn", name);
        else if (c->drawn[s] > 1)
            check_report(c, FO_SEV_ERROR, &src, "figure", c->page_two[s],
                         &c->box_two[s],
                         "figure '%s' is drawn %d times (first on page %d)",
                         name, c->drawn[s], c->page_at[s]);
    }
    const char *what = !b                            ? "this section's title"
                       : b->kind == FO_BLOCK_FIGURE  ? "this figure's caption"
                       : b->kind == FO_BLOCK_TABLE   ? "this table's text"
                       : b->kind == FO_BLOCK_HEADING ? "this heading's text"
                                                     : "this block's text";
    long want = c->want[s], got = c->got[s];
    if (b && b->kind == FO_BLOCK_FIGURE && b->figure->span == FO_SPAN_PAGE &&
        got == 0 && want > 0) {
        /* docs/content.md: a page-wide figure shows no caption. Said, so
         * that the text is not lost without a word. */
        check_report(c, FO_SEV_WARNING, &src, "text", c->page_at[s], NULL,
                     "this figure's caption and credit are not printed: a "
                     "'span: page' figure shows none");
        return;
    }
    if (got < want)
        check_report(c, FO_SEV_ERROR, &src, "text", c->page_at[s], NULL,
                     "%s is not all set: %ld of its %ld letters and digits "
                     "are missing",
                     what, want - got, want);
    else if (got > want)
        check_report(c, FO_SEV_ERROR, &src, "text", c->page_at[s], NULL,
                     "%s is set more than once: %ld letters and digits "
                     "drawn for its %ld",
                     what, got, want);
}

void fo_check_finish(fo_checker *c, const fo_dl_doc *doc)
{
    if (!doc) /* layout failed: what it did not draw is not a finding */
        return;
    double t0 = thread_seconds();
    for (size_t s = 0; s < c->pub->nsections; s++) {
        const fo_section *sec = &c->pub->sections[s];
        finish_block(c, NULL, (int)s, c->base[s]);
        for (size_t b = 0; b < sec->nblocks; b++)
            finish_block(c, &sec->blocks[b], (int)s, c->base[s] + 1 + b);
    }
    c->seconds += thread_seconds() - t0;
}

int fo_check_errors(const fo_checker *c)
{
    return c->errors;
}

int fo_check_warnings(const fo_checker *c)
{
    return c->warnings;
}

double fo_check_seconds(const fo_checker *c)
{
    return c->seconds;
}

void fo_checker_free(fo_checker *c)
{
    if (!c)
        return;
    free(c->base);
    free(c->want);
    free(c->got);
    free(c->drawn);
    free(c->page_at);
    free(c->page_two);
    free(c->box_two);
    free(c->figs);
    free(c->runs);
    free(c->seen);
    free(c->image_ink);
    for (size_t i = 0; i < c->nfaces; i++)
        if (c->faces[i])
            FT_Done_Face(c->faces[i]);
    free(c->faces);
    free(c->face_tried);
    if (c->ft)
        FT_Done_FreeType(c->ft);
    free(c->gaps);
    free(c);
}
