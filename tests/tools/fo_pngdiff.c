/* fo_pngdiff — "the preview is the print" comparator for tests.
 *
 *   fo_pngdiff A.png B.png [--tolerance T] [--max-diff N] [--diff OUT.png]
 *
 * Decodes both images to 8-bit RGBA with libpng's simplified API (any PNG
 * flavour, alpha composed as stored), requires equal sizes, and counts the
 * pixels whose largest channel difference exceeds T (0..255, default 64).
 * Prints "differing pixels: N of M (max channel difference D)" and exits 0
 * when N <= max-diff (default 0), 1 when not, 2 on usage or I/O errors.
 * --diff writes a picture of the differences: differing pixels red over a
 * faded copy of A. */
#include <png.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct image {
    png_image im;
    unsigned char *px;
} image;

static int load(const char *path, image *img)
{
    memset(img, 0, sizeof *img);
    img->im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img->im, path)) {
        fprintf(stderr, "fo_pngdiff: %s: %s\n", path, img->im.message);
        return -1;
    }
    img->im.format = PNG_FORMAT_RGBA;
    img->px = malloc(PNG_IMAGE_SIZE(img->im));
    if (!img->px) {
        fprintf(stderr, "fo_pngdiff: %s: out of memory\n", path);
        png_image_free(&img->im);
        return -1;
    }
    if (!png_image_finish_read(&img->im, NULL, img->px, 0, NULL)) {
        fprintf(stderr, "fo_pngdiff: %s: %s\n", path, img->im.message);
        free(img->px);
        img->px = NULL;
        return -1;
    }
    return 0;
}

static int parse_long(const char *s, long lo, long hi, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: fo_pngdiff A.png B.png [--tolerance T] "
                    "[--max-diff N] [--diff OUT.png]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *diff_path = NULL;
    long tolerance = 64, max_diff = 0;
    int nfiles = 0, rc = 2;
    image a = {0}, b = {0};
    unsigned char *dpx = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tolerance") == 0 && i + 1 < argc) {
            if (parse_long(argv[++i], 0, 255, &tolerance))
                return usage();
        } else if (strcmp(argv[i], "--max-diff") == 0 && i + 1 < argc) {
            if (parse_long(argv[++i], 0, LONG_MAX, &max_diff))
                return usage();
        } else if (strcmp(argv[i], "--diff") == 0 && i + 1 < argc) {
            diff_path = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage();
        } else if (nfiles < 2) {
            files[nfiles++] = argv[i];
        } else {
            return usage();
        }
    }
    if (nfiles != 2)
        return usage();
    if (load(files[0], &a) || load(files[1], &b))
        goto out;
    if (a.im.width != b.im.width || a.im.height != b.im.height) {
        fprintf(stderr, "fo_pngdiff: sizes differ: %ux%u and %ux%u\n",
                a.im.width, a.im.height, b.im.width, b.im.height);
        goto out;
    }
    size_t npx = (size_t)a.im.width * a.im.height, ndiff = 0;
    int maxd = 0;
    if (diff_path)
        dpx = malloc(npx * 4);
    if (diff_path && !dpx) {
        fprintf(stderr, "fo_pngdiff: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < npx; i++) {
        const unsigned char *p = a.px + 4 * i, *q = b.px + 4 * i;
        int d = 0;
        for (int ch = 0; ch < 4; ch++) {
            int x = abs((int)p[ch] - (int)q[ch]);
            d = x > d ? x : d;
        }
        maxd = d > maxd ? d : maxd;
        int differs = d > tolerance;
        ndiff += (size_t)differs;
        if (dpx) {
            unsigned char *o = dpx + 4 * i;
            if (differs) {
                o[0] = 255;
                o[1] = o[2] = 0;
            } else {
                /* faded gray copy of A: context for the red pixels */
                int gray = (p[0] + p[1] + p[2]) / 3;
                o[0] = o[1] = o[2] = (unsigned char)(192 + gray / 4);
            }
            o[3] = 255;
        }
    }
    printf("differing pixels: %zu of %zu (max channel difference %d)\n", ndiff,
           npx, maxd);
    if (dpx) {
        png_image out_im = a.im;
        out_im.opaque = NULL;
        out_im.format = PNG_FORMAT_RGBA;
        if (!png_image_write_to_file(&out_im, diff_path, 0, dpx, 0, NULL)) {
            fprintf(stderr, "fo_pngdiff: %s: %s\n", diff_path, out_im.message);
            goto out;
        }
    }
    rc = ndiff <= (size_t)max_diff ? 0 : 1;
out:
    free(dpx);
    free(a.px);
    free(b.px);
    png_image_free(&a.im);
    png_image_free(&b.im);
    return rc;
}
