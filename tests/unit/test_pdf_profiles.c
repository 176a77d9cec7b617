/* Unit tests for the PDF output profiles (render.h, pdf_private.h) and
 * what they share with the PNG soft proof (color.h, pixels.h): the
 * pixel helpers (flattening on white, area-averaging resampling, colour
 * conversion through the shipped ICC profiles), the XMP packet and the
 * printer's marks, then one small document rendered in each profile and
 * read back uncompressed: boxes, CMYK operators, K-only black, output
 * intents, XMP. The whole sample yearbook is checked by
 * tests/cli/print_profiles.sh. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/pdf_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define CMYK_ICC FO_TEST_SRC "/assets/profiles/ISOcoated_v2_300_bas.icc"
#define SRGB_ICC FO_TEST_SRC "/assets/profiles/sRGB.icc"

static unsigned char *bytes(size_t n)
{
    return calloc(n ? n : 1, 1);
}

static void test_flatten(void **state)
{
    (void)state;
    fo_pixels px = {2, 1, 3, bytes(6), bytes(2)};
    memcpy(px.data, "\xff\x00\x00\x00\x00\xff", 6);
    px.alpha[0] = 255; /* opaque red stays red */
    px.alpha[1] = 0;   /* transparent blue becomes white */
    fo_pixels_flatten(&px);
    assert_null(px.alpha);
    assert_memory_equal(px.data, "\xff\x00\x00\xff\xff\xff", 6);
    fo_pixels_free(&px);

    fo_pixels g = {1, 1, 1, bytes(1), bytes(1)};
    g.data[0] = 0;
    g.alpha[0] = 128; /* half black on white */
    fo_pixels_flatten(&g);
    assert_in_range(g.data[0], 126, 128);
    fo_pixels_free(&g);
}

static void test_resample_averages(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    /* A 1-pixel black and white checkerboard: each 2 x 2 block averages
     * to mid grey; a nearest-neighbour scaler would give 0 or 255. */
    fo_pixels px = {8, 8, 1, bytes(64), NULL};
    for (int i = 0; i < 64; i++)
        px.data[i] = ((i % 8) + (i / 8)) % 2 ? 255 : 0;
    assert_int_equal(fo_pixels_resample(&px, 4, 4, &d), FO_OK);
    assert_int_equal(px.w, 4);
    assert_int_equal(px.h, 4);
    for (int i = 0; i < 16; i++)
        assert_in_range(px.data[i], 100, 155);
    fo_pixels_free(&px);

    /* Alpha is averaged, colour is not darkened by transparent pixels. */
    fo_pixels a = {2, 2, 3, bytes(12), bytes(4)};
    for (int i = 0; i < 4; i++) {
        a.data[i * 3] = 200;
        a.alpha[i] = i % 2 ? 255 : 0;
    }
    assert_int_equal(fo_pixels_resample(&a, 1, 1, &d), FO_OK);
    assert_in_range(a.alpha[0], 120, 135);
    assert_in_range(a.data[0], 195, 205);
    fo_pixels_free(&a);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
}

static void test_cms(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_cms *cms = fo_cms_new(CMYK_ICC, SRGB_ICC, &d);
    assert_non_null(cms);
    /* white, black, pure red */
    fo_pixels px = {3, 1, 3, bytes(9), NULL};
    memcpy(px.data, "\xff\xff\xff\x00\x00\x00\xff\x00\x00", 9);
    assert_int_equal(fo_cms_to_cmyk(cms, &px, &d), FO_OK);
    assert_int_equal(px.comps, 4);
    for (int k = 0; k < 4; k++)
        assert_in_range(px.data[k], 0, 3); /* white: no ink */
    assert_true(px.data[4 + 3] > 200);     /* black: mostly K */
    assert_true(px.data[8 + 1] > 200 && px.data[8 + 2] > 200); /* red: M+Y */
    assert_true(px.data[8 + 0] < 40);
    /* and back: white stays white */
    assert_int_equal(fo_cms_to_rgb(cms, &px, &d), FO_OK);
    assert_int_equal(px.comps, 3);
    for (int k = 0; k < 3; k++)
        assert_true(px.data[k] > 245);
    fo_pixels_free(&px);
    fo_cms_free(cms);

    /* no CMYK profile: an error, not a crash */
    cms = fo_cms_new(NULL, NULL, &d);
    fo_pixels one = {1, 1, 3, bytes(3), NULL};
    assert_int_not_equal(fo_cms_to_cmyk(cms, &one, &d), FO_OK);
    assert_true(d.errors > 0);
    fo_pixels_free(&one);
    fo_cms_free(cms);
    fo_diags_free(&d);
}

static void test_icc_files(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    char *icc = NULL;
    size_t len = 0;
    assert_int_equal(fo_pdf_read_icc(CMYK_ICC, 4, &icc, &len, &d), FO_OK);
    assert_true(len > 128);
    free(icc);
    assert_int_equal(fo_pdf_read_icc(SRGB_ICC, 3, &icc, &len, &d), FO_OK);
    free(icc);
    /* the wrong kind is refused */
    assert_int_equal(fo_pdf_read_icc(SRGB_ICC, 4, &icc, &len, &d),
                     FO_ERR_INPUT);
    assert_int_equal(d.errors, 1);
    fo_diags_free(&d);
}

static void test_xmp(void **state)
{
    (void)state;
    fo_dl_doc *doc = fo_dl_doc_new();
    doc->title = "A & B <Nam Định>";
    doc->author = "Sở";
    fo_buf b;
    fo_buf_init(&b, 0);
    assert_int_equal(
        fo_pdf_xmp(doc, 1700000000, "P", "folio", FO_PDF_XMP_PDFA1B, &b),
        FO_OK);
    assert_int_equal(fo_buf_puts(&b, ""), FO_OK);
    const char *x = b.data;
    assert_non_null(strstr(x, ">A &amp; B &lt;Nam Định&gt;</rdf:li>"));
    assert_non_null(strstr(x, "<rdf:li>Sở</rdf:li>"));
    assert_non_null(
        strstr(x, "<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>"));
    assert_non_null(strstr(x, "<pdfaid:part>1</pdfaid:part>"));
    assert_non_null(strstr(x, "<pdfaid:conformance>B</pdfaid:conformance>"));
    assert_non_null(strstr(x, "<?xpacket end=\"w\"?>"));
    fo_buf_free(&b);
    fo_dl_doc_free(doc);
}

/* A box lies in the slug: inside the media, clear of the bleed box. */
static void assert_in_slug(double x0, double y0, double x1, double y1,
                           double off, double w, double h, double bleed)
{
    double lo_x = fmin(x0, x1), hi_x = fmax(x0, x1);
    double lo_y = fmin(y0, y1), hi_y = fmax(y0, y1);
    assert_true(lo_x >= 0 && lo_y >= 0 && hi_x <= w + 2 * off &&
                hi_y <= h + 2 * off);
    double b0 = off - bleed, bx = off + w + bleed, by = off + h + bleed;
    /* a crop mark may touch the trim line's extension, never the box */
    assert_true(hi_x < b0 || lo_x > bx || hi_y < b0 || lo_y > by);
}

static void test_marks(void **state)
{
    (void)state;
    const double bleed = 3 * FO_PDF_MM, off = bleed + FO_PDF_SLUG;
    const double w = 420, h = 595, folds[2] = {140, 280};
    for (int all = 0; all < 2; all++) {
        fo_buf b;
        fo_buf_init(&b, 0);
        fo_pdf_marks_geom g = {off,
                               off,
                               w,
                               h,
                               bleed,
                               FO_PDF_SLUG,
                               folds,
                               2,
                               all ? FO_DL_MARKS_ALL
                                   : FO_DL_MARK_CROP | FO_DL_MARK_REGISTRATION};
        assert_int_equal(fo_pdf_marks(&b, &g), FO_OK);
        assert_int_equal(fo_buf_puts(&b, ""), FO_OK);
        assert_non_null(strstr(b.data, "0.25 w\n1 1 1 1 K\n"));
        int lines = 0, patches = 0;
        for (const char *p = b.data; *p; p++) {
            double v[4];
            int n = 0;
            if (sscanf(p, "%lf %lf m %lf %lf l S\n%n", &v[0], &v[1], &v[2],
                       &v[3], &n) == 4 &&
                n > 0 && (p == b.data || p[-1] == '\n')) {
                assert_in_slug(v[0], v[1], v[2], v[3], off, w, h, bleed);
                lines++;
            } else if (sscanf(p, "%lf %lf %lf %lf re f\n%n", &v[0], &v[1],
                              &v[2], &v[3], &n) == 4 &&
                       n > 0 && (p == b.data || p[-1] == '\n')) {
                assert_in_slug(v[0], v[1], v[0] + v[2], v[1] + v[3], off, w, h,
                               bleed);
                patches++;
            }
        }
        /* 4 corners x 2, 4 targets x 2; then 2 folds x 2 */
        assert_int_equal(lines, all ? 8 + 8 + 4 : 8 + 8);
        assert_int_equal(patches, all ? 19 : 0);
        if (all) {
            assert_non_null(strstr(b.data, "0 0 0 1 k\n"));
            assert_non_null(strstr(b.data, "0.5 0 0 0 k\n"));
        }
        fo_buf_free(&b);
    }
}

/* ---- whole documents ------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 24);
    *len = fread(buf, 1, (1 << 24) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static int has(const char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(buf + i, s, n) == 0)
            return 1;
    return 0;
}

static fo_dl_doc *small_doc(void)
{
    fo_dl_doc *doc = fo_dl_doc_new();
    doc->bleed = 3 * FO_PDF_MM;
    doc->title = "Test";
    fo_dl_page *pg = fo_dl_doc_add_page(doc, 595.28, 841.89);
    fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
    /* a full-bleed band, then a black rule */
    op->u.rect =
        (fo_dl_rect){-doc->bleed, -doc->bleed, 595.28 + 2 * doc->bleed, 100,
                     (fo_color){0, 0.9, 0.85, 0.3, 0.7, 0.07, 0.1, 0}};
    op = fo_dl_page_add(pg, FO_DL_LINE);
    op->u.line =
        (fo_dl_line){50, 200, 300, 200, 1, (fo_color){0, 0, 0, 1, 0, 0, 0, 0}};
    return doc;
}

static void render_x(fo_profile prof, const char *cmyk, const char *path,
                     fo_status want, fo_dl_pdfx pdfx)
{
    fo_dl_doc *doc = small_doc();
    doc->print.pdfx = pdfx;
    fo_diags d;
    fo_diags_init(&d);
    fo_pdf_opts o = {.epoch = 1700000000,
                     .compress = 0,
                     .profile = prof,
                     .screen_ppi = 150,
                     .cmyk_icc = cmyk,
                     .srgb_icc = SRGB_ICC};
    assert_int_equal(fo_render_pdf(doc, path, &o, &d), want);
    fo_diags_free(&d);
    fo_dl_doc_free(doc);
}

static void render(fo_profile prof, const char *cmyk, const char *path,
                   fo_status want)
{
    render_x(prof, cmyk, path, want, FO_DL_PDFX_4);
}

static void test_documents(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo_pdf_profiles_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    size_t len;
    (void)snprintf(path, sizeof path, "%s/p.pdf", dir);

    /* PDF/X-4, the default: PDF 1.6, XMP saying so */
    render(FO_PROFILE_PRINT, CMYK_ICC, path, FO_OK);
    char *s = slurp(path, &len);
    assert_memory_equal(s, "%PDF-1.6", 8);
    assert_true(has(s, len, "/GTS_PDFXVersion (PDF\\057X-4)"));
    assert_false(has(s, len, "/GTS_PDFXConformance"));
    assert_true(has(
        s, len, "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"));
    assert_true(has(s, len, "/Metadata"));
    free(s);
    assert_int_equal(remove(path), 0);

    render_x(FO_PROFILE_PRINT, CMYK_ICC, path, FO_OK, FO_DL_PDFX_1A);
    s = slurp(path, &len);
    assert_memory_equal(s, "%PDF-1.3", 8);
    assert_false(has(s, len, "/Metadata"));
    assert_true(has(s, len, "/TrimBox [ 36.85 36.85 632.13 878.7"));
    assert_true(has(s, len, "/BleedBox [ 28.346 28.346 640.63"));
    assert_true(has(s, len, "0 0.9 0.85 0.3 k\n"));
    assert_true(has(s, len, "0 0 0 1 K\n"));
    assert_true(has(s, len, "1 1 1 1 K\n"));
    assert_false(has(s, len, " rg\n"));
    assert_false(has(s, len, " RG\n"));
    assert_true(has(s, len, "/GTS_PDFX"));
    assert_true(has(s, len, "/N 4"));
    assert_true(has(s, len, "/GTS_PDFXVersion (PDF\\057X-1:2001)"));
    assert_true(has(s, len, "/Trapped /False"));
    free(s);
    assert_int_equal(remove(path), 0);

    /* print without an output profile: an error, no file */
    render(FO_PROFILE_PRINT, NULL, path, FO_ERR_INPUT);
    assert_int_not_equal(access(path, F_OK), 0);

    render(FO_PROFILE_SCREEN, CMYK_ICC, path, FO_OK);
    s = slurp(path, &len);
    assert_memory_equal(s, "%PDF-1.5", 8);
    assert_true(has(s, len, "0.7 0.07 0.1 rg\n"));
    assert_false(has(s, len, "/TrimBox"));
    assert_false(has(s, len, "/OutputIntents"));
    free(s);
    assert_int_equal(remove(path), 0);

    render(FO_PROFILE_ARCHIVE, CMYK_ICC, path, FO_OK);
    s = slurp(path, &len);
    assert_memory_equal(s, "%PDF-1.4", 8);
    assert_true(has(s, len, "/GTS_PDFA1"));
    assert_true(has(s, len, "/N 3"));
    assert_true(has(s, len, "<pdfaid:part>1</pdfaid:part>"));
    assert_true(has(s, len, "/Metadata"));
    free(s);
    assert_int_equal(remove(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_resample_averages),
        cmocka_unit_test(test_cms),
        cmocka_unit_test(test_icc_files),
        cmocka_unit_test(test_xmp),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
