/* What the libFuzzer harnesses share (tests/fuzz/fuzz_*.c): the entry
 * point libFuzzer and the corpus replay (replay.c) both call, a scratch
 * project folder for the loaders that read files by path, and a check
 * that aborts even where NDEBUG turns assert() off (the replay runs in the
 * RelWithDebInfo build too).
 *
 * Each harness is one program: built with clang and -fsanitize=fuzzer when
 * FO_FUZZ is on, and with any compiler and replay.c for ctest. */
#ifndef FO_FUZZ_H
#define FO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/model.h"

/* The harness: run one input. Always returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the failed condition: what a harness finds wrong in an
 * output that the module's contract promises (sorted spans, sizes in
 * range), so that libFuzzer keeps the input as a crash. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            (void)fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__,  \
                          __LINE__, #cond);                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* The scratch project folder of this process, made on the first call and
 * removed at exit: a fresh temporary folder (under TMPDIR) holding copies
 * of the fixtures' include, template and image folders (see
 * fuzz_project.c), so that the seeds' includes and images resolve as in
 * the source tree. Static string. */
const char *fuzz_project(void);

/* path inside the project folder (rel is relative to it); caller frees. */
char *fuzz_project_path(const char *rel);

/* Writes data[0..size) to path, replacing it; aborts when it cannot. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* A stream that discards what is written (/dev/null), to print
 * diagnostics through the same code as the CLI. Opened once. */
FILE *fuzz_sink(void);

/* Whether s[0..n) is valid UTF-8 (NUL bytes allowed: YAML's "\0"). */
int fuzz_utf8_valid(const char *s, size_t n);

/* Checks what fo_markup_parse promises of a rich text (model.h): valid
 * UTF-8, spans sorted, non-overlapping, inside the text, on character
 * boundaries, each with a style and links with a target. Aborts. */
void fuzz_check_rich(const fo_rich *r);

#endif
