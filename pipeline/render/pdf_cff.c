/* The few facts the PDF renderer needs from a bare CFF font program (the
 * 'CFF ' table of an OpenType font, Adobe Technical Note #5176): whether it
 * is CID-keyed (a ROS operator in its Top DICT) and, if so, the CID of each
 * glyph (its charset). A PDF reader draws a CIDFontType0C font by CID, which
 * it maps to a glyph through that charset, so the codes in the content
 * stream must be CIDs, not glyph ids, once a subset has renumbered the
 * glyphs: a glyph looked up by the wrong CID draws another glyph, which
 * tests/cli/lang_roundtrip.sh catches by rendering a CJK page with
 * poppler, MuPDF and Ghostscript and comparing the rasters.
 *
 * Everything is bounds-checked: a malformed program is an error, never a
 * read outside the buffer. */
#include "pdf_private.h"

#include <string.h>

typedef struct cff_rd {
    const unsigned char *p;
    size_t len;
} cff_rd;

static int get_u(const cff_rd *r, size_t at, int n, uint32_t *v)
{
    if (n < 1 || n > 4 || at > r->len || r->len - at < (size_t)n)
        return 0;
    uint32_t x = 0;
    for (int i = 0; i < n; i++)
        x = (x << 8) | r->p[at + (size_t)i];
    *v = x;
    return 1;
}

/* The INDEX at *at: its count and where item 0's data starts (data_base
 * + offset[i] - 1); *at moves past it. */
typedef struct cff_index {
    uint32_t count;
    int off_size;
    size_t offsets; /* position of offset[0] */
    size_t data;    /* position of the byte before the data (offsets are
                       1-based) */
} cff_index;

static int read_index(const cff_rd *r, size_t *at, cff_index *ix)
{
    uint32_t count, os = 0, last;
    memset(ix, 0, sizeof *ix);
    if (!get_u(r, *at, 2, &count))
        return 0;
    ix->count = count;
    if (count == 0) {
        *at += 2;
        return 1;
    }
    if (!get_u(r, *at + 2, 1, &os) || os < 1 || os > 4)
        return 0;
    ix->off_size = (int)os;
    ix->offsets = *at + 3;
    ix->data = ix->offsets + ((size_t)count + 1) * os - 1;
    if (!get_u(r, ix->offsets + (size_t)count * os, (int)os, &last) ||
        last < 1 || ix->data + last > r->len)
        return 0;
    *at = ix->data + last;
    return 1;
}

static int index_item(const cff_rd *r, const cff_index *ix, uint32_t i,
                      size_t *start, size_t *end)
{
    uint32_t a, b;
    if (i >= ix->count ||
        !get_u(r, ix->offsets + (size_t)i * (size_t)ix->off_size, ix->off_size,
               &a) ||
        !get_u(r, ix->offsets + ((size_t)i + 1) * (size_t)ix->off_size,
               ix->off_size, &b) ||
        a < 1 || b < a || ix->data + b > r->len)
        return 0;
    *start = ix->data + a;
    *end = ix->data + b;
    return 1;
}

/* The operand at *i (its first byte is not an operator); *i moves past
 * it. Reals are skipped (their value is 0 here: no operator read below
 * takes one). */
static int read_operand(const cff_rd *r, size_t *i, size_t end, long *v)
{
    unsigned b0 = r->p[*i];
    size_t need = b0 == 28 ? 3 : b0 == 29 ? 5 : b0 >= 247 && b0 <= 254 ? 2 : 1;
    if (*i + need > end)
        return 0;
    const unsigned char *q = r->p + *i;
    *v = 0;
    if (b0 == 28) {
        *v = (int16_t)(uint16_t)((q[1] << 8) | q[2]);
    } else if (b0 == 29) {
        *v = (int32_t)(((uint32_t)q[1] << 24) | ((uint32_t)q[2] << 16) |
                       ((uint32_t)q[3] << 8) | q[4]);
    } else if (b0 == 30) { /* real: nibbles up to 0xf */
        size_t k = *i + 1;
        while (k < end && (r->p[k] & 0x0F) != 0x0F && (r->p[k] & 0xF0) != 0xF0)
            k++;
        *i = k + 1;
        return 1;
    } else if (b0 >= 32 && b0 <= 246) {
        *v = (long)b0 - 139;
    } else if (b0 >= 247 && b0 <= 250) {
        *v = ((long)b0 - 247) * 256 + q[1] + 108;
    } else if (b0 >= 251 && b0 <= 254) {
        *v = -((long)b0 - 251) * 256 - q[1] - 108;
    } else {
        return 0; /* reserved */
    }
    *i += need;
    return 1;
}

/* Walks a DICT [start, end): records the first integer operand of the
 * charset (15) and CharStrings (17) operators and whether ROS (12 30) is
 * there. */
static int read_top_dict(const cff_rd *r, size_t start, size_t end,
                         long *charset, long *charstrings, int *ros)
{
    long ops[48];
    int nops = 0;
    size_t i = start;
    while (i < end) {
        unsigned b0 = r->p[i];
        long v = 0;
        if (b0 <= 21) { /* operator */
            unsigned op = b0;
            if (b0 == 12) {
                if (i + 1 >= end)
                    return 0;
                op = 1200 + r->p[i + 1];
                i++;
            }
            if (op == 15 && nops > 0)
                *charset = ops[0];
            else if (op == 17 && nops > 0)
                *charstrings = ops[0];
            else if (op == 1230)
                *ros = 1;
            nops = 0;
            i++;
            continue;
        }
        if (!read_operand(r, &i, end, &v))
            return 0;
        if (nops < (int)(sizeof ops / sizeof ops[0]))
            ops[nops++] = v;
    }
    return 1;
}

fo_status fo_pdf_cff_charset(const unsigned char *cff, size_t len,
                             int *cid_keyed, uint32_t **cids, unsigned *nglyphs)
{
    cff_rd r = {cff, len};
    *cids = NULL;
    *nglyphs = 0;
    *cid_keyed = 0;
    uint32_t hdr;
    if (!get_u(&r, 2, 1, &hdr) || hdr < 4)
        return FO_ERR_INPUT;
    size_t at = hdr;
    cff_index names, top, strings, charstr;
    size_t ts, te;
    long charset = 0, cs_off = -1;
    int ros = 0;
    if (!read_index(&r, &at, &names) || !read_index(&r, &at, &top) ||
        !read_index(&r, &at, &strings) || !index_item(&r, &top, 0, &ts, &te) ||
        !read_top_dict(&r, ts, te, &charset, &cs_off, &ros) || cs_off <= 0 ||
        (size_t)cs_off >= len)
        return FO_ERR_INPUT;
    at = (size_t)cs_off;
    if (!read_index(&r, &at, &charstr) || charstr.count == 0)
        return FO_ERR_INPUT;
    unsigned n = charstr.count;
    uint32_t *map = fo_xcalloc(n, sizeof *map);
    *cid_keyed = ros;
    if (!ros) {
        /* Name-keyed: the reader takes the code as the glyph index. */
        for (unsigned g = 0; g < n; g++)
            map[g] = g;
    } else if (charset <= 2) {
        /* The predefined charsets are for name-keyed fonts only. */
        free(map);
        return FO_ERR_INPUT;
    } else {
        size_t p = (size_t)charset;
        uint32_t fmt;
        unsigned g = 1;
        if (!get_u(&r, p, 1, &fmt) || fmt > 2) {
            free(map);
            return FO_ERR_INPUT;
        }
        p++;
        while (g < n) {
            uint32_t first, left = 0;
            if (!get_u(&r, p, 2, &first) ||
                (fmt == 1 && !get_u(&r, p + 2, 1, &left)) ||
                (fmt == 2 && !get_u(&r, p + 2, 2, &left))) {
                free(map);
                return FO_ERR_INPUT;
            }
            p += fmt == 0 ? 2 : fmt == 1 ? 3 : 4;
            for (uint32_t k = 0; k <= left && g < n; k++)
                map[g++] = first + k;
        }
    }
    *cids = map;
    *nglyphs = n;
    return FO_OK;
}
