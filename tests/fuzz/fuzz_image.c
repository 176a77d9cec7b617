/* fuzz_image: the image probe and decoder (fo_image_probe,
 * fo_image_decode_max, image/image.c) on one file.
 *
 * The API reads images by path, so the input is written to a file of the
 * scratch project (fuzz_util.c) with no extension: the format is judged
 * by the bytes. What is checked: a probe either fails with a reason or
 * gives a size inside the limits, an orientation 1..8 and the shown size
 * that goes with it; an image the probe accepts decodes, or fails with a
 * reason, into pixels no larger than the probe said. */
#include "fuzz.h"

#include <string.h>

#include "image/image.h"

enum { MAX_INPUT = 1024 * 1024 };
/* Decoding is tried up to this many pixels (16 MB as RGBA): what lies
 * above only repeats the same code on more rows, at a second or more a
 * run under the sanitizers; the probe still reads every input whole. */
#define DECODE_MAX_PIXELS (1LL << 22)

static void check_info(const fo_image_info *info, size_t size)
{
    FUZZ_CHECK(info->format == FO_IMAGE_JPEG || info->format == FO_IMAGE_PNG);
    FUZZ_CHECK(info->width >= 1 && info->height >= 1);
    FUZZ_CHECK(info->width <= FO_IMAGE_MAX_SIDE &&
               info->height <= FO_IMAGE_MAX_SIDE);
    FUZZ_CHECK((long long)info->width * info->height <= FO_IMAGE_MAX_PIXELS);
    FUZZ_CHECK(info->orientation >= 1 && info->orientation <= 8);
    if (info->orientation >= 5) {
        FUZZ_CHECK(info->shown_w == info->height &&
                   info->shown_h == info->width);
    } else {
        FUZZ_CHECK(info->shown_w == info->width &&
                   info->shown_h == info->height);
    }
    FUZZ_CHECK(info->components == 1 || info->components == 3 ||
               info->components == 4);
    FUZZ_CHECK(info->components != 4 || info->format == FO_IMAGE_JPEG);
    FUZZ_CHECK(info->ppi_x >= 0 && info->ppi_y >= 0);
    FUZZ_CHECK(info->file_size == size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    static char *path;
    if (!path)
        path = fuzz_project_path("image");
    fuzz_write_file(path, data, size);
    fo_image_info info;
    char why[256] = "";
    fo_status st = fo_image_probe(path, &info, why, sizeof why);
    if (st != FO_OK) {
        FUZZ_CHECK(st == FO_ERR_INPUT && why[0] != 0);
        return 0;
    }
    check_info(&info, size);
    FUZZ_CHECK(info.hash == fo_image_hash(data, size));
    double m[6];
    fo_image_orientation_matrix(info.orientation, m);
    if ((long long)info.width * info.height > DECODE_MAX_PIXELS)
        return 0;
    fo_pixels px;
    why[0] = 0;
    /* decoded against what the probe saw: the same file, so it must pass */
    st = fo_image_decode_max(path, &info, 0, &px, why, sizeof why);
    if (st != FO_OK) {
        FUZZ_CHECK(st == FO_ERR_INPUT && why[0] != 0);
        FUZZ_CHECK(px.data == NULL && px.alpha == NULL);
        return 0;
    }
    FUZZ_CHECK(px.w >= 1 && px.h >= 1);
    FUZZ_CHECK(px.w <= info.width && px.h <= info.height);
    FUZZ_CHECK(px.comps == info.components);
    FUZZ_CHECK(px.data != NULL);
    /* every byte the pixels are said to hold is read (into a volatile, so
     * that the loop stays), so that ASan catches a buffer smaller than
     * w x h x comps */
    size_t n = (size_t)px.w * (size_t)px.h;
    unsigned sum = 0;
    for (size_t i = 0; i < n * (size_t)px.comps; i++)
        sum += px.data[i];
    for (size_t i = 0; px.alpha && i < n; i++)
        sum += px.alpha[i];
    static volatile unsigned sink;
    sink = sum;
    (void)sink;
    fo_pixels_free(&px);
    return 0;
}
