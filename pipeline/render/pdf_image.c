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
 * a PNG's IDAT data) and the samples of an image over FO_PDF_SAMPLES_MAX are
 * instead made by the read callback itself, a block or a strip at a time
 * (libharu asks the size only to know whether it is 0, and counts the
 * /Length as it writes), so that memory does not grow with the image. libharu
 * compresses a stream itself only when its filter says Flate, at zlib's default
 * level and with no way to change it, and it deletes a /Filter key it did not
 * set; so our Flate streams carry filter NONE (copied as they are) and their
 * /Filter is written by the dictionary's write callback, which libharu calls
 * after the other keys. The compression level is then ours (IMAGE_ZLEVEL,
 * pdf_samples.c).
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
 * - any other PNG is decoded, flattened on white (ARCHIVE, PDF/X-1a: no
 *   transparency) or given a soft mask (SCREEN, PDF/X-4), converted, and stored
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
 * same whatever the number of threads. The samples themselves are made in
 * pdf_samples.c. */
#include "pdf_private.h"

#include <hpdf.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct fo_pdf_images {
    HPDF_Doc pdf;
    const fo_dl_doc *doc;
    const fo_pdf_opts *opts;
    fo_cms *cms;
    fo_diags *d;
    fo_pdf_img **imgs; /* per document image, NULL until first drawn */
    size_t nimgs;
    int failed;
    /* the writing order (first use = libharu's object order) and the
     * workers that make images ahead of the writer */
    fo_pdf_img **order;
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
    unsigned char env[FO_CACHE_DIGEST]; /* fo_pdf_samples_env */
};

enum { UNCLAIMED, MAKING, MADE };

/* What a stream callback gets: its image and which of its streams. */
typedef struct img_stream {
    fo_pdf_img *im;
    int is_mask;
    size_t pos;
} img_stream;

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
    o->keyed = fo_pdf_samples_env(opts, o->env);
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

void fo_pdf_images_free(fo_pdf_images *o)
{
    if (!o)
        return;
    stop_workers(o);
    for (size_t i = 0; i < o->nimgs; i++)
        if (o->imgs[i]) {
            fo_pdf_img_release(o->imgs[i]);
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
static int screen_size(const fo_pdf_images *o, const fo_pdf_img *im, int *w,
                       int *h)
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

/* The effective resolution of im at its largest placement: pixels per
 * inch across and down, the lower of the two; 0 when not placed. */
static double placed_ppi(const fo_image_info *in, const fo_pdf_img *im)
{
    if (im->place_w <= 0 || im->place_h <= 0)
        return 0;
    double px = in->shown_w / (im->place_w / 72);
    double py = in->shown_h / (im->place_h / 72);
    return px < py ? px : py;
}

/* PRINT: the stored size an image shown above the document's
 * print_max_ppi is resampled to, so that its largest placement shows it at
 * print_ppi; 0 when it is not above the ceiling (then it is stored at its
 * own size, the same bytes as before). */
static int print_size(const fo_pdf_images *o, const fo_pdf_img *im, int *w,
                      int *h)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    double ppi = o->doc->print_ppi, max = o->doc->print_max_ppi;
    if (o->opts->profile != FO_PROFILE_PRINT || ppi <= 0 || max <= 0 ||
        in->shown_w <= 0 || in->shown_h <= 0 || placed_ppi(in, im) <= max)
        return 0;
    double sx = im->place_w / 72 * ppi / in->shown_w;
    double sy = im->place_h / 72 * ppi / in->shown_h;
    double s = sx > sy ? sx : sy;
    *w = (int)fmax(1, ceil(in->width * s));
    *h = (int)fmax(1, ceil(in->height * s));
    return *w < in->width || *h < in->height;
}

/* Whether a JPEG can go in as it is in this profile. */
static int jpeg_passes(const fo_pdf_images *o, const fo_pdf_img *im)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    int w, h;
    switch (o->opts->profile) {
    case FO_PROFILE_PRINT: /* grey and CMYK, unless resampled */
        return in->components != 3 && !print_size(o, im, &w, &h);
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
static int png_passes(const fo_pdf_images *o, const fo_pdf_img *im)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    int w, h;
    if (!in->png_copy)
        return 0;
    switch (o->opts->profile) {
    case FO_PROFILE_PRINT:
        return in->components == 1 && !print_size(o, im, &w, &h);
    case FO_PROFILE_ARCHIVE:
        return 1;
    case FO_PROFILE_SCREEN:
        return !screen_size(o, im, &w, &h);
    }
    return 0;
}

/* Whether document image idx keeps its alpha as a soft mask: SCREEN, and
 * PRINT as PDF/X-4 (live transparency), for images made whole; one over
 * FO_PDF_SAMPLES_MAX, made strip by strip at full size
 * (tests/cli/image_limits.sh), is flattened on white. PDF/X-1a draws a
 * transparent image flattened against the page instead (pdf_flatten.c),
 * and none is made here. */
static int keeps_alpha(const fo_pdf_images *o, size_t idx)
{
    const fo_image_info *in = &o->doc->images[idx].info;
    fo_profile prof = o->opts->profile;
    if (!in->has_alpha)
        return 0;
    if (prof == FO_PROFILE_SCREEN)
        return 1;
    size_t whole = (size_t)in->width * (size_t)in->height * 5;
    return prof == FO_PROFILE_PRINT && o->doc->print.pdfx == FO_DL_PDFX_4 &&
           whole <= FO_PDF_SAMPLES_MAX;
}

/* Decides im's encoding, stored size and components from the probe. */
static void plan(fo_pdf_images *o, fo_pdf_img *im)
{
    const fo_image_info *in = &o->doc->images[im->idx].info;
    fo_profile prof = o->opts->profile;
    im->w = in->width;
    im->h = in->height;
    im->comps = in->components;
    /* what passes through is copied from the file while libharu writes
     * it, a block at a time */
    if (in->format == FO_IMAGE_JPEG && jpeg_passes(o, im)) {
        im->enc = FO_PDF_ENC_PASS;
        im->by_writer = 1;
        return;
    }
    if (in->format == FO_IMAGE_PNG && png_passes(o, im)) {
        im->enc = FO_PDF_ENC_IDAT;
        im->by_writer = 1;
        return;
    }
    if (prof == FO_PROFILE_PRINT && im->comps == 3)
        im->comps = 4;
    if (prof != FO_PROFILE_PRINT && im->comps == 4)
        im->comps = 3;
    im->mask = keeps_alpha(o, (size_t)im->idx);
    im->resample = prof == FO_PROFILE_PRINT
                       ? print_size(o, im, &im->w, &im->h)
                       : screen_size(o, im, &im->w, &im->h);
    size_t ch =
        (size_t)(im->comps > in->components ? im->comps : in->components) +
        (in->has_alpha ? 1 : 0);
    size_t whole = (size_t)in->width * (size_t)in->height * ch;
    if (prof == FO_PROFILE_SCREEN || im->resample) {
        /* at most FO_PDF_SAMPLES_MAX stored: a screen PDF needs no more,
         * and a print image resampled is decoded whole (reduced to about
         * that while decoding, as SCREEN's) */
        double f =
            sqrt((double)FO_PDF_SAMPLES_MAX / ((double)im->w * im->h * ch));
        if (f < 1) {
            im->w = (int)fmax(1, floor(im->w * f));
            im->h = (int)fmax(1, floor(im->h * f));
            im->resample = 1;
        }
    } else if (whole > FO_PDF_SAMPLES_MAX) {
        im->by_writer = 1;
    }
    im->cost =
        im->by_writer
            ? 0
            : 3 * (whole < FO_PDF_SAMPLES_MAX ? whole : FO_PDF_SAMPLES_MAX);
    im->enc = o->opts->compress ? FO_PDF_ENC_FLATE : FO_PDF_ENC_RAW;
    if (prof == FO_PROFILE_SCREEN && !im->mask &&
        (im->resample || in->components == 4)) {
        im->enc = FO_PDF_ENC_JPEG;
        im->quality = SCREEN_JPEG_QUALITY;
    } else if (in->format == FO_IMAGE_JPEG) {
        im->enc = FO_PDF_ENC_JPEG;
        im->quality = prof == FO_PROFILE_SCREEN ? SCREEN_JPEG_QUALITY
                                                : PRINT_JPEG_QUALITY;
    }
}

/* ---- making the images (samples: pdf_samples.c) ------------------------ */

/* The writer's thread: reports a failed image, once. */
static void img_report(fo_pdf_img *im)
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

static void make_now(fo_pdf_img *im)
{
    const fo_pdf_images *o = im->owner;
    if (!im->by_writer) /* else made while libharu reads it */
        fo_pdf_samples_make(im, &o->doc->images[im->idx], o->opts, o->cms,
                            o->keyed ? o->env : NULL);
}

/* The writer's thread: up to cap bytes of a stream made while read into
 * buf; *got 0 at its end. 0, or -1 (im failed). */
static int writer_read(fo_pdf_img *im, unsigned char *buf, size_t cap,
                       size_t *got)
{
    const fo_dl_image_src *src = &im->owner->doc->images[im->idx];
    char why[256];
    *got = 0;
    if (im->failed)
        return -1;
    if (im->enc == FO_PDF_ENC_PASS || im->enc == FO_PDF_ENC_IDAT) {
        if (!im->bytes && fo_image_bytes_open(
                              src->path, &src->info, im->enc == FO_PDF_ENC_IDAT,
                              &im->bytes, why, sizeof why) != FO_OK) {
            fo_pdf_img_fail(im, why);
            return -1;
        }
        /* several reads: libharu's buffer is small, the file's blocks not */
        while (*got < cap) {
            size_t n;
            if (fo_image_bytes_read(im->bytes, buf + *got, cap - *got, &n, why,
                                    sizeof why) != FO_OK) {
                fo_pdf_img_fail(im, why);
                return -1;
            }
            if (n == 0)
                break;
            *got += n;
        }
        return 0;
    }
    return fo_pdf_samples_read(im, src, im->owner->opts, im->owner->cms, buf,
                               cap, got);
}

/* Under the lock: the next image no thread has started, within the
 * window ahead of the writer; NULL when there is none now. */
static fo_pdf_img *claim_next(fo_pdf_images *o)
{
    while (o->next < o->norder && o->order[o->next]->state != UNCLAIMED)
        o->next++;
    if (o->next >= o->norder || o->next >= o->consumed + o->window)
        return NULL;
    fo_pdf_img *im = o->order[o->next];
    /* within the memory budget, unless nothing else is held */
    if (o->ahead > 0 && o->ahead + im->cost > AHEAD_BUDGET)
        return NULL;
    o->next++;
    o->ahead += im->cost;
    im->state = MAKING;
    return im;
}

/* Under the lock: makes im (claimed by this thread) without the lock. */
static void make_claimed(fo_pdf_images *o, fo_pdf_img *im)
{
    (void)pthread_mutex_unlock(&o->mu);
    make_now(im);
    (void)pthread_mutex_lock(&o->mu);
    im->state = MADE;
    (void)pthread_cond_broadcast(&o->cv);
}

/* The writer's thread: im made, by a worker or here. While a worker makes
 * it, the writer makes the next image itself rather than wait. */
static void make(fo_pdf_img *im)
{
    fo_pdf_images *o = im->owner;
    (void)pthread_mutex_lock(&o->mu);
    while (im->state != MADE) {
        fo_pdf_img *other;
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
static void consumed(fo_pdf_img *im)
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
        fo_pdf_img *im = claim_next(o);
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
    fo_pdf_img *im = is->im;
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
            fo_pdf_img_release(im);
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
static HPDF_Dict new_xobject(fo_pdf_images *o, fo_pdf_img *im, int is_mask)
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
static HPDF_STATUS set_keys(HPDF_Dict x, int w, int h, int comps,
                            fo_pdf_enc enc)
{
    fo_pdf_obj_set_filter(x,
                          enc == FO_PDF_ENC_PASS || enc == FO_PDF_ENC_JPEG
                              ? HPDF_STREAM_FILTER_DCT_DECODE
                              : HPDF_STREAM_FILTER_NONE,
                          enc == FO_PDF_ENC_FLATE  ? fo_pdf_write_flate_filter
                          : enc == FO_PDF_ENC_IDAT ? write_idat_filter
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
    fo_pdf_img *im = o->imgs[idx];
    if (!im) {
        im = o->imgs[idx] = fo_xcalloc(1, sizeof *im);
        im->owner = o;
        im->idx = (int)idx;
        im->pos = use->pos;
        im->src = use->src ? fo_xstrdup(use->src) : NULL;
        im->xobj = new_xobject(o, im, 0);
        /* the soft mask right after its image, so that libharu writes
         * them one after the other (SCREEN and PDF/X-4 keep alpha) */
        if (im->xobj && keeps_alpha(o, idx)) {
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

int fo_pdf_image_keeps_alpha(const fo_pdf_images *o, size_t idx)
{
    return idx < o->doc->nimages && keeps_alpha(o, idx);
}

size_t fo_pdf_images_res(const fo_pdf_images *o, fo_pdf_image_res **out)
{
    *out = o->norder ? fo_xcalloc(o->norder, sizeof **out) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < o->norder; i++) {
        const fo_pdf_img *im = o->order[i];
        const fo_dl_image_src *src = &o->doc->images[im->idx];
        double ppi = placed_ppi(&src->info, im);
        (*out)[n++] = (fo_pdf_image_res){
            .file = fo_xstrdup(im->src ? im->src : src->path),
            .width = src->info.width,
            .height = src->info.height,
            .stored_w = im->w,
            .stored_h = im->h,
            .place_w = im->place_w,
            .place_h = im->place_h,
            .ppi = ppi,
            .stored_ppi =
                src->info.width > 0 ? ppi * im->w / src->info.width : ppi};
    }
    return n;
}

fo_status fo_pdf_images_finish(fo_pdf_images *o)
{
    for (size_t i = 0; i < o->nimgs; i++) {
        fo_pdf_img *im = o->imgs[i];
        if (!im || !im->xobj)
            continue;
        plan(o, im);
        const fo_image_info *in = &o->doc->images[im->idx].info;
        if (set_keys(im->xobj, im->w, im->h, im->comps, im->enc) != HPDF_OK)
            return FO_ERR_LIBRARY;
        /* Adobe's inverted CMYK JPEG passing through */
        if (im->enc == FO_PDF_ENC_PASS && in->components == 4 &&
            in->adobe_cmyk) {
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
        if (im->mask && set_keys(im->smask, im->w, im->h, 1,
                                 o->opts->compress ? FO_PDF_ENC_FLATE
                                                   : FO_PDF_ENC_RAW) != HPDF_OK)
            return FO_ERR_LIBRARY;
    }
    start_workers(o);
    return FO_OK;
}
