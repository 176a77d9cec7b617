/* `folio editions PUB.yaml [-o DIR] [--json]`: are the editions in step?
 * A parity report, DIR/editions.html and DIR/editions.json (the JSON on
 * stdout too with --json), and its findings as warnings at the source
 * lines (FILE:LINE:COL, like every diagnostic):
 *  - "edition-length": a block whose text, in an edition, is longer or
 *    shorter against the source edition (the first of `editions`) than
 *    the band of that language pair (BANDS below);
 *  - "edition-untranslated": a text given per edition whose text is the
 *    same in two editions, though it is not a name or a number;
 *  - "edition-figure": a figure with neither alt text nor caption in an
 *    edition;
 *  - "edition-link": a text whose links go to other targets in an edition
 *    than in the source edition.
 * Per section, the pages each edition takes, read off the display lists
 * (each op's fo_dl_src.section, walked with fo_dl_walk). */
#include "cli/cli.h"
#include "cli/editions.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Blocks whose source text is shorter than this many characters are not
 * measured: the ratio of two headings of three words says nothing. */
enum { MIN_MEASURED = 60, MAX_TEXTS = 4096 };

/* The band of length ratios (edition / source, in characters) a block may
 * have per language pair. Measured on the examples' texts of 60
 * characters or more (the three examples, 151 vi→en texts: 0.78 to 1.65, median
 * 1.07; 18 vi→fr: 1.02 to 1.65, median 1.32), then widened by 15 % each
 * way, so that the examples themselves give no finding
 * (tests/cli/editions.sh) and an edition twice as long as the source
 * does. Another pair gets DEFAULT_BAND. */
static const struct band {
    const char *from, *to;
    double lo, hi;
} BANDS[] = {
    {"vi", "en", 0.68, 1.90},
    {"vi", "fr", 0.89, 1.90},
};
static const struct band DEFAULT_BAND = {NULL, NULL, 0.5, 2.0};

static const struct band *band_of(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof BANDS / sizeof *BANDS; i++)
        if (strcmp(BANDS[i].from, from) == 0 && strcmp(BANDS[i].to, to) == 0)
            return &BANDS[i];
    return &DEFAULT_BAND;
}

static void put(fo_buf *b, const char *s)
{
    fo_status st = fo_buf_puts(b, s);
    assert(st == FO_OK); /* uncapped: memory aborts */
    (void)st;
}

static void putf(fo_buf *b, const char *fmt, ...) FO_PRINTF(2, 3);
static void putf(fo_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(b, tmp);
}

/* s as a JSON string's inside (html 0) or as HTML text (html 1). */
static void put_esc(fo_buf *b, const char *s, size_t n, int html)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char one[8] = {(char)c, 0};
        if (html && c == '<')
            put(b, "&lt;");
        else if (html && c == '&')
            put(b, "&amp;");
        else if (!html && (c == '"' || c == '\\'))
            putf(b, "\\%c", c);
        else if (!html && c < 0x20)
            putf(b, "\\u%04x", c);
        else
            put(b, one);
    }
}

/* Characters (code points) of s[0..n). */
static size_t chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* The texts of block b (all its fo_text), into t[0..max); their count. */
static int block_texts(const fo_block *b, const fo_text **t, int max)
{
    int n = 0;
#define ADD(x)                                                                 \
    do {                                                                       \
        if (n < max)                                                           \
            t[n++] = (x);                                                      \
    } while (0)
    switch (b->kind) {
    case FO_BLOCK_HEADING:
    case FO_BLOCK_PARA:
        ADD(&b->text);
        break;
    case FO_BLOCK_FIGURE:
        ADD(&b->figure->caption);
        ADD(&b->figure->credit);
        ADD(&b->figure->alt);
        break;
    case FO_BLOCK_FACTS:
        for (size_t i = 0; i < b->nfacts; i++) {
            ADD(&b->facts[i].value);
            ADD(&b->facts[i].label);
        }
        break;
    case FO_BLOCK_TABLE:
        for (int c = 0; c < b->table->ncols; c++)
            ADD(&b->table->cols[c].head);
        for (size_t i = 0; i < b->table->nrows * (size_t)b->table->ncols; i++)
            ADD(&b->table->cells[i]);
        ADD(&b->table->caption);
        break;
    case FO_BLOCK_QUOTE:
        ADD(&b->quote->text);
        ADD(&b->quote->by);
        break;
    case FO_BLOCK_LIST:
        for (size_t i = 0; i < b->list->n; i++)
            ADD(&b->list->items[i]);
        break;
    case FO_BLOCK_QR:
        ADD(&b->qr->caption);
        break;
    case FO_BLOCK_BREAK:
        break;
    }
#undef ADD
    return n;
}

/* Whether a text is a name or a number, which editions share on purpose:
 * one word ("km", "UNESCO"), or no word of two letters or more that
 * starts in lower case ("Nam Định", "8,1 %", "Đền Trần"). */
static int name_or_number(const fo_rich *r)
{
    /* one word: a unit or an abbreviation as often as a name (km, ha) */
    if (!memchr(r->text, ' ', r->len))
        return 1;
    for (size_t i = 0; i < r->len;) {
        unsigned char c = (unsigned char)r->text[i];
        int start = i == 0 || r->text[i - 1] == ' ';
        if (start && c >= 'a' && c <= 'z' && i + 1 < r->len &&
            ((unsigned char)r->text[i + 1] >= 'a' ||
             (unsigned char)r->text[i + 1] >= 0x80))
            return 0;
        /* a lower-case letter beyond ASCII starting a word (đ, ư) */
        if (start && c >= 0xC3 && c <= 0xC6 && i + 2 < r->len)
            if ((c == 0xC3 && (unsigned char)r->text[i + 1] >= 0xA0) ||
                (c == 0xC4 && (unsigned char)r->text[i + 1] == 0x91) ||
                (c == 0xC6 && ((unsigned char)r->text[i + 1] == 0xB0 ||
                               (unsigned char)r->text[i + 1] == 0xA1)))
                return 0;
        i++;
    }
    return 1;
}

/* The links of r, joined by "' '" to be quoted (in x, which is reset). */
static void links_of(const fo_rich *r, fo_buf *x)
{
    x->len = 0;
    if (x->data)
        x->data[0] = 0;
    for (int i = 0; r && i < r->nspans; i++)
        if ((r->spans[i].flags & FO_SPAN_LINK) && r->spans[i].href) {
            if (x->len)
                put(x, "' '");
            put(x, r->spans[i].href);
        }
}

/* The state of one report. */
typedef struct parity {
    const fo_pub *pub;
    fo_diags *d;
    fo_buf json, html, found;
    int nblocks, nfound;
} parity;

static void finding(parity *p, const char *rule, int e, fo_pos pos,
                    const char *fmt, ...) FO_PRINTF(5, 6);
static void finding(parity *p, const char *rule, int e, fo_pos pos,
                    const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *ed = e >= 0 ? p->pub->editions[e] : NULL;
    fo_where w = {.rule = rule, .edition = ed};
    fo_diag_add_where(p->d, FO_SEV_WARNING, pos, &w, "%s", msg);
    putf(&p->found,
         "%s    {\"rule\": \"%s\", \"edition\": %s%s%s, \"file\": \"",
         p->nfound ? ",\n" : "", rule, ed ? "\"" : "", ed ? ed : "null",
         ed ? "\"" : "");
    put_esc(&p->found, pos.file ? pos.file : "",
            pos.file ? strlen(pos.file) : 0, 0);
    putf(&p->found, "\", \"line\": %d, \"column\": %d, \"message\": \"",
         pos.line, pos.col);
    put_esc(&p->found, msg, strlen(msg), 0);
    put(&p->found, "\"}");
    put(&p->html, "<li>");
    put_esc(&p->html, pos.file ? pos.file : "", pos.file ? strlen(pos.file) : 0,
            1);
    putf(&p->html, ":%d:%d: %s (%s): ", pos.line, pos.col, rule,
         ed ? ed : "every edition");
    put_esc(&p->html, msg, strlen(msg), 1);
    put(&p->html, "</li>\n");
    p->nfound++;
}

/* Where edition e's text of t starts, else the block's position. */
static fo_pos text_pos(const fo_text *t, int e, fo_pos block)
{
    return t->ed[e] && t->ed[e]->pos.file ? t->ed[e]->pos : block;
}

/* The texts of one block: untranslated ones and links. */
static void check_texts(parity *p, const fo_block *b, const fo_text **t, int nt)
{
    fo_buf x, y;
    fo_buf_init(&x, 0);
    fo_buf_init(&y, 0);
    for (int k = 0; k < nt; k++) {
        const fo_rich *src = t[k]->ed[0];
        for (int e = 1; src && e < p->pub->neditions; e++) {
            const fo_rich *r = t[k]->ed[e];
            if (!r)
                continue;
            fo_pos at = text_pos(t[k], e, b->pos);
            /* a text marked as another language (`lang:`) is the same
             * in every edition on purpose; any other, given per edition
             * or once for all, is meant to be translated */
            if (!src->lang && !r->lang && r->len == src->len && r->len &&
                memcmp(r->text, src->text, r->len) == 0 && !name_or_number(r))
                finding(p, "edition-untranslated", e, at,
                        "this text is the same as in edition %s: not "
                        "translated?",
                        p->pub->editions[0]);
            links_of(src, &x);
            links_of(r, &y);
            if (x.len != y.len || (x.len && memcmp(x.data, y.data, x.len) != 0))
                finding(p, "edition-link", e, at,
                        "the links go to %s%s%s here, to %s%s%s in edition %s",
                        y.len ? "'" : "", y.len ? y.data : "none",
                        y.len ? "'" : "", x.len ? "'" : "",
                        x.len ? x.data : "none", x.len ? "'" : "",
                        p->pub->editions[0]);
        }
    }
    fo_buf_free(&x);
    fo_buf_free(&y);
}

static int has_text(const fo_text *t, int e)
{
    return t->ed[e] && t->ed[e]->len > 0;
}

/* One block: its lengths and ratios (JSON, HTML row) and findings. */
static void report_block(parity *p, size_t s, size_t i)
{
    const fo_pub *pub = p->pub;
    const fo_block *b = &pub->sections[s].blocks[i];
    const fo_text *t[MAX_TEXTS];
    int nt = block_texts(b, t, MAX_TEXTS);
    if (!nt)
        return;
    size_t len[FO_MAX_EDITIONS] = {0};
    for (int e = 0; e < pub->neditions; e++)
        for (int k = 0; k < nt; k++)
            if (t[k]->ed[e])
                len[e] += chars(t[k]->ed[e]->text, t[k]->ed[e]->len);
    check_texts(p, b, t, nt);
    /* a text given per edition must be given for every edition (the
     * model refuses an empty or missing one), so a figure lacks both in
     * every edition or in none: one finding, for all of them */
    if (b->kind == FO_BLOCK_FIGURE && !has_text(&b->figure->alt, 0) &&
        !has_text(&b->figure->caption, 0))
        finding(p, "edition-figure", -1, b->figure->image.pos,
                "this figure has neither alt text nor a caption: a reader "
                "who cannot see it learns nothing of it");
    putf(&p->json, "%s    {\"section\": %zu, \"block\": %zu, \"file\": \"",
         p->nblocks ? ",\n" : "", s + 1, i + 1);
    put_esc(&p->json, b->pos.file ? b->pos.file : "",
            b->pos.file ? strlen(b->pos.file) : 0, 0);
    putf(&p->json, "\", \"line\": %d, \"column\": %d, \"lengths\": {",
         b->pos.line, b->pos.col);
    putf(&p->html, "<tr><td>%zu.%zu</td><td>%s:%d</td>", s + 1, i + 1,
         b->pos.file ? b->pos.file : "", b->pos.line);
    for (int e = 0; e < pub->neditions; e++)
        putf(&p->json, "%s\"%s\": %zu", e ? ", " : "", pub->editions[e],
             len[e]);
    put(&p->json, "}, \"ratios\": {");
    putf(&p->html, "<td>%zu</td>", len[0]);
    for (int e = 1; e < pub->neditions; e++) {
        double ratio = len[0] ? (double)len[e] / (double)len[0] : 0;
        const struct band *bd = band_of(pub->editions[0], pub->editions[e]);
        int out = len[0] >= MIN_MEASURED && (ratio < bd->lo || ratio > bd->hi);
        putf(&p->json, "%s\"%s\": %.2f", e > 1 ? ", " : "", pub->editions[e],
             ratio);
        putf(&p->html, "<td%s>%zu (%.2f)</td>", out ? " class=out" : "", len[e],
             ratio);
        if (out) {
            const fo_text *first = t[0];
            finding(p, "edition-length", e, text_pos(first, e, b->pos),
                    "%zu characters, %.2f times the %zu of edition %s: "
                    "outside %.2f to %.2f for %s to %s",
                    len[e], ratio, len[0], pub->editions[0], bd->lo, bd->hi,
                    pub->editions[0], pub->editions[e]);
        }
    }
    put(&p->json, "}}");
    put(&p->html, "</tr>\n");
    p->nblocks++;
}

/* ---- pages per section --------------------------------------------- */

typedef struct sec_pages {
    int *last; /* per section, the last page counted, -1 */
    int *count;
    int page;
} sec_pages;

static fo_status sp_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    (void)doc;
    ((sec_pages *)ud)->page = (int)page;
    return FO_OK;
}

static fo_status sp_op(void *ud, const fo_dl_op *op, size_t i)
{
    (void)i;
    sec_pages *sp = ud;
    int s = op->src.section;
    if (op->src.kind == FO_DL_SRC_NONE || s < 0)
        return FO_OK;
    if (sp->last[s] != sp->page) {
        sp->last[s] = sp->page;
        sp->count[s]++;
    }
    return FO_OK;
}

static const fo_dl_walker SECTION_WALKER = {sp_begin, sp_op, NULL};

static void report_sections(parity *p, fo_dl_doc **docs)
{
    const fo_pub *pub = p->pub;
    size_t ns = pub->nsections;
    int *count = fo_xmalloc((ns + 1) * FO_MAX_EDITIONS * sizeof *count);
    int *last = fo_xmalloc((ns + 1) * sizeof *last);
    memset(count, 0, (ns + 1) * FO_MAX_EDITIONS * sizeof *count);
    for (int e = 0; e < pub->neditions; e++) {
        for (size_t s = 0; s <= ns; s++)
            last[s] = -1;
        sec_pages sp = {last, count + (size_t)e * (ns + 1), 0};
        for (size_t pg = 0; docs[e] && pg < docs[e]->npages; pg++)
            if (fo_dl_walk(docs[e], pg, &SECTION_WALKER, &sp) != FO_OK)
                break;
    }
    put(&p->json, "  \"sections\": [\n");
    put(&p->html, "<h2>Pages per section</h2><table><tr><th>section</th>");
    for (int e = 0; e < pub->neditions; e++)
        putf(&p->html, "<th>%s</th>", pub->editions[e]);
    put(&p->html, "</tr>\n");
    for (size_t s = 0; s < ns; s++) {
        putf(&p->json, "%s    {\"section\": %zu, \"pages\": {", s ? ",\n" : "",
             s + 1);
        putf(&p->html, "<tr><td>%zu</td>", s + 1);
        for (int e = 0; e < pub->neditions; e++) {
            int n = count[(size_t)e * (ns + 1) + s];
            putf(&p->json, "%s\"%s\": %d", e ? ", " : "", pub->editions[e], n);
            putf(&p->html, "<td>%d</td>", n);
        }
        put(&p->json, "}}");
        put(&p->html, "</tr>\n");
    }
    put(&p->json, "\n  ]\n}\n");
    put(&p->html, "</table>\n");
    free(count);
    free(last);
}

static int write_out(const char *dir, const char *name, const fo_buf *b,
                     fo_diags *d)
{
    char *path = fo_path_join(dir, name);
    int ok =
        fo_atomic_write_file(path, b->data ? b->data : "", b->len) == FO_OK;
    if (!ok)
        fo_error(d, (fo_pos){0}, "cannot write %s", path);
    free(path);
    return ok;
}

int editions_run(opts *o)
{
    fo_diags d;
    cli_diags_init(&d, o);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    int rc = cli_layout(o, &d, &pub, docs, NULL, NULL);
    if (rc) {
        fo_diags_print(&d, stderr);
        fo_diags_free(&d);
        return rc;
    }
    parity p = {.pub = pub, .d = &d};
    fo_buf_init(&p.json, 0);
    fo_buf_init(&p.html, 0);
    fo_buf_init(&p.found, 0);
    fo_buf blocks;
    fo_buf_init(&blocks, 0);
    put(&p.html, "<!DOCTYPE html>\n<html><head><meta charset=utf-8>"
                 "<title>folio editions</title><style>"
                 "body{font:14px sans-serif;margin:1em}"
                 "td,th{padding:2px 8px;text-align:right}"
                 ".out{background:#fcc}</style></head><body>\n"
                 "<h1>Editions in step?</h1>\n<h2>Blocks</h2>"
                 "<table><tr><th>block</th><th>source</th>");
    for (int e = 0; e < pub->neditions; e++)
        putf(&p.html, "<th>%s</th>", pub->editions[e]);
    put(&p.html, "</tr>\n");
    /* the blocks (their findings gathered in p.found), then the rest */
    for (size_t s = 0; s < pub->nsections; s++)
        for (size_t i = 0; i < pub->sections[s].nblocks; i++)
            report_block(&p, s, i);
    put(&p.html, "</table>\n<h2>Findings</h2><ul>\n");
    blocks = p.json;
    fo_buf_init(&p.json, 0);
    put(&p.json, "{\"publication\": \"");
    put_esc(&p.json, o->pub, strlen(o->pub), 0);
    put(&p.json, "\", \"editions\": [");
    for (int e = 0; e < pub->neditions; e++)
        putf(&p.json, "%s\"%s\"", e ? ", " : "", pub->editions[e]);
    put(&p.json, "],\n  \"blocks\": [\n");
    put(&p.json, blocks.data ? blocks.data : "");
    put(&p.json, "\n  ],\n  \"findings\": [\n");
    put(&p.json, p.found.data ? p.found.data : "");
    put(&p.json, "\n  ],\n");
    put(&p.html, "</ul>\n");
    report_sections(&p, docs);
    put(&p.html, "</body></html>\n");
    if (!cli_make_dir(o->out_dir, &d) ||
        !write_out(o->out_dir, "editions.json", &p.json, &d) ||
        !write_out(o->out_dir, "editions.html", &p.html, &d))
        rc = EXIT_INPUT;
    else if (o->json)
        (void)fwrite(p.json.data, 1, p.json.len, stdout);
    else
        printf("%d finding%s: %s/editions.html\n", p.nfound,
               p.nfound == 1 ? "" : "s", o->out_dir);
    fo_diags_print(&d, stderr);
    fo_buf_free(&blocks);
    fo_buf_free(&p.json);
    fo_buf_free(&p.html);
    fo_buf_free(&p.found);
    cli_free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}
