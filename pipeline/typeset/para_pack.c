/* A set paragraph after setting: freeing it, the heap bytes it holds, the
 * byte budget for paragraphs kept from measuring to drawing
 * (fo_para_keep), and the packed form they are kept in
 * (fo_set_para_pack). */
#include "typeset_private.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void fo_set_para_free(fo_set_para *p)
{
    g_free(p->owned_text);
    p->owned_text = NULL;
    for (int i = 0; i < p->nlines; i++) {
        for (int r = 0; r < p->lines[i].nruns; r++)
            free(p->lines[i].runs[r].glyphs);
        free(p->lines[i].runs);
    }
    free(p->lines);
    p->lines = NULL;
    p->nlines = 0;
}

size_t fo_set_para_bytes(const fo_set_para *p)
{
    size_t n = (size_t)p->nlines * sizeof *p->lines;
    for (int i = 0; i < p->nlines; i++) {
        const fo_set_line *ln = &p->lines[i];
        n += (size_t)ln->nruns * sizeof *ln->runs;
        for (int r = 0; r < ln->nruns; r++) {
            /* shape_piece allocates at least one glyph */
            int g = ln->runs[r].n > 0 ? ln->runs[r].n : 1;
            n += (size_t)g * sizeof *ln->runs[r].glyphs;
        }
    }
    return n;
}

int fo_para_keep_take(fo_para_keep *k, size_t bytes)
{
    if (bytes > k->cap || k->used > k->cap - bytes) {
        k->refused++;
        return 0;
    }
    k->used += bytes;
    if (k->used > k->peak)
        k->peak = k->used;
    k->kept++;
    return 1;
}

void fo_para_keep_give(fo_para_keep *k, size_t bytes)
{
    assert(bytes <= k->used);
    k->used -= bytes;
}

/* ---- packed set paragraphs -------------------------------------------
 *
 * A set paragraph waiting to be drawn is held as bytes: most of a
 * fo_dl_glyph's 40 bytes are an advance that is a whole number of Pango
 * units (1/1024 pt) and offsets that are zero, so a glyph packs into 5 or
 * 6 bytes, or 13 when justification widened it. Every double is either stored
 * whole or as k/1024 when that division gives back its very bits, so unpacking
 * gives the paragraph exactly as it was set. The buffer is never larger than
 * about the unpacked paragraph it was made from. */

typedef struct pack_buf {
    unsigned char *data;
    size_t len, cap;
} pack_buf;

static void put_bytes(pack_buf *b, const void *p, size_t n)
{
    fo_grow((void **)&b->data, 1, &b->cap, b->len + n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_uint(pack_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put_bytes(b, tmp, n);
}

static void put_int(pack_buf *b, int64_t v)
{
    put_uint(b, v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1);
}

static uint64_t get_uint(const unsigned char **p)
{
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        unsigned char c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
}

static int64_t get_int(const unsigned char **p)
{
    uint64_t u = get_uint(p);
    return u & 1 ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
}

static void get_bytes(const unsigned char **p, void *out, size_t n)
{
    memcpy(out, *p, n);
    *p += n;
}

/* How a double is stored: zero (+0.0), k/1024, or its 8 bytes. */
enum { NUM_ZERO, NUM_UNITS, NUM_RAW };

/* Are a and b the same bits (-0.0 is not 0.0)? */
static int same_bits(double a, double b)
{
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

static int num_kind(double v, int64_t *k)
{
    if (same_bits(v, 0.0))
        return NUM_ZERO;
    if (fabs(v) < 1e12) {
        double u = v * PANGO_SCALE;
        *k = (int64_t)u;
        if (same_bits((double)*k / (double)PANGO_SCALE, v))
            return NUM_UNITS;
    }
    return NUM_RAW;
}

static void put_num(pack_buf *b, int kind, double v, int64_t k)
{
    if (kind == NUM_UNITS)
        put_int(b, k);
    else if (kind == NUM_RAW)
        put_bytes(b, &v, sizeof v);
}

static double get_num(const unsigned char **p, int kind)
{
    double v = 0;
    if (kind == NUM_UNITS)
        v = (double)get_int(p) / (double)PANGO_SCALE;
    else if (kind == NUM_RAW)
        get_bytes(p, &v, sizeof v);
    return v;
}

enum {
    RUN_HYPHEN = 1,
    RUN_COLOR = 2,
    RUN_UNDERLINE = 4,
    RUN_HREF = 8,
    RUN_LANG = 16
};

static void pack_glyphs(pack_buf *b, const fo_set_run *run)
{
    uint32_t prev = 0;
    for (int i = 0; i < run->n; i++) {
        const fo_dl_glyph *g = &run->glyphs[i];
        int64_t ka = 0, kx = 0, ky = 0;
        int a = num_kind(g->x_advance, &ka);
        int x = num_kind(g->x_offset, &kx);
        int y = num_kind(g->y_offset, &ky);
        /* clusters rise through a left-to-right run: a small step */
        int back = g->cluster < prev;
        unsigned char tag = (unsigned char)(a | x << 2 | y << 4 | back << 6);
        put_bytes(b, &tag, 1);
        put_uint(b, g->gid);
        put_num(b, a, g->x_advance, ka);
        put_num(b, x, g->x_offset, kx);
        put_num(b, y, g->y_offset, ky);
        put_uint(b, back ? g->cluster : g->cluster - prev);
        prev = g->cluster;
    }
}

void fo_set_para_pack(fo_set_para *p, const char *base, fo_packed_para *out)
{
    memset(out, 0, sizeof *out);
    pack_buf b = {0};
    const char *text = p->owned_text ? p->owned_text : base;
    for (int i = 0; i < p->nlines; i++) {
        const fo_set_line *ln = &p->lines[i];
        put_bytes(&b, &ln->width, sizeof ln->width);
        put_bytes(&b, &ln->natural, sizeof ln->natural);
        put_bytes(&b, &ln->ratio, sizeof ln->ratio);
        put_bytes(&b, &ln->letter_ratio, sizeof ln->letter_ratio);
        put_int(&b, ln->hyphenated);
        put_uint(&b, (uint64_t)ln->nruns);
        for (int r = 0; r < ln->nruns; r++) {
            const fo_set_run *run = &ln->runs[r];
            unsigned char fl =
                (unsigned char)((run->hyphen ? RUN_HYPHEN : 0) |
                                (run->has_color ? RUN_COLOR : 0) |
                                (run->underline ? RUN_UNDERLINE : 0) |
                                (run->href ? RUN_HREF : 0) |
                                (run->lang ? RUN_LANG : 0));
            put_bytes(&b, &fl, 1);
            put_int(&b, run->dl_font);
            put_bytes(&b, &run->size, sizeof run->size);
            put_bytes(&b, &run->x, sizeof run->x);
            put_bytes(&b, &run->rise, sizeof run->rise);
            if (run->has_color)
                put_bytes(&b, &run->color, sizeof run->color);
            if (run->href)
                put_bytes(&b, &run->href, sizeof run->href);
            if (run->lang)
                put_bytes(&b, &run->lang, sizeof run->lang);
            put_uint(&b, (uint64_t)(run->text - text));
            put_uint(&b, run->text_len);
            put_uint(&b, (uint64_t)run->n);
            pack_glyphs(&b, run);
        }
    }
    if (b.len) {
        out->data = fo_xrealloc(b.data, b.len); /* no slack while kept */
    } else {
        free(b.data);
        out->data = NULL;
    }
    out->len = b.len;
    out->nlines = p->nlines;
    out->owned_text = p->owned_text;
    p->owned_text = NULL;
    fo_set_para_free(p);
}

void fo_packed_para_unpack(fo_packed_para *pk, const char *base,
                           fo_set_para *out)
{
    memset(out, 0, sizeof *out);
    out->owned_text = pk->owned_text;
    pk->owned_text = NULL;
    const char *text = out->owned_text ? out->owned_text : base;
    const unsigned char *p = pk->data;
    out->nlines = pk->nlines;
    out->lines =
        fo_xcalloc((size_t)(pk->nlines ? pk->nlines : 1), sizeof *out->lines);
    for (int i = 0; i < pk->nlines; i++) {
        fo_set_line *ln = &out->lines[i];
        get_bytes(&p, &ln->width, sizeof ln->width);
        get_bytes(&p, &ln->natural, sizeof ln->natural);
        get_bytes(&p, &ln->ratio, sizeof ln->ratio);
        get_bytes(&p, &ln->letter_ratio, sizeof ln->letter_ratio);
        ln->hyphenated = (int)get_int(&p);
        ln->nruns = (int)get_uint(&p);
        ln->runs =
            ln->nruns ? fo_xcalloc((size_t)ln->nruns, sizeof *ln->runs) : NULL;
        for (int r = 0; r < ln->nruns; r++) {
            fo_set_run *run = &ln->runs[r];
            unsigned char fl;
            get_bytes(&p, &fl, 1);
            run->hyphen = (fl & RUN_HYPHEN) != 0;
            run->has_color = (fl & RUN_COLOR) != 0;
            run->underline = (fl & RUN_UNDERLINE) != 0;
            run->dl_font = (int)get_int(&p);
            get_bytes(&p, &run->size, sizeof run->size);
            get_bytes(&p, &run->x, sizeof run->x);
            get_bytes(&p, &run->rise, sizeof run->rise);
            if (fl & RUN_COLOR)
                get_bytes(&p, &run->color, sizeof run->color);
            if (fl & RUN_HREF)
                get_bytes(&p, &run->href, sizeof run->href);
            if (fl & RUN_LANG)
                get_bytes(&p, &run->lang, sizeof run->lang);
            run->text = text + get_uint(&p);
            run->text_len = (size_t)get_uint(&p);
            run->n = (int)get_uint(&p);
            run->glyphs = fo_xcalloc((size_t)(run->n > 0 ? run->n : 1),
                                     sizeof *run->glyphs);
            uint32_t prev = 0;
            for (int g = 0; g < run->n; g++) {
                fo_dl_glyph *gl = &run->glyphs[g];
                unsigned char tag;
                get_bytes(&p, &tag, 1);
                gl->gid = (uint32_t)get_uint(&p);
                gl->x_advance = get_num(&p, tag & 3);
                gl->x_offset = get_num(&p, (tag >> 2) & 3);
                gl->y_offset = get_num(&p, (tag >> 4) & 3);
                uint32_t c = (uint32_t)get_uint(&p);
                gl->cluster = (tag & 64) ? c : prev + c;
                prev = gl->cluster;
            }
        }
    }
    assert(pk->len == 0 || p == pk->data + pk->len);
    fo_packed_para_free(pk);
}

size_t fo_packed_para_bytes(const fo_packed_para *pk)
{
    return pk->len + sizeof *pk;
}

void fo_packed_para_free(fo_packed_para *pk)
{
    free(pk->data);
    g_free(pk->owned_text);
    memset(pk, 0, sizeof *pk);
}
