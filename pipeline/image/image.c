/* image — probing and decoding the JPEG and PNG files a publication uses.
 *
 * The format comes from the file's first bytes, never from its name. Every
 * file is read in blocks through one reader (rd), which fingerprints every
 * byte (fo_image_hash) and knows the file's size, so that memory never
 * grows with the file and a renderer can tell that the file it decodes is
 * the one the probe saw: it compares the fingerprint when it has read the
 * last byte.
 *
 * A probe checks the whole file without keeping its pixels, so that layout
 * stays cheap and a JPEG that passes through to the PDF is never decoded
 * again: a JPEG is decoded at 1/8 scale by libjpeg (every Huffman code and
 * marker read, almost no IDCT), which refuses truncated and corrupt data; a
 * PNG's chunks are walked to IEND with every CRC checked. The rows of a
 * palette PNG are decoded once to check that every index is in the palette
 * (libpng checks only when it does not expand palettes, and lets the
 * first index past the end through), and those of a PNG whose compressed data
 * goes into PDFs as it is (png_copy), since no renderer will decode it.
 *
 * PNG chunks are walked by the reader before libpng sees them: a chunk
 * longer than what remains of the file is an error, and text chunks and
 * ancillary chunks over FO_IMAGE_MAX_CHUNK never reach libpng at all (it
 * would allocate what a 60-byte file declares: tests/cli/image_limits.sh),
 * backed by libpng's own limits (png_set_chunk_malloc_max,
 * png_set_user_limits, png_set_chunk_cache_max).
 *
 * Decoding is row by row (fo_image_rows), reduced while decoding when the
 * caller asks: so no consumer needs an image's whole decoded size. Only an
 * interlaced PNG and a progressive JPEG must be held whole by their
 * library, up to FO_IMAGE_MAX_WHOLE.
 *
 * JPEG goes through libjpeg, PNG through libpng's row API, set up with the
 * transforms libpng's simplified API makes for 8-bit output (png_set_expand,
 * png_set_scale_16, sRGB in and out through png_set_alpha_mode; a 16-bit
 * file is taken as sRGB, not as linear light), so the pixels are those of
 * png_image_finish_read. Neither library's error handler may return, so
 * the one setjmp pattern of the project is here: libjpeg's documented one
 * (example.c, libjpeg.txt "Error handling"), also used for libpng through
 * its error callback, the only way to regain control after a library error
 * without exiting the process. Every public function that calls into a
 * library sets its jump first, and everything that crosses the longjmp
 * lives in the reader the caller owns, never in an automatic variable.
 * libjpeg's warnings (above all "Premature end of JPEG file", which it
 * otherwise papers over with grey rows) are failures too: a print job
 * wants the whole picture or an error. */
#define _POSIX_C_SOURCE 200809L /* fileno, nanosleep */
#include "image.h"

#include <jpeglib.h>
#include <jerror.h> /* JWRN_JPEG_EOF, JERR_NO_BACKING_STORE */
#include <png.h>

#include <libdeflate.h>
#include <zlib.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The reader's block size. */
#define BLOCK ((size_t)1 << 16)

static void set_why(char *why, size_t why_len, const char *fmt, ...)
    FO_PRINTF(3, 4);

static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
    if (!why || why_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    /* clang-analyzer 14 loses track of va_start here (a false report) */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    (void)vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}

static int sniff(const unsigned char *b, size_t n, fo_image_format *fmt)
{
    static const unsigned char png_sig[8] = {0x89, 'P',  'N',  'G',
                                             '\r', '\n', 0x1A, '\n'};
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        *fmt = FO_IMAGE_JPEG;
        return 1;
    }
    if (n >= 8 && memcmp(b, png_sig, 8) == 0) {
        *fmt = FO_IMAGE_PNG;
        return 1;
    }
    return 0;
}

static int too_large(long long w, long long h)
{
    return w <= 0 || h <= 0 || w > FO_IMAGE_MAX_SIDE || h > FO_IMAGE_MAX_SIDE ||
           w * h > FO_IMAGE_MAX_PIXELS;
}

static void set_shown(fo_image_info *info)
{
    int swap = info->orientation >= 5 && info->orientation <= 8;
    info->shown_w = swap ? info->height : info->width;
    info->shown_h = swap ? info->width : info->height;
}

/* ---- the reader --------------------------------------------------------- */

/* A file read in blocks, every byte through the fingerprint; for a PNG,
 * also a walk of its chunks that hands the reader's user (libpng, or the
 * IDAT copy) only the chunks it should see. */
typedef struct rd {
    FILE *f;
    long long size;      /* from fstat when opened */
    long long pos;       /* bytes read */
    uLong crc, adl;      /* fingerprint so far (fo_image_hash's halves) */
    fo_cache_hasher *dg; /* the probe's: fo_image_info.digest */
    int bad;             /* why is set: the reading failed */
    int io;              /* the file could not be read */
    char why[200];
    /* PNG: the chunk walk */
    int png, idat_only;
    int sig_left;               /* bytes of the signature to hand out */
    unsigned char hdr[8];       /* the current chunk's length and type */
    int hdr_left;               /* bytes of hdr still to hand out */
    unsigned long data_left;    /* data bytes of the current chunk */
    int crc_left;               /* bytes of its CRC still to read */
    unsigned char crc_bytes[4]; /* as read */
    uLong ccrc;                 /* the current chunk's CRC so far */
    unsigned long off;          /* data bytes of the chunk passed */
    int nchunks, idat, idat_ended, iend;
    int trns, srgb, have_gama; /* what png_copy depends on */
    unsigned char gama[4];
    unsigned char ihdr[8]; /* IHDR's width and height */
    unsigned char type[5]; /* printable name of the current chunk */
} rd;

static void rd_fail(rd *r, const char *fmt, ...) FO_PRINTF(2, 3);

static void rd_fail(rd *r, const char *fmt, ...)
{
    if (r->bad)
        return;
    r->bad = 1;
    va_list ap;
    va_start(ap, fmt);
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): as set_why
    (void)vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

/* Opens path; FO_ERR_IO / FO_ERR_INPUT with why. */
static fo_status rd_open(rd *r, const char *path, char *why, size_t why_len)
{
    memset(r, 0, sizeof *r);
    r->adl = adler32(0L, NULL, 0);
    r->crc = crc32(0L, NULL, 0);
    r->f = fopen(path, "rb");
    if (!r->f) {
        set_why(why, why_len, "cannot open the file");
        return FO_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(r->f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        set_why(why, why_len, "cannot read the file");
        return FO_ERR_IO;
    }
    r->size = (long long)sb.st_size;
    if (r->size > FO_IMAGE_MAX_FILE) {
        set_why(why, why_len, "file larger than %lld MB",
                FO_IMAGE_MAX_FILE >> 20);
        return FO_ERR_INPUT;
    }
    return FO_OK;
}

static void rd_close(rd *r)
{
    if (r->f)
        (void)fclose(r->f);
    r->f = NULL;
    fo_cache_hasher_free(r->dg);
    r->dg = NULL;
}

/* Up to n bytes of the file as they are; fewer only at its end. */
static size_t rd_raw(rd *r, unsigned char *buf, size_t n)
{
    if (r->bad || n == 0)
        return 0;
    size_t got = fread(buf, 1, n, r->f);
    if (got < n && ferror(r->f)) {
        rd_fail(r, "cannot read the file");
        r->io = 1;
    }
    r->crc = crc32_z(r->crc, buf, got);
    r->adl = adler32_z(r->adl, buf, got);
    if (r->dg)
        fo_cache_hasher_update(r->dg, buf, got);
    r->pos += (long long)got;
    return got;
}

/* Reads the rest of the file into the fingerprint. */
static void rd_drain(rd *r)
{
    unsigned char buf[4096];
    while (rd_raw(r, buf, sizeof buf) == sizeof buf)
        ;
}

static uint64_t rd_hash(const rd *r)
{
    return (uint64_t)r->crc << 32 | (uint64_t)r->adl;
}

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
           (unsigned long)p[2] << 8 | p[3];
}

/* Chunks libpng never sees: folio reads no text, and an ancillary chunk
 * larger than FO_IMAGE_MAX_CHUNK is none that decoding needs (tRNS, gAMA,
 * sRGB, cHRM, sBIT, bKGD, pHYs are a few bytes; a real iCCP is far
 * smaller). */
static int png_skipped(const unsigned char *type, unsigned long len)
{
    if (memcmp(type, "tEXt", 4) == 0 || memcmp(type, "zTXt", 4) == 0 ||
        memcmp(type, "iTXt", 4) == 0)
        return 1;
    return (type[0] & 0x20) && len > FO_IMAGE_MAX_CHUNK;
}

/* Reads the CRC of the current chunk (its data all read) and checks it. */
static void png_end_chunk(rd *r, unsigned char *out, size_t *at)
{
    while (r->crc_left > 0 && !r->bad) {
        unsigned char *dst = r->crc_bytes + (4 - r->crc_left);
        size_t got = rd_raw(r, dst, (size_t)r->crc_left);
        if (got == 0) {
            rd_fail(r, "bad PNG data: the file ends before IEND");
            return;
        }
        if (out && !r->idat_only) {
            memcpy(out + *at, dst, got);
            *at += got;
        }
        r->crc_left -= (int)got;
    }
    if (r->bad)
        return;
    if (r->ccrc != be32(r->crc_bytes)) {
        rd_fail(r, "bad PNG data: CRC error in %s chunk", (char *)r->type);
        return;
    }
    if (memcmp(r->hdr + 4, "IEND", 4) == 0)
        r->iend = 1;
}

/* The checks of a chunk header just read (r->hdr): its length against
 * the rest of the file and the limits, and the chunks' order; records
 * what png_copy depends on. 0, or -1 (r failed). */
static int png_check_header(rd *r)
{
    unsigned long len = be32(r->hdr);
    const unsigned char *type = r->hdr + 4;
    for (int i = 0; i < 4; i++)
        r->type[i] = (type[i] >= 'A' && type[i] <= 'Z') ||
                             (type[i] >= 'a' && type[i] <= 'z')
                         ? type[i]
                         : '?';
    r->type[4] = 0;
    long long left = r->size - r->pos;
    const char *name = (const char *)r->type;
    if (len > 0x7FFFFFFFul || (long long)len + 4 > left) {
        rd_fail(r,
                "bad PNG data: the file ends inside its %s chunk (%lu bytes "
                "declared, %lld left)",
                name, len, left > 4 ? left - 4 : 0);
        return -1;
    }
    int is_idat = memcmp(type, "IDAT", 4) == 0;
    if (r->nchunks++ == 0 && memcmp(type, "IHDR", 4) != 0)
        rd_fail(r, "bad PNG data: IHDR is not first");
    else if (is_idat && r->idat_ended)
        rd_fail(r, "bad PNG data: IDAT chunks apart");
    else if (memcmp(type, "IEND", 4) == 0 && !r->idat)
        rd_fail(r, "bad PNG data: no image data");
    else if (!(type[0] & 0x20) && !is_idat && len > FO_IMAGE_MAX_CHUNK)
        rd_fail(r, "bad PNG data: the %s chunk is too large (%lu bytes)", name,
                len);
    if (r->bad)
        return -1;
    r->idat_ended |= r->idat && !is_idat;
    r->idat |= is_idat;
    r->trns |= memcmp(type, "tRNS", 4) == 0;
    r->srgb |= memcmp(type, "sRGB", 4) == 0;
    r->have_gama |= memcmp(type, "gAMA", 4) == 0 && len >= 4;
    return 0;
}

/* Reads a skipped chunk's data and CRC, handing nothing out. */
static void png_skip_chunk(rd *r)
{
    unsigned char buf[4096];
    while (r->data_left > 0 && !r->bad) {
        size_t want = r->data_left < sizeof buf ? r->data_left : sizeof buf;
        size_t n = rd_raw(r, buf, want);
        if (n == 0)
            rd_fail(r, "bad PNG data: the file ends before IEND");
        r->ccrc = crc32_z(r->ccrc, buf, n);
        r->data_left -= n;
    }
    png_end_chunk(r, NULL, NULL);
}

/* Reads the next chunk's header and decides whether it is handed out;
 * skipped chunks are read through here. 0 at IEND's end or on failure. */
static int png_next_chunk(rd *r)
{
    for (;;) {
        if (r->iend || r->bad)
            return 0;
        if (rd_raw(r, r->hdr, 8) < 8) {
            rd_fail(r, "bad PNG data: the file ends before IEND");
            return 0;
        }
        if (png_check_header(r) != 0)
            return 0;
        unsigned long len = be32(r->hdr);
        r->ccrc = crc32(0L, r->hdr + 4, 4);
        r->data_left = len;
        r->crc_left = 4;
        r->off = 0;
        if (!png_skipped(r->hdr + 4, len)) {
            r->hdr_left = 8;
            return 1;
        }
        png_skip_chunk(r);
    }
}

/* Data bytes of the current chunk into out (IDAT's only, when idat_only:
 * the others are read and dropped); keeps what png_copy and the size
 * check need. The count handed out. */
static size_t png_pull_data(rd *r, unsigned char *out, size_t n)
{
    unsigned char drop[4096];
    int is_idat = memcmp(r->hdr + 4, "IDAT", 4) == 0;
    int keep = !r->idat_only || is_idat;
    unsigned char *dst = keep ? out : drop;
    size_t cap = keep ? n : sizeof drop;
    size_t want = r->data_left < cap ? r->data_left : cap;
    size_t got = rd_raw(r, dst, want);
    if (got == 0) {
        rd_fail(r, "bad PNG data: the file ends before IEND");
        return 0;
    }
    r->ccrc = crc32_z(r->ccrc, dst, got);
    int gama = memcmp(r->hdr + 4, "gAMA", 4) == 0;
    int ihdr = memcmp(r->hdr + 4, "IHDR", 4) == 0;
    for (size_t i = 0; i < got && r->off + i < 8; i++) {
        if (gama && r->off + i < 4)
            r->gama[r->off + i] = dst[i];
        if (ihdr)
            r->ihdr[r->off + i] = dst[i];
    }
    r->off += got;
    r->data_left -= got;
    if (ihdr && r->off >= 8 && too_large(be32(r->ihdr), be32(r->ihdr + 4)))
        rd_fail(r, "image too large (%lu x %lu)", be32(r->ihdr),
                be32(r->ihdr + 4));
    return keep ? got : 0;
}

/* Up to n bytes of what the PNG's user sees (the signature and the chunks
 * it is handed, or only IDAT data); fewer at the end or on failure. */
static size_t png_pull(rd *r, unsigned char *out, size_t n)
{
    size_t at = 0;
    while (at < n && !r->bad) {
        if (r->sig_left > 0) {
            unsigned char sig[8];
            size_t want =
                (size_t)r->sig_left < n - at ? (size_t)r->sig_left : n - at;
            size_t got = rd_raw(r, r->idat_only ? sig : out + at, want);
            if (got == 0)
                break;
            at += r->idat_only ? 0 : got;
            r->sig_left -= (int)got;
        } else if (r->hdr_left > 0) {
            size_t k =
                (size_t)r->hdr_left < n - at ? (size_t)r->hdr_left : n - at;
            if (!r->idat_only) {
                memcpy(out + at, r->hdr + (8 - r->hdr_left), k);
                at += k;
            }
            r->hdr_left -= (int)k;
        } else if (r->data_left > 0) {
            at += png_pull_data(r, out + at, n - at);
        } else if (r->crc_left > 0) {
            png_end_chunk(r, out, &at);
        } else if (!png_next_chunk(r)) {
            break;
        }
    }
    return at;
}

/* Walks the PNG's remaining chunks to IEND (each CRC checked), then reads
 * whatever follows into the fingerprint. */
static void png_drain(rd *r)
{
    unsigned char buf[4096];
    int was = r->idat_only;
    r->idat_only = 1; /* nothing handed out but IDAT data, dropped here */
    while (!r->bad && !r->iend)
        if (png_pull(r, buf, sizeof buf) == 0 && !r->iend && !r->bad)
            rd_fail(r, "bad PNG data: the file ends before IEND");
    r->idat_only = was;
    rd_drain(r);
}

/* ---- what a build has seen ---------------------------------------------- */

typedef struct seen_file {
    char *path;
    long long size;
    uint64_t hash;
} seen_file;

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static seen_file *seen;
static size_t nseen, seen_cap;

void fo_image_seen_reset(void)
{
    (void)pthread_mutex_lock(&seen_mu);
    for (size_t i = 0; i < nseen; i++)
        free(seen[i].path);
    free(seen);
    seen = NULL;
    nseen = seen_cap = 0;
    (void)pthread_mutex_unlock(&seen_mu);
}

fo_status fo_image_seen_save(FILE *f)
{
    (void)pthread_mutex_lock(&seen_mu);
    for (size_t i = 0; i < nseen; i++)
        if (!strchr(seen[i].path, '\n'))
            (void)fprintf(f, "%lld %016llx %s\n", seen[i].size,
                          (unsigned long long)seen[i].hash, seen[i].path);
    (void)pthread_mutex_unlock(&seen_mu);
    return fflush(f) == 0 && !ferror(f) ? FO_OK : FO_ERR_IO;
}

char *fo_image_seen_differs(FILE *const *f, int n)
{
    seen_file *all = NULL;
    size_t nall = 0, cap = 0;
    char *line = NULL, *found = NULL;
    size_t lcap = 0;
    for (int k = 0; k < n && !found; k++) {
        if (!f[k])
            continue;
        rewind(f[k]);
        ssize_t len;
        while (!found && (len = getline(&line, &lcap, f[k])) > 0) {
            if (line[len - 1] == '\n')
                line[len - 1] = 0;
            long long size;
            unsigned long long hash;
            int at = 0;
            if (sscanf(line, "%lld %llx %n", &size, &hash, &at) != 2 || !at)
                continue;
            const char *path = line + at;
            size_t i = 0;
            while (i < nall && strcmp(all[i].path, path) != 0)
                i++;
            if (i == nall) {
                fo_grow((void **)&all, sizeof *all, &cap, nall + 1);
                all[nall++] = (seen_file){fo_xstrdup(path), size, hash};
            } else if (all[i].size != size || all[i].hash != hash) {
                found = fo_xstrdup(path);
            }
        }
    }
    free(line);
    for (size_t i = 0; i < nall; i++)
        free(all[i].path);
    free(all);
    return found;
}

/* Test hook, read here only: FOLIO_TEST_DELAY_AFTER_PROBE=MS makes the
 * first probe of each file in a build say so on stderr and wait MS
 * milliseconds, so that tests/cli/image_swap.sh can change the file at a
 * known moment of a build. Not for use outside the tests. */
static void test_delay_after_probe(const char *path)
{
    const char *ms = getenv("FOLIO_TEST_DELAY_AFTER_PROBE");
    if (!ms || !*ms)
        return;
    long v = strtol(ms, NULL, 10);
    (void)fprintf(stderr, "folio: test: probed %s, waiting %ld ms\n", path, v);
    (void)fflush(stderr);
    struct timespec t = {v / 1000, (v % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

/* 0 when path is seen for the first time in the build (recorded) or with
 * the same bytes; -1 when it held other bytes before. */
static int seen_check(const char *path, long long size, uint64_t hash)
{
    int rc = 0, first = 1;
    (void)pthread_mutex_lock(&seen_mu);
    for (size_t i = 0; i < nseen; i++)
        if (strcmp(seen[i].path, path) == 0) {
            first = 0;
            rc = seen[i].size == size && seen[i].hash == hash ? 0 : -1;
            break;
        }
    if (first) {
        fo_grow((void **)&seen, sizeof *seen, &seen_cap, nseen + 1);
        seen[nseen++] = (seen_file){fo_xstrdup(path), size, hash};
    }
    (void)pthread_mutex_unlock(&seen_mu);
    if (first)
        test_delay_after_probe(path);
    return rc;
}

/* ---- EXIF ------------------------------------------------------------ */

static unsigned get16(const unsigned char *p, int be)
{
    return be ? (unsigned)(p[0] << 8 | p[1]) : (unsigned)(p[1] << 8 | p[0]);
}

static unsigned long get32(const unsigned char *p, int be)
{
    return be ? (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
                    (unsigned long)p[2] << 8 | p[3]
              : (unsigned long)p[3] << 24 | (unsigned long)p[2] << 16 |
                    (unsigned long)p[1] << 8 | p[0];
}

/* The Orientation (tag 0x0112) of IFD0 in an APP1 "Exif\0\0" payload,
 * either byte order; 1 when absent, malformed or out of range. */
static int exif_orientation(const unsigned char *p, size_t n)
{
    if (n < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0)
        return 1;
    const unsigned char *t = p + 6; /* TIFF header */
    size_t tn = n - 6;
    int be;
    if (t[0] == 'M' && t[1] == 'M')
        be = 1;
    else if (t[0] == 'I' && t[1] == 'I')
        be = 0;
    else
        return 1;
    if (get16(t + 2, be) != 42)
        return 1;
    unsigned long ifd = get32(t + 4, be);
    if (ifd > tn || tn - ifd < 2)
        return 1;
    unsigned count = get16(t + ifd, be);
    for (unsigned i = 0; i < count; i++) {
        unsigned long e = ifd + 2 + 12ul * i;
        if (e > tn || tn - e < 12)
            return 1;
        if (get16(t + e, be) != 0x0112)
            continue;
        /* SHORT, count 1: the value sits in the first two bytes of the
         * value field */
        if (get16(t + e + 2, be) != 3 || get32(t + e + 4, be) != 1)
            return 1;
        unsigned o = get16(t + e + 8, be);
        return o >= 1 && o <= 8 ? (int)o : 1;
    }
    return 1;
}

/* ---- decoding row by row ---------------------------------------------- */

/* libjpeg's source: blocks from the reader. */
typedef struct jsrc {
    struct jpeg_source_mgr pub;
    rd *r;
    unsigned char buf[BLOCK];
} jsrc;

struct fo_image_rows {
    rd r;
    fo_image_format fmt;
    int probe;   /* a probe: check everything, keep nothing */
    jmp_buf jmp; /* where the libraries' errors return */
    char msg[JMSG_LENGTH_MAX + 64];
    fo_image_info expect;
    int has_expect;
    /* JPEG */
    struct jpeg_decompress_struct ci;
    struct jpeg_error_mgr jerr;
    jsrc *src;
    int jpeg_made, adobe;
    int orientation;             /* from EXIF; 0 until found */
    unsigned char app1[1 << 16]; /* the APP1 marker being read */
    /* PNG */
    png_structp png;
    png_infop pi;
    int rows_phase; /* decoding rows (2: libpng's warnings count) */
    int passes;     /* png_set_interlace_handling's */
    int interlaced; /* whole image in full */
    unsigned char *full;
    /* geometry: the library's rows (lw x lh, lch channels of which lalpha
     * is alpha), reduced k x k into the output (w x h, comps + alpha) */
    int lw, lh, lch, lalpha;
    int k, w, h, comps, alpha;
    int ly;              /* library rows read */
    unsigned char *line; /* one library row */
    uint64_t *acc;       /* k > 1: sums of one output row */
    fo_image_info *info; /* the probe's result, or NULL */
};

/* ---- JPEG ---- */

static void jpeg_fail(j_common_ptr cinfo)
{
    fo_image_rows *j = (fo_image_rows *)cinfo->client_data;
    if (cinfo->err->msg_code == JERR_NO_BACKING_STORE)
        /* what libjpeg says when max_memory_to_use is too small for the
         * whole-image coefficients of a progressive or multi-scan file */
        (void)snprintf(j->msg, sizeof j->msg,
                       "JPEG too large to decode in %zu MB (a progressive "
                       "or multi-scan JPEG is decoded whole; save it as "
                       "baseline)",
                       FO_IMAGE_MAX_WHOLE >> 20);
    else
        (*cinfo->err->format_message)(cinfo, j->msg);
    longjmp(j->jmp, 1);
}

/* Warnings (level -1) fail the read: libjpeg would carry on with made-up
 * data. Trace messages (level >= 1) are ignored. */
static void jpeg_message(j_common_ptr cinfo, int level)
{
    fo_image_rows *j = (fo_image_rows *)cinfo->client_data;
    if (level >= 0)
        return;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF)
        (void)snprintf(j->msg, sizeof j->msg, "truncated JPEG data");
    else
        (*cinfo->err->format_message)(cinfo, j->msg);
    longjmp(j->jmp, 1);
}

static int jsrc_byte(j_decompress_ptr ci)
{
    struct jpeg_source_mgr *s = ci->src;
    if (s->bytes_in_buffer == 0)
        (void)(*s->fill_input_buffer)(ci); /* jsrc_fill: never FALSE */
    s->bytes_in_buffer--;
    return *s->next_input_byte++;
}

/* Each APP1 marker as it comes, into one buffer: the orientation of the
 * first EXIF one that has one is kept. (libjpeg's jpeg_save_markers would
 * keep every APP1, 64 KB each, however many a file holds.) */
static boolean jpeg_app1(j_decompress_ptr ci)
{
    fo_image_rows *j = (fo_image_rows *)ci->client_data;
    long len = (long)jsrc_byte(ci) << 8;
    len += jsrc_byte(ci);
    len -= 2;
    if (len <= 0)
        return TRUE;
    if (j->orientation) { /* found: the rest is skipped */
        (*ci->src->skip_input_data)(ci, len);
        return TRUE;
    }
    for (long i = 0; i < len; i++)
        j->app1[i] = (unsigned char)jsrc_byte(ci);
    int o = exif_orientation(j->app1, (size_t)len);
    if (o != 1)
        j->orientation = o;
    return TRUE;
}

static void jsrc_init(j_decompress_ptr ci)
{
    (void)ci;
}

static boolean jsrc_fill(j_decompress_ptr ci)
{
    jsrc *s = (jsrc *)ci->src;
    size_t n = rd_raw(s->r, s->buf, sizeof s->buf);
    if (n == 0) {
        /* as libjpeg's own sources: warn (a failure here), then EOI */
        WARNMS(ci, JWRN_JPEG_EOF);
        s->buf[0] = 0xFF;
        s->buf[1] = JPEG_EOI;
        n = 2;
    }
    s->pub.next_input_byte = s->buf;
    s->pub.bytes_in_buffer = n;
    return TRUE;
}

static void jsrc_skip(j_decompress_ptr ci, long n)
{
    jsrc *s = (jsrc *)ci->src;
    while (n > 0) {
        if ((size_t)n <= s->pub.bytes_in_buffer) {
            s->pub.next_input_byte += n;
            s->pub.bytes_in_buffer -= (size_t)n;
            return;
        }
        n -= (long)s->pub.bytes_in_buffer;
        (void)jsrc_fill(ci);
    }
}

static void jsrc_term(j_decompress_ptr ci)
{
    (void)ci;
}

/* Header, colour space and limits; the decoder started at the scale that
 * max_bytes asks (probe: 1/8). 0, or -1 with j->msg. */
static int jpeg_open(fo_image_rows *j, size_t max_bytes)
{
    struct jpeg_decompress_struct *ci = &j->ci;
    ci->err = jpeg_std_error(&j->jerr);
    j->jerr.error_exit = jpeg_fail;
    j->jerr.emit_message = jpeg_message;
    ci->client_data = j;
    if (setjmp(j->jmp))
        return -1;
    jpeg_create_decompress(ci);
    j->jpeg_made = 1;
    /* whole-image buffers (progressive files) within this, or an error */
    ci->mem->max_memory_to_use = (long)FO_IMAGE_MAX_WHOLE;
    j->src = fo_xcalloc(1, sizeof *j->src);
    j->src->r = &j->r;
    j->src->pub.init_source = jsrc_init;
    j->src->pub.fill_input_buffer = jsrc_fill;
    j->src->pub.skip_input_data = jsrc_skip;
    j->src->pub.resync_to_restart = jpeg_resync_to_restart;
    j->src->pub.term_source = jsrc_term;
    ci->src = &j->src->pub;
    jpeg_set_marker_processor(ci, JPEG_APP0 + 1, jpeg_app1);
    (void)jpeg_read_header(ci, TRUE);

    fo_image_info *info = j->info;
    if (info) {
        info->format = FO_IMAGE_JPEG;
        info->width = (int)ci->image_width;
        info->height = (int)ci->image_height;
        info->components = ci->num_components;
        info->bits = ci->data_precision;
        info->progressive = ci->progressive_mode ? 1 : 0;
        info->orientation = 1;
        info->orientation = j->orientation ? j->orientation : 1;
        if (ci->saw_JFIF_marker && ci->X_density && ci->Y_density &&
            (ci->density_unit == 1 || ci->density_unit == 2)) {
            double k = ci->density_unit == 2 ? 2.54 : 1.0; /* dots per cm */
            info->ppi_x = ci->X_density * k;
            info->ppi_y = ci->Y_density * k;
        }
    }
    switch (ci->jpeg_color_space) {
    case JCS_GRAYSCALE:
        ci->out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        ci->out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        ci->out_color_space = JCS_CMYK;
        j->adobe = ci->saw_Adobe_marker ? 1 : 0;
        break;
    default:
        (void)snprintf(j->msg, sizeof j->msg,
                       "unsupported JPEG colour space (%d components)",
                       ci->num_components);
        return -1;
    }
    if (info)
        info->adobe_cmyk = j->adobe;
    if (too_large(ci->image_width, ci->image_height)) {
        (void)snprintf(j->msg, sizeof j->msg, "image too large (%u x %u)",
                       ci->image_width, ci->image_height);
        return -1;
    }
    if (info)
        set_shown(info);
    /* the largest DCT scale (eighths) whose output fits max_bytes; the
     * probe decodes at 1/8, which reads every code for little work */
    ci->scale_denom = 8;
    ci->scale_num = j->probe ? 1 : 8;
    for (;;) {
        jpeg_calc_output_dimensions(ci);
        size_t bytes = (size_t)ci->output_width * ci->output_height *
                       (size_t)ci->output_components;
        if (j->probe || max_bytes == 0 || bytes <= max_bytes ||
            ci->scale_num == 1)
            break;
        ci->scale_num--;
    }
    (void)jpeg_start_decompress(ci);
    j->lw = (int)ci->output_width;
    j->lh = (int)ci->output_height;
    j->lch = ci->output_components;
    j->lalpha = 0;
    return 0;
}

/* The next library row into j->line. 0, or -1 with j->msg. */
static int jpeg_row(fo_image_rows *j)
{
    if (setjmp(j->jmp))
        return -1;
    JSAMPROW row = j->line;
    (void)jpeg_read_scanlines(&j->ci, &row, 1);
    if (j->adobe) /* Adobe (Photoshop, ImageMagick) CMYK is stored inverted */
        for (size_t i = 0; i < (size_t)j->lw * 4; i++)
            j->line[i] = (unsigned char)(255 - j->line[i]);
    return 0;
}

static int jpeg_end(fo_image_rows *j)
{
    if (setjmp(j->jmp))
        return -1;
    (void)jpeg_finish_decompress(&j->ci);
    return 0;
}

/* ---- PNG ---- */

_Noreturn static void png_fail(png_structp png, png_const_charp msg)
{
    fo_image_rows *j = png_get_error_ptr(png);
    (void)snprintf(j->msg, sizeof j->msg, "%s", msg);
    longjmp(j->jmp, 1);
}

/* libpng's warnings are its benign errors, ignored as the simplified API
 * ignores them, except while the rows of a PNG whose data goes into PDFs
 * as it is are checked: there "extra compressed data" or a bad Adler-32
 * is data a PDF reader would inflate. */
static void png_warn(png_structp png, png_const_charp msg)
{
    fo_image_rows *j = png_get_error_ptr(png);
    if (j->rows_phase == 2 && !j->msg[0])
        (void)snprintf(j->msg, sizeof j->msg, "%s", msg);
}

static void png_read_cb(png_structp png, png_bytep out, size_t n)
{
    fo_image_rows *j = png_get_io_ptr(png);
    if (png_pull(&j->r, out, n) < n) {
        if (!j->r.bad)
            rd_fail(&j->r, "bad PNG data: the file ends before IEND");
        png_error(png, j->r.why);
    }
}

/* Header and transforms. 0, or -1 with j->msg. */
static int png_open(fo_image_rows *j, size_t max_bytes)
{
    static const png_byte used[] = {
        98,  75, 71, 68,  '\0', /* bKGD */
        99,  72, 82, 77,  '\0', /* cHRM */
        103, 65, 77, 65,  '\0', /* gAMA */
        105, 67, 67, 80,  '\0', /* iCCP */
        112, 72, 89, 115, '\0', /* pHYs */
        115, 66, 73, 84,  '\0', /* sBIT */
        115, 82, 71, 66,  '\0', /* sRGB */
    };
    j->r.png = 1;
    j->r.sig_left = 8;
    if (setjmp(j->jmp))
        return -1;
    j->png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, j, png_fail, png_warn);
    if (!j->png) {
        (void)snprintf(j->msg, sizeof j->msg, "out of memory");
        return -1;
    }
    j->pi = png_create_info_struct(j->png);
    if (!j->pi)
        png_error(j->png, "out of memory");
    png_set_read_fn(j->png, j, png_read_cb);
    /* libpng's own limits behind the reader's walk */
    png_set_user_limits(j->png, FO_IMAGE_MAX_SIDE, FO_IMAGE_MAX_SIDE);
    png_set_chunk_malloc_max(j->png, FO_IMAGE_MAX_CHUNK);
    png_set_chunk_cache_max(j->png, 64);
    /* as the simplified API: every chunk not needed for the pixels is
     * skipped unread (pHYs kept: the stored resolution) */
    png_set_keep_unknown_chunks(j->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_keep_unknown_chunks(j->png, PNG_HANDLE_CHUNK_AS_DEFAULT, used,
                                (int)(sizeof used / 5));
    png_read_info(j->png, j->pi);

    png_uint_32 w, h;
    int depth, ctype, ilace;
    (void)png_get_IHDR(j->png, j->pi, &w, &h, &depth, &ctype, &ilace, NULL,
                       NULL);
    int alpha = (ctype & PNG_COLOR_MASK_ALPHA) ||
                png_get_valid(j->png, j->pi, PNG_INFO_tRNS);
    int grey = (ctype & PNG_COLOR_MASK_COLOR) == 0;
    fo_image_info *info = j->info;
    if (info) {
        info->format = FO_IMAGE_PNG;
        info->width = (int)w;
        info->height = (int)h;
        info->orientation = 1;
        info->has_alpha = alpha;
        info->components = grey ? 1 : 3;
        info->bits = depth;
        png_uint_32 px, py;
        int unit;
        if (png_get_pHYs(j->png, j->pi, &px, &py, &unit) && unit == 1) {
            /* unit 1: pixels per metre */
            info->ppi_x = (double)px * 0.0254;
            info->ppi_y = (double)py * 0.0254;
        }
        set_shown(info);
    }
    j->interlaced = ilace != PNG_INTERLACE_NONE;
    /* decoded 8-bit channels: grey or RGB, and alpha */
    size_t whole = (size_t)w * h * (size_t)((grey ? 1 : 3) + alpha);
    if (j->interlaced && whole > FO_IMAGE_MAX_WHOLE) {
        /* every pass writes into the whole image */
        (void)snprintf(j->msg, sizeof j->msg,
                       "interlaced PNG too large to decode (%u x %u, "
                       "more than %zu MB); save it without interlacing",
                       w, h, FO_IMAGE_MAX_WHOLE >> 20);
        return -1;
    }
    if (j->probe) {
        /* the rows as stored, one row buffer even when interlaced;
         * palette indices one a byte, to be checked */
        if (ctype == PNG_COLOR_TYPE_PALETTE)
            png_set_packing(j->png);
        j->passes = png_set_interlace_handling(j->png);
        png_read_update_info(j->png, j->pi);
        j->lw = (int)w;
        j->lh = (int)h;
        j->lch = png_get_channels(j->png, j->pi);
        j->line = fo_xcalloc(png_get_rowbytes(j->png, j->pi) + 1, 1);
        return 0;
    }
    /* png_image_read_direct's transforms for 8-bit output of the file's
     * own channels: expanded palette, tRNS as alpha, 16 bits scaled, sRGB
     * in (the default when the file says nothing) and out */
    png_set_expand(j->png);
    png_set_alpha_mode_fixed(j->png, PNG_ALPHA_PNG, PNG_DEFAULT_sRGB);
    if (depth == 16)
        png_set_scale_16(j->png);
    png_set_alpha_mode_fixed(j->png, PNG_ALPHA_PNG, PNG_DEFAULT_sRGB);
    (void)png_set_interlace_handling(j->png);
    png_read_update_info(j->png, j->pi);
    j->lw = (int)w;
    j->lh = (int)h;
    j->lch = png_get_channels(j->png, j->pi);
    j->lalpha = alpha;
    size_t rowbytes = png_get_rowbytes(j->png, j->pi);
    if (rowbytes != (size_t)w * (size_t)j->lch ||
        j->lch != (grey ? 1 : 3) + alpha)
        png_error(j->png, "unexpected row format");
    if (j->interlaced) {
        j->full = fo_xmalloc(whole ? whole : 1);
        j->rows_phase = 1;
        int passes = png_set_interlace_handling(j->png);
        for (int p = 0; p < passes; p++)
            for (png_uint_32 y = 0; y < h; y++)
                png_read_row(j->png, j->full + rowbytes * y, NULL);
    } else {
        j->line = fo_xmalloc(rowbytes + 1);
    }
    (void)max_bytes;
    return 0;
}

static int png_row(fo_image_rows *j)
{
    if (setjmp(j->jmp))
        return -1;
    j->rows_phase = j->rows_phase ? j->rows_phase : 1;
    if (j->full) {
        size_t rb = (size_t)j->lw * (size_t)j->lch;
        memcpy(j->line, j->full + rb * (size_t)j->ly, rb);
    } else {
        png_read_row(j->png, j->line, NULL);
    }
    return 0;
}

static int png_end(fo_image_rows *j)
{
    if (setjmp(j->jmp))
        return -1;
    png_read_end(j->png, NULL);
    return 0;
}

/* ---- either ---- */

/* The reason for a failure, as the callers expect it. A PNG is walked to
 * its end first: a damaged chunk (its CRC wrong) is the reason libpng
 * failed on its data, and says more. */
static void rows_why(fo_image_rows *j, char *why, size_t why_len)
{
    if (j->fmt == FO_IMAGE_PNG && !j->r.bad && j->r.f)
        png_drain(&j->r);
    if (j->r.bad) {
        set_why(why, why_len, "%s", j->r.why);
    } else if (j->fmt == FO_IMAGE_JPEG) {
        if (strcmp(j->msg, "truncated JPEG data") == 0 ||
            strncmp(j->msg, "image too large", 15) == 0 ||
            strncmp(j->msg, "JPEG too large", 14) == 0 ||
            strncmp(j->msg, "unsupported", 11) == 0)
            set_why(why, why_len, "%s", j->msg);
        else
            set_why(why, why_len, "bad JPEG data: %s", j->msg);
    } else if (strncmp(j->msg, "interlaced PNG", 14) == 0 ||
               strncmp(j->msg, "bad PNG data: ", 14) == 0) {
        set_why(why, why_len, "%s", j->msg);
    } else if (j->rows_phase) {
        set_why(why, why_len, "bad PNG data: the image data is damaged (%s)",
                j->msg);
    } else {
        set_why(why, why_len, "bad PNG data: %s", j->msg);
    }
}

void fo_image_rows_free(fo_image_rows *r)
{
    if (!r)
        return;
    if (r->jpeg_made)
        jpeg_destroy_decompress(&r->ci);
    if (r->png)
        png_destroy_read_struct(&r->png, r->pi ? &r->pi : NULL, NULL);
    rd_close(&r->r);
    free(r->src);
    free(r->full);
    free(r->line);
    free(r->acc);
    free(r);
}

/* Opens the reader and the library; info (probe) or expect (decode). */
static fo_status rows_start(const char *path, const fo_image_info *expect,
                            fo_image_info *info, size_t max_bytes,
                            fo_image_rows **out, char *why, size_t why_len)
{
    *out = NULL;
    fo_image_rows *j = fo_xcalloc(1, sizeof *j);
    j->info = info;
    j->probe = info != NULL;
    if (expect) {
        j->expect = *expect;
        j->has_expect = 1;
    }
    fo_status st = rd_open(&j->r, path, why, why_len);
    if (st != FO_OK) {
        fo_image_rows_free(j);
        return st;
    }
    if (j->probe)
        j->r.dg = fo_cache_hasher_new();
    /* the size now; the bytes when they have all been read (a touched
     * file with the same bytes is the same image) */
    if (expect && j->r.size != (long long)expect->file_size) {
        set_why(why, why_len, "the file changed since it was read");
        fo_image_rows_free(j);
        return FO_ERR_INPUT;
    }
    unsigned char magic[8];
    size_t n = fread(magic, 1, sizeof magic, j->r.f);
    rewind(j->r.f);
    if (!sniff(magic, n, &j->fmt)) {
        set_why(why, why_len, "not a PNG or JPEG file");
        fo_image_rows_free(j);
        return FO_ERR_INPUT;
    }
    int rc = j->fmt == FO_IMAGE_JPEG ? jpeg_open(j, max_bytes)
                                     : png_open(j, max_bytes);
    if (rc != 0) {
        rows_why(j, why, why_len);
        st = j->r.io ? FO_ERR_IO : FO_ERR_INPUT;
        fo_image_rows_free(j);
        return st;
    }
    /* the box reduction on top of the library's rows */
    j->k = 1;
    j->comps = j->lch - j->lalpha;
    j->alpha = j->lalpha;
    if (!j->probe && max_bytes > 0)
        while ((size_t)((j->lw + j->k - 1) / j->k) *
                   (size_t)((j->lh + j->k - 1) / j->k) * (size_t)j->lch >
               max_bytes)
            j->k++;
    j->w = (j->lw + j->k - 1) / j->k;
    j->h = (j->lh + j->k - 1) / j->k;
    if (!j->line)
        j->line = fo_xmalloc((size_t)j->lw * (size_t)j->lch + 1);
    if (j->k > 1)
        j->acc =
            fo_xcalloc((size_t)j->w * (size_t)(j->lch + 1), sizeof *j->acc);
    *out = j;
    return FO_OK;
}

fo_status fo_image_rows_open(const char *path, const fo_image_info *expect,
                             size_t max_bytes, fo_image_rows **out, char *why,
                             size_t why_len)
{
    return rows_start(path, expect, NULL, max_bytes, out, why, why_len);
}

void fo_image_rows_geometry(const fo_image_rows *r, int *w, int *h, int *comps,
                            int *has_alpha)
{
    *w = r->w;
    *h = r->h;
    *comps = r->comps;
    *has_alpha = r->alpha;
}

static int lib_row(fo_image_rows *j)
{
    int rc = j->fmt == FO_IMAGE_JPEG ? jpeg_row(j) : png_row(j);
    j->ly++;
    return rc;
}

/* Splits the library row into colour and alpha. */
static void split_row(const fo_image_rows *j, unsigned char *data,
                      unsigned char *alpha)
{
    int c = j->comps, ch = j->lch;
    if (!j->alpha) {
        memcpy(data, j->line, (size_t)j->lw * (size_t)c);
        return;
    }
    for (size_t x = 0; x < (size_t)j->lw; x++) {
        memcpy(data + x * (size_t)c, j->line + x * (size_t)ch, (size_t)c);
        if (alpha)
            alpha[x] = j->line[x * (size_t)ch + (size_t)c];
    }
}

/* One output row averaged from k x k blocks of library rows (colour
 * weighted by alpha when there is alpha, so that transparent pixels do
 * not tint their neighbours). */
static int reduced_row(fo_image_rows *j, unsigned char *data,
                       unsigned char *alpha)
{
    int c = j->comps, ch = j->lch, k = j->k;
    size_t stride = (size_t)ch + 1; /* sums, then the pixel count */
    memset(j->acc, 0, (size_t)j->w * stride * sizeof *j->acc);
    for (int i = 0; i < k && j->ly < j->lh; i++) {
        if (lib_row(j) != 0)
            return -1;
        for (int x = 0; x < j->lw; x++) {
            const unsigned char *p = j->line + (size_t)x * (size_t)ch;
            uint64_t *a = j->acc + (size_t)(x / k) * stride;
            unsigned wgt = j->alpha ? p[c] : 1;
            for (int q = 0; q < c; q++)
                a[q] += (uint64_t)p[q] * wgt;
            if (j->alpha)
                a[c] += p[c];
            a[ch]++;
        }
    }
    for (int x = 0; x < j->w; x++) {
        const uint64_t *a = j->acc + (size_t)x * stride;
        uint64_t n = a[ch] ? a[ch] : 1;
        uint64_t den = j->alpha ? a[c] : n;
        for (int q = 0; q < c; q++)
            data[(size_t)x * (size_t)c + (size_t)q] =
                (unsigned char)(den ? (a[q] + den / 2) / den : 0);
        if (j->alpha && alpha)
            alpha[x] = (unsigned char)((a[c] + n / 2) / n);
    }
    return 0;
}

fo_status fo_image_rows_read(fo_image_rows *r, int n, unsigned char *data,
                             unsigned char *alpha, char *why, size_t why_len)
{
    size_t wc = (size_t)r->w * (size_t)r->comps;
    for (int i = 0; i < n; i++) {
        unsigned char *d = data + wc * (size_t)i;
        unsigned char *a = alpha ? alpha + (size_t)r->w * (size_t)i : NULL;
        int rc;
        if (r->ly >= r->lh) {
            rc = -1;
            (void)snprintf(r->msg, sizeof r->msg, "read past the last row");
        } else if (r->k == 1) {
            rc = lib_row(r);
            if (rc == 0)
                split_row(r, d, a);
        } else {
            rc = reduced_row(r, d, a);
        }
        if (rc != 0) {
            rows_why(r, why, why_len);
            return FO_ERR_INPUT;
        }
    }
    return FO_OK;
}

fo_status fo_image_rows_finish(fo_image_rows *r, char *why, size_t why_len)
{
    /* the library reads to its end (EOI, IEND); the reader the rest */
    int rc = r->fmt == FO_IMAGE_JPEG ? jpeg_end(r) : png_end(r);
    if (rc != 0 || (r->rows_phase == 2 && r->msg[0])) {
        rows_why(r, why, why_len);
        return FO_ERR_INPUT;
    }
    if (r->fmt == FO_IMAGE_PNG)
        png_drain(&r->r);
    else
        rd_drain(&r->r);
    if (r->r.bad) {
        set_why(why, why_len, "%s", r->r.why);
        return r->r.io ? FO_ERR_IO : FO_ERR_INPUT;
    }
    if (r->has_expect && (r->r.pos != (long long)r->expect.file_size ||
                          rd_hash(&r->r) != r->expect.hash)) {
        set_why(why, why_len, "the file changed since it was read");
        return FO_ERR_INPUT;
    }
    return FO_OK;
}

/* ---- probing ------------------------------------------------------------ */

/* The probe's reading of a PNG past its header: the rows when they must be
 * checked, then the chunks to IEND. 0, or -1 with the reason in j. */
static int png_probe_rest(fo_image_rows *j, fo_image_info *info)
{
    int ctype = png_get_color_type(j->png, j->pi);
    int palette = ctype == PNG_COLOR_TYPE_PALETTE;
    /* 8 bits, grey or RGB, no interlace: a PDF can take the data as it is
     * (fo_image_info.png_copy), if no tRNS and the gamma is sRGB's */
    int copy = info->bits == 8 &&
               (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_RGB) &&
               !j->interlaced;
    if (palette || copy) {
        if (setjmp(j->jmp))
            return -1;
        j->rows_phase = copy ? 2 : 1;
        /* libpng checks indices only when it does not expand palettes,
         * and lets the first index past the end through: checked here */
        int max = 0;
        for (int p = 0; p < j->passes; p++)
            for (int y = 0; y < j->lh; y++) {
                png_read_row(j->png, j->line, NULL);
                for (int x = 0; palette && x < j->lw; x++)
                    max = j->line[x] > max ? j->line[x] : max;
            }
        if (palette) {
            png_colorp pal;
            int npal = 0;
            (void)png_get_PLTE(j->png, j->pi, &pal, &npal);
            if (max >= npal) {
                (void)snprintf(j->msg, sizeof j->msg,
                               "bad PNG data: a pixel has colour index %d, "
                               "beyond the palette's %d colours",
                               max, npal);
                return -1;
            }
        }
        png_read_end(j->png, NULL);
        if (j->rows_phase == 2 && j->msg[0])
            return -1;
    }
    png_drain(&j->r);
    if (j->r.bad)
        return -1;
    /* 1/2.2, as sRGB, within what encoders round it to */
    unsigned long g = be32(j->r.gama);
    int gamma_ok = !j->r.have_gama || (g >= 45000 && g <= 46000);
    info->png_copy = copy && !j->r.trns && (gamma_ok || j->r.srgb);
    return 0;
}

static fo_status probe(const char *path, fo_image_info *info, char *why,
                       size_t why_len)
{
    fo_image_rows *j;
    memset(info, 0, sizeof *info);
    fo_status st = rows_start(path, NULL, info, 0, &j, why, why_len);
    if (st != FO_OK)
        return st;
    int rc = 0;
    if (j->fmt == FO_IMAGE_JPEG) {
        while (rc == 0 && j->ly < j->lh)
            rc = lib_row(j);
        if (rc == 0)
            rc = jpeg_end(j);
        if (rc == 0)
            rd_drain(&j->r);
    } else {
        rc = png_probe_rest(j, info);
    }
    if (rc != 0 || j->r.bad) {
        rows_why(j, why, why_len);
        st = j->r.io ? FO_ERR_IO : FO_ERR_INPUT;
        fo_image_rows_free(j);
        return st;
    }
    info->hash = rd_hash(&j->r);
    info->file_size = (size_t)j->r.pos;
    fo_cache_hasher_final(j->r.dg, info->digest);
    j->r.dg = NULL;
    fo_image_rows_free(j);
    if (seen_check(path, (long long)info->file_size, info->hash) != 0) {
        set_why(why, why_len, "the file changed during the build");
        return FO_ERR_INPUT;
    }
    return FO_OK;
}

/* ---- the probe's cache --------------------------------------------------- */

static _Atomic(fo_cache *) probe_cache;

void fo_image_set_cache(fo_cache *c)
{
    atomic_store(&probe_cache, c);
}

/* A probe's result as a cache payload: every field as 8 bytes
 * little-endian (the doubles' bits), then the digest. */
#define INFO_FIELDS 16
#define INFO_BYTES ((size_t)INFO_FIELDS * 8 + FO_CACHE_DIGEST)

static void info_pack(const fo_image_info *in, unsigned char *out)
{
    uint64_t ppx, ppy;
    memcpy(&ppx, &in->ppi_x, sizeof ppx);
    memcpy(&ppy, &in->ppi_y, sizeof ppy);
    const uint64_t f[INFO_FIELDS] = {(uint64_t)in->format,
                                     (uint64_t)in->width,
                                     (uint64_t)in->height,
                                     (uint64_t)in->orientation,
                                     (uint64_t)in->shown_w,
                                     (uint64_t)in->shown_h,
                                     (uint64_t)in->components,
                                     (uint64_t)in->adobe_cmyk,
                                     (uint64_t)in->progressive,
                                     (uint64_t)in->has_alpha,
                                     (uint64_t)in->bits,
                                     ppx,
                                     ppy,
                                     (uint64_t)in->png_copy,
                                     in->hash,
                                     (uint64_t)in->file_size};
    for (int i = 0; i < INFO_FIELDS; i++)
        for (int b = 0; b < 8; b++)
            out[8 * i + b] = (unsigned char)(f[i] >> (8 * b));
    memcpy(out + (size_t)8 * INFO_FIELDS, in->digest, FO_CACHE_DIGEST);
}

/* The payload back into *out; -1 when it is not what info_pack makes of
 * a probe that succeeded (the cache checked its bytes: this checks that
 * they mean a probe of this format). */
static int info_unpack(const unsigned char *p, size_t n, fo_image_info *out)
{
    if (n != INFO_BYTES)
        return -1;
    uint64_t f[INFO_FIELDS];
    for (int i = 0; i < INFO_FIELDS; i++) {
        f[i] = 0;
        for (int b = 7; b >= 0; b--)
            f[i] = f[i] << 8 | p[8 * i + b];
    }
    for (int i = 0; i < 11; i++)
        if (f[i] > FO_IMAGE_MAX_SIDE)
            return -1;
    memset(out, 0, sizeof *out);
    out->format = f[0] ? FO_IMAGE_PNG : FO_IMAGE_JPEG;
    out->width = (int)f[1];
    out->height = (int)f[2];
    out->orientation = (int)f[3];
    out->components = (int)f[6];
    out->adobe_cmyk = (int)f[7];
    out->progressive = (int)f[8];
    out->has_alpha = (int)f[9];
    out->bits = (int)f[10];
    memcpy(&out->ppi_x, &f[11], sizeof out->ppi_x);
    memcpy(&out->ppi_y, &f[12], sizeof out->ppi_y);
    out->png_copy = (int)f[13];
    out->hash = f[14];
    out->file_size = (size_t)f[15];
    memcpy(out->digest, p + (size_t)8 * INFO_FIELDS, FO_CACHE_DIGEST);
    set_shown(out);
    int c = out->components;
    if (f[0] > 1 || too_large(out->width, out->height) ||
        out->orientation < 1 || out->orientation > 8 ||
        (int)f[4] != out->shown_w || (int)f[5] != out->shown_h ||
        (c != 1 && c != 3 && c != 4) || f[7] > 1 || f[8] > 1 || f[9] > 1 ||
        out->bits < 1 || out->bits > 16 || f[13] > 1 ||
        f[15] > (uint64_t)FO_IMAGE_MAX_FILE)
        return -1;
    return 0;
}

/* The probe of the file whose bytes have digest dg and size bytes, from
 * the cache: 1 with *info filled, else 0. */
static int probe_hit(fo_cache *c, const fo_cache_key *key,
                     const unsigned char *dg, long long size,
                     fo_image_info *info)
{
    unsigned char *p;
    size_t n;
    if (!fo_cache_get(c, key, &p, &n))
        return 0;
    int ok = info_unpack(p, n, info) == 0 &&
             (long long)info->file_size == size &&
             memcmp(info->digest, dg, FO_CACHE_DIGEST) == 0;
    free(p);
    return ok;
}

fo_status fo_image_probe(const char *path, fo_image_info *info, char *why,
                         size_t why_len)
{
    fo_cache *c = atomic_load(&probe_cache);
    if (!c)
        return probe(path, info, why, why_len);
    /* the key is the file's bytes: hashing them costs a small part of
     * probing them (a JPEG's every coefficient, a PNG's rows inflated) */
    unsigned char dg[FO_CACHE_DIGEST];
    long long size = 0;
    int keyed =
        fo_cache_digest_file(path, FO_IMAGE_MAX_FILE, dg, &size) == FO_OK;
    fo_cache_key key = {{0}};
    if (keyed) {
        const fo_cache_part parts[2] = {{dg, sizeof dg}, {&size, sizeof size}};
        key = fo_cache_key_make(c, "probe", parts, 2);
        if (probe_hit(c, &key, dg, size, info)) {
            if (seen_check(path, size, info->hash) != 0) {
                set_why(why, why_len, "the file changed during the build");
                return FO_ERR_INPUT;
            }
            return FO_OK;
        }
    }
    fo_status st = probe(path, info, why, why_len);
    /* stored under the bytes the probe itself read, not those hashed
     * before it: the file may have changed between the two */
    if (st == FO_OK && keyed && (long long)info->file_size == size &&
        memcmp(info->digest, dg, sizeof dg) == 0) {
        unsigned char b[INFO_BYTES];
        info_pack(info, b);
        const fo_cache_part part = {b, sizeof b};
        fo_cache_put(c, &key, &part, 1);
    }
    return st;
}

/* ---- decoding whole ------------------------------------------------------ */

fo_status fo_image_decode_max(const char *path, const fo_image_info *expect,
                              size_t max_bytes, fo_pixels *out, char *why,
                              size_t why_len)
{
    memset(out, 0, sizeof *out);
    fo_image_rows *r;
    fo_status st =
        fo_image_rows_open(path, expect, max_bytes, &r, why, why_len);
    if (st != FO_OK)
        return st;
    size_t npx = (size_t)r->w * (size_t)r->h;
    out->w = r->w;
    out->h = r->h;
    out->comps = r->comps;
    out->data = fo_xmalloc(npx * (size_t)r->comps + 1);
    out->alpha = r->alpha ? fo_xmalloc(npx + 1) : NULL;
    st = fo_image_rows_read(r, r->h, out->data, out->alpha, why, why_len);
    if (st == FO_OK)
        st = fo_image_rows_finish(r, why, why_len);
    fo_image_rows_free(r);
    if (st != FO_OK)
        fo_pixels_free(out);
    return st;
}

fo_status fo_image_decode(const char *path, fo_pixels *out, char *why,
                          size_t why_len)
{
    return fo_image_decode_max(path, NULL, 0, out, why, why_len);
}

/* ---- the bytes that pass through ---------------------------------------- */

struct fo_image_bytes {
    rd r;
    fo_image_info expect;
    int has_expect, done;
};

fo_status fo_image_bytes_open(const char *path, const fo_image_info *expect,
                              int idat_only, fo_image_bytes **out, char *why,
                              size_t why_len)
{
    fo_image_bytes *b = fo_xcalloc(1, sizeof *b);
    *out = NULL;
    fo_status st = rd_open(&b->r, path, why, why_len);
    if (st == FO_OK && expect && b->r.size != (long long)expect->file_size) {
        set_why(why, why_len, "the file changed since it was read");
        st = FO_ERR_INPUT;
    }
    if (st != FO_OK) {
        fo_image_bytes_free(b);
        return st;
    }
    if (expect) {
        b->expect = *expect;
        b->has_expect = 1;
    }
    if (idat_only) {
        b->r.png = 1;
        b->r.idat_only = 1;
        b->r.sig_left = 8;
    }
    *out = b;
    return FO_OK;
}

fo_status fo_image_bytes_read(fo_image_bytes *b, unsigned char *buf, size_t cap,
                              size_t *got, char *why, size_t why_len)
{
    *got = 0;
    if (b->done)
        return FO_OK;
    size_t n = b->r.png ? png_pull(&b->r, buf, cap) : rd_raw(&b->r, buf, cap);
    if (n == 0 && !b->r.bad) {
        /* the end: the rest of the file, then the fingerprint */
        b->done = 1;
        if (b->r.png && !b->r.iend)
            rd_fail(&b->r, "bad PNG data: the file ends before IEND");
        rd_drain(&b->r);
        if (!b->r.bad && b->has_expect &&
            (b->r.pos != (long long)b->expect.file_size ||
             rd_hash(&b->r) != b->expect.hash)) {
            set_why(why, why_len, "the file changed since it was read");
            return FO_ERR_INPUT;
        }
    }
    if (b->r.bad) {
        set_why(why, why_len, "%s", b->r.why);
        return b->r.io ? FO_ERR_IO : FO_ERR_INPUT;
    }
    *got = n;
    return FO_OK;
}

void fo_image_bytes_free(fo_image_bytes *b)
{
    if (!b)
        return;
    rd_close(&b->r);
    free(b);
}

/* ---- API ------------------------------------------------------------- */

uint64_t fo_image_hash(const void *bytes, size_t len)
{
    return (uint64_t)crc32_z(0L, bytes, len) << 32 |
           (uint64_t)adler32_z(1L, bytes, len);
}

void fo_pixels_free(fo_pixels *p)
{
    if (!p)
        return;
    free(p->data);
    free(p->alpha);
    p->data = NULL;
    p->alpha = NULL;
}

void fo_image_orientation_matrix(int orientation, double m[6])
{
    /* {a, b, c, d, e, f}: x = a*u + c*v + e, y = b*u + d*v + f, with
     * (u, v) the stored and (x, y) the shown position, both in [0,1]². */
    static const double t[9][6] = {
        {1, 0, 0, 1, 0, 0},   /* (invalid: as 1) */
        {1, 0, 0, 1, 0, 0},   /* 1: as stored */
        {-1, 0, 0, 1, 1, 0},  /* 2: mirrored left-right */
        {-1, 0, 0, -1, 1, 1}, /* 3: turned 180° */
        {1, 0, 0, -1, 0, 1},  /* 4: mirrored top-bottom */
        {0, 1, 1, 0, 0, 0},   /* 5: transposed */
        {0, 1, -1, 0, 1, 0},  /* 6: shown turned 90° clockwise */
        {0, -1, -1, 0, 1, 1}, /* 7: transversed */
        {0, -1, 1, 0, 0, 1},  /* 8: shown turned 90° anticlockwise */
    };
    int o = orientation >= 1 && orientation <= 8 ? orientation : 0;
    memcpy(m, t[o], sizeof t[o]);
}

void fo_image_report(fo_diags *d, fo_pos pos, const char *src, const char *why)
{
    fo_error(d, pos, "cannot use the image '%s': %s", src, why);
}
