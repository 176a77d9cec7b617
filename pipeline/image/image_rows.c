/* image_rows — decoding row by row over either library (fo_image_rows):
 * the format sniffed from the first bytes, the reason for a failure as the
 * callers expect it, the k x k box reduction on top of the library's rows,
 * and decoding whole (fo_image_decode) on top of the rows. The libraries
 * themselves are in image_jpeg.c and image_png.c. */
#define _POSIX_C_SOURCE 200809L /* as image.c (image_private.h) */
#include "image_private.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- decoding row by row ---------------------------------------------- */

/* The reason for a failure, as the callers expect it. A PNG is walked to
 * its end first: a damaged chunk (its CRC wrong) is the reason libpng
 * failed on its data, and says more. */
void image_rows_why(fo_image_rows *j, char *why, size_t why_len)
{
    if (j->fmt == FO_IMAGE_PNG && !j->r.bad && j->r.f)
        image_png_drain(&j->r);
    if (j->r.bad) {
        image_set_why(why, why_len, "%s", j->r.why);
    } else if (j->fmt == FO_IMAGE_JPEG) {
        if (strcmp(j->msg, "truncated JPEG data") == 0 ||
            strncmp(j->msg, "image too large", 15) == 0 ||
            strncmp(j->msg, "JPEG too large", 14) == 0 ||
            strncmp(j->msg, "unsupported", 11) == 0)
            image_set_why(why, why_len, "%s", j->msg);
        else
            image_set_why(why, why_len, "bad JPEG data: %s", j->msg);
    } else if (strncmp(j->msg, "interlaced PNG", 14) == 0 ||
               strncmp(j->msg, "bad PNG data: ", 14) == 0) {
        image_set_why(why, why_len, "%s", j->msg);
    } else if (j->rows_phase) {
        image_set_why(why, why_len,
                      "bad PNG data: the image data is damaged (%s)", j->msg);
    } else {
        image_set_why(why, why_len, "bad PNG data: %s", j->msg);
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
    image_rd_close(&r->r);
    free(r->src);
    free(r->full);
    free(r->line);
    free(r->acc);
    free(r);
}

/* Opens the reader and the library; info (probe) or expect (decode). */
fo_status image_rows_start(const char *path, const fo_image_info *expect,
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
    fo_status st = image_rd_open(&j->r, path, why, why_len);
    if (st != FO_OK) {
        fo_image_rows_free(j);
        return st;
    }
    if (j->probe)
        j->r.dg = fo_cache_hasher_new();
    /* the size now; the bytes when they have all been read (a touched
     * file with the same bytes is the same image) */
    if (expect && j->r.size != (long long)expect->file_size) {
        image_set_why(why, why_len, "the file changed since it was read");
        fo_image_rows_free(j);
        return FO_ERR_INPUT;
    }
    unsigned char magic[8];
    size_t n = fread(magic, 1, sizeof magic, j->r.f);
    rewind(j->r.f);
    if (!sniff(magic, n, &j->fmt)) {
        image_set_why(why, why_len, "not a PNG or JPEG file");
        fo_image_rows_free(j);
        return FO_ERR_INPUT;
    }
    int rc = j->fmt == FO_IMAGE_JPEG ? image_jpeg_open(j, max_bytes)
                                     : image_png_open(j, max_bytes);
    if (rc != 0) {
        image_rows_why(j, why, why_len);
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
    return image_rows_start(path, expect, NULL, max_bytes, out, why, why_len);
}

void fo_image_rows_geometry(const fo_image_rows *r, int *w, int *h, int *comps,
                            int *has_alpha)
{
    *w = r->w;
    *h = r->h;
    *comps = r->comps;
    *has_alpha = r->alpha;
}

int image_lib_row(fo_image_rows *j)
{
    int rc = j->fmt == FO_IMAGE_JPEG ? image_jpeg_row(j) : image_png_row(j);
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
        if (image_lib_row(j) != 0)
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
            rc = image_lib_row(r);
            if (rc == 0)
                split_row(r, d, a);
        } else {
            rc = reduced_row(r, d, a);
        }
        if (rc != 0) {
            image_rows_why(r, why, why_len);
            return FO_ERR_INPUT;
        }
    }
    return FO_OK;
}

fo_status fo_image_rows_finish(fo_image_rows *r, char *why, size_t why_len)
{
    /* the library reads to its end (EOI, IEND); the reader the rest */
    int rc = r->fmt == FO_IMAGE_JPEG ? image_jpeg_end(r) : image_png_end(r);
    if (rc != 0 || (r->rows_phase == 2 && r->msg[0])) {
        image_rows_why(r, why, why_len);
        return FO_ERR_INPUT;
    }
    if (r->fmt == FO_IMAGE_PNG)
        image_png_drain(&r->r);
    else
        image_rd_drain(&r->r);
    if (r->r.bad) {
        image_set_why(why, why_len, "%s", r->r.why);
        return r->r.io ? FO_ERR_IO : FO_ERR_INPUT;
    }
    if (r->has_expect && (r->r.pos != (long long)r->expect.file_size ||
                          image_rd_hash(&r->r) != r->expect.hash)) {
        image_set_why(why, why_len, "the file changed since it was read");
        return FO_ERR_INPUT;
    }
    return FO_OK;
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
