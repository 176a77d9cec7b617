/* Unit tests for the PNG renderer's soft proof (render.h fo_png_opts):
 * a page of CMYK swatches and a CMYK image, rendered with soft_proof
 * through assets/profiles/ISOcoated_v2_300_bas.icc, must show the sRGB
 * values LittleCMS predicts for that profile, not the naive RGB
 * equivalents; without soft_proof the renderer draws the swatches' RGB
 * as before; with bleed the PNG grows by the bleed on every side.
 *
 * Reference values: transicc (liblcms2-utils 2.14) with
 *   transicc -i ISOcoated_v2_300_bas.icc -o sRGB.icc -t0 -b
 * (perceptual, black-point compensation, as the PDF renderer converts),
 * rounded and clamped to 0..255. cli/proof_softproof.sh runs transicc
 * itself when it is installed. The renderer converts 8-bit samples, so a
 * channel may be off by the rounding of the 8-bit pipeline: TOLERANCE. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/render.h"

#include <png.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOLERANCE 2
#define DPI 72.0
#define SWATCH 20.0 /* pt: a swatch is 20 x 20 pixels at 72 dpi */

#ifndef FO_TEST_SRC
#define FO_TEST_SRC "."
#endif

typedef struct swatch {
    double c, m, y, k; /* 0..1 */
    int want[3];       /* transicc, rounded and clamped */
    double r, g, b;    /* the naive RGB equivalent a template would give */
} swatch;

static const swatch SWATCHES[] = {
    {1, 0, 0, 0, {0, 158, 232}, 0, 1, 1},
    {0, 1, 0, 0, {229, 0, 123}, 1, 0, 1},
    {0, 0, 0, 1, {23, 22, 21}, 0, 0, 0},
    {.6, .2, 0, .1, {92, 160, 210}, .36, .72, .9},
};
#define NSW (sizeof SWATCHES / sizeof *SWATCHES)

static char *icc_path(const char *name)
{
    size_t n = strlen(FO_TEST_SRC) + strlen(name) + 32;
    char *p = malloc(n);
    assert_non_null(p);
    (void)snprintf(p, n, "%s/assets/profiles/%s", FO_TEST_SRC, name);
    return p;
}

/* A page of one swatch per column, each a rect in the swatch's colour. */
static fo_dl_doc *swatch_doc(void)
{
    fo_dl_doc *doc = fo_dl_doc_new();
    doc->bleed = 9;
    fo_dl_page *pg = fo_dl_doc_add_page(doc, SWATCH * NSW, SWATCH);
    for (size_t i = 0; i < NSW; i++) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        const swatch *s = &SWATCHES[i];
        op->u.rect =
            (fo_dl_rect){.x = SWATCH * (double)i,
                         .y = 0,
                         .w = SWATCH,
                         .h = SWATCH,
                         .color = {s->c, s->m, s->y, s->k, s->r, s->g, s->b}};
    }
    return doc;
}

typedef struct raster {
    int w, h;
    unsigned char *rgba;
} raster;

static raster read_png(const char *path)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&im, path));
    im.format = PNG_FORMAT_RGBA;
    raster r = {(int)im.width, (int)im.height, malloc(PNG_IMAGE_SIZE(im))};
    assert_non_null(r.rgba);
    assert_true(png_image_finish_read(&im, NULL, r.rgba, 0, NULL));
    return r;
}

static const unsigned char *px_at(const raster *r, int x, int y)
{
    return r->rgba + 4 * ((size_t)y * (size_t)r->w + (size_t)x);
}

static void render(const fo_dl_doc *doc, const fo_png_opts *o, const char *path)
{
    fo_diags d;
    fo_diags_init(&d);
    fo_png_renderer *r = fo_png_renderer_new_opts(doc, o, &d);
    assert_non_null(r);
    fo_status st = fo_png_renderer_page(r, 0, DPI, path, &d);
    if (st != FO_OK)
        fo_diags_print(&d, stderr);
    assert_int_equal(st, FO_OK);
    assert_int_equal(d.errors, 0);
    fo_png_renderer_free(r);
    fo_diags_free(&d);
}

static void test_swatches(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo-softproof-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char soft[64], naive[64];
    (void)snprintf(soft, sizeof soft, "%s/soft.png", dir);
    (void)snprintf(naive, sizeof naive, "%s/naive.png", dir);
    char *cmyk = icc_path("ISOcoated_v2_300_bas.icc");
    char *srgb = icc_path("sRGB.icc");
    fo_dl_doc *doc = swatch_doc();
    fo_png_opts so = {.soft_proof = 1, .cmyk_icc = cmyk, .srgb_icc = srgb};
    render(doc, &so, soft);
    render(doc, NULL, naive);
    raster s = read_png(soft), n = read_png(naive);
    assert_int_equal(s.w, (int)(SWATCH * NSW));
    for (size_t i = 0; i < NSW; i++) {
        int x = (int)(SWATCH * (double)i + SWATCH / 2), y = (int)SWATCH / 2;
        const unsigned char *ps = px_at(&s, x, y), *pn = px_at(&n, x, y);
        const swatch *sw = &SWATCHES[i];
        int naive_off = 0;
        for (int c = 0; c < 3; c++) {
            int want = sw->want[c];
            if (abs(ps[c] - want) > TOLERANCE)
                fail_msg("swatch %zu channel %d: soft proof %d, LittleCMS "
                         "predicts %d",
                         i, c, ps[c], want);
            double naive_v = c == 0 ? sw->r : c == 1 ? sw->g : sw->b;
            assert_true(abs(pn[c] - (int)(naive_v * 255 + .5)) <= 1);
            /* The soft proof differs from the naive RGB by what LittleCMS
             * says (the predicted difference, within the tolerance). */
            int predicted = want - (int)(naive_v * 255 + .5);
            assert_true(abs((ps[c] - pn[c]) - predicted) <= TOLERANCE + 1);
            naive_off += abs(predicted);
        }
        assert_true(naive_off > 30); /* the check can tell them apart */
    }
    /* The colour API agrees with the raster. */
    fo_diags d;
    fo_diags_init(&d);
    fo_png_renderer *r = fo_png_renderer_new_opts(doc, &so, &d);
    unsigned char rgb[3];
    fo_color cyan = {1, 0, 0, 0, 0, 1, 1, 0};
    assert_int_equal(fo_png_renderer_color(r, cyan, rgb, &d), FO_OK);
    assert_true(abs(rgb[1] - 158) <= TOLERANCE);
    fo_png_renderer_free(r);
    fo_diags_free(&d);
    free(s.rgba);
    free(n.rgba);
    fo_dl_doc_free(doc);
    free(cmyk);
    free(srgb);
    (void)remove(soft);
    (void)remove(naive);
    (void)rmdir(dir);
}

/* bleed: the PNG is the trim plus doc->bleed on each side, the trim's
 * content moved in by the bleed. */
static void test_bleed(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo-softproof-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    (void)snprintf(path, sizeof path, "%s/bleed.png", dir);
    fo_dl_doc *doc = swatch_doc();
    fo_png_opts o = {.bleed = 1};
    render(doc, &o, path);
    raster b = read_png(path);
    assert_int_equal(b.w, (int)(SWATCH * NSW + 2 * doc->bleed));
    assert_int_equal(b.h, (int)(SWATCH + 2 * doc->bleed));
    const unsigned char *corner = px_at(&b, 2, 2), *in = px_at(&b, 12, 12);
    assert_int_equal(corner[0], 255); /* white bleed around */
    assert_int_equal(in[0], 0);       /* the cyan swatch, moved by 9 px */
    assert_int_equal(in[1], 255);
    free(b.rgba);
    fo_dl_doc_free(doc);
    (void)remove(path);
    (void)rmdir(dir);
}

/* A missing profile is an error reported to the diags, not a crash. */
static void test_missing_profile(void **state)
{
    (void)state;
    fo_dl_doc *doc = swatch_doc();
    fo_diags d;
    fo_diags_init(&d);
    fo_png_opts o = {.soft_proof = 1, .cmyk_icc = "/nonexistent.icc"};
    fo_png_renderer *r = fo_png_renderer_new_opts(doc, &o, &d);
    assert_non_null(r);
    assert_int_not_equal(
        fo_png_renderer_page(r, 0, DPI, "/tmp/fo-softproof-never.png", &d),
        FO_OK);
    assert_true(d.errors > 0);
    assert_int_not_equal(access("/tmp/fo-softproof-never.png", F_OK), 0);
    fo_png_renderer_free(r);
    fo_diags_free(&d);
    fo_dl_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swatches),
        cmocka_unit_test(test_bleed),
        cmocka_unit_test(test_missing_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
