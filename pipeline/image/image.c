/* image — probing and decoding the JPEG and PNG files a publication uses.
 *
 * The format comes from the file's first bytes, never from its name. A
 * probe checks the whole file without decoding its pixels, so that layout
 * stays cheap and a JPEG that passes through to the PDF is never decoded:
 * a JPEG's entropy-coded data is read to the end by libjpeg
 * (jpeg_read_coefficients: every Huffman code and marker, no IDCT, no
 * colour conversion), which refuses truncated and corrupt data; a PNG's
 * chunks are walked to IEND with every CRC checked (zlib's crc32), after
 * libpng has read and validated the header. A PNG whose compressed data
 * goes into PDFs as it is (png_copy) also has that data inflated once
 * (libdeflate: Adler-32, rows, filter bytes), since no renderer will
 * decode it; any other PNG whose CRCs match but whose data is bad (written
 * bad by its encoder) fails when a renderer decodes it, reported the same
 * way.
 *
 * JPEG goes through libjpeg. Its error manager must not return, so the one
 * setjmp of the project is here: libjpeg's documented pattern (example.c,
 * libjpeg.txt "Error handling"), the only way to regain control after a
 * libjpeg error without exiting the process. Everything that crosses the
 * longjmp lives in a jpeg_job the caller owns, so no automatic variable of
 * the function that called setjmp is read after the jump. libjpeg's
 * warnings (above all "Premature end of JPEG file", which it otherwise
 * papers over with grey rows) are failures too: a print job wants the
 * whole picture or an error.
 *
 * PNG goes through libpng's simplified API, which reports errors in the
 * png_image instead of aborting (libharu's loader does abort: see
 * pango-libharu-findings.md §7). It expands palettes, tRNS (to alpha),
 * low and 16 bit depths and interlacing into 8-bit grey, grey+alpha, RGB
 * or RGBA. What that API does not report (bit depth, pHYs) is read from
 * the chunks directly. */
#define _POSIX_C_SOURCE 200809L /* fileno, st_mtim */
#include "image.h"

#include <jpeglib.h>
#include <jerror.h> /* JWRN_JPEG_EOF */
#include <png.h>

#include <libdeflate.h>
#include <zlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Files larger than this are refused before they are read. */
#define MAX_FILE ((size_t)512 * 1024 * 1024)

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

/* Reads the whole file; NULL with *why on failure. Caller frees. */
static unsigned char *read_file(const char *path, size_t *len, char *why,
                                size_t why_len)
{
    unsigned char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_why(why, why_len, "cannot open the file");
        return NULL;
    }
    size_t cap = 0, n = 0;
    struct stat sb; /* a regular file: one buffer of its size */
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (unsigned long long)sb.st_size < MAX_FILE) {
        cap = (size_t)sb.st_size + 1; /* + 1: the read that sees the end */
        buf = fo_xmalloc(cap);
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_FILE) {
                set_why(why, why_len, "file larger than %zu MB",
                        MAX_FILE >> 20);
                goto fail;
            }
            cap = cap ? cap * 2 : 65536;
            buf = fo_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        set_why(why, why_len, "cannot read the file");
        goto fail;
    }
    (void)fclose(f);
    *len = n;
    return buf;
fail:
    (void)fclose(f);
    free(buf);
    return NULL;
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

/* ---- JPEG ------------------------------------------------------------ */

/* Everything one libjpeg run touches, owned by the caller so that it
 * survives the longjmp (see the file comment). */
typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    jmp_buf jmp;
    char msg[JMSG_LENGTH_MAX];
    const unsigned char *src;
    size_t src_len;
    fo_image_info *info;
    fo_pixels *out; /* NULL: probe (entropy-decode only) */
} jpeg_job;

static void jpeg_fail(j_common_ptr cinfo)
{
    jpeg_job *j = (jpeg_job *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, j->msg);
    longjmp(j->jmp, 1);
}

/* Warnings (level -1) fail the read: libjpeg would carry on with made-up
 * data. Trace messages (level >= 1) are ignored. */
static void jpeg_message(j_common_ptr cinfo, int level)
{
    jpeg_job *j = (jpeg_job *)cinfo->client_data;
    if (level >= 0)
        return;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF)
        (void)snprintf(j->msg, sizeof j->msg, "truncated JPEG data");
    else
        (*cinfo->err->format_message)(cinfo, j->msg);
    longjmp(j->jmp, 1);
}

/* Reads header and markers, then every scanline (decode) or every DCT
 * coefficient (probe). Returns 0, or -1 with j->msg set. The caller
 * destroys j->cinfo and frees j->out's data. */
static int jpeg_run(jpeg_job *j)
{
    struct jpeg_decompress_struct *ci = &j->cinfo;
    ci->err = jpeg_std_error(&j->jerr);
    j->jerr.error_exit = jpeg_fail;
    j->jerr.emit_message = jpeg_message;
    ci->client_data = j;
    if (setjmp(j->jmp))
        return -1;
    jpeg_create_decompress(ci);
    jpeg_mem_src(ci, j->src, (unsigned long)j->src_len);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);
    (void)jpeg_read_header(ci, TRUE);

    fo_image_info *info = j->info;
    info->format = FO_IMAGE_JPEG;
    info->width = (int)ci->image_width;
    info->height = (int)ci->image_height;
    info->components = ci->num_components;
    info->bits = ci->data_precision;
    info->progressive = ci->progressive_mode ? 1 : 0;
    info->orientation = 1;
    for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1) {
            int o = exif_orientation(m->data, m->data_length);
            if (o != 1) {
                info->orientation = o;
                break;
            }
        }
    if (ci->saw_JFIF_marker && ci->X_density && ci->Y_density &&
        (ci->density_unit == 1 || ci->density_unit == 2)) {
        double k = ci->density_unit == 2 ? 2.54 : 1.0; /* dots per cm */
        info->ppi_x = ci->X_density * k;
        info->ppi_y = ci->Y_density * k;
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
        info->adobe_cmyk = ci->saw_Adobe_marker ? 1 : 0;
        break;
    default:
        (void)snprintf(j->msg, sizeof j->msg,
                       "unsupported JPEG colour space (%d components)",
                       ci->num_components);
        return -1;
    }
    if (too_large(info->width, info->height)) {
        (void)snprintf(j->msg, sizeof j->msg, "image too large (%d x %d)",
                       info->width, info->height);
        return -1;
    }
    set_shown(info);

    if (!j->out) {
        /* the whole entropy-coded data, up to EOI: Huffman decoding
         * only, no IDCT, no colour conversion, no pixels kept */
        (void)jpeg_read_coefficients(ci);
        (void)jpeg_finish_decompress(ci);
        return 0;
    }
    (void)jpeg_start_decompress(ci);
    size_t stride = (size_t)ci->output_width * (size_t)ci->output_components;
    j->out->w = (int)ci->output_width;
    j->out->h = (int)ci->output_height;
    j->out->comps = ci->output_components;
    j->out->data = fo_xmalloc(stride * ci->output_height);
    while (ci->output_scanline < ci->output_height) {
        JSAMPROW row = j->out->data + stride * ci->output_scanline;
        (void)jpeg_read_scanlines(ci, &row, 1);
    }
    (void)jpeg_finish_decompress(ci);
    return 0;
}

static fo_status jpeg_read(const unsigned char *buf, size_t len,
                           fo_image_info *info, fo_pixels *out, char *why,
                           size_t why_len)
{
    jpeg_job *j = fo_xcalloc(1, sizeof *j);
    j->src = buf;
    j->src_len = len;
    j->info = info;
    j->out = out;
    int rc = jpeg_run(j);
    jpeg_destroy_decompress(&j->cinfo);
    if (rc == 0 && out && info->adobe_cmyk) {
        /* Adobe (Photoshop, ImageMagick) CMYK is stored inverted. */
        size_t n = (size_t)out->w * (size_t)out->h * 4;
        for (size_t i = 0; i < n; i++)
            out->data[i] = (unsigned char)(255 - out->data[i]);
    }
    if (rc != 0) {
        if (strcmp(j->msg, "truncated JPEG data") == 0 ||
            strncmp(j->msg, "image too large", 15) == 0 ||
            strncmp(j->msg, "unsupported", 11) == 0)
            set_why(why, why_len, "%s", j->msg);
        else
            set_why(why, why_len, "bad JPEG data: %s", j->msg);
    }
    free(j);
    return rc == 0 ? FO_OK : FO_ERR_INPUT;
}

/* ---- PNG ------------------------------------------------------------- */

static unsigned long be32(const unsigned char *p)
{
    return get32(p, 1);
}

/* Bit depth from IHDR and resolution from pHYs, by walking the chunks up
 * to the first IDAT. libpng validates the whole file afterwards. */
static void png_chunks(const unsigned char *b, size_t n, fo_image_info *info)
{
    size_t p = 8;
    while (p + 8 <= n) {
        unsigned long len = be32(b + p);
        const unsigned char *type = b + p + 4, *data = b + p + 8;
        if (len > n - p - 8)
            break;
        if (memcmp(type, "IHDR", 4) == 0 && len >= 13)
            info->bits = data[8];
        else if (memcmp(type, "pHYs", 4) == 0 && len >= 9 && data[8] == 1) {
            /* unit 1: pixels per metre */
            info->ppi_x = (double)be32(data) * 0.0254;
            info->ppi_y = (double)be32(data + 4) * 0.0254;
        } else if (memcmp(type, "IDAT", 4) == 0)
            break;
        if (n - p - 8 - len < 4)
            break;
        p += 12 + len;
    }
}

/* The probe's check of a whole PNG: every chunk complete and its CRC
 * right, IHDR first, the IDAT chunks consecutive, IEND last. 0, or -1
 * with why set. */
static int png_walk(const unsigned char *b, size_t n, fo_image_info *info,
                    char *why, size_t why_len)
{
    size_t p = 8;
    int idat = 0, idat_ended = 0;
    /* whether the IDAT data can be copied into a PDF as it is (see
     * fo_image_info.png_copy): decided from IHDR, tRNS, gAMA and sRGB */
    int copy = 0, srgb = 0, gamma_ok = 1, trns = 0;
    for (int first = 1;; first = 0) {
        if (n - p < 12) {
            set_why(why, why_len, "bad PNG data: the file ends before IEND");
            return -1;
        }
        unsigned long len = be32(b + p);
        const unsigned char *type = b + p + 4;
        if (len > 0x7FFFFFFFul || len > n - p - 12) {
            set_why(why, why_len, "bad PNG data: the file ends before IEND");
            return -1;
        }
        char name[5] = {0};
        for (int i = 0; i < 4; i++)
            name[i] = (type[i] >= 'A' && type[i] <= 'Z') ||
                              (type[i] >= 'a' && type[i] <= 'z')
                          ? (char)type[i]
                          : '?';
        uLong crc = crc32(0L, type, (uInt)(len + 4));
        if (crc != be32(type + 4 + len)) {
            set_why(why, why_len, "bad PNG data: CRC error in %s chunk", name);
            return -1;
        }
        if (first && memcmp(type, "IHDR", 4) != 0) {
            set_why(why, why_len, "bad PNG data: IHDR is not first");
            return -1;
        }
        const unsigned char *data = type + 4;
        if (first && len >= 13)
            /* 8 bits, grey (0) or RGB (2), no interlace */
            copy =
                data[8] == 8 && (data[9] == 0 || data[9] == 2) && data[12] == 0;
        else if (memcmp(type, "tRNS", 4) == 0)
            trns = 1;
        else if (memcmp(type, "sRGB", 4) == 0)
            srgb = 1;
        else if (memcmp(type, "gAMA", 4) == 0 && len >= 4) {
            /* 1/2.2, as sRGB, within what encoders round it to */
            unsigned long g = be32(data);
            gamma_ok = g >= 45000 && g <= 46000;
        }
        if (memcmp(type, "IDAT", 4) == 0) {
            if (idat_ended) {
                set_why(why, why_len, "bad PNG data: IDAT chunks apart");
                return -1;
            }
            idat = 1;
        } else if (idat) {
            idat_ended = 1;
        }
        p += 12 + len;
        if (memcmp(type, "IEND", 4) == 0)
            break;
    }
    if (!idat) {
        set_why(why, why_len, "bad PNG data: no image data");
        return -1;
    }
    info->png_copy = copy && !trns && (gamma_ok || srgb);
    return 0;
}

fo_status fo_image_png_idat(const unsigned char *b, size_t n,
                            unsigned char **out, size_t *out_len)
{
    size_t p = 8, total = 0;
    *out = NULL;
    *out_len = 0;
    /* twice over the chunks: the size, then the bytes */
    for (int pass = 0; pass < 2; pass++) {
        p = 8;
        size_t at = 0;
        while (n - p >= 12) {
            unsigned long len = be32(b + p);
            if (len > n - p - 12)
                return FO_ERR_INPUT;
            if (memcmp(b + p + 4, "IDAT", 4) == 0) {
                if (pass)
                    memcpy(*out + at, b + p + 8, len);
                at += len;
            }
            if (memcmp(b + p + 4, "IEND", 4) == 0)
                break;
            p += 12 + len;
        }
        if (!pass) {
            if (at == 0)
                return FO_ERR_INPUT;
            total = at;
            *out = fo_xmalloc(total);
        }
    }
    *out_len = total;
    return FO_OK;
}

/* A PNG whose compressed data goes into a PDF as it is (png_copy): that
 * data is inflated once here, without keeping the pixels, so that a
 * damaged stream is refused now and not by the reader of the PDF. */
static fo_status png_copy_check(const unsigned char *buf, size_t len,
                                const fo_image_info *info, char *why,
                                size_t why_len)
{
    unsigned char *z = NULL;
    size_t zl = 0;
    fo_status st = fo_image_png_idat(buf, len, &z, &zl);
    if (st != FO_OK)
        set_why(why, why_len, "bad PNG data: no image data");
    else
        st = fo_image_png_idat_check(z, zl, info->width, info->height,
                                     info->components, why, why_len);
    free(z);
    return st;
}

static fo_status png_read(const unsigned char *buf, size_t len,
                          fo_image_info *info, fo_pixels *out, char *why,
                          size_t why_len)
{
    png_image im;
    unsigned char *px = NULL;
    fo_status st = FO_ERR_INPUT;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, buf, len)) {
        set_why(why, why_len, "bad PNG data: %s", im.message);
        goto out;
    }
    info->format = FO_IMAGE_PNG;
    info->width = (int)im.width;
    info->height = (int)im.height;
    info->orientation = 1;
    set_shown(info);
    int alpha = (im.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    int grey = (im.format & PNG_FORMAT_FLAG_COLOR) == 0;
    info->has_alpha = alpha;
    info->components = grey ? 1 : 3;
    png_chunks(buf, len, info);
    if (too_large(im.width, im.height)) {
        set_why(why, why_len, "image too large (%u x %u)", im.width, im.height);
        goto out;
    }
    if (!out) {
        if (png_walk(buf, len, info, why, why_len) == 0)
            st = info->png_copy ? png_copy_check(buf, len, info, why, why_len)
                                : FO_OK;
        goto out;
    }
    /* tRNS becomes alpha, 16 bits become 8, palettes are expanded. A
     * 16-bit file without gAMA or sRGB is taken as sRGB (as everyone
     * writes them), not as linear light, the simplified API's default. */
    im.format = alpha ? (grey ? PNG_FORMAT_GA : PNG_FORMAT_RGBA)
                      : (grey ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB);
    im.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
    px = fo_xmalloc(PNG_IMAGE_SIZE(im));
    if (!png_image_finish_read(&im, NULL, px, 0, NULL)) {
        set_why(why, why_len, "bad PNG data: %s", im.message);
        goto out;
    }
    int comps = info->components;
    size_t npx = (size_t)im.width * im.height;
    out->w = (int)im.width;
    out->h = (int)im.height;
    out->comps = comps;
    if (!alpha) {
        out->data = px;
        px = NULL;
    } else {
        out->data = fo_xmalloc(npx * (size_t)comps);
        out->alpha = fo_xmalloc(npx);
        for (size_t i = 0; i < npx; i++) {
            memcpy(out->data + i * (size_t)comps, px + i * (size_t)(comps + 1),
                   (size_t)comps);
            out->alpha[i] = px[i * (size_t)(comps + 1) + (size_t)comps];
        }
    }
    st = FO_OK;
out:
    png_image_free(&im);
    free(px);
    return st;
}

/* ---- API ------------------------------------------------------------- */

static fo_status read_image(const char *path, fo_image_info *info,
                            fo_pixels *out, char *why, size_t why_len)
{
    size_t len = 0;
    fo_image_format fmt;
    fo_status st;
    memset(info, 0, sizeof *info);
    if (out)
        memset(out, 0, sizeof *out);
    unsigned char *buf = read_file(path, &len, why, why_len);
    if (!buf)
        return FO_ERR_IO;
    /* zlib's CRC-32 and Adler-32 of the bytes, together: a fingerprint
     * for the PDF's /ID and the renderers' "changed since it was read"
     * check, at memory speed (not a security hash: nothing here needs one) */
    info->hash = fo_image_hash(buf, len);
    info->file_size = len;
    info->mtime_ns = fo_image_mtime(path);
    if (!sniff(buf, len, &fmt)) {
        set_why(why, why_len, "not a PNG or JPEG file");
        st = FO_ERR_INPUT;
    } else if (fmt == FO_IMAGE_JPEG) {
        st = jpeg_read(buf, len, info, out, why, why_len);
    } else {
        st = png_read(buf, len, info, out, why, why_len);
    }
    free(buf);
    if (st != FO_OK && out)
        fo_pixels_free(out);
    return st;
}

fo_status fo_image_probe(const char *path, fo_image_info *info, char *why,
                         size_t why_len)
{
    return read_image(path, info, NULL, why, why_len);
}

fo_status fo_image_decode(const char *path, fo_pixels *out, char *why,
                          size_t why_len)
{
    fo_image_info info;
    return read_image(path, &info, out, why, why_len);
}

fo_status fo_image_decode_info(const char *path, fo_image_info *info,
                               fo_pixels *out, char *why, size_t why_len)
{
    return read_image(path, info, out, why, why_len);
}

fo_status fo_image_png_idat_check(const unsigned char *z, size_t n, int w,
                                  int h, int comps, char *why, size_t why_len)
{
    /* Inflated whole with libdeflate (which checks the Adler-32), into a
     * buffer of the size the rows must have, then the rows' filter bytes
     * (0..4) looked at: each row is 1 filter byte and w * comps samples. */
    size_t row = 1 + (size_t)w * (size_t)comps, want = row * (size_t)h;
    unsigned char *px = fo_xmalloc(want ? want : 1);
    struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
    if (!dc) {
        free(px);
        set_why(why, why_len, "out of memory");
        return FO_ERR_LIBRARY;
    }
    size_t got = 0;
    enum libdeflate_result r =
        libdeflate_zlib_decompress(dc, z, n, px, want, &got);
    libdeflate_free_decompressor(dc);
    int bad_filter = 0;
    for (size_t at = 0; r == LIBDEFLATE_SUCCESS && at < want; at += row)
        bad_filter |= px[at] > 4;
    free(px);
    const char *what =
        r == LIBDEFLATE_INSUFFICIENT_SPACE ? "the image data has the wrong size"
        : r != LIBDEFLATE_SUCCESS          ? "the image data cannot be inflated"
        : got != want                      ? "the image data ends too early"
        : bad_filter                       ? "a row has an unknown filter"
                                           : NULL;
    if (what) {
        set_why(why, why_len, "bad PNG data: %s", what);
        return FO_ERR_INPUT;
    }
    return FO_OK;
}

long long fo_image_mtime(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    return (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
}

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
