/* image_png — a PNG: the reader's walk of its chunks before libpng sees
 * them (each CRC checked, lengths against the file and FO_IMAGE_MAX_CHUNK,
 * text and large ancillary chunks never handed on), libpng's row API with
 * its own limits and the simplified API's transforms, and the probe's
 * check of palette indices and of the data that goes into PDFs as it is
 * (png_copy). */
#define _POSIX_C_SOURCE 200809L /* as image.c (image_private.h) */
#include "image_private.h"

#include <string.h>

/* ---- the chunk walk ---------------------------------------------------- */

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
        size_t got = image_rd_raw(r, dst, (size_t)r->crc_left);
        if (got == 0) {
            image_rd_fail(r, "bad PNG data: the file ends before IEND");
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
    if (r->ccrc != image_be32(r->crc_bytes)) {
        image_rd_fail(r, "bad PNG data: CRC error in %s chunk",
                      (char *)r->type);
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
    unsigned long len = image_be32(r->hdr);
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
        image_rd_fail(
            r,
            "bad PNG data: the file ends inside its %s chunk (%lu bytes "
            "declared, %lld left)",
            name, len, left > 4 ? left - 4 : 0);
        return -1;
    }
    int is_idat = memcmp(type, "IDAT", 4) == 0;
    if (r->nchunks++ == 0 && memcmp(type, "IHDR", 4) != 0)
        image_rd_fail(r, "bad PNG data: IHDR is not first");
    else if (is_idat && r->idat_ended)
        image_rd_fail(r, "bad PNG data: IDAT chunks apart");
    else if (memcmp(type, "IEND", 4) == 0 && !r->idat)
        image_rd_fail(r, "bad PNG data: no image data");
    else if (!(type[0] & 0x20) && !is_idat && len > FO_IMAGE_MAX_CHUNK)
        image_rd_fail(r, "bad PNG data: the %s chunk is too large (%lu bytes)",
                      name, len);
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
        size_t n = image_rd_raw(r, buf, want);
        if (n == 0)
            image_rd_fail(r, "bad PNG data: the file ends before IEND");
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
        if (image_rd_raw(r, r->hdr, 8) < 8) {
            image_rd_fail(r, "bad PNG data: the file ends before IEND");
            return 0;
        }
        if (png_check_header(r) != 0)
            return 0;
        unsigned long len = image_be32(r->hdr);
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
    size_t got = image_rd_raw(r, dst, want);
    if (got == 0) {
        image_rd_fail(r, "bad PNG data: the file ends before IEND");
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
    if (ihdr && r->off >= 8 &&
        image_too_large(image_be32(r->ihdr), image_be32(r->ihdr + 4)))
        image_rd_fail(r, "image too large (%lu x %lu)", image_be32(r->ihdr),
                      image_be32(r->ihdr + 4));
    return keep ? got : 0;
}

/* Up to n bytes of what the PNG's user sees (the signature and the chunks
 * it is handed, or only IDAT data); fewer at the end or on failure. */
size_t image_png_pull(rd *r, unsigned char *out, size_t n)
{
    size_t at = 0;
    while (at < n && !r->bad) {
        if (r->sig_left > 0) {
            unsigned char sig[8];
            size_t want =
                (size_t)r->sig_left < n - at ? (size_t)r->sig_left : n - at;
            size_t got = image_rd_raw(r, r->idat_only ? sig : out + at, want);
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
void image_png_drain(rd *r)
{
    unsigned char buf[4096];
    int was = r->idat_only;
    r->idat_only = 1; /* nothing handed out but IDAT data, dropped here */
    while (!r->bad && !r->iend)
        if (image_png_pull(r, buf, sizeof buf) == 0 && !r->iend && !r->bad)
            image_rd_fail(r, "bad PNG data: the file ends before IEND");
    r->idat_only = was;
    image_rd_drain(r);
}

/* ---- libpng ------------------------------------------------------------ */

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
    if (image_png_pull(&j->r, out, n) < n) {
        if (!j->r.bad)
            image_rd_fail(&j->r, "bad PNG data: the file ends before IEND");
        png_error(png, j->r.why);
    }
}

/* Header and transforms. 0, or -1 with j->msg. */
int image_png_open(fo_image_rows *j, size_t max_bytes)
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
        image_set_shown(info);
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

int image_png_row(fo_image_rows *j)
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

int image_png_end(fo_image_rows *j)
{
    if (setjmp(j->jmp))
        return -1;
    png_read_end(j->png, NULL);
    return 0;
}

/* ---- probing ------------------------------------------------------------ */

/* The probe's reading of a PNG past its header: the rows when they must be
 * checked, then the chunks to IEND. 0, or -1 with the reason in j. */
int image_png_probe_rest(fo_image_rows *j, fo_image_info *info)
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
    image_png_drain(&j->r);
    if (j->r.bad)
        return -1;
    /* 1/2.2, as sRGB, within what encoders round it to */
    unsigned long g = image_be32(j->r.gama);
    int gamma_ok = !j->r.have_gama || (g >= 45000 && g <= 46000);
    info->png_copy = copy && !j->r.trns && (gamma_ok || j->r.srgb);
    return 0;
}
