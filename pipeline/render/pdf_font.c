/* The PDF writer's fonts, and the only file that includes hb-subset.
 *
 * libharu's own TrueType path keys glyphs by Unicode, truncates widths and
 * writes a malformed ToUnicode, so each font the layout used is embedded
 * here as a Type0 font over a CIDFontType2 (TrueType outlines) or
 * CIDFontType0 (CFF) whose codes are the display list's glyph ids: the
 * face is subset with hb-subset (RETAIN_GIDS for TrueType, so CID = GID
 * stays valid), widths come from the font itself, and the ToUnicode maps
 * each glyph to the text of the cluster it showed
 * (tests/cli/lang_roundtrip.sh checks the text comes back).
 *
 * Pages are written as they come, so the glyphs each font needs are
 * collected page by page (fo_pdf_collect_run) and the fonts are built once
 * at the end. The subset tag comes from a hash of the glyph set, so the
 * same input always gives the same bytes. */
#include "pdf_private.h"

#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* bfchar entries per block: the CMap format allows at most 100. */
#define BFCHAR_BLOCK 100

static const fo_pos nopos = {NULL, 0, 0};

/* ---- which glyphs each font needs, and their text --------------------- */

static fo_status font_open(fo_pdf_ctx *c, int idx)
{
    fo_pdf_font *fs = &c->fonts[idx];
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
    fs->type0 = fo_pdf_obj_indirect_dict(c->pdf);
    if (!fs->type0) {
        fo_pdf_lib_fail(c, "Type0 font");
        return FO_ERR_LIBRARY;
    }
    return FO_OK;
}

void fo_pdf_font_close(fo_pdf_font *fs)
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

fo_status fo_pdf_collect_run(fo_pdf_ctx *c, const fo_dl_glyphs *g)
{
    if (g->font < 0 || (size_t)g->font >= c->doc->nfonts) {
        fo_error(c->d, nopos, "glyph run with unknown font %d", g->font);
        return FO_ERR_INPUT;
    }
    fo_status st = font_open(c, g->font);
    if (st != FO_OK)
        return st;
    fo_pdf_font *fs = &c->fonts[g->font];
    size_t ns = fo_pdf_sort_clusters(c, g);
    for (int i = 0; i < g->n;) {
        int j = fo_pdf_cluster_end(g, i);
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
            fs->width[u] = fo_pdf_round(
                hb_font_get_glyph_h_advance(fs->font, u) * 1000.0 / fs->upem,
                3);
        }
        if (fo_pdf_is_inserted_hyphen(g, i)) {
            set_once(&fs->cand[gid], &fs->cand_len[gid], fo_pdf_hyphen_text,
                     strlen(fo_pdf_hyphen_text));
        } else {
            const char *s;
            size_t n;
            fo_pdf_cluster_text(c, ns, g, g->glyphs[i].cluster, &s, &n);
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
static void subset_tag(const fo_pdf_font *fs, const char *name, char tag[7])
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
 * 140 KB compressed per font, where tests/cli/lang_roundtrip.sh holds the
 * whole zh PDF under 60 KB), and each
 * used gid gets as its code the CID the subset's charset gives its new
 * glyph (hb-subset keeps the original CIDs of a CID-keyed font), so that
 * poppler, MuPDF and Ghostscript, which all look glyphs up by CID, find
 * it. Returns the bare 'CFF ' table (FontFile3 /CIDFontType0C), or NULL
 * with *why set. */
static hb_blob_t *subset_cff(fo_pdf_font *fs, hb_subset_input_t *in,
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
    /* The pages already name each glyph by its code (fo_pdf_font.code):
     * the subset must give every used glyph that code. */
    const hb_map_t *o2n = hb_subset_plan_old_to_new_glyph_mapping(plan);
    for (unsigned g = 0; g < fs->nglyphs; g++) {
        if (!fs->used[g])
            continue;
        hb_codepoint_t ng = hb_map_get(o2n, g);
        if (ng == HB_MAP_VALUE_INVALID || ng >= ncids ||
            cids[ng] != fo_pdf_code_of(fs, g)) {
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
unsigned fo_pdf_code_of(const fo_pdf_font *fs, unsigned gid)
{
    return fs->code ? fs->code[gid] : gid;
}

/* The subset font program: used glyphs (and .notdef), without the layout
 * tables a PDF never reads. TrueType keeps the original ids (CID = GID,
 * CIDToGIDMap /Identity); CFF goes through subset_cff. NULL with *why set
 * on failure. */
static hb_blob_t *subset_font(fo_pdf_font *fs, const char **why)
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
static coded *used_by_code(const fo_pdf_font *fs, size_t *n)
{
    coded *v = fo_xmalloc(sizeof *v * (fs->nglyphs ? fs->nglyphs : 1));
    size_t k = 0;
    for (unsigned g = 0; g < fs->nglyphs; g++)
        if (fs->used[g])
            v[k++] = (coded){fo_pdf_code_of(fs, g), g};
    qsort(v, k, sizeof *v, cmp_coded);
    *n = k;
    return v;
}

/* The /W array: runs of consecutive used gids "c [w1 w2 …]", leaving out
 * the glyphs whose width is the default *dw (the most common width). */
static HPDF_Array width_array(fo_pdf_ctx *c, fo_pdf_font *fs, double *dw)
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
    HPDF_Array w = fo_pdf_obj_array(c->pdf);
    if (!w)
        return NULL;
    size_t n;
    coded *v = used_by_code(fs, &n);
    for (size_t i = 0; i < n;) {
        if (fs->width[v[i].gid] == best) {
            i++;
            continue;
        }
        HPDF_Array run = fo_pdf_obj_array(c->pdf);
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
static fo_status tounicode_text(const fo_pdf_font *fs, fo_pdf_out *o)
{
    fo_pdf_outs(
        o, "/CIDInit /ProcSet findresource begin\n12 dict begin\n"
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
        fo_pdf_outn(o, n, 0);
        fo_pdf_outs(o, " beginbfchar\n");
        for (int i = 0; i < n; i++) {
            unsigned gid = batch[i];
            const char *t = fs->text[gid] ? fs->text[gid] : fs->cand[gid];
            size_t tl = fs->text[gid] ? fs->text_len[gid] : fs->cand_len[gid];
            fo_pdf_outs(o, "<");
            fo_pdf_outx(o, fo_pdf_code_of(fs, gid));
            fo_pdf_outs(o, "> <");
            fo_pdf_out_utf16_hex(o, t, tl, FO_PDF_MAX_MAP_UNITS);
            fo_pdf_outs(o, ">\n");
        }
        fo_pdf_outs(o, "endbfchar\n");
    }
    free(v);
    fo_pdf_outs(o, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
                   "end\nend\n");
    return o->st;
}

/* Builds FontFile2 (TrueType) or FontFile3 (CFF), FontDescriptor,
 * CIDFontType2 or CIDFontType0, ToUnicode and Type0 for one used font;
 * fs->type0 is the result. */
static fo_status build_font(fo_pdf_ctx *c, int idx)
{
    fo_pdf_font *fs = &c->fonts[idx];
    const fo_dl_font *f = &c->doc->fonts[idx];
    fo_status st = FO_ERR_LIBRARY;
    hb_blob_t *sub = NULL, *head = NULL, *post = NULL, *os2 = NULL;
    fo_pdf_out cm = {{0}, FO_OK};
    fo_buf_init(&cm.b, FO_PDF_MAX_CONTENT);
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

    fo_pdf_hash_bytes(c, sub_data, sub_len);
    HPDF_Dict file = fo_pdf_obj_stream(c->pdf, 1);
    CHECK_PTR(c, file, "font file stream");
    CHECK(c, fo_pdf_obj_write(file, sub_data, sub_len));
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
            bbox[i] = fo_pdf_round(be16s(p + 36 + (ptrdiff_t)2 * i) * k, 0);
    post = hb_face_reference_table(fs->face, HB_TAG('p', 'o', 's', 't'));
    p = hb_blob_get_data(post, &len);
    if (p && len >= 16) {
        int32_t fx = (int32_t)(((uint32_t)be16u(p + 4) << 16) | be16u(p + 6));
        italic = fo_pdf_round(fx / 65536.0, 2);
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
    double stemv = fo_pdf_round(50 + (weight / 65.0) * (weight / 65.0), 0);
    /* Symbolic (4): the glyphs are addressed by id, not by a standard
     * Latin encoding, which is what the flag tells readers. */
    int flags = 4 | (fixed ? 1 : 0) | (italic != 0 ? 64 : 0);

    HPDF_Dict desc_d = fo_pdf_obj_indirect_dict(c->pdf);
    CHECK_PTR(c, desc_d, "FontDescriptor");
    CHECK(c, HPDF_Dict_AddName(desc_d, "Type", "FontDescriptor"));
    CHECK(c, HPDF_Dict_AddName(desc_d, "FontName", fontname));
    CHECK(c, HPDF_Dict_AddNumber(desc_d, "Flags", flags));
    HPDF_Array bb = fo_pdf_obj_array(c->pdf);
    CHECK_PTR(c, bb, "FontBBox");
    CHECK(c, HPDF_Dict_Add(desc_d, "FontBBox", bb));
    for (int i = 0; i < 4; i++)
        CHECK(c, array_add_num(bb, bbox[i]));
    CHECK(c, dict_add_num(desc_d, "ItalicAngle", italic));
    CHECK(c, dict_add_num(desc_d, "Ascent", fo_pdf_round(asc * k, 0)));
    CHECK(c, dict_add_num(desc_d, "Descent", fo_pdf_round(desc * k, 0)));
    CHECK(c, dict_add_num(desc_d, "CapHeight", fo_pdf_round(cap * k, 0)));
    CHECK(c, dict_add_num(desc_d, "StemV", stemv));
    CHECK(c, HPDF_Dict_Add(desc_d, fs->cff ? "FontFile3" : "FontFile2", file));
    if (c->profile == FO_PROFILE_ARCHIVE) {
        /* PDF/A-1 wants a subset CIDFont's /CIDSet: one bit per CID
         * (= gid) in the subset, first CID in the high bit. */
        unsigned top = 0;
        for (unsigned g = 0; g < fs->nglyphs; g++)
            if (fs->used[g] && fo_pdf_code_of(fs, g) > top)
                top = fo_pdf_code_of(fs, g);
        size_t nb = top / 8 + 1;
        unsigned char *bits = fo_xcalloc(nb, 1);
        bits[0] = 0x80; /* .notdef is always in the subset */
        for (unsigned g = 0; g < fs->nglyphs; g++)
            if (fs->used[g]) {
                unsigned cd = fo_pdf_code_of(fs, g);
                bits[cd / 8] |= (unsigned char)(0x80 >> (cd % 8));
            }
        HPDF_Dict set = fo_pdf_obj_stream(c->pdf, c->opts->compress);
        HPDF_STATUS hs = set ? fo_pdf_obj_write(set, bits, (HPDF_UINT)nb)
                             : HPDF_FAILD_TO_ALLOC_MEM;
        free(bits);
        CHECK(c, hs);
        CHECK(c, HPDF_Dict_Add(desc_d, "CIDSet", set));
    }

    HPDF_Dict cid = fo_pdf_obj_indirect_dict(c->pdf);
    CHECK_PTR(c, cid, "CIDFont");
    CHECK(c, HPDF_Dict_AddName(cid, "Type", "Font"));
    CHECK(c, HPDF_Dict_AddName(cid, "Subtype",
                               fs->cff ? "CIDFontType0" : "CIDFontType2"));
    CHECK(c, HPDF_Dict_AddName(cid, "BaseFont", fontname));
    HPDF_Dict sysinfo = fo_pdf_obj_dict(c->pdf);
    CHECK_PTR(c, sysinfo, "CIDSystemInfo");
    CHECK(c, HPDF_Dict_Add(cid, "CIDSystemInfo", sysinfo));
    HPDF_String reg = fo_pdf_obj_string(c->pdf, "Adobe");
    CHECK_PTR(c, reg, "Registry");
    CHECK(c, HPDF_Dict_Add(sysinfo, "Registry", reg));
    HPDF_String ord = fo_pdf_obj_string(c->pdf, "Identity");
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

    HPDF_Dict tu = fo_pdf_obj_stream(c->pdf, c->opts->compress);
    CHECK_PTR(c, tu, "ToUnicode stream");
    if (tounicode_text(fs, &cm) != FO_OK) {
        st = cm.st;
        fo_error(c->d, nopos, "ToUnicode CMap too large");
        goto out;
    }
    CHECK(c, fo_pdf_obj_write(tu, cm.b.data, (HPDF_UINT)cm.b.len));

    HPDF_Dict t0 = fs->type0;
    CHECK(c, HPDF_Dict_AddName(t0, "Type", "Font"));
    CHECK(c, HPDF_Dict_AddName(t0, "Subtype", "Type0"));
    CHECK(c, HPDF_Dict_AddName(t0, "BaseFont", fontname));
    CHECK(c, HPDF_Dict_AddName(t0, "Encoding", "Identity-H"));
    HPDF_Array desc_fonts = fo_pdf_obj_array(c->pdf);
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

/* The fonts, each subset once from the glyphs every page used. */
fo_status fo_pdf_build_fonts(fo_pdf_ctx *c)
{
    fo_status st = FO_OK;
    for (size_t f = 0; f < c->nfonts && st == FO_OK; f++)
        if (c->fonts[f].face)
            st = build_font(c, (int)f);
    return st;
}
