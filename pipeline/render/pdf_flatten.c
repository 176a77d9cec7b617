/* Transparency flattened against the page: a PDF/X-1a file may hold no
 * soft mask, so a transparent image (the province's round logo over the
 * cover photo) is stored opaque. Flattened on white, it would print as a
 * white square on the photo; here it is composited, pixel by pixel, over
 * what the page draws beneath it, in the output intent's CMYK, and stored
 * as an image of its own for that placement (the same logo elsewhere lies
 * on something else).
 *
 * What lies beneath is rendered here at the image's own pixels, from the
 * page's earlier ops: the fills (a tint band, a background) and the images
 * (a photo, an earlier transparent image composited the same way), each
 * through its box, clip and orientation, colours as the print file holds
 * them (swatches' CMYK; RGB images converted through the output profile,
 * grey on K only). Text and rules beneath an image are not part of it: a
 * layout draws images before the text on them, and the logo's box is
 * clear of text on every template. Paper shows where nothing is drawn.
 *
 * The compositing is "over" on ink values, which is what a transparency
 * group blending in DeviceCMYK gives (pdf.c's set_group, PDF/X-4), so the
 * two flavours print alike (tests/cli/print_pdfx.sh).
 *
 * Why by hand: the renderers' Cairo works in RGB, and the result must be
 * the print's CMYK; only fills and images need rendering, at one sample
 * per pixel. */
#include "pdf_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Level of libdeflate for the flattened samples (as pdf_samples.c's
 * images). */
#define FLAT_ZLEVEL 6

_Noreturn static void bug(const char *what)
{
    (void)fprintf(stderr, "folio: pdf_flatten: %s\n", what);
    abort();
}

/* The inverse of the orientation matrix m (an affine map with a 2 x 2
 * part of +-1 and 0: always invertible). */
static void invert(const double m[6], double inv[6])
{
    double det = m[0] * m[3] - m[1] * m[2];
    inv[0] = m[3] / det;
    inv[1] = -m[1] / det;
    inv[2] = -m[2] / det;
    inv[3] = m[0] / det;
    inv[4] = -(inv[0] * m[4] + inv[2] * m[5]);
    inv[5] = -(inv[1] * m[4] + inv[3] * m[5]);
}

/* The page point (trim coordinates, y down) of the centre of stored pixel
 * (i, j) of an image of w x h pixels placed as im says. */
static void pixel_point(const fo_dl_image *im, const double m[6], int w, int h,
                        int i, int j, double *x, double *y)
{
    double p = (i + 0.5) / w, q = (j + 0.5) / h;
    double u = m[0] * p + m[2] * q + m[4], v = m[1] * p + m[3] * q + m[5];
    *x = im->x + im->w * u;
    *y = im->y + im->h * v;
}

/* Decoded pixels of doc image idx as the print holds them: CMYK (RGB
 * through the output profile, grey on K), alpha kept. */
static fo_status decode_cmyk(fo_pdf_ctx *c, const fo_dl_image *use,
                             fo_pixels *px)
{
    const fo_dl_image_src *src = &c->doc->images[use->image];
    char why[256];
    /* reduced while decoding when large: sampled at another image's
     * pixels, a photo needs no more */
    if (fo_image_decode_max(src->path, &src->info, FO_PDF_SAMPLES_MAX, px, why,
                            sizeof why) != FO_OK) {
        fo_image_report(c->d, use->pos, use->src ? use->src : src->path, why);
        c->input_errors++;
        return FO_ERR_INPUT;
    }
    fo_status st = FO_OK;
    if (px->comps == 3)
        st = fo_cms_to_cmyk(c->cms, px, c->d);
    else if (px->comps == 1)
        fo_pixels_grey_to_k(px);
    if (st != FO_OK) {
        fo_pixels_free(px);
        c->input_errors++;
    }
    return st;
}

/* Composites colour s (4 bytes) at alpha a over pixel d. */
static void over(unsigned char *d, const unsigned char *s, unsigned a)
{
    for (int k = 0; k < 4; k++)
        d[k] = (unsigned char)((s[k] * a + d[k] * (255 - a) + 127) / 255);
}

/* Draws image op b into the backdrop bd (w x h pixels of the image im
 * being flattened, placed with orientation m). */
static fo_status draw_image(fo_pdf_ctx *c, const fo_dl_image *b,
                            const fo_dl_image *im, const double m[6], int w,
                            int h, unsigned char *bd)
{
    if (b->image < 0 || (size_t)b->image >= c->doc->nimages || b->w == 0 ||
        b->h == 0)
        return FO_OK; /* reported when it is placed */
    fo_pixels px;
    fo_status st = decode_cmyk(c, b, &px);
    if (st != FO_OK)
        return st;
    double bm[6], inv[6];
    fo_image_orientation_matrix(c->doc->images[b->image].info.orientation, bm);
    invert(bm, inv);
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            double x, y;
            pixel_point(im, m, w, h, i, j, &x, &y);
            if (b->clip && (x < b->cx || y < b->cy || x >= b->cx + b->cw ||
                            y >= b->cy + b->ch))
                continue;
            double u = (x - b->x) / b->w, v = (y - b->y) / b->h;
            if (u < 0 || v < 0 || u >= 1 || v >= 1)
                continue;
            double p = inv[0] * u + inv[2] * v + inv[4];
            double q = inv[1] * u + inv[3] * v + inv[5];
            int si = (int)fmin(px.w - 1, fmax(0, floor(p * px.w)));
            int sj = (int)fmin(px.h - 1, fmax(0, floor(q * px.h)));
            size_t s = (size_t)sj * (size_t)px.w + (size_t)si;
            unsigned a = px.alpha ? px.alpha[s] : 255;
            over(bd + ((size_t)j * (size_t)w + (size_t)i) * 4, px.data + s * 4,
                 a);
        }
    fo_pixels_free(&px);
    return FO_OK;
}

static void draw_rect(const fo_dl_rect *r, const fo_dl_image *im,
                      const double m[6], int w, int h, unsigned char *bd)
{
    const unsigned char col[4] = {
        (unsigned char)lround(fmin(1, fmax(0, r->color.c)) * 255),
        (unsigned char)lround(fmin(1, fmax(0, r->color.m)) * 255),
        (unsigned char)lround(fmin(1, fmax(0, r->color.y)) * 255),
        (unsigned char)lround(fmin(1, fmax(0, r->color.k)) * 255)};
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            double x, y;
            pixel_point(im, m, w, h, i, j, &x, &y);
            if (x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h)
                memcpy(bd + ((size_t)j * (size_t)w + (size_t)i) * 4, col, 4);
        }
}

/* The image XObject holding w x h CMYK samples, deflated. NULL when
 * libharu fails (reported). */
static HPDF_Dict flat_xobject(fo_pdf_ctx *c, const unsigned char *cmyk, int w,
                              int h)
{
    size_t n = (size_t)w * (size_t)h * 4, zl = 0;
    unsigned char *z = NULL;
    HPDF_Dict x = fo_pdf_obj_image_stream(c->pdf);
    CHECK_PTR(c, x, "flattened image");
    if (c->opts->compress) {
        z = fo_pdf_deflate(cmyk, n, FLAT_ZLEVEL, &zl);
        fo_pdf_obj_set_filter(x, HPDF_STREAM_FILTER_NONE,
                              fo_pdf_write_flate_filter);
        CHECK(c, fo_pdf_obj_write(x, z, zl));
    } else {
        CHECK(c, fo_pdf_obj_write(x, cmyk, n));
    }
    CHECK(c, HPDF_Dict_AddName(x, "Type", "XObject"));
    CHECK(c, HPDF_Dict_AddName(x, "Subtype", "Image"));
    CHECK(c, HPDF_Dict_AddNumber(x, "Width", w));
    CHECK(c, HPDF_Dict_AddNumber(x, "Height", h));
    CHECK(c, HPDF_Dict_AddName(x, "ColorSpace", "DeviceCMYK"));
    CHECK(c, HPDF_Dict_AddNumber(x, "BitsPerComponent", 8));
    free(z);
    return x;
out:
    free(z);
    return NULL;
}

fo_status fo_pdf_flatten_image(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                               const fo_dl_image *im)
{
    const fo_dl_page *pg = ps->page;
    size_t at = 0;
    while (at < pg->n && &pg->ops[at].u.image != im)
        at++;
    if (at == pg->n)
        bug("a flattened image that is not an op of its page");
    fo_pixels px;
    fo_status st = decode_cmyk(c, im, &px);
    if (st != FO_OK)
        return FO_OK; /* reported: the file is not written */
    int w = px.w, h = px.h;
    double m[6];
    fo_image_orientation_matrix(c->doc->images[im->image].info.orientation, m);
    /* paper: no ink */
    unsigned char *bd = fo_xcalloc((size_t)w * (size_t)h, 4);
    for (size_t j = 0; j < at && st == FO_OK; j++) {
        const fo_dl_op *op = &pg->ops[j];
        if (op->kind == FO_DL_RECT)
            draw_rect(&op->u.rect, im, m, w, h, bd);
        else if (op->kind == FO_DL_IMAGE)
            st = draw_image(c, &op->u.image, im, m, w, h, bd);
    }
    HPDF_Dict x = NULL;
    if (st == FO_OK) {
        size_t npx = (size_t)w * (size_t)h;
        for (size_t i = 0; i < npx; i++)
            over(bd + i * 4, px.data + i * 4, px.alpha ? px.alpha[i] : 255);
        fo_pdf_hash_bytes(c, bd, npx * 4);
        x = flat_xobject(c, bd, w, h);
        if (!x)
            st = FO_ERR_LIBRARY;
    }
    free(bd);
    fo_pixels_free(&px);
    if (st != FO_OK)
        return st == FO_ERR_LIBRARY ? st : FO_OK; /* input: reported */
    const char *name = HPDF_Page_GetXObjectName(ps->hp, x);
    if (!name) {
        fo_pdf_lib_fail(c, "HPDF_Page_GetXObjectName");
        return FO_ERR_LIBRARY;
    }
    fo_pdf_text_end(o, ps);
    fo_pdf_text_place(c, o, ps, im, name);
    return FO_OK;
}
