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
 * wants the whole picture or an error.
 *
 * This file holds the reader, what a build has seen (the fingerprints of
 * the files probed), the probe and its cache, the bytes that pass through
 * and the small API; image_rows.c the row decoder over either library,
 * image_jpeg.c and image_png.c the libraries, image_private.h what they
 * share. */
#define _POSIX_C_SOURCE 200809L /* fileno, nanosleep */
#include "image_private.h"

#include <zlib.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void image_set_why(char *why, size_t why_len, const char *fmt, ...)
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

int image_too_large(long long w, long long h)
{
    return w <= 0 || h <= 0 || w > FO_IMAGE_MAX_SIDE || h > FO_IMAGE_MAX_SIDE ||
           w * h > FO_IMAGE_MAX_PIXELS;
}

void image_set_shown(fo_image_info *info)
{
    int swap = info->orientation >= 5 && info->orientation <= 8;
    info->shown_w = swap ? info->height : info->width;
    info->shown_h = swap ? info->width : info->height;
}

/* ---- the reader --------------------------------------------------------- */

void image_rd_fail(rd *r, const char *fmt, ...)
{
    if (r->bad)
        return;
    r->bad = 1;
    va_list ap;
    va_start(ap, fmt);
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): as image_set_why
    (void)vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

/* Opens path; FO_ERR_IO / FO_ERR_INPUT with why. */
fo_status image_rd_open(rd *r, const char *path, char *why, size_t why_len)
{
    memset(r, 0, sizeof *r);
    r->adl = adler32(0L, NULL, 0);
    r->crc = crc32(0L, NULL, 0);
    r->f = fopen(path, "rb");
    if (!r->f) {
        image_set_why(why, why_len, "cannot open the file");
        return FO_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(r->f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        image_set_why(why, why_len, "cannot read the file");
        return FO_ERR_IO;
    }
    r->size = (long long)sb.st_size;
    if (r->size > FO_IMAGE_MAX_FILE) {
        image_set_why(why, why_len, "file larger than %lld MB",
                      FO_IMAGE_MAX_FILE >> 20);
        return FO_ERR_INPUT;
    }
    return FO_OK;
}

void image_rd_close(rd *r)
{
    if (r->f)
        (void)fclose(r->f);
    r->f = NULL;
    fo_cache_hasher_free(r->dg);
    r->dg = NULL;
}

/* Up to n bytes of the file as they are; fewer only at its end. */
size_t image_rd_raw(rd *r, unsigned char *buf, size_t n)
{
    if (r->bad || n == 0)
        return 0;
    size_t got = fread(buf, 1, n, r->f);
    if (got < n && ferror(r->f)) {
        image_rd_fail(r, "cannot read the file");
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
void image_rd_drain(rd *r)
{
    unsigned char buf[4096];
    while (image_rd_raw(r, buf, sizeof buf) == sizeof buf)
        ;
}

uint64_t image_rd_hash(const rd *r)
{
    return (uint64_t)r->crc << 32 | (uint64_t)r->adl;
}

unsigned long image_be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
           (unsigned long)p[2] << 8 | p[3];
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

/* ---- probing ------------------------------------------------------------ */

static fo_status probe(const char *path, fo_image_info *info, char *why,
                       size_t why_len)
{
    fo_image_rows *j;
    memset(info, 0, sizeof *info);
    fo_status st = image_rows_start(path, NULL, info, 0, &j, why, why_len);
    if (st != FO_OK)
        return st;
    int rc = 0;
    if (j->fmt == FO_IMAGE_JPEG) {
        while (rc == 0 && j->ly < j->lh)
            rc = image_lib_row(j);
        if (rc == 0)
            rc = image_jpeg_end(j);
        if (rc == 0)
            image_rd_drain(&j->r);
    } else {
        rc = image_png_probe_rest(j, info);
    }
    if (rc != 0 || j->r.bad) {
        image_rows_why(j, why, why_len);
        st = j->r.io ? FO_ERR_IO : FO_ERR_INPUT;
        fo_image_rows_free(j);
        return st;
    }
    info->hash = image_rd_hash(&j->r);
    info->file_size = (size_t)j->r.pos;
    fo_cache_hasher_final(j->r.dg, info->digest);
    j->r.dg = NULL;
    fo_image_rows_free(j);
    if (seen_check(path, (long long)info->file_size, info->hash) != 0) {
        image_set_why(why, why_len, "the file changed during the build");
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
    image_set_shown(out);
    int c = out->components;
    if (f[0] > 1 || image_too_large(out->width, out->height) ||
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
                image_set_why(why, why_len,
                              "the file changed during the build");
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
    fo_status st = image_rd_open(&b->r, path, why, why_len);
    if (st == FO_OK && expect && b->r.size != (long long)expect->file_size) {
        image_set_why(why, why_len, "the file changed since it was read");
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
    size_t n = b->r.png ? image_png_pull(&b->r, buf, cap)
                        : image_rd_raw(&b->r, buf, cap);
    if (n == 0 && !b->r.bad) {
        /* the end: the rest of the file, then the fingerprint */
        b->done = 1;
        if (b->r.png && !b->r.iend)
            image_rd_fail(&b->r, "bad PNG data: the file ends before IEND");
        image_rd_drain(&b->r);
        if (!b->r.bad && b->has_expect &&
            (b->r.pos != (long long)b->expect.file_size ||
             image_rd_hash(&b->r) != b->expect.hash)) {
            image_set_why(why, why_len, "the file changed since it was read");
            return FO_ERR_INPUT;
        }
    }
    if (b->r.bad) {
        image_set_why(why, why_len, "%s", b->r.why);
        return b->r.io ? FO_ERR_IO : FO_ERR_INPUT;
    }
    *got = n;
    return FO_OK;
}

void fo_image_bytes_free(fo_image_bytes *b)
{
    if (!b)
        return;
    image_rd_close(&b->r);
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
