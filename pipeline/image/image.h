/* image — reading the images a publication uses: JPEG with libjpeg, PNG
 * with libpng. No libharu or Cairo here: typeset probes an image for its
 * size and orientation and checks the file whole without decoding its
 * pixels; the renderers decode it, or pass a JPEG through untouched.
 *
 * Never libharu's own PNG loader: it crashes on an RGB PNG with a colour
 * key, aborts the process on truncated data and embeds 16-bit PNGs
 * corrupt; tests/cli/image_hostile.sh feeds such files to our reader. */
#ifndef FO_IMAGE_H
#define FO_IMAGE_H

#include "cache/cache.h"
#include "core/core.h"

/* Larger images are refused ("image too large"): 2^27 pixels is 134
 * megapixels, 512 MB decoded as CMYK. No consumer ever holds that: the
 * renderers take large images row by row (fo_image_rows) or reduced while
 * decoding, and a build's peak memory stays under 512 MB for any image
 * these limits accept (tests/cli/image_limits.sh measures it). */
#define FO_IMAGE_MAX_SIDE 65535
#define FO_IMAGE_MAX_PIXELS (1LL << 27)
/* Files larger than this are refused before they are read. */
#define FO_IMAGE_MAX_FILE ((long long)512 << 20)
/* A PNG chunk's data, other than IDAT's, above this: an ancillary chunk
 * is skipped unread by libpng, a critical one (IHDR, PLTE, IEND) refused.
 * Text chunks (tEXt, zTXt, iTXt) are always skipped: folio reads none. */
#define FO_IMAGE_MAX_CHUNK ((size_t)1 << 20)
/* An interlaced PNG must be decoded whole before any row is final: one
 * whose decoded pixels exceed this is refused ("save it without
 * interlacing"); a progressive JPEG is held by libjpeg as coefficients,
 * limited the same way through libjpeg's own max_memory_to_use. */
#define FO_IMAGE_MAX_WHOLE ((size_t)128 << 20)

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
    uint64_t hash;    /* fo_image_hash of the file's bytes */
    size_t file_size; /* bytes */
    /* fo_cache_digest of the file's bytes: what the cache keys of this
     * image (its probe, its PDF streams) are made of */
    unsigned char digest[FO_CACHE_DIGEST];
} fo_image_info;

/* Reads the image at path, checks the whole file without keeping its
 * pixels (JPEG: libjpeg decodes every scan at 1/8 scale, so every
 * Huffman code and marker is read; PNG: the chunks are walked to IEND
 * with every CRC checked, libpng reads the header, and the rows of a
 * palette PNG or of one whose data PDFs take as it is are decoded once),
 * and fills *info. The file is read in blocks: memory does not grow with
 * it. On failure returns FO_ERR_INPUT and writes a short English reason
 * into why: "not a PNG or JPEG file" (judged by the first bytes, not the
 * name), "truncated JPEG data", "bad JPEG data: <libjpeg's message>" (any
 * libjpeg warning counts), "bad PNG data: <reason>" (a chunk longer than
 * the rest of the file, a palette index beyond the palette…),
 * "unsupported JPEG colour space (N components)", "image too large (W x
 * H)", "the file changed during the build" (see fo_image_seen_reset);
 * FO_ERR_IO with "cannot open the file" or "cannot read the file" when
 * the file cannot be read. */
FO_WUR fo_status fo_image_probe(const char *path, fo_image_info *info,
                                char *why, size_t why_len);

/* The cache that fo_image_probe looks in before it reads a file, and
 * stores its results in (NULL, the default: none). Process-wide, as the
 * build's record of the files it has seen: the CLI sets it once before the
 * first build. A hit is a file whose bytes (by digest and size) were
 * probed and found good before, by this build of folio; the probe then
 * reads the file only to hash it. A file that fails is never stored: it
 * is probed, and its error reported, every time. */
void fo_image_set_cache(fo_cache *c);

/* A reader of an image's rows, decoded (or reduced while decoding) one
 * row at a time, so that memory does not grow with the image. Rows come
 * top to bottom, orientation not applied, 8 bits per component, comps 1,
 * 3 or 4 (CMYK, not inverted) and alpha apart; the same pixels as
 * fo_image_decode. */
typedef struct fo_image_rows fo_image_rows;

/* Opens path for reading its rows. expect (may be NULL) is what the probe
 * saw: a file whose size or bytes differ fails with "the file changed
 * since it was read" (the size now, the bytes' fingerprint when the
 * reading finishes). max_bytes 0: full size; else the image is reduced while
 * decoding (libjpeg's DCT scaling, then an area average of k x k pixels)
 * by the smallest factor that makes w * h * (comps + alpha) at most
 * max_bytes. Errors as fo_image_probe's. Free with fo_image_rows_free. */
FO_WUR fo_status fo_image_rows_open(const char *path,
                                    const fo_image_info *expect,
                                    size_t max_bytes, fo_image_rows **out,
                                    char *why, size_t why_len);
/* The rows' size and channels. */
void fo_image_rows_geometry(const fo_image_rows *r, int *w, int *h, int *comps,
                            int *has_alpha);
/* The next n rows: n * w * comps bytes into data, n * w into alpha when
 * the image has alpha (else alpha is ignored). */
FO_WUR fo_status fo_image_rows_read(fo_image_rows *r, int n,
                                    unsigned char *data, unsigned char *alpha,
                                    char *why, size_t why_len);
/* After the last row: reads the rest of the file and checks it against
 * expect. */
FO_WUR fo_status fo_image_rows_finish(fo_image_rows *r, char *why,
                                      size_t why_len);
void fo_image_rows_free(fo_image_rows *r);

/* The file's bytes as a PDF takes them when it passes through: the whole
 * file (a JPEG), or only the IDAT payloads of a PNG (idat_only), read in
 * blocks with the same checks as fo_image_rows_open against expect. */
typedef struct fo_image_bytes fo_image_bytes;
FO_WUR fo_status fo_image_bytes_open(const char *path,
                                     const fo_image_info *expect, int idat_only,
                                     fo_image_bytes **out, char *why,
                                     size_t why_len);
/* Up to cap bytes into buf; *got 0 at the end, after the whole file has
 * been read and found to be the one expected. */
FO_WUR fo_status fo_image_bytes_read(fo_image_bytes *b, unsigned char *buf,
                                     size_t cap, size_t *got, char *why,
                                     size_t why_len);
void fo_image_bytes_free(fo_image_bytes *b);

/* A build sees each image file as one content: the first probe of a path
 * records its size and fingerprint, and a later probe that finds other
 * bytes fails with "the file changed during the build". Forgets every
 * record: called when a new build starts (watch builds again in one
 * process). */
void fo_image_seen_reset(void);
/* Writes what this build has seen, a line per file ("SIZE HASH PATH"), so
 * that `build -j`, whose jobs probe apart, can tell that two of them saw
 * other bytes under one name (fo_image_seen_differs). A path holding a
 * newline is left out. FO_ERR_IO when f cannot be written. */
FO_WUR fo_status fo_image_seen_save(FILE *f);
/* Reads the lines of fo_image_seen_save from each of n files, and returns
 * a malloc'd path that two of them saw with other sizes or bytes (the
 * first one), or NULL when they agree. */
char *fo_image_seen_differs(FILE *const *f, int n);

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
/* fo_image_decode reduced while decoding as fo_image_rows_open says
 * (max_bytes 0: full size), checked against expect (may be NULL). */
FO_WUR fo_status fo_image_decode_max(const char *path,
                                     const fo_image_info *expect,
                                     size_t max_bytes, fo_pixels *out,
                                     char *why, size_t why_len);
void fo_pixels_free(fo_pixels *p);

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
