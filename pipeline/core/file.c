/* Paths and files. Every path a publication names is resolved against the
 * file that names it and must stay inside the project folder: a content file
 * never makes folio read /etc/passwd. Outputs are written under a temporary
 * name beside the target and renamed into place, so a failed or killed build
 * leaves the previous output intact and never a half-written file. */
#define _XOPEN_SOURCE 700
#include "core.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *fo_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return fo_xstrdup(".");
    if (slash == path)
        return fo_xstrdup("/");
    return fo_xstrndup(path, (size_t)(slash - path));
}

char *fo_path_join(const char *base, const char *rel)
{
    if (rel[0] == '/' || !base || !base[0] || strcmp(base, ".") == 0)
        return fo_xstrdup(rel);
    size_t bl = strlen(base), rl = strlen(rel);
    const char *sep = base[bl - 1] == '/' ? "" : "/";
    size_t n = bl + strlen(sep) + rl + 1;
    char *p = fo_xmalloc(n);
    /* n is the exact size of the result, terminator included: snprintf
     * neither fails nor truncates here, and always terminates. */
    (void)snprintf(p, n, "%s%s%s", base, sep, rel);
    return p;
}

char *fo_path_confined(const char *root, const char *base_dir, const char *rel,
                       const char **why)
{
    char *joined = fo_path_join(base_dir, rel);
    char *real = realpath(joined, NULL);
    free(joined);
    if (!real) {
        *why = "no such file";
        return NULL;
    }
    char *rroot = realpath(root, NULL);
    if (!rroot) {
        free(real);
        *why = "the project folder does not exist";
        return NULL;
    }
    size_t rl = strlen(rroot);
    int inside = strncmp(real, rroot, rl) == 0 &&
                 (real[rl] == '/' || real[rl] == 0 || strcmp(rroot, "/") == 0);
    free(rroot);
    if (!inside) {
        free(real);
        *why = "outside the project folder";
        return NULL;
    }
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        free(real);
        *why = "not a regular file";
        return NULL;
    }
    return real;
}

fo_status fo_file_read(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return FO_ERR_IO;
    fo_buf b;
    fo_buf_init(&b, max);
    fo_status st = FO_OK;
    /* A regular file is read straight into a buffer of its size (photos
     * of several MB: no chunk copies, no regrowth); what follows its
     * stat'ed size, if it grew meanwhile, is read in chunks. */
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (!max || (unsigned long long)sb.st_size <= max)) {
        size_t want = (size_t)sb.st_size;
        fo_grow((void **)&b.data, 1, &b.cap, want + 1);
        b.len = fread(b.data, 1, want, fp);
        b.data[b.len] = 0;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        st = fo_buf_append(&b, chunk, n);
        if (st != FO_OK)
            break;
    }
    if (st == FO_OK && ferror(fp))
        st = FO_ERR_IO;
    /* Read-only stream: every byte was read and ferror() checked above, so
     * a failing close loses nothing. */
    (void)fclose(fp);
    if (st != FO_OK) {
        fo_buf_free(&b);
        return st;
    }
    if (!b.data)
        st = fo_buf_append(&b, "", 0);
    *out = b.data;
    *len = b.len;
    return st;
}

char *fo_atomic_tmpname(const char *target)
{
    size_t n = strlen(target) + 32;
    char *tmp = fo_xmalloc(n);
    /* ".tmp-" and a long (at most 20 characters) fit in the 32 extra. */
    (void)snprintf(tmp, n, "%s.tmp-%ld", target, (long)getpid());
    return tmp;
}

/* Removes the temporary file on an error path (write, flush, close or
 * rename failed). The caller already gets FO_ERR_IO, and errno is kept as
 * the failure left it, for the caller's message: remove() would overwrite
 * it. If the removal fails too (the folder became read-only, say) there is
 * nothing left to do: the target is untouched either way, and only a stray
 * NAME.tmp-PID remains. */
static void remove_tmp(const char *tmp)
{
    int saved = errno;
    (void)remove(tmp);
    errno = saved;
}

fo_status fo_atomic_open(fo_atomic *a, const char *target)
{
    a->target = fo_xstrdup(target);
    a->tmp = fo_atomic_tmpname(target);
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp) {
        free(a->target);
        free(a->tmp);
        a->target = a->tmp = NULL;
        return FO_ERR_IO;
    }
    return FO_OK;
}

fo_status fo_atomic_commit(fo_atomic *a)
{
    fo_status st = FO_OK;
    if (fflush(a->fp) != 0 || ferror(a->fp))
        st = FO_ERR_IO;
    if (fclose(a->fp) != 0)
        st = FO_ERR_IO;
    a->fp = NULL;
    if (st == FO_OK && rename(a->tmp, a->target) != 0)
        st = FO_ERR_IO;
    if (st != FO_OK)
        remove_tmp(a->tmp);
    free(a->target);
    free(a->tmp);
    a->target = a->tmp = NULL;
    return st;
}

void fo_atomic_abort(fo_atomic *a)
{
    /* The output is being discarded: a failing close of the temporary file
     * loses nothing, and errno keeps the cause of the abort. */
    int saved = errno;
    if (a->fp)
        (void)fclose(a->fp);
    errno = saved;
    if (a->tmp)
        remove_tmp(a->tmp);
    free(a->target);
    free(a->tmp);
    a->fp = NULL;
    a->target = a->tmp = NULL;
}

fo_status fo_atomic_write_file(const char *target, const void *data, size_t len)
{
    fo_atomic a;
    fo_status st = fo_atomic_open(&a, target);
    if (st != FO_OK)
        return st;
    if (len && fwrite(data, 1, len, a.fp) != len) {
        fo_atomic_abort(&a);
        return FO_ERR_IO;
    }
    return fo_atomic_commit(&a);
}

int fo_threads(void)
{
    const char *env = getenv("FOLIO_THREADS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == 0 && v >= 1 && v <= 1024)
            return (int)v;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 1 ? (int)(cores > 1024 ? 1024 : cores) : 1;
}
