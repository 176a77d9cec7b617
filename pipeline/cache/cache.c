/* The cache on disk (cache.h): entries, their check, the bound.
 *
 * Layout of the folder:
 *   CACHEDIR.TAG  tells backup tools that the folder can be left out
 *   lock          flock'ed while the count below is read and written
 *   size          the bytes written, counted by every process (text)
 *   xx/yyyy…      an entry: xx the first byte of its key in hex, yyyy… the
 *                 other fifteen (so that no folder holds them all)
 *   xx/.tmp-P-N   an entry being written by process P
 *
 * An entry is a 64-byte header and the payload. The header: the magic
 * "FOLIOCA\n", FO_CACHE_FORMAT (4 bytes), 4 zero bytes, the key (16), the
 * payload's length (8), the payload's XXH3-128 (16), and the XXH3-64 of the
 * 56 bytes before it (8); integers little-endian. A read checks every field
 * against the key asked for and the file's size, then the payload's digest,
 * before it hands out a byte: so a truncated entry, a flipped byte in the
 * payload or in the header, or another file put in its place is a miss.
 *
 * Why no fsync: an entry torn by a power cut or a full disk fails its
 * check like any damage and is made again; an fsync of each entry would
 * make every cold build wait for the disk, for nothing the check does not
 * already give. Why XXH3 (libxxhash): the cache hashes every image of the
 * publication on every build to find its key, so the digest must cost far
 * less than what it saves. On the benchmark's 114 images (61 MB, in
 * memory): XXH3-128 8-13 ms, SHA-256 110-130 ms with the CPU's SHA
 * instructions (OpenSSL, Nettle), 380-460 ms with GLib's GChecksum; the
 * print profile's conversions take seconds. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "cache.h"

#include <xxhash.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HDR 64
static const unsigned char MAGIC[8] = {'F', 'O', 'L', 'I', 'O', 'C', 'A', '\n'};
/* Blocks of a file's digest. */
#define BLOCK ((size_t)1 << 16)
/* A temporary file older than this was left by a process that ended
 * without renaming it (killed): removed when the folder is listed. */
#define TMP_STALE_S ((time_t)60 * 60)

struct fo_cache {
    char *dir;
    long long max;
    unsigned char ident[FO_CACHE_DIGEST]; /* this build of folio */
    pthread_mutex_t mu;
    fo_cache_note_fn note;
    void *note_ud;
    int read_only;     /* a write failed: no more writes */
    long long pending; /* bytes written, not yet in the shared count */
    unsigned long long seq;
    fo_cache_stats st;
    fo_cache_key *reported; /* damaged entries reported already */
    size_t nreported, reported_cap;
};

/* ---- small helpers ------------------------------------------------------ */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_digest(unsigned char *out, XXH128_hash_t h)
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    memcpy(out, c.digest, FO_CACHE_DIGEST);
}

/* A streaming XXH3-128, reset; XXH3_freeState frees it. Out of memory is
 * fatal, as with fo_xmalloc. */
static XXH3_state_t *new_state(void)
{
    XXH3_state_t *s = XXH3_createState();
    if (!s) {
        (void)fputs("folio: out of memory (a hash state)\n", stderr);
        abort();
    }
    (void)XXH3_128bits_reset(s);
    return s;
}

/* printf into a malloc'd string. */
static char *str_printf(const char *fmt, ...) FO_PRINTF(1, 2);

static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false report
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n;
    char *s = fo_xmalloc(len + 1);
    s[0] = 0;
    va_start(ap, fmt);
    (void)vsnprintf(s, len + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int read_full(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n > 0) {
        ssize_t put = write(fd, p, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        p += put;
        n -= (size_t)put;
    }
    return 0;
}

/* mkdir -p; 0 or -1 with errno. */
static int make_dirs(const char *dir)
{
    char *p = fo_xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        (void)mkdir(p, 0777);
        *s = '/';
    }
    int rc = mkdir(p, 0777) == 0 || errno == EEXIST ? 0 : -1;
    int err = errno;
    struct stat sb;
    if (rc == 0 && (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        rc = -1;
        err = ENOTDIR;
    }
    free(p);
    errno = err;
    return rc;
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == 0;
}

/* ---- who we are ------------------------------------------------------- */

typedef struct build_id {
    unsigned char b[64];
    size_t n;
} build_id;

/* The GNU build id of the program (the first object dl_iterate_phdr
 * visits): it changes with every change to folio's code, so entries made
 * by one build are never read by another, even of the same version. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *ud)
{
    (void)size;
    build_id *id = ud;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *p =
            (const unsigned char *)(uintptr_t)(info->dlpi_addr + ph->p_vaddr);
        size_t left = ph->p_memsz;
        while (left >= sizeof(ElfW(Nhdr))) {
            ElfW(Nhdr) nh;
            memcpy(&nh, p, sizeof nh);
            size_t name = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
            size_t desc = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
            if (name + desc > left - sizeof nh)
                break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                memcmp(p + sizeof nh, "GNU", 4) == 0) {
                id->n = nh.n_descsz < sizeof id->b ? nh.n_descsz : sizeof id->b;
                memcpy(id->b, p + sizeof nh + name, id->n);
                return 1;
            }
            p += sizeof nh + name + desc;
            left -= sizeof nh + name + desc;
        }
    }
    return 1; /* only the program itself */
}

static void make_ident(fo_cache *c, const char *version)
{
    build_id id = {0};
    (void)dl_iterate_phdr(find_build_id, &id);
    if (id.n == 0) {
        /* linked without a build id: the program file's size and time */
        struct stat sb;
        if (stat("/proc/self/exe", &sb) == 0) {
            long long v[3] = {(long long)sb.st_size, (long long)sb.st_mtime,
                              (long long)sb.st_mtim.tv_nsec};
            memcpy(id.b, v, sizeof v);
            id.n = sizeof v;
        }
    }
    XXH3_state_t *s = new_state();
    unsigned char fmt[4];
    put_u32(fmt, FO_CACHE_FORMAT);
    (void)XXH3_128bits_update(s, "folio cache", 12);
    (void)XXH3_128bits_update(s, fmt, sizeof fmt);
    (void)XXH3_128bits_update(s, version, strlen(version) + 1);
    (void)XXH3_128bits_update(s, id.b, id.n);
    put_digest(c->ident, XXH3_128bits_digest(s));
    XXH3_freeState(s);
}

/* ---- opening ------------------------------------------------------------ */

static void set_why(char *why, size_t why_len, const char *what, int err)
{
    if (why && why_len)
        (void)snprintf(why, why_len, "%s: %s", what, strerror(err));
}

fo_cache *fo_cache_open(const char *dir, const char *version,
                        long long max_bytes, char *why, size_t why_len)
{
    if (make_dirs(dir) != 0) {
        set_why(why, why_len, "cannot create the folder", errno);
        return NULL;
    }
    /* written to, not only looked at: a folder that says it is writable
     * may still refuse (read-only mount, full disk, another owner) */
    char *probe = str_printf("%s/.tmp-%ld-open", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int err = errno;
    if (fd >= 0 && write_full(fd, "x", 1) != 0) {
        err = errno;
        (void)close(fd);
        fd = -1;
    }
    if (fd >= 0)
        (void)close(fd);
    (void)unlink(probe);
    free(probe);
    if (fd < 0) {
        set_why(why, why_len, "cannot write in the folder", err);
        return NULL;
    }
    char *tag = str_printf("%s/CACHEDIR.TAG", dir);
    if (access(tag, F_OK) != 0) {
        static const char text[] =
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This folder is folio's cache (docs/cache.md): it can be\n"
            "# removed, or emptied with `folio cache clean`.\n";
        fd = open(tag, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            (void)write_full(fd, text, sizeof text - 1);
            (void)close(fd);
        }
    }
    free(tag);
    fo_cache *c = fo_xcalloc(1, sizeof *c);
    c->dir = fo_xstrdup(dir);
    c->max = max_bytes > 0 ? max_bytes : FO_CACHE_DEFAULT_MAX;
    make_ident(c, version ? version : "");
    (void)pthread_mutex_init(&c->mu, NULL);
    return c;
}

void fo_cache_set_note(fo_cache *c, fo_cache_note_fn fn, void *ud)
{
    (void)pthread_mutex_lock(&c->mu);
    c->note = fn;
    c->note_ud = ud;
    (void)pthread_mutex_unlock(&c->mu);
}

const char *fo_cache_dir(const fo_cache *c)
{
    return c->dir;
}

fo_cache_stats fo_cache_get_stats(const fo_cache *c)
{
    fo_cache *m = (fo_cache *)(uintptr_t)c; /* the lock only */
    (void)pthread_mutex_lock(&m->mu);
    fo_cache_stats st = c->st;
    (void)pthread_mutex_unlock(&m->mu);
    return st;
}

/* Sends a message to the note callback (outside the lock). */
static void say_note(fo_cache *c, char *msg)
{
    (void)pthread_mutex_lock(&c->mu);
    fo_cache_note_fn fn = c->note;
    void *ud = c->note_ud;
    (void)pthread_mutex_unlock(&c->mu);
    if (fn)
        fn(ud, msg);
    free(msg);
}

/* ---- digests and keys ---------------------------------------------------- */

void fo_cache_digest(const void *p, size_t n,
                     unsigned char out[FO_CACHE_DIGEST])
{
    put_digest(out, XXH3_128bits(p, n));
}

struct fo_cache_hasher {
    XXH3_state_t *s;
};

fo_cache_hasher *fo_cache_hasher_new(void)
{
    fo_cache_hasher *h = fo_xcalloc(1, sizeof *h);
    h->s = new_state();
    return h;
}

void fo_cache_hasher_update(fo_cache_hasher *h, const void *p, size_t n)
{
    (void)XXH3_128bits_update(h->s, p, n);
}

void fo_cache_hasher_final(fo_cache_hasher *h,
                           unsigned char out[FO_CACHE_DIGEST])
{
    put_digest(out, XXH3_128bits_digest(h->s));
    fo_cache_hasher_free(h);
}

void fo_cache_hasher_free(fo_cache_hasher *h)
{
    if (!h)
        return;
    XXH3_freeState(h->s);
    free(h);
}

fo_status fo_cache_digest_file(const char *path, long long max,
                               unsigned char out[FO_CACHE_DIGEST],
                               long long *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return FO_ERR_IO;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        (void)close(fd);
        return FO_ERR_IO;
    }
    if ((long long)sb.st_size > max) {
        (void)close(fd);
        return FO_ERR_LIMIT;
    }
    XXH3_state_t *s = new_state();
    unsigned char *buf = fo_xmalloc(BLOCK);
    long long total = 0;
    fo_status st = FO_OK;
    for (;;) {
        ssize_t got = read(fd, buf, BLOCK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            st = FO_ERR_IO;
        if (got <= 0)
            break;
        (void)XXH3_128bits_update(s, buf, (size_t)got);
        total += got;
        if (total > max) {
            st = FO_ERR_LIMIT; /* grew while read */
            break;
        }
    }
    if (st == FO_OK) {
        put_digest(out, XXH3_128bits_digest(s));
        *size = total;
    }
    XXH3_freeState(s);
    free(buf);
    (void)close(fd);
    return st;
}

fo_cache_key fo_cache_key_make(const fo_cache *c, const char *kind,
                               const fo_cache_part *parts, int n)
{
    XXH3_state_t *s = new_state();
    (void)XXH3_128bits_update(s, c->ident, sizeof c->ident);
    (void)XXH3_128bits_update(s, kind, strlen(kind) + 1);
    for (int i = 0; i < n; i++) {
        /* each part's length first: no two lists of parts hash alike */
        unsigned char len[8];
        put_u64(len, parts[i].n);
        (void)XXH3_128bits_update(s, len, sizeof len);
        (void)XXH3_128bits_update(s, parts[i].p, parts[i].n);
    }
    fo_cache_key k;
    put_digest(k.b, XXH3_128bits_digest(s));
    XXH3_freeState(s);
    return k;
}

/* "DIR/xx/yyyy…" of key (malloc'd). */
static char *entry_path(const fo_cache *c, const fo_cache_key *key)
{
    char hex[2 * FO_CACHE_DIGEST + 1];
    for (int i = 0; i < FO_CACHE_DIGEST; i++)
        (void)snprintf(hex + (size_t)2 * (size_t)i, 3, "%02x", key->b[i]);
    return str_printf("%s/%.2s/%s", c->dir, hex, hex + 2);
}

/* ---- reading ----------------------------------------------------------- */

/* A damaged entry: removed (a writer will put a good one in its place),
 * counted, and reported once. */
static void damaged(fo_cache *c, const fo_cache_key *key, const char *path,
                    const char *reason)
{
    (void)unlink(path);
    int first = 1;
    (void)pthread_mutex_lock(&c->mu);
    c->st.damaged++;
    c->st.misses++;
    for (size_t i = 0; i < c->nreported && first; i++)
        first = memcmp(c->reported[i].b, key->b, sizeof key->b) != 0;
    if (first) {
        fo_grow((void **)&c->reported, sizeof *c->reported, &c->reported_cap,
                c->nreported + 1);
        c->reported[c->nreported++] = *key;
    }
    (void)pthread_mutex_unlock(&c->mu);
    if (first)
        say_note(c, str_printf("cache entry '%s' is damaged (%s): ignored, "
                               "and made again",
                               path, reason));
}

/* Checks header h of an entry of file_size bytes against key: NULL, or
 * why it is damaged; *len the payload's length. */
static const char *check_header(const unsigned char *h, long long file_size,
                                const fo_cache_key *key, const fo_cache *c,
                                uint64_t *len)
{
    if (memcmp(h, MAGIC, sizeof MAGIC) != 0)
        return "not a cache entry";
    if (XXH3_64bits(h, 56) != get_u64(h + 56))
        return "header checksum";
    if (get_u32(h + 8) != FO_CACHE_FORMAT || get_u32(h + 12) != 0)
        return "another format";
    if (memcmp(h + 16, key->b, sizeof key->b) != 0)
        return "another key";
    *len = get_u64(h + 32);
    if (*len != (uint64_t)(file_size - HDR))
        return "its length differs from the file's";
    if (*len > (uint64_t)c->max / 8) /* never stored (fo_cache_put) */
        return "longer than the cache stores";
    return NULL;
}

int fo_cache_get(fo_cache *c, const fo_cache_key *key, unsigned char **data,
                 size_t *len)
{
    *data = NULL;
    *len = 0;
    char *path = entry_path(c, key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        (void)pthread_mutex_lock(&c->mu);
        c->st.misses++;
        (void)pthread_mutex_unlock(&c->mu);
        free(path);
        return 0;
    }
    const char *bad = NULL;
    unsigned char h[HDR];
    uint64_t n = 0;
    unsigned char *p = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        bad = "not a file";
    else if (sb.st_size < HDR || read_full(fd, h, HDR) != 0)
        bad = "shorter than its header";
    else
        bad = check_header(h, (long long)sb.st_size, key, c, &n);
    if (!bad) {
        p = fo_xmalloc((size_t)n + 1);
        unsigned char want[FO_CACHE_DIGEST], got[FO_CACHE_DIGEST];
        memcpy(want, h + 40, sizeof want);
        if (read_full(fd, p, (size_t)n) != 0)
            bad = "shorter than its header says";
        else if (fo_cache_digest(p, (size_t)n, got),
                 memcmp(want, got, sizeof got) != 0)
            bad = "payload checksum";
    }
    if (!bad) /* used now: the eviction keeps it longest */
        (void)futimens(fd, NULL);
    (void)close(fd);
    if (bad) {
        free(p);
        damaged(c, key, path, bad);
        free(path);
        return 0;
    }
    free(path);
    (void)pthread_mutex_lock(&c->mu);
    c->st.hits++;
    (void)pthread_mutex_unlock(&c->mu);
    *data = p;
    *len = (size_t)n;
    return 1;
}

/* ---- the bound ----------------------------------------------------------- */

typedef struct listed {
    char name[2 * FO_CACHE_DIGEST + 2]; /* "xx/yyyy…" */
    long long size;
    struct timespec used;
} listed;

static int older(const void *a, const void *b)
{
    const listed *x = a, *y = b;
    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Lists the entries of one shard xx into *v; removes its stale temporary
 * files. */
static void list_shard(const char *dir, const char *shard, listed **v,
                       size_t *n, size_t *cap)
{
    char *sd = str_printf("%s/%s", dir, shard);
    DIR *d = opendir(sd);
    if (!d) {
        free(sd);
        return;
    }
    struct dirent *e;
    time_t now = time(NULL);
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        int entry = strlen(e->d_name) == 2 * FO_CACHE_DIGEST - 2 &&
                    is_hex(e->d_name, 2 * FO_CACHE_DIGEST - 2);
        int tmp = strncmp(e->d_name, ".tmp-", 5) == 0;
        if ((!entry && !tmp) ||
            fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(sb.st_mode))
            continue;
        if (tmp) {
            if (now - sb.st_mtime > TMP_STALE_S)
                (void)unlinkat(dirfd(d), e->d_name, 0);
            continue;
        }
        fo_grow((void **)v, sizeof **v, cap, *n + 1);
        listed *l = &(*v)[(*n)++];
        /* "xx/" and the 30 hex digits checked above, then the NUL */
        memcpy(l->name, shard, 2);
        l->name[2] = '/';
        memcpy(l->name + 3, e->d_name, 2 * FO_CACHE_DIGEST - 1);
        l->size = (long long)sb.st_size;
        l->used = sb.st_mtim;
    }
    (void)closedir(d);
    free(sd);
}

/* Every entry of the folder. */
static listed *list_all(const char *dir, size_t *n)
{
    listed *v = NULL;
    size_t cap = 0;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strlen(e->d_name) == 2 && is_hex(e->d_name, 2))
            list_shard(dir, e->d_name, &v, n, &cap);
    (void)closedir(d);
    return v;
}

/* When the entries pass bound bytes, removes the least recently used down
 * to target (0: all of them). Returns the bytes left and *count the
 * entries left; -1 when an entry could not be removed (errno set). */
static long long evict(const char *dir, long long bound, long long target,
                       long long *count)
{
    size_t n;
    listed *v = list_all(dir, &n);
    long long total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].size;
    size_t left = n;
    int failed = 0;
    if (total > bound) {
        qsort(v, n, sizeof *v, older);
        for (size_t i = 0; i < n && total > target; i++) {
            char *path = str_printf("%s/%s", dir, v[i].name);
            if (unlink(path) == 0 || errno == ENOENT) {
                total -= v[i].size;
                left--;
            } else {
                failed = 1;
            }
            free(path);
        }
    }
    free(v);
    if (count)
        *count = (long long)left;
    return failed ? -1 : total;
}

/* The count in DIR/size, or -1 when it is missing or unreadable. */
static long long read_count(const char *path)
{
    char buf[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (got <= 0)
        return -1;
    buf[got] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    return errno == 0 && end != buf && (*end == '\n' || *end == 0) && v >= 0
               ? v
               : -1;
}

static void write_count(const char *path, long long v)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%lld\n", v);
    (void)write_full(fd, buf, (size_t)len);
    (void)close(fd);
}

/* Runs fn(dir, arg) with the folder's lock held (fn runs unlocked when
 * the lock file cannot be made: the count is only an estimate). */
static long long with_lock(const char *dir,
                           long long (*fn)(const char *dir, void *arg),
                           void *arg)
{
    char *lock = str_printf("%s/lock", dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    free(lock);
    while (fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    long long r = fn(dir, arg);
    if (fd >= 0)
        (void)close(fd); /* releases the lock */
    return r;
}

typedef struct count_arg {
    long long added, max;
} count_arg;

/* Under the lock: adds the bytes written to the count; lists, evicts and
 * counts again when the count is unknown or over the bound. */
static long long add_count(const char *dir, void *arg)
{
    const count_arg *a = arg;
    char *path = str_printf("%s/size", dir);
    long long est = read_count(path);
    if (est >= 0)
        est += a->added;
    if (est < 0 || est > a->max) {
        long long left = evict(dir, a->max, a->max / 10 * 9, NULL);
        est = left < 0 ? a->max : left;
    }
    write_count(path, est);
    free(path);
    return est;
}

/* Adds the bytes this process wrote to the folder's count; evicts when
 * the count passes the bound. */
static void count_writes(fo_cache *c)
{
    (void)pthread_mutex_lock(&c->mu);
    count_arg a = {c->pending, c->max};
    c->pending = 0;
    (void)pthread_mutex_unlock(&c->mu);
    if (a.added > 0)
        (void)with_lock(c->dir, add_count, &a);
}

void fo_cache_close(fo_cache *c)
{
    if (!c)
        return;
    count_writes(c);
    (void)pthread_mutex_destroy(&c->mu);
    free(c->reported);
    free(c->dir);
    free(c);
}

/* ---- writing ----------------------------------------------------------- */

/* The first failed write: no more writes by this process. */
static void write_failed(fo_cache *c, const char *path, int err)
{
    (void)pthread_mutex_lock(&c->mu);
    int first = !c->read_only;
    c->read_only = 1;
    (void)pthread_mutex_unlock(&c->mu);
    if (first)
        say_note(c, str_printf("cannot write the cache entry '%s' (%s): "
                               "going on without storing in the cache",
                               path, strerror(err)));
}

void fo_cache_put(fo_cache *c, const fo_cache_key *key,
                  const fo_cache_part *parts, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += parts[i].n;
    if ((long long)len > c->max / 8)
        return;
    (void)pthread_mutex_lock(&c->mu);
    int ro = c->read_only;
    unsigned long long seq = ++c->seq;
    (void)pthread_mutex_unlock(&c->mu);
    if (ro)
        return;
    XXH3_state_t *s = new_state();
    for (int i = 0; i < n; i++)
        (void)XXH3_128bits_update(s, parts[i].p, parts[i].n);
    unsigned char h[HDR] = {0};
    memcpy(h, MAGIC, sizeof MAGIC);
    put_u32(h + 8, FO_CACHE_FORMAT);
    memcpy(h + 16, key->b, sizeof key->b);
    put_u64(h + 32, len);
    put_digest(h + 40, XXH3_128bits_digest(s));
    put_u64(h + 56, XXH3_64bits(h, 56));
    XXH3_freeState(s);

    char *path = entry_path(c, key);
    char *shard = fo_path_dirname(path);
    char *tmp = str_printf("%s/.tmp-%ld-%llu", shard, (long)getpid(), seq);
    int err = 0;
    if (mkdir(shard, 0777) != 0 && errno != EEXIST)
        err = errno;
    int fd =
        err ? -1 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && !err)
        err = errno;
    if (fd >= 0 && write_full(fd, h, HDR) != 0)
        err = errno ? errno : EIO;
    for (int i = 0; fd >= 0 && !err && i < n; i++)
        if (write_full(fd, parts[i].p, parts[i].n) != 0)
            err = errno ? errno : EIO;
    if (fd >= 0 && close(fd) != 0 && !err)
        err = errno;
    /* rename replaces an entry another process put there meanwhile: the
     * same bytes, since the key says everything they depend on */
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        (void)unlink(tmp);
        write_failed(c, path, err);
    } else {
        (void)pthread_mutex_lock(&c->mu);
        c->st.stored++;
        c->pending += HDR + (long long)len;
        int flush = c->pending >= c->max / 32;
        (void)pthread_mutex_unlock(&c->mu);
        if (flush) /* a long build or watch: keep within the bound as it
                      goes, not only at the end */
            count_writes(c);
    }
    free(tmp);
    free(shard);
    free(path);
}

/* ---- maintenance ----------------------------------------------------------
 */

fo_status fo_cache_usage(const char *dir, long long *entries, long long *bytes)
{
    *bytes = evict(dir, LLONG_MAX, LLONG_MAX, entries);
    return *bytes < 0 ? FO_ERR_IO : FO_OK;
}

static long long clean_locked(const char *dir, void *unused)
{
    (void)unused;
    long long left = evict(dir, -1, 0, NULL);
    char *path = str_printf("%s/size", dir);
    int err = errno;
    write_count(path, left < 0 ? 0 : left);
    free(path);
    errno = err;
    return left;
}

fo_status fo_cache_clean(const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 && errno == ENOENT)
        return FO_OK;
    long long left = with_lock(dir, clean_locked, NULL);
    if (left != 0) {
        if (left > 0)
            errno = EBUSY;
        return FO_ERR_IO;
    }
    /* the shard folders, now empty (one holding a temporary file of a
     * running build stays) */
    DIR *d = opendir(dir);
    if (!d)
        return FO_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strlen(e->d_name) == 2 && is_hex(e->d_name, 2))
            (void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    (void)closedir(d);
    return FO_OK;
}

long long fo_cache_parse_size(const char *s)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || v < 0)
        return -1;
    int shift = 0;
    switch (*end) {
    case 0:
        break;
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    default:
        return -1;
    }
    if (*end && end[1] != 0)
        return -1;
    if (v > (LLONG_MAX >> shift))
        return -1;
    return v << shift;
}
