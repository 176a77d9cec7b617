/* `folio diff OLD NEW -o DIR` (or `folio diff PUB --rev A..B`): what
 * changed between two versions of a publication, page by page, written as
 * DIR/diff.html and DIR/diff.json (and the JSON on stdout with --json).
 *
 * Both versions are laid out and compared on their display lists, not on
 * page numbers: each edition's content is cut into its blocks (the ops'
 * fo_dl_src: a section's title or one block, with the text its glyph runs
 * set and the images it drew), the two sequences of blocks are aligned by
 * content (longest common subsequence of their hashes), and only a block
 * that is not in both is a change. So a paragraph edited in section 3
 * whose new length pushes every later page down reports the pages that
 * edited paragraph is set on, and no other: a block that only moved to
 * another page is the same block. A changed pair of blocks is compared
 * word by word (a second LCS, on words); an image counts as changed when
 * its file's bytes or its placed size differ.
 *
 * Pages are paired through their content: a new page's partner is the old
 * page on which its first block unchanged by the edit was set. The pages
 * of each change are drawn side by side (the proof sheet's PNG renderer,
 * render/png.c) with the changed blocks outlined.
 *
 * --rev A..B exports the two revisions of the git repository holding PUB
 * (`git archive`) into DIR/.rev-A and DIR/.rev-B, removed at the end, and
 * compares those. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/cli.h"
#include "cli/diff.h"

#include <math.h>

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Blocks and words beyond which the alignment (quadratic) stops looking
 * for a common subsequence and pairs what is left in order. A yearbook of
 * 200 pages has about 1,500 blocks; a paragraph rarely 400 words. */
enum { MAX_ALIGN = 4000, MAX_WORDS = 3000, DIFF_DPI = 48 };

/* A block as one layout set it: its key, its content and where it is. */
typedef struct dblock {
    int section;
    const fo_block *block; /* NULL: the section's title */
    fo_buf text;           /* the text its runs set, runs joined */
    double last_x, last_y; /* the pen after the last run, to join runs */
    int has_text;
    uint64_t hash;     /* of text, kind and images */
    uint64_t thash;    /* of text and kind only */
    int first, last;   /* pages (0-based) it is set on */
    int changed;       /* not in the other version */
    int partner;       /* the block of the other version it replaces, -1 */
    int same;          /* the unchanged block of the other version, -1 */
    uint64_t img_hash; /* the images' files and sizes */
    int nimages;
    /* where it is on each page (bounding box of its ops), for the
     * outlines: boxes[k] on page first + k */
    double (*boxes)[4];
} dblock;

typedef struct dversion {
    fo_pub *pub;
    fo_dl_doc *docs[FO_MAX_EDITIONS];
} dversion;

typedef struct dside {
    const fo_dl_doc *doc;
    dblock *b;
    size_t n, cap;
    size_t cur;         /* the block the walk adds to */
    uint64_t *img_hash; /* per image of doc, its file's hash, 0 unread */
    int page;
} dside;

static void put(fo_buf *b, const char *s);
static void put_n(fo_buf *b, const char *s, size_t n, int html);

/* ---- blocks of a display list --------------------------------------- */

static dblock *block_of(dside *s, const fo_dl_src *src)
{
    if (s->n && s->b[s->cur].section == src->section &&
        s->b[s->cur].block == src->block)
        return &s->b[s->cur];
    for (size_t i = s->n; i-- > 0;)
        if (s->b[i].section == src->section && s->b[i].block == src->block) {
            s->cur = i;
            return &s->b[i];
        }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->b = fo_xrealloc(s->b, s->cap * sizeof *s->b);
    }
    dblock *b = &s->b[s->n];
    memset(b, 0, sizeof *b);
    b->section = src->section;
    b->block = src->block;
    b->first = b->last = s->page;
    b->partner = -1;
    b->same = -1;
    fo_buf_init(&b->text, 0);
    b->boxes = fo_xmalloc(sizeof *b->boxes);
    b->boxes[0][0] = b->boxes[0][1] = 1e9;
    b->boxes[0][2] = b->boxes[0][3] = -1e9;
    s->cur = s->n++;
    return b;
}

static void grow_box(dblock *b, int page, double x0, double y0, double x1,
                     double y1)
{
    if (page > b->last) {
        b->boxes = fo_xrealloc(b->boxes, (size_t)(page - b->first + 1) *
                                             sizeof *b->boxes);
        for (int p = b->last + 1; p <= page; p++) {
            double *q = b->boxes[p - b->first];
            q[0] = q[1] = 1e9;
            q[2] = q[3] = -1e9;
        }
        b->last = page;
    }
    double *q = b->boxes[page - b->first];
    q[0] = x0 < q[0] ? x0 : q[0];
    q[1] = y0 < q[1] ? y0 : q[1];
    q[2] = x1 > q[2] ? x1 : q[2];
    q[3] = y1 > q[3] ? y1 : q[3];
}

static fo_status walk_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    (void)doc;
    ((dside *)ud)->page = (int)page;
    return FO_OK;
}

/* The bytes of an image file, hashed (0 when it cannot be read: then the
 * paths decide). */
static uint64_t file_hash(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (fo_file_read(path, (size_t)512 << 20, &data, &len) != FO_OK)
        return fo_hash(FO_HASH_SEED, path, strlen(path));
    uint64_t h = fo_hash(FO_HASH_SEED, data, len);
    free(data);
    return h;
}

/* Whether a line that ends with t's last character goes on without a
 * space: after a hyphen or a dash the text had none (Seal-|Opening), nor
 * after a URL's slash, where lines also break. */
static int ends_joined(const fo_buf *t)
{
    static const char *const joins[] = {"-", "/", "\u2010", "\u2013", NULL};
    for (int k = 0; joins[k]; k++) {
        size_t n = strlen(joins[k]);
        if (t->len >= n && memcmp(t->data + t->len - n, joins[k], n) == 0)
            return 1;
    }
    return 0;
}

static fo_status walk_op(void *ud, const fo_dl_op *op, size_t i)
{
    (void)i;
    dside *s = ud;
    if (op->src.kind != FO_DL_SRC_CONTENT)
        return FO_OK;
    if (op->kind == FO_DL_GLYPHS) {
        const fo_dl_glyphs *g = &op->u.glyphs;
        dblock *b = block_of(s, &op->src);
        double w = 0;
        for (int k = 0; k < g->n; k++)
            w += g->glyphs[k].x_advance;
        /* runs of one line that touch join without a space; a new line
         * starts a new word unless the last one ended in layout's hyphen */
        int touch = b->has_text && (fabs(g->y - b->last_y) < 0.01 &&
                                    fabs(g->x - b->last_x) < 0.5);
        if (b->has_text && !touch && b->last_x >= 0 && !ends_joined(&b->text))
            put(&b->text, " ");
        put_n(&b->text, g->text, g->text_len, 2);
        b->has_text = 1;
        b->last_x = g->hyphen ? -1 : g->x + w;
        b->last_y = g->y;
        if (g->hyphen) { /* joins the next line without a space */
            b->last_x = -1;
        }
        grow_box(b, s->page, g->x, g->y - g->size * 0.8, g->x + w,
                 g->y + g->size * 0.25);
    } else if (op->kind == FO_DL_IMAGE) {
        const fo_dl_image *im = &op->u.image;
        dblock *b = block_of(s, &op->src);
        uint64_t *h_img = &s->img_hash[im->image];
        if (!*h_img) /* each file read once, however often it is drawn */
            *h_img = file_hash(s->doc->images[im->image].path) | 1;
        uint64_t h = *h_img;
        double wh[2] = {im->w, im->h};
        b->img_hash = fo_hash(b->img_hash ^ h, wh, sizeof wh);
        b->nimages++;
        grow_box(b, s->page, im->x, im->y, im->x + im->w, im->y + im->h);
    }
    return FO_OK;
}

static const fo_dl_walker DIFF_WALKER = {walk_begin, walk_op, NULL};

/* The blocks of doc in the order it sets them. */
static fo_status side_read(dside *s, const fo_dl_doc *doc)
{
    memset(s, 0, sizeof *s);
    s->doc = doc;
    s->img_hash = fo_xmalloc((doc->nimages + 1) * sizeof *s->img_hash);
    memset(s->img_hash, 0, (doc->nimages + 1) * sizeof *s->img_hash);
    for (size_t p = 0; p < doc->npages; p++) {
        fo_status st = fo_dl_walk(doc, p, &DIFF_WALKER, s);
        if (st != FO_OK)
            return st;
    }
    for (size_t i = 0; i < s->n; i++) {
        dblock *b = &s->b[i];
        int kind = b->block ? (int)b->block->kind : -1;
        b->hash = fo_hash(FO_HASH_SEED, &kind, sizeof kind);
        /* without its spaces, so that where the lines broke (a space
         * or none between two runs) never makes a block differ */
        for (size_t k = 0; k < b->text.len; k++)
            if (b->text.data[k] != ' ')
                b->hash = fo_hash(b->hash, b->text.data + k, 1);
        b->thash = b->hash;
        b->hash = fo_hash(b->hash, &b->img_hash, sizeof b->img_hash);
    }
    return FO_OK;
}

static void side_free(dside *s)
{
    for (size_t i = 0; i < s->n; i++) {
        fo_buf_free(&s->b[i].text);
        free(s->b[i].boxes);
    }
    free(s->b);
    free(s->img_hash);
}

/* ---- alignment -------------------------------------------------------- */

/* Longest common subsequence of a[0..n) and b[0..m) (equal: eq(i, j)):
 * match[i] is the j a[i] pairs with, or -1. Beyond max_cells cells, the
 * common head and tail only. */
static void lcs(size_t n, size_t m, int (*eq)(void *, size_t, size_t), void *ud,
                int *match)
{
    for (size_t i = 0; i < n; i++)
        match[i] = -1;
    size_t h = 0;
    while (h < n && h < m && eq(ud, h, h)) {
        match[h] = (int)h;
        h++;
    }
    size_t t = 0;
    while (t < n - h && t < m - h && eq(ud, n - 1 - t, m - 1 - t)) {
        match[n - 1 - t] = (int)(m - 1 - t);
        t++;
    }
    size_t N = n - h - t, M = m - h - t;
    if (!N || !M || N > MAX_ALIGN || M > MAX_ALIGN)
        return;
    /* L[i][j]: the LCS of the tails from i and j */
    unsigned short *L = fo_xmalloc((N + 1) * (M + 1) * sizeof *L);
    for (size_t i = N + 1; i-- > 0;)
        for (size_t j = M + 1; j-- > 0;) {
            unsigned short *c = &L[i * (M + 1) + j];
            if (i == N || j == M)
                *c = 0;
            else if (eq(ud, h + i, h + j))
                *c = (unsigned short)(L[(i + 1) * (M + 1) + j + 1] + 1);
            else {
                unsigned short a = L[(i + 1) * (M + 1) + j],
                               b = L[i * (M + 1) + j + 1];
                *c = a > b ? a : b;
            }
        }
    for (size_t i = 0, j = 0; i < N && j < M;) {
        if (eq(ud, h + i, h + j)) {
            match[h + i] = (int)(h + j);
            i++, j++;
        } else if (L[(i + 1) * (M + 1) + j] >= L[i * (M + 1) + j + 1])
            i++;
        else
            j++;
    }
    free(L);
}

static int block_eq(void *ud, size_t i, size_t j)
{
    dside *s = ud;
    return s[0].b[i].hash == s[1].b[j].hash;
}

/* After the common subsequence: blocks that moved, or kept their text. */
static void pair_moved(dside *old, dside *new)
{
    size_t n = old->n, m = new->n;
    /* a block layout set in another order (a figure that waited for the
     * next column while the text went on) is in no common subsequence:
     * the same content is the same block, moved; the same text with
     * other images or sizes is that block changed */
    for (int pass = 0; pass < 2; pass++)
        for (size_t a = 0; a < n; a++) {
            dblock *ob = &old->b[a];
            if (!ob->changed || ob->partner >= 0)
                continue;
            for (size_t c = 0; c < m; c++) {
                dblock *nb = &new->b[c];
                if (!nb->changed || nb->partner >= 0 ||
                    (pass ? nb->thash != ob->thash : nb->hash != ob->hash))
                    continue;
                if (pass) {
                    ob->partner = (int)c;
                    nb->partner = (int)a;
                } else {
                    ob->changed = nb->changed = 0;
                    ob->same = (int)c;
                    nb->same = (int)a;
                }
                break;
            }
        }
}

/* Marks the blocks of each side that the other does not have, and pairs
 * the changed ones that stand in the same gap between unchanged blocks (in
 * order): an edited paragraph is the old one's partner. */
static void align_blocks(dside *old, dside *new)
{
    dside both[2] = {*old, *new};
    size_t n = old->n, m = new->n;
    int *match = fo_xmalloc((n + 1) * sizeof *match);
    char *newm = fo_xmalloc(m + 1);
    memset(newm, 0, m + 1);
    lcs(n, m, block_eq, both, match);
    for (size_t i = 0; i < n; i++)
        if (match[i] >= 0)
            newm[match[i]] = 1;
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && match[i] == (int)j) {
            old->b[i].same = (int)j;
            new->b[j].same = (int)i;
            i++, j++;
            continue;
        }
        size_t i1 = i, j1 = j;
        while (i1 < n && match[i1] < 0)
            old->b[i1++].changed = 1;
        while (j1 < m && !newm[j1])
            new->b[j1++].changed = 1;
        for (size_t k = 0; i + k < i1 && j + k < j1; k++) {
            old->b[i + k].partner = (int)(j + k);
            new->b[j + k].partner = (int)(i + k);
        }
        i = i1, j = j1;
    }
    pair_moved(old, new);
    free(match);
    free(newm);
}

/* ---- words ------------------------------------------------------------ */

typedef struct words {
    const char **w;
    size_t *len;
    size_t n;
} words;

static int is_space_at(const char *s, size_t i, size_t n, size_t *skip)
{
    unsigned char c = (unsigned char)s[i];
    *skip = 1;
    if (c == ' ' || c == '\t' || c == '\n')
        return 1;
    /* U+00A0 and U+2028, the model's no-break space and line break */
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
        *skip = 2;
        return 1;
    }
    if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xAF)) {
        *skip = 3;
        return 1;
    }
    return 0;
}

static words split_words(const fo_buf *t)
{
    words w = {0};
    size_t cap = 0, i = 0, skip;
    while (i < t->len) {
        if (is_space_at(t->data, i, t->len, &skip)) {
            i += skip;
            continue;
        }
        size_t k = i;
        while (k < t->len && !is_space_at(t->data, k, t->len, &skip))
            k++;
        if (w.n == cap) {
            cap = cap ? 2 * cap : 32;
            w.w = fo_xrealloc(w.w, cap * sizeof *w.w);
            w.len = fo_xrealloc(w.len, cap * sizeof *w.len);
        }
        w.w[w.n] = t->data + i;
        w.len[w.n++] = k - i;
        i = k;
    }
    return w;
}

static int word_eq(void *ud, size_t i, size_t j)
{
    words *w = ud;
    return w[0].len[i] == w[1].len[j] &&
           memcmp(w[0].w[i], w[1].w[j], w[0].len[i]) == 0;
}

/* ---- output ----------------------------------------------------------- */

static void put(fo_buf *b, const char *s)
{
    fo_status st = fo_buf_puts(b, s);
    assert(st == FO_OK); /* uncapped: memory aborts */
    (void)st;
}

static void put_n(fo_buf *b, const char *s, size_t n, int html)
{
    if (html == 2) { /* as it is */
        fo_status st = fo_buf_append(b, s, n);
        assert(st == FO_OK); /* uncapped: memory aborts */
        (void)st;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        char one[8];
        if (html && c == '<')
            put(b, "&lt;");
        else if (html && c == '>')
            put(b, "&gt;");
        else if (html && c == '&')
            put(b, "&amp;");
        else if (!html && (c == '"' || c == '\\')) {
            one[0] = '\\', one[1] = c, one[2] = 0;
            put(b, one);
        } else if (!html && (unsigned char)c < 0x20) {
            (void)snprintf(one, sizeof one, "\\u%04x", (unsigned)c);
            put(b, one);
        } else {
            one[0] = c, one[1] = 0;
            put(b, one);
        }
    }
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

static fo_pos pos_of(const dblock *b, const fo_pub *pub)
{
    if (b->block)
        return b->block->pos;
    if (b->section >= 0 && (size_t)b->section < pub->nsections)
        return pub->sections[b->section].pos;
    return (fo_pos){0};
}

/* One edition compared: the JSON object and the HTML section. */
typedef struct ed_out {
    fo_buf *json, *html;
    const char *dir, *lang;
    int nchanges;
} ed_out;

/* The word diff of a changed pair (either may be NULL), as JSON lists
 * and marked HTML; the number of words changed. */
static int word_diff(const dblock *ob, const dblock *nb, ed_out *o)
{
    fo_buf empty;
    fo_buf_init(&empty, 0);
    words w[2] = {split_words(ob ? &ob->text : &empty),
                  split_words(nb ? &nb->text : &empty)};
    int *match = fo_xmalloc((w[0].n + 1) * sizeof *match);
    char *newm = fo_xmalloc(w[1].n + 1);
    memset(newm, 0, w[1].n + 1);
    if (w[0].n <= MAX_WORDS && w[1].n <= MAX_WORDS)
        lcs(w[0].n, w[1].n, word_eq, w, match);
    else
        for (size_t i = 0; i < w[0].n; i++)
            match[i] = -1;
    for (size_t i = 0; i < w[0].n; i++)
        if (match[i] >= 0)
            newm[match[i]] = 1;
    int changed = 0;
    const char *names[2] = {"deleted", "inserted"};
    for (int side = 0; side < 2; side++) {
        putf(o->json, ", \"%s\": [", names[side]);
        int first = 1;
        put(o->html, side ? "<div class=new>" : "<div class=old>");
        for (size_t i = 0; i < w[side].n; i++) {
            int same = side ? newm[i] : match[i] >= 0;
            if (!same) {
                changed++;
                put(o->json, first ? "\"" : ", \"");
                put_n(o->json, w[side].w[i], w[side].len[i], 0);
                put(o->json, "\"");
                first = 0;
                put(o->html, side ? "<ins>" : "<del>");
            }
            put_n(o->html, w[side].w[i], w[side].len[i], 1);
            put(o->html, same ? " " : side ? "</ins> " : "</del> ");
        }
        put(o->json, "]");
        put(o->html, "</div>");
    }
    free(match);
    free(newm);
    for (int k = 0; k < 2; k++) {
        free(w[k].w);
        free(w[k].len);
    }
    fo_buf_free(&empty);
    return changed;
}

/* The page list "[3, 4]" of b, or "[]". */
static void put_pages(fo_buf *b, const dblock *blk)
{
    put(b, "[");
    for (int p = blk ? blk->first : 0; blk && p <= blk->last; p++)
        putf(b, "%s%d", p > blk->first ? ", " : "", p + 1);
    put(b, "]");
}

/* The picture of page p of doc with b's boxes outlined (HTML). */
static void put_page(ed_out *o, const char *which, const fo_dl_doc *doc,
                     const dblock *b, fo_png_renderer *r, unsigned char *drawn,
                     fo_diags *d)
{
    for (int p = b->first; p <= b->last; p++) {
        char name[256], path[4096];
        (void)snprintf(name, sizeof name, "%s-%s-%03d.png", which, o->lang,
                       p + 1);
        (void)snprintf(path, sizeof path, "%s/%s", o->dir, name);
        /* drawn once per run (not found on disk: an earlier run's page
         * would be another version's) */
        if (!(drawn[p] & 1) &&
            fo_png_renderer_page(r, (size_t)p, DIFF_DPI, path, d) != FO_OK)
            continue;
        drawn[p] |= 1;
        const fo_dl_page *pg = doc->pages[p];
        double k = DIFF_DPI / 72.0;
        const double *q = b->boxes[p - b->first];
        putf(o->html,
             "<figure class=page style=\"width:%.0fpx;height:%.0fpx\">"
             "<img src=\"%s\" alt=\"%s page %d\">",
             pg->width * k, pg->height * k, name, which, p + 1);
        if (q[2] > q[0])
            putf(o->html,
                 "<div class=box style=\"left:%.0fpx;top:%.0fpx;width:%.0fpx;"
                 "height:%.0fpx\"></div>",
                 q[0] * k - 2, q[1] * k - 2, (q[2] - q[0]) * k + 4,
                 (q[3] - q[1]) * k + 4);
        putf(o->html, "<figcaption>%s page %d</figcaption></figure>", which,
             p + 1);
    }
}

/* Which pages of one side hold: 1 a changed block, 2 only blocks added
 * (no partner) or nothing unchanged, 4 an unchanged block. */
static unsigned char *page_marks(const dside *s)
{
    size_t np = s->doc->npages;
    unsigned char *m = fo_xmalloc(np + 1);
    memset(m, 0, np + 1);
    for (size_t i = 0; i < s->n; i++) {
        const dblock *b = &s->b[i];
        for (int p = b->first; p <= b->last && (size_t)p < np; p++)
            m[p] |= b->changed ? (b->partner < 0 ? 2 : 1) : 4;
    }
    return m;
}

/* The edition's line of the JSON and its summary in the HTML: pages
 * changed (the new version's), added and removed; pm as page_marks. */
static void put_summary(ed_out *o, unsigned char *const pm[2],
                        const fo_dl_doc *odoc, const fo_dl_doc *ndoc)
{
    putf(o->json,
         "    {\"edition\": \"%s\", \"old_pages\": %zu, "
         "\"new_pages\": %zu,\n",
         o->lang, odoc->npages, ndoc->npages);
    putf(o->html, "<section><h2>Edition %s: %zu pages, before %zu</h2>\n",
         o->lang, ndoc->npages, odoc->npages);
    static const char *const kinds[] = {"pages_changed", "pages_added",
                                        "pages_removed"};
    for (int k = 0; k < 3; k++) {
        const unsigned char *m = pm[k == 2 ? 0 : 1];
        size_t np = (k == 2 ? odoc : ndoc)->npages;
        putf(o->json, "     \"%s\": [", kinds[k]);
        putf(o->html, "<p>%s:", kinds[k] + 6);
        int first = 1;
        for (size_t p = 0; p < np; p++) {
            int on = k == 0 ? (m[p] & 1) || ((m[p] & 2) && (m[p] & 4))
                            : (m[p] & 2) && !(m[p] & 5);
            if (!on)
                continue;
            putf(o->json, "%s%zu", first ? "" : ", ", p + 1);
            putf(o->html, " %zu", p + 1);
            first = 0;
        }
        put(o->json, "],\n");
        put(o->html, first ? " none</p>" : "</p>");
    }
}

/* What diff_edition's changes share. */
typedef struct ed_diff {
    const fo_pub *pub[2];
    const fo_dl_doc *doc[2];
    dside s[2];
    fo_png_renderer *r[2];
    unsigned char *drawn[2]; /* per page of each side: its PNG written */
    int *sec_words;
    int nsec;
    fo_buf changes; /* the JSON list */
    int n;
} ed_diff;

/* One change: b, block i of side (0 old, 1 new), with its partner. */
static void put_change(ed_diff *x, int side, const dblock *b, ed_out *o,
                       fo_diags *d)
{
    const dblock *ob =
        side ? (b->partner >= 0 ? &x->s[0].b[b->partner] : NULL) : b;
    const dblock *nb = side ? b : NULL;
    const char *kind =
        !ob                                                          ? "added"
        : !nb                                                        ? "removed"
        : ob->img_hash != nb->img_hash || ob->nimages != nb->nimages ? "image"
                                                                     : "text";
    fo_pos pos = pos_of(b, x->pub[side]);
    const char *file = pos.file ? pos.file : "";
    fo_buf *json = o->json;
    o->json = &x->changes;
    putf(o->json, "%s      {\"kind\": \"%s\", \"section\": %d, \"file\": \"",
         x->n ? ",\n" : "", kind, b->section + 1);
    put_n(o->json, file, strlen(file), 0);
    putf(o->json, "\", \"line\": %d, \"column\": %d, \"old_pages\": ", pos.line,
         pos.col);
    put_pages(o->json, ob);
    put(o->json, ", \"new_pages\": ");
    put_pages(o->json, nb);
    put(o->html, "<div class=change><h3>");
    put_n(o->html, file, strlen(file), 1);
    putf(o->html, ":%d:%d: %s</h3><div class=text>", pos.line, pos.col, kind);
    int nw = word_diff(ob, nb, o);
    put(o->html, "</div><div class=pages>");
    if (ob && x->r[0])
        put_page(o, "old", x->doc[0], ob, x->r[0], x->drawn[0], d);
    if (nb && x->r[1])
        put_page(o, "new", x->doc[1], nb, x->r[1], x->drawn[1], d);
    put(o->html, "</div></div>\n");
    putf(o->json, ", \"words_changed\": %d}", nw);
    o->json = json;
    if (b->section >= 0 && b->section < x->nsec)
        x->sec_words[b->section] += nw;
    x->n++;
}

/* The words changed per section, in the JSON and the HTML. */
static void put_sections(const ed_diff *x, ed_out *o)
{
    put(o->json, "     \"sections\": [");
    put(o->html, "<table><tr><th>section</th><th>words changed</th></tr>");
    int first = 1;
    for (int k = 0; k < x->nsec; k++) {
        if (!x->sec_words[k])
            continue;
        putf(o->json, "%s{\"section\": %d, \"words_changed\": %d}",
             first ? "" : ", ", k + 1, x->sec_words[k]);
        putf(o->html, "<tr><td>%d</td><td>%d</td></tr>", k + 1,
             x->sec_words[k]);
        first = 0;
    }
    put(o->html, "</table></section>\n");
}

/* Compares one edition of the two versions into o. */
static fo_status diff_edition(const fo_pub *opub, const fo_dl_doc *odoc,
                              const fo_pub *npub, const fo_dl_doc *ndoc,
                              ed_out *o, fo_diags *d)
{
    ed_diff x = {.pub = {opub, npub}, .doc = {odoc, ndoc}};
    memset(x.s, 0, sizeof x.s);
    fo_status st = side_read(&x.s[0], odoc);
    if (st == FO_OK)
        st = side_read(&x.s[1], ndoc);
    if (st != FO_OK) {
        side_free(&x.s[0]);
        side_free(&x.s[1]);
        return st;
    }
    align_blocks(&x.s[0], &x.s[1]);
    unsigned char *pm[2] = {page_marks(&x.s[0]), page_marks(&x.s[1])};
    x.nsec = (int)(npub->nsections > opub->nsections ? npub->nsections
                                                     : opub->nsections);
    x.sec_words = fo_xmalloc(((size_t)x.nsec + 1) * sizeof *x.sec_words);
    memset(x.sec_words, 0, ((size_t)x.nsec + 1) * sizeof *x.sec_words);
    for (int k = 0; k < 2; k++) {
        x.drawn[k] = fo_xmalloc(x.doc[k]->npages + 1);
        memset(x.drawn[k], 0, x.doc[k]->npages + 1);
    }
    x.r[0] = fo_png_renderer_new(odoc);
    x.r[1] = fo_png_renderer_new(ndoc);
    fo_buf_init(&x.changes, 0);
    put_summary(o, pm, odoc, ndoc);
    /* every changed new block (with its old partner), then the old blocks
     * removed */
    for (size_t i = 0; i < x.s[1].n; i++)
        if (x.s[1].b[i].changed)
            put_change(&x, 1, &x.s[1].b[i], o, d);
    for (size_t i = 0; i < x.s[0].n; i++)
        if (x.s[0].b[i].changed && x.s[0].b[i].partner < 0)
            put_change(&x, 0, &x.s[0].b[i], o, d);
    put_sections(&x, o);
    put(o->json, "],\n     \"changes\": [\n");
    put(o->json, x.changes.data ? x.changes.data : "");
    put(o->json, "]}");
    o->nchanges += x.n;
    fo_buf_free(&x.changes);
    for (int k = 0; k < 2; k++) {
        if (x.r[k])
            fo_png_renderer_free(x.r[k]);
        free(pm[k]);
        free(x.drawn[k]);
        side_free(&x.s[k]);
    }
    free(x.sec_words);
    return FO_OK;
}

/* ---- --rev ------------------------------------------------------------ */

/* Runs args (NULL-terminated), waits; 0 when it exited 0. */
static int run(const char *const *args)
{
    char *argv[16];
    int n = 0;
    for (; args[n] && n < 15; n++)
        argv[n] = fo_xstrdup(args[n]);
    argv[n] = NULL;
    (void)fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    for (int k = 0; k < n; k++)
        free(argv[k]);
    if (pid < 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Exports revision rev of the repository holding the folder of pub into
 * dir; the publication's path there (malloc'd), or NULL. */
static char *export_rev(const char *pub, const char *rev, const char *dir,
                        fo_diags *d)
{
    char *pub_dir = fo_path_dirname(pub);
    char *real = realpath(pub_dir, NULL);
    char *real_pub = realpath(pub, NULL);
    free(pub_dir);
    char *out = NULL;
    if (!real || !real_pub)
        goto done;
    /* the top of the repository: git rev-parse --show-toplevel */
    char top[4096];
    {
        char git[] = "git", c[] = "-C", rp[] = "rev-parse",
             top_opt[] = "--show-toplevel";
        int fd[2];
        if (pipe(fd) != 0)
            goto done;
        pid_t pid = fork();
        if (pid == 0) {
            (void)dup2(fd[1], 1);
            close(fd[0]);
            close(fd[1]);
            char *argv[] = {git, c, real, rp, top_opt, NULL};
            execvp(argv[0], argv);
            _exit(127);
        }
        close(fd[1]);
        ssize_t n = pid > 0 ? read(fd[0], top, sizeof top - 1) : -1;
        close(fd[0]);
        int status = 0;
        if (pid > 0)
            (void)waitpid(pid, &status, 0);
        if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            goto done;
        top[n] = 0;
        top[strcspn(top, "\n")] = 0;
    }
    size_t tl = strlen(top);
    if (strncmp(real_pub, top, tl) != 0 || real_pub[tl] != '/')
        goto done;
    if (!cli_make_dir(dir, d))
        goto done;
    /* git archive runs in the repository: its -o must be absolute */
    char *abs = realpath(dir, NULL);
    if (!abs)
        goto done;
    char tar[4096];
    (void)snprintf(tar, sizeof tar, "%s.tar", abs);
    free(abs);
    const char *archive[] = {"git", "-C", top, "archive", "--format=tar",
                             "-o",  tar,  rev, NULL};
    const char *untar[] = {"tar", "-xf", tar, "-C", dir, NULL};
    int ok = run(archive) == 0 && run(untar) == 0;
    (void)unlink(tar);
    if (ok)
        out = fo_path_join(dir, real_pub + tl + 1);
done:
    free(real);
    free(real_pub);
    return out;
}

/* OLD or NEW as given: a publication file, or a folder holding
 * publication.yaml (malloc'd). */
static char *pub_file(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return fo_path_join(arg, "publication.yaml");
    return fo_xstrdup(arg);
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

/* The two publications to compare: OLD and NEW, or the revisions of
 * --rev exported into tmp[] (removed by the caller). 0 or the exit code. */
static int resolve_paths(const opts *o, char *path[2], char *tmp[2],
                         fo_diags *d)
{
    int rc = 0;
    if (o->rev) {
        const char *dots = strstr(o->rev, "..");
        /* a revision that starts with '-' would be an option of git */
        if (!dots || dots == o->rev || !dots[2] || o->pub2 ||
            o->rev[0] == '-' || dots[2] == '-') {
            cli_say("--rev takes A..B and one publication");
            rc = EXIT_USAGE;
            return rc;
        }
        char *revs[2] = {fo_xstrdup(o->rev), fo_xstrdup(dots + 2)};
        revs[0][dots - o->rev] = 0;
        char *pub = pub_file(o->pub);
        for (int k = 0; k < 2 && !rc; k++) {
            tmp[k] = fo_path_join(o->out_dir, k ? ".rev-new" : ".rev-old");
            path[k] = export_rev(pub, revs[k], tmp[k], d);
            if (!path[k]) {
                fo_error(d, (fo_pos){0},
                         "cannot export revision '%s' of the git repository "
                         "holding %s",
                         revs[k], o->pub);
                rc = EXIT_INPUT;
            }
        }
        free(pub);
        free(revs[0]);
        free(revs[1]);
        if (rc)
            return rc;
    } else {
        if (!o->pub2) {
            cli_say("diff: OLD and NEW, or one publication with --rev A..B");
            rc = EXIT_USAGE;
            return rc;
        }
        path[0] = pub_file(o->pub);
        path[1] = pub_file(o->pub2);
    }
    return 0;
}

int diff_run(opts *o)
{
    fo_diags d;
    cli_diags_init(&d, o);
    int rc = 0;
    char *path[2] = {NULL, NULL}, *tmp[2] = {NULL, NULL};
    dversion v[2] = {{0}, {0}};
    fo_buf json, html;
    fo_buf_init(&json, 0);
    fo_buf_init(&html, 0);
    if (!cli_make_dir(o->out_dir, &d)) {
        rc = EXIT_INPUT;
        goto out;
    }
    rc = resolve_paths(o, path, tmp, &d);
    if (rc)
        goto out;
    for (int k = 0; k < 2 && !rc; k++) {
        opts ok = *o;
        ok.pub = path[k];
        rc = cli_layout(&ok, &d, &v[k].pub, v[k].docs, NULL, NULL);
    }
    if (rc)
        goto out;
    put(&json, "{\"old\": \"");
    put_n(&json, o->rev ? o->rev : o->pub, strlen(o->rev ? o->rev : o->pub), 0);
    put(&json, "\", \"new\": \"");
    put_n(&json, o->pub2 ? o->pub2 : o->pub, strlen(o->pub2 ? o->pub2 : o->pub),
          0);
    put(&json, "\",\n  \"editions\": [\n");
    put(&html, "<!DOCTYPE html>\n<html><head><meta charset=utf-8>"
               "<title>folio diff</title><style>"
               "body{font:14px sans-serif;margin:1em}"
               "del{background:#fcc}ins{background:#cfc}"
               ".change{border-top:1px solid #ccc;margin:1em 0}"
               ".text{display:flex;gap:1em}.text div{flex:1}"
               ".pages{display:flex;gap:1em;flex-wrap:wrap}"
               ".page{position:relative;margin:0;border:1px solid #888}"
               ".page img{display:block}"
               ".box{position:absolute;border:2px solid #e00}"
               "figcaption{font-size:12px}</style></head><body>\n"
               "<h1>What changed</h1>\n");
    ed_out eo = {&json, &html, o->out_dir, NULL, 0};
    int nout = 0;
    for (int e = 0; e < v[1].pub->neditions; e++) {
        int oe = fo_pub_edition(v[0].pub, v[1].pub->editions[e]);
        if (!v[1].docs[e] || oe < 0 || !v[0].docs[oe])
            continue;
        if (nout++)
            put(&json, ",\n");
        eo.lang = v[1].pub->editions[e];
        if (diff_edition(v[0].pub, v[0].docs[oe], v[1].pub, v[1].docs[e], &eo,
                         &d) != FO_OK)
            rc = EXIT_INPUT;
    }
    put(&json, "\n  ]}\n");
    put(&html, "</body></html>\n");
    if (!rc && (!write_out(o->out_dir, "diff.json", &json, &d) ||
                !write_out(o->out_dir, "diff.html", &html, &d)))
        rc = EXIT_INPUT;
    if (!rc && o->json)
        (void)fwrite(json.data, 1, json.len, stdout);
    else if (!rc)
        printf("%d change%s: %s/diff.html\n", eo.nchanges,
               eo.nchanges == 1 ? "" : "s", o->out_dir);
out:
    for (int k = 0; k < 2; k++) {
        if (v[k].pub)
            cli_free_docs(v[k].pub, v[k].docs);
        if (tmp[k]) {
            const char *rm[] = {"rm", "-rf", tmp[k], NULL};
            (void)run(rm);
        }
        free(tmp[k]);
        free(path[k]);
    }
    fo_buf_free(&json);
    fo_buf_free(&html);
    fo_diags_print(&d, stderr);
    if (!rc && d.errors)
        rc = EXIT_INPUT;
    fo_diags_free(&d);
    return rc;
}
