/* Shared by the files of image (image.c: the reader, the seen-list, the
 * probe and its cache, the bytes that pass through; image_rows.c: decoding
 * row by row over either library; image_jpeg.c and image_png.c: the
 * libraries): the reader, the row decoder's state and the functions one
 * file calls in another. Every file that includes this defines
 * _POSIX_C_SOURCE as image.c does, so all see the same structs. */
#ifndef FO_IMAGE_PRIVATE_H
#define FO_IMAGE_PRIVATE_H

#include "image.h"

#include <jpeglib.h>
#include <png.h>

#include <zlib.h>

#include <setjmp.h>

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

/* libjpeg's source (image_jpeg.c). */
typedef struct jsrc jsrc;

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

/* ---- image.c ---- */

/* why = the formatted message, when why is not NULL. */
void image_set_why(char *why, size_t why_len, const char *fmt, ...)
    FO_PRINTF(3, 4);
/* 1 when w x h is beyond FO_IMAGE_MAX_SIDE or FO_IMAGE_MAX_PIXELS. */
int image_too_large(long long w, long long h);
/* info's shown_w and shown_h from its size and orientation. */
void image_set_shown(fo_image_info *info);

/* The reader fails with the formatted reason (the first one kept). */
void image_rd_fail(rd *r, const char *fmt, ...) FO_PRINTF(2, 3);
/* Opens path; FO_ERR_IO / FO_ERR_INPUT with why. */
fo_status image_rd_open(rd *r, const char *path, char *why, size_t why_len);
void image_rd_close(rd *r);
/* Up to n bytes of the file as they are; fewer only at its end. */
size_t image_rd_raw(rd *r, unsigned char *buf, size_t n);
/* Reads the rest of the file into the fingerprint. */
void image_rd_drain(rd *r);
/* The fingerprint of the bytes read so far (fo_image_hash's). */
uint64_t image_rd_hash(const rd *r);
/* A big-endian 32-bit number. */
unsigned long image_be32(const unsigned char *p);

/* ---- image_rows.c ---- */

/* Opens the reader and the library; info (probe) or expect (decode). */
fo_status image_rows_start(const char *path, const fo_image_info *expect,
                           fo_image_info *info, size_t max_bytes,
                           fo_image_rows **out, char *why, size_t why_len);
/* The next library row into j->line. 0, or -1 with j->msg. */
int image_lib_row(fo_image_rows *j);
/* The reason for a failure, as the callers expect it. */
void image_rows_why(fo_image_rows *j, char *why, size_t why_len);

/* ---- image_jpeg.c: each 0, or -1 with j->msg ---- */

/* Header, colour space and limits; the decoder started at the scale that
 * max_bytes asks (probe: 1/8). */
int image_jpeg_open(fo_image_rows *j, size_t max_bytes);
int image_jpeg_row(fo_image_rows *j);
int image_jpeg_end(fo_image_rows *j);

/* ---- image_png.c ---- */

/* Up to n bytes of what the PNG's user sees (the signature and the chunks
 * it is handed, or only IDAT data); fewer at the end or on failure. */
size_t image_png_pull(rd *r, unsigned char *out, size_t n);
/* Walks the PNG's remaining chunks to IEND (each CRC checked), then reads
 * whatever follows into the fingerprint. */
void image_png_drain(rd *r);
/* Header and transforms; each 0, or -1 with j->msg. */
int image_png_open(fo_image_rows *j, size_t max_bytes);
int image_png_row(fo_image_rows *j);
int image_png_end(fo_image_rows *j);
/* The probe's reading of a PNG past its header. 0, or -1 with the reason
 * in j. */
int image_png_probe_rest(fo_image_rows *j, fo_image_info *info);

#endif
