/* Hashing: one FNV-1a for the tree (the diagnostics' repeat set, the PDF
 * /ID and subset tags), so that no module spells out its own copy. */
#include "core.h"

uint64_t fo_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL; /* the 64-bit FNV prime */
    }
    return h;
}
