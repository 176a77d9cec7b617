/* Image XObjects of the PDF renderer: one per document image, however often
 * it is drawn. Its dictionary is made when a page first draws it; its
 * samples are made while libharu saves the file, one image at a time, and
 * freed as soon as they are written. So a publication's images are never
 * all in memory at once, and an image that passes through (a JPEG the
 * profile can keep) is never decoded at all: the probe in typeset has
 * already checked it whole.
 *
 * The dictionary's keys are written at the end (fo_pdf_images_finish),
 * when every placement is known: SCREEN downsamples an image to its
 * largest placement.
 *
 * How: the dictionary's stream is a libharu stream of our own (the
 * HPDF_Stream read/seek/size callbacks of hpdf_streams.h) whose size
 * callback, the first thing libharu asks when it reaches the object,
 * decodes, converts and encodes the image; the read callback hands out the
 * bytes and frees them at the end. What passes through (the file's bytes,
 * a PNG's IDAT data) and the samples of an image over SAMPLES_MAX are
 * instead made by the read callback itself, a block or a strip at a time
 * (libharu asks the size only to know whether it is 0, and counts the
 * /Length as it writes), so that memory does not grow with the image. libharu
 * compresses a stream itself only when its filter says Flate, at zlib's default
 * level and with no way to change it, and it deletes a /Filter key it did not
 * set; so our Flate streams carry filter NONE (copied as they are) and their
 * /Filter is written by the dictionary's write callback, which libharu calls
 * after the other keys. The compression level is then ours (IMAGE_ZLEVEL).
 *
 * What each profile stores (plan()):
 * - a JPEG the profile can keep goes in as the file's bytes (DCTDecode):
 *   grey and CMYK in PRINT, grey and RGB in ARCHIVE, any in SCREEN unless
 *   it must be downsampled;
 * - any other JPEG is decoded, converted (PRINT: RGB to CMYK through the
 *   output profile; ARCHIVE and SCREEN: CMYK to sRGB), downsampled
 *   (SCREEN) and encoded again as a JPEG: a lossy source stays lossy at
 *   high quality (PRINT_JPEG_QUALITY), not ten times larger in Flate;
 * - an opaque 8-bit grey or RGB PNG in sRGB that the profile can keep goes
 *   in as its IDAT bytes, with the PNG predictors named in /DecodeParms (as
 *   pdfTeX does): no inflating, no deflating. The probe has checked every
 *   chunk's CRC;
 * - any other PNG is decoded, flattened on white (PRINT, ARCHIVE: no
 *   transparency) or given a soft mask (SCREEN), converted, and stored
 *   lossless with Flate, since charts, maps and logos must keep their
 *   edges; SCREEN stores a downsampled opaque PNG as a JPEG.
 *
 * An image whose file changed or broke since the probe is reported at its
 * first placement and fails the save: no PDF is written.
 *
 * Threads: decoding, converting and encoding are the work of a build with
 * many photos (LittleCMS and libjpeg, in the print profile), and libharu
 * writes one object at a time. So while it saves, worker threads (one per
 * further core, at most MAX_WORKERS) make the images ahead of it, in the
 * order it will write them, at most WINDOW images ahead so that memory
 * stays bounded; the writer takes an image a worker has made, or makes it
 * itself if no worker has started it. Making an image touches only that
 * image and thread-safe library state (libjpeg, libpng, libdeflate, Cairo
 * objects of its own; LittleCMS transforms, made under a lock in
 * color.c and shared read-only), and its errors are kept with it and
 * reported by the writer's thread, so the file and the diagnostics are the
 * same whatever the number of threads.
 *
 * Cache: an image made whole (make_samples) is looked up first in
 * opts->cache under a key of its file's digest, its plan and what the
 * conversion depends on (stream_key), and stored there once made. A hit
 * hands out the bytes the same plan made before, so the PDF is the same
 * with or without the cache (tests/cli/cache.sh). What passes through is
 * only copied and is not cached, nor are the streams made strip by strip
 * (images over SAMPLES_MAX), which are never held whole. */
#include "pdf_private.h"

#include <hpdf.h>

#include <cairo.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <libdeflate.h>
#include <zlib.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deflate level (libdeflate) of image samples. Measured on the benchmark's
 * 27 sections, print profile (its PNG photos and charts converted to CMYK
 * and deflated): level 1 against 6, 2.53-2.61 s of CPU against 2.75-2.93,
 * and the PDF no larger (33.53 MB against 33.62: noise-like photo data
 * gains nothing from a slower search). */
#define IMAGE_ZLEVEL 1
/* An image whose samples (as decoded, or as stored) exceed this is never
 * held whole: SCREEN stores it reduced to this size at most (decoded
 * reduced, then resampled), PRINT and ARCHIVE make its stream strip by
 * strip while libharu writes it (STRIP_BYTES of rows at a time), so that
 * one image of any size the probe accepts stays far below 512 MB
 * (tests/cli/image_limits.sh). Images up to this size are made whole,
 * ahead of the writer by the workers, with libdeflate's whole-buffer
 * compression. */
#define SAMPLES_MAX ((size_t)32 << 20)
#define STRIP_BYTES ((size_t)4 << 20)
/* What the workers may hold in images made ahead of the writer, counted
 * at three times their decoded size (decoded, converted, encoded). */
#define AHEAD_BUDGET ((size_t)192 << 20)
/* Worker threads at most, and how many images they may make ahead of the
 * writer. */
#define MAX_WORKERS 3
#define WINDOW_PER_THREAD 2
/* JPEG quality of images re-encoded for print and archive (a JPEG source
 * converted to CMYK or sRGB), and of SCREEN's downsampled ones. */
#define PRINT_JPEG_QUALITY 95
#define SCREEN_JPEG_QUALITY 82

/* A bug or an impossible state: message and abort. Bugs abort, bad input
 * is reported, and nothing needs to unwind (no setjmp). */
_Noreturn static void bug(const char *what)
{
    (void)fprintf(stderr, "folio: pdf_image: %s\n", what);
    abort();
}

typedef enum enc_kind {
    ENC_PASS,  /* the file's bytes, DCTDecode */
    ENC_IDAT,  /* a PNG's IDAT bytes, FlateDecode with PNG predictors */
    ENC_JPEG,  /* decoded and encoded again, DCTDecode */
    ENC_FLATE, /* samples, FlateDecode at IMAGE_ZLEVEL */
    ENC_RAW    /* samples, uncompressed (opts->compress off) */
} enc_kind;

/* An image's stream made strip by strip while libharu reads it. */
typedef struct strip_maker {
    fo_image_rows *rows;
    int y, done;
    z_stream z; /* ENC_FLATE */
    int z_on;
    struct jpeg_compress_struct jc; /* ENC_JPEG */
    struct jpeg_error_mgr jerr;
    struct jpeg_destination_mgr dest;
    int j_on;
    unsigned char jbuf[1 << 16];
    unsigned char *out; /* made, not yet read */
    size_t out_len, out_pos, out_cap;
} strip_maker;

typedef struct img {
    fo_pdf_images *owner;
    int idx;
    fo_pos pos;              /* first placement: where errors point */
    char *src;               /* the image as the content names it (a copy) */
    double place_w, place_h; /* largest placement, points */
    enc_kind enc;
    int quality;
    int w, h, comps; /* as stored in the PDF */
    int resample;    /* w, h differ from the file's */
    int mask;        /* a soft mask follows (SCREEN, alpha) */
    HPDF_Dict xobj, smask;
    size_t order; /* position in the writing order */
    int state;    /* UNCLAIMED, MAKING, MADE (under the owner's lock) */
    int failed, reported;
    char *why; /* the failure, reported by the writer's thread */
    unsigned char *data, *alpha; /* encoded, while being written */
    size_t len, alpha_len;
    size_t cost;           /* bytes counted against AHEAD_BUDGET while made */
    int by_writer;         /* made by the writer's reads: streamed */
    int is_consumed;       /* its cost given back */
    fo_image_bytes *bytes; /* ENC_PASS, ENC_IDAT: the file, streamed */
    strip_maker *strips;   /* large samples: made while read */
} img;

struct fo_pdf_images {
    HPDF_Doc pdf;
    const fo_dl_doc *doc;
    const fo_pdf_opts *opts;
    fo_cms *cms;
    fo_diags *d;
    img **imgs; /* per document image, NULL until first drawn */
    size_t nimgs;
    int failed;
    /* the writing order (first use = libharu's object order) and the
     * workers that make images ahead of the writer */
    img **order;
    size_t norder, order_cap;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t workers[MAX_WORKERS];
    int nworkers;
    size_t next;     /* first position no worker has looked at */
    size_t consumed; /* images the writer has finished with */
    size_t window;
    size_t ahead; /* cost of the images made or being made, not consumed */
    int stop;
    int keyed;                          /* opts->cache is on and env is known */
    unsigned char env[FO_CACHE_DIGEST]; /* see stream_env */
};

enum { UNCLAIMED, MAKING, MADE };

/* What a stream callback gets: its image and which of its streams. */
typedef struct img_stream {
    img *im;
    int is_mask;
    size_t pos;
} img_stream;

/* The digest of what every image stream of a document depends on besides
 * its file and its plan: the bytes of the ICC profiles and the versions of
 * the libraries that convert, resample and encode (the code itself is in
 * every key: cache.h). 0 when opts has no cache, or a profile cannot be
 * read (fo_pdf_cms_new reports that). */
static int stream_env(const fo_pdf_opts *opts, unsigned char *env)
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

fo_pdf_images *fo_pdf_images_new(HPDF_Doc pdf, const fo_dl_doc *doc,
                                 const fo_pdf_opts *opts, fo_cms *cms,
                                 fo_diags *d)
{
    fo_pdf_images *o = fo_xcalloc(1, sizeof *o);
    o->pdf = pdf;
    o->doc = doc;
    o->opts = opts;
    o->cms = cms;
    o->d = d;
    o->keyed = stream_env(opts, o->env);
    (void)pthread_mutex_init(&o->mu, NULL);
    (void)pthread_cond_init(&o->cv, NULL);
    return o;
}

static void stop_workers(fo_pdf_images *o)
{
    (void)pthread_mutex_lock(&o->mu);
    o->stop = 1;
    (void)pthread_cond_broadcast(&o->cv);
    (void)pthread_mutex_unlock(&o->mu);
    for (int i = 0; i < o->nworkers; i++)
        (void)pthread_join(o->workers[i], NULL);
    o->nworkers = 0;
}

static void strips_free(strip_maker *sm)
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

static void img_release(img *im)
{
    free(im->data);
    free(im->alpha);
    im->data = im->alpha = NULL;
    fo_image_bytes_free(im->bytes);
    im->bytes = NULL;
    strips_free(im->strips);
    im->strips = NULL;
}

void fo_pdf_images_free(fo_pdf_images *o)
{
    if (!o)
        return;
    stop_workers(o);
    for (size_t i = 0; i < o->nimgs; i++)
        if (o->imgs[i]) {
            img_release(o->imgs[i]);
            free(o->imgs[i]->src);
            free(o->imgs[i]->why);
            free(o->imgs[i]);
        }
    free(o->order);
    (void)pthread_mutex_destroy(&o->mu);
    (void)pthread_cond_destroy(&o->cv);
    free(o->imgs);
    free(o);
}

int fo_pdf_images_failed(const fo_pdf_images *o)
{
    return o->failed;
}

/* ---- what to store ---------------------------------------------------- */

/* SCREEN: the stored size the image is resampled to so that its largest
 * placement shows it at opts->screen_ppi; 0 when it is not above that. */
static int screen_size(const fo_pdf_images *o, const img *im, int *w, int *h)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    double ppi = o->opts->screen_ppi;
    if (o->opts->profile != FO_PROFILE_SCREEN || ppi <= 0 || in->shown_w <= 0 ||
        in->shown_h <= 0 || im->place_w <= 0 || im->place_h <= 0)
        return 0;
    double sx = im->place_w / 72 * ppi / in->shown_w;
    double sy = im->place_h / 72 * ppi / in->shown_h;
    double s = sx > sy ? sx : sy;
    if (s >= 1)
        return 0;
    *w = (int)ceil(in->width * s);
    *h = (int)ceil(in->height * s);
    *w = *w < 1 ? 1 : *w;
    *h = *h < 1 ? 1 : *h;
    return *w < in->width || *h < in->height;
}

/* Whether a JPEG can go in as it is in this profile. */
static int jpeg_passes(const fo_pdf_images *o, const img *im)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    int w, h;
    switch (o->opts->profile) {
    case FO_PROFILE_PRINT: /* grey and CMYK */
        return in->components != 3;
    case FO_PROFILE_ARCHIVE: /* grey and RGB: sRGB output intent */
        return in->components != 4;
    case FO_PROFILE_SCREEN: /* CMYK stays CMYK without a profile for it */
        if (in->components == 4)
            return !o->opts->cmyk_icc;
        return !screen_size(o, im, &w, &h);
    }
    return 1;
}

/* Whether a PNG's compressed data can go in as it is (fo_image_info
 * png_copy: 8-bit grey or RGB, opaque, sRGB): not in PRINT when RGB (it
 * becomes CMYK), not in SCREEN when it must be downsampled. */
static int png_passes(const fo_pdf_images *o, const img *im)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    int w, h;
    if (!in->png_copy)
        return 0;
    switch (o->opts->profile) {
    case FO_PROFILE_PRINT:
        return in->components == 1;
    case FO_PROFILE_ARCHIVE:
        return 1;
    case FO_PROFILE_SCREEN:
        return !screen_size(o, im, &w, &h);
    }
    return 0;
}

/* Decides im's encoding, stored size and components from the probe. */
static void plan(fo_pdf_images *o, img *im)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    fo_profile prof = o->opts->profile;
    im->w = in->width;
    im->h = in->height;
    im->comps = in->components;
    /* what passes through is copied from the file while libharu writes
     * it, a block at a time */
    if (in->format == FO_IMAGE_JPEG && jpeg_passes(o, im)) {
        im->enc = ENC_PASS;
        im->by_writer = 1;
        return;
    }
    if (in->format == FO_IMAGE_PNG && png_passes(o, im)) {
        im->enc = ENC_IDAT;
        im->by_writer = 1;
        return;
    }
    if (prof == FO_PROFILE_PRINT && im->comps == 3)
        im->comps = 4;
    if (prof != FO_PROFILE_PRINT && im->comps == 4)
        im->comps = 3;
    im->mask = prof == FO_PROFILE_SCREEN && in->has_alpha;
    im->resample = screen_size(o, im, &im->w, &im->h);
    size_t ch =
        (size_t)(im->comps > in->components ? im->comps : in->components) +
        (in->has_alpha ? 1 : 0);
    size_t whole = (size_t)in->width * (size_t)in->height * ch;
    if (prof == FO_PROFILE_SCREEN) {
        /* at most SAMPLES_MAX stored: a screen PDF needs no more */
        double f = sqrt((double)SAMPLES_MAX / ((double)im->w * im->h * ch));
        if (f < 1) {
            im->w = (int)fmax(1, floor(im->w * f));
            im->h = (int)fmax(1, floor(im->h * f));
            im->resample = 1;
        }
    } else if (whole > SAMPLES_MAX) {
        im->by_writer = 1;
    }
    im->cost =
        im->by_writer ? 0 : 3 * (whole < SAMPLES_MAX ? whole : SAMPLES_MAX);
    im->enc = o->opts->compress ? ENC_FLATE : ENC_RAW;
    if (prof == FO_PROFILE_SCREEN && !im->mask &&
        (im->resample || in->components == 4)) {
        im->enc = ENC_JPEG;
        im->quality = SCREEN_JPEG_QUALITY;
    } else if (in->format == FO_IMAGE_JPEG) {
        im->enc = ENC_JPEG;
        im->quality = prof == FO_PROFILE_SCREEN ? SCREEN_JPEG_QUALITY
                                                : PRINT_JPEG_QUALITY;
    }
}

/* ---- making the samples ------------------------------------------------ */

/* Any thread: keeps the failure for the writer's thread to report. */
static void img_fail(img *im, const char *why)
{
    im->failed = 1;
    if (!im->why)
        im->why = fo_xstrdup(why);
    img_release(im);
}

/* The writer's thread: reports a failed image, once. */
static void img_report(img *im)
{
    fo_pdf_images *o = im->owner;
    if (!im->failed || im->reported)
        return;
    im->reported = 1;
    const fo_dl_image_src *src = &o->doc->images[im->idx];
    fo_image_report(o->d, im->pos, im->src ? im->src : src->path,
                    im->why ? im->why : "failed");
    o->failed++;
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
 * document's stream_env, and the plan. 0 without a cache. */
static int stream_key(const img *im, const fo_dl_image_src *src,
                      fo_cache_key *key)
{
    const fo_pdf_images *o = im->owner;
    if (!o->keyed)
        return 0;
    const int64_t plan[] = {o->opts->profile,
                            im->enc,
                            im->quality,
                            im->w,
                            im->h,
                            im->comps,
                            im->mask,
                            im->resample,
                            IMAGE_ZLEVEL,
                            (int64_t)SAMPLES_MAX,
                            (int64_t)src->info.file_size};
    const fo_cache_part parts[3] = {{src->info.digest, FO_CACHE_DIGEST},
                                    {o->env, FO_CACHE_DIGEST},
                                    {plan, sizeof plan}};
    *key = fo_cache_key_make(o->opts->cache, "pdf-image", parts, 3);
    return 1;
}

/* im's stream and soft mask from the cache: 1 when found (im->data and
 * im->alpha set). The payload is the stream, the mask, then the stream's
 * length (8 bytes, little-endian). The file must still hold the bytes the
 * probe saw, as decoding it would check: when it does not, a miss, and
 * the decoding reports it. */
static int stream_cached(img *im, const fo_dl_image_src *src,
                         const fo_cache_key *key)
{
    unsigned char dg[FO_CACHE_DIGEST], *p;
    long long size;
    size_t n;
    if (fo_cache_digest_file(src->path, FO_IMAGE_MAX_FILE, dg, &size) !=
            FO_OK ||
        size != (long long)src->info.file_size ||
        memcmp(dg, src->info.digest, sizeof dg) != 0 ||
        !fo_cache_get(im->owner->opts->cache, key, &p, &n))
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

static void stream_store(const img *im, const fo_cache_key *key)
{
    unsigned char len[8];
    for (int b = 0; b < 8; b++)
        len[b] = (unsigned char)((uint64_t)im->len >> (8 * b));
    const fo_cache_part parts[3] = {
        {im->data, im->len}, {im->alpha, im->alpha_len}, {len, sizeof len}};
    fo_cache_put(im->owner->opts->cache, key, parts, 3);
}

static void make_samples(img *im, const fo_dl_image_src *src)
{
    fo_pdf_images *o = im->owner;
    fo_profile prof = o->opts->profile;
    fo_pixels px;
    char why[256];
    fo_cache_key key;
    int keyed = stream_key(im, src, &key);
    if (keyed && stream_cached(im, src, &key))
        return;
    /* SCREEN's large images reduced while decoding (plan) */
    size_t max = o->opts->profile == FO_PROFILE_SCREEN ? SAMPLES_MAX : 0;
    if (fo_image_decode_max(src->path, &src->info, max, &px, why, sizeof why) !=
        FO_OK) {
        img_fail(im, why);
        return;
    }
    fo_status st = FO_OK;
    fo_diags dl; /* this thread's: moved into why */
    fo_diags_init(&dl);
    if (prof != FO_PROFILE_SCREEN)
        fo_pixels_flatten(&px);
    if (prof == FO_PROFILE_PRINT && px.comps == 3)
        st = fo_cms_to_cmyk(o->cms, &px, &dl);
    if (st == FO_OK && prof != FO_PROFILE_PRINT && px.comps == 4)
        st = fo_cms_to_rgb(o->cms, &px, &dl);
    if (st == FO_OK && im->resample)
        st = fo_pixels_resample(&px, im->w, im->h, &dl);
    if (st == FO_OK &&
        (px.w != im->w || px.h != im->h || px.comps != im->comps ||
         (px.alpha != NULL) != (im->mask != 0)))
        bug("the samples made differ from the plan");
    if (st != FO_OK) {
        fo_pixels_free(&px);
        img_fail(im, dl.n ? dl.items[0].message : "colour conversion failed");
        fo_diags_free(&dl);
        return;
    }
    fo_diags_free(&dl);
    size_t n = (size_t)px.w * (size_t)px.h;
    switch (im->enc) {
    case ENC_JPEG:
        fo_pdf_jpeg_encode(&px, im->quality, &im->data, &im->len);
        break;
    case ENC_FLATE:
        im->data = deflate_bytes(px.data, n * (size_t)px.comps, &im->len);
        break;
    case ENC_RAW:
    case ENC_PASS:
    case ENC_IDAT:
        im->len = n * (size_t)px.comps;
        im->data = copy_bytes(px.data, im->len);
        break;
    }
    if (im->mask && px.alpha) { /* planned together: see above */
        if (o->opts->compress) {
            im->alpha = deflate_bytes(px.alpha, n, &im->alpha_len);
        } else {
            im->alpha_len = n;
            im->alpha = copy_bytes(px.alpha, n);
        }
    }
    fo_pixels_free(&px);
    if (keyed)
        stream_store(im, &key);
}

static void make_now(img *im)
{
    if (!im->by_writer) /* else made while libharu reads it */
        make_samples(im, &im->owner->doc->images[im->idx]);
}

/* ---- streams made while read -------------------------------------------- */

static void strip_put(strip_maker *sm, const unsigned char *p, size_t n)
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
    strip_maker *sm = c->client_data;
    sm->dest.next_output_byte = sm->jbuf;
    sm->dest.free_in_buffer = sizeof sm->jbuf;
}

static boolean jdest_empty(j_compress_ptr c)
{
    strip_maker *sm = c->client_data;
    strip_put(sm, sm->jbuf, sizeof sm->jbuf);
    jdest_init(c);
    return TRUE;
}

static void jdest_term(j_compress_ptr c)
{
    strip_maker *sm = c->client_data;
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

static void strips_start(img *im, strip_maker *sm)
{
    if (im->enc == ENC_FLATE) {
        if (deflateInit(&sm->z, IMAGE_ZLEVEL) != Z_OK)
            bug("zlib cannot start");
        sm->z_on = 1;
    } else if (im->enc == ENC_JPEG) {
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
static void strips_encode(img *im, strip_maker *sm, unsigned char *p, size_t n,
                          int rows, int last)
{
    if (im->enc == ENC_RAW) {
        strip_put(sm, p, n);
    } else if (im->enc == ENC_FLATE) {
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
static int strips_next(img *im)
{
    fo_pdf_images *o = im->owner;
    const fo_dl_image_src *src = &o->doc->images[im->idx];
    strip_maker *sm = im->strips;
    char why[256];
    if (!sm) {
        sm = im->strips = fo_xcalloc(1, sizeof *sm);
        if (fo_image_rows_open(src->path, &src->info, 0, &sm->rows, why,
                               sizeof why) != FO_OK) {
            img_fail(im, why);
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
        /* as make_samples, a strip at a time (never SCREEN) */
        fo_pixels_flatten(&px);
        if (o->opts->profile == FO_PROFILE_PRINT && px.comps == 3)
            st = fo_cms_to_cmyk(o->cms, &px, &dl);
        if (st == FO_OK && o->opts->profile != FO_PROFILE_PRINT &&
            px.comps == 4)
            st = fo_cms_to_rgb(o->cms, &px, &dl);
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
        img_fail(im, why);
        return -1;
    }
    sm->done = last;
    return 0;
}

/* The writer's thread: up to cap bytes of a stream made while read into
 * buf; *got 0 at its end. 0, or -1 (im failed). */
static int writer_read(img *im, unsigned char *buf, size_t cap, size_t *got)
{
    const fo_dl_image_src *src = &im->owner->doc->images[im->idx];
    char why[256];
    *got = 0;
    if (im->failed)
        return -1;
    if (im->enc == ENC_PASS || im->enc == ENC_IDAT) {
        if (!im->bytes &&
            fo_image_bytes_open(src->path, &src->info, im->enc == ENC_IDAT,
                                &im->bytes, why, sizeof why) != FO_OK) {
            img_fail(im, why);
            return -1;
        }
        /* several reads: libharu's buffer is small, the file's blocks not */
        while (*got < cap) {
            size_t n;
            if (fo_image_bytes_read(im->bytes, buf + *got, cap - *got, &n, why,
                                    sizeof why) != FO_OK) {
                img_fail(im, why);
                return -1;
            }
            if (n == 0)
                break;
            *got += n;
        }
        return 0;
    }
    strip_maker *sm = im->strips;
    while (!sm || (sm->out_pos == sm->out_len && !sm->done)) {
        if (sm) {
            sm->out_pos = sm->out_len = 0;
        }
        if (strips_next(im) != 0)
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

/* Under the lock: the next image no thread has started, within the
 * window ahead of the writer; NULL when there is none now. */
static img *claim_next(fo_pdf_images *o)
{
    while (o->next < o->norder && o->order[o->next]->state != UNCLAIMED)
        o->next++;
    if (o->next >= o->norder || o->next >= o->consumed + o->window)
        return NULL;
    img *im = o->order[o->next];
    /* within the memory budget, unless nothing else is held */
    if (o->ahead > 0 && o->ahead + im->cost > AHEAD_BUDGET)
        return NULL;
    o->next++;
    o->ahead += im->cost;
    im->state = MAKING;
    return im;
}

/* Under the lock: makes im (claimed by this thread) without the lock. */
static void make_claimed(fo_pdf_images *o, img *im)
{
    (void)pthread_mutex_unlock(&o->mu);
    make_now(im);
    (void)pthread_mutex_lock(&o->mu);
    im->state = MADE;
    (void)pthread_cond_broadcast(&o->cv);
}

/* The writer's thread: im made, by a worker or here. While a worker makes
 * it, the writer makes the next image itself rather than wait. */
static void make(img *im)
{
    fo_pdf_images *o = im->owner;
    (void)pthread_mutex_lock(&o->mu);
    while (im->state != MADE) {
        img *other;
        if (im->state == UNCLAIMED) {
            im->state = MAKING;
            o->ahead += im->cost; /* given back by consumed() */
            make_claimed(o, im);
        } else if ((other = claim_next(o)) != NULL) {
            make_claimed(o, other);
        } else {
            (void)pthread_cond_wait(&o->cv, &o->mu);
        }
    }
    (void)pthread_mutex_unlock(&o->mu);
    img_report(im);
}

/* The writer's thread: done with im's last stream; a worker may go on. */
static void consumed(img *im)
{
    fo_pdf_images *o = im->owner;
    (void)pthread_mutex_lock(&o->mu);
    if (!im->is_consumed) {
        im->is_consumed = 1;
        o->ahead -= im->cost;
    }
    o->consumed = im->order + 1 > o->consumed ? im->order + 1 : o->consumed;
    (void)pthread_cond_broadcast(&o->cv);
    (void)pthread_mutex_unlock(&o->mu);
}

static void *worker(void *arg)
{
    fo_pdf_images *o = arg;
    (void)pthread_mutex_lock(&o->mu);
    while (!o->stop) {
        img *im = claim_next(o);
        if (im)
            make_claimed(o, im);
        else if (o->next >= o->norder)
            break; /* every image is started */
        else
            (void)pthread_cond_wait(&o->cv, &o->mu);
    }
    (void)pthread_mutex_unlock(&o->mu);
    return NULL;
}

/* Workers for the save that follows: one per core beyond the first, or
 * FOLIO_THREADS - 1 when that is set (1: the writer alone), for a machine
 * that runs several builds side by side. */
static void start_workers(fo_pdf_images *o)
{
    int n = fo_threads() - 1;
    n = n > MAX_WORKERS ? MAX_WORKERS : n;
    if ((size_t)n > o->norder)
        n = (int)o->norder;
    o->window = (size_t)(n + 1) * WINDOW_PER_THREAD;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&o->workers[o->nworkers], NULL, worker, o) != 0)
            break; /* fewer workers: the writer makes the rest */
        o->nworkers++;
    }
}

/* ---- the stream callbacks ---------------------------------------------- */

static HPDF_UINT32 stream_size(HPDF_Stream s)
{
    img_stream *is = fo_pdf_obj_stream_user(s);
    make(is->im);
    if (is->im->failed || is->im->by_writer)
        return 1; /* made while read (libharu only asks whether it is 0);
                     or failed: so that the read is called, and fails */
    size_t len = is->is_mask ? is->im->alpha_len : is->im->len;
    if (len == 0 && (is->is_mask || !is->im->mask))
        consumed(is->im); /* libharu will not read an empty stream */
    return (HPDF_UINT32)len;
}

static HPDF_STATUS stream_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    img_stream *is = fo_pdf_obj_stream_user(s);
    img *im = is->im;
    make(im);
    if (!im->failed && im->by_writer) {
        size_t n = 0, got = 1;
        while (n < *siz && got > 0 && !im->failed)
            if (writer_read(im, ptr + n, *siz - n, &got) != 0)
                break;
            else
                n += got;
        if (!im->failed) {
            is->pos += n;
            if (n == *siz)
                return HPDF_OK;
            *siz = (HPDF_UINT)n; /* the end: the file or strips done */
            img_release(im);
            consumed(im);
            return HPDF_STREAM_EOF;
        }
        img_report(im);
    }
    if (im->failed) {
        consumed(im);
        return fo_pdf_obj_stream_fail(s, HPDF_FILE_IO_ERROR, 0);
    }
    const unsigned char *data = is->is_mask ? im->alpha : im->data;
    size_t len = is->is_mask ? im->alpha_len : im->len;
    size_t n = is->pos < len ? len - is->pos : 0;
    if (n > *siz)
        n = *siz;
    if (n)
        memcpy(ptr, data + is->pos, n);
    is->pos += n;
    if (is->pos >= len && (is->is_mask ? im->alpha : im->data)) {
        /* written: the samples are not needed again */
        if (is->is_mask) {
            free(im->alpha);
            im->alpha = NULL;
        } else {
            free(im->data);
            im->data = NULL;
        }
        if (is->is_mask || !im->mask)
            consumed(im);
    }
    if (n < *siz) {
        *siz = (HPDF_UINT)n;
        return HPDF_STREAM_EOF;
    }
    return HPDF_OK;
}

static HPDF_STATUS stream_seek(HPDF_Stream s, HPDF_INT pos,
                               HPDF_WhenceMode mode)
{
    img_stream *is = fo_pdf_obj_stream_user(s);
    /* libharu seeks to 0 before it reads; nothing else is needed */
    if (mode != HPDF_SEEK_SET || pos != 0)
        return fo_pdf_obj_stream_fail(s, HPDF_INVALID_OPERATION, 0);
    is->pos = 0;
    return HPDF_OK;
}

static HPDF_INT32 stream_tell(HPDF_Stream s)
{
    img_stream *is = fo_pdf_obj_stream_user(s);
    return (HPDF_INT32)is->pos;
}

static void stream_free(HPDF_Stream s)
{
    free(fo_pdf_obj_stream_user(s));
    fo_pdf_obj_stream_set_user(s, NULL);
}

HPDF_STATUS fo_pdf_write_flate_filter(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* The same, with the parameters of the PNG predictors: each row starts
 * with its filter type byte (PNG's filters, /Predictor 15). */
static HPDF_STATUS write_idat_filter(HPDF_Dict dict, HPDF_Stream out)
{
    const img_stream *is = fo_pdf_obj_dict_user(dict);
    char buf[160];
    (void)snprintf(buf, sizeof buf,
                   "/Filter /FlateDecode\012/DecodeParms << /Predictor 15 "
                   "/Colors %d /BitsPerComponent 8 /Columns %d >>\012",
                   is->im->comps, is->im->w);
    return HPDF_Stream_WriteStr(out, buf);
}

/* An image XObject with our stream in place of libharu's memory stream;
 * its keys come with set_keys() at the end. */
static HPDF_Dict new_xobject(fo_pdf_images *o, img *im, int is_mask)
{
    static const fo_pdf_stream_fns fns = {stream_read, stream_seek, stream_tell,
                                          stream_size, stream_free};
    img_stream *is = fo_xcalloc(1, sizeof *is);
    is->im = im;
    is->is_mask = is_mask;
    HPDF_Dict x = fo_pdf_obj_callback_xobject(o->pdf, &fns, is);
    if (!x) {
        free(is);
        return NULL;
    }
    HPDF_STATUS r = HPDF_Dict_AddName(x, "Type", "XObject");
    r |= HPDF_Dict_AddName(x, "Subtype", "Image");
    return r == HPDF_OK ? x : NULL;
}

/* The keys that follow from the plan. */
static HPDF_STATUS set_keys(HPDF_Dict x, int w, int h, int comps, enc_kind enc)
{
    fo_pdf_obj_set_filter(x,
                          enc == ENC_PASS || enc == ENC_JPEG
                              ? HPDF_STREAM_FILTER_DCT_DECODE
                              : HPDF_STREAM_FILTER_NONE,
                          enc == ENC_FLATE  ? fo_pdf_write_flate_filter
                          : enc == ENC_IDAT ? write_idat_filter
                                            : NULL);
    const char *cs = comps == 1   ? "DeviceGray"
                     : comps == 4 ? "DeviceCMYK"
                                  : "DeviceRGB";
    HPDF_STATUS r = HPDF_Dict_AddNumber(x, "Width", w);
    r |= HPDF_Dict_AddNumber(x, "Height", h);
    r |= HPDF_Dict_AddName(x, "ColorSpace", cs);
    r |= HPDF_Dict_AddNumber(x, "BitsPerComponent", 8);
    return r;
}

HPDF_Dict fo_pdf_image_xobject(fo_pdf_images *o, const fo_dl_image *use)
{
    size_t idx = (size_t)use->image;
    if (idx >= o->nimgs) {
        size_t n = o->doc->nimages > idx ? o->doc->nimages : idx + 1;
        /* an array of pointers: sizeof a pointer is meant */
        // NOLINTBEGIN(bugprone-sizeof-expression)
        o->imgs = fo_xrealloc(o->imgs, n * sizeof *o->imgs);
        memset(o->imgs + o->nimgs, 0, (n - o->nimgs) * sizeof *o->imgs);
        // NOLINTEND(bugprone-sizeof-expression)
        o->nimgs = n;
    }
    img *im = o->imgs[idx];
    if (!im) {
        im = o->imgs[idx] = fo_xcalloc(1, sizeof *im);
        im->owner = o;
        im->idx = (int)idx;
        im->pos = use->pos;
        im->src = use->src ? fo_xstrdup(use->src) : NULL;
        im->xobj = new_xobject(o, im, 0);
        /* the soft mask right after its image, so that libharu writes
         * them one after the other (SCREEN keeps alpha) */
        const fo_image_info *in = &o->doc->images[idx].info;
        if (im->xobj && o->opts->profile == FO_PROFILE_SCREEN &&
            in->has_alpha) {
            im->smask = new_xobject(o, im, 1);
            if (!im->smask ||
                HPDF_Dict_Add(im->xobj, "SMask", im->smask) != HPDF_OK)
                im->xobj = NULL;
        }
        // NOLINTNEXTLINE(bugprone-sizeof-expression): pointers are meant
        fo_grow((void **)&o->order, sizeof *o->order, &o->order_cap,
                o->norder + 1);
        im->order = o->norder;
        o->order[o->norder++] = im;
    }
    im->place_w = fmax(im->place_w, fabs(use->w));
    im->place_h = fmax(im->place_h, fabs(use->h));
    return im->xobj;
}

fo_status fo_pdf_images_finish(fo_pdf_images *o)
{
    for (size_t i = 0; i < o->nimgs; i++) {
        img *im = o->imgs[i];
        if (!im || !im->xobj)
            continue;
        plan(o, im);
        const fo_image_info *in = &o->doc->images[im->idx].info;
        if (set_keys(im->xobj, im->w, im->h, im->comps, im->enc) != HPDF_OK)
            return FO_ERR_LIBRARY;
        /* Adobe's inverted CMYK JPEG passing through */
        if (im->enc == ENC_PASS && in->components == 4 && in->adobe_cmyk) {
            HPDF_Array dec = fo_pdf_obj_array(o->pdf);
            if (!dec || HPDF_Dict_Add(im->xobj, "Decode", dec) != HPDF_OK)
                return FO_ERR_LIBRARY;
            for (int k = 0; k < 4; k++)
                if (HPDF_Array_AddNumber(dec, 1) != HPDF_OK ||
                    HPDF_Array_AddNumber(dec, 0) != HPDF_OK)
                    return FO_ERR_LIBRARY;
        }
        if (im->mask != (im->smask != NULL))
            bug("soft mask planned differently at first use");
        if (im->mask &&
            set_keys(im->smask, im->w, im->h, 1,
                     o->opts->compress ? ENC_FLATE : ENC_RAW) != HPDF_OK)
            return FO_ERR_LIBRARY;
    }
    start_workers(o);
    return FO_OK;
}
