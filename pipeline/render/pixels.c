/* Pixel work shared by both renderers (pixels.h).
 *
 * Resampling is Cairo's: an image surface painted scaled down with
 * CAIRO_FILTER_GOOD, which pixman turns into a separable box
 * (area-averaging) filter when shrinking. Cairo is already a dependency
 * of the renderers, so no hand-written filter and no new library. Alpha is
 * premultiplied on the way in (Cairo's ARGB32) and undone on the way out. */
#include "pixels.h"

#include <cairo.h>

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const fo_pos nopos = {NULL, 0, 0};

void fo_pixels_flatten(fo_pixels *px)
{
    if (!px->alpha)
        return;
    size_t npx = (size_t)px->w * (size_t)px->h;
    for (size_t i = 0; i < npx; i++) {
        unsigned a = px->alpha[i];
        if (a == 255) /* opaque, as most pixels of a chart or logo are */
            continue;
        if (a == 0) { /* transparent: white, as its background often is */
            memset(&px->data[i * (size_t)px->comps], px->comps == 4 ? 0 : 255,
                   (size_t)px->comps);
            continue;
        }
        for (int k = 0; k < px->comps; k++) {
            unsigned char *v = &px->data[i * (size_t)px->comps + (size_t)k];
            if (px->comps == 4) /* CMYK: white is no ink */
                *v = (unsigned char)((*v * a + 127) / 255);
            else
                *v = (unsigned char)((*v * a + 255 * (255 - a) + 127) / 255);
        }
    }
    free(px->alpha);
    px->alpha = NULL;
}

void fo_pixels_grey_to_k(fo_pixels *px)
{
    assert(px->comps == 1);
    size_t npx = (size_t)px->w * (size_t)px->h;
    unsigned char *k = fo_xcalloc(npx ? npx : 1, 4);
    for (size_t i = 0; i < npx; i++)
        k[4 * i + 3] = (unsigned char)(255 - px->data[i]);
    free(px->data);
    px->data = k;
    px->comps = 4;
}

/* Copies px into src (Cairo ARGB32 or RGB24, px->w x px->h), grey as
 * R = G = B, colour premultiplied by alpha when px has one. */
static void pixels_to_surface(const fo_pixels *px, cairo_surface_t *src)
{
    int has_a = px->alpha != NULL, nc = px->comps;
    cairo_surface_flush(src);
    unsigned char *sd = cairo_image_surface_get_data(src);
    int ss = cairo_image_surface_get_stride(src);
    for (int y = 0; y < px->h; y++) {
        uint32_t *row = (uint32_t *)(void *)(sd + (size_t)y * (size_t)ss);
        for (int x = 0; x < px->w; x++) {
            size_t i = (size_t)y * (size_t)px->w + (size_t)x;
            const unsigned char *p = px->data + i * (size_t)nc;
            uint32_t r = p[0], g = p[nc > 1 ? 1 : 0], b = p[nc > 1 ? 2 : 0];
            uint32_t a = has_a ? px->alpha[i] : 255;
            if (has_a) {
                r = (r * a + 127) / 255;
                g = (g * a + 127) / 255;
                b = (b * a + 127) / 255;
            }
            row[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
    cairo_surface_mark_dirty(src);
}

/* Paints src scaled to fill dst (w x h) with Cairo's area-averaging
 * filter. Returns 0 on a Cairo error. */
static int scale_surface(cairo_surface_t *src, int sw, int sh,
                         cairo_surface_t *dst, int w, int h)
{
    cairo_t *cr = cairo_create(dst);
    cairo_scale(cr, (double)w / sw, (double)h / sh);
    cairo_set_source_surface(cr, src, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    /* PAD: the edge pixels are not averaged with transparent black. */
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    int ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    return ok;
}

/* Replaces px's pixels with dst's (w x h): nc components (grey takes the
 * red channel), alpha unpremultiplied when has_a. */
static void surface_to_pixels(cairo_surface_t *dst, int w, int h, int nc,
                              int has_a, fo_pixels *px)
{
    cairo_surface_flush(dst);
    const unsigned char *dd = cairo_image_surface_get_data(dst);
    int ds = cairo_image_surface_get_stride(dst);
    size_t npx = (size_t)w * (size_t)h;
    unsigned char *data = fo_xmalloc(npx * (size_t)nc);
    unsigned char *alpha = has_a ? fo_xmalloc(npx) : NULL;
    for (int y = 0; y < h; y++) {
        const uint32_t *row =
            (const uint32_t *)(const void *)(dd + (size_t)y * (size_t)ds);
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            uint32_t v = row[x], a = has_a ? v >> 24 : 255;
            uint32_t c[3] = {(v >> 16) & 255, (v >> 8) & 255, v & 255};
            for (int k = 0; k < 3; k++)
                if (has_a)
                    c[k] = a ? (c[k] * 255 + a / 2) / a : 255;
            if (nc == 1) {
                data[i] = (unsigned char)c[0];
            } else {
                for (int k = 0; k < 3; k++)
                    data[i * 3 + (size_t)k] = (unsigned char)c[k];
            }
            if (alpha)
                alpha[i] = (unsigned char)a;
        }
    }
    free(px->data);
    free(px->alpha);
    px->data = data;
    px->alpha = alpha;
    px->w = w;
    px->h = h;
}

/* CMYK (no alpha): Cairo has no four-channel format, so C, M, Y go as
 * one RGB image and K as a grey one, each through the same filter, and
 * are put back together. */
static fo_status resample_cmyk(fo_pixels *px, int w, int h, fo_diags *d)
{
    size_t n = (size_t)px->w * (size_t)px->h;
    fo_pixels cmy = {.w = px->w, .h = px->h, .comps = 3};
    fo_pixels k = {.w = px->w, .h = px->h, .comps = 1};
    cmy.data = fo_xmalloc(n * 3 + 1);
    k.data = fo_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(cmy.data + i * 3, px->data + i * 4, 3);
        k.data[i] = px->data[i * 4 + 3];
    }
    fo_status st = fo_pixels_resample(&cmy, w, h, d);
    if (st == FO_OK)
        st = fo_pixels_resample(&k, w, h, d);
    if (st == FO_OK) {
        size_t m = (size_t)w * (size_t)h;
        unsigned char *out = fo_xmalloc(m * 4 + 1);
        for (size_t i = 0; i < m; i++) {
            memcpy(out + i * 4, cmy.data + i * 3, 3);
            out[i * 4 + 3] = k.data[i];
        }
        free(px->data);
        px->data = out;
        px->w = w;
        px->h = h;
    }
    free(cmy.data);
    free(k.data);
    return st;
}

fo_status fo_pixels_resample(fo_pixels *px, int w, int h, fo_diags *d)
{
    if (px->comps == 4 && !px->alpha)
        return resample_cmyk(px, w, h, d);
    assert(px->comps == 1 || px->comps == 3);
    assert(w > 0 && h > 0);
    int has_a = px->alpha != NULL, nc = px->comps;
    cairo_format_t fmt = has_a ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
    fo_status st = FO_ERR_LIBRARY;
    cairo_surface_t *src = cairo_image_surface_create(fmt, px->w, px->h);
    cairo_surface_t *dst = cairo_image_surface_create(fmt, w, h);
    if (cairo_surface_status(src) == CAIRO_STATUS_SUCCESS &&
        cairo_surface_status(dst) == CAIRO_STATUS_SUCCESS) {
        pixels_to_surface(px, src);
        if (scale_surface(src, px->w, px->h, dst, w, h)) {
            surface_to_pixels(dst, w, h, nc, has_a, px);
            st = FO_OK;
        }
    }
    if (st != FO_OK)
        fo_error(d, nopos, "Cairo: cannot resample a %d x %d image", px->w,
                 px->h);
    cairo_surface_destroy(src);
    cairo_surface_destroy(dst);
    return st;
}
