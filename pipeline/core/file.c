/* Paths and files. Every path a publication names is resolved against the
 * file that names it and must stay inside the project folder: a content file
 * never makes folio read /etc/passwd. Outputs are written under a temporary
 * name beside the target and renamed into place, so a failed or killed build
 * leaves the previous output intact and never a half-written file. Every
 * write is checked (fwrite, fflush, fclose, rename) and its errno kept for
 * the message. The temporary files are tracked, so that SIGINT and SIGTERM
 * remove them (fo_tmp_remove_all); what SIGKILL leaves, the next build of
 * the folder removes (fo_tmp_sweep). */
#define _XOPEN_SOURCE 700
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
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

char *fo_atomic_tmpname_of(const char *target, long pid)
{
    size_t n = strlen(target) + 32;
    char *tmp = fo_xmalloc(n);
    /* ".tmp-" and a long (at most 20 characters) fit in the 32 extra. */
    (void)snprintf(tmp, n, "%s.tmp-%ld", target, pid);
    return tmp;
}

char *fo_atomic_tmpname(const char *target)
{
    return fo_atomic_tmpname_of(target, (long)getpid());
}

/* ---- temporary files on signals ---------------------------------------
 * A signal handler may neither allocate nor take a lock, and it may run on
 * any thread (the PDF writer's image workers included) while the main
 * thread tracks or untracks a file. So the tracked names are copied into
 * fixed slots, each with a state changed atomically: FREE, then FILLING
 * while the name is copied in, then LIVE; untracking takes it LIVE to
 * CLEARING (the name still whole) and back to FREE. The handler removes
 * the LIVE and CLEARING slots' files. A name longer than a slot, or one
 * more than the slots, is not tracked: if a signal leaves it behind, the
 * next build's fo_tmp_sweep removes it. */
enum { SLOT_FREE, SLOT_FILLING, SLOT_LIVE, SLOT_CLEARING };
/* A build keeps at most 3 PDFs for each of its 16 editions, and the
 * parent of build -j tracks its jobs' as many. */
#define TMP_SLOTS 64
#define TMP_PATH_MAX 1024 /* out/<slug>-<lang>-archive.pdf.tmp-PID fits */

static struct tmp_slot {
    atomic_int state;
    char path[TMP_PATH_MAX];
} tmp_slots[TMP_SLOTS];

/* How many digits end name (of len bytes) after ".tmp-", or 0 when it is
 * not such a name: the handler removes nothing else, even if a slot were
 * read while being refilled. Async-signal-safe. */
static size_t tmp_digits(const char *name, size_t len)
{
    size_t digits = 0;
    while (digits < len && name[len - 1 - digits] >= '0' &&
           name[len - 1 - digits] <= '9')
        digits++;
    if (digits == 0 || digits > 10 || len - digits < 5 ||
        memcmp(name + len - digits - 5, ".tmp-", 5) != 0)
        return 0;
    return digits;
}

void fo_tmp_track(const char *tmp)
{
    size_t len = strlen(tmp);
    if (len >= TMP_PATH_MAX)
        return;
    for (int i = 0; i < TMP_SLOTS; i++) {
        int expect = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&tmp_slots[i].state, &expect,
                                            SLOT_FILLING))
            continue;
        memcpy(tmp_slots[i].path, tmp, len + 1);
        atomic_store(&tmp_slots[i].state, SLOT_LIVE);
        return;
    }
}

void fo_tmp_untrack(const char *tmp)
{
    for (int i = 0; i < TMP_SLOTS; i++) {
        int expect = SLOT_LIVE;
        if (!atomic_compare_exchange_strong(&tmp_slots[i].state, &expect,
                                            SLOT_CLEARING))
            continue;
        int same = strcmp(tmp_slots[i].path, tmp) == 0;
        atomic_store(&tmp_slots[i].state, same ? SLOT_FREE : SLOT_LIVE);
        if (same)
            return;
    }
}

void fo_tmp_remove_all(void)
{
    int saved = errno;
    for (int i = 0; i < TMP_SLOTS; i++) {
        int state = atomic_load(&tmp_slots[i].state);
        const char *path = tmp_slots[i].path;
        size_t len = 0;
        while (len < TMP_PATH_MAX - 1 && path[len])
            len++;
        if ((state == SLOT_LIVE || state == SLOT_CLEARING) &&
            tmp_digits(path, len))
            (void)unlink(path);
    }
    errno = saved;
}

void fo_tmp_forget_all(void)
{
    for (int i = 0; i < TMP_SLOTS; i++)
        atomic_store(&tmp_slots[i].state, SLOT_FREE);
}

/* Whether name is a temporary file of a folio output (NAME.pdf.tmp-PID,
 * .png, .html or .js) and, if so, its process number in *pid. */
static int output_tmp_name(const char *name, pid_t *pid)
{
    static const char *const exts[] = {".pdf", ".png", ".html", ".js"};
    size_t len = strlen(name), digits = tmp_digits(name, len);
    if (!digits)
        return 0;
    size_t stem = len - digits - 5; /* before ".tmp-" */
    long v = strtol(name + len - digits, NULL, 10);
    if (v <= 0 || v > INT_MAX)
        return 0;
    for (size_t k = 0; k < sizeof exts / sizeof *exts; k++) {
        size_t el = strlen(exts[k]);
        if (stem > el && memcmp(name + stem - el, exts[k], el) == 0) {
            *pid = (pid_t)v;
            return 1;
        }
    }
    return 0;
}

/* Whether process pid has ended: no such process (ESRCH; EPERM means one
 * exists, another user's), or a zombie, which writes nothing more but
 * answers kill() until its parent, or init once orphaned, reaps it (the
 * jobs of a build -j killed with SIGKILL are such zombies for a while). */
static int process_gone(pid_t pid)
{
    if (kill(pid, 0) != 0)
        return errno == ESRCH;
    char path[64], buf[256];
    (void)snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    (void)fclose(fp); /* read-only */
    buf[n] = 0;
    /* "PID (COMM) STATE ...": COMM may hold spaces and parentheses */
    const char *close = strrchr(buf, ')');
    return close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

void fo_tmp_sweep(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        pid_t pid;
        struct stat sb;
        if (!output_tmp_name(de->d_name, &pid) || pid == getpid() ||
            !process_gone(pid))
            continue;
        if (fstatat(dirfd(dp), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(sb.st_mode))
            (void)unlinkat(dirfd(dp), de->d_name, 0);
    }
    (void)closedir(dp);
}

void fo_error_path(fo_diags *d, const char *path, const char *verb, int err)
{
    char *p = fo_xstrdup(path); /* "out/" names the folder out */
    for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
        p[n - 1] = 0;
    char *dir = fo_path_dirname(p);
    const char *slash = strrchr(p, '/');
    fo_error(d, (fo_pos){dir, 0, 0}, "cannot %s '%s': %s", verb,
             slash && slash[1] ? slash + 1 : p,
             err ? strerror(err) : "it failed");
    free(dir);
    free(p);
}

void fo_error_write(fo_diags *d, const char *target, int err)
{
    fo_error_path(d, target, "write", err);
}

/* ---- atomic writes ------------------------------------------------------ */

/* Removes the temporary file on an error path (write, flush, close or
 * rename failed). The caller already gets FO_ERR_IO, and errno is kept as
 * the failure left it, for the caller's message: remove() would overwrite
 * it. If the removal fails too (the folder became read-only, say) there is
 * nothing left to do: the target is untouched either way, and only a stray
 * NAME.tmp-PID remains, for the next build's fo_tmp_sweep. */
static void remove_tmp(const char *tmp)
{
    int saved = errno;
    (void)remove(tmp);
    fo_tmp_untrack(tmp);
    errno = saved;
}

fo_status fo_atomic_open(fo_atomic *a, const char *target)
{
    a->target = fo_xstrdup(target);
    a->tmp = fo_atomic_tmpname(target);
    /* tracked first: a signal between the creation and the tracking
     * would leave the file */
    fo_tmp_track(a->tmp);
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp) {
        remove_tmp(a->tmp);
        free(a->target);
        free(a->tmp);
        a->target = a->tmp = NULL;
        return FO_ERR_IO;
    }
    return FO_OK;
}

/* Flushes and closes a->fp; FO_ERR_IO with errno the first failure's. */
static fo_status close_tmp(fo_atomic *a)
{
    int err = 0;
    if (fflush(a->fp) != 0)
        err = errno ? errno : EIO;
    else if (ferror(a->fp))
        err = EIO; /* an earlier write failed and its errno is gone */
    if (fclose(a->fp) != 0 && !err)
        err = errno ? errno : EIO;
    a->fp = NULL;
    errno = err;
    return err ? FO_ERR_IO : FO_OK;
}

fo_status fo_atomic_commit(fo_atomic *a)
{
    char *tmp = NULL, *target = a->target;
    a->target = NULL;
    fo_status st = fo_atomic_keep(a, &tmp);
    if (st == FO_OK)
        st = fo_atomic_rename(tmp, target);
    free(target);
    return st;
}

fo_status fo_atomic_keep(fo_atomic *a, char **tmp)
{
    *tmp = NULL;
    free(a->target);
    a->target = NULL;
    fo_status st = close_tmp(a);
    if (st != FO_OK) {
        remove_tmp(a->tmp);
        free(a->tmp);
    } else {
        *tmp = a->tmp;
    }
    a->tmp = NULL;
    return st;
}

fo_status fo_atomic_rename(char *tmp, const char *target)
{
    fo_status st = FO_OK;
    if (rename(tmp, target) != 0) {
        st = FO_ERR_IO;
        remove_tmp(tmp);
    } else {
        fo_tmp_untrack(tmp);
    }
    free(tmp);
    return st;
}

void fo_atomic_discard(char *tmp)
{
    if (tmp)
        remove_tmp(tmp);
    free(tmp);
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
