/* Diagnostics: stages report input errors here and carry on, so that one
 * run reports every error; the CLI prints them in the order reported, in
 * the compiler format editors understand: FILE:LINE:COL: error: message. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

/* An entry of the set of diagnostics reported so far: the hash of one item
 * and its index + 1 (0: free slot). The set is hand-written rather than
 * GLib's GHashTable because core depends on no library (see core.h); it
 * is open addressing with linear probing, kept at most half full. */
struct fo_diag_slot {
    uint64_t hash;
    size_t at;
};

void fo_diags_init(fo_diags *d)
{
    d->items = NULL;
    d->n = d->cap = 0;
    d->errors = d->warnings = 0;
    d->seen = NULL;
    d->nseen = 0;
    d->strict = 0;
}

void fo_diags_free(fo_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].message);
        free(d->items[i].file);
        free(d->items[i].edition);
    }
    free(d->items);
    free(d->seen);
    fo_diags_init(d);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_where(const fo_where *a, const fo_where *b)
{
    return same_str(a->rule, b->rule) && same_str(a->edition, b->edition) &&
           a->page == b->page && a->has_box == b->has_box &&
           (!a->has_box ||
            (a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h));
}

/* Whether g reports the same thing as (sev, pos, msg, w): what makes a
 * repeat. The hash below covers exactly these fields. */
static int same_diag(const fo_diag *g, fo_severity sev, fo_pos pos,
                     const char *msg, const fo_where *w)
{
    return g->sev == sev && g->pos.line == pos.line && g->pos.col == pos.col &&
           strcmp(g->message, msg) == 0 && same_str(g->pos.file, pos.file) &&
           same_where(&g->where, w);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    /* NULL and "" hash alike: same_str still tells them apart */
    return s ? fo_hash(h, s, strlen(s) + 1) : fo_hash(h, "", 1);
}

static uint64_t hash_int(uint64_t h, long long v)
{
    return fo_hash(h, &v, sizeof v);
}

static uint64_t hash_double(uint64_t h, double v)
{
    if (v == 0)
        v = 0; /* -0.0 == 0.0 in same_where: one hash for both */
    return fo_hash(h, &v, sizeof v);
}

static uint64_t hash_diag(fo_severity sev, fo_pos pos, const char *msg,
                          const fo_where *w)
{
    uint64_t h = FO_HASH_SEED;
    h = hash_int(h, sev);
    h = hash_int(h, pos.line);
    h = hash_int(h, pos.col);
    h = hash_str(h, pos.file);
    h = hash_str(h, msg);
    h = hash_str(h, w->rule);
    h = hash_str(h, w->edition);
    h = hash_int(h, w->page);
    h = hash_int(h, w->has_box);
    if (w->has_box) {
        h = hash_double(h, w->x);
        h = hash_double(h, w->y);
        h = hash_double(h, w->w);
        h = hash_double(h, w->h);
    }
    return h;
}

/* Puts item index at (its hash h) into a set of nseen slots with room. */
static void set_put(fo_diag_slot *seen, size_t nseen, uint64_t h, size_t at)
{
    size_t i = (size_t)h & (nseen - 1);
    while (seen[i].at)
        i = (i + 1) & (nseen - 1);
    seen[i] = (fo_diag_slot){h, at + 1};
}

/* Doubles the set when it would be more than half full after one more. */
static void set_reserve(fo_diags *d)
{
    if (2 * (d->n + 1) <= d->nseen)
        return;
    size_t n = d->nseen ? 2 * d->nseen : 64;
    fo_diag_slot *seen = fo_xcalloc(n, sizeof *seen);
    for (size_t i = 0; i < d->nseen; i++)
        if (d->seen[i].at)
            set_put(seen, n, d->seen[i].hash, d->seen[i].at - 1);
    free(d->seen);
    d->seen = seen;
    d->nseen = n;
}

/* The character at s[i] (of n bytes): its length in bytes, and whether
 * fo_escape_controls rewrites it (C0 controls, DEL, C1 controls, and
 * bytes that are not UTF-8, which count as one byte each). */
static size_t next_char(const unsigned char *s, size_t n, size_t i, int *escape)
{
    if (s[i] < 0x80) {
        *escape = s[i] < 0x20 || s[i] == 0x7F;
        return 1;
    }
    uint32_t cp;
    int len = fo_utf8_decode((const char *)s + i, n - i, &cp);
    /* a real U+FFFD is 3 bytes: 1 byte means not UTF-8 */
    *escape = (cp == 0xFFFD && len == 1) || (cp >= 0x80 && cp <= 0x9F);
    return (size_t)len;
}

char *fo_escape_controls(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t extra = 0;
    int esc;
    for (size_t i = 0; i < n;) {
        i += next_char(s, n, i, &esc);
        extra += esc ? 6 : 0;
    }
    char *out = fo_xmalloc(n + extra + 1);
    if (!extra) { /* the usual case: nothing to rewrite */
        memcpy(out, str, n);
        out[n] = 0;
        return out;
    }
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = next_char(s, n, i, &esc);
        unsigned c = s[i];
        const char *named = c == 0x1B   ? "\\e"
                            : c == '\n' ? "\\n"
                            : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t"
                                        : NULL;
        if (!esc) {
            memcpy(out + o, s + i, k);
            o += k;
        } else if (named) {
            memcpy(out + o, named, 2);
            o += 2;
        } else if (k == 2) { /* C1: U+0080..U+009F, 6 bytes at most */
            unsigned cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[cp >> 4];
            out[o + 5] = hex[cp & 0xF];
            o += 6;
        } else {
            out[o] = '\\';
            out[o + 1] = 'x';
            out[o + 2] = hex[c >> 4];
            out[o + 3] = hex[c & 0xF];
            o += 4;
        }
        i += k;
    }
    out[o] = 0;
    return out;
}

/* A malloc'd copy of s, escaped when it needs to be; NULL for NULL. */
static char *escaped_copy(const char *s)
{
    return s ? fo_escape_controls(s, strlen(s)) : NULL;
}

void fo_diag_vadd_where(fo_diags *d, fo_severity sev, fo_pos pos,
                        const fo_where *where, const char *fmt, va_list ap)
{
    fo_where w = where ? *where : (fo_where){0};
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *raw = fo_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    if (n > 0) /* same format and arguments as the measuring call: fits */
        (void)vsnprintf(raw, (size_t)n + 1, fmt, ap);
    else
        raw[0] = 0;
    /* Messages quote the input (names, paths, texts): escaped here, where
     * every diagnostic passes, both the terminal and any report made from
     * fo_diag.message get text that cannot move a cursor or clear a
     * screen. The file name is copied (and escaped likewise): the arena
     * that holds it (a publication's) may be gone by the time the CLI
     * prints. */
    if (d->strict && sev == FO_SEV_WARNING)
        sev = FO_SEV_ERROR; /* --strict */
    char *msg = fo_escape_controls(raw, n > 0 ? (size_t)n : 0);
    free(raw);
    char *file = escaped_copy(pos.file);
    char *edition = escaped_copy(w.edition);
    pos.file = file;
    w.edition = edition;
    /* The same problem found again (an image every edition uses, a
     * template style every edition reads, a file included many times) is
     * reported once. A hash set finds the repeat: comparing with every
     * earlier diagnostic made 300,000 alias errors take about a minute. */
    uint64_t h = hash_diag(sev, pos, msg, &w);
    for (size_t i = d->nseen ? (size_t)h & (d->nseen - 1) : 0;
         d->nseen && d->seen[i].at; i = (i + 1) & (d->nseen - 1)) {
        const fo_diag *g = &d->items[d->seen[i].at - 1];
        if (d->seen[i].hash == h && same_diag(g, sev, pos, msg, &w)) {
            free(msg);
            free(file);
            free(edition);
            return;
        }
    }
    set_reserve(d);
    set_put(d->seen, d->nseen, h, d->n);
    fo_grow((void **)&d->items, sizeof(fo_diag), &d->cap, d->n + 1);
    d->items[d->n++] = (fo_diag){sev, pos, msg, file, w, edition};
    if (sev == FO_SEV_ERROR)
        d->errors++;
    else if (sev == FO_SEV_WARNING)
        d->warnings++;
}

void fo_diag_vadd(fo_diags *d, fo_severity sev, fo_pos pos, const char *fmt,
                  va_list ap)
{
    fo_diag_vadd_where(d, sev, pos, NULL, fmt, ap);
}

void fo_diag_add_where(fo_diags *d, fo_severity sev, fo_pos pos,
                       const fo_where *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fo_diag_vadd_where(d, sev, pos, where, fmt, ap);
    va_end(ap);
}

void fo_diag_add(fo_diags *d, fo_severity sev, fo_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fo_diag_vadd(d, sev, pos, fmt, ap);
    va_end(ap);
}

void fo_error(fo_diags *d, fo_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fo_diag_vadd(d, FO_SEV_ERROR, pos, fmt, ap);
    va_end(ap);
}

void fo_warning(fo_diags *d, fo_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fo_diag_vadd(d, FO_SEV_WARNING, pos, fmt, ap);
    va_end(ap);
}

/* " (page N, edition E)" after a finding's message. */
static void print_where(const fo_where *w, FILE *out)
{
    if (w->page > 0 && w->edition)
        (void)fprintf(out, " (page %d, edition %s)", w->page, w->edition);
    else if (w->page > 0)
        (void)fprintf(out, " (page %d)", w->page);
    else if (w->edition)
        (void)fprintf(out, " (edition %s)", w->edition);
}

void fo_diags_print(const fo_diags *d, FILE *out)
{
    static const char *names[] = {"error", "warning", "note"};
    for (size_t i = 0; i < d->n; i++) {
        const fo_diag *g = &d->items[i];
        if (d->quiet && g->sev != FO_SEV_ERROR)
            continue;
        if (g->pos.file && g->pos.line > 0)
            (void)fprintf(out, "%s:%d:%d: %s: %s", g->pos.file, g->pos.line,
                          g->pos.col, names[g->sev], g->message);
        else if (g->pos.file)
            (void)fprintf(out, "%s: %s: %s", g->pos.file, names[g->sev],
                          g->message);
        else
            (void)fprintf(out, "folio: %s: %s", names[g->sev], g->message);
        print_where(&g->where, out);
        (void)fputc('\n', out);
    }
}
