/* The Flate stream of an output intent's ICC profile, made exactly as
 * libharu makes a stream it compresses itself (zlib's default level, the
 * data in 4096-byte pieces), so that a profile deflated ahead of time,
 * when folio is built (cmake/icc_pack.c), gives the bytes libharu would.
 * Plain zlib and libc: the build's packing tool compiles this file too. */
#ifndef FO_ICC_FLATE_H
#define FO_ICC_FLATE_H

#include <stddef.h>

/* p[0..n) deflated; malloc'd (the caller frees), *out_len its length.
 * NULL when memory or zlib fails. */
unsigned char *fo_icc_flate(const unsigned char *p, size_t n, size_t *out_len);

/* The profile packed when folio was built (fo_icc_packed.c, made by
 * cmake/icc_pack.c from assets/profiles/ISOcoated_v2_300_bas.icc): its
 * XXH3-128 and length, the zlib version that deflated it, and the Flate
 * bytes. */
extern const unsigned char fo_icc_packed_digest[16];
extern const size_t fo_icc_packed_raw_len;
extern const char fo_icc_packed_zlib[];
extern const unsigned char fo_icc_packed[];
extern const size_t fo_icc_packed_len;

#endif
