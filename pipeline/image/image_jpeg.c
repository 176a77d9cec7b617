/* image_jpeg — a JPEG through libjpeg: the reader as its source, the
 * orientation from the first EXIF APP1 marker, the colour space (CMYK and
 * Adobe's inverted CMYK included), the limits, the DCT scale that fits the
 * caller's bytes (1/8 for a probe) and the rows. */
#define _POSIX_C_SOURCE 200809L /* as image.c (image_private.h) */
#include "image_private.h"

#include <jerror.h> /* JWRN_JPEG_EOF, JERR_NO_BACKING_STORE */

#include <stdlib.h>
#include <string.h>

/* The reader's block size. */
#define BLOCK ((size_t)1 << 16)

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

/* ---- libjpeg ----------------------------------------------------------- */

/* libjpeg's source: blocks from the reader. */
typedef struct jsrc {
    struct jpeg_source_mgr pub;
    rd *r;
    unsigned char buf[BLOCK];
} jsrc;

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
    size_t n = image_rd_raw(s->r, s->buf, sizeof s->buf);
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
int image_jpeg_open(fo_image_rows *j, size_t max_bytes)
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
    if (image_too_large(ci->image_width, ci->image_height)) {
        (void)snprintf(j->msg, sizeof j->msg, "image too large (%u x %u)",
                       ci->image_width, ci->image_height);
        return -1;
    }
    if (info)
        image_set_shown(info);
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
int image_jpeg_row(fo_image_rows *j)
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

int image_jpeg_end(fo_image_rows *j)
{
    if (setjmp(j->jmp))
        return -1;
    (void)jpeg_finish_decompress(&j->ci);
    return 0;
}
