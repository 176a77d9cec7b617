/* The PNG renderer: one page of a fo_dl_doc drawn with Cairo's image
 * backend, the preview that must look like the print.
 *
 * Glyphs are drawn by id at exactly the display list's positions, from
 * FreeType faces of the same font files the PDF embeds, with the font
 * options poppler's Cairo backend uses (no hinting, unhinted metrics,
 * grayscale antialiasing), so that the PNG matches `pdftocairo -png` of our
 * PDF at the same resolution. Links and anchors draw nothing.
 *
 * Images are decoded by the image module once per renderer (the surfaces
 * are kept for later pages; a large one reduced while decoding, see
 * IMAGE_MAX), turned into an RGB24 colour surface (CMYK
 * naively to RGB) and an A8 alpha mask, and drawn through the EXIF
 * orientation matrix into their box, clipped when asked, with the filter
 * pdftocairo picks for the same scale, so the preview matches its raster.
 *
 * Soft proof (fo_png_opts.soft_proof): colours and images go through what
 * the print PDF holds (its DeviceCMYK values) and back to sRGB with the
 * LittleCMS converter the PDF writer uses (color.h), so the preview shows
 * the print's gamut through the same output profile and the same
 * transforms rather than a second implementation of them. A fo_color is
 * converted as one 8-bit pixel, as the PDF's images are; the last few
 * results are kept, since a page uses few colours many times.
 *
 * A fo_png_renderer keeps one Cairo font face per fo_dl_font for all the
 * pages it draws. The FT_Face lives as long as Cairo's font face (Cairo may
 * cache it past our last reference), and each face holds a reference to the
 * FT_Library, so neither is freed while Cairo can still use it. */
#include "render.h"
#include "color.h"  /* fo_cms: the print profile's transforms */
#include "pixels.h" /* what the print profile does to images */

#include <cairo.h>
#include <cairo-ft.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_MODULE_H /* FT_Reference_Library, FT_Done_Library */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The smoothing filter for images not enlarged 4 times or more. */
#ifndef IMAGE_FILTER
#define IMAGE_FILTER CAIRO_FILTER_GOOD
#endif

/* Cairo's image surfaces are limited to 32767 pixels a side. */
#define MAX_SIDE 32767
/* An image whose decoded pixels exceed this is reduced while decoding
 * (fo_image_decode_max) to at most this: 32 MB is 2896 pixels square with
 * alpha, 30 inches at the default 96 dpi, more than any page shows, and
 * keeps a preview of any image the probe accepts far below 512 MB
 * (tests/cli/image_limits.sh). Smaller images are drawn as they are. */
#define IMAGE_MAX ((size_t)32 << 20)

/* An image as Cairo draws it (see get_image). */
typedef struct image_surf {
    cairo_surface_t *color, *mask;
} image_surf;

static void image_surf_free(image_surf *im)
{
    if (im->color)
        cairo_surface_destroy(im->color);
    if (im->mask)
        cairo_surface_destroy(im->mask);
    im->color = im->mask = NULL;
}

/* Soft-proofed colours kept per renderer: a page has few. */
#define COLOR_CACHE 32

typedef struct color_memo {
    unsigned char cmyk[4], rgb[3];
} color_memo;

/* The page being drawn, between the walk's begin and end. */
typedef struct png_page {
    double dpi;
    const char *path;
    char **keep; /* write under the temporary name, left here */
    fo_diags *d;
    size_t page;
    cairo_surface_t *surf;
    cairo_t *cr;
    int input_errors;
} png_page;

struct fo_png_renderer {
    const fo_dl_doc *doc;
    fo_png_opts opts;
    fo_cms *cms; /* soft_proof only */
    color_memo memo[COLOR_CACHE];
    int nmemo, next_memo;
    FT_Library lib;
    cairo_font_face_t **faces; /* per fo_dl_font, loaded on first use */
    cairo_font_options_t *options;
    image_surf *images;       /* per fo_dl_doc image, decoded on first use */
    unsigned char *image_bad; /* per image: decoding failed (reported) */
    png_page cur;
};

/* The FT_Face and the library reference that Cairo's font face owns. */
typedef struct ft_hold {
    FT_Library lib;
    FT_Face face;
} ft_hold;

static const cairo_user_data_key_t hold_key;
static const fo_pos nopos = {NULL, 0, 0};

static void hold_destroy(void *p)
{
    ft_hold *h = p;
    FT_Done_Face(h->face);
    FT_Done_Library(h->lib);
    free(h);
}

fo_png_renderer *fo_png_renderer_new(const fo_dl_doc *doc)
{
    fo_png_renderer *r = fo_xcalloc(1, sizeof *r);
    r->doc = doc;
    r->options = cairo_font_options_create();
    /* an array of pointers: sizeof a pointer is meant */
    // NOLINTNEXTLINE(bugprone-sizeof-expression)
    r->faces = fo_xcalloc(doc->nfonts ? doc->nfonts : 1, sizeof *r->faces);
    r->images = fo_xcalloc(doc->nimages ? doc->nimages : 1, sizeof *r->images);
    r->image_bad = fo_xcalloc(doc->nimages ? doc->nimages : 1, 1);
    cairo_font_options_set_hint_style(r->options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(r->options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(r->options, CAIRO_ANTIALIAS_GRAY);
    return r;
}

fo_png_renderer *fo_png_renderer_new_opts(const fo_dl_doc *doc,
                                          const fo_png_opts *opts, fo_diags *d)
{
    fo_png_renderer *r = fo_png_renderer_new(doc);
    if (!opts)
        return r;
    r->opts = *opts;
    if (opts->soft_proof) {
        r->cms = fo_cms_new(opts->cmyk_icc, opts->srgb_icc, d);
        if (!r->cms) {
            fo_png_renderer_free(r);
            return NULL;
        }
    }
    return r;
}

void fo_png_renderer_free(fo_png_renderer *r)
{
    if (!r)
        return;
    fo_cms_free(r->cms);
    for (size_t i = 0; i < r->doc->nfonts; i++)
        if (r->faces[i])
            cairo_font_face_destroy(r->faces[i]);
    free(r->faces);
    for (size_t i = 0; i < r->doc->nimages; i++)
        image_surf_free(&r->images[i]);
    free(r->images);
    free(r->image_bad);
    cairo_font_options_destroy(r->options);
    if (r->lib)
        FT_Done_FreeType(r->lib); /* drops our reference only */
    free(r);
}

/* The Cairo face of font idx, loading it on first use; NULL (reported)
 * when the file cannot be loaded. */
static cairo_font_face_t *get_face(fo_png_renderer *r, int idx, fo_diags *d)
{
    const fo_dl_font *f = &r->doc->fonts[idx];
    if (r->faces[idx])
        return r->faces[idx];
    if (!r->lib && FT_Init_FreeType(&r->lib) != 0) {
        r->lib = NULL;
        fo_error(d, nopos, "FreeType: cannot initialise");
        return NULL;
    }
    FT_Face face;
    if (FT_New_Face(r->lib, f->file, f->index, &face) != 0) {
        fo_error(d, nopos, "%s: FreeType cannot load face %d", f->file,
                 f->index);
        return NULL;
    }
    cairo_font_face_t *cf = cairo_ft_font_face_create_for_ft_face(face, 0);
    ft_hold *h = fo_xmalloc(sizeof *h);
    h->lib = r->lib;
    h->face = face;
    FT_Reference_Library(r->lib);
    if (cairo_font_face_status(cf) != CAIRO_STATUS_SUCCESS ||
        cairo_font_face_set_user_data(cf, &hold_key, h, hold_destroy) !=
            CAIRO_STATUS_SUCCESS) {
        fo_error(d, nopos, "%s: Cairo cannot use the face", f->file);
        cairo_font_face_destroy(cf);
        hold_destroy(h);
        return NULL;
    }
    r->faces[idx] = cf;
    return cf;
}

static unsigned char unit_byte(double v)
{
    return (unsigned char)lround(v <= 0 ? 0 : v >= 1 ? 255 : v * 255);
}

fo_status fo_png_renderer_color(fo_png_renderer *r, fo_color col,
                                unsigned char rgb[3], fo_diags *d)
{
    if (!r->opts.soft_proof) {
        rgb[0] = unit_byte(col.r);
        rgb[1] = unit_byte(col.g);
        rgb[2] = unit_byte(col.b);
        return FO_OK;
    }
    unsigned char cmyk[4] = {unit_byte(col.c), unit_byte(col.m),
                             unit_byte(col.y), unit_byte(col.k)};
    for (int i = 0; i < r->nmemo; i++) {
        if (memcmp(r->memo[i].cmyk, cmyk, 4) == 0) {
            memcpy(rgb, r->memo[i].rgb, 3);
            return FO_OK;
        }
    }
    fo_pixels px = {.w = 1, .h = 1, .comps = 4, .data = fo_xmalloc(4)};
    memcpy(px.data, cmyk, 4);
    fo_status st = fo_cms_to_rgb(r->cms, &px, d);
    if (st == FO_OK) {
        memcpy(rgb, px.data, 3);
        color_memo *m = &r->memo[r->next_memo];
        memcpy(m->cmyk, cmyk, 4);
        memcpy(m->rgb, rgb, 3);
        r->next_memo = (r->next_memo + 1) % COLOR_CACHE;
        if (r->nmemo < COLOR_CACHE)
            r->nmemo++;
    }
    fo_pixels_free(&px);
    return st;
}

/* Sets the source colour; with soft proofing, a colour LittleCMS cannot
 * convert (reported) is drawn as its RGB and counted in *bad. */
static void set_color(fo_png_renderer *r, cairo_t *cr, fo_color c, int *bad,
                      fo_diags *d)
{
    if (!r->opts.soft_proof) {
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        return;
    }
    unsigned char rgb[3];
    if (fo_png_renderer_color(r, c, rgb, d) != FO_OK) {
        (*bad)++;
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        return;
    }
    cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
}

static fo_status draw_glyphs(fo_png_renderer *r, cairo_t *cr,
                             const fo_dl_glyphs *g, int *bad, fo_diags *d)
{
    if (g->font < 0 || (size_t)g->font >= r->doc->nfonts) {
        fo_error(d, nopos, "glyph run with unknown font %d", g->font);
        return FO_ERR_INPUT;
    }
    cairo_font_face_t *face = get_face(r, g->font, d);
    if (!face)
        return FO_ERR_LIBRARY;
    if (g->n <= 0)
        return FO_OK;
    cairo_glyph_t *gl = fo_xmalloc(sizeof *gl * (size_t)g->n);
    double pen = g->x;
    for (int i = 0; i < g->n; i++) {
        gl[i].index = g->glyphs[i].gid;
        gl[i].x = pen + g->glyphs[i].x_offset;
        gl[i].y = g->y + g->glyphs[i].y_offset;
        pen += g->glyphs[i].x_advance;
    }
    cairo_set_font_face(cr, face);
    cairo_set_font_size(cr, g->size);
    set_color(r, cr, g->color, bad, d);
    cairo_show_glyphs(cr, gl, g->n);
    free(gl);
    return FO_OK;
}

/* ---- images ---------------------------------------------------------- */

/* The image as Cairo draws it: the colour as an opaque surface and the
 * alpha, if any, as a separate A8 mask. Kept apart (not premultiplied into
 * one ARGB32 surface) because that is what the PDF says, an image with an
 * /SMask, and what pdftocairo draws: each is resampled on its own and the
 * colour is then masked, which differs from resampling premultiplied
 * pixels along alpha edges. */
/* The colour of decoded pixels as an RGB24 surface. CMYK becomes RGB the
 * naive way (r = (1 - c)(1 - k)); soft proofing converts before this. */
static cairo_surface_t *color_surface(const fo_pixels *px)
{
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, px->w, px->h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    unsigned char *base = cairo_image_surface_get_data(s);
    size_t stride = (size_t)cairo_image_surface_get_stride(s);
    for (int y = 0; y < px->h; y++) {
        uint32_t *row = (uint32_t *)(void *)(base + stride * (size_t)y);
        for (int x = 0; x < px->w; x++) {
            size_t i = (size_t)y * (size_t)px->w + (size_t)x;
            const unsigned char *p = px->data + i * (size_t)px->comps;
            unsigned r, g, b;
            if (px->comps == 1) {
                r = g = b = p[0];
            } else if (px->comps == 3) {
                r = p[0];
                g = p[1];
                b = p[2];
            } else {
                unsigned k = 255u - p[3];
                r = ((255u - p[0]) * k + 127) / 255;
                g = ((255u - p[1]) * k + 127) / 255;
                b = ((255u - p[2]) * k + 127) / 255;
            }
            row[x] = 0xFF000000u | r << 16 | g << 8 | b;
        }
    }
    cairo_surface_mark_dirty(s);
    return s;
}

static cairo_surface_t *mask_surface(const fo_pixels *px)
{
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_A8, px->w, px->h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    unsigned char *base = cairo_image_surface_get_data(s);
    size_t stride = (size_t)cairo_image_surface_get_stride(s);
    for (int y = 0; y < px->h; y++)
        memcpy(base + stride * (size_t)y, px->alpha + (size_t)y * (size_t)px->w,
               (size_t)px->w);
    cairo_surface_mark_dirty(s);
    return s;
}

/* Soft proof of decoded pixels: what the print PDF embeds (pdf_image.c's
 * make_samples: RGB to CMYK through the output profile, CMYK and grey
 * kept) and then CMYK to sRGB through the same profile. Grey prints on K
 * only, so it goes through as K. The alpha stays (but see get_image):
 * the print PDF keeps it as a soft mask (PDF/X-4) or flattens the image
 * against what lies beneath it on the page (pdf_flatten.c), both of which
 * Cairo's compositing over the page drawn so far shows. */
static fo_status soft_proof_pixels(fo_png_renderer *r, fo_pixels *px,
                                   fo_diags *d)
{
    if (px->comps == 3 && fo_cms_to_cmyk(r->cms, px, d) != FO_OK)
        return FO_ERR_INPUT;
    if (px->comps == 1)
        fo_pixels_grey_to_k(px);
    if (px->comps == 4 && fo_cms_to_rgb(r->cms, px, d) != FO_OK)
        return FO_ERR_INPUT;
    return FO_OK;
}

/* The surfaces of doc image idx, decoded on first use; NULL (reported
 * once) when the file cannot be decoded. */
static const image_surf *get_image(fo_png_renderer *r, const fo_dl_image *use,
                                   fo_diags *d)
{
    int idx = use->image;
    image_surf *im = &r->images[idx];
    if (im->color || r->image_bad[idx])
        return im->color ? im : NULL;
    const fo_dl_image_src *src = &r->doc->images[idx];
    fo_pixels px;
    char why[256];
    /* reduced while decoding when larger than IMAGE_MAX, and checked
     * against what layout's probe saw */
    if (fo_image_decode_max(src->path, &src->info, IMAGE_MAX, &px, why,
                            sizeof why) != FO_OK) {
        fo_image_report(d, use->pos, use->src ? use->src : src->path, why);
        r->image_bad[idx] = 1;
        return NULL;
    }
    /* PDF/X-4 keeps alpha only for an image it holds whole: one larger
     * than the PDF writer's FO_PDF_SAMPLES_MAX (32 MB, as IMAGE_MAX) at
     * 5 bytes a pixel goes in strip by strip, flattened on white
     * (pdf_image.c's keeps_alpha) */
    if (r->opts.soft_proof && r->doc->print.pdfx == FO_DL_PDFX_4 &&
        (size_t)src->info.width * (size_t)src->info.height * 5 > IMAGE_MAX)
        fo_pixels_flatten(&px);
    if (r->opts.soft_proof && soft_proof_pixels(r, &px, d) != FO_OK) {
        fo_pixels_free(&px);
        r->image_bad[idx] = 1;
        return NULL;
    }
    im->color = color_surface(&px);
    if (px.alpha)
        im->mask = mask_surface(&px);
    fo_pixels_free(&px);
    cairo_status_t cs = cairo_surface_status(im->color);
    if (cs == CAIRO_STATUS_SUCCESS && im->mask)
        cs = cairo_surface_status(im->mask);
    if (cs != CAIRO_STATUS_SUCCESS) {
        fo_error(d, nopos, "%s: Cairo: %s", src->path,
                 cairo_status_to_string(cs));
        image_surf_free(im);
        r->image_bad[idx] = 1;
        return NULL;
    }
    return im;
}

/* The filter pdftocairo uses for an image without /Interpolate (poppler's
 * CairoOutputDev::getFilterForSurface): none (nearest pixel) when the
 * image is enlarged 4 times or more, so pixels stay sharp, else smooth.
 * The scale is measured as poppler does, from the singular values of the
 * image-to-device matrix, the larger one going with the longer side. */
static cairo_filter_t image_filter(cairo_t *cr, int w, int h)
{
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m); /* unit square of the stored image → device */
    double a = m.xx * m.xx + m.yx * m.yx, b = m.xy * m.xy + m.yy * m.yy;
    double k = m.xx * m.xy + m.yx * m.yy;
    double f = (a + b) * .5, g = (a - b) * .5, delta = sqrt(g * g + k * k);
    double major = sqrt(f + delta), minor = sqrt(fmax(f - delta, 0));
    long sw = lround(w > h ? major : minor), sh = lround(w > h ? minor : major);
    if (sw / w >= 4 || sh / h >= 4)
        return CAIRO_FILTER_NEAREST;
    return IMAGE_FILTER;
}

static fo_status draw_image(fo_png_renderer *r, cairo_t *cr,
                            const fo_dl_image *im, fo_diags *d)
{
    if (im->image < 0 || (size_t)im->image >= r->doc->nimages) {
        fo_error(d, nopos, "image op with unknown image %d", im->image);
        return FO_ERR_INPUT;
    }
    const image_surf *is = get_image(r, im, d);
    if (!is)
        return FO_ERR_INPUT;
    int w = cairo_image_surface_get_width(is->color),
        h = cairo_image_surface_get_height(is->color);
    double m[6];
    fo_image_orientation_matrix(r->doc->images[im->image].info.orientation, m);
    cairo_matrix_t om;
    cairo_matrix_init(&om, m[0], m[1], m[2], m[3], m[4], m[5]);
    cairo_save(cr);
    if (im->clip) {
        cairo_rectangle(cr, im->cx, im->cy, im->cw, im->ch);
        cairo_clip(cr);
    }
    /* box ← shown unit square ← stored unit square (the orientation) */
    cairo_translate(cr, im->x, im->y);
    cairo_scale(cr, im->w, im->h);
    cairo_transform(cr, &om);
    cairo_filter_t filter = image_filter(cr, w, h);
    cairo_rectangle(cr, 0, 0, 1, 1);
    cairo_clip(cr);
    cairo_scale(cr, 1.0 / w, 1.0 / h);
    cairo_pattern_t *pat = cairo_pattern_create_for_surface(is->color);
    cairo_pattern_set_filter(pat, filter);
    cairo_pattern_set_extend(pat, CAIRO_EXTEND_PAD);
    cairo_set_source(cr, pat);
    cairo_pattern_destroy(pat);
    if (is->mask) {
        cairo_pattern_t *mask = cairo_pattern_create_for_surface(is->mask);
        cairo_pattern_set_filter(mask, filter);
        cairo_pattern_set_extend(mask, CAIRO_EXTEND_PAD);
        cairo_mask(cr, mask);
        cairo_pattern_destroy(mask);
    } else {
        cairo_paint(cr);
    }
    cairo_restore(cr);
    return FO_OK;
}

/* Where cairo_surface_write_to_png_stream writes (write_png). */
typedef struct png_sink {
    FILE *fp;
    int err; /* errno of the first failed write */
} png_sink;

static cairo_status_t png_write(void *closure, const unsigned char *data,
                                unsigned int length)
{
    png_sink *k = closure;
    if (length && fwrite(data, 1, length, k->fp) != length) {
        k->err = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Writes surf as a PNG at path, atomically (keep: left under its
 * temporary name, in *keep, for the caller to rename or remove). Through a FILE
 * of our own, not cairo_surface_write_to_png, whose failure is only "error
 * while writing to output stream": a full disk or a read-only folder is
 * reported with its errno, as "DIR: error: cannot write 'NAME': <strerror>". */
static fo_status write_png(cairo_surface_t *surf, const char *path, char **keep,
                           fo_diags *d)
{
    fo_atomic a;
    if (fo_atomic_open(&a, path) != FO_OK) {
        fo_error_write(d, path, errno);
        return FO_ERR_IO;
    }
    png_sink k = {a.fp, 0};
    cairo_status_t cs = cairo_surface_write_to_png_stream(surf, png_write, &k);
    if (k.err) {
        fo_atomic_abort(&a);
        fo_error_write(d, path, k.err);
        return FO_ERR_IO;
    }
    if (cs != CAIRO_STATUS_SUCCESS) {
        fo_atomic_abort(&a);
        fo_error(d, nopos, "%s: cannot make the PNG: %s", path,
                 cairo_status_to_string(cs));
        return FO_ERR_LIBRARY;
    }
    if ((keep ? fo_atomic_keep(&a, keep) : fo_atomic_commit(&a)) != FO_OK) {
        fo_error_write(d, path, errno);
        return FO_ERR_IO;
    }
    return FO_OK;
}

/* ---- the page walk ---------------------------------------------------- */

static fo_status page_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    fo_png_renderer *r = ud;
    png_page *pp = &r->cur;
    fo_diags *d = pp->d;
    const fo_dl_page *pg = doc->pages[page];
    double dpi = pp->dpi;
    double scale = dpi / 72.0;
    double bleed = r->opts.bleed && doc->bleed > 0 ? doc->bleed : 0;
    /* Rounded up, as pdftocairo does, so the two rasters have one size. */
    double wpx = ceil((pg->width + 2 * bleed) * scale),
           hpx = ceil((pg->height + 2 * bleed) * scale);
    if (!(dpi > 0) || !(wpx >= 1 && wpx <= MAX_SIDE) ||
        !(hpx >= 1 && hpx <= MAX_SIDE)) {
        fo_error(d, nopos, "page %zu at %g dpi is too large for a PNG",
                 page + 1, dpi);
        return FO_ERR_LIMIT;
    }
    pp->page = page;
    pp->input_errors = 0;
    pp->surf =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)wpx, (int)hpx);
    cairo_t *cr = pp->cr = cairo_create(pp->surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    cairo_translate(cr, bleed, bleed);
    /* Nothing beyond the page (or its bleed): a PDF viewer clips at the
     * MediaBox, which ends inside the last, rounded-up pixel. */
    cairo_rectangle(cr, -bleed, -bleed, pg->width + 2 * bleed,
                    pg->height + 2 * bleed);
    cairo_clip(cr);
    cairo_set_font_options(cr, r->options);
    return FO_OK;
}

static fo_status page_op(void *ud, const fo_dl_op *op, size_t i);

/* A form's ops go through page_op, as a page's do: the op that placed it
 * is the only difference (place_form sets the transform and clip). */
static fo_status form_op(void *ud, const fo_dl_op *op, size_t i)
{
    fo_png_renderer *r = ud;
    if (op->kind == FO_DL_PLACE) {
        fo_error(r->cur.d, nopos, "a form places another form");
        r->cur.input_errors++;
        return FO_OK;
    }
    return page_op(ud, op, i);
}

static const fo_dl_walker form_walker = {NULL, form_op, NULL};

/* FO_DL_PLACE: the form drawn through its matrix, inside its clip. */
static fo_status place_form(fo_png_renderer *r, cairo_t *cr,
                            const fo_dl_place *pl)
{
    if (pl->form < 0 || (size_t)pl->form >= r->doc->nforms) {
        fo_error(r->cur.d, nopos, "place op with unknown form %d", pl->form);
        r->cur.input_errors++;
        return FO_OK;
    }
    cairo_save(cr);
    cairo_rectangle(cr, pl->cx, pl->cy, pl->cw, pl->ch);
    cairo_clip(cr);
    cairo_matrix_t m;
    cairo_matrix_init(&m, pl->m[0], pl->m[1], pl->m[2], pl->m[3], pl->m[4],
                      pl->m[5]);
    cairo_transform(cr, &m);
    fo_status st = fo_dl_walk_form(r->doc, (size_t)pl->form, &form_walker, r);
    cairo_restore(cr);
    return st;
}

static fo_status page_op(void *ud, const fo_dl_op *op, size_t i)
{
    fo_png_renderer *r = ud;
    png_page *pp = &r->cur;
    cairo_t *cr = pp->cr;
    fo_diags *d = pp->d;
    (void)i;
    /* the soft proof shows the print PDF; the plain preview the screen's */
    if (!fo_dl_op_drawn(op, r->opts.soft_proof ? FO_DL_CH_PRINT : FO_DL_CH_PDF))
        return FO_OK;
    /* Overprint as the print PDF has it (fo_dl_op_overprints): K-only ink
     * over what lies beneath keeps its C, M and Y. Multiplying by the
     * ink's colour on paper is that result where the ground has no K of
     * its own (r = (1 - c)(1 - k) in the naive model), and darker than
     * either alone elsewhere, as overprinted ink looks. */
    cairo_set_operator(cr, r->opts.soft_proof && fo_dl_op_overprints(r->doc, op)
                               ? CAIRO_OPERATOR_MULTIPLY
                               : CAIRO_OPERATOR_OVER);
    switch (op->kind) {
    case FO_DL_GLYPHS:
        return draw_glyphs(r, cr, &op->u.glyphs, &pp->input_errors, d);
    case FO_DL_RECT: {
        const fo_dl_rect *rc = &op->u.rect;
        set_color(r, cr, rc->color, &pp->input_errors, d);
        cairo_rectangle(cr, rc->x, rc->y, rc->w, rc->h);
        cairo_fill(cr);
        break;
    }
    case FO_DL_LINE: {
        const fo_dl_line *l = &op->u.line;
        set_color(r, cr, l->color, &pp->input_errors, d);
        cairo_set_line_width(cr, l->width);
        cairo_move_to(cr, l->x0, l->y0);
        cairo_line_to(cr, l->x1, l->y1);
        cairo_stroke(cr);
        break;
    }
    case FO_DL_IMAGE:
        if (draw_image(r, cr, &op->u.image, d) != FO_OK)
            pp->input_errors++;
        break;
    case FO_DL_LINK:   /* invisible */
    case FO_DL_ANCHOR: /* a destination, nothing to draw */
        break;
    case FO_DL_PLACE:
        return place_form(r, cr, &op->u.place);
    }
    return FO_OK;
}

/* Checks the page and writes it: at pp->path, or (pp->keep) under its
 * temporary name, left in *pp->keep. */
static fo_status page_end(void *ud, fo_status st)
{
    fo_png_renderer *r = ud;
    png_page *pp = &r->cur;
    fo_diags *d = pp->d;
    if (st != FO_OK)
        goto out;
    if (cairo_status(pp->cr) != CAIRO_STATUS_SUCCESS) {
        fo_error(d, nopos, "page %zu: Cairo: %s", pp->page + 1,
                 cairo_status_to_string(cairo_status(pp->cr)));
        st = FO_ERR_LIBRARY;
        goto out;
    }
    if (pp->input_errors) {
        st = FO_ERR_INPUT;
        goto out;
    }
    cairo_surface_flush(pp->surf);
    st = write_png(pp->surf, pp->path, pp->keep, d);
out:
    if (pp->cr)
        cairo_destroy(pp->cr);
    if (pp->surf)
        cairo_surface_destroy(pp->surf);
    pp->cr = NULL;
    pp->surf = NULL;
    return st;
}

static const fo_dl_walker png_walker = {page_begin, page_op, page_end};

/* One page drawn, written as pp's path or kept under its temporary
 * name. */
static fo_status draw_page(fo_png_renderer *r, size_t page, double dpi,
                           const char *path, char **keep, fo_diags *d)
{
    const fo_dl_doc *doc = r->doc;
    if (page >= doc->npages) {
        fo_error(d, nopos, "page %zu does not exist (the document has %zu)",
                 page + 1, doc->npages);
        return FO_ERR_USAGE;
    }
    r->cur = (png_page){.dpi = dpi, .path = path, .keep = keep, .d = d};
    return fo_dl_walk(doc, page, &png_walker, r);
}

fo_status fo_png_renderer_page(fo_png_renderer *r, size_t page, double dpi,
                               const char *path, fo_diags *d)
{
    return draw_page(r, page, dpi, path, NULL, d);
}

fo_status fo_render_png(const fo_dl_doc *doc, size_t page, double dpi,
                        const char *path, fo_diags *d)
{
    fo_png_renderer *r = fo_png_renderer_new(doc);
    fo_status st = fo_png_renderer_page(r, page, dpi, path, d);
    fo_png_renderer_free(r);
    return st;
}

/* ---- the renderer as a fo_writer --------------------------------------- */

/* Pages are drawn as they come, each kept under its temporary name until
 * close renames them all into place; drop removes what close did not. */
typedef struct png_writer {
    fo_writer base;
    fo_png_renderer *r;
    double dpi;
    char *(*path_of)(void *ud, size_t page);
    void *ud;
    fo_diags *d;
    char **tmp, **path; /* per page written */
    size_t n, cap;
} png_writer;

static fo_status pw_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    png_writer *w = ud;
    (void)doc;
    fo_grow((void **)&w->tmp, sizeof *w->tmp, &w->cap, w->n + 1);
    w->path = fo_xrealloc(w->path, w->cap * sizeof *w->path);
    w->path[w->n] = w->path_of(w->ud, page);
    w->tmp[w->n] = NULL;
    w->r->cur = (png_page){
        .dpi = w->dpi, .path = w->path[w->n], .keep = &w->tmp[w->n], .d = w->d};
    w->n++;
    return page_begin(w->r, doc, page);
}

static fo_status pw_op(void *ud, const fo_dl_op *op, size_t i)
{
    png_writer *w = ud;
    return page_op(w->r, op, i);
}

static fo_status pw_end(void *ud, fo_status st)
{
    png_writer *w = ud;
    return page_end(w->r, st);
}

static fo_status pw_close(fo_writer *base)
{
    png_writer *w = (png_writer *)base;
    fo_status st = FO_OK;
    for (size_t i = 0; i < w->n; i++) {
        if (!w->tmp[i])
            continue;
        char *tmp = w->tmp[i];
        w->tmp[i] = NULL;
        if (st == FO_OK && fo_atomic_rename(tmp, w->path[i]) != FO_OK) {
            fo_error_write(w->d, w->path[i], errno);
            st = FO_ERR_IO;
        } else if (st != FO_OK) {
            fo_atomic_discard(tmp);
        }
    }
    return st;
}

static void pw_drop(fo_writer *base)
{
    png_writer *w = (png_writer *)base;
    for (size_t i = 0; i < w->n; i++) {
        fo_atomic_discard(w->tmp[i]);
        free(w->path[i]);
    }
    free(w->tmp);
    free(w->path);
    free(w);
}

fo_writer *fo_png_writer_new(fo_png_renderer *r, double dpi,
                             char *(*path_of)(void *ud, size_t page), void *ud,
                             fo_diags *d)
{
    png_writer *w = fo_xcalloc(1, sizeof *w);
    w->base = (fo_writer){{pw_begin, pw_op, pw_end}, pw_close, pw_drop, 0};
    w->r = r;
    w->dpi = dpi;
    w->path_of = path_of;
    w->ud = ud;
    w->d = d;
    return &w->base;
}
