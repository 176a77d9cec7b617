/* cache — a content-addressed store on disk for what folio makes again on
 * every build although its inputs have not changed: the probe of an image
 * file (image/) and the encoded stream of an image XObject (render/
 * pdf_image.c: decoded, converted to CMYK, resampled, encoded again).
 *
 * What it owns: one folder (by default $XDG_CACHE_HOME/folio; the CLI
 * chooses), its entries, their verification, the bound on its size and the
 * eviction of the least recently used entries. What it does not: what an
 * entry means. A caller builds a key from everything its result depends on
 * (fo_cache_key_make: the input's digest and the settings; the cache adds
 * folio's version, build and FO_CACHE_FORMAT), stores bytes under it and
 * gets them back, or a miss.
 *
 * Guarantees:
 *  - A hit returns exactly the bytes stored under that key: every entry
 *    carries a header (magic, format, key, payload length, checksums of the
 *    payload and of the header), checked whole before a byte is returned.
 *    An entry that fails is a miss, removed, and reported once through the
 *    note callback; it never reaches a caller.
 *  - Safe under concurrent builds: an entry is written under a temporary
 *    name in its folder and renamed into place, so a reader sees a whole
 *    entry or none. Processes of `build -j` share one folder.
 *  - Bounded: when the bytes written (counted in a shared file, under a
 *    lock) pass the bound, the entries are listed and the least recently
 *    used (oldest modification time; a hit touches it) removed down to
 *    90 % of the bound. No listing on a plain write.
 *  - Failing to write is never an error of the build: the cache stops
 *    writing for the rest of the process and says so once.
 *
 * Every function is thread-safe on one fo_cache. */
#ifndef FO_CACHE_H
#define FO_CACHE_H

#include "core/core.h"

/* Bumped whenever what an entry holds for a given key changes meaning (an
 * entry's layout, a probe's fields, how an image stream is made), so that
 * older entries are never read: they are not found, then evicted. */
#define FO_CACHE_FORMAT 1
/* The bound when the caller gives none: 1 GiB. */
#define FO_CACHE_DEFAULT_MAX ((long long)1 << 30)
/* Bytes of a digest (XXH3-128). */
#define FO_CACHE_DIGEST 16

typedef struct fo_cache fo_cache;

typedef struct fo_cache_key {
    unsigned char b[FO_CACHE_DIGEST];
} fo_cache_key;

/* A piece of a key's input or of a payload: n bytes at p. */
typedef struct fo_cache_part {
    const void *p;
    size_t n;
} fo_cache_part;

/* Opens the cache in folder dir (made if missing, with its parents),
 * bounded to max_bytes (<= 0: FO_CACHE_DEFAULT_MAX); version is folio's
 * release, mixed into every key with the running program's build id.
 * Checks that the folder can be written (a file is made and removed).
 * NULL when it cannot, with the reason in why ("cannot create the folder:
 * Permission denied"). Close with fo_cache_close. */
fo_cache *fo_cache_open(const char *dir, const char *version,
                        long long max_bytes, char *why, size_t why_len);

/* Where the cache reports, once each, a damaged entry it ignored and the
 * first write that failed: fn(ud, message) with an English sentence
 * naming the file. Called from any thread that uses the cache. */
typedef void (*fo_cache_note_fn)(void *ud, const char *message);
void fo_cache_set_note(fo_cache *c, fo_cache_note_fn fn, void *ud);

/* Adds this process's writes to the shared count (evicting if the bound is
 * passed) and frees c. NULL is fine. */
void fo_cache_close(fo_cache *c);

/* The cache's folder (borrowed, lives as long as c). */
const char *fo_cache_dir(const fo_cache *c);

/* XXH3-128 of p[0..n): the digest keys are made of. Not a cryptographic
 * hash: it tells apart files that differ, not files made to collide. */
void fo_cache_digest(const void *p, size_t n,
                     unsigned char out[FO_CACHE_DIGEST]);
/* The digest of the regular file at path and its size, read in blocks.
 * FO_ERR_IO when it cannot be opened or read or is not a regular file,
 * FO_ERR_LIMIT (not read) when it is larger than max bytes. */
FO_WUR fo_status fo_cache_digest_file(const char *path, long long max,
                                      unsigned char out[FO_CACHE_DIGEST],
                                      long long *size);

/* The same digest of bytes given piece by piece, for a reader that reads
 * a file anyway (the image probe): _new, _update for each piece, then
 * _final writes the digest and frees the hasher. */
typedef struct fo_cache_hasher fo_cache_hasher;
fo_cache_hasher *fo_cache_hasher_new(void);
void fo_cache_hasher_update(fo_cache_hasher *h, const void *p, size_t n);
void fo_cache_hasher_final(fo_cache_hasher *h,
                           unsigned char out[FO_CACHE_DIGEST]);
/* Frees a hasher without its digest. NULL is fine. */
void fo_cache_hasher_free(fo_cache_hasher *h);

/* The key of a result of kind ("probe", "pdf-image") made from the n
 * parts (digests, settings as fixed-width integers), and of this build of
 * folio (version, build id, FO_CACHE_FORMAT). */
fo_cache_key fo_cache_key_make(const fo_cache *c, const char *kind,
                               const fo_cache_part *parts, int n);

/* The payload stored under key, checked (see above): 1 with *data
 * (malloc'd, the caller frees) and *len, and the entry marked as just
 * used; 0 on a miss (none, or damaged: removed and reported). */
int fo_cache_get(fo_cache *c, const fo_cache_key *key, unsigned char **data,
                 size_t *len);

/* Stores the n parts, one after the other, as the payload of key. Payloads
 * over an eighth of the bound are not stored. Failures are noted, never
 * returned: the build goes on without them. */
void fo_cache_put(fo_cache *c, const fo_cache_key *key,
                  const fo_cache_part *parts, int n);

/* What this process did with c: hits, misses (damaged entries included),
 * damaged entries, payloads stored. */
typedef struct fo_cache_stats {
    long long hits, misses, damaged, stored;
} fo_cache_stats;
fo_cache_stats fo_cache_get_stats(const fo_cache *c);

/* The entries in folder dir and their bytes (headers included), counted by
 * listing it; a missing folder holds none. */
FO_WUR fo_status fo_cache_usage(const char *dir, long long *entries,
                                long long *bytes);

/* Removes every entry in folder dir (and the temporary files that ended
 * processes left), keeping the folder. FO_ERR_IO with errno set when an
 * entry cannot be removed. A missing folder is empty already. */
FO_WUR fo_status fo_cache_clean(const char *dir);

/* Parses a size for the bound: a number of bytes with an optional K, M or
 * G (powers of 1024). -1 when s is not one. */
long long fo_cache_parse_size(const char *s);

#endif
