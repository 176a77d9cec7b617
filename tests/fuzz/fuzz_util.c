/* The harnesses' scratch project folder (fuzz.h). fo_pub_load,
 * fo_template_load and the image probe take paths, and resolve includes,
 * templates and images against the publication's folder, so a harness
 * writes its input into a temporary project and loads it from there. The
 * project holds copies of the folders that the seeds (tests/errors,
 * tests/golden, tests/fixtures, examples) name, under the same relative
 * names, so that a seed's includes and images resolve and the loader gets
 * past them to the rest of the file. The folder is made once per process
 * and never changed afterwards except for the files a harness writes,
 * which it rewrites on every input: nothing of one input survives into the
 * next. */
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

/* Fixture folders copied into the project: source (relative to the source
 * tree; missing ones are skipped) and where it goes. Several sources may
 * share a destination: the image folders of the examples and the tests
 * are merged into one images/. */
static const char *const copies[][2] = {
    {"tests/errors/parts", "parts"},
    {"tests/errors/images", "images"},
    {"tests/fixtures/blocks/sections", "sections"},
    {"tests/fixtures/blocks/images", "images"},
    {"tests/golden/blocks/images", "images"},
    {"tests/layout/parts", "parts"},
    {"examples/nam-dinh/sections", "sections"},
    {"examples/nam-dinh/images", "images"},
    {"examples/nam-dinh-booklet/images", "images"},
    {"examples/nam-dinh-brochure/images", "images"},
};

static char *project;
/* nftw has no user pointer: the copy in progress */
static const char *copy_src, *copy_dst;

static void make_dirs(const char *path)
{
    char *p = fo_xstrdup(path);
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            perror(p);
            abort();
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        perror(p);
        abort();
    }
    free(p);
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        perror(path);
        abort();
    }
    size_t at = 0;
    while (at < size) {
        ssize_t w = write(fd, data + at, size - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            perror(path);
            abort();
        }
        at += (size_t)w;
    }
    if (close(fd) != 0) {
        perror(path);
        abort();
    }
}

static int copy_entry(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    const char *rel = path + strlen(copy_src);
    char *to = fo_xmalloc(strlen(copy_dst) + strlen(rel) + 1);
    strcpy(to, copy_dst);
    strcat(to, rel);
    if (flag == FTW_D) {
        make_dirs(to);
    } else if (flag == FTW_F) {
        char *bytes = NULL;
        size_t len = 0;
        if (fo_file_read(path, 64u << 20, &bytes, &len) != FO_OK) {
            (void)fprintf(stderr, "fuzz: cannot read %s\n", path);
            abort();
        }
        fuzz_write_file(to, (const uint8_t *)bytes, len);
        free(bytes);
    }
    free(to);
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_project(void)
{
    if (project)
        (void)nftw(project, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(project);
    project = NULL;
}

const char *fuzz_project(void)
{
    if (project)
        return project;
    const char *tmp = getenv("TMPDIR");
    char *dir = fo_path_join(tmp && *tmp ? tmp : "/tmp", "folio-fuzz-XXXXXX");
    if (!mkdtemp(dir)) {
        perror(dir);
        abort();
    }
    project = dir;
    atexit(remove_project);
    for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++) {
        char *src = fo_path_join(FO_TEST_SRC, copies[i][0]);
        char *dst = fo_path_join(project, copies[i][1]);
        struct stat sb;
        if (stat(src, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            copy_src = src;
            copy_dst = dst;
            (void)nftw(src, copy_entry, 16, FTW_PHYS);
        }
        free(src);
        free(dst);
    }
    return project;
}

char *fuzz_project_path(const char *rel)
{
    return fo_path_join(fuzz_project(), rel);
}

FILE *fuzz_sink(void)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (!sink) {
        perror("/dev/null");
        abort();
    }
    return sink;
}

int fuzz_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = fo_utf8_decode(s + i, n - i, &cp);
        if (k == 1 && cp == 0xFFFD)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

static int char_start(const fo_rich *r, size_t at)
{
    return at >= r->len || ((unsigned char)r->text[at] & 0xC0) != 0x80;
}

void fuzz_check_rich(const fo_rich *r)
{
    FUZZ_CHECK(r->text != NULL || r->len == 0);
    FUZZ_CHECK(fuzz_utf8_valid(r->text, r->len));
    FUZZ_CHECK(r->nspans >= 0);
    FUZZ_CHECK(r->nspans == 0 || r->spans != NULL);
    uint32_t prev_end = 0;
    for (int i = 0; i < r->nspans; i++) {
        const fo_span *s = &r->spans[i];
        FUZZ_CHECK(s->start < s->end);
        FUZZ_CHECK(s->end <= r->len);
        FUZZ_CHECK(s->start >= prev_end);
        FUZZ_CHECK(char_start(r, s->start) && char_start(r, s->end));
        FUZZ_CHECK(s->flags != 0);
        FUZZ_CHECK(!(s->flags & FO_SPAN_LINK) || s->href != NULL);
        prev_end = s->end;
    }
}
