/* Unit tests for image: every fixture of tests/fixtures/images (made by
 * make.sh: one 32 x 24 picture of four coloured quadrants and a white dot,
 * in every PNG colour type and bit depth and several JPEG flavours) is
 * probed and decoded, and the decoded pixels at the quadrant centres and
 * the dot are compared with the colours make.sh drew. The EXIF files are
 * stored turned and mirrored so that they show upright: read through
 * fo_image_orientation_matrix they must all give the upright picture.
 * Broken files must fail with their documented reason (under ASan, never
 * crash). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "image/image.h"
#include "image/prefetch.h"

#include <math.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR FO_TEST_SRC "/tests/fixtures/images/"
#define W 32
#define H 24

/* Sample points (shown picture): quadrant centres, then the dot. */
static const int pts[5][2] = {{8, 6}, {24, 6}, {8, 18}, {24, 18}, {3, 3}};
static const unsigned char rgb[5][3] = {{220, 30, 30},
                                        {30, 160, 60},
                                        {30, 60, 200},
                                        {240, 220, 40},
                                        {255, 255, 255}};
static const unsigned char grey[5] = {32, 96, 160, 224, 255};
static const unsigned char alpha[5] = {255, 192, 128, 64, 255};

static const char *path(const char *name)
{
    static char buf[512];
    (void)snprintf(buf, sizeof buf, DIR "%s", name);
    return buf;
}

static void probe_ok(const char *name, fo_image_info *info)
{
    char why[200] = "";
    fo_status st = fo_image_probe(path(name), info, why, sizeof why);
    if (st != FO_OK)
        print_error("%s: %s\n", name, why);
    assert_int_equal(st, FO_OK);
}

static void decode_ok(const char *name, fo_pixels *px)
{
    char why[200] = "";
    fo_status st = fo_image_decode(path(name), px, why, sizeof why);
    if (st != FO_OK)
        print_error("%s: %s\n", name, why);
    assert_int_equal(st, FO_OK);
}

static void assert_near(int got, int want, int tol, const char *name, int pt,
                        int ch)
{
    if (abs(got - want) > tol) {
        print_error("%s: point %d channel %d: got %d, want %d (+-%d)\n", name,
                    pt, ch, got, want, tol);
        fail();
    }
}

/* Checks the five sample points against colours (comps 1 or 3; CMYK is
 * turned into RGB naively), alpha (NULL: none expected), tol. */
static void check_pixels(const char *name, const fo_pixels *px,
                         const unsigned char *want_grey,
                         const unsigned char (*want_rgb)[3],
                         const unsigned char *want_alpha, int tol)
{
    assert_int_equal(px->w, W);
    assert_int_equal(px->h, H);
    for (int i = 0; i < 5; i++) {
        size_t at = (size_t)pts[i][1] * W + (size_t)pts[i][0];
        const unsigned char *p = px->data + at * (size_t)px->comps;
        if (want_grey) {
            assert_int_equal(px->comps, 1);
            assert_near(p[0], want_grey[i], tol, name, i, 0);
        } else if (px->comps == 4) {
            for (int c = 0; c < 3; c++)
                assert_near((255 - p[c]) * (255 - p[3]) / 255, want_rgb[i][c],
                            tol, name, i, c);
        } else {
            assert_int_equal(px->comps, 3);
            for (int c = 0; c < 3; c++)
                assert_near(p[c], want_rgb[i][c], tol, name, i, c);
        }
        if (want_alpha) {
            assert_non_null(px->alpha);
            assert_near(px->alpha[at], want_alpha[i], 0, name, i, 3);
        }
    }
    if (!want_alpha)
        assert_null(px->alpha);
}

/* ---- PNG ---------------------------------------------------------------- */

static void png_case(const char *name, int comps, int has_alpha, int bits,
                     const unsigned char *want_grey,
                     const unsigned char (*want_rgb)[3],
                     const unsigned char *want_alpha)
{
    fo_image_info info;
    probe_ok(name, &info);
    assert_int_equal(info.format, FO_IMAGE_PNG);
    assert_int_equal(info.width, W);
    assert_int_equal(info.height, H);
    assert_int_equal(info.shown_w, W);
    assert_int_equal(info.shown_h, H);
    assert_int_equal(info.orientation, 1);
    assert_int_equal(info.components, comps);
    assert_int_equal(info.has_alpha, has_alpha);
    assert_int_equal(info.bits, bits);
    assert_true(fabs(info.ppi_x - 72.009) < 0.001); /* pHYs 2835 px/m */
    assert_true(fabs(info.ppi_y - 72.009) < 0.001);
    fo_pixels px;
    decode_ok(name, &px);
    check_pixels(name, &px, want_grey, want_rgb, want_alpha, 0);
    fo_pixels_free(&px);
}

static void test_png_grey(void **state)
{
    (void)state;
    /* the nearest level of each depth, scaled back to 8 bits */
    static const unsigned char g1[5] = {0, 0, 255, 255, 255};
    static const unsigned char g2[5] = {0, 85, 170, 255, 255};
    static const unsigned char g4[5] = {34, 102, 153, 221, 255};
    png_case("grey1.png", 1, 0, 1, g1, NULL, NULL);
    png_case("grey2.png", 1, 0, 2, g2, NULL, NULL);
    png_case("grey4.png", 1, 0, 4, g4, NULL, NULL);
    png_case("grey8.png", 1, 0, 8, grey, NULL, NULL);
    /* stored as v * 257 + 60: the reduction rounds to v (no gamma change,
     * no low byte) */
    png_case("grey16.png", 1, 0, 16, grey, NULL, NULL);
    png_case("grey-alpha.png", 1, 1, 8, grey, NULL, alpha);
}

static void test_png_colour(void **state)
{
    (void)state;
    png_case("rgb8.png", 3, 0, 8, NULL, rgb, NULL);
    png_case("rgb16.png", 3, 0, 16, NULL, rgb, NULL);
    png_case("rgba8.png", 3, 1, 8, NULL, rgb, alpha);
    png_case("rgba16.png", 3, 1, 16, NULL, rgb, alpha);
    png_case("rgb-interlaced.png", 3, 0, 8, NULL, rgb, NULL);
    png_case("rgba-interlaced.png", 3, 1, 8, NULL, rgb, alpha);
}

static void test_png_palette_and_trns(void **state)
{
    (void)state;
    static const unsigned char pal_a[5] = {255, 128, 255, 0, 255};
    static const unsigned char key_a[5] = {255, 255, 255, 0, 255};
    png_case("palette.png", 3, 0, 4, NULL, rgb, NULL);
    png_case("palette-trns.png", 3, 1, 8, NULL, rgb, pal_a);
    png_case("rgb-trns.png", 3, 1, 8, NULL, rgb, key_a);
}

/* ---- JPEG --------------------------------------------------------------- */

/* JPEG is lossy: the quadrant centres are 4 px from any edge and q95. */
#define JPEG_TOL 12

static void jpeg_case(const char *name, int comps, int progressive, int adobe,
                      double ppi)
{
    fo_image_info info;
    probe_ok(name, &info);
    assert_int_equal(info.format, FO_IMAGE_JPEG);
    assert_int_equal(info.width, W);
    assert_int_equal(info.height, H);
    assert_int_equal(info.shown_w, W);
    assert_int_equal(info.shown_h, H);
    assert_int_equal(info.orientation, 1);
    assert_int_equal(info.components, comps);
    assert_int_equal(info.progressive, progressive);
    assert_int_equal(info.adobe_cmyk, adobe);
    assert_int_equal(info.has_alpha, 0);
    assert_int_equal(info.bits, 8);
    assert_true(fabs(info.ppi_x - ppi) < 1e-9);
    assert_true(fabs(info.ppi_y - ppi) < 1e-9);
    fo_pixels px;
    decode_ok(name, &px);
    assert_int_equal(px.comps, comps);
    check_pixels(name, &px, comps == 1 ? grey : NULL, rgb, NULL, JPEG_TOL);
    fo_pixels_free(&px);
}

static void test_jpeg(void **state)
{
    (void)state;
    /* ImageMagick's JFIF gives only an aspect ratio (unit 0): no ppi */
    jpeg_case("baseline.jpg", 3, 0, 0, 0);
    jpeg_case("progressive.jpg", 3, 1, 0, 0);
    jpeg_case("grey.jpg", 1, 0, 0, 0);
    jpeg_case("dense.jpg", 3, 0, 0, 300);
    /* CMYK has no JFIF marker; both decode to the same, not inverted */
    jpeg_case("cmyk-adobe.jpg", 4, 0, 1, 0);
    jpeg_case("cmyk-plain.jpg", 4, 0, 0, 0);
}

/* Stored (u, v) for the shown point (x, y): inverts the orientation
 * matrix, which maps stored to shown. */
static void shown_to_stored(const double m[6], double x, double y, double *u,
                            double *v)
{
    double det = m[0] * m[3] - m[2] * m[1];
    double dx = x - m[4], dy = y - m[5];
    *u = (m[3] * dx - m[2] * dy) / det;
    *v = (-m[1] * dx + m[0] * dy) / det;
}

static void test_exif_orientations(void **state)
{
    (void)state;
    for (int o = 1; o <= 8; o++) {
        char name[32];
        (void)snprintf(name, sizeof name, "orient%d.jpg", o);
        fo_image_info info;
        probe_ok(name, &info);
        assert_int_equal(info.orientation, o);
        int turned = o >= 5;
        assert_int_equal(info.width, turned ? H : W);
        assert_int_equal(info.height, turned ? W : H);
        assert_int_equal(info.shown_w, W);
        assert_int_equal(info.shown_h, H);
        fo_pixels px;
        decode_ok(name, &px);
        assert_int_equal(px.w, info.width);
        double m[6];
        fo_image_orientation_matrix(o, m);
        for (int i = 0; i < 5; i++) {
            double u, v;
            /* pixel centres in the unit square */
            shown_to_stored(m, (pts[i][0] + 0.5) / W, (pts[i][1] + 0.5) / H, &u,
                            &v);
            int sx = (int)floor(u * px.w), sy = (int)floor(v * px.h);
            assert_true(sx >= 0 && sx < px.w && sy >= 0 && sy < px.h);
            const unsigned char *p =
                px.data + ((size_t)sy * (size_t)px.w + (size_t)sx) * 3;
            for (int c = 0; c < 3; c++)
                assert_near(p[c], rgb[i][c], JPEG_TOL, name, i, c);
        }
        fo_pixels_free(&px);
    }
}

static void test_orientation_matrix(void **state)
{
    (void)state;
    double m[6], id[6] = {1, 0, 0, 1, 0, 0};
    fo_image_orientation_matrix(0, m);
    assert_memory_equal(m, id, sizeof m);
    fo_image_orientation_matrix(9, m);
    assert_memory_equal(m, id, sizeof m);
    /* each maps the corners of the unit square onto its corners, and
     * they are eight different maps */
    double seen[8][6];
    for (int o = 1; o <= 8; o++) {
        fo_image_orientation_matrix(o, m);
        assert_true(fabs(fabs(m[0] * m[3] - m[1] * m[2]) - 1) < 1e-12);
        for (int k = 0; k < 4; k++) {
            double u = k & 1, v = k >> 1;
            double x = m[0] * u + m[2] * v + m[4],
                   y = m[1] * u + m[3] * v + m[5];
            assert_true(x == 0 || x == 1);
            assert_true(y == 0 || y == 1);
        }
        for (int p = 0; p < o - 1; p++)
            assert_memory_not_equal(seen[p], m, sizeof m);
        memcpy(seen[o - 1], m, sizeof m);
    }
}

/* ---- broken files ------------------------------------------------------- */

static void expect_fail(const char *file, fo_status want, const char *why_start)
{
    char why[200] = "";
    fo_image_info info;
    fo_pixels px = {0};
    fo_status st = fo_image_probe(file, &info, why, sizeof why);
    print_message("%s: %s\n", file, why);
    assert_int_equal(st, want);
    assert_int_equal(strncmp(why, why_start, strlen(why_start)), 0);
    why[0] = 0;
    assert_int_equal(fo_image_decode(file, &px, why, sizeof why), want);
    assert_int_equal(strncmp(why, why_start, strlen(why_start)), 0);
    assert_null(px.data);
    assert_null(px.alpha);
}

static void test_broken_files(void **state)
{
    (void)state;
    expect_fail(path("truncated.jpg"), FO_ERR_INPUT, "truncated JPEG data");
    expect_fail(path("truncated.png"), FO_ERR_INPUT, "bad PNG data: ");
    expect_fail(path("bad-crc.png"), FO_ERR_INPUT, "bad PNG data: ");
    expect_fail(path("not-an-image.png"), FO_ERR_INPUT,
                "not a PNG or JPEG file");
    expect_fail(path("no-such-file.png"), FO_ERR_IO, "cannot open the file");
    /* a tiny why buffer is cut, not overrun; NULL is allowed */
    char why[4];
    fo_image_info info;
    assert_int_equal(fo_image_probe(path("truncated.jpg"), &info, why, 4),
                     FO_ERR_INPUT);
    assert_string_equal(why, "tru");
    assert_int_equal(fo_image_probe(path("truncated.jpg"), &info, NULL, 0),
                     FO_ERR_INPUT);
}

/* The bytes of fixture name into buf (cap bytes at most); their count. */
static size_t read_fixture(const char *name, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path(name), "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    (void)fclose(f);
    return n;
}

/* Makes file hold exactly the n bytes of buf. */
static void write_file(const char *file, const unsigned char *buf, size_t n)
{
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Writes n bytes of buf as dir/name (dir made here, from a template in
 * /tmp); the path goes to out. Remove both with drop_tmp. */
static void write_tmp(char *dir, const char *name, const unsigned char *buf,
                      size_t n, char *out, size_t out_len)
{
    assert_non_null(mkdtemp(dir));
    (void)snprintf(out, out_len, "%s/%s", dir, name);
    write_file(out, buf, n);
}

/* Room for a fixture the build-wide checks copy or swap in. */
static unsigned char swap_buf[1 << 16];

/* Copies fixture name to dir/pic.png, as write_tmp. */
static void copy_fixture(char *dir, const char *name, char *out, size_t out_len)
{
    size_t n = read_fixture(name, swap_buf, sizeof swap_buf);
    write_tmp(dir, "pic.png", swap_buf, n, out, out_len);
}

/* Puts the bytes of fixture name in file: the image swapped under a build. */
static void swap_fixture(const char *file, const char *name)
{
    size_t n = read_fixture(name, swap_buf, sizeof swap_buf);
    write_file(file, swap_buf, n);
}

static void drop_tmp(const char *dir, const char *file)
{
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* The probe reads no pixels, yet refuses a PNG whose image data was
 * damaged after it was written (a CRC mismatch in an IDAT chunk near the
 * end of the file), and gives a JPEG and a PNG the file's fingerprint. */
static void test_probe_checks_whole_file(void **state)
{
    (void)state;
    static unsigned char buf[1 << 16];
    size_t n = read_fixture("rgb8.png", buf, sizeof buf);
    assert_true(n > 100 && n < sizeof buf);
    fo_image_info info;
    char why[100];
    assert_int_equal(fo_image_probe(path("rgb8.png"), &info, why, sizeof why),
                     FO_OK);
    assert_true(info.hash == fo_image_hash(buf, n));
    assert_int_equal(info.file_size, n);
    /* a byte of the last IDAT: IEND is the file's last 12 bytes, the
     * IDAT's CRC the 4 before them */
    buf[n - 12 - 4 - 3] ^= 0x10;
    char dir[] = "/tmp/fo_image_XXXXXX";
    char tmp[64];
    write_tmp(dir, "damaged.png", buf, n, tmp, sizeof tmp);
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_ERR_INPUT);
    assert_string_equal(why, "bad PNG data: CRC error in IDAT chunk");
    drop_tmp(dir, tmp);
}

/* The probe inflates the data of a PNG that goes into PDFs as it is: one
 * whose compressed data is damaged though every CRC is right (rewritten
 * after the damage), which the CRCs alone let through, is refused. */
static void test_idat_check(void **state)
{
    (void)state;
    static unsigned char buf[1 << 16];
    size_t n = read_fixture("rgb8.png", buf, sizeof buf);
    fo_image_info info;
    char why[160];
    assert_int_equal(fo_image_probe(path("rgb8.png"), &info, why, sizeof why),
                     FO_OK);
    assert_true(info.png_copy);
    /* damage inside the last IDAT (IEND is the last 12 bytes, the CRC the
     * 4 before) and a CRC that agrees */
    size_t at = n - 12 - 4 - 6;
    buf[at] ^= 0xFF;
    size_t p = 8, idat = 0;
    while (p + 12 <= n) {
        size_t len = (size_t)buf[p] << 24 | (size_t)buf[p + 1] << 16 |
                     (size_t)buf[p + 2] << 8 | buf[p + 3];
        if (memcmp(buf + p + 4, "IDAT", 4) == 0)
            idat = p;
        if (memcmp(buf + p + 4, "IEND", 4) == 0)
            break;
        p += 12 + len;
    }
    size_t len = (size_t)buf[idat] << 24 | (size_t)buf[idat + 1] << 16 |
                 (size_t)buf[idat + 2] << 8 | buf[idat + 3];
    unsigned long crc = crc32(0L, buf + idat + 4, (unsigned)(len + 4));
    for (int i = 0; i < 4; i++)
        buf[idat + 8 + len + (size_t)i] = (unsigned char)(crc >> (24 - 8 * i));
    char dir[] = "/tmp/fo_image_XXXXXX";
    char tmp[64];
    write_tmp(dir, "bad-zlib.png", buf, n, tmp, sizeof tmp);
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_ERR_INPUT);
    print_message("damaged IDAT: %s\n", why);
    assert_int_equal(strncmp(why, "bad PNG data: the image data ", 28), 0);
    drop_tmp(dir, tmp);
}

/* Probes taken from the prefetching thread equal probes made in place,
 * failures and their reasons included, in whatever order layout asks;
 * a path not in the list, or repeated in it, is probed too. */
static void test_prefetch_same_as_probe(void **state)
{
    (void)state;
    static const char *names[] = {"baseline.jpg",  "rgb8.png",
                                  "truncated.jpg", "rgba-interlaced.png",
                                  "rgb8.png",      "cmyk-adobe.jpg"};
    enum { N = sizeof names / sizeof names[0] };
    char paths[N][512];
    const char *list[N];
    for (int i = 0; i < N; i++) {
        (void)snprintf(paths[i], sizeof paths[i], "%s", path(names[i]));
        list[i] = paths[i];
    }
    fo_image_prefetch *pf = fo_image_prefetch_start(list, N);
    for (int k = 0; k < N + 1; k++) {
        /* backwards, then one that was never listed */
        const char *p = k < N ? paths[N - 1 - k] : path("grey8.png");
        fo_image_info a, b;
        char wa[100] = "", wb[100] = "";
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        fo_status sa = fo_image_prefetch_probe(pf, p, &a, wa, sizeof wa);
        fo_status sb = fo_image_probe(p, &b, wb, sizeof wb);
        assert_int_equal(sa, sb);
        assert_string_equal(wa, wb);
        if (sa == FO_OK)
            assert_memory_equal(&a, &b, sizeof a);
    }
    fo_image_prefetch_free(pf);
    /* freed while the thread may still be probing: no leak, no crash */
    fo_image_prefetch_free(fo_image_prefetch_start(list, N));
}

/* Every prefix of a JPEG and a PNG is refused (a PNG cut inside IEND
 * still has all its pixels, and may pass), and every one-byte corruption
 * of the first 200 bytes is refused or decoded: never a crash or a
 * leak. */
static void test_prefixes_and_flips(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo_image_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tmp[64];
    (void)snprintf(tmp, sizeof tmp, "%s/t", dir);
    const char *srcs[] = {"baseline.jpg", "rgba-interlaced.png"};
    for (int s = 0; s < 2; s++) {
        unsigned char buf[8192];
        size_t n = read_fixture(srcs[s], buf, sizeof buf);
        for (size_t cut = 0; cut < n; cut += cut < 64 ? 1 : 37) {
            write_file(tmp, buf, cut);
            fo_image_info info;
            char why[100];
            /* each prefix a new build: else the first probe of the path
             * would refuse the others as a changed file */
            fo_image_seen_reset();
            fo_status st = fo_image_probe(tmp, &info, why, sizeof why);
            if (s == 0 || cut < n - 12)
                assert_int_equal(st, FO_ERR_INPUT);
        }
        for (size_t at = 0; at < n && at < 200; at++) {
            buf[at] ^= 0x5A;
            write_file(tmp, buf, n);
            buf[at] ^= 0x5A;
            fo_pixels px;
            char why[100];
            if (fo_image_decode(tmp, &px, why, sizeof why) == FO_OK)
                fo_pixels_free(&px);
        }
    }
    drop_tmp(dir, tmp);
}

/* The format comes from the bytes: a JPEG named .png is a JPEG. */
static void test_format_by_magic(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo_image_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tmp[64], cmd[700];
    (void)snprintf(tmp, sizeof tmp, "%s/photo.png", dir);
    (void)snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path("baseline.jpg"), tmp);
    assert_int_equal(system(cmd), 0);
    fo_image_info info;
    char why[100];
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_OK);
    assert_int_equal(info.format, FO_IMAGE_JPEG);
    drop_tmp(dir, tmp);
}

/* Decoding reduced: the smallest factor that fits max_bytes, the picture
 * kept (the quadrants' colours at their reduced centres), for a PNG (an
 * area average) and a JPEG (libjpeg's DCT scaling). */
static void test_decode_reduced(void **state)
{
    (void)state;
    fo_pixels px;
    char why[160];
    /* 32 x 24 RGB is 2304 bytes: 600 needs a factor 2 (16 x 12 = 576) */
    assert_int_equal(
        fo_image_decode_max(path("rgb8.png"), NULL, 600, &px, why, sizeof why),
        FO_OK);
    assert_int_equal(px.w, 16);
    assert_int_equal(px.h, 12);
    assert_null(px.alpha);
    static const int at[4][2] = {{4, 3}, {12, 3}, {4, 9}, {12, 9}};
    for (int q = 0; q < 4; q++)
        for (int c = 0; c < 3; c++)
            assert_near(px.data[(at[q][1] * 16 + at[q][0]) * 3 + c], rgb[q][c],
                        2, "rgb8.png reduced", q, c);
    fo_pixels_free(&px);
    /* alpha kept, averaged */
    assert_int_equal(
        fo_image_decode_max(path("rgba8.png"), NULL, 800, &px, why, sizeof why),
        FO_OK);
    assert_int_equal(px.w, 16);
    assert_non_null(px.alpha);
    for (int q = 0; q < 4; q++)
        assert_near(px.alpha[at[q][1] * 16 + at[q][0]], alpha[q], 2,
                    "rgba8.png reduced", q, 3);
    fo_pixels_free(&px);
    /* JPEG: 4/8 of 32 x 24 fits 600 bytes */
    assert_int_equal(fo_image_decode_max(path("baseline.jpg"), NULL, 600, &px,
                                         why, sizeof why),
                     FO_OK);
    assert_true(px.w * px.h * 3 <= 600);
    assert_true(px.w >= 8 && px.h >= 6);
    fo_pixels_free(&px);
    /* 0: full size */
    assert_int_equal(
        fo_image_decode_max(path("rgb8.png"), NULL, 0, &px, why, sizeof why),
        FO_OK);
    assert_int_equal(px.w, W);
    fo_pixels_free(&px);
}

/* The bytes that pass into PDFs: the whole file, or a PNG's IDAT data,
 * and a file whose bytes are not those of the probe refused at the end. */
static void test_bytes(void **state)
{
    (void)state;
    static unsigned char file[1 << 16], got[1 << 16];
    size_t n = read_fixture("rgb8.png", file, sizeof file);
    fo_image_info info;
    char why[160];
    assert_int_equal(fo_image_probe(path("rgb8.png"), &info, why, sizeof why),
                     FO_OK);
    for (int idat = 0; idat < 2; idat++) {
        fo_image_bytes *b;
        assert_int_equal(fo_image_bytes_open(path("rgb8.png"), &info, idat, &b,
                                             why, sizeof why),
                         FO_OK);
        size_t len = 0, k;
        do {
            /* small reads: the chunk walk resumes anywhere */
            assert_int_equal(
                fo_image_bytes_read(b, got + len, 7, &k, why, sizeof why),
                FO_OK);
            len += k;
        } while (k > 0);
        fo_image_bytes_free(b);
        if (!idat) {
            assert_int_equal(len, n);
            assert_memory_equal(got, file, n);
            continue;
        }
        /* the IDAT payloads, in order */
        size_t p = 8, at = 0;
        while (p + 12 <= n) {
            size_t cl = (size_t)file[p] << 24 | (size_t)file[p + 1] << 16 |
                        (size_t)file[p + 2] << 8 | file[p + 3];
            if (memcmp(file + p + 4, "IDAT", 4) == 0) {
                assert_true(at + cl <= len);
                assert_memory_equal(got + at, file + p + 8, cl);
                at += cl;
            }
            p += 12 + cl;
        }
        assert_int_equal(at, len);
    }
    /* another fingerprint: refused once the file is read */
    fo_image_info other = info;
    other.hash ^= 1;
    fo_image_bytes *b;
    assert_int_equal(
        fo_image_bytes_open(path("rgb8.png"), &other, 0, &b, why, sizeof why),
        FO_OK);
    fo_status st;
    size_t k;
    do
        st = fo_image_bytes_read(b, got, sizeof got, &k, why, sizeof why);
    while (st == FO_OK && k > 0);
    fo_image_bytes_free(b);
    assert_int_equal(st, FO_ERR_INPUT);
    assert_string_equal(why, "the file changed since it was read");
    /* and decoding too */
    fo_pixels px;
    assert_int_equal(
        fo_image_decode_max(path("rgb8.png"), &other, 0, &px, why, sizeof why),
        FO_ERR_INPUT);
    assert_string_equal(why, "the file changed since it was read");
    assert_null(px.data);
    other = info;
    other.file_size++;
    assert_int_equal(
        fo_image_decode_max(path("rgb8.png"), &other, 0, &px, why, sizeof why),
        FO_ERR_INPUT);
    assert_string_equal(why, "the file changed since it was read");
}

/* A build sees one content per file: a second probe of the same path that
 * finds other bytes fails, until a new build starts. */
static void test_changed_during_build(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo_image_XXXXXX";
    char tmp[64], why[160];
    copy_fixture(dir, "rgb8.png", tmp, sizeof tmp);
    fo_image_info info;
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_OK);
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_OK);
    swap_fixture(tmp, "grey8.png");
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_ERR_INPUT);
    assert_string_equal(why, "the file changed during the build");
    fo_image_seen_reset();
    assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_OK);
    assert_int_equal(info.components, 1);
    drop_tmp(dir, tmp);
}

/* build -j: each job saves the files it probed (fo_image_seen_save); the
 * parent finds a path two jobs saw with other bytes (the image swapped
 * between their probes), and none when they agree. */
static void test_seen_across_jobs(void **state)
{
    (void)state;
    char dir[] = "/tmp/fo_image_XXXXXX";
    char tmp[64], why[160];
    copy_fixture(dir, "rgb8.png", tmp, sizeof tmp);
    fo_image_info info;
    FILE *job[3] = {tmpfile(), tmpfile(), tmpfile()};
    assert_non_null(job[0]);
    assert_non_null(job[1]);
    assert_non_null(job[2]);
    /* jobs 0 and 1 see the first file, job 2 the swapped one */
    for (int j = 0; j < 3; j++) {
        if (j == 2)
            swap_fixture(tmp, "grey8.png");
        fo_image_seen_reset(); /* each job is a process of its own */
        assert_int_equal(fo_image_probe(tmp, &info, why, sizeof why), FO_OK);
        assert_int_equal(fo_image_seen_save(job[j]), FO_OK);
    }
    assert_null(fo_image_seen_differs(job, 2));
    char *path = fo_image_seen_differs(job, 3);
    assert_non_null(path);
    assert_string_equal(path, tmp);
    free(path);
    for (int j = 0; j < 3; j++)
        (void)fclose(job[j]);
    fo_image_seen_reset();
    drop_tmp(dir, tmp);
}

/* PNG chunks walked before libpng: a chunk longer than the rest of the
 * file, a critical chunk over the limit, and palette indices past the
 * palette fail with their reasons; a 2 MB private ancillary chunk and a
 * text chunk are skipped. Made here byte by byte. */
static size_t put_chunk(unsigned char *b, const char *type,
                        const unsigned char *data, size_t n, size_t declared)
{
    b[0] = (unsigned char)(declared >> 24);
    b[1] = (unsigned char)(declared >> 16);
    b[2] = (unsigned char)(declared >> 8);
    b[3] = (unsigned char)declared;
    memcpy(b + 4, type, 4);
    if (n)
        memcpy(b + 8, data, n);
    unsigned long crc = crc32(0L, b + 4, (unsigned)(n + 4));
    for (int i = 0; i < 4; i++)
        b[8 + n + (size_t)i] = (unsigned char)(crc >> (24 - 8 * i));
    return 12 + n;
}

static size_t put_png(unsigned char *b, int ctype, const unsigned char *extra,
                      size_t extra_n, int idx)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 13, 10, 26, 10};
    unsigned char ihdr[13] = {0, 0, 0, 2, 0, 0, 0, 2, 8, (unsigned char)ctype};
    size_t n = 8;
    memcpy(b, sig, 8);
    n += put_chunk(b + n, "IHDR", ihdr, 13, 13);
    if (extra_n)
        memcpy(b + n, extra, extra_n);
    n += extra_n;
    unsigned char rows[14], z[64];
    size_t rl = ctype == 3 ? 6 : 14;
    memset(rows, 0, sizeof rows);
    if (ctype == 3)
        rows[5] = (unsigned char)idx; /* row 2, pixel 2 */
    uLongf zl = sizeof z;
    assert_int_equal(compress(z, &zl, rows, rl), Z_OK);
    n += put_chunk(b + n, "IDAT", z, zl, zl);
    n += put_chunk(b + n, "IEND", NULL, 0, 0);
    return n;
}

static void probe_bytes(const unsigned char *b, size_t n, fo_status want,
                        const char *want_why)
{
    char dir[] = "/tmp/fo_image_XXXXXX";
    char tmp[64], why[200] = "";
    write_tmp(dir, "h.png", b, n, tmp, sizeof tmp);
    fo_image_info info;
    fo_status st = fo_image_probe(tmp, &info, why, sizeof why);
    print_message("%s\n", why);
    assert_int_equal(st, want);
    if (want_why)
        assert_string_equal(why, want_why);
    drop_tmp(dir, tmp);
}

static void test_hostile_chunks(void **state)
{
    (void)state;
    unsigned char *b = malloc(3 << 20), *extra = malloc((2 << 20) + 64);
    unsigned char *zeros = calloc(1, 2 << 20);
    assert_non_null(b);
    assert_non_null(extra);
    assert_non_null(zeros);
    /* tEXt declaring 2^31 - 1 bytes, the file ending 20 bytes later */
    (void)put_png(b, 2, NULL, 0, 0);
    size_t h = 33; /* after IHDR */
    unsigned char text[20] = "k";
    h += put_chunk(b + h, "tEXt", text, sizeof text, 0x7FFFFFFF) - 4;
    probe_bytes(b, h, FO_ERR_INPUT,
                "bad PNG data: the file ends inside its tEXt chunk "
                "(2147483647 bytes declared, 16 left)");
    /* a 2 MB private ancillary chunk and a text chunk: skipped */
    size_t e = put_chunk(extra, "prVt", zeros, 2 << 20, 2 << 20);
    e += put_chunk(extra + e, "tEXt", (const unsigned char *)"a\0b", 3, 3);
    size_t n = put_png(b, 2, extra, e, 0);
    probe_bytes(b, n, FO_OK, NULL);
    /* a 2 MB PLTE: refused */
    e = put_chunk(extra, "PLTE", zeros, 2 << 20, 2 << 20);
    n = put_png(b, 3, extra, e, 0);
    probe_bytes(b, n, FO_ERR_INPUT,
                "bad PNG data: the PLTE chunk is too large (2097152 bytes)");
    /* palette of 2: index 1 fine, 2 and 255 past it */
    static const unsigned char pal[6] = {255, 0, 0, 0, 0, 255};
    e = put_chunk(extra, "PLTE", pal, 6, 6);
    n = put_png(b, 3, extra, e, 1);
    probe_bytes(b, n, FO_OK, NULL);
    n = put_png(b, 3, extra, e, 2);
    probe_bytes(b, n, FO_ERR_INPUT,
                "bad PNG data: a pixel has colour index 2, beyond the "
                "palette's 2 colours");
    n = put_png(b, 3, extra, e, 255);
    probe_bytes(b, n, FO_ERR_INPUT,
                "bad PNG data: a pixel has colour index 255, beyond the "
                "palette's 2 colours");
    free(b);
    free(extra);
    free(zeros);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_grey),
        cmocka_unit_test(test_png_colour),
        cmocka_unit_test(test_png_palette_and_trns),
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_exif_orientations),
        cmocka_unit_test(test_orientation_matrix),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_probe_checks_whole_file),
        cmocka_unit_test(test_prefetch_same_as_probe),
        cmocka_unit_test(test_idat_check),
        cmocka_unit_test(test_prefixes_and_flips),
        cmocka_unit_test(test_format_by_magic),
        cmocka_unit_test(test_decode_reduced),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_changed_during_build),
        cmocka_unit_test(test_seen_across_jobs),
        cmocka_unit_test(test_hostile_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
