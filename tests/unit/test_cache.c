/* Unit tests for cache: what is stored comes back byte for byte; every
 * kind of damage to an entry (truncated, a byte flipped in its payload or
 * header, another entry's file in its place) is a miss that is reported
 * once and removed, never a wrong payload; the bound is kept by evicting
 * the least recently used entries, a hit counting as a use; threads that
 * write and read the same keys at once only ever see whole payloads; a
 * folder that cannot be written is refused at open, and a write that fails
 * later stops the writes with one note. */
#define _GNU_SOURCE /* mkdtemp, utimensat */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cache/cache.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct notes {
    int n;
    char last[512];
} notes;

static void on_note(void *ud, const char *msg)
{
    notes *ns = ud;
    ns->n++;
    (void)snprintf(ns->last, sizeof ns->last, "%s", msg);
}

static char *tmp_dir(void)
{
    char tmpl[] = "/tmp/fo-cache-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void rm_rf(const char *dir)
{
    char cmd[600];
    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static fo_cache *open_ok(const char *dir, long long max, notes *ns)
{
    char why[200] = "";
    fo_cache *c = fo_cache_open(dir, "test", max, why, sizeof why);
    assert_non_null(c);
    assert_string_equal(why, "");
    if (ns)
        fo_cache_set_note(c, on_note, ns);
    return c;
}

static fo_cache_key key_of(const fo_cache *c, int i)
{
    fo_cache_part p = {&i, sizeof i};
    return fo_cache_key_make(c, "test", &p, 1);
}

static char *path_of(const char *dir, const fo_cache_key *k)
{
    char hex[33];
    for (int i = 0; i < 16; i++)
        (void)snprintf(hex + 2 * i, 3, "%02x", k->b[i]);
    char *p = malloc(strlen(dir) + 40);
    (void)sprintf(p, "%s/%.2s/%s", dir, hex, hex + 2);
    return p;
}

/* A payload of n bytes that depends on seed. */
static unsigned char *payload(size_t n, int seed)
{
    unsigned char *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + (size_t)seed * 7);
    return p;
}

static void put_one(fo_cache *c, const fo_cache_key *k, const unsigned char *p,
                    size_t n)
{
    /* in two parts, as pdf_image.c stores samples and alpha */
    fo_cache_part parts[2] = {{p, n / 3}, {p + n / 3, n - n / 3}};
    fo_cache_put(c, k, parts, 2);
}

static void expect_hit(fo_cache *c, const fo_cache_key *k,
                       const unsigned char *p, size_t n)
{
    unsigned char *got;
    size_t len;
    assert_int_equal(fo_cache_get(c, k, &got, &len), 1);
    assert_int_equal(len, n);
    assert_memory_equal(got, p, n);
    free(got);
}

static void expect_miss(fo_cache *c, const fo_cache_key *k)
{
    static unsigned char junk[1];
    unsigned char *got = junk;
    size_t len = 1;
    assert_int_equal(fo_cache_get(c, k, &got, &len), 0);
    assert_null(got);
    assert_int_equal(len, 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    fo_cache *c = open_ok(dir, 0, NULL);
    fo_cache_key k = key_of(c, 1), other = key_of(c, 2);
    expect_miss(c, &k);
    unsigned char *p = payload(10000, 1);
    put_one(c, &k, p, 10000);
    expect_hit(c, &k, p, 10000);
    expect_miss(c, &other);
    /* an empty payload is a payload */
    fo_cache_put(c, &other, NULL, 0);
    expect_hit(c, &other, p, 0);
    fo_cache_stats st = fo_cache_get_stats(c);
    assert_int_equal(st.hits, 2);
    assert_int_equal(st.misses, 2);
    assert_int_equal(st.stored, 2);
    assert_int_equal(st.damaged, 0);
    fo_cache_close(c);
    /* another process (a new open) finds them */
    c = open_ok(dir, 0, NULL);
    expect_hit(c, &k, p, 10000);
    long long n = 0, bytes = 0;
    assert_int_equal(fo_cache_usage(dir, &n, &bytes), FO_OK);
    assert_int_equal(n, 2);
    assert_int_equal(bytes, 64 + 10000 + 64);
    assert_int_equal(fo_cache_clean(dir), FO_OK);
    assert_int_equal(fo_cache_usage(dir, &n, &bytes), FO_OK);
    assert_int_equal(n, 0);
    assert_int_equal(bytes, 0);
    expect_miss(c, &k);
    fo_cache_close(c);
    free(p);
    rm_rf(dir);
    free(dir);
}

static void test_keys(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    fo_cache *c = open_ok(dir, 0, NULL);
    fo_cache_part ab_c[2] = {{"ab", 2}, {"c", 1}};
    fo_cache_part a_bc[2] = {{"a", 1}, {"bc", 2}};
    fo_cache_key k1 = fo_cache_key_make(c, "probe", ab_c, 2);
    fo_cache_key k2 = fo_cache_key_make(c, "probe", a_bc, 2);
    fo_cache_key k3 = fo_cache_key_make(c, "pdf-image", ab_c, 2);
    fo_cache_key k4 = fo_cache_key_make(c, "probe", ab_c, 2);
    assert_memory_not_equal(k1.b, k2.b, 16);
    assert_memory_not_equal(k1.b, k3.b, 16);
    assert_memory_equal(k1.b, k4.b, 16);
    /* another version of folio makes other keys */
    char why[100];
    fo_cache *v2 = fo_cache_open(dir, "test2", 0, why, sizeof why);
    assert_non_null(v2);
    fo_cache_key k5 = fo_cache_key_make(v2, "probe", ab_c, 2);
    assert_memory_not_equal(k1.b, k5.b, 16);
    fo_cache_close(v2);
    /* digests: of bytes, and of a file the same */
    unsigned char d1[16], d2[16];
    fo_cache_digest("hello", 5, d1);
    char *f = malloc(strlen(dir) + 8);
    (void)sprintf(f, "%s/f", dir);
    FILE *fp = fopen(f, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite("hello", 1, 5, fp), 5);
    assert_int_equal(fclose(fp), 0);
    long long size = 0;
    assert_int_equal(fo_cache_digest_file(f, 100, d2, &size), FO_OK);
    assert_int_equal(size, 5);
    assert_memory_equal(d1, d2, 16);
    assert_int_equal(fo_cache_digest_file(f, 4, d2, &size), FO_ERR_LIMIT);
    assert_int_equal(fo_cache_digest_file(dir, 100, d2, &size), FO_ERR_IO);
    free(f);
    fo_cache_close(c);
    rm_rf(dir);
    free(dir);
}

/* Damages the entry file at path: how 0 truncates it, 1 flips a payload
 * byte, 2 flips a header byte (in the payload's length), 3 replaces it by
 * the file at other. */
static void damage(const char *path, int how, const char *other)
{
    if (how == 3) {
        char cmd[600];
        (void)snprintf(cmd, sizeof cmd, "cp '%s' '%s'", other, path);
        assert_int_equal(system(cmd), 0);
        return;
    }
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    if (how == 0) {
        assert_int_equal(ftruncate(fd, 64 + 100), 0);
    } else {
        off_t at = how == 1 ? 64 + 500 : 33;
        unsigned char b;
        assert_int_equal(pread(fd, &b, 1, at), 1);
        b ^= 0x10;
        assert_int_equal(pwrite(fd, &b, 1, at), 1);
    }
    assert_int_equal(close(fd), 0);
}

static void test_damage(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    notes ns = {0};
    fo_cache *c = open_ok(dir, 0, &ns);
    static const char *const reason[4] = {"its length differs from the file's",
                                          "payload checksum", "header checksum",
                                          "another key"};
    unsigned char *p = payload(4000, 2), *q = payload(4000, 3);
    fo_cache_key other = key_of(c, 99);
    put_one(c, &other, q, 4000);
    char *other_path = path_of(dir, &other);
    for (int how = 0; how < 4; how++) {
        fo_cache_key k = key_of(c, how);
        char *path = path_of(dir, &k);
        put_one(c, &k, p, 4000);
        expect_hit(c, &k, p, 4000);
        damage(path, how, other_path);
        int before = ns.n;
        expect_miss(c, &k);
        assert_int_equal(ns.n, before + 1);
        assert_non_null(strstr(ns.last, path));
        assert_non_null(strstr(ns.last, reason[how]));
        assert_int_equal(access(path, F_OK), -1); /* removed */
        /* made again: a hit, and no second note */
        put_one(c, &k, p, 4000);
        expect_hit(c, &k, p, 4000);
        assert_int_equal(ns.n, before + 1);
        free(path);
    }
    assert_int_equal(fo_cache_get_stats(c).damaged, 4);
    free(other_path);
    free(p);
    free(q);
    fo_cache_close(c);
    rm_rf(dir);
    free(dir);
}

static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_evict_lru(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    const long long max = 64 << 10;
    const size_t n = 4000, entry = 64 + n;
    fo_cache *c = open_ok(dir, max, NULL);
    unsigned char *p = payload(n, 4);
    fo_cache_key k[17];
    time_t t0 = time(NULL) - 1000;
    for (int i = 0; i < 14; i++) {
        k[i] = key_of(c, i);
        put_one(c, &k[i], p, n);
        char *path = path_of(dir, &k[i]);
        set_mtime(path, t0 + i); /* k[0] the least recently used */
        free(path);
    }
    long long count, bytes;
    assert_int_equal(fo_cache_usage(dir, &count, &bytes), FO_OK);
    assert_int_equal(count, 14); /* under the bound: nothing evicted */
    expect_hit(c, &k[0], p, n);  /* now the most recently used */
    for (int i = 14; i < 17; i++) {
        k[i] = key_of(c, i);
        put_one(c, &k[i], p, n);
    }
    /* 17 entries pass 64 KiB: down to 90 % of it, the oldest first */
    assert_int_equal(fo_cache_usage(dir, &count, &bytes), FO_OK);
    assert_true(bytes <= max / 10 * 9);
    assert_int_equal(count, (max / 10 * 9) / (long long)entry);
    expect_hit(c, &k[0], p, n);
    int evicted = 17 - (int)count;
    for (int i = 1; i <= evicted; i++)
        expect_miss(c, &k[i]);
    for (int i = evicted + 1; i < 17; i++)
        expect_hit(c, &k[i], p, n);
    /* a payload over an eighth of the bound is not stored */
    unsigned char *big = payload((size_t)max / 8 + 1, 5);
    fo_cache_key kb = key_of(c, 1000);
    fo_cache_part part = {big, (size_t)max / 8 + 1};
    fo_cache_put(c, &kb, &part, 1);
    expect_miss(c, &kb);
    free(big);
    free(p);
    fo_cache_close(c);
    rm_rf(dir);
    free(dir);
}

static void test_unwritable(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    /* a folder under a file cannot be made (root may write anywhere) */
    char *f = malloc(strlen(dir) + 20);
    (void)sprintf(f, "%s/file", dir);
    FILE *fp = fopen(f, "wb");
    assert_non_null(fp);
    assert_int_equal(fclose(fp), 0);
    char *sub = malloc(strlen(f) + 20);
    (void)sprintf(sub, "%s/cache", f);
    char why[200] = "";
    assert_null(fo_cache_open(sub, "test", 0, why, sizeof why));
    assert_string_equal(why, "cannot create the folder: Not a directory");
    /* a folder that goes away after open: writes stop, one note */
    char *gone = malloc(strlen(dir) + 20);
    (void)sprintf(gone, "%s/gone", dir);
    notes ns = {0};
    fo_cache *c = open_ok(gone, 0, &ns);
    rm_rf(gone);
    unsigned char *p = payload(100, 6);
    for (int i = 0; i < 3; i++) {
        fo_cache_key k = key_of(c, i);
        put_one(c, &k, p, 100);
        expect_miss(c, &k);
    }
    assert_int_equal(ns.n, 1);
    assert_non_null(strstr(ns.last, "cannot write the cache entry"));
    assert_non_null(strstr(ns.last, "No such file or directory"));
    assert_int_equal(fo_cache_get_stats(c).stored, 0);
    fo_cache_close(c);
    free(p);
    free(gone);
    free(sub);
    free(f);
    rm_rf(dir);
    free(dir);
}

typedef struct racer {
    fo_cache *c;
    int id;
    int bad;
} racer;

#define RACE_KEYS 8
#define RACE_LEN 20000

static void *race(void *arg)
{
    racer *r = arg;
    for (int round = 0; round < 40; round++)
        for (int i = 0; i < RACE_KEYS; i++) {
            fo_cache_key k = key_of(r->c, i);
            unsigned char *want = payload(RACE_LEN, i);
            unsigned char *got;
            size_t len;
            if (fo_cache_get(r->c, &k, &got, &len)) {
                r->bad += len != RACE_LEN || memcmp(got, want, len) != 0;
                free(got);
            }
            if ((round + r->id) % 3 == 0)
                put_one(r->c, &k, want, RACE_LEN);
            free(want);
        }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    notes ns = {0};
    fo_cache *c = open_ok(dir, 0, &ns);
    pthread_t t[4];
    racer r[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (racer){c, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(r[i].bad, 0);
    }
    assert_int_equal(ns.n, 0); /* no entry was ever seen half-written */
    assert_int_equal(fo_cache_get_stats(c).damaged, 0);
    fo_cache_close(c);
    rm_rf(dir);
    free(dir);
}

static void test_parse_size(void **state)
{
    (void)state;
    assert_int_equal(fo_cache_parse_size("1000"), 1000);
    assert_int_equal(fo_cache_parse_size("4K"), 4096);
    assert_int_equal(fo_cache_parse_size("3m"), 3 << 20);
    assert_int_equal(fo_cache_parse_size("2G"), 2LL << 30);
    assert_int_equal(fo_cache_parse_size(""), -1);
    assert_int_equal(fo_cache_parse_size("-1"), -1);
    assert_int_equal(fo_cache_parse_size("1T"), -1);
    assert_int_equal(fo_cache_parse_size("1KB"), -1);
    assert_int_equal(fo_cache_parse_size("99999999999999999999"), -1);
    assert_int_equal(fo_cache_parse_size("9999999999999G"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_keys),
        cmocka_unit_test(test_damage),     cmocka_unit_test(test_evict_lru),
        cmocka_unit_test(test_unwritable), cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_parse_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
