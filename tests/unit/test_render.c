/* Unit tests for render: a small display list built by hand (text shaped
 * with HarfBuzz directly, the way typeset hands it over), rendered to PDF
 * and PNG, then checked with the real tools: pdftotext (exact text, no
 * warnings), qpdf --check, pdffonts (embedded, subset, ToUnicode), pdfinfo
 * (Vietnamese metadata), mutool stext (glyph origins within 0.01 pt), byte
 * determinism, and the Cairo PNG against pdftocairo's raster of the PDF
 * with fo_pngdiff — plus a negative control that shifts every glyph run of
 * the PNG by PNG_SHIFT pt and must fail the same comparison. */
#define _XOPEN_SOURCE 700 /* mkdtemp, popen, nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/render.h"

#include "fixture.h"

#include <png.h>

#include <hb.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FO_PNGDIFF
#define FO_PNGDIFF "fo_pngdiff"
#endif

/* Raster comparison (measured on this page, Cairo 1.16, poppler 22.12):
 * the unshifted PNG and pdftocairo's raster differ by 0 pixels at 100 and
 * 300 dpi (largest channel difference 33 and 1 of 255), because both draw
 * the same FreeType outlines through Cairo at the same positions. A pixel
 * differs when a channel differs by more than PNG_TOLERANCE, and up to
 * PNG_MAX_SHARE of the page may differ (slack for another poppler's
 * antialiasing). Cairo's image backend rounds glyph origins to whole
 * pixels, so a shift moves the glyphs whose origin crosses a rounding
 * boundary: 0.1 pt (0.42 px at 300 dpi) moved 14,635 pixels at 300 dpi
 * (0.70 %, 70 times the limit) and 1,414 at 100 dpi (0.61 %); even 0.005 pt
 * moved 1,420 at 300 dpi on this page. A shift is caught for certain, on
 * any page, from one pixel: 0.24 pt at 300 dpi. */
#define PNG_DPI 300
#define PNG_TOLERANCE 64
#define PNG_MAX_SHARE 0.0001 /* 0.01 % of the page's pixels */
#define PNG_SHIFT 0.1        /* pt: the negative control must fail */

#define PAGE_W 400.0
#define PAGE_H 300.0
#define SIZE 10.0

/* Every Vietnamese vowel with every tone, grouped one vowel a word (words
 * of single letters would all be spaced alike, and pdftotext then takes
 * every gap for a letter gap). */
static const char *const vowels_lower =
    "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị";
static const char *const vowels_lower2 =
    "oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ";
static const char *const vowels_upper =
    "AÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ EÈÉẺẼẸ ÊỀẾỂỄỆ IÌÍỈĨỊ";
static const char *const vowels_upper2 =
    "OÒÓỎÕỌ ÔỒỐỔỖỘ ƠỜỚỞỠỢ UÙÚỦŨỤ ƯỪỨỬỮỰ YỲÝỶỸỴ Đ";

typedef struct fixture {
    char dir[64];
    char font_path[512];
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
    unsigned upem;
    fo_dl_doc *doc;
    int stext_run; /* page-1 op index of the run checked with mutool */
    char expected_text[4096];
    char pdf[128], pdf2[128], png[128];
} fixture;

/* ---- helpers ---------------------------------------------------------- */

/* Runs cmd through the shell; returns its stdout (malloc'd) and exit
 * status. */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = 0;
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

static char *runf(int *status, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return run(cmd, status);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Shapes text with HarfBuzz (default features: ligatures on) and appends
 * it as one glyph run at (x, y). extra_space widens each space glyph like
 * justification does. Returns the run's advance. */
static double add_text(fixture *f, fo_dl_page *pg, int font, double x, double y,
                       const char *text, double extra_space,
                       int cluster_per_char)
{
    hb_buffer_t *buf = hb_buffer_create();
    hb_buffer_add_utf8(buf, text, -1, 0, -1);
    hb_buffer_guess_segment_properties(buf);
    if (cluster_per_char) /* Pango's way: a mark keeps its own cluster */
        hb_buffer_set_cluster_level(
            buf, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
    hb_shape(f->font, buf, NULL, 0);
    unsigned n;
    hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
    fo_color black = {0, 0, 0, 1, 0, 0, 0, 0};
    fo_dl_glyphs *g = fo_dl_page_add_glyphs(pg, font, SIZE, x, y, black, (int)n,
                                            text, strlen(text));
    double k = SIZE / f->upem, w = 0;
    for (unsigned i = 0; i < n; i++) {
        g->glyphs[i].gid = info[i].codepoint;
        g->glyphs[i].x_advance = pos[i].x_advance * k;
        g->glyphs[i].x_offset = pos[i].x_offset * k;
        g->glyphs[i].y_offset = -pos[i].y_offset * k; /* y down */
        g->glyphs[i].cluster = info[i].cluster;
        if (text[info[i].cluster] == ' ')
            g->glyphs[i].x_advance += extra_space;
        w += g->glyphs[i].x_advance;
    }
    hb_buffer_destroy(buf);
    return w;
}

/* "docu" + an inserted hyphen glyph in the last character's cluster, the
 * way Pango breaks a word; the next line continues with "ment". */
static void add_hyphenated(fixture *f, fo_dl_page *pg, int font, double x,
                           double y)
{
    add_text(f, pg, font, x, y, "docu", 0, 0);
    fo_dl_glyphs *run = &pg->ops[pg->n - 1].u.glyphs;
    hb_codepoint_t hy;
    if (!hb_font_get_nominal_glyph(f->font, 0x2010, &hy))
        assert_true(hb_font_get_nominal_glyph(f->font, '-', &hy));
    fo_dl_glyph *g =
        fo_arena_alloc(pg->arena, sizeof *g * (size_t)(run->n + 1));
    memcpy(g, run->glyphs, sizeof *g * (size_t)run->n);
    g[run->n] = (fo_dl_glyph){
        hy, hb_font_get_glyph_h_advance(f->font, hy) * SIZE / f->upem, 0, 0,
        g[run->n - 1].cluster};
    run->glyphs = g;
    run->n++;
    run->hyphen = 1;
    add_text(f, pg, font, x, y + 14, "ment", 0, 0);
}

static void build_doc(fixture *f)
{
    fo_dl_doc *doc = f->doc = fo_dl_doc_new();
    doc->title = "Niên giám thống kê tỉnh Đồng Tháp 2023";
    doc->author = "Cục Thống kê";
    doc->subject = "Yearbook";
    doc->keywords = "niên giám, yearbook";
    doc->lang = "vi";
    int font =
        fo_dl_doc_font(doc, f->font_path, 0, "NotoSerif-Regular", (int)f->upem);
    fo_dl_page *pg = fo_dl_doc_add_page(doc, PAGE_W, PAGE_H);
    double y = 30, lh = 14;
    const char *lines[] = {"difficult official ffle",
                           vowels_lower,
                           vowels_lower2,
                           vowels_upper,
                           vowels_upper2,
                           "Nâng cao chất lượng, hiệu quả công tác",
                           "AVAV To Va Wa"};
    char *e = f->expected_text;
    e[0] = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (i == 5)
            f->stext_run = (int)pg->n;
        /* line 5 is "justified": wider spaces, so TJ adjustments appear */
        add_text(f, pg, font, 30, y, lines[i], i == 5 ? 1.37 : 0, 0);
        strcat(e, lines[i]);
        strcat(e, "\n");
        y += lh;
    }
    add_hyphenated(f, pg, font, 30, y);
    strcat(e, "document\n");
    y += 2 * lh;
    /* marks without a precomposed form, in their own cluster (Pango) and
     * merged into the base's cluster (HarfBuzz's default) */
    add_text(f, pg, font, 30, y, "Q\xcc\xa3 q\xcc\xa3 x\xcc\x82", 0, 1);
    strcat(e, "Q\xcc\xa3 q\xcc\xa3 x\xcc\x82\n");
    y += lh;
    add_text(f, pg, font, 30, y, "x\xcc\x82 q\xcc\xa3\xcc\x82", 0, 0);
    strcat(e, "x\xcc\x82 q\xcc\xa3\xcc\x82\n\n");
    y += lh;

    fo_color red = {0, 1, 1, 0, 0.85, 0.1, 0.1, 0};
    fo_color blue = {1, 0.5, 0, 0, 0.1, 0.2, 0.7, 0};
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){300, 250, 60, 25, red};
    op = fo_dl_page_add(pg, FO_DL_LINE);
    op->u.line = (fo_dl_line){30, 265, 280, 265, 0.75, blue};
    op = fo_dl_page_add(pg, FO_DL_LINK);
    op->u.link = (fo_dl_link){30,   20,   100, 14, "https://dongthap.gov.vn/",
                              NULL, NULL, 0};
    op = fo_dl_page_add(pg, FO_DL_LINK);
    op->u.link = (fo_dl_link){30, 34, 100, 14, NULL, "chuong-1", NULL, 0};
    strcat(e, "\f"); /* pdftotext ends each text block with a blank line */

    fo_dl_page *p2 = fo_dl_doc_add_page(doc, PAGE_W, PAGE_H);
    op = fo_dl_page_add(p2, FO_DL_ANCHOR);
    op->u.anchor = (fo_dl_anchor){"chuong-1", 30, 30, 1, "Chương 1: Tổng quan"};
    op = fo_dl_page_add(p2, FO_DL_ANCHOR);
    op->u.anchor = (fo_dl_anchor){"muc-1-1", 30, 50, 2, "Mục 1.1 Dân số"};
    add_text(f, p2, font, 30, 45, "Trang hai", 0, 0);
    strcat(e, "Trang hai\n\n\f");
}

/* A copy of the doc's first page with every glyph run moved by dx. */
static fo_dl_doc *shifted_doc(const fixture *f, double dx)
{
    fo_dl_doc *d = fo_dl_doc_new();
    const fo_dl_doc *s = f->doc;
    for (size_t i = 0; i < s->nfonts; i++)
        fo_dl_doc_font(d, s->fonts[i].file, s->fonts[i].index, s->fonts[i].name,
                       s->fonts[i].units_per_em);
    const fo_dl_page *sp = s->pages[0];
    fo_dl_page *pg = fo_dl_doc_add_page(d, sp->width, sp->height);
    for (size_t i = 0; i < sp->n; i++) {
        fo_dl_op *op = fo_dl_page_add(pg, sp->ops[i].kind);
        *op = sp->ops[i]; /* payload stays in the source doc's arena */
        if (op->kind == FO_DL_GLYPHS)
            op->u.glyphs.x += dx;
    }
    return d;
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/fo_render_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->font_path, sizeof f->font_path, "%s",
             FO_TEST_SRC "/fonts/NotoSerif-Regular.ttf");
    f->blob = hb_blob_create_from_file_or_fail(f->font_path);
    assert_non_null(f->blob);
    f->face = hb_face_create(f->blob, 0);
    f->font = hb_font_create(f->face);
    f->upem = hb_face_get_upem(f->face);
    build_doc(f);
    snprintf(f->pdf, sizeof f->pdf, "%s/out.pdf", f->dir);
    snprintf(f->pdf2, sizeof f->pdf2, "%s/out2.pdf", f->dir);
    snprintf(f->png, sizeof f->png, "%s/out.png", f->dir);

    fo_diags d;
    fo_diags_init(&d);
    fo_pdf_opts opts = {.epoch = 1700000000, .compress = 1};
    fo_status st = fo_render_pdf(f->doc, f->pdf, &opts, &d);
    if (st != FO_OK)
        fo_diags_print(&d, stderr);
    assert_int_equal(st, FO_OK);
    assert_int_equal(fo_render_pdf(f->doc, f->pdf2, &opts, &d), FO_OK);
    assert_int_equal(fo_render_png(f->doc, 0, PNG_DPI, f->png, &d), FO_OK);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    fixture_remove_dir(f->dir);
    fo_dl_doc_free(f->doc);
    hb_font_destroy(f->font);
    hb_face_destroy(f->face);
    hb_blob_destroy(f->blob);
    free(f);
    return 0;
}

/* ---- tests ------------------------------------------------------------ */

static void test_text_extracts_exactly(void **state)
{
    fixture *f = *state;
    int rc;
    char err[128];
    snprintf(err, sizeof err, "%s/pdftotext.err", f->dir);
    char *txt = runf(&rc, "pdftotext -enc UTF-8 '%s' - 2>'%s'", f->pdf, err);
    assert_int_equal(rc, 0);
    assert_string_equal(txt, f->expected_text);
    assert_int_equal(file_size(err), 0); /* no "Syntax Warning" */
    free(txt);
}

static void test_qpdf_check_clean(void **state)
{
    fixture *f = *state;
    int rc;
    char *o = runf(&rc, "qpdf --check '%s' 2>&1", f->pdf);
    assert_int_equal(rc, 0); /* 2 = errors, 3 = warnings */
    assert_non_null(strstr(o, "No syntax or stream encoding errors"));
    assert_null(strstr(o, "WARNING"));
    free(o);
}

static void test_fonts_embedded_subset_unicode(void **state)
{
    fixture *f = *state;
    int rc;
    char *o = runf(&rc, "pdffonts '%s' 2>&1", f->pdf);
    assert_int_equal(rc, 0);
    /* name type encoding emb sub uni object ID: one line per font after
     * the two header lines */
    int fonts = 0;
    char *save = NULL;
    int line = 0;
    for (char *l = strtok_r(o, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save), line++) {
        if (line < 2)
            continue;
        fonts++;
        assert_non_null(strstr(l, "CID TrueType"));
        assert_non_null(strstr(l, "Identity-H"));
        assert_non_null(strstr(l, "yes yes yes"));
        assert_true(l[6] == '+'); /* ABCDEF+NotoSerif-Regular */
    }
    assert_int_equal(fonts, 1);
    free(o);
}

/* Without compression the file is just as valid and says the same. */
static void test_uncompressed(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/plain.pdf", f->dir);
    fo_diags d;
    fo_diags_init(&d);
    fo_pdf_opts opts = {.epoch = 1700000000, .compress = 0};
    assert_int_equal(fo_render_pdf(f->doc, path, &opts, &d), FO_OK);
    fo_diags_free(&d);
    int rc;
    char *o = runf(&rc, "qpdf --check '%s' 2>&1", path);
    assert_int_equal(rc, 0);
    free(o);
    o = runf(&rc, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
    assert_string_equal(o, f->expected_text);
    free(o);
    assert_true(file_size(path) > file_size(f->pdf));
}

static void test_deterministic(void **state)
{
    fixture *f = *state;
    int rc;
    char *o = runf(&rc, "cmp '%s' '%s' 2>&1", f->pdf, f->pdf2);
    assert_int_equal(rc, 0);
    free(o);
}

static void test_metadata(void **state)
{
    fixture *f = *state;
    int rc;
    char *o = runf(&rc, "pdfinfo '%s' 2>&1", f->pdf);
    assert_int_equal(rc, 0);
    assert_non_null(
        strstr(o, "Title:           Niên giám thống kê tỉnh Đồng Tháp 2023"));
    assert_non_null(strstr(o, "Author:          Cục Thống kê"));
    assert_non_null(strstr(o, "Keywords:        niên giám, yearbook"));
    assert_non_null(strstr(o, "Creator:         folio"));
    assert_non_null(strstr(o, "Pages:           2"));
    assert_non_null(strstr(o, "Tagged:          no"));
    free(o);
    /* 1700000000 = 2023-11-14 22:13:20 UTC */
    o = runf(&rc, "pdfinfo -isodates '%s' 2>&1", f->pdf);
    assert_non_null(strstr(o, "CreationDate:    2023-11-14T22:13:20Z"));
    assert_non_null(strstr(o, "ModDate:         2023-11-14T22:13:20Z"));
    free(o);
}

static void test_outline_and_links(void **state)
{
    fixture *f = *state;
    int rc;
    char *o = runf(&rc, "mutool show '%s' outline 2>&1", f->pdf);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "Chương 1: Tổng quan"));
    assert_non_null(strstr(o, "Mục 1.1 Dân số"));
    free(o);
    o = runf(&rc,
             "qpdf --qdf --object-streams=disable '%s' - | "
             "grep -a -c -E '/URI|/Dest|/Lang'",
             f->pdf);
    assert_true(atoi(o) >= 3);
    free(o);
}

/* The writer takes pages in any order (layout hands over the contents
 * pages last): the second page first gives the same text, outline and
 * links (the link on page 1 points forward), and a clean file; a page
 * written twice is refused and nothing is written. */
static void test_writer_any_order(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/reversed.pdf", f->dir);
    fo_diags d;
    fo_diags_init(&d);
    fo_pdf_opts opts = {.epoch = 1700000000, .compress = 1};
    fo_pdf_writer *w;
    assert_int_equal(fo_pdf_writer_new(f->doc, path, &opts, &d, &w), FO_OK);
    assert_int_equal(fo_pdf_writer_page(w, 1), FO_OK);
    assert_int_equal(fo_pdf_writer_page(w, 0), FO_OK);
    assert_int_equal(fo_pdf_writer_close(w), FO_OK);
    fo_pdf_writer_drop(w);
    assert_int_equal(d.errors, 0);
    int rc;
    char *o = runf(&rc, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
    assert_int_equal(rc, 0);
    assert_string_equal(o, f->expected_text);
    free(o);
    o = runf(&rc, "qpdf --check '%s' 2>&1", path);
    assert_int_equal(rc, 0);
    assert_null(strstr(o, "WARNING"));
    free(o);
    o = runf(&rc, "mutool show '%s' outline 2>&1", path);
    assert_non_null(strstr(o, "Chương 1: Tổng quan"));
    free(o);
    /* the internal link of page 1 goes to page 2 */
    o = runf(&rc,
             "qpdf --json '%s' | python3 -c 'import json,sys; "
             "q=json.load(sys.stdin); p=q[\"pages\"]; "
             "o=lambda r: q[\"qpdf\"][1][\"obj:\" + r][\"value\"]; "
             "a=[o(r) for r in o(p[0][\"object\"]).get(\"/Annots\", [])]; "
             "d=[x[\"/Dest\"] for x in a if \"/Dest\" in x]; "
             "d=[o(x) if isinstance(x, str) else x for x in d]; "
             "print(any(x[0] == p[1][\"object\"] for x in d))'",
             path);
    assert_string_equal(o, "True\n");
    free(o);

    snprintf(path, sizeof path, "%s/twice.pdf", f->dir);
    assert_int_equal(fo_pdf_writer_new(f->doc, path, &opts, &d, &w), FO_OK);
    assert_int_equal(fo_pdf_writer_page(w, 0), FO_OK);
    assert_int_equal(fo_pdf_writer_page(w, 0), FO_ERR_USAGE);
    assert_int_equal(fo_pdf_writer_close(w), FO_ERR_USAGE);
    fo_pdf_writer_drop(w);
    assert_int_equal(file_size(path), -1);
    fo_diags_free(&d);
}

/* Glyph origins that mupdf reads back from the PDF equal the display
 * list's positions within 0.01 pt along a justified line (wider spaces,
 * so the TJ adjustments are exercised). */
static void test_stext_positions(void **state)
{
    fixture *f = *state;
    int rc;
    char *xml =
        runf(&rc, "mutool draw -F stext -o - '%s' 1 2>/dev/null", f->pdf);
    assert_int_equal(rc, 0);
    const fo_dl_glyphs *g = &f->doc->pages[0]->ops[f->stext_run].u.glyphs;
    /* expected origins of the non-space glyphs (mupdf drops spaces) */
    double ex[256];
    int ne = 0;
    double pen = g->x;
    for (int i = 0; i < g->n && ne < 256; i++) {
        if (g->text[g->glyphs[i].cluster] != ' ')
            ex[ne++] = pen + g->glyphs[i].x_offset;
        pen += g->glyphs[i].x_advance;
    }
    int matched = 0;
    double maxd = 0;
    for (char *p = strstr(xml, "<char "); p && matched < ne;
         p = strstr(p + 1, "<char ")) {
        char *xs = strstr(p, " x=\""), *ys = strstr(p, " y=\"");
        assert_non_null(xs);
        assert_non_null(ys);
        double x = strtod(xs + 4, NULL), y = strtod(ys + 4, NULL);
        if (fabs(y - g->y) > 0.01)
            continue;
        char *cs = strstr(p, " c=\"");
        if (cs && strncmp(cs, " c=\" \"", 6) == 0)
            continue;
        double dx = fabs(x - ex[matched]);
        maxd = dx > maxd ? dx : maxd;
        matched++;
    }
    print_message("stext: %d glyph origins, max |dx| %.4f pt\n", matched, maxd);
    assert_int_equal(matched, ne);
    assert_true(maxd <= 0.01);
    free(xml);
}

/* Renders page 1 to PNG at dpi with every glyph run moved by shift pt,
 * rasterises the PDF with pdftocairo at the same dpi, and returns
 * fo_pngdiff's exit status (0 = equal within the thresholds). */
static int compare_png(const fixture *f, int dpi, double shift)
{
    char png[160], ref[160];
    snprintf(png, sizeof png, "%s/cairo-%d-%g.png", f->dir, dpi, shift);
    snprintf(ref, sizeof ref, "%s/poppler-%d", f->dir, dpi);
    fo_dl_doc *d = shifted_doc(f, shift);
    fo_diags dg;
    fo_diags_init(&dg);
    assert_int_equal(fo_render_png(d, 0, dpi, png, &dg), FO_OK);
    fo_diags_free(&dg);
    fo_dl_doc_free(d);
    int rc;
    char *o = runf(&rc,
                   "pdftocairo -r %d -png -singlefile -f 1 -l 1 "
                   "'%s' '%s' 2>&1",
                   dpi, f->pdf, ref);
    assert_int_equal(rc, 0);
    free(o);
    long w = (long)ceil(PAGE_W * dpi / 72.0),
         h = (long)ceil(PAGE_H * dpi / 72.0);
    long max_diff = (long)(PNG_MAX_SHARE * (double)(w * h));
    o = runf(&rc, "'%s' '%s' '%s.png' --tolerance %d --max-diff %ld 2>&1",
             FO_PNGDIFF, png, ref, PNG_TOLERANCE, max_diff);
    print_message("%d dpi, shift %g pt (max %ld): %s", dpi, shift, max_diff, o);
    free(o);
    return rc;
}

/* The preview is the print: Cairo's PNG against pdftocairo's raster of the
 * PDF at the same resolution. */
static void test_png_matches_pdf(void **state)
{
    fixture *f = *state;
    assert_int_equal(compare_png(f, 100, 0), 0);
    assert_int_equal(compare_png(f, PNG_DPI, 0), 0);
}

/* Negative control: every glyph run moved PNG_SHIFT pt must fail. */
static void test_png_shift_detected(void **state)
{
    fixture *f = *state;
    assert_int_equal(compare_png(f, 100, PNG_SHIFT), 1);
    assert_int_equal(compare_png(f, PNG_DPI, PNG_SHIFT), 1);
    assert_int_equal(compare_png(f, PNG_DPI, -PNG_SHIFT), 1);
}

/* Failures leave no file behind: an unreadable font and an image that
 * does not decode are reported errors. */
static void test_errors_leave_no_file(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/bad.pdf", f->dir);
    fo_dl_doc *d = fo_dl_doc_new();
    int font = fo_dl_doc_font(d, "/nonexistent/font.ttf", 0, "Nope", 1000);
    fo_dl_page *pg = fo_dl_doc_add_page(d, 100, 100);
    fo_color black = {0};
    fo_dl_glyphs *g =
        fo_dl_page_add_glyphs(pg, font, 10, 10, 10, black, 1, "a", 1);
    g->glyphs[0] = (fo_dl_glyph){1, 5, 0, 0, 0};
    fo_diags dg;
    fo_diags_init(&dg);
    fo_pdf_opts opts = {.epoch = 0, .compress = 1};
    assert_int_not_equal(fo_render_pdf(d, path, &opts, &dg), FO_OK);
    assert_true(dg.errors > 0);
    assert_int_equal(file_size(path), -1);
    fo_dl_doc_free(d);
    fo_diags_free(&dg);

    /* an image that fails to decode (its probe was faked): reported by
     * both renderers, no file */
    d = fo_dl_doc_new();
    pg = fo_dl_doc_add_page(d, 100, 100);
    const char *bad = FO_TEST_SRC "/tests/fixtures/images/truncated.png";
    struct stat bad_st;
    assert_int_equal(stat(bad, &bad_st), 0);
    fo_image_info info = {.format = FO_IMAGE_PNG,
                          .width = 32,
                          .height = 24,
                          .orientation = 1,
                          .shown_w = 32,
                          .shown_h = 24,
                          .components = 3,
                          .bits = 8,
                          /* the file as it is: the renderers' decoding,
                           * not their check against the probe, fails */
                          .file_size = (size_t)bad_st.st_size};
    int img = fo_dl_doc_image(d, bad, &info);
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_IMAGE);
    op->u.image =
        (fo_dl_image){.image = img, .x = 10, .y = 10, .w = 20, .h = 20};
    op = fo_dl_page_add(pg, FO_DL_IMAGE); /* placed twice: one error */
    op->u.image =
        (fo_dl_image){.image = img, .x = 40, .y = 40, .w = 20, .h = 20};
    fo_diags_init(&dg);
    assert_int_equal(fo_render_pdf(d, path, &opts, &dg), FO_ERR_INPUT);
    assert_int_equal(dg.n, 1);
    assert_non_null(
        strstr(dg.items[0].message, "truncated.png': bad PNG data"));
    assert_int_equal(file_size(path), -1);
    snprintf(path, sizeof path, "%s/bad.png", f->dir);
    assert_int_equal(fo_render_png(d, 0, 72, path, &dg), FO_ERR_INPUT);
    /* The same problem again: the sink keeps one diagnostic. */
    assert_int_equal(dg.n, 1);
    assert_int_equal(dg.errors, 1);
    assert_int_equal(file_size(path), -1);
    assert_int_equal(fo_render_png(d, 5, 72, path, &dg), FO_ERR_USAGE);
    fo_dl_doc_free(d);
    fo_diags_free(&dg);
}

/* ---- images ------------------------------------------------------------ */

/* A page placing every fixture of tests/fixtures/images (make.sh: 32 x 24,
 * quadrants red, green / blue, yellow and a white dot) in a 6-column grid
 * of 48 x 36 pt boxes, plus rgb8.png a second time, orient6.jpg enlarged
 * and clipped, and rgba8.png shrunk into 12 x 9 pt. */
static const char *const img_files[] = {
    "grey1.png",    "grey2.png",          "grey4.png",
    "grey8.png",    "grey16.png",         "grey-alpha.png",
    "rgb8.png",     "rgb16.png",          "rgba8.png",
    "rgba16.png",   "palette.png",        "palette-trns.png",
    "rgb-trns.png", "rgb-interlaced.png", "rgba-interlaced.png",
    "baseline.jpg", "progressive.jpg",    "grey.jpg",
    "dense.jpg",    "cmyk-adobe.jpg",     "cmyk-plain.jpg",
    "orient1.jpg",  "orient2.jpg",        "orient3.jpg",
    "orient4.jpg",  "orient5.jpg",        "orient6.jpg",
    "orient7.jpg",  "orient8.jpg"};
#define NIMG ((int)(sizeof img_files / sizeof img_files[0]))
#define NSMASK                                                                 \
    6 /* grey-alpha, rgba8, rgba16, palette-trns, rgb-trns,                    \
         rgba-interlaced */
#define IMG_PAGE_W 400.0
#define IMG_PAGE_H 360.0

/* Raster comparison for image pages (measured with Cairo 1.16, poppler
 * 22.12): both sides decode the same pixels with the same libjpeg and
 * resample them with the same Cairo filter (pdftocairo's choice, which
 * png.c copies; alpha as a separate mask, as poppler draws an SMask), so
 * every grey, RGB and palette image, enlarged 2.1x (100 dpi, bilinear),
 * 6.3x (300 dpi, nearest) or shrunk, agrees to a largest channel
 * difference of 1 at 100 dpi and 0 at 300 dpi. Text pages allow 64 on
 * 0.01 % of the page (antialiasing); image pages allow IMG_TOLERANCE on
 * IMG_MAX_SHARE of each image's box, slack for another poppler's or
 * Cairo's resampling, and a wrong orientation, colour or position fails
 * it by far. CMYK images differ by design: the preview converts CMYK
 * naively, poppler with its own approximation (61 per channel at most on
 * these colours), so they get IMG_CMYK_TOLERANCE until soft proofing
 * replaces both. */
#define IMG_TOLERANCE 16
#define IMG_MAX_SHARE 0.01 /* of the box's pixels */
#define IMG_CMYK_TOLERANCE 80

typedef struct img_box {
    int image;
    double x, y, w, h;
} img_box;

typedef struct img_fixture {
    char dir[64];
    fo_dl_doc *doc;
    img_box boxes[NIMG + 3];
    int nboxes;
    char pdf[128], pdf2[128];
} img_fixture;

typedef struct raster {
    png_image im;
    unsigned char *px; /* RGBA */
} raster;

static void raster_load(raster *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->im.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&r->im, path));
    r->im.format = PNG_FORMAT_RGBA;
    r->px = malloc(PNG_IMAGE_SIZE(r->im));
    assert_non_null(r->px);
    assert_true(png_image_finish_read(&r->im, NULL, r->px, 0, NULL));
}

static const unsigned char *raster_at(const raster *r, int x, int y)
{
    assert_true(x >= 0 && (unsigned)x < r->im.width && y >= 0 &&
                (unsigned)y < r->im.height);
    return r->px + ((size_t)y * r->im.width + (size_t)x) * 4;
}

static int img_setup(void **state)
{
    img_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/fo_render_img_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    fo_dl_doc *doc = f->doc = fo_dl_doc_new();
    fo_dl_page *pg = fo_dl_doc_add_page(doc, IMG_PAGE_W, IMG_PAGE_H);
    for (int i = 0; i < NIMG; i++) {
        char path[512], why[200];
        fo_image_info info;
        snprintf(path, sizeof path, FO_TEST_SRC "/tests/fixtures/images/%s",
                 img_files[i]);
        if (fo_image_probe(path, &info, why, sizeof why) != FO_OK)
            fail_msg("%s: %s", path, why);
        int idx = fo_dl_doc_image(doc, path, &info);
        assert_int_equal(idx, i);
        f->boxes[f->nboxes++] =
            (img_box){idx, 12 + (i % 6) * 64, 12 + (i / 6) * 52, 48, 36};
    }
    /* rgb8.png again: the same XObject */
    f->boxes[f->nboxes++] = (img_box){6, 12 + 5 * 64, 12 + 4 * 52, 48, 36};
    /* rgba8.png shrunk */
    f->boxes[f->nboxes++] = (img_box){8, 140, 290, 12, 9};
    for (int i = 0; i < f->nboxes; i++) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_IMAGE);
        const img_box *b = &f->boxes[i];
        op->u.image = (fo_dl_image){
            .image = b->image, .x = b->x, .y = b->y, .w = b->w, .h = b->h};
    }
    /* orient6.jpg at 96 x 72, clipped to its upper left part */
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_IMAGE);
    op->u.image = (fo_dl_image){.image = 26,
                                .x = 12,
                                .y = 270,
                                .w = 96,
                                .h = 72,
                                .clip = 1,
                                .cx = 20,
                                .cy = 276,
                                .cw = 60,
                                .ch = 40};
    snprintf(f->pdf, sizeof f->pdf, "%s/img.pdf", f->dir);
    snprintf(f->pdf2, sizeof f->pdf2, "%s/img2.pdf", f->dir);
    fo_diags d;
    fo_diags_init(&d);
    fo_pdf_opts opts = {.epoch = 1700000000, .compress = 1};
    fo_status st = fo_render_pdf(doc, f->pdf, &opts, &d);
    if (st == FO_OK)
        st = fo_render_pdf(doc, f->pdf2, &opts, &d);
    if (st != FO_OK)
        fo_diags_print(&d, stderr);
    assert_int_equal(st, FO_OK);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
    *state = f;
    return 0;
}

static int img_teardown(void **state)
{
    img_fixture *f = *state;
    if (!f)
        return 0;
    fixture_remove_dir(f->dir);
    fo_dl_doc_free(f->doc);
    free(f);
    return 0;
}

static void test_img_qpdf_check_and_deterministic(void **state)
{
    img_fixture *f = *state;
    int rc;
    char *o = runf(&rc, "qpdf --check '%s' 2>&1", f->pdf);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "No syntax or stream encoding errors"));
    assert_null(strstr(o, "WARNING"));
    free(o);
    o = runf(&rc, "cmp '%s' '%s' 2>&1", f->pdf, f->pdf2);
    assert_int_equal(rc, 0);
    free(o);
}

/* One image XObject per distinct file however often it is placed, plus
 * one SMask per image with alpha; plain CMYK has no /Decode, Adobe CMYK
 * has the inverting one; opaque 8-bit PNGs keep their compressed data. */
static void test_img_one_xobject_per_file(void **state)
{
    img_fixture *f = *state;
    int rc;
    char *o = runf(&rc,
                   "qpdf --qdf --object-streams=disable '%s' - | "
                   "grep -a -c '/Subtype /Image'",
                   f->pdf);
    int images = atoi(o);
    free(o);
    o = runf(&rc,
             "qpdf --qdf --object-streams=disable '%s' - | "
             "grep -a -c '/SMask [0-9]* 0 R'",
             f->pdf);
    int smasks = atoi(o);
    free(o);
    print_message("%d image XObjects, %d of them SMasks\n", images, smasks);
    assert_int_equal(smasks, NSMASK);
    assert_int_equal(images - smasks, NIMG);
    o = runf(&rc,
             "qpdf --qdf --object-streams=disable '%s' - | "
             "grep -a -c '/Decode'",
             f->pdf);
    assert_int_equal(atoi(o), 1); /* cmyk-adobe.jpg only */
    free(o);
    /* rgb8.png and grey8.png go in as their IDAT bytes (the raster tests
     * below compare them with poppler's rendering) */
    o = runf(&rc,
             "qpdf --qdf --stream-data=preserve --object-streams=disable "
             "'%s' - | grep -a -c '/Predictor 15'",
             f->pdf);
    assert_int_equal(atoi(o), 2);
    free(o);
}

/* Renders the page with Cairo and pdftocairo at dpi and loads both. */
static void img_rasters(const img_fixture *f, int dpi, raster *cairo_r,
                        raster *pop)
{
    char png[160], ref[160];
    snprintf(png, sizeof png, "%s/cairo-%d.png", f->dir, dpi);
    snprintf(ref, sizeof ref, "%s/poppler-%d", f->dir, dpi);
    fo_diags d;
    fo_diags_init(&d);
    assert_int_equal(fo_render_png(f->doc, 0, dpi, png, &d), FO_OK);
    fo_diags_free(&d);
    int rc;
    char *o = runf(&rc, "pdftocairo -r %d -png -singlefile '%s' '%s' 2>&1", dpi,
                   f->pdf, ref);
    assert_int_equal(rc, 0);
    assert_string_equal(o, "");
    free(o);
    strcat(ref, ".png");
    raster_load(cairo_r, png);
    raster_load(pop, ref);
    assert_int_equal(cairo_r->im.width, pop->im.width);
    assert_int_equal(cairo_r->im.height, pop->im.height);
}

static int is_cmyk(int image)
{
    return strncmp(img_files[image], "cmyk", 4) == 0;
}

/* The preview is the print, image by image: Cairo's PNG against
 * pdftocairo's raster in each box. */
static void test_img_png_matches_pdf(void **state)
{
    img_fixture *f = *state;
    const int dpis[] = {100, 300};
    for (int k = 0; k < 2; k++) {
        raster a, b;
        img_rasters(f, dpis[k], &a, &b);
        double s = dpis[k] / 72.0;
        int worst = 0, worst_cmyk = 0;
        for (int i = 0; i < f->nboxes; i++) {
            const img_box *bx = &f->boxes[i];
            int x0 = (int)floor(bx->x * s), y0 = (int)floor(bx->y * s);
            int x1 = (int)ceil((bx->x + bx->w) * s),
                y1 = (int)ceil((bx->y + bx->h) * s);
            int cmyk = is_cmyk(bx->image);
            int tol = cmyk ? IMG_CMYK_TOLERANCE : IMG_TOLERANCE;
            long n = 0, bad = 0;
            int maxd = 0;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++, n++) {
                    const unsigned char *p = raster_at(&a, x, y),
                                        *q = raster_at(&b, x, y);
                    int dmax = 0;
                    for (int c = 0; c < 3; c++) {
                        int dd = abs(p[c] - q[c]);
                        dmax = dd > dmax ? dd : dmax;
                    }
                    maxd = dmax > maxd ? dmax : maxd;
                    bad += dmax > tol;
                }
            if (cmyk)
                worst_cmyk = maxd > worst_cmyk ? maxd : worst_cmyk;
            else
                worst = maxd > worst ? maxd : worst;
            if ((double)bad > IMG_MAX_SHARE * (double)n)
                fail_msg("%d dpi, %s at (%g, %g): %ld of %ld pixels differ "
                         "by more than %d (max %d)",
                         dpis[k], img_files[bx->image], bx->x, bx->y, bad, n,
                         tol, maxd);
        }
        print_message("%d dpi: largest channel difference %d (CMYK %d)\n",
                      dpis[k], worst, worst_cmyk);
        free(a.px);
        free(b.px);
    }
}

/* Colour at the shown picture's quadrant centres and dot: the same for
 * every file once its EXIF orientation is applied. */
static const double quad_pts[5][2] = {{8.5 / 32, 6.5 / 24},
                                      {24.5 / 32, 6.5 / 24},
                                      {8.5 / 32, 18.5 / 24},
                                      {24.5 / 32, 18.5 / 24},
                                      {4.0 / 32, 4.0 / 24}};
static const int quad_rgb[5][3] = {{220, 30, 30},
                                   {30, 160, 60},
                                   {30, 60, 200},
                                   {240, 220, 40},
                                   {255, 255, 255}};

/* Checks box i of raster r (at dpi) shows the upright picture within
 * tol. */
static void check_upright(const img_fixture *f, const raster *r, int dpi, int i,
                          int tol, const char *who)
{
    const img_box *bx = &f->boxes[i];
    double s = dpi / 72.0;
    for (int p = 0; p < 5; p++) {
        int x = (int)((bx->x + quad_pts[p][0] * bx->w) * s),
            y = (int)((bx->y + quad_pts[p][1] * bx->h) * s);
        const unsigned char *px = raster_at(r, x, y);
        for (int c = 0; c < 3; c++)
            if (abs(px[c] - quad_rgb[p][c]) > tol)
                fail_msg("%s: %s point %d: (%d, %d, %d), want (%d, %d, %d)",
                         who, img_files[bx->image], p, px[0], px[1], px[2],
                         quad_rgb[p][0], quad_rgb[p][1], quad_rgb[p][2]);
    }
}

static void test_img_orientations_upright(void **state)
{
    img_fixture *f = *state;
    raster a, b;
    img_rasters(f, 100, &a, &b);
    for (int i = 0; i < NIMG; i++)
        if (strncmp(img_files[i], "orient", 6) == 0 ||
            strcmp(img_files[i], "baseline.jpg") == 0 ||
            strcmp(img_files[i], "rgb8.png") == 0) {
            check_upright(f, &a, 100, i, 16, "cairo");
            check_upright(f, &b, 100, i, 16, "pdftocairo");
        }
    /* the clip: orient6 at 96 x 72 from (12, 270), clipped to (20, 276)
     * 60 x 40: its red quadrant shows inside the clip, white outside */
    double s = 100 / 72.0;
    const raster *rs[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        const unsigned char *in =
            raster_at(rs[k], (int)(40 * s), (int)(300 * s));
        const unsigned char *left =
            raster_at(rs[k], (int)(15 * s), (int)(300 * s));
        const unsigned char *below =
            raster_at(rs[k], (int)(40 * s), (int)(330 * s));
        assert_true(abs(in[0] - 220) <= 16 && abs(in[1] - 30) <= 16);
        assert_true(left[0] == 255 && left[1] == 255 && left[2] == 255);
        assert_true(below[0] == 255 && below[1] == 255 && below[2] == 255);
    }
    free(a.px);
    free(b.px);
}

/* Other readers: mupdf and Ghostscript render the page without a word,
 * and show CMYK (Adobe and plain) with the right colours, not
 * inverted (their CMYK conversions differ from ours: loose tolerance). */
static void test_img_other_readers(void **state)
{
    img_fixture *f = *state;
    char mu[160], gs[160];
    snprintf(mu, sizeof mu, "%s/mutool.png", f->dir);
    snprintf(gs, sizeof gs, "%s/gs.png", f->dir);
    int rc;
    /* this mupdf build says it has no ICC support, whatever the file */
    char *o = runf(&rc, "mutool draw -q -r 100 -o '%s' '%s' 2>'%s.err'", mu,
                   f->pdf, mu);
    assert_int_equal(rc, 0);
    free(o);
    o = runf(&rc, "grep -v '^warning: ICC support is not available$' '%s.err'",
             mu);
    assert_string_equal(o, "");
    free(o);
    o = runf(&rc,
             "gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=png16m -r100 "
             "-o '%s' '%s' 2>&1",
             gs, f->pdf);
    assert_int_equal(rc, 0);
    assert_string_equal(o, "");
    free(o);
    const char *paths[2] = {mu, gs};
    for (int k = 0; k < 2; k++) {
        raster r;
        raster_load(&r, paths[k]);
        for (int i = 0; i < NIMG; i++)
            if (is_cmyk(i) || strncmp(img_files[i], "orient", 6) == 0)
                check_upright(f, &r, 100, i, 64, k ? "gs" : "mutool");
        free(r.px);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_extracts_exactly),
        cmocka_unit_test(test_qpdf_check_clean),
        cmocka_unit_test(test_fonts_embedded_subset_unicode),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_uncompressed),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_outline_and_links),
        cmocka_unit_test(test_writer_any_order),
        cmocka_unit_test(test_stext_positions),
        cmocka_unit_test(test_png_matches_pdf),
        cmocka_unit_test(test_png_shift_detected),
        cmocka_unit_test(test_errors_leave_no_file),
    };
    const struct CMUnitTest img_tests[] = {
        cmocka_unit_test(test_img_qpdf_check_and_deterministic),
        cmocka_unit_test(test_img_one_xobject_per_file),
        cmocka_unit_test(test_img_png_matches_pdf),
        cmocka_unit_test(test_img_orientations_upright),
        cmocka_unit_test(test_img_other_readers),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    failed += cmocka_run_group_tests(img_tests, img_setup, img_teardown);
    return failed;
}
