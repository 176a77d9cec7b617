/* A bump allocator in chunks. One arena per document (nodes, strings,
 * styles) and one per page (display list), each freed in one call, so the
 * stages never free small objects one by one. Large requests get a chunk of
 * their own so that a big string does not waste the rest of a chunk. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

enum { CHUNK = 64 * 1024, ALIGN = 16 };

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk;

struct fo_arena {
    chunk *head;
    size_t used;
};

fo_arena *fo_arena_new(void)
{
    return fo_xcalloc(1, sizeof(fo_arena));
}

void fo_arena_free(fo_arena *a)
{
    if (!a)
        return;
    for (chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *fo_arena_alloc(fo_arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK / 4 ? n : CHUNK;
        chunk *nc = fo_xmalloc(sizeof(chunk) + size);
        nc->size = size;
        nc->used = 0;
        if (c && size == n) {
            /* A big block goes behind the current chunk, which keeps its
             * free room for the small allocations that follow. */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    a->used += n;
    memset(p, 0, n);
    return p;
}

char *fo_arena_strndup(fo_arena *a, const char *s, size_t n)
{
    char *p = fo_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *fo_arena_strdup(fo_arena *a, const char *s)
{
    return fo_arena_strndup(a, s, strlen(s));
}

char *fo_arena_printf(fo_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return fo_arena_strdup(a, "");
    char *p = fo_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    /* Cannot fail or truncate: same format and arguments as the measuring
     * call above, into a buffer of the size it reported. */
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t fo_arena_used(const fo_arena *a)
{
    return a->used;
}
