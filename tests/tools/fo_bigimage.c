/* fo_bigimage — writes a large test image row by row, for the memory
 * tests (tests/cli/image_limits.sh): images too large to commit, made in
 * seconds with little memory.
 *
 *   fo_bigimage KIND W H OUT
 *
 * KIND: png-rgba, png-rgb, png-grey, png-rgba-interlaced (Adam7: each
 * pass's rows made again), jpeg-cmyk, jpeg-rgb, jpeg-rgb-progressive.
 * The picture is smooth diagonal gradients with a fine checker on top, so
 * that it compresses (the files stay a few MB) but is not one colour.
 * Exits 0, or 2 on usage or I/O errors. */
#include <png.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <jpeglib.h>

#include <stdlib.h>
#include <string.h>

static unsigned char value(long x, long y, int ch, long w, long h)
{
    long v = (x * 255 / (w > 1 ? w - 1 : 1) * (ch + 1) +
              y * 255 / (h > 1 ? h - 1 : 1) * (3 - ch)) /
             4;
    if (((x >> 3) ^ (y >> 3)) & 1)
        v += 16;
    return (unsigned char)(v > 255 ? 255 : v);
}

static int write_png(FILE *f, long w, long h, int ctype, int ch, int interlace)
{
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info)
        return 2;
    /* static: survives libpng's longjmp, freed by the program's exit */
    static unsigned char *row;
    row = malloc((size_t)w * (size_t)ch);
    if (!row || setjmp(png_jmpbuf(png)))
        return 2;
    png_init_io(png, f);
    png_set_compression_level(png, 1);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, ctype,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (long y = 0; y < h; y++) {
            for (long x = 0; x < w; x++)
                for (int c = 0; c < ch; c++)
                    row[x * ch + c] = c == 3 ? (unsigned char)(255 - (x & 127))
                                             : value(x, y, c, w, h);
            png_write_row(png, row);
        }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    return 0;
}

static int write_jpeg(FILE *f, long w, long h, int cmyk, int progressive)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    int ch = cmyk ? 4 : 3;
    unsigned char *row = malloc((size_t)w * (size_t)ch);
    if (!row)
        return 2;
    c.err = jpeg_std_error(&err); /* errors exit the program */
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = ch;
    c.in_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 85, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    for (long y = 0; y < h; y++) {
        for (long x = 0; x < w; x++)
            for (int k = 0; k < ch; k++)
                /* CMYK within 300 % total ink (70 % a channel at most),
                 * which the print preflight's ink rule asks of a CMYK
                 * image that goes to print as it is; libjpeg writes an
                 * Adobe marker, so the samples are stored inverted */
                row[x * ch + k] =
                    cmyk
                        ? (unsigned char)(255 - value(x, y, k, w, h) * 70 / 100)
                        : value(x, y, k, w, h);
        JSAMPROW r = row;
        (void)jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        (void)fprintf(stderr, "usage: fo_bigimage KIND W H OUT\n");
        return 2;
    }
    long w = strtol(argv[2], NULL, 10), h = strtol(argv[3], NULL, 10);
    if (w < 1 || h < 1 || w > 65535 || h > 65535)
        return 2;
    FILE *f = fopen(argv[4], "wb");
    if (!f)
        return 2;
    const char *k = argv[1];
    int rc = strcmp(k, "png-rgba") == 0
                 ? write_png(f, w, h, PNG_COLOR_TYPE_RGB_ALPHA, 4, 0)
             : strcmp(k, "png-rgba-interlaced") == 0
                 ? write_png(f, w, h, PNG_COLOR_TYPE_RGB_ALPHA, 4, 1)
             : strcmp(k, "png-rgb") == 0
                 ? write_png(f, w, h, PNG_COLOR_TYPE_RGB, 3, 0)
             : strcmp(k, "png-grey") == 0
                 ? write_png(f, w, h, PNG_COLOR_TYPE_GRAY, 1, 0)
             : strcmp(k, "jpeg-cmyk") == 0 ? write_jpeg(f, w, h, 1, 0)
             : strcmp(k, "jpeg-rgb") == 0  ? write_jpeg(f, w, h, 0, 0)
             : strcmp(k, "jpeg-rgb-progressive") == 0
                 ? write_jpeg(f, w, h, 0, 1)
                 : 2;
    if (fclose(f) != 0)
        rc = 2;
    return rc;
}
