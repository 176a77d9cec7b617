/* Diagnostics: stages report input errors here and carry on, so that one
 * run reports every error; the CLI prints them in the order reported, in
 * the compiler format editors understand: FILE:LINE:COL: error: message. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

void fo_diags_init(fo_diags *d)
{
    d->items = NULL;
    d->n = d->cap = 0;
    d->errors = d->warnings = 0;
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

void fo_diag_vadd_where(fo_diags *d, fo_severity sev, fo_pos pos,
                        const fo_where *where, const char *fmt, va_list ap)
{
    fo_where w = where ? *where : (fo_where){0};
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *msg = fo_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    if (n > 0) /* same format and arguments as the measuring call: fits */
        (void)vsnprintf(msg, (size_t)n + 1, fmt, ap);
    else
        msg[0] = 0;
    if (d->strict && sev == FO_SEV_WARNING)
        sev = FO_SEV_ERROR; /* --strict */
    /* The file name is copied: the arena that holds it (a publication's)
     * may be gone by the time the CLI prints. */
    /* The same problem found again (an image every edition uses, a
     * template style every edition reads) is reported once. */
    for (size_t i = 0; i < d->n; i++) {
        const fo_diag *g = &d->items[i];
        if (g->sev == sev && g->pos.line == pos.line && g->pos.col == pos.col &&
            strcmp(g->message, msg) == 0 && same_str(g->pos.file, pos.file) &&
            same_where(&g->where, &w)) {
            free(msg);
            return;
        }
    }
    char *file = pos.file ? fo_xstrdup(pos.file) : NULL;
    pos.file = file;
    fo_grow((void **)&d->items, sizeof(fo_diag), &d->cap, d->n + 1);
    char *edition = w.edition ? fo_xstrdup(w.edition) : NULL;
    w.edition = edition;
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
