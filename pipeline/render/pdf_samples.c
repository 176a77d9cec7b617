/* Image samples of the PDF writer: what an image XObject's stream holds
 * when it is not the file's own bytes. An image is decoded, flattened or
 * masked, converted through fo_cms, resampled (SCREEN) and encoded (JPEG,
 * Flate or raw) as its plan says (pdf_image.c plans it and hands the bytes
 * to libharu): whole into im->data and im->alpha (fo_pdf_samples_make), or,
 * over FO_PDF_SAMPLES_MAX, a strip at a time while libharu reads it
 * (fo_pdf_samples_read), so that memory does not grow with the image. Any
 * thread may make an image: this touches only that image and thread-safe
 * library state, and a failure is kept with the image (fo_pdf_img_fail)
 * for the writer's thread to report.
 *
 * Cache: an image made whole (fo_pdf_samples_make) is looked up first in
 * opts->cache under a key of its file's digest, its plan and what the
 * conversion depends on (stream_key), and stored there once made. A hit
 * hands out the bytes the same plan made before, so the PDF is the same
 * with or without the cache (tests/cli/cache.sh). What passes through is
 * only copied and is not cached, nor are the streams made strip by strip
 * (images over FO_PDF_SAMPLES_MAX), which are never held whole. */
#include "pdf_private.h"

#include <cairo.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <libdeflate.h>
#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deflate level (libdeflate) of image samples. Measured on the benchmark's
 * 27 sections, print profile (its PNG photos and charts converted to CMYK
 * and deflated): level 1 against 6, 2.53-2.61 s of CPU against 2.75-2.93,
 * and the PDF no larger (33.53 MB against 33.62: noise-like photo data
 * gains nothing from a slower search). */
#define IMAGE_ZLEVEL 1
/* Rows of an image over FO_PDF_SAMPLES_MAX are made this many bytes at a
 * time while libharu writes its stream. */
#define STRIP_BYTES ((size_t)4 << 20)

/* A bug or an impossible state: message and abort. Bugs abort, bad input
 * is reported, and nothing needs to unwind (no setjmp). */
_Noreturn static void bug(const char *what)
{
    (void)fprintf(stderr, "folio: pdf_samples: %s\n", what);
    abort();
}

/* An image's stream made strip by strip while libharu reads it. */
struct fo_pdf_strips {
    fo_image_rows *rows;
    int y, done;
    z_stream z; /* FO_PDF_ENC_FLATE */
    int z_on;
    struct jpeg_compress_struct jc; /* FO_PDF_ENC_JPEG */
    struct jpeg_error_mgr jerr;
    struct jpeg_destination_mgr dest;
    int j_on;
    unsigned char jbuf[1 << 16];
    unsigned char *out; /* made, not yet read */
    size_t out_len, out_pos, out_cap;
};

/* The digest of what every image stream of a document depends on besides
 * its file and its plan: the bytes of the ICC profiles and the versions of
 * the libraries that convert, resample and encode (the code itself is in
 * every key: cache.h). 0 when opts has no cache, or a profile cannot be
 * read (fo_pdf_cms_new reports that). */
int fo_pdf_samples_env(const fo_pdf_opts *opts, unsigned char *env)
{
    if (!opts->cache)
        return 0;
    unsigned char b[2 * FO_CACHE_DIGEST + 128] = {0};
    const char *icc[2] = {opts->cmyk_icc, opts->srgb_icc};
    for (int i = 0; i < 2; i++) {
        long long size;
        if (icc[i] && fo_cache_digest_file(icc[i], (long long)64 << 20,
                                           b + (size_t)i * FO_CACHE_DIGEST,
                                           &size) != FO_OK)
            return 0;
    }
    (void)snprintf((char *)b + (size_t)2 * FO_CACHE_DIGEST, 128,
                   "lcms2 %d cairo %d libjpeg %d libdeflate %s",
                   cmsGetEncodedCMMversion(), cairo_version(), JPEG_LIB_VERSION,
                   LIBDEFLATE_VERSION_STRING);
    fo_cache_digest(b, sizeof b, env);
    return 1;
}

static void strips_free(fo_pdf_strips *sm)
{
    if (!sm)
        return;
    fo_image_rows_free(sm->rows);
    if (sm->z_on)
        (void)deflateEnd(&sm->z);
    if (sm->j_on)
        jpeg_destroy_compress(&sm->jc);
    free(sm->out);
    free(sm);
}

void fo_pdf_img_release(fo_pdf_img *im)
{
    free(im->data);
    free(im->alpha);
    im->data = im->alpha = NULL;
    fo_image_bytes_free(im->bytes);
    im->bytes = NULL;
    strips_free(im->strips);
    im->strips = NULL;
}

/* Any thread: keeps the failure for the writer's thread to report. */
void fo_pdf_img_fail(fo_pdf_img *im, const char *why)
{
    im->failed = 1;
    if (!im->why)
        im->why = fo_xstrdup(why);
    fo_pdf_img_release(im);
}

unsigned char *fo_pdf_deflate(const unsigned char *p, size_t n, int level,
                              size_t *out_len)
{
    /* libdeflate: the whole buffer at once, two to three times zlib's
     * speed at a level and smaller output; a zlib stream all the same */
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    if (!c)
        bug("libdeflate cannot start"); /* only without memory */
    size_t cap = libdeflate_zlib_compress_bound(c, n);
    unsigned char *buf = fo_xmalloc(cap);
    size_t got = libdeflate_zlib_compress(c, p, n, buf, cap);
    libdeflate_free_compressor(c);
    if (got == 0)
        bug("libdeflate: the bound was too small");
    *out_len = got;
    return buf;
}

static unsigned char *deflate_bytes(const unsigned char *p, size_t n,
                                    size_t *out_len)
{
    return fo_pdf_deflate(p, n, IMAGE_ZLEVEL, out_len);
}

static unsigned char *copy_bytes(const unsigned char *p, size_t n)
{
    unsigned char *b = fo_xmalloc(n ? n : 1);
    if (n)
        memcpy(b, p, n);
    return b;
}

/* The cache key of im's stream (and soft mask): its file's digest, the
 * document's fo_pdf_samples_env, and the plan. 0 without a cache. */
static int stream_key(const fo_pdf_img *im, const fo_dl_image_src *src,
                      const fo_pdf_opts *opts, const unsigned char *env,
                      fo_cache_key *key)
{
    if (!env)
        return 0;
    const int64_t plan[] = {opts->profile,
                            im->enc,
                            im->quality,
                            im->w,
                            im->h,
                            im->comps,
                            im->mask,
                            im->resample,
                            IMAGE_ZLEVEL,
                            (int64_t)FO_PDF_SAMPLES_MAX,
                            (int64_t)src->info.file_size};
    const fo_cache_part parts[3] = {{src->info.digest, FO_CACHE_DIGEST},
                                    {env, FO_CACHE_DIGEST},
                                    {plan, sizeof plan}};
    *key = fo_cache_key_make(opts->cache, "pdf-image", parts, 3);
    return 1;
}

/* im's stream and soft mask from the cache: 1 when found (im->data and
 * im->alpha set). The payload is the stream, the mask, then the stream's
 * length (8 bytes, little-endian). The file must still hold the bytes the
 * probe saw, as decoding it would check: when it does not, a miss, and
 * the decoding reports it. */
static int stream_cached(fo_pdf_img *im, const fo_dl_image_src *src,
                         const fo_pdf_opts *opts, const fo_cache_key *key)
{
    unsigned char dg[FO_CACHE_DIGEST], *p;
    long long size;
    size_t n;
    if (fo_cache_digest_file(src->path, FO_IMAGE_MAX_FILE, dg, &size) !=
            FO_OK ||
        size != (long long)src->info.file_size ||
        memcmp(dg, src->info.digest, sizeof dg) != 0 ||
        !fo_cache_get(opts->cache, key, &p, &n))
        return 0;
    uint64_t len = 0;
    for (int b = 7; n >= 8 && b >= 0; b--)
        len = len << 8 | p[n - 8 + (size_t)b];
    if (n < 8 || len == 0 || len > n - 8 || (len < n - 8) != (im->mask != 0)) {
        free(p); /* the cache checked the bytes: only a bug gets here */
        return 0;
    }
    im->len = (size_t)len;
    if (im->mask) {
        im->alpha_len = n - 8 - im->len;
        im->alpha = copy_bytes(p + im->len, im->alpha_len);
    }
    im->data = p;
    return 1;
}

static void stream_store(const fo_pdf_img *im, const fo_pdf_opts *opts,
                         const fo_cache_key *key)
{
    unsigned char len[8];
    for (int b = 0; b < 8; b++)
        len[b] = (unsigned char)((uint64_t)im->len >> (8 * b));
    const fo_cache_part parts[3] = {
        {im->data, im->len}, {im->alpha, im->alpha_len}, {len, sizeof len}};
    fo_cache_put(opts->cache, key, parts, 3);
}

void fo_pdf_samples_make(fo_pdf_img *im, const fo_dl_image_src *src,
                         const fo_pdf_opts *opts, fo_cms *cms,
                         const unsigned char *env)
{
    fo_profile prof = opts->profile;
    fo_pixels px;
    char why[256];
    fo_cache_key key;
    int keyed = stream_key(im, src, opts, env, &key);
    if (keyed && stream_cached(im, src, opts, &key))
        return;
    /* SCREEN's large images, and those PRINT resamples, reduced while
     * decoding (plan) */
    size_t max = opts->profile == FO_PROFILE_SCREEN || im->resample
                     ? FO_PDF_SAMPLES_MAX
                     : 0;
    if (fo_image_decode_max(src->path, &src->info, max, &px, why, sizeof why) !=
        FO_OK) {
        fo_pdf_img_fail(im, why);
        return;
    }
    fo_status st = FO_OK;
    fo_diags dl; /* this thread's: moved into why */
    fo_diags_init(&dl);
    if (!im->mask) /* planned: SCREEN and PDF/X-4 keep alpha */
        fo_pixels_flatten(&px);
    /* PRINT resamples before converting: fewer pixels go through
     * LittleCMS, and the filter averages the source's own values */
    if (prof == FO_PROFILE_PRINT && im->resample)
        st = fo_pixels_resample(&px, im->w, im->h, &dl);
    if (st == FO_OK && prof == FO_PROFILE_PRINT && px.comps == 3)
        st = fo_cms_to_cmyk(cms, &px, &dl);
    if (st == FO_OK && prof != FO_PROFILE_PRINT && px.comps == 4)
        st = fo_cms_to_rgb(cms, &px, &dl);
    if (st == FO_OK && prof != FO_PROFILE_PRINT && im->resample)
        st = fo_pixels_resample(&px, im->w, im->h, &dl);
    if (st == FO_OK &&
        (px.w != im->w || px.h != im->h || px.comps != im->comps ||
         (px.alpha != NULL) != (im->mask != 0)))
        bug("the samples made differ from the plan");
    if (st != FO_OK) {
        fo_pixels_free(&px);
        fo_pdf_img_fail(im, dl.n ? dl.items[0].message
                                 : "colour conversion failed");
        fo_diags_free(&dl);
        return;
    }
    fo_diags_free(&dl);
    size_t n = (size_t)px.w * (size_t)px.h;
    switch (im->enc) {
    case FO_PDF_ENC_JPEG:
        fo_pdf_jpeg_encode(&px, im->quality, &im->data, &im->len);
        break;
    case FO_PDF_ENC_FLATE:
        im->data = deflate_bytes(px.data, n * (size_t)px.comps, &im->len);
        break;
    case FO_PDF_ENC_RAW:
    case FO_PDF_ENC_PASS:
    case FO_PDF_ENC_IDAT:
        im->len = n * (size_t)px.comps;
        im->data = copy_bytes(px.data, im->len);
        break;
    }
    if (im->mask && px.alpha) { /* planned together: see above */
        if (opts->compress) {
            im->alpha = deflate_bytes(px.alpha, n, &im->alpha_len);
        } else {
            im->alpha_len = n;
            im->alpha = copy_bytes(px.alpha, n);
        }
    }
    fo_pixels_free(&px);
    if (keyed)
        stream_store(im, opts, &key);
}

/* ---- streams made while read -------------------------------------------- */

static void strip_put(fo_pdf_strips *sm, const unsigned char *p, size_t n)
{
    if (sm->out_len + n > sm->out_cap) {
        sm->out_cap = (sm->out_len + n) * 2;
        sm->out = fo_xrealloc(sm->out, sm->out_cap);
    }
    memcpy(sm->out + sm->out_len, p, n);
    sm->out_len += n;
}

static void jdest_init(j_compress_ptr c)
{
    fo_pdf_strips *sm = c->client_data;
    sm->dest.next_output_byte = sm->jbuf;
    sm->dest.free_in_buffer = sizeof sm->jbuf;
}

static boolean jdest_empty(j_compress_ptr c)
{
    fo_pdf_strips *sm = c->client_data;
    strip_put(sm, sm->jbuf, sizeof sm->jbuf);
    jdest_init(c);
    return TRUE;
}

static void jdest_term(j_compress_ptr c)
{
    fo_pdf_strips *sm = c->client_data;
    strip_put(sm, sm->jbuf, sizeof sm->jbuf - sm->dest.free_in_buffer);
}

/* libjpeg fails here only on a bug (the settings are ours, the rows
 * complete): as fo_pdf_jpeg_encode. */
_Noreturn static void jenc_die(j_common_ptr ci)
{
    char msg[JMSG_LENGTH_MAX];
    (*ci->err->format_message)(ci, msg);
    bug(msg);
}

static void strips_start(fo_pdf_img *im, fo_pdf_strips *sm)
{
    if (im->enc == FO_PDF_ENC_FLATE) {
        if (deflateInit(&sm->z, IMAGE_ZLEVEL) != Z_OK)
            bug("zlib cannot start");
        sm->z_on = 1;
    } else if (im->enc == FO_PDF_ENC_JPEG) {
        struct jpeg_compress_struct *c = &sm->jc;
        c->err = jpeg_std_error(&sm->jerr);
        sm->jerr.error_exit = jenc_die;
        jpeg_create_compress(c);
        sm->j_on = 1;
        c->client_data = sm;
        sm->dest.init_destination = jdest_init;
        sm->dest.empty_output_buffer = jdest_empty;
        sm->dest.term_destination = jdest_term;
        c->dest = &sm->dest;
        c->image_width = (JDIMENSION)im->w;
        c->image_height = (JDIMENSION)im->h;
        c->input_components = im->comps;
        c->in_color_space = im->comps == 1   ? JCS_GRAYSCALE
                            : im->comps == 4 ? JCS_CMYK
                                             : JCS_RGB;
        jpeg_set_defaults(c);
        if (im->comps == 4) /* as fo_pdf_jpeg_encode: plain CMYK */
            c->write_Adobe_marker = FALSE;
        jpeg_set_quality(c, im->quality, TRUE);
        /* no optimize_coding: it holds the whole image's coefficients */
        c->optimize_coding = FALSE;
        jpeg_start_compress(c, TRUE);
    }
}

/* Encodes n bytes of samples (whole rows) into sm->out. */
static void strips_encode(fo_pdf_img *im, fo_pdf_strips *sm, unsigned char *p,
                          size_t n, int rows, int last)
{
    if (im->enc == FO_PDF_ENC_RAW) {
        strip_put(sm, p, n);
    } else if (im->enc == FO_PDF_ENC_FLATE) {
        unsigned char buf[1 << 16];
        sm->z.next_in = p;
        sm->z.avail_in = (uInt)n;
        int rc;
        do {
            sm->z.next_out = buf;
            sm->z.avail_out = sizeof buf;
            rc = deflate(&sm->z, last ? Z_FINISH : Z_NO_FLUSH);
            strip_put(sm, buf, sizeof buf - sm->z.avail_out);
        } while (sm->z.avail_out == 0 || (last && rc != Z_STREAM_END));
    } else {
        size_t stride = (size_t)im->w * (size_t)im->comps;
        for (int y = 0; y < rows; y++) {
            JSAMPROW row = p + stride * (size_t)y;
            (void)jpeg_write_scanlines(&sm->jc, &row, 1);
        }
        if (last)
            jpeg_finish_compress(&sm->jc);
    }
}

/* The writer's thread: the next strip of im's samples, decoded, flattened,
 * converted and encoded into im->strips->out. 0, or -1 (im failed). */
static int strips_next(fo_pdf_img *im, const fo_dl_image_src *src,
                       const fo_pdf_opts *opts, fo_cms *cms)
{
    fo_pdf_strips *sm = im->strips;
    char why[256];
    if (!sm) {
        sm = im->strips = fo_xcalloc(1, sizeof *sm);
        if (fo_image_rows_open(src->path, &src->info, 0, &sm->rows, why,
                               sizeof why) != FO_OK) {
            fo_pdf_img_fail(im, why);
            return -1;
        }
        strips_start(im, sm);
    }
    int w, h, comps, alpha;
    fo_image_rows_geometry(sm->rows, &w, &h, &comps, &alpha);
    size_t row = (size_t)w * 5;
    int n = (int)(STRIP_BYTES / row);
    n = n < 1 ? 1 : n > h - sm->y ? h - sm->y : n;
    fo_pixels px = {.w = w, .h = n, .comps = comps};
    px.data = fo_xmalloc((size_t)w * (size_t)n * (size_t)comps + 1);
    px.alpha = alpha ? fo_xmalloc((size_t)w * (size_t)n + 1) : NULL;
    fo_status st =
        fo_image_rows_read(sm->rows, n, px.data, px.alpha, why, sizeof why);
    sm->y += n;
    int last = sm->y >= h;
    if (st == FO_OK && last)
        st = fo_image_rows_finish(sm->rows, why, sizeof why);
    fo_diags dl;
    fo_diags_init(&dl);
    if (st == FO_OK) {
        /* as fo_pdf_samples_make, a strip at a time (never SCREEN) */
        fo_pixels_flatten(&px);
        if (opts->profile == FO_PROFILE_PRINT && px.comps == 3)
            st = fo_cms_to_cmyk(cms, &px, &dl);
        if (st == FO_OK && opts->profile != FO_PROFILE_PRINT && px.comps == 4)
            st = fo_cms_to_rgb(cms, &px, &dl);
        if (st != FO_OK)
            (void)snprintf(why, sizeof why, "%s",
                           dl.n ? dl.items[0].message
                                : "colour conversion failed");
    }
    fo_diags_free(&dl);
    if (st == FO_OK && (px.w != im->w || px.comps != im->comps))
        bug("the samples made differ from the plan");
    if (st == FO_OK)
        strips_encode(im, sm, px.data, (size_t)w * (size_t)n * (size_t)comps, n,
                      last);
    fo_pixels_free(&px);
    if (st != FO_OK) {
        fo_pdf_img_fail(im, why);
        return -1;
    }
    sm->done = last;
    return 0;
}

/* The writer's thread: up to cap bytes of the stream of an image over
 * FO_PDF_SAMPLES_MAX, made strip by strip; *got 0 at its end. 0, or -1
 * (im failed). */
int fo_pdf_samples_read(fo_pdf_img *im, const fo_dl_image_src *src,
                        const fo_pdf_opts *opts, fo_cms *cms,
                        unsigned char *buf, size_t cap, size_t *got)
{
    fo_pdf_strips *sm = im->strips;
    while (!sm || (sm->out_pos == sm->out_len && !sm->done)) {
        if (sm) {
            sm->out_pos = sm->out_len = 0;
        }
        if (strips_next(im, src, opts, cms) != 0)
            return -1;
        sm = im->strips;
    }
    size_t n = sm->out_len - sm->out_pos;
    n = n < cap ? n : cap;
    memcpy(buf, sm->out + sm->out_pos, n);
    sm->out_pos += n;
    *got = n;
    return 0;
}
