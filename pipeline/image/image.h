/* image — reading the images a publication uses: JPEG with libjpeg, PNG
 * with libpng. No libharu or Cairo here: typeset probes an image for its
 * size and orientation and checks the file whole without decoding its
 * pixels; the renderers decode it, or pass a JPEG through untouched.
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
    /* PNG whose IDAT data a PDF can take as it is (Flate with the PNG
     * predictors): 8-bit grey or RGB, not interlaced, no tRNS, no gamma
     * other than sRGB's. Set by the probe. */
    int png_copy;
    uint64_t hash;      /* fo_image_hash of the file's bytes */
    size_t file_size;   /* bytes */
    long long mtime_ns; /* the file's modification time when read */
} fo_image_info;

/* Reads the image at path, checks the whole file without decoding its
 * pixels (JPEG: libjpeg reads every DCT coefficient; PNG: libpng reads the
 * header, then every chunk's CRC is checked up to IEND, and a PNG whose
 * data PDFs take as it is has that data inflated once), and fills *info.
 * A truncated JPEG or PNG, or one with a bad CRC or bad entropy-coded data,
 * fails here. On failure returns FO_ERR_INPUT and writes a short English
 * reason into why: "not a PNG or JPEG file" (judged by the first bytes, not
 * the name), "truncated JPEG data", "bad JPEG data: <libjpeg's message>"
 * (any libjpeg warning counts), "bad PNG data: <reason>", "unsupported
 * JPEG colour space (N components)", "image too large (W x H)"; FO_ERR_IO
 * with "cannot open the file" or "cannot read the file" when the file
 * cannot be read. */
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
/* fo_image_decode that also fills *info as the probe does (hash
 * included), so a renderer can tell whether the file changed since it
 * was probed. */
FO_WUR fo_status fo_image_decode_info(const char *path, fo_image_info *info,
                                      fo_pixels *out, char *why,
                                      size_t why_len);
void fo_pixels_free(fo_pixels *p);

/* The concatenated IDAT payloads of the PNG file in b (n bytes), one
 * zlib stream of filtered scanlines; *out is malloc'd. FO_ERR_INPUT when
 * the chunks do not add up (the probe has checked them). */
FO_WUR fo_status fo_image_png_idat(const unsigned char *b, size_t n,
                                   unsigned char **out, size_t *out_len);

/* The modification time of path in nanoseconds, -1 when it cannot be
 * read: with the size, how a renderer tells a file changed since its
 * probe without reading it twice. */
long long fo_image_mtime(const char *path);

/* Checks the IDAT data z (n bytes, from fo_image_png_idat) of a w x h
 * 8-bit PNG with comps samples a pixel, without keeping the pixels: one
 * complete zlib stream (its Adler-32 included) of h rows, each a filter
 * byte 0..4 and w * comps samples. What a PDF reader will inflate, checked
 * before it goes into the file (the probe checks only the chunks' CRCs).
 * FO_ERR_INPUT with why "bad PNG data: …". */
FO_WUR fo_status fo_image_png_idat_check(const unsigned char *z, size_t n,
                                         int w, int h, int comps, char *why,
                                         size_t why_len);

/* Reports to d, at pos, that the image the content names src cannot be
 * used, and why: the one wording of layout and of both renderers, so that
 * the diagnostics sink keeps one report when several meet the same file. */
void fo_image_report(fo_diags *d, fo_pos pos, const char *src, const char *why);

/* The fingerprint stored in fo_image_info.hash: zlib's CRC-32 and
 * Adler-32 of the bytes (not a security hash). */
uint64_t fo_image_hash(const void *bytes, size_t len);

/* The affine transform that draws a w x h stored image, oriented, into
 * the unit square: maps stored (u, v) in [0,1]² (v down) to shown
 * coordinates in [0,1]². m = {a, b, c, d, e, f}: x = a*u + c*v + e,
 * y = b*u + d*v + f. */
void fo_image_orientation_matrix(int orientation, double m[6]);

#endif
