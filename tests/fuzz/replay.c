/* The corpus replay: a main() for the harnesses (fuzz_*.c) built without
 * libFuzzer, with any compiler, so that ctest runs every seed and every
 * crash ever found through the harness in seconds (fuzz.replay_* in
 * tests/fuzz/CMakeLists.txt); in the ASan build the sanitizers judge each
 * run as libFuzzer's would.
 *
 * Usage: replay_HARNESS PATH...: each PATH is a file, or a folder whose
 * files (not its dot files, not its subfolders) are run in name order.
 * A PATH that does not exist is an error, and so is running nothing: a
 * replay that checks nothing must not pass. */
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include <dirent.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "core/core.h"

/* Larger than any harness's cap (they skip larger input themselves). */
enum { MAX_FILE = 64 * 1024 * 1024 };

static int run_file(const char *path)
{
    char *bytes = NULL;
    size_t len = 0;
    if (fo_file_read(path, MAX_FILE, &bytes, &len) != FO_OK) {
        (void)fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    /* a block of exactly len bytes, as libFuzzer passes, so that ASan
     * catches a read past the end */
    uint8_t *data = fo_xmalloc(len ? len : 1);
    if (len)
        memcpy(data, bytes, len);
    free(bytes);
    /* the input a crash report is about: ctest shows it on failure */
    (void)fprintf(stderr, "replay: %s\n", path);
    (void)LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dot(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Runs path, or the files of folder path; the number run, or -1. */
static long run_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        (void)fprintf(stderr, "replay: no such file or folder: %s\n", path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return run_file(path) == 0 ? 1 : -1;
    struct dirent **names = NULL;
    int n = scandir(path, &names, skip_dot, by_name);
    if (n < 0) {
        (void)fprintf(stderr, "replay: cannot list %s\n", path);
        return -1;
    }
    long count = 0;
    for (int i = 0; i < n; i++) {
        char *file = fo_path_join(path, names[i]->d_name);
        if (count >= 0 && stat(file, &sb) == 0 && S_ISREG(sb.st_mode))
            count = run_file(file) == 0 ? count + 1 : -1;
        free(file);
        free(names[i]);
    }
    free((void *)names);
    return count;
}

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif

int main(int argc, char **argv)
{
    long total = 0;
#ifndef REPLAY_ASAN
    /* Memory bounded as under libFuzzer: an input that makes a library
     * ask for half a gigabyte gets NULL here rather than seconds of
     * zero-filling (8 s and 520 MB for the two image crashes kept). The
     * seeds run in 200 MB of address space. The ASan build refuses such a
     * request outright and fails the replay (max_allocation_size_mb in
     * tests/fuzz/CMakeLists.txt); ASan itself needs terabytes of address
     * space, hence no limit there. */
    struct rlimit as = {512UL << 20, 512UL << 20};
    if (setrlimit(RLIMIT_AS, &as) != 0)
        perror("replay: setrlimit");
#endif
    for (int i = 1; i < argc; i++) {
        long n = run_path(argv[i]);
        if (n < 0)
            return 1;
        total += n;
    }
    if (total == 0) {
        (void)fprintf(stderr, "replay: no input to run\n");
        return 1;
    }
    printf("replay: %ld inputs run\n", total);
    return 0;
}
