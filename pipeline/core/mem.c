/* Memory helpers, the capped byte buffer, status names and UTF-8 decoding.
 * Out of memory is not recoverable in a batch tool: fo_xmalloc and friends
 * print a message and abort rather than make every caller check. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

const char *fo_status_str(fo_status st)
{
    switch (st) {
    case FO_OK:
        return "ok";
    case FO_ERR_INPUT:
        return "the input has errors";
    case FO_ERR_IO:
        return "input/output error";
    case FO_ERR_LIBRARY:
        return "library failure";
    case FO_ERR_LIMIT:
        return "size limit exceeded";
    case FO_ERR_USAGE:
        return "bad usage";
    }
    return "unknown status";
}

static void oom(size_t n)
{
    (void)fprintf(stderr, "folio: out of memory (%zu bytes)\n", n);
    abort();
}

void *fo_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *fo_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        oom(count * n);
    return p;
}

void *fo_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *fo_xstrdup(const char *s)
{
    return fo_xstrndup(s, strlen(s));
}

char *fo_xstrndup(const char *s, size_t n)
{
    char *p = fo_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void fo_grow(void **items, size_t item_size, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / item_size)
            oom(SIZE_MAX);
        nc *= 2;
    }
    *items = fo_xrealloc(*items, nc * item_size);
    *cap = nc;
}

void fo_buf_init(fo_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

fo_status fo_buf_append(fo_buf *b, const void *p, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n))
        return FO_ERR_LIMIT;
    fo_grow((void **)&b->data, 1, &b->cap, b->len + n + 1);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return FO_OK;
}

fo_status fo_buf_puts(fo_buf *b, const char *s)
{
    return fo_buf_append(b, s, strlen(s));
}

fo_status fo_buf_printf(fo_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return FO_ERR_LIBRARY;
    if ((size_t)n < sizeof small)
        return fo_buf_append(b, small, (size_t)n);
    char *big = fo_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    /* Same format and arguments as the measuring call: fits exactly. */
    (void)vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    fo_status st = fo_buf_append(b, big, (size_t)n);
    free(big);
    return st;
}

void fo_buf_free(fo_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int fo_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    int len;
    uint32_t c, min;
    if ((u[0] & 0xE0) == 0xC0) {
        len = 2, c = u[0] & 0x1F, min = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3, c = u[0] & 0x0F, min = 0x800;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4, c = u[0] & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if ((size_t)len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return len;
}

size_t fo_utf8_len(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; count++) {
        uint32_t cp;
        i += (size_t)fo_utf8_decode(s + i, n - i, &cp);
    }
    return count;
}
