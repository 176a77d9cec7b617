/* See icc_flate.h. Why the pieces: libharu feeds zlib HPDF_STREAM_BUF_SIZ
 * bytes at a time with Z_NO_FLUSH and then finishes; the same calls give
 * the same bytes (tests/cli/output_hashes.sh holds the print PDFs, output
 * intent included, to the bytes libharu wrote). */
#include "icc_flate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { PIECE = 4096 };

unsigned char *fo_icc_flate(const unsigned char *p, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n) + 64, len = 0;
    unsigned char *out = malloc(cap);
    int rc = out ? Z_OK : Z_MEM_ERROR;
    for (size_t at = 0; at < n && rc == Z_OK; at += PIECE) {
        /* the const cast: zlib's next_in is not const, and reads only */
        z.next_in = (Bytef *)(uintptr_t)(p + at);
        z.avail_in = (uInt)(n - at < PIECE ? n - at : PIECE);
        while (z.avail_in > 0 && rc == Z_OK) {
            z.next_out = out + len;
            z.avail_out = (uInt)(cap - len);
            rc = deflate(&z, Z_NO_FLUSH);
            len = cap - z.avail_out;
        }
    }
    while (rc == Z_OK) {
        z.next_out = out + len;
        z.avail_out = (uInt)(cap - len);
        rc = deflate(&z, Z_FINISH);
        len = cap - z.avail_out;
        if (rc == Z_OK && z.avail_out == 0)
            rc = Z_BUF_ERROR; /* deflateBound was passed: never */
    }
    (void)deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return out;
}
