/* The PDF renderer: a fo_dl_doc in, a PDF file out.
 *
 * libharu writes the document structure (objects, pages, compression,
 * outline, annotations, info, xref); the text does not go through its text
 * API. Its TrueType path keys glyphs by Unicode, truncates widths and writes
 * a malformed ToUnicode, so each font the layout used is embedded here as a
 * Type0 / CIDFontType2 font whose CIDs are the glyph ids in the display list
 * ("emitter D" of the Pango/libharu findings): the face is subset with
 * hb-subset (RETAIN_GIDS, so CID = GID stays valid), widths come from the
 * font itself, and the ToUnicode maps each glyph to the text of the cluster
 * it showed. Page content is written raw: one TJ array per glyph run, with a
 * position adjustment only where Pango's pen and the PDF pen drift apart.
 *
 * Text extraction: a glyph whose occurrence does not match the glyph's
 * ToUnicode entry (a cluster of several glyphs, a glyph shared by two
 * characters, the hyphen that layout inserted at a line break) is wrapped in
 * a /Span with /ActualText, so copy and search give exactly the source text.
 *
 * Images: each fo_dl_doc image becomes one image XObject (pdf_image.c),
 * made on its first use however often it is drawn, its samples made only
 * while the file is saved. Each placement is `q [re W n] cm /Im Do Q`, the
 * matrix applying the EXIF orientation.
 *
 * Determinism: no time, random or pointer value reaches the file; dates come
 * from opts->epoch, the subset tag from a hash of the glyph set, numbers are
 * formatted without the C locale. Two runs give the same bytes.
 *
 * The file is saved under a temporary name and renamed into place; on any
 * failure the temporary file is removed and the target is left untouched. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "pdf_private.h"

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_doc.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A page's content stream grows with its input; past this it is an error. */
#define MAX_CONTENT ((size_t)256 * 1024 * 1024)
/* Deflate level (libdeflate) of page content (text operators, deflated as each
 * page is written). Measured on the benchmark's 198 pages (docs/benchmark.md):
 * level 1 instead of 6 saves about 0.3 s of 2.1 and makes the content 8 %
 * larger. SCREEN, a file for downloading whose content is most of its
 * size, keeps 6; PRINT and ARCHIVE, whose size is their images', take 1
 * (the archive file grew by 0.5 %). */
#define CONTENT_ZLEVEL_SCREEN 6
#define CONTENT_ZLEVEL 1
/* Pen drift (pt) tolerated before a TJ adjustment is written. */
#define DRIFT_EPS 0.001
/* bfchar entries per block: the CMap format allows at most 100. */
#define BFCHAR_BLOCK 100
/* A ToUnicode target longer than this (UTF-16 units) is cut: the CMap
 * format limits a destination string to 512 bytes. */
#define MAX_MAP_UNITS 256

/* ---- output buffer with a sticky status ----------------------------- */

/* Every content write goes through here; after the first failure the
 * rest are no-ops and the status is checked once at the end. */
typedef struct out {
    fo_buf b;
    fo_status st;
} out;

static void outs(out *o, const char *s)
{
    if (o->st == FO_OK)
        o->st = fo_buf_puts(&o->b, s);
}

/* v as four uppercase hex digits (a glyph id, a UTF-16 unit). */
static void outx(out *o, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char t[5] = {hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                 hex[v & 15], 0};
    outs(o, t);
}

/* v rounded to dec decimals (0..5). */
static double round_to(double v, int dec)
{
    static const double scale[] = {1, 10, 100, 1000, 10000, 100000};
    return (double)llround(v * scale[dec]) / scale[dec];
}

/* Formats v with at most dec decimals, trailing zeros trimmed. Integer
 * formatting only: a host program may have set LC_NUMERIC to a locale
 * whose printf("%f") writes a decimal comma, which is not PDF. */
void fo_pdf_num(char *buf, size_t size, double v, int dec)
{
    static const long long scale[] = {1, 10, 100, 1000, 10000, 100000};
    long long q = llround(v * (double)scale[dec]);
    unsigned long long a =
        q < 0 ? 0ull - (unsigned long long)q : (unsigned long long)q;
    unsigned long long ip = a / (unsigned long long)scale[dec];
    unsigned long long fp = a % (unsigned long long)scale[dec];
    const char *sign = q < 0 ? "-" : "";
    if (fp == 0) {
        (void)snprintf(buf, size, "%s%llu", sign, ip);
        return;
    }
    int n = snprintf(buf, size, "%s%llu.%0*llu", sign, ip, dec, fp);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = 0;
}

static void outn(out *o, double v, int dec)
{
    char tmp[64];
    fo_pdf_num(tmp, sizeof tmp, v, dec);
    outs(o, tmp);
}

/* UTF-8 → UTF-16BE as hex digits (no BOM), at most max_units units. */
static void out_utf16_hex(out *o, const char *s, size_t n, int max_units)
{
    int units = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)fo_utf8_decode(s + i, n - i, &cp);
        if (cp >= 0x10000) {
            if (units + 2 > max_units)
                break;
            cp -= 0x10000;
            outx(o, 0xD800 + (unsigned)(cp >> 10));
            outx(o, 0xDC00 + (unsigned)(cp & 0x3FF));
            units += 2;
        } else {
            if (units + 1 > max_units)
                break;
            outx(o, (unsigned)cp);
            units++;
        }
    }
}

/* UTF-8 → UTF-16BE bytes with a BOM, the PDF "text string" form that
 * every reader understands; caller frees. */
static unsigned char *utf16be_bom(const char *s, size_t n, size_t *len)
{
    unsigned char *p = fo_xmalloc(2 + 4 * n);
    size_t o = 0;
    p[o++] = 0xFE;
    p[o++] = 0xFF;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)fo_utf8_decode(s + i, n - i, &cp);
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10),
                     lo = 0xDC00 + (v & 0x3FF);
            p[o++] = (unsigned char)(hi >> 8);
            p[o++] = (unsigned char)hi;
            p[o++] = (unsigned char)(lo >> 8);
            p[o++] = (unsigned char)lo;
        } else {
            p[o++] = (unsigned char)(cp >> 8);
            p[o++] = (unsigned char)cp;
        }
    }
    *len = o;
    return p;
}

/* ---- renderer state ------------------------------------------------- */

/* One fo_dl_font: its HarfBuzz face, the glyphs the document uses, their
 * ToUnicode text and the PDF font built from them. */
typedef struct font_state {
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
    unsigned nglyphs;
    unsigned upem;
    unsigned char *used; /* per gid */
    /* Per gid: the text of the first single-glyph cluster that showed it
     * (the ToUnicode entry), else a fallback candidate (first glyph of a
     * multi-glyph cluster, the inserted hyphen). Malloc'd, may be NULL. */
    char **text, **cand;
    size_t *text_len, *cand_len;
    double *width; /* per gid, 1/1000 em, rounded as written in /W */
    /* CFF outlines ('CFF ' table): embedded as CIDFontType0C, whose
     * glyphs a reader finds by CID through the subset's charset. */
    int cff;
    /* Per gid: the code (CID) the content stream writes for it, known
     * before the subset is made (pages are written as they come): a
     * CID-keyed CFF's own CIDs, which hb-subset keeps; NULL when the code
     * is the gid (TrueType with CIDToGIDMap /Identity, and a name-keyed
     * CFF, subset with its glyph ids kept). subset_cff checks the subset
     * agrees. */
    uint32_t *code;
    /* The Type0 font the pages name; filled by build_font at the end. */
    HPDF_Dict type0;
} font_state;

/* An anchor met on a page: its destination, and what the outline needs.
 * Strings are copies: the page may be released once it is written. */
typedef struct anchor_ref {
    char *name;
    size_t order; /* document order (page, then op), for the outline and
                     to keep the first of duplicate names */
    int level;    /* outline level 1..3, 0 = not in the outline */
    char *title;
    HPDF_Destination dest;
} anchor_ref;

/* An internal link, made when every destination exists (finish). */
typedef struct pending_link {
    size_t page;
    HPDF_Rect rect;
    char *dest;
} pending_link;

typedef struct pdf_ctx {
    const fo_dl_doc *doc;
    const fo_pdf_opts *opts;
    fo_diags *d;
    HPDF_Doc pdf;
    int lib_failed;
    HPDF_STATUS hpdf_error, hpdf_detail; /* first error libharu reported */
    int input_errors;
    font_state *fonts;
    size_t nfonts;    /* fonts[] entries: grows with doc->nfonts */
    HPDF_Page *pages; /* made in page order, up to the highest written */
    size_t npages, pages_cap;
    unsigned char *written; /* per page made: its content is written */
    anchor_ref *anchors;
    size_t nanchors, anchors_cap;
    pending_link *links;
    size_t nlinks, links_cap;
    int noutline;
    uint64_t id[2];    /* content hash for the trailer's /ID */
    uint32_t *scratch; /* sorted cluster offsets of the current run */
    size_t scratch_cap;
    HPDF_Image *images;  /* per fo_dl_doc image, embedded on first use */
    size_t nimages;      /* images[] entries: grows with doc->nimages */
    fo_pdf_images *imgs; /* their samples, made while saving */
    /* Output profile: PRINT translates every page by off (bleed + slug)
     * inside a larger MediaBox and writes colours as CMYK. */
    fo_profile profile;
    double off;
    fo_cms *cms;
    char *path; /* where finish writes the file */
} pdf_ctx;

struct fo_pdf_writer {
    pdf_ctx c;
    fo_status st; /* the first failure: every later call returns it */
};

static const fo_pos nopos = {NULL, 0, 0};

/* libharu reports here first; the failing call's CHECK then writes one
 * diagnostic naming both the call and libharu's error code. */
static void error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                          void *user_data)
{
    pdf_ctx *c = user_data;
    if (!c->hpdf_error) {
        c->hpdf_error = error_no;
        c->hpdf_detail = detail_no;
    }
}

/* Records a failed libharu call; the first failure stops the render. */
static int lib_fail(pdf_ctx *c, const char *what)
{
    if (!c->lib_failed) {
        if (c->hpdf_error)
            fo_error(c->d, nopos, "libharu error 0x%04X (detail %u) in %s",
                     (unsigned)c->hpdf_error, (unsigned)c->hpdf_detail, what);
        else
            fo_error(c->d, nopos, "libharu failed in %s", what);
    }
    c->lib_failed = 1;
    return -1;
}

#define CHECK(c, call)                                                         \
    do {                                                                       \
        if ((call) != HPDF_OK) {                                               \
            lib_fail((c), #call);                                              \
            goto out;                                                          \
        }                                                                      \
    } while (0)

#define CHECK_PTR(c, p, what)                                                  \
    do {                                                                       \
        if (!(p)) {                                                            \
            lib_fail((c), (what));                                             \
            goto out;                                                          \
        }                                                                      \
    } while (0)

/* Feeds bytes into the document's /ID: two FNV-1a hashes with different
 * seeds over everything that makes the file (fonts, content, metadata),
 * so the ID is stable for the same input and changes with any change. */
static void hash_bytes(pdf_ctx *c, const void *p, size_t n)
{
    c->id[0] = fo_hash(c->id[0], p, n);
    c->id[1] = fo_hash(c->id[1], p, n);
    c->id[1] ^= c->id[1] >> 29; /* keep the two halves apart */
}

static void hash_str(pdf_ctx *c, const char *s)
{
    if (s)
        hash_bytes(c, s, strlen(s) + 1);
    else
        hash_bytes(c, "", 1);
}

/* trailer /ID [<id> <id>]: PDF/X and some tools want one; libharu writes
 * one only for encrypted files. */
static fo_status set_id(pdf_ctx *c)
{
    unsigned char id[16];
    for (int i = 0; i < 16; i++)
        id[i] = (unsigned char)(c->id[i / 8] >> (8 * (i % 8)));
    HPDF_Array arr = HPDF_Array_New(c->pdf->mmgr);
    CHECK_PTR(c, arr, "ID array");
    CHECK(c, HPDF_Dict_Add(c->pdf->trailer, "ID", arr));
    for (int i = 0; i < 2; i++) {
        HPDF_Binary b = HPDF_Binary_New(c->pdf->mmgr, id, sizeof id);
        CHECK_PTR(c, b, "ID string");
        CHECK(c, HPDF_Array_Add(arr, b));
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* ---- clusters -------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the run's cluster offsets into c->scratch; returns their count. */
static size_t sort_clusters(pdf_ctx *c, const fo_dl_glyphs *g)
{
    fo_grow((void **)&c->scratch, sizeof *c->scratch, &c->scratch_cap,
            (size_t)g->n + 1);
    for (int i = 0; i < g->n; i++)
        c->scratch[i] = g->glyphs[i].cluster;
    qsort(c->scratch, (size_t)g->n, sizeof *c->scratch, cmp_u32);
    return (size_t)g->n;
}

/* The text of the cluster at byte offset cl: up to the next larger cluster
 * offset of the run, or the run's end (dlist.h's rule). */
static void cluster_text(const pdf_ctx *c, size_t ns, const fo_dl_glyphs *g,
                         uint32_t cl, const char **s, size_t *len)
{
    size_t lo = 0, hi = ns;
    while (lo < hi) { /* first offset > cl */
        size_t mid = (lo + hi) / 2;
        if (c->scratch[mid] <= cl)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo < ns ? c->scratch[lo] : g->text_len;
    if (end > g->text_len)
        end = g->text_len;
    size_t start = cl < end ? cl : end;
    *s = g->text + start;
    *len = end - start;
}

/* Glyphs [i, *j) form one cluster. The inserted hyphen (last glyph of a
 * run marked hyphen) is always a cluster of its own. */
static int cluster_end(const fo_dl_glyphs *g, int i)
{
    if (g->hyphen && i == g->n - 1)
        return i + 1;
    int j = i + 1;
    while (j < g->n && g->glyphs[j].cluster == g->glyphs[i].cluster &&
           !(g->hyphen && j == g->n - 1))
        j++;
    return j;
}

static int is_inserted_hyphen(const fo_dl_glyphs *g, int i)
{
    return g->hyphen && i == g->n - 1;
}

static int starts_with_mark(const char *s, size_t n)
{
    uint32_t cp;
    if (n == 0)
        return 0;
    fo_utf8_decode(s, n, &cp);
    return hb_unicode_general_category(hb_unicode_funcs_get_default(), cp) ==
           HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK;
}

/* An extraction unit: a cluster plus the clusters after it that hold only
 * combining marks (Pango gives a mark without a precomposed form a cluster
 * of its own). Readers that see the mark as a separate character set it
 * apart ("q ̣"), so the unit gets one ActualText. Returns the unit's end
 * and its text in *s, *len. */
static int unit_end(const pdf_ctx *c, size_t ns, const fo_dl_glyphs *g, int i,
                    const char **s, size_t *len)
{
    int j = cluster_end(g, i);
    const char *t;
    size_t tl;
    cluster_text(c, ns, g, g->glyphs[i].cluster, &t, &tl);
    const char *lo = t, *hi = t + tl;
    while (j < g->n && !is_inserted_hyphen(g, j)) {
        cluster_text(c, ns, g, g->glyphs[j].cluster, &t, &tl);
        if (!starts_with_mark(t, tl))
            break;
        lo = t < lo ? t : lo;
        hi = t + tl > hi ? t + tl : hi;
        j = cluster_end(g, j);
    }
    *s = lo;
    *len = (size_t)(hi - lo);
    return j;
}

/* What the inserted hyphen extracts as. Tested with pdftotext 22.12:
 * an ActualText of U+002D makes poppler's dehyphenation join the line
 * break ("docu-" + "ment" gives "document"); an empty ActualText gives
 * "docu\nment", and U+00AD or U+2010 are not recognised as hyphens. */
static const char hyphen_text[] = "-";

static int same_text(const char *a, size_t an, const char *b, size_t bn)
{
    return a && an == bn && memcmp(a, b, an) == 0;
}

/* ---- which glyphs each font needs, and their text --------------------- */

static unsigned code_of(const font_state *fs, unsigned gid);
static HPDF_Dict new_dict(pdf_ctx *c);

static fo_status font_open(pdf_ctx *c, int idx)
{
    font_state *fs = &c->fonts[idx];
    const fo_dl_font *f = &c->doc->fonts[idx];
    if (fs->face)
        return FO_OK;
    fs->blob = hb_blob_create_from_file_or_fail(f->file);
    if (!fs->blob) {
        fo_error(c->d, nopos, "%s: cannot read the font", f->file);
        return FO_ERR_IO;
    }
    fs->face = hb_face_create(fs->blob, (unsigned)f->index);
    fs->nglyphs = hb_face_get_glyph_count(fs->face);
    fs->upem = hb_face_get_upem(fs->face);
    if (fs->nglyphs == 0 || fs->upem == 0) {
        fo_error(c->d, nopos, "%s: face %d is not a usable font", f->file,
                 f->index);
        return FO_ERR_INPUT;
    }
    hb_blob_t *cff2 =
        hb_face_reference_table(fs->face, HB_TAG('C', 'F', 'F', '2'));
    unsigned cff2_len = hb_blob_get_length(cff2);
    hb_blob_destroy(cff2);
    if (cff2_len > 0) {
        fo_error(c->d, nopos,
                 "%s: face %d has CFF2 (variable) outlines, which a PDF "
                 "cannot embed; use a static instance",
                 f->file, f->index);
        return FO_ERR_INPUT;
    }
    hb_blob_t *cff =
        hb_face_reference_table(fs->face, HB_TAG('C', 'F', 'F', ' '));
    unsigned cff_len = 0;
    const char *cff_data = hb_blob_get_data(cff, &cff_len);
    fs->cff = cff_len > 0;
    if (fs->cff) {
        int cid_keyed = 0;
        uint32_t *cids = NULL;
        unsigned ncids = 0;
        if (fo_pdf_cff_charset((const unsigned char *)cff_data, cff_len,
                               &cid_keyed, &cids, &ncids) != FO_OK ||
            ncids != fs->nglyphs) {
            hb_blob_destroy(cff);
            free(cids);
            fo_error(c->d, nopos, "%s: face %d: its CFF table cannot be read",
                     f->file, f->index);
            return FO_ERR_INPUT;
        }
        if (cid_keyed)
            fs->code = cids;
        else
            free(cids);
    }
    hb_blob_destroy(cff);
    fs->font = hb_font_create(fs->face); /* scale = upem: font units */
    fs->used = fo_xcalloc(fs->nglyphs, 1);
    fs->text = fo_xcalloc(fs->nglyphs, sizeof *fs->text);
    fs->cand = fo_xcalloc(fs->nglyphs, sizeof *fs->cand);
    fs->text_len = fo_xcalloc(fs->nglyphs, sizeof *fs->text_len);
    fs->cand_len = fo_xcalloc(fs->nglyphs, sizeof *fs->cand_len);
    fs->width = fo_xcalloc(fs->nglyphs, sizeof *fs->width);
    fs->type0 = new_dict(c);
    if (!fs->type0) {
        lib_fail(c, "Type0 font");
        return FO_ERR_LIBRARY;
    }
    return FO_OK;
}

static void font_close(font_state *fs)
{
    if (fs->text)
        for (unsigned i = 0; i < fs->nglyphs; i++) {
            free(fs->text[i]);
            free(fs->cand[i]);
        }
    free(fs->text);
    free(fs->cand);
    free(fs->text_len);
    free(fs->cand_len);
    free(fs->width);
    free(fs->code);
    free(fs->used);
    hb_font_destroy(fs->font);
    hb_face_destroy(fs->face);
    hb_blob_destroy(fs->blob);
}

static void set_once(char **slot, size_t *slot_len, const char *s, size_t n)
{
    if (*slot)
        return;
    *slot = fo_xstrndup(s, n);
    *slot_len = n;
}

static fo_status collect_run(pdf_ctx *c, const fo_dl_glyphs *g)
{
    if (g->font < 0 || (size_t)g->font >= c->doc->nfonts) {
        fo_error(c->d, nopos, "glyph run with unknown font %d", g->font);
        return FO_ERR_INPUT;
    }
    fo_status st = font_open(c, g->font);
    if (st != FO_OK)
        return st;
    font_state *fs = &c->fonts[g->font];
    size_t ns = sort_clusters(c, g);
    for (int i = 0; i < g->n;) {
        int j = cluster_end(g, i);
        for (int k = i; k < j; k++)
            if (g->glyphs[k].gid >= fs->nglyphs) {
                fo_error(c->d, nopos, "glyph %u is not in font %s",
                         (unsigned)g->glyphs[k].gid,
                         c->doc->fonts[g->font].name);
                return FO_ERR_INPUT;
            }
        uint32_t gid = g->glyphs[i].gid;
        for (int k = i; k < j; k++) {
            uint32_t u = g->glyphs[k].gid;
            if (fs->used[u])
                continue;
            fs->used[u] = 1;
            /* in 1/1000 em, rounded to what /W will say, so that the pen
             * the emitter tracks is the pen every reader computes */
            fs->width[u] = round_to(hb_font_get_glyph_h_advance(fs->font, u) *
                                        1000.0 / fs->upem,
                                    3);
        }
        if (is_inserted_hyphen(g, i)) {
            set_once(&fs->cand[gid], &fs->cand_len[gid], hyphen_text,
                     strlen(hyphen_text));
        } else {
            const char *s;
            size_t n;
            cluster_text(c, ns, g, g->glyphs[i].cluster, &s, &n);
            if (j - i == 1)
                set_once(&fs->text[gid], &fs->text_len[gid], s, n);
            else
                set_once(&fs->cand[gid], &fs->cand_len[gid], s, n);
        }
        i = j;
    }
    return FO_OK;
}

/* ---- fonts ----------------------------------------------------------- */

static int16_t be16s(const char *p)
{
    return (int16_t)(uint16_t)(((unsigned char)p[0] << 8) |
                               (unsigned char)p[1]);
}

static uint16_t be16u(const char *p)
{
    return (uint16_t)(((unsigned char)p[0] << 8) | (unsigned char)p[1]);
}

/* The subset tag: six capitals from a hash of the font and its glyph set,
 * so that different subsets of one font get different names (readers may
 * cache fonts by name) and the same input always gets the same tag. */
static void subset_tag(const font_state *fs, const char *name, char tag[7])
{
    /* the seed that this tag has always had (not FNV's own basis: tags,
     * hence the PDFs, stay as they were) */
    uint64_t h = fo_hash(1469598103934665603ull, name, strlen(name));
    for (unsigned gid = 0; gid < fs->nglyphs; gid++) {
        if (!fs->used[gid])
            continue;
        const unsigned char b[4] = {gid & 0xFF, (gid >> 8) & 0xFF,
                                    (gid >> 16) & 0xFF, (gid >> 24) & 0xFF};
        h = fo_hash(h, b, sizeof b);
    }
    for (int i = 0; i < 6; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[6] = 0;
}

/* A PDF name from a PostScript name: keep the safe characters. */
static void safe_name(const char *in, char *outp, size_t size)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
                 ch == '.' || ch == '+';
        outp[o++] = ok ? (char)ch : '-';
    }
    outp[o] = 0;
}

/* The CFF subset: the glyphs are renumbered (RETAIN_GIDS would keep an
 * empty charstring for each of the 65,535 glyphs of a CJK font: about
 * 140 KB compressed per font, measured in tests/cli/lang_cjk.sh), and each
 * used gid gets as its code the CID the subset's charset gives its new
 * glyph (hb-subset keeps the original CIDs of a CID-keyed font), so that
 * poppler, MuPDF and Ghostscript, which all look glyphs up by CID, find
 * it. Returns the bare 'CFF ' table (FontFile3 /CIDFontType0C), or NULL
 * with *why set. */
static hb_blob_t *subset_cff(font_state *fs, hb_subset_input_t *in,
                             const char **why)
{
    hb_blob_t *table = NULL;
    uint32_t *cids = NULL;
    unsigned ncids = 0;
    int cid_keyed = 0;
    *why = "hb-subset failed";
    hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(fs->face, in);
    hb_face_t *sub = plan ? hb_subset_plan_execute_or_fail(plan) : NULL;
    if (!sub)
        goto out;
    table = hb_face_reference_table(sub, HB_TAG('C', 'F', 'F', ' '));
    unsigned len = 0;
    const char *data = hb_blob_get_data(table, &len);
    if (!data || len == 0 ||
        fo_pdf_cff_charset((const unsigned char *)data, len, &cid_keyed, &cids,
                           &ncids) != FO_OK) {
        *why = "the subset's CFF table cannot be read";
        hb_blob_destroy(table);
        table = NULL;
        goto out;
    }
    /* The pages already name each glyph by its code (font_state.code):
     * the subset must give every used glyph that code. */
    const hb_map_t *o2n = hb_subset_plan_old_to_new_glyph_mapping(plan);
    for (unsigned g = 0; g < fs->nglyphs; g++) {
        if (!fs->used[g])
            continue;
        hb_codepoint_t ng = hb_map_get(o2n, g);
        if (ng == HB_MAP_VALUE_INVALID || ng >= ncids ||
            cids[ng] != code_of(fs, g)) {
            *why = ng == HB_MAP_VALUE_INVALID || ng >= ncids
                       ? "a glyph is missing from the subset"
                       : "the subset changed a glyph's CID";
            hb_blob_destroy(table);
            table = NULL;
            goto out;
        }
    }
out:
    free(cids);
    hb_face_destroy(sub);
    hb_subset_plan_destroy(plan);
    return table;
}

/* The code the content stream, /W and the ToUnicode use for gid. */
static unsigned code_of(const font_state *fs, unsigned gid)
{
    return fs->code ? fs->code[gid] : gid;
}

/* The subset font program: used glyphs (and .notdef), without the layout
 * tables a PDF never reads. TrueType keeps the original ids (CID = GID,
 * CIDToGIDMap /Identity); CFF goes through subset_cff. NULL with *why set
 * on failure. */
static hb_blob_t *subset_font(font_state *fs, const char **why)
{
    static const hb_tag_t drop[] = {
        HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'),
        HB_TAG('G', 'D', 'E', 'F'), HB_TAG('B', 'A', 'S', 'E'),
        HB_TAG('J', 'S', 'T', 'F'), HB_TAG('M', 'A', 'T', 'H'),
        HB_TAG('k', 'e', 'r', 'n'), HB_TAG('D', 'S', 'I', 'G'),
        HB_TAG('m', 'o', 'r', 'x'), HB_TAG('k', 'e', 'r', 'x'),
        HB_TAG('S', 'T', 'A', 'T'), HB_TAG('m', 'e', 't', 'a'),
    };
    *why = "hb-subset failed";
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in)
        return NULL;
    hb_set_t *glyphs = hb_subset_input_glyph_set(in);
    hb_set_add(glyphs, 0);
    for (unsigned gid = 0; gid < fs->nglyphs; gid++)
        if (fs->used[gid])
            hb_set_add(glyphs, gid);
    hb_set_t *tables = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        hb_set_add(tables, drop[i]);
    /* No TrueType hinting: the PNG preview and poppler render unhinted,
     * and a print RIP works at resolutions where hints do nothing. It
     * makes the font program about 40 % smaller. */
    if (fs->cff) {
        /* a name-keyed CFF keeps its glyph ids, which are its codes */
        hb_subset_input_set_flags(
            in, HB_SUBSET_FLAGS_NO_HINTING |
                    (fs->code ? 0u : HB_SUBSET_FLAGS_RETAIN_GIDS));
        hb_blob_t *cff = subset_cff(fs, in, why);
        hb_subset_input_destroy(in);
        return cff;
    }
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_RETAIN_GIDS |
                                      HB_SUBSET_FLAGS_NO_HINTING);
    hb_face_t *sub = hb_subset_or_fail(fs->face, in);
    hb_subset_input_destroy(in);
    if (!sub)
        return NULL;
    hb_blob_t *blob = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    return blob;
}

/* Adds value under key of dict as an integer when it is one, else as a
 * real (libharu's HPDF_REAL is a float: 7 digits, enough for metrics). */
static HPDF_STATUS dict_add_num(HPDF_Dict dict, const char *key, double v)
{
    if (v == floor(v) && fabs(v) < 2e9)
        return HPDF_Dict_AddNumber(dict, key, (HPDF_INT32)v);
    return HPDF_Dict_AddReal(dict, key, (HPDF_REAL)v);
}

static HPDF_STATUS array_add_num(HPDF_Array arr, double v)
{
    if (v == floor(v) && fabs(v) < 2e9)
        return HPDF_Array_AddNumber(arr, (HPDF_INT32)v);
    return HPDF_Array_AddReal(arr, (HPDF_REAL)v);
}

/* New indirect objects; NULL on failure (libharu frees the object). */
static HPDF_Dict new_dict(pdf_ctx *c)
{
    HPDF_Dict d = HPDF_Dict_New(c->pdf->mmgr);
    if (d && HPDF_Xref_Add(c->pdf->xref, d) != HPDF_OK)
        return NULL;
    return d;
}

static HPDF_Dict new_stream(pdf_ctx *c, int flate)
{
    HPDF_Dict d = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
    if (d && flate)
        d->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    return d;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A used glyph by its code. */
typedef struct coded {
    unsigned code, gid;
} coded;

static int cmp_coded(const void *a, const void *b)
{
    const coded *x = a, *y = b;
    return (x->code > y->code) - (x->code < y->code);
}

/* The used glyphs sorted by code (malloc'd, *n of them). */
static coded *used_by_code(const font_state *fs, size_t *n)
{
    coded *v = fo_xmalloc(sizeof *v * (fs->nglyphs ? fs->nglyphs : 1));
    size_t k = 0;
    for (unsigned g = 0; g < fs->nglyphs; g++)
        if (fs->used[g])
            v[k++] = (coded){code_of(fs, g), g};
    qsort(v, k, sizeof *v, cmp_coded);
    *n = k;
    return v;
}

/* The /W array: runs of consecutive used gids "c [w1 w2 …]", leaving out
 * the glyphs whose width is the default *dw (the most common width). */
static HPDF_Array width_array(pdf_ctx *c, font_state *fs, double *dw)
{
    /* The most frequent width among used glyphs (smallest on ties). */
    double *ws = fo_xmalloc(sizeof *ws * fs->nglyphs);
    size_t nw = 0;
    for (unsigned g = 0; g < fs->nglyphs; g++)
        if (fs->used[g])
            ws[nw++] = fs->width[g];
    qsort(ws, nw, sizeof *ws, cmp_double);
    double best = 1000;
    size_t best_n = 0;
    for (size_t i = 0; i < nw;) {
        size_t j = i;
        while (j < nw && ws[j] == ws[i])
            j++;
        if (j - i > best_n) {
            best = ws[i];
            best_n = j - i;
        }
        i = j;
    }
    free(ws);
    *dw = best;
    HPDF_Array w = HPDF_Array_New(c->pdf->mmgr);
    if (!w)
        return NULL;
    size_t n;
    coded *v = used_by_code(fs, &n);
    for (size_t i = 0; i < n;) {
        if (fs->width[v[i].gid] == best) {
            i++;
            continue;
        }
        HPDF_Array run = HPDF_Array_New(c->pdf->mmgr);
        if (!run || HPDF_Array_AddNumber(w, (HPDF_INT32)v[i].code) != HPDF_OK ||
            HPDF_Array_Add(w, run) != HPDF_OK) {
            free(v);
            return NULL;
        }
        unsigned next = v[i].code;
        for (; i < n && v[i].code == next && fs->width[v[i].gid] != best;
             i++, next++)
            if (array_add_num(run, fs->width[v[i].gid]) != HPDF_OK) {
                free(v);
                return NULL;
            }
    }
    free(v);
    return w;
}

/* The ToUnicode CMap: gid → UTF-16BE of the glyph's text, bfchar only
 * (Ghostscript 10.00 garbles wide bfrange entries), at most 100 a block. */
static fo_status tounicode_text(const font_state *fs, out *o)
{
    outs(o, "/CIDInit /ProcSet findresource begin\n12 dict begin\n"
            "begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
            "/Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n"
            "/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\n"
            "endcodespacerange\n");
    size_t nused, u = 0;
    coded *v = used_by_code(fs, &nused);
    for (;;) {
        unsigned batch[BFCHAR_BLOCK];
        int n = 0;
        for (; u < nused && n < BFCHAR_BLOCK; u++) {
            unsigned g = v[u].gid;
            const char *t = fs->text[g] ? fs->text[g] : fs->cand[g];
            if (t && t[0])
                batch[n++] = g;
        }
        if (n == 0)
            break;
        outn(o, n, 0);
        outs(o, " beginbfchar\n");
        for (int i = 0; i < n; i++) {
            unsigned gid = batch[i];
            const char *t = fs->text[gid] ? fs->text[gid] : fs->cand[gid];
            size_t tl = fs->text[gid] ? fs->text_len[gid] : fs->cand_len[gid];
            outs(o, "<");
            outx(o, code_of(fs, gid));
            outs(o, "> <");
            out_utf16_hex(o, t, tl, MAX_MAP_UNITS);
            outs(o, ">\n");
        }
        outs(o, "endbfchar\n");
    }
    free(v);
    outs(o, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
            "end\nend\n");
    return o->st;
}

/* Builds FontFile2 (TrueType) or FontFile3 (CFF), FontDescriptor,
 * CIDFontType2 or CIDFontType0, ToUnicode and Type0 for one used font;
 * fs->type0 is the result. */
static fo_status build_font(pdf_ctx *c, int idx)
{
    font_state *fs = &c->fonts[idx];
    const fo_dl_font *f = &c->doc->fonts[idx];
    fo_status st = FO_ERR_LIBRARY;
    hb_blob_t *sub = NULL, *head = NULL, *post = NULL, *os2 = NULL;
    out cm = {{0}, FO_OK};
    fo_buf_init(&cm.b, MAX_CONTENT);
    HPDF_MMgr mm = c->pdf->mmgr;
    double k = 1000.0 / fs->upem;

    const char *why = NULL;
    sub = subset_font(fs, &why);
    unsigned sub_len = 0;
    const char *sub_data = sub ? hb_blob_get_data(sub, &sub_len) : NULL;
    if (!sub_data || sub_len == 0) {
        fo_error(c->d, nopos, "%s: face %d: %s", f->file, f->index, why);
        goto out;
    }

    char tag[7], psname[100], fontname[110];
    subset_tag(fs, f->name, tag);
    safe_name(f->name, psname, sizeof psname);
    (void)snprintf(fontname, sizeof fontname, "%s+%s", tag, psname);

    hash_bytes(c, sub_data, sub_len);
    HPDF_Dict file = new_stream(c, 1);
    CHECK_PTR(c, file, "font file stream");
    CHECK(c, HPDF_Stream_Write(file->stream, (const HPDF_BYTE *)sub_data,
                               sub_len));
    if (fs->cff) /* PDF 1.3: a bare CFF program, so PDF/X-1a may have it */
        CHECK(c, HPDF_Dict_AddName(file, "Subtype", "CIDFontType0C"));
    else
        CHECK(c, HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)sub_len));

    /* Metrics from the font's own tables: head (bbox, macStyle), post
     * (italic angle, fixed pitch), OS/2 (weight) and hb_ot_metrics
     * (ascender, descender, cap height, which already pick OS/2 typo or
     * hhea values the way layout engines do). */
    double bbox[4] = {0, 0, 0, 0}, italic = 0;
    int fixed = 0, weight = 400;
    unsigned len;
    head = hb_face_reference_table(fs->face, HB_TAG('h', 'e', 'a', 'd'));
    const char *p = hb_blob_get_data(head, &len);
    if (p && len >= 54)
        for (int i = 0; i < 4; i++)
            bbox[i] = round_to(be16s(p + 36 + (ptrdiff_t)2 * i) * k, 0);
    post = hb_face_reference_table(fs->face, HB_TAG('p', 'o', 's', 't'));
    p = hb_blob_get_data(post, &len);
    if (p && len >= 16) {
        int32_t fx = (int32_t)(((uint32_t)be16u(p + 4) << 16) | be16u(p + 6));
        italic = round_to(fx / 65536.0, 2);
        fixed = be16u(p + 12) || be16u(p + 14);
    }
    os2 = hb_face_reference_table(fs->face, HB_TAG('O', 'S', '/', '2'));
    p = hb_blob_get_data(os2, &len);
    if (p && len >= 6)
        weight = be16u(p + 4);
    hb_position_t asc = 0, desc = 0, cap = 0;
    if (!hb_ot_metrics_get_position(
            fs->font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &asc))
        asc = (hb_position_t)(bbox[3] / k);
    if (!hb_ot_metrics_get_position(
            fs->font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &desc))
        desc = (hb_position_t)(bbox[1] / k);
    if (!hb_ot_metrics_get_position(fs->font, HB_OT_METRICS_TAG_CAP_HEIGHT,
                                    &cap) ||
        cap == 0)
        cap = asc;
    /* StemV is not stored in TrueType; readers use it only to synthesise
     * a substitute for a missing font, and ours is embedded. The usual
     * estimate from the weight class is good enough. */
    double stemv = round_to(50 + (weight / 65.0) * (weight / 65.0), 0);
    /* Symbolic (4): the glyphs are addressed by id, not by a standard
     * Latin encoding, which is what the flag tells readers. */
    int flags = 4 | (fixed ? 1 : 0) | (italic != 0 ? 64 : 0);

    HPDF_Dict desc_d = new_dict(c);
    CHECK_PTR(c, desc_d, "FontDescriptor");
    CHECK(c, HPDF_Dict_AddName(desc_d, "Type", "FontDescriptor"));
    CHECK(c, HPDF_Dict_AddName(desc_d, "FontName", fontname));
    CHECK(c, HPDF_Dict_AddNumber(desc_d, "Flags", flags));
    HPDF_Array bb = HPDF_Array_New(mm);
    CHECK_PTR(c, bb, "FontBBox");
    CHECK(c, HPDF_Dict_Add(desc_d, "FontBBox", bb));
    for (int i = 0; i < 4; i++)
        CHECK(c, array_add_num(bb, bbox[i]));
    CHECK(c, dict_add_num(desc_d, "ItalicAngle", italic));
    CHECK(c, dict_add_num(desc_d, "Ascent", round_to(asc * k, 0)));
    CHECK(c, dict_add_num(desc_d, "Descent", round_to(desc * k, 0)));
    CHECK(c, dict_add_num(desc_d, "CapHeight", round_to(cap * k, 0)));
    CHECK(c, dict_add_num(desc_d, "StemV", stemv));
    CHECK(c, HPDF_Dict_Add(desc_d, fs->cff ? "FontFile3" : "FontFile2", file));
    if (c->profile == FO_PROFILE_ARCHIVE) {
        /* PDF/A-1 wants a subset CIDFont's /CIDSet: one bit per CID
         * (= gid) in the subset, first CID in the high bit. */
        unsigned top = 0;
        for (unsigned g = 0; g < fs->nglyphs; g++)
            if (fs->used[g] && code_of(fs, g) > top)
                top = code_of(fs, g);
        size_t nb = top / 8 + 1;
        unsigned char *bits = fo_xcalloc(nb, 1);
        bits[0] = 0x80; /* .notdef is always in the subset */
        for (unsigned g = 0; g < fs->nglyphs; g++)
            if (fs->used[g]) {
                unsigned cd = code_of(fs, g);
                bits[cd / 8] |= (unsigned char)(0x80 >> (cd % 8));
            }
        HPDF_Dict set = new_stream(c, c->opts->compress);
        HPDF_STATUS hs =
            set ? HPDF_Stream_Write(set->stream, bits, (HPDF_UINT)nb)
                : HPDF_FAILD_TO_ALLOC_MEM;
        free(bits);
        CHECK(c, hs);
        CHECK(c, HPDF_Dict_Add(desc_d, "CIDSet", set));
    }

    HPDF_Dict cid = new_dict(c);
    CHECK_PTR(c, cid, "CIDFont");
    CHECK(c, HPDF_Dict_AddName(cid, "Type", "Font"));
    CHECK(c, HPDF_Dict_AddName(cid, "Subtype",
                               fs->cff ? "CIDFontType0" : "CIDFontType2"));
    CHECK(c, HPDF_Dict_AddName(cid, "BaseFont", fontname));
    HPDF_Dict sysinfo = HPDF_Dict_New(mm);
    CHECK_PTR(c, sysinfo, "CIDSystemInfo");
    CHECK(c, HPDF_Dict_Add(cid, "CIDSystemInfo", sysinfo));
    HPDF_String reg = HPDF_String_New(mm, "Adobe", NULL);
    CHECK_PTR(c, reg, "Registry");
    CHECK(c, HPDF_Dict_Add(sysinfo, "Registry", reg));
    HPDF_String ord = HPDF_String_New(mm, "Identity", NULL);
    CHECK_PTR(c, ord, "Ordering");
    CHECK(c, HPDF_Dict_Add(sysinfo, "Ordering", ord));
    CHECK(c, HPDF_Dict_AddNumber(sysinfo, "Supplement", 0));
    CHECK(c, HPDF_Dict_Add(cid, "FontDescriptor", desc_d));
    double dw;
    HPDF_Array w = width_array(c, fs, &dw);
    CHECK_PTR(c, w, "W array");
    CHECK(c, dict_add_num(cid, "DW", dw));
    CHECK(c, HPDF_Dict_Add(cid, "W", w));
    if (!fs->cff) /* CIDFontType0 has no such key: the charset maps */
        CHECK(c, HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity"));

    HPDF_Dict tu = new_stream(c, c->opts->compress);
    CHECK_PTR(c, tu, "ToUnicode stream");
    if (tounicode_text(fs, &cm) != FO_OK) {
        st = cm.st;
        fo_error(c->d, nopos, "ToUnicode CMap too large");
        goto out;
    }
    CHECK(c, HPDF_Stream_Write(tu->stream, (const HPDF_BYTE *)cm.b.data,
                               (HPDF_UINT)cm.b.len));

    HPDF_Dict t0 = fs->type0;
    CHECK(c, HPDF_Dict_AddName(t0, "Type", "Font"));
    CHECK(c, HPDF_Dict_AddName(t0, "Subtype", "Type0"));
    CHECK(c, HPDF_Dict_AddName(t0, "BaseFont", fontname));
    CHECK(c, HPDF_Dict_AddName(t0, "Encoding", "Identity-H"));
    HPDF_Array desc_fonts = HPDF_Array_New(mm);
    CHECK_PTR(c, desc_fonts, "DescendantFonts");
    CHECK(c, HPDF_Dict_Add(t0, "DescendantFonts", desc_fonts));
    CHECK(c, HPDF_Array_Add(desc_fonts, cid));
    CHECK(c, HPDF_Dict_Add(t0, "ToUnicode", tu));
    st = FO_OK;
out:
    fo_buf_free(&cm.b);
    hb_blob_destroy(sub);
    hb_blob_destroy(head);
    hb_blob_destroy(post);
    hb_blob_destroy(os2);
    return st;
}

/* ---- content --------------------------------------------------------- */

/* Graphics state already set in the page's content stream, to avoid
 * repeating operators. */
typedef struct page_state {
    const fo_dl_page *page;
    size_t index;
    HPDF_Page hp;
    const char **font_names; /* per font: resource name on this page */
    int in_text;
    int font;
    double size;
    int have_fill;
    fo_color fill;
    int cmyk; /* PRINT: colours as DeviceCMYK */
} page_state;

/* The colour operands and operator: the swatch's own CMYK values in the
 * print profile (so black, c = m = y = 0, is "0 0 0 1 k", K only), its
 * RGB values otherwise. op is the RGB operator ("rg" or "RG"). */
static void put_color(out *o, int cmyk, fo_color col, const char *op)
{
    const double v[4] = {cmyk ? col.c : col.r, cmyk ? col.m : col.g,
                         cmyk ? col.y : col.b, col.k};
    for (int i = 0; i < (cmyk ? 4 : 3); i++) {
        outn(o, v[i], 4);
        outs(o, " ");
    }
    if (cmyk)
        outs(o, op[0] == 'r' ? "k\n" : "K\n");
    else {
        outs(o, op);
        outs(o, "\n");
    }
}

/* The one place that writes a fill colour. */
static void set_fill(out *o, page_state *ps, fo_color col)
{
    if (ps->have_fill && ps->fill.r == col.r && ps->fill.g == col.g &&
        ps->fill.b == col.b && ps->fill.c == col.c && ps->fill.m == col.m &&
        ps->fill.y == col.y && ps->fill.k == col.k)
        return;
    put_color(o, ps->cmyk, col, "rg");
    ps->have_fill = 1;
    ps->fill = col;
}

/* Stroke colour: same model as set_fill. */
static void set_stroke(out *o, const page_state *ps, fo_color col)
{
    put_color(o, ps->cmyk, col, "RG");
}

static void end_text(out *o, page_state *ps)
{
    if (ps->in_text)
        outs(o, "ET\n");
    ps->in_text = 0;
}

/* A TJ array being written: closed, open after '[' or a number, or inside
 * a hex string (consecutive glyphs share one <…>). */
typedef enum { TJ_CLOSED, TJ_OPEN, TJ_HEX } tj_state;

static void tj_close(out *o, tj_state *t)
{
    if (*t == TJ_HEX)
        outs(o, ">");
    if (*t != TJ_CLOSED)
        outs(o, "]TJ\n");
    *t = TJ_CLOSED;
}

static void tj_open(out *o, tj_state *t)
{
    if (*t == TJ_CLOSED) {
        outs(o, "[");
        *t = TJ_OPEN;
    }
}

static void set_tm(out *o, double x, double y)
{
    outs(o, "1 0 0 1 ");
    outn(o, x, 4);
    outs(o, " ");
    outn(o, y, 4);
    outs(o, " Tm\n");
}

static void begin_span(out *o, tj_state *t, const char *s, size_t n)
{
    tj_close(o, t);
    outs(o, "/Span<</ActualText<FEFF");
    out_utf16_hex(o, s, n, MAX_MAP_UNITS);
    outs(o, ">>>BDC\n");
}

static void end_span(out *o, tj_state *t)
{
    tj_close(o, t);
    outs(o, "EMC\n");
}

/* One glyph run: Tm at its start, then one TJ array. Two pens are
 * tracked: Pango's (the display list) and the one a reader computes from
 * /W widths and the adjustments written so far; an adjustment is written
 * when they drift apart by more than DRIFT_EPS, so the error never grows
 * along a line. A glyph with a vertical offset (a GPOS-placed mark) gets
 * its own Tm, and the next glyph a Tm back on the baseline. */
static void emit_run(pdf_ctx *c, out *o, page_state *ps, const fo_dl_glyphs *g)
{
    font_state *fs = &c->fonts[g->font];
    double H = ps->page->height;
    if (g->n <= 0)
        return;
    if (!ps->in_text) {
        outs(o, "BT\n");
        ps->in_text = 1;
        ps->font = -1;
    }
    if (ps->font != g->font || ps->size != g->size) {
        outs(o, "/");
        outs(o, ps->font_names[g->font]);
        outs(o, " ");
        outn(o, g->size, 4);
        outs(o, " Tf\n");
        ps->font = g->font;
        ps->size = g->size;
    }
    set_fill(o, ps, g->color);
    /* Text in another language than the document's: a span with /Lang
     * (the tag was checked by the model: letters, digits, hyphens). */
    int lang_span = g->lang && g->lang[0] &&
                    !(c->doc->lang && strcmp(g->lang, c->doc->lang) == 0);
    if (lang_span) {
        outs(o, "/Span<</Lang(");
        outs(o, g->lang);
        outs(o, ")>>BDC\n");
    }

    size_t ns = sort_clusters(c, g);
    tj_state tj = TJ_CLOSED;
    double pen = g->x, pdfx = 0, cur_y = 0;
    int need_tm = 1;
    for (int i = 0; i < g->n;) {
        const char *s;
        size_t n;
        int j, span;
        if (is_inserted_hyphen(g, i)) {
            j = i + 1;
            s = hyphen_text;
            n = strlen(hyphen_text);
            span = 1;
        } else {
            j = unit_end(c, ns, g, i, &s, &n);
            uint32_t gid = g->glyphs[i].gid;
            span =
                j - i > 1 || !same_text(fs->text[gid], fs->text_len[gid], s, n);
        }
        if (span)
            begin_span(o, &tj, s, n);
        for (int k = i; k < j; k++) {
            const fo_dl_glyph *gl = &g->glyphs[k];
            double tx = pen + gl->x_offset, ty = g->y + gl->y_offset;
            if (need_tm || ty != cur_y) {
                tj_close(o, &tj);
                set_tm(o, tx, H - ty);
                pdfx = round_to(tx, 4);
                cur_y = ty;
                need_tm = 0;
            } else if (fabs(tx - pdfx) > DRIFT_EPS) {
                double adj = round_to(-(tx - pdfx) * 1000 / g->size, 3);
                tj_open(o, &tj);
                if (tj == TJ_HEX)
                    outs(o, ">");
                tj = TJ_OPEN;
                outn(o, adj, 3);
                pdfx -= adj * g->size / 1000;
            }
            tj_open(o, &tj);
            if (tj != TJ_HEX)
                outs(o, "<");
            tj = TJ_HEX;
            outx(o, code_of(fs, gl->gid));
            pdfx += fs->width[gl->gid] * g->size / 1000;
            pen += gl->x_advance;
        }
        if (span)
            end_span(o, &tj);
        i = j;
    }
    tj_close(o, &tj);
    if (lang_span)
        outs(o, "EMC\n");
}

static void emit_rect(out *o, page_state *ps, const fo_dl_rect *r)
{
    end_text(o, ps);
    set_fill(o, ps, r->color);
    outn(o, r->x, 4);
    outs(o, " ");
    outn(o, ps->page->height - r->y - r->h, 4);
    outs(o, " ");
    outn(o, r->w, 4);
    outs(o, " ");
    outn(o, r->h, 4);
    outs(o, " re f\n");
}

static void emit_line(out *o, page_state *ps, const fo_dl_line *l)
{
    double H = ps->page->height;
    end_text(o, ps);
    set_stroke(o, ps, l->color);
    outn(o, l->width, 4);
    outs(o, " w ");
    outn(o, l->x0, 4);
    outs(o, " ");
    outn(o, H - l->y0, 4);
    outs(o, " m ");
    outn(o, l->x1, 4);
    outs(o, " ");
    outn(o, H - l->y1, 4);
    outs(o, " l S\n");
}

/* ---- images ---------------------------------------------------------- */

/* The image XObject of doc image idx (pdf_image.c), made on its first use:
 * one per image however often it is drawn. Its file's fingerprint goes
 * into the /ID: the samples are made only while the file is saved. */
static HPDF_Image get_image(pdf_ctx *c, const fo_dl_image *use)
{
    int idx = use->image;
    /* every use: pdf_image.c keeps the largest placement */
    HPDF_Image img = fo_pdf_image_xobject(c->imgs, use);
    if (!img) {
        lib_fail(c, "making an image XObject");
        return NULL;
    }
    if (!c->images[idx]) {
        const fo_dl_image_src *src = &c->doc->images[idx];
        hash_str(c, src->path);
        hash_bytes(c, &src->info.hash, sizeof src->info.hash);
        c->images[idx] = img;
    }
    return img;
}

/* q [clip] cm /Im Do Q. The orientation matrix maps the stored image to
 * the shown one in the unit square (y down); composed with the PDF's
 * image space (unit square, first row at the top) and the box (y down on
 * the page, flipped here), the oriented image fills x, y, w, h. */
static fo_status emit_image(pdf_ctx *c, out *o, page_state *ps,
                            const fo_dl_image *im)
{
    if (im->image < 0 || (size_t)im->image >= c->doc->nimages) {
        fo_error(c->d, nopos, "image op with unknown image %d", im->image);
        c->input_errors++;
        return FO_OK;
    }
    HPDF_Image img = get_image(c, im);
    if (!img)
        return FO_ERR_LIBRARY;
    const char *name = HPDF_Page_GetXObjectName(ps->hp, img);
    if (!name) {
        lib_fail(c, "HPDF_Page_GetXObjectName");
        return FO_ERR_LIBRARY;
    }
    double H = ps->page->height, m[6];
    fo_image_orientation_matrix(c->doc->images[im->image].info.orientation, m);
    /* stored (p, q) in PDF image space: u = p, v = 1 - q */
    double cm[6] = {im->w * m[0],
                    -im->h * m[1],
                    -im->w * m[2],
                    im->h * m[3],
                    im->x + im->w * (m[2] + m[4]),
                    H - im->y - im->h * (m[3] + m[5])};
    end_text(o, ps);
    outs(o, "q\n");
    if (im->clip) {
        outn(o, im->cx, 4);
        outs(o, " ");
        outn(o, H - im->cy - im->ch, 4);
        outs(o, " ");
        outn(o, im->cw, 4);
        outs(o, " ");
        outn(o, im->ch, 4);
        outs(o, " re W n\n");
    }
    for (int i = 0; i < 6; i++) {
        outn(o, cm[i], 4);
        outs(o, " ");
    }
    outs(o, "cm /");
    outs(o, name);
    outs(o, " Do\nQ\n");
    return FO_OK;
}

/* ---- destinations and outline ---------------------------------------- */

static int cmp_anchor(const void *a, const void *b)
{
    const anchor_ref *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    return (x->order > y->order) - (x->order < y->order);
}

/* The destination named name (the first anchor of that name), or NULL. */
static HPDF_Destination find_dest(const pdf_ctx *c, const char *name)
{
    size_t lo = 0, hi = c->nanchors;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(c->anchors[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->nanchors && strcmp(c->anchors[lo].name, name) == 0)
        return c->anchors[lo].dest;
    return NULL;
}

/* Replaces key of dict by a UTF-16BE text string. libharu's own string
 * objects stop at the first NUL byte, so the bytes go in as a binary
 * (hex) string, which is an equally valid PDF string. */
static fo_status put_text(pdf_ctx *c, HPDF_Dict dict, const char *key,
                          const char *utf8)
{
    size_t n;
    unsigned char *u = utf16be_bom(utf8, strlen(utf8), &n);
    HPDF_Binary b = HPDF_Binary_New(c->pdf->mmgr, u, (HPDF_UINT)n);
    free(u);
    if (!b || HPDF_Dict_Add(dict, key, b) != HPDF_OK) {
        lib_fail(c, key);
        return FO_ERR_LIBRARY;
    }
    return FO_OK;
}

/* dst = [page /XYZ left top null]: null keeps the reader's zoom, which
 * HPDF_Destination_SetXYZ refuses (it wants 0.08..32), so the array is
 * written here. */
static HPDF_STATUS set_xyz(pdf_ctx *c, HPDF_Destination dst, HPDF_Page hp,
                           double left, double top)
{
    HPDF_Null null = HPDF_Null_New(c->pdf->mmgr);
    if (!null)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Array_Clear(dst);
    HPDF_STATUS s = HPDF_Array_Add(dst, hp);
    if (s == HPDF_OK)
        s = HPDF_Array_AddName(dst, "XYZ");
    if (s == HPDF_OK)
        s = HPDF_Array_AddReal(dst, (HPDF_REAL)left);
    if (s == HPDF_OK)
        s = HPDF_Array_AddReal(dst, (HPDF_REAL)top);
    if (s == HPDF_OK)
        s = HPDF_Array_Add(dst, null);
    else
        HPDF_Obj_Free(c->pdf->mmgr, null);
    return s;
}

/* Sets a page box (TrimBox, BleedBox); numbers rounded to 0.001 pt as
 * libharu writes reals. */
static HPDF_STATUS set_box(pdf_ctx *c, HPDF_Page hp, const char *key, double l,
                           double b, double r, double t)
{
    HPDF_Box box = {(HPDF_REAL)round_to(l, 3), (HPDF_REAL)round_to(b, 3),
                    (HPDF_REAL)round_to(r, 3), (HPDF_REAL)round_to(t, 3)};
    HPDF_Array arr = HPDF_Box_Array_New(c->pdf->mmgr, box);
    if (!arr)
        return HPDF_FAILD_TO_ALLOC_MEM;
    return HPDF_Dict_Add(hp, key, arr);
}

/* Makes the PDF page for display-list page p: size and, in PRINT, the
 * boxes. Pages are made in order, so a page written early (the body before
 * the contents) has every page before it made, empty until written. */
static fo_status make_page(pdf_ctx *c, size_t p)
{
    const fo_dl_page *pg = c->doc->pages[p];
    HPDF_Page hp = HPDF_AddPage(c->pdf);
    CHECK_PTR(c, hp, "HPDF_AddPage");
    // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of handles
    fo_grow((void **)&c->pages, sizeof *c->pages, &c->pages_cap, p + 1);
    c->written = fo_xrealloc(c->written, c->pages_cap);
    c->pages[p] = hp;
    c->written[p] = 0;
    c->npages = p + 1;
    CHECK(c, HPDF_Page_SetWidth(hp, (HPDF_REAL)(pg->width + 2 * c->off)));
    CHECK(c, HPDF_Page_SetHeight(hp, (HPDF_REAL)(pg->height + 2 * c->off)));
    if (c->profile == FO_PROFILE_PRINT) {
        double o = c->off, b = c->doc->bleed;
        CHECK(c,
              set_box(c, hp, "TrimBox", o, o, o + pg->width, o + pg->height));
        CHECK(c, set_box(c, hp, "BleedBox", o - b, o - b, o + pg->width + b,
                         o + pg->height + b));
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* A destination for each anchor on page p, kept (with copies of its name
 * and title) for the outline and the links made at the end. */
static fo_status page_anchors(pdf_ctx *c, size_t p)
{
    const fo_dl_page *pg = c->doc->pages[p];
    HPDF_Page hp = c->pages[p];
    for (size_t i = 0; i < pg->n; i++) {
        if (pg->ops[i].kind != FO_DL_ANCHOR)
            continue;
        const fo_dl_anchor *a = &pg->ops[i].u.anchor;
        HPDF_Destination dst = HPDF_Page_CreateDestination(hp);
        CHECK_PTR(c, dst, "HPDF_Page_CreateDestination");
        CHECK(c,
              set_xyz(c, dst, hp, a->x + c->off, pg->height - a->y + c->off));
        fo_grow((void **)&c->anchors, sizeof *c->anchors, &c->anchors_cap,
                c->nanchors + 1);
        /* document order: page, then position on the page */
        c->anchors[c->nanchors++] = (anchor_ref){
            fo_xstrdup(a->name ? a->name : ""), (p << 20) | (i & 0xFFFFF),
            a->level, a->title ? fo_xstrdup(a->title) : NULL, dst};
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static int cmp_order(const void *a, const void *b)
{
    const anchor_ref *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

/* The outline, from the anchors with a level in document order; then the
 * anchors sorted by name for find_dest. */
static fo_status make_outline(pdf_ctx *c)
{
    HPDF_Outline parents[4] = {NULL, NULL, NULL, NULL};
    if (c->nanchors)
        qsort(c->anchors, c->nanchors, sizeof *c->anchors, cmp_order);
    for (size_t k = 0; k < c->nanchors; k++) {
        const anchor_ref *a = &c->anchors[k];
        if (a->level <= 0)
            continue;
        int lv = a->level > 3 ? 3 : a->level;
        HPDF_Outline parent = NULL;
        for (int l = lv - 1; l >= 1 && !parent; l--)
            parent = parents[l];
        HPDF_Outline ol = HPDF_CreateOutline(c->pdf, parent, "", NULL);
        CHECK_PTR(c, ol, "HPDF_CreateOutline");
        if (put_text(c, ol, "Title", a->title ? a->title : a->name) != FO_OK)
            goto out;
        CHECK(c, HPDF_Outline_SetDestination(ol, a->dest));
        CHECK(c, HPDF_Outline_SetOpened(ol, HPDF_TRUE));
        parents[lv] = ol;
        c->noutline++;
        for (int l = lv + 1; l <= 3; l++)
            parents[l] = NULL;
    }
    if (c->nanchors)
        qsort(c->anchors, c->nanchors, sizeof *c->anchors, cmp_anchor);
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static fo_status link_style(pdf_ctx *c, HPDF_Annotation an);

static fo_status emit_link(pdf_ctx *c, page_state *ps, const fo_dl_link *l)
{
    double H = ps->page->height;
    /* PDF/X allows no annotation inside the bleed box but printer's marks
     * and trap networks: a print file has no links (the outline stays). */
    if (c->profile == FO_PROFILE_PRINT)
        return FO_OK;
    HPDF_Rect r = {(HPDF_REAL)l->x, (HPDF_REAL)(H - l->y - l->h),
                   (HPDF_REAL)(l->x + l->w), (HPDF_REAL)(H - l->y)};
    if (!l->uri) {
        /* its destination may be on a page not written yet: at the end */
        fo_grow((void **)&c->links, sizeof *c->links, &c->links_cap,
                c->nlinks + 1);
        c->links[c->nlinks++] =
            (pending_link){ps->index, r, fo_xstrdup(l->dest ? l->dest : "")};
        return FO_OK;
    }
    HPDF_Annotation an = HPDF_Page_CreateURILinkAnnot(ps->hp, r, l->uri);
    CHECK_PTR(c, an, "HPDF_Page_CreateURILinkAnnot");
    return link_style(c, an);
out:
    return FO_ERR_LIBRARY;
}

/* The internal links, once every destination exists. */
static fo_status make_links(pdf_ctx *c)
{
    for (size_t k = 0; k < c->nlinks; k++) {
        const pending_link *l = &c->links[k];
        HPDF_Destination dst = find_dest(c, l->dest);
        if (!dst) {
            fo_warning(c->d, nopos,
                       "link to \"%s\": no such destination; link dropped",
                       l->dest);
            continue;
        }
        HPDF_Annotation an =
            HPDF_Page_CreateLinkAnnot(c->pages[l->page], l->rect, dst);
        CHECK_PTR(c, an, "HPDF_Page_CreateLinkAnnot");
        if (link_style(c, an) != FO_OK)
            goto out;
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static fo_status link_style(pdf_ctx *c, HPDF_Annotation an)
{
    /* Links are invisible: the text shows what is clickable. */
    CHECK(c, HPDF_LinkAnnot_SetBorderStyle(an, 0, 0, 0));
    /* PDF/A-1 wants every annotation's flags, with Print (4) set. */
    if (c->profile == FO_PROFILE_ARCHIVE)
        CHECK(c, HPDF_Dict_AddNumber(an, "F", 4));
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* The fonts and images the document has by now: layout adds them while
 * pages are being written. */
static void grow_tables(pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    if (doc->nfonts > c->nfonts) {
        c->fonts = fo_xrealloc(c->fonts, doc->nfonts * sizeof *c->fonts);
        memset(c->fonts + c->nfonts, 0,
               (doc->nfonts - c->nfonts) * sizeof *c->fonts);
        c->nfonts = doc->nfonts;
    }
    if (doc->nimages > c->nimages) {
        /* an array of handles: sizeof a pointer is meant */
        // NOLINTBEGIN(bugprone-sizeof-expression)
        c->images = fo_xrealloc(c->images, doc->nimages * sizeof *c->images);
        memset(c->images + c->nimages, 0,
               (doc->nimages - c->nimages) * sizeof *c->images);
        // NOLINTEND(bugprone-sizeof-expression)
        c->nimages = doc->nimages;
    }
}

/* The page's content, deflated here (a page's worth at a time, so that
 * the document never holds raw content), with its /Filter written by the
 * dictionary's write callback (pdf_image.c explains the trick). */
static fo_status put_content(pdf_ctx *c, HPDF_Page hp, const fo_buf *b)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)hp->attr;
    if (!b->len)
        return FO_OK;
    if (!c->opts->compress) {
        CHECK(c, HPDF_Stream_Write(attr->stream, (const HPDF_BYTE *)b->data,
                                   (HPDF_UINT)b->len));
        return FO_OK;
    }
    size_t zl = 0;
    int level = c->profile == FO_PROFILE_SCREEN ? CONTENT_ZLEVEL_SCREEN
                                                : CONTENT_ZLEVEL;
    unsigned char *z =
        fo_pdf_deflate((const unsigned char *)b->data, b->len, level, &zl);
    attr->contents->filter = HPDF_STREAM_FILTER_NONE;
    attr->contents->write_fn = fo_pdf_write_flate_filter;
    HPDF_STATUS hs = HPDF_Stream_Write(attr->stream, z, (HPDF_UINT)zl);
    free(z);
    CHECK(c, hs);
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* One page: its glyphs into the fonts, its anchors, its content stream
 * and annotations. */
static fo_status emit_page(pdf_ctx *c, size_t p)
{
    const fo_dl_page *pg = c->doc->pages[p];
    page_state ps = {.page = pg,
                     .index = p,
                     .hp = c->pages[p],
                     .font = -1,
                     .cmyk = c->profile == FO_PROFILE_PRINT};
    out o = {{0}, FO_OK};
    fo_status st = FO_ERR_LIBRARY;
    grow_tables(c);
    for (size_t i = 0; i < pg->n; i++)
        if (pg->ops[i].kind == FO_DL_GLYPHS &&
            (st = collect_run(c, &pg->ops[i].u.glyphs)) != FO_OK)
            return st;
    if ((st = page_anchors(c, p)) != FO_OK)
        return st;
    st = FO_ERR_LIBRARY;
    fo_buf_init(&o.b, MAX_CONTENT);
    if (c->profile == FO_PROFILE_PRINT) {
        /* The trim moves to (off, off); what reaches beyond the bleed is
         * clipped so that nothing runs into the marks. */
        double b = c->doc->bleed;
        outs(&o, "q\n");
        outn(&o, c->off - b, 3);
        outs(&o, " ");
        outn(&o, c->off - b, 3);
        outs(&o, " ");
        outn(&o, pg->width + 2 * b, 3);
        outs(&o, " ");
        outn(&o, pg->height + 2 * b, 3);
        outs(&o, " re W n\n1 0 0 1 ");
        outn(&o, c->off, 3);
        outs(&o, " ");
        outn(&o, c->off, 3);
        outs(&o, " cm\n");
    }
    ps.font_names =
        fo_xcalloc(c->doc->nfonts ? c->doc->nfonts : 1, sizeof(char *));

    for (size_t i = 0; i < pg->n; i++) {
        const fo_dl_op *op = &pg->ops[i];
        switch (op->kind) {
        case FO_DL_GLYPHS: {
            const fo_dl_glyphs *g = &op->u.glyphs;
            if (!ps.font_names[g->font]) {
                /* Registers the font in the page's /Resources. */
                ps.font_names[g->font] = HPDF_Page_GetLocalFontName(
                    ps.hp, (HPDF_Font)c->fonts[g->font].type0);
                CHECK_PTR(c, ps.font_names[g->font],
                          "HPDF_Page_GetLocalFontName");
            }
            emit_run(c, &o, &ps, g);
            break;
        }
        case FO_DL_RECT:
            emit_rect(&o, &ps, &op->u.rect);
            break;
        case FO_DL_LINE:
            emit_line(&o, &ps, &op->u.line);
            break;
        case FO_DL_IMAGE:
            if (emit_image(c, &o, &ps, &op->u.image) != FO_OK)
                goto out;
            break;
        case FO_DL_LINK:
            if (emit_link(c, &ps, &op->u.link) != FO_OK)
                goto out;
            break;
        case FO_DL_ANCHOR:
            break;
        }
    }
    end_text(&o, &ps);
    if (c->profile == FO_PROFILE_PRINT) {
        outs(&o, "Q\n");
        if (o.st == FO_OK)
            o.st = fo_pdf_marks(&o.b, pg->width, pg->height, c->off,
                                c->doc->bleed);
    }
    if (o.st != FO_OK) {
        fo_error(c->d, nopos, "page %zu: content stream too large", p + 1);
        st = o.st;
        goto out;
    }
    /* A page with nothing on it (a blank page that makes up a binding's
     * page count) still gets an operator: libharu writes no bytes as a
     * Flate stream MuPDF reports as "premature end of data"
     * (tests/cli/lang_roundtrip.sh). */
    if (o.b.len == 0)
        outs(&o, "q Q\n");
    hash_bytes(c, o.b.data ? o.b.data : "", o.b.len);
    if (put_content(c, ps.hp, &o.b) != FO_OK)
        goto out;
    st = FO_OK;
out:
    free(ps.font_names);
    fo_buf_free(&o.b);
    return st;
}

/* /PageLabels from the display list's labels: a run of lower-case roman
 * or decimal labels that count up by one is one range (front matter i,
 * ii…; body 1, 2…), anything else a label of its own as a prefix. */
static int label_kind(const char *l, int *num)
{
    static const char digits[] = "0123456789";
    if (l[0] && strspn(l, digits) == strlen(l)) {
        *num = atoi(l);
        return 1;
    }
    if (l[0] && strspn(l, "ivxlcdm") == strlen(l)) {
        static const struct {
            char ch;
            int v;
        } R[] = {{'i', 1},   {'v', 5},   {'x', 10},  {'l', 50},
                 {'c', 100}, {'d', 500}, {'m', 1000}};
        int total = 0, prev = 0;
        for (size_t k = strlen(l); k-- > 0;) {
            int v = 0;
            for (size_t j = 0; j < sizeof R / sizeof *R; j++)
                if (R[j].ch == l[k])
                    v = R[j].v;
            total += v < prev ? -v : v;
            if (v >= prev)
                prev = v;
        }
        *num = total;
        return 2;
    }
    return 0;
}

static fo_status page_labels(pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    int prev_kind = -1, prev_num = 0;
    for (size_t p = 0; p < doc->npages; p++) {
        const char *l = doc->pages[p]->label;
        if (!l)
            return FO_OK; /* labels only when every page has one */
    }
    for (size_t p = 0; p < doc->npages; p++) {
        const char *l = doc->pages[p]->label;
        int num = 0, kind = label_kind(l, &num);
        if (kind != 0 && kind == prev_kind && num == prev_num + 1) {
            prev_num = num;
            continue;
        }
        if (kind == 0)
            CHECK(c, HPDF_AddPageLabel(c->pdf, (HPDF_UINT)p,
                                       HPDF_PAGE_NUM_STYLE_DECIMAL, 0, l));
        else
            CHECK(c,
                  HPDF_AddPageLabel(c->pdf, (HPDF_UINT)p,
                                    kind == 1 ? HPDF_PAGE_NUM_STYLE_DECIMAL
                                              : HPDF_PAGE_NUM_STYLE_LOWER_ROMAN,
                                    (HPDF_UINT)num, NULL));
        prev_kind = kind;
        prev_num = num;
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* ---- document -------------------------------------------------------- */

static fo_status set_info(pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    struct tm tm;
    time_t t = (time_t)c->opts->epoch;
    if (!gmtime_r(&t, &tm)) {
        fo_error(c->d, nopos, "date %lld is out of range", c->opts->epoch);
        return FO_ERR_INPUT;
    }
    HPDF_Date date = {
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
        tm.tm_sec,         'Z',           0,          0};
    CHECK(c, HPDF_SetInfoAttr(c->pdf, HPDF_INFO_CREATOR, "folio"));
    CHECK(c, HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_CREATION_DATE, date));
    CHECK(c, HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_MOD_DATE, date));
    hash_bytes(c, &c->opts->epoch, sizeof c->opts->epoch);
    hash_str(c, doc->title);
    hash_str(c, doc->author);
    hash_str(c, doc->subject);
    hash_str(c, doc->keywords);
    hash_str(c, doc->lang);
    HPDF_Dict info = c->pdf->info;
    CHECK_PTR(c, info, "Info dictionary");
    struct {
        const char *key, *val;
    } fields[] = {{"Title", doc->title},
                  {"Author", doc->author},
                  {"Subject", doc->subject},
                  {"Keywords", doc->keywords}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].val && fields[i].val[0] &&
            put_text(c, info, fields[i].key, fields[i].val) != FO_OK)
            return FO_ERR_LIBRARY;
    if (c->profile == FO_PROFILE_PRINT) {
        /* PDF/X-1a:2001 wants a title, the version keys and /Trapped. */
        if (!(doc->title && doc->title[0]) &&
            put_text(c, info, "Title", "Untitled") != FO_OK)
            return FO_ERR_LIBRARY;
        HPDF_String v = HPDF_String_New(c->pdf->mmgr, "PDF/X-1:2001", NULL);
        CHECK_PTR(c, v, "GTS_PDFXVersion");
        CHECK(c, HPDF_Dict_Add(info, "GTS_PDFXVersion", v));
        v = HPDF_String_New(c->pdf->mmgr, "PDF/X-1a:2001", NULL);
        CHECK_PTR(c, v, "GTS_PDFXConformance");
        CHECK(c, HPDF_Dict_Add(info, "GTS_PDFXConformance", v));
        CHECK(c, HPDF_Dict_AddName(info, "Trapped", "False"));
    }
    if (doc->lang && doc->lang[0]) {
        /* A BCP 47 tag is ASCII letters, digits and hyphens. */
        int ok = strlen(doc->lang) < 64;
        for (const char *p = doc->lang; *p && ok; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || *p == '-';
        if (!ok) {
            fo_warning(c->d, nopos, "language \"%s\" is not a language tag",
                       doc->lang);
        } else {
            HPDF_String s = HPDF_String_New(c->pdf->mmgr, doc->lang, NULL);
            CHECK_PTR(c, s, "Lang");
            CHECK(c, HPDF_Dict_Add(c->pdf->catalog, "Lang", s));
        }
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* /OutputIntents [<< … /DestOutputProfile <ICC stream> >>] in the
 * catalog: the CMYK output profile as a PDF/X intent (PRINT), sRGB as a
 * PDF/A one (ARCHIVE). */
static fo_status output_intent(pdf_ctx *c)
{
    int print = c->profile == FO_PROFILE_PRINT;
    const char *path = print ? c->opts->cmyk_icc : c->opts->srgb_icc;
    char *icc = NULL;
    size_t len = 0;
    fo_status st = fo_pdf_read_icc(path, print ? 4 : 3, &icc, &len, c->d);
    if (st != FO_OK)
        return st;
    st = FO_ERR_LIBRARY;
    hash_bytes(c, icc, len);
    HPDF_Dict prof = new_stream(c, c->opts->compress);
    CHECK_PTR(c, prof, "ICC profile stream");
    CHECK(c, HPDF_Stream_Write(prof->stream, (const HPDF_BYTE *)icc,
                               (HPDF_UINT)len));
    CHECK(c, HPDF_Dict_AddNumber(prof, "N", print ? 4 : 3));
    HPDF_Dict oi = HPDF_Dict_New(c->pdf->mmgr);
    CHECK_PTR(c, oi, "OutputIntent");
    HPDF_Array arr = HPDF_Array_New(c->pdf->mmgr);
    CHECK_PTR(c, arr, "OutputIntents");
    CHECK(c, HPDF_Dict_Add(c->pdf->catalog, "OutputIntents", arr));
    CHECK(c, HPDF_Array_Add(arr, oi));
    CHECK(c, HPDF_Dict_AddName(oi, "Type", "OutputIntent"));
    CHECK(c, HPDF_Dict_AddName(oi, "S", print ? "GTS_PDFX" : "GTS_PDFA1"));
    /* FOGRA39 is the characterisation ISO Coated v2 is built on; the
     * 300 % variant limits total ink for uncoated-friendly presses. */
    const char *fields[][2] = {
        {"OutputConditionIdentifier", print ? "FOGRA39" : "sRGB IEC61966-2.1"},
        {"OutputCondition",
         print ? "Offset printing, ISO 12647-2:2004/Amd 1, coated paper, "
                 "300% total ink (ISO Coated v2 300% basICColor)"
               : "sRGB IEC61966-2.1"},
        {"RegistryName", "http://www.color.org"},
        {"Info",
         print ? "ISO Coated v2 300% (basICColor)" : "sRGB IEC61966-2.1"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        HPDF_String v = HPDF_String_New(c->pdf->mmgr, fields[i][1], NULL);
        CHECK_PTR(c, v, fields[i][0]);
        CHECK(c, HPDF_Dict_Add(oi, fields[i][0], v));
    }
    CHECK(c, HPDF_Dict_Add(oi, "DestOutputProfile", prof));
    st = FO_OK;
out:
    free(icc);
    return st;
}

/* ARCHIVE: the XMP packet (uncompressed, as PDF/A wants it readable) as
 * the catalog's /Metadata, matching the info dictionary. */
static fo_status metadata(pdf_ctx *c)
{
    fo_buf b;
    fo_status st = FO_ERR_LIBRARY;
    fo_buf_init(&b, MAX_CONTENT);
    const char *producer = HPDF_GetInfoAttr(c->pdf, HPDF_INFO_PRODUCER);
    const char *creator = HPDF_GetInfoAttr(c->pdf, HPDF_INFO_CREATOR);
    if (fo_pdf_xmp(c->doc, c->opts->epoch, producer, creator, &b) != FO_OK) {
        fo_error(c->d, nopos, "XMP metadata too large");
        st = FO_ERR_LIMIT;
        goto out;
    }
    hash_bytes(c, b.data, b.len);
    HPDF_Dict m = new_stream(c, 0);
    CHECK_PTR(c, m, "Metadata stream");
    CHECK(c, HPDF_Dict_AddName(m, "Type", "Metadata"));
    CHECK(c, HPDF_Dict_AddName(m, "Subtype", "XML"));
    CHECK(c, HPDF_Stream_Write(m->stream, (const HPDF_BYTE *)b.data,
                               (HPDF_UINT)b.len));
    CHECK(c, HPDF_Dict_Add(c->pdf->catalog, "Metadata", m));
    st = FO_OK;
out:
    fo_buf_free(&b);
    return st;
}

/* The fonts, each subset once from the glyphs every page used. */
static fo_status build_fonts(pdf_ctx *c)
{
    fo_status st = FO_OK;
    for (size_t f = 0; f < c->nfonts && st == FO_OK; f++)
        if (c->fonts[f].face)
            st = build_font(c, (int)f);
    return st;
}

/* What the output profile adds at the end: the output intent (PRINT,
 * ARCHIVE) and the XMP metadata (ARCHIVE). */
static fo_status finish_profile(pdf_ctx *c)
{
    fo_status st = FO_OK;
    if (c->profile != FO_PROFILE_SCREEN)
        st = output_intent(c);
    if (st == FO_OK && c->profile == FO_PROFILE_ARCHIVE)
        st = metadata(c);
    return st;
}

/* What the output profile decides before anything is written: the PDF
 * version, the page offset, the colour converter. SCREEN 1.5: ActualText
 * spans; /Lang needs 1.4. PDF/X-1a:2001 is PDF 1.3 and PDF/A-1 is PDF 1.4;
 * readers of those versions skip the spans (marked content) and the keys
 * they do not know. */
static fo_status setup_profile(pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    c->cms = fo_cms_new(c->opts->cmyk_icc, c->opts->srgb_icc, c->d);
    if (!c->cms)
        return FO_ERR_LIBRARY;
    c->imgs = fo_pdf_images_new(c->pdf, doc, c->opts, c->cms, c->d);
    switch (c->profile) {
    case FO_PROFILE_PRINT:
        c->pdf->pdf_version = HPDF_VER_13;
        c->off = doc->bleed + FO_PDF_SLUG;
        if (!c->opts->cmyk_icc) {
            fo_error(c->d, nopos,
                     "the print profile needs a CMYK output profile");
            return FO_ERR_INPUT;
        }
        break;
    case FO_PROFILE_ARCHIVE:
        c->pdf->pdf_version = HPDF_VER_14;
        break;
    case FO_PROFILE_SCREEN:
        c->pdf->pdf_version = HPDF_VER_15;
        break;
    }
    return FO_OK;
}

static void ctx_free(pdf_ctx *c)
{
    if (c->pdf)
        HPDF_Free(c->pdf);
    fo_pdf_images_free(c->imgs);
    for (size_t f = 0; f < c->nfonts; f++)
        font_close(&c->fonts[f]);
    free(c->fonts);
    free(c->images);
    fo_cms_free(c->cms);
    free(c->pages);
    free(c->written);
    for (size_t k = 0; k < c->nanchors; k++) {
        free(c->anchors[k].name);
        free(c->anchors[k].title);
    }
    free(c->anchors);
    for (size_t k = 0; k < c->nlinks; k++)
        free(c->links[k].dest);
    free(c->links);
    free(c->scratch);
    free(c->path);
}

fo_status fo_pdf_writer_new(const fo_dl_doc *doc, const char *path,
                            const fo_pdf_opts *opts, fo_diags *d,
                            fo_pdf_writer **made)
{
    fo_pdf_writer *w = fo_xcalloc(1, sizeof *w);
    pdf_ctx *c = &w->c;
    fo_status st = FO_ERR_LIBRARY;
    *made = NULL;
    c->doc = doc;
    c->opts = opts;
    c->d = d;
    c->path = fo_xstrdup(path);
    c->profile = opts->profile; /* build_font reads it */
    c->id[0] = 1469598103934665603ull;
    c->id[1] = 0x6a09e667f3bcc908ull;
    c->pdf = HPDF_New(error_handler, c);
    if (!c->pdf) {
        fo_error(d, nopos, "libharu: cannot create a document");
        goto out;
    }
    if (opts->compress)
        CHECK(c, HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL));
    st = setup_profile(c);
    if (st == FO_OK)
        st = set_info(c);
    if (st != FO_OK)
        goto out;
    *made = w;
    return FO_OK;
out:
    ctx_free(c);
    free(w);
    return st;
}

fo_status fo_pdf_writer_page(fo_pdf_writer *w, size_t p)
{
    pdf_ctx *c = &w->c;
    if (w->st != FO_OK)
        return w->st;
    if (p >= c->doc->npages || (p < c->npages && c->written[p])) {
        fo_error(c->d, nopos, "page %zu written twice or out of range", p + 1);
        return w->st = FO_ERR_USAGE;
    }
    while (c->npages <= p && w->st == FO_OK)
        w->st = make_page(c, c->npages);
    if (w->st == FO_OK)
        w->st = emit_page(c, p);
    if (w->st == FO_OK)
        c->written[p] = 1;
    return w->st;
}

void fo_pdf_writer_free(fo_pdf_writer *w)
{
    if (!w)
        return;
    ctx_free(&w->c);
    free(w);
}

static fo_status finish(fo_pdf_writer *w, char **kept);

fo_status fo_pdf_writer_finish(fo_pdf_writer *w)
{
    return finish(w, NULL);
}

fo_status fo_pdf_writer_finish_tmp(fo_pdf_writer *w, char **tmp)
{
    *tmp = NULL;
    return finish(w, tmp);
}

/* Where HPDF_SaveToStream writes (save_tmp): a FILE of our own. */
typedef struct save_sink {
    FILE *fp;
    int err; /* errno of the first failed write */
} save_sink;

static HPDF_STATUS save_write(HPDF_Stream s, const HPDF_BYTE *ptr,
                              HPDF_UINT siz)
{
    save_sink *k = s->attr;
    if (siz && fwrite(ptr, 1, siz, k->fp) != siz) {
        k->err = errno ? errno : EIO;
        return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)k->err);
    }
    return HPDF_OK;
}

/* Saves the document under the temporary name of c->path, left in *tmp
 * (fo_atomic_keep). Not HPDF_SaveToFile: libharu 2.3 ignores the result of
 * its fclose, so a disk that fills during the last flush gives a truncated
 * PDF and HPDF_OK, and its write errors carry ferror(), not errno, so no
 * message could say why. Nor HPDF_SaveToStream's memory stream, which
 * would hold the whole file while pdf_image.c makes each image only as it
 * is written. The document's stream (pdf->stream, where
 * HPDF_SaveToStream writes when it is set) is a libharu callback writer
 * into a FILE of our own instead, and every write, the flush and the close
 * are checked. Write failures are reported as "DIR: error: cannot write
 * 'NAME': <strerror>". */
static fo_status save_tmp(pdf_ctx *c, char **tmp)
{
    fo_atomic a;
    if (fo_atomic_open(&a, c->path) != FO_OK) {
        fo_error_write(c->d, c->path, errno);
        return FO_ERR_IO;
    }
    save_sink k = {a.fp, 0};
    HPDF_Stream s = HPDF_CallbackWriter_New(c->pdf->mmgr, save_write, &k);
    if (!s) {
        fo_atomic_abort(&a);
        lib_fail(c, "HPDF_CallbackWriter_New");
        return FO_ERR_LIBRARY;
    }
    if (c->pdf->stream)
        HPDF_Stream_Free(c->pdf->stream);
    c->pdf->stream = s; /* HPDF_Free frees it */
    HPDF_STATUS hs = HPDF_SaveToStream(c->pdf);
    if (k.err) {
        errno = k.err;
        fo_atomic_abort(&a);
        fo_error_write(c->d, c->path, k.err);
        return FO_ERR_IO;
    }
    if (hs != HPDF_OK) {
        fo_atomic_abort(&a);
        if (fo_pdf_images_failed(c->imgs))
            return FO_ERR_INPUT; /* reported at the image */
        lib_fail(c, "HPDF_SaveToStream");
        return FO_ERR_LIBRARY;
    }
    if (fo_atomic_keep(&a, tmp) != FO_OK) {
        fo_error_write(c->d, c->path, errno);
        return FO_ERR_IO;
    }
    return FO_OK;
}

/* Saves under a temporary name, then renames it to the path, or (kept)
 * hands the temporary name over. */
static fo_status finish(fo_pdf_writer *w, char **kept)
{
    pdf_ctx *c = &w->c;
    fo_status st = w->st;
    char *tmp = NULL;
    while (st == FO_OK && c->npages < c->doc->npages)
        st = make_page(c, c->npages); /* pages never written stay empty */
    if (st != FO_OK)
        goto out;
    if (c->input_errors) {
        st = FO_ERR_INPUT;
        goto out;
    }
    st = make_outline(c);
    if (st == FO_OK)
        st = make_links(c);
    if (st == FO_OK && c->noutline &&
        HPDF_SetPageMode(c->pdf, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK) {
        lib_fail(c, "HPDF_SetPageMode");
        st = FO_ERR_LIBRARY;
    }
    if (st == FO_OK)
        st = page_labels(c);
    if (st == FO_OK)
        st = build_fonts(c);
    if (st == FO_OK && fo_pdf_images_finish(c->imgs) != FO_OK) {
        lib_fail(c, "image XObjects");
        st = FO_ERR_LIBRARY;
    }
    if (st == FO_OK)
        st = finish_profile(c);
    if (st == FO_OK)
        st = set_id(c);
    if (st != FO_OK)
        goto out;
    st = save_tmp(c, &tmp);
    if (st == FO_OK && fo_pdf_images_failed(c->imgs))
        st = FO_ERR_INPUT; /* reported at the image */
    if (st != FO_OK)
        goto out;
    if (kept) {
        *kept = tmp;
        tmp = NULL;
    } else if (fo_atomic_rename(tmp, c->path) != FO_OK) {
        tmp = NULL; /* removed and freed */
        fo_error_write(c->d, c->path, errno);
        st = FO_ERR_IO;
        goto out;
    }
    tmp = NULL;
out:
    if (st == FO_OK && (c->lib_failed || c->hpdf_error)) {
        lib_fail(c, "saving the document");
        st = FO_ERR_LIBRARY;
    }
    fo_atomic_discard(tmp);
    fo_pdf_writer_free(w);
    return st;
}

fo_status fo_render_pdf(const fo_dl_doc *doc, const char *path,
                        const fo_pdf_opts *opts, fo_diags *d)
{
    fo_pdf_writer *w;
    fo_status st = fo_pdf_writer_new(doc, path, opts, d, &w);
    if (st != FO_OK)
        return st;
    /* in the order layout finished them, as a streamed build writes them */
    int ordered = doc->norder == doc->npages;
    for (size_t p = 0; p < doc->npages; p++)
        if (fo_pdf_writer_page(w, ordered ? doc->order[p] : p) != FO_OK)
            break;
    return fo_pdf_writer_finish(w);
}
