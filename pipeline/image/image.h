/* image — reading the images a publication uses: JPEG with libjpeg, PNG
 * with libpng. No libharu or Cairo here: typeset probes an image for its
 * size and orientation, the renderers decode it (PNG) or pass it through
 * (JPEG, after the probe has decoded it once to prove it is whole).
 *
 * Never libharu's own PNG loader: it crashes on common files
 * (pango-libharu-findings.md §7). */
#ifndef FO_IMAGE_H
#define FO_IMAGE_H

#include "core/core.h"

/* Larger images are refused ("image too large"): 2^27 pixels is 134
 * megapixels, 512 MB decoded as CMYK. */
#define FO_IMAGE_MAX_SIDE 65535
#define FO_IMAGE_MAX_PIXELS (1LL << 27)

typedef enum fo_image_format { FO_IMAGE_JPEG, FO_IMAGE_PNG } fo_image_format;

typedef struct fo_image_info {
    fo_image_format format;
    int width, height;    /* pixels as stored in the file */
    int orientation;      /* EXIF orientation 1..8 (1 = as stored) */
    int shown_w, shown_h; /* pixels as seen, after the orientation */
    int components;       /* 1 grey, 3 RGB, 4 CMYK (JPEG only) */
    int adobe_cmyk;       /* CMYK JPEG written inverted (Adobe APP14) */
    int progressive;      /* JPEG SOF2 */
    int has_alpha;        /* PNG with an alpha channel or tRNS */
    int bits;             /* bits per component in the file (PNG 1..16) */
    double ppi_x, ppi_y;  /* resolution stored in the file, 0 if none */
} fo_image_info;

/* Reads and fully decodes the image at path once, to prove it is whole
 * (a truncated JPEG or a PNG with a bad CRC fails here, never in a
 * renderer), and fills *info. On failure returns FO_ERR_INPUT and writes
 * a short English reason into why: "not a PNG or JPEG file" (judged by
 * the first bytes, not the name), "truncated JPEG data", "bad JPEG data:
 * <libjpeg's message>" (any libjpeg warning counts), "bad PNG data:
 * <libpng's message>", "unsupported JPEG colour space (N components)",
 * "image too large (W x H)"; FO_ERR_IO with "cannot open the file" or
 * "cannot read the file" when the file cannot be read. */
FO_WUR fo_status fo_image_probe(const char *path, fo_image_info *info,
                                char *why, size_t why_len);

/* Decoded pixels, 8 bits per component, rows top to bottom, orientation
 * NOT applied (renderers rotate with their transform). comps is 1, 3 or 4
 * (CMYK, not inverted); alpha is NULL or w*h bytes. */
typedef struct fo_pixels {
    int w, h, comps;
    unsigned char *data;
    unsigned char *alpha;
} fo_pixels;

/* Decodes the image (any PNG colour type, bit depth, interlace, palette
 * transparency → alpha; any JPEG libjpeg reads). Caller frees with
 * fo_pixels_free. */
FO_WUR fo_status fo_image_decode(const char *path, fo_pixels *out, char *why,
                                 size_t why_len);
void fo_pixels_free(fo_pixels *p);

/* The affine transform that draws a w x h stored image, oriented, into
 * the unit square: maps stored (u, v) in [0,1]² (v down) to shown
 * coordinates in [0,1]². m = {a, b, c, d, e, f}: x = a*u + c*v + e,
 * y = b*u + d*v + f. */
void fo_image_orientation_matrix(int orientation, double m[6]);

#endif
