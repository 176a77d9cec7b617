/* icc_pack ICC OUT.c: writes OUT.c, the definitions icc_flate.h declares
 * (fo_icc_packed…): the profile ICC deflated as libharu would deflate it
 * (fo_icc_flate), its XXH3-128 and length, and the zlib version used. The
 * print PDF's output intent then takes these bytes when the profile it
 * reads is this one, rather than deflating 1 MB on every build (about 80 %
 * of a one-page print build's instructions: docs/benchmark.md). Run by
 * the build (CMakeLists.txt), never installed. */
#include "render/icc_flate.h"

#include <stdio.h>
#include <stdlib.h>
#include <xxhash.h>
#include <zlib.h>

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, len = 0;
    unsigned char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb)
                free(b);
            b = nb;
        }
    }
    if (ferror(f)) {
        free(b);
        b = NULL;
    }
    (void)fclose(f);
    *n = len;
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        (void)fprintf(stderr, "usage: icc_pack ICC OUT.c\n");
        return 2;
    }
    size_t n = 0, z = 0;
    unsigned char *icc = read_all(argv[1], &n);
    unsigned char *fl = icc ? fo_icc_flate(icc, n, &z) : NULL;
    FILE *out = fl ? fopen(argv[2], "w") : NULL;
    if (!out) {
        (void)fprintf(stderr, "icc_pack: cannot pack %s into %s\n", argv[1],
                      argv[2]);
        return 1;
    }
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(icc, n));
    (void)fprintf(out,
                  "/* Made by cmake/icc_pack.c from %s. */\n"
                  "#include \"render/icc_flate.h\"\n\n"
                  "const unsigned char fo_icc_packed_digest[16] = {",
                  argv[1]);
    for (int i = 0; i < 16; i++)
        (void)fprintf(out, "%s%u", i ? "," : "", c.digest[i]);
    (void)fprintf(out,
                  "};\nconst size_t fo_icc_packed_raw_len = %zu;\n"
                  "const char fo_icc_packed_zlib[] = \"%s\";\n"
                  "const size_t fo_icc_packed_len = %zu;\n"
                  "const unsigned char fo_icc_packed[] = {",
                  n, zlibVersion(), z);
    for (size_t i = 0; i < z; i++)
        (void)fprintf(out, "%s%u", i == 0 ? "\n" : i % 24 ? "," : ",\n", fl[i]);
    (void)fprintf(out, "};\n");
    int bad = ferror(out);
    if (fclose(out) != 0 || bad) {
        (void)fprintf(stderr, "icc_pack: cannot write %s\n", argv[2]);
        return 1;
    }
    free(icc);
    free(fl);
    return 0;
}
