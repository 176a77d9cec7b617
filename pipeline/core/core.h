/* core — what every stage shares: status codes, diagnostics and their sink,
 * an arena allocator, a growable byte buffer with a size cap, paths confined
 * to a project folder, and atomic file writes (temp name, then rename).
 *
 * Nothing here knows about YAML, Pango, libharu or Cairo. */
#ifndef FO_CORE_H
#define FO_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define FO_WUR __attribute__((warn_unused_result))
#define FO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FO_WUR
#define FO_PRINTF(f, a)
#endif

/* FO_STATIC marks file-local helpers that unit tests want to reach. */
#ifdef FO_UNIT_TEST
#define FO_STATIC
#else
#define FO_STATIC static
#endif

typedef enum fo_status {
    FO_OK = 0,
    FO_ERR_INPUT,   /* the input has errors; they are in the fo_diags */
    FO_ERR_IO,      /* a file could not be read or written */
    FO_ERR_LIBRARY, /* a library (Pango, libharu, Cairo…) failed */
    FO_ERR_LIMIT,   /* a size limit was exceeded */
    FO_ERR_USAGE    /* bad command-line usage */
} fo_status;

/* A static English name for a status. */
const char *fo_status_str(fo_status st);

/* A colour in both models (plain data shared by the model, layout and
 * renderers): the print renderer uses CMYK, screen and
 * preview use RGB. Components are 0..1. */
typedef struct fo_color {
    double c, m, y, k;
    double r, g, b;
    /* The CMYK is derived naively from the RGB: the swatch gave no print
     * colour (the preflight's colour rule refuses it in print). */
    int rgb_only;
} fo_color;

/* ---- memory --------------------------------------------------------- */

/* Allocators that abort with a message when memory runs out. */
void *fo_xmalloc(size_t n);
void *fo_xcalloc(size_t count, size_t n);
void *fo_xrealloc(void *p, size_t n);
char *fo_xstrdup(const char *s);
char *fo_xstrndup(const char *s, size_t n);

/* Grow *items (of item_size bytes each) so that it holds at least need items;
 * *cap is updated. Aborts on overflow. */
void fo_grow(void **items, size_t item_size, size_t *cap, size_t need);

/* An arena: many small allocations freed in one call. Not thread-safe. */
typedef struct fo_arena fo_arena;

/* A new, empty arena; free with fo_arena_free. */
fo_arena *fo_arena_new(void);
/* Frees every allocation made from the arena, and the arena. NULL is fine. */
void fo_arena_free(fo_arena *a);
/* n bytes, zeroed, aligned for any type; live until fo_arena_free. */
void *fo_arena_alloc(fo_arena *a, size_t n);
/* A copy of s (or of its first n bytes) in the arena, NUL-terminated. */
char *fo_arena_strdup(fo_arena *a, const char *s);
char *fo_arena_strndup(fo_arena *a, const char *s, size_t n);
/* printf into the arena. */
char *fo_arena_printf(fo_arena *a, const char *fmt, ...) FO_PRINTF(2, 3);
/* Bytes handed out so far (for the benchmark's memory figures). */
size_t fo_arena_used(const fo_arena *a);

/* ---- growable buffer ------------------------------------------------ */

/* A byte buffer that grows up to max bytes (0 = no cap). Always
 * NUL-terminated when data != NULL. */
typedef struct fo_buf {
    char *data;
    size_t len, cap, max;
} fo_buf;

void fo_buf_init(fo_buf *b, size_t max);
/* Appends; FO_ERR_LIMIT (and nothing appended) past the cap. */
FO_WUR fo_status fo_buf_append(fo_buf *b, const void *p, size_t n);
FO_WUR fo_status fo_buf_puts(fo_buf *b, const char *s);
FO_WUR fo_status fo_buf_printf(fo_buf *b, const char *fmt, ...) FO_PRINTF(2, 3);
void fo_buf_free(fo_buf *b);

/* ---- diagnostics ---------------------------------------------------- */

/* A position in an input file, 1-based line and column (column counts
 * characters, not bytes). file is borrowed (usually arena-owned). */
typedef struct fo_pos {
    const char *file;
    int line, col;
} fo_pos;

typedef enum fo_severity {
    FO_SEV_ERROR,
    FO_SEV_WARNING,
    FO_SEV_NOTE
} fo_severity;

/* Where on the output a finding lies, for the findings of layout and of
 * the preflight (pipeline/check): the rule that found it, the edition and
 * page, and the box on that page (display-list coordinates: points from the
 * trim's top-left corner, y down) that --draft outlines in red. A plain
 * diagnostic has none of it (all zero). */
typedef struct fo_where {
    const char *rule;    /* static rule name ("frame", "overlap"…), or NULL */
    const char *edition; /* language tag; copied by fo_diag_add_where */
    int page;            /* 1-based page of the edition, 0 = none */
    int has_box;
    double x, y, w, h;
} fo_where;

typedef struct fo_diag {
    fo_severity sev;
    fo_pos pos;     /* file == NULL: no position */
    char *message;  /* owned by the fo_diags */
    char *file;     /* owned copy of the file name that pos.file points to */
    fo_where where; /* zero for plain diagnostics */
    char *edition;  /* owned copy of the tag that where.edition points to */
} fo_diag;

/* One entry of the set that finds repeated diagnostics (diag.c). */
typedef struct fo_diag_slot fo_diag_slot;

/* The sink that stages report input errors to. Collects every diagnostic so
 * that a run can report all of them; printing is the CLI's job. Zeroed or
 * fo_diags_init'ed is empty. */
typedef struct fo_diags {
    fo_diag *items;
    size_t n, cap;
    int errors, warnings;
    fo_diag_slot *seen; /* hash set of items, so a repeat costs O(1) */
    size_t nseen;       /* its capacity: 0 or a power of two */
    int strict;         /* --strict: every warning is added as an error */
    int quiet;          /* --quiet: fo_diags_print prints errors only */
} fo_diags;

void fo_diags_init(fo_diags *d);
void fo_diags_free(fo_diags *d);
void fo_diag_add(fo_diags *d, fo_severity sev, fo_pos pos, const char *fmt, ...)
    FO_PRINTF(4, 5);
void fo_diag_vadd(fo_diags *d, fo_severity sev, fo_pos pos, const char *fmt,
                  va_list ap) FO_PRINTF(4, 0);
/* fo_diag_add with where it lies on the output (NULL: nowhere). Printed
 * as "FILE:LINE:COL: error: message (page N, edition E)". Two findings
 * are the same one (reported once) only when their where is the same.
 * Control characters in the message, the file name and the edition are
 * stored escaped (ESC as \e, others as \xNN or \u0085, see
 * fo_escape_controls), so no input can drive the terminal that shows them
 * or break a report that copies them. */
void fo_diag_add_where(fo_diags *d, fo_severity sev, fo_pos pos,
                       const fo_where *where, const char *fmt, ...)
    FO_PRINTF(5, 6);
void fo_diag_vadd_where(fo_diags *d, fo_severity sev, fo_pos pos,
                        const fo_where *where, const char *fmt, va_list ap)
    FO_PRINTF(5, 0);
/* Shorthands for fo_diag_add. */
void fo_error(fo_diags *d, fo_pos pos, const char *fmt, ...) FO_PRINTF(3, 4);
void fo_warning(fo_diags *d, fo_pos pos, const char *fmt, ...) FO_PRINTF(3, 4);
/* Writes every diagnostic as "FILE:LINE:COL: error: message\n" (or
 * "folio: error: message" without a position), in the order reported. */
void fo_diags_print(const fo_diags *d, FILE *out);

/* A copy of s[0..n) that a terminal shows as it is: C0 controls and DEL
 * become \e (ESC), \n, \r, \t or \xNN, C1 controls (U+0080..U+009F)
 * \u0080..\u009f, and bytes that are not UTF-8 \xNN. Backslashes stay
 * as they are, so escaping twice changes nothing. Caller frees. */
char *fo_escape_controls(const char *s, size_t n);

/* ---- units ---------------------------------------------------------- */

/* Points per millimetre: a PDF point is 1/72 inch, an inch 25.4 mm. Page
 * geometry is in points; templates, publications and messages speak mm. */
#define FO_PT_PER_MM (72.0 / 25.4)

/* mm in points (mm · FO_PT_PER_MM). */
static inline double fo_mm_to_pt(double mm)
{
    return mm * FO_PT_PER_MM;
}

/* pt in millimetres, as pt · 25.4 / 72 (pt / FO_PT_PER_MM can round
 * differently in the last bit). */
static inline double fo_pt_to_mm(double pt)
{
    return pt * 25.4 / 72;
}

/* ---- hashing -------------------------------------------------------- */

/* The FNV-1a offset basis: where a fo_hash chain starts. */
#define FO_HASH_SEED 14695981039346656037ULL

/* FNV-1a (64-bit) of p[0..n), continuing from h (FO_HASH_SEED to start),
 * so that several fields chain into one hash. Fast and stable across runs
 * and machines (the PDF /ID and subset tags rely on that); not meant to
 * resist chosen collisions. */
uint64_t fo_hash(uint64_t h, const void *p, size_t n);

/* ---- paths and files ------------------------------------------------ */

/* dir of path ("a/b/c.yaml" → "a/b", "c.yaml" → "."); caller frees. */
char *fo_path_dirname(const char *path);
/* base joined with rel unless rel is absolute; caller frees. */
char *fo_path_join(const char *base, const char *rel);
/* Resolves rel against base_dir and checks that the result stays inside
 * root (both made canonical with realpath). Returns a malloc'd canonical
 * path, or NULL with *why set to a static reason ("no such file", "outside
 * the project"). */
char *fo_path_confined(const char *root, const char *base_dir, const char *rel,
                       const char **why);

/* Optimal string alignment distance between s and t (edits, adjacent
 * swaps counting one), on bytes, ASCII case ignored when fold_case; 1000
 * for a string over 64 bytes (edit_distance.c). */
int fo_edit_distance(const char *s, const char *t, int fold_case);

/* After fo_path_confined said "no such file" for rel (named in a file
 * in base_dir, inside the project folder root): "no such file (looked for
 * 'P' in the project)", P relative to root, with " — did you mean 'X'?"
 * when a name that differs in case or by a letter or two, or the same path
 * from the project folder, exists. Malloc'd; caller frees. */
char *fo_path_missing_hint(const char *root, const char *base_dir,
                           const char *rel);

/* Reads a whole file, up to max bytes. FO_ERR_IO / FO_ERR_LIMIT. *out is
 * malloc'd and NUL-terminated; caller frees. */
FO_WUR fo_status fo_file_read(const char *path, size_t max, char **out,
                              size_t *len);

/* Atomic write: output goes to a temporary file beside the target and is
 * renamed over it by fo_atomic_commit. fo_atomic_abort (or a crash) leaves
 * the target untouched and removes the temporary file. */
typedef struct fo_atomic {
    char *target, *tmp;
    FILE *fp;
} fo_atomic;

FO_WUR fo_status fo_atomic_open(fo_atomic *a, const char *target);
FO_WUR fo_status fo_atomic_commit(fo_atomic *a);
void fo_atomic_abort(fo_atomic *a);
/* Writes len bytes to target atomically. */
FO_WUR fo_status fo_atomic_write_file(const char *target, const void *data,
                                      size_t len);
/* Closes the temporary file of a (flushed and closed, each checked), but
 * leaves it under its temporary name instead of renaming it: *tmp
 * (malloc'd) is handed over, still removed by fo_tmp_remove_all, and the
 * caller passes it to fo_atomic_rename or fo_atomic_discard. So a build of
 * several files can put all of them in place or none. FO_ERR_IO (file
 * removed, *tmp NULL, errno the cause) when a write failed. */
FO_WUR fo_status fo_atomic_keep(fo_atomic *a, char **tmp);
/* Renames a kept temporary file to target; FO_ERR_IO with errno set (the
 * file is then removed). Either way tmp is freed and no longer tracked. */
FO_WUR fo_status fo_atomic_rename(char *tmp, const char *target);
/* Removes a kept temporary file; errno is kept; tmp is freed. */
void fo_atomic_discard(char *tmp);
/* The temporary name fo_atomic_open uses beside target (NAME.tmp-PID),
 * and the one process pid uses. Caller frees. */
char *fo_atomic_tmpname(const char *target);
char *fo_atomic_tmpname_of(const char *target, long pid);

/* Temporary files on SIGINT and SIGTERM. Every temporary file that
 * fo_atomic_open makes is tracked until it is renamed or removed, so that
 * a signal handler can remove what the process leaves: fo_tmp_remove_all
 * is async-signal-safe. fo_tmp_forget_all is for a child process after
 * fork(): the parent's files are not the child's to remove. */
void fo_tmp_remove_all(void);
void fo_tmp_forget_all(void);
/* Tracks, or no longer tracks, a temporary file another process makes
 * (a child of `build -j`, whose files the parent renames). */
void fo_tmp_track(const char *tmp);
void fo_tmp_untrack(const char *tmp);
/* Removes the temporary files that killed processes left in dir: names
 * NAME.{pdf,png,html,js}.tmp-PID (the outputs of folio, named as
 * fo_atomic_tmpname names them) whose process PID no longer exists, so a
 * build running beside this one keeps its own. Errors are ignored: a
 * leftover is only untidy. */
void fo_tmp_sweep(const char *dir);

/* Reports that target could not be written because of errno value err:
 * "DIR: error: cannot write 'NAME': <strerror(err)>". fo_error_path says
 * another verb ("create the folder"). */
void fo_error_write(fo_diags *d, const char *target, int err);
void fo_error_path(fo_diags *d, const char *path, const char *verb, int err);

/* How many threads a build may keep busy: FOLIO_THREADS when it is set to
 * a number from 1 on, else the cores online (at least 1). */
int fo_threads(void);

/* ---- UTF-8 ---------------------------------------------------------- */

/* Number of code points in s[0..n). Invalid bytes count as one each. */
size_t fo_utf8_len(const char *s, size_t n);
/* Decodes one code point at s (n bytes left); returns its byte length (1 on
 * invalid input, with *cp = 0xFFFD). */
int fo_utf8_decode(const char *s, size_t n, uint32_t *cp);

#endif
