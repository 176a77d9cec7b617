/* The JSON report (report.h). Written by hand rather than through a JSON
 * library: folio only ever writes this one fixed shape, and what it needs
 * is a string escaper (below) and a number format; json-glib would add a
 * dependency for that. SHA-256 comes from GLib's GChecksum. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include "cli/report.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct rep_output {
    char *ed, *profile, *path;
    double write_s;
    fo_report_image *imgs;
    size_t nimgs, imgs_cap;
} rep_output;

typedef struct rep_edition {
    char *ed;
    size_t pages;
    double layout_s, preflight_s;
} rep_edition;

typedef struct rep_link {
    char *ed, *profile, *label, *kind, *written, *url;
    int page;
} rep_link;

typedef struct rep_timing {
    char *what;
    double s;
} rep_timing;

struct fo_report {
    char *command, *pub;
    rep_edition *eds;
    size_t neds, eds_cap;
    rep_output *outs;
    size_t nouts, outs_cap;
    rep_timing *times;
    size_t ntimes, times_cap;
    rep_link *links;
    size_t nlinks, links_cap;
    char **names; /* rule names loaded from jobs (fo_report_load) */
    size_t nnames, names_cap;
};

double fo_report_now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

fo_report *fo_report_new(const char *command, const char *pub_path)
{
    fo_report *r = fo_xcalloc(1, sizeof *r);
    r->command = fo_xstrdup(command);
    r->pub = fo_xstrdup(pub_path);
    return r;
}

void fo_report_free(fo_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->neds; i++)
        free(r->eds[i].ed);
    for (size_t i = 0; i < r->nouts; i++) {
        free(r->outs[i].ed);
        free(r->outs[i].profile);
        free(r->outs[i].path);
        for (size_t k = 0; k < r->outs[i].nimgs; k++)
            free(r->outs[i].imgs[k].file);
        free(r->outs[i].imgs);
    }
    for (size_t i = 0; i < r->ntimes; i++)
        free(r->times[i].what);
    for (size_t i = 0; i < r->nlinks; i++) {
        rep_link *l = &r->links[i];
        free(l->ed);
        free(l->profile);
        free(l->label);
        free(l->kind);
        free(l->written);
        free(l->url);
    }
    free(r->links);
    for (size_t i = 0; i < r->nnames; i++)
        free(r->names[i]);
    free(r->names);
    free(r->eds);
    free(r->outs);
    free(r->times);
    free(r->command);
    free(r->pub);
    free(r);
}

void fo_report_edition(fo_report *r, const char *ed, size_t pages,
                       double layout_s, double preflight_s)
{
    /* build -j may split an edition's profiles over jobs: one entry */
    for (size_t i = 0; i < r->neds; i++) {
        rep_edition *e = &r->eds[i];
        if (strcmp(e->ed, ed) == 0) {
            e->pages = pages > e->pages ? pages : e->pages;
            e->layout_s += layout_s;
            e->preflight_s += preflight_s;
            return;
        }
    }
    fo_grow((void **)&r->eds, sizeof *r->eds, &r->eds_cap, r->neds + 1);
    r->eds[r->neds++] =
        (rep_edition){fo_xstrdup(ed), pages, layout_s, preflight_s};
}

void fo_report_output(fo_report *r, const char *ed, const char *profile,
                      double write_s)
{
    fo_grow((void **)&r->outs, sizeof *r->outs, &r->outs_cap, r->nouts + 1);
    r->outs[r->nouts++] = (rep_output){.ed = fo_xstrdup(ed),
                                       .profile = fo_xstrdup(profile),
                                       .write_s = write_s};
}

void fo_report_image_add(fo_report *r, const char *ed, const char *profile,
                         const fo_report_image *im)
{
    for (size_t i = 0; i < r->nouts; i++) {
        rep_output *o = &r->outs[i];
        if (strcmp(o->ed, ed) == 0 && strcmp(o->profile, profile) == 0) {
            fo_grow((void **)&o->imgs, sizeof *o->imgs, &o->imgs_cap,
                    o->nimgs + 1);
            o->imgs[o->nimgs] = *im;
            o->imgs[o->nimgs++].file = fo_xstrdup(im->file ? im->file : "");
            return;
        }
    }
}

void fo_report_output_path(fo_report *r, const char *ed, const char *profile,
                           const char *path)
{
    for (size_t i = 0; i < r->nouts; i++) {
        rep_output *o = &r->outs[i];
        if (strcmp(o->ed, ed) == 0 && strcmp(o->profile, profile) == 0) {
            free(o->path);
            o->path = fo_xstrdup(path);
            return;
        }
    }
}

static char *dup_or_null(const char *s)
{
    return s ? fo_xstrdup(s) : NULL;
}

void fo_report_link(fo_report *r, const char *ed, const char *profile, int page,
                    const char *label, const char *kind, const char *written,
                    const char *url)
{
    fo_grow((void **)&r->links, sizeof *r->links, &r->links_cap, r->nlinks + 1);
    r->links[r->nlinks++] = (rep_link){fo_xstrdup(ed),
                                       fo_xstrdup(profile),
                                       dup_or_null(label),
                                       fo_xstrdup(kind),
                                       fo_xstrdup(written),
                                       fo_xstrdup(url),
                                       page};
}

void fo_report_timing(fo_report *r, const char *what, double seconds)
{
    fo_grow((void **)&r->times, sizeof *r->times, &r->times_cap, r->ntimes + 1);
    r->times[r->ntimes++] = (rep_timing){fo_xstrdup(what), seconds};
}

/* ---- JSON ------------------------------------------------------------- */

typedef struct json {
    fo_buf b;
    fo_status st;
} json;

static void put(json *j, const char *s)
{
    if (j->st == FO_OK)
        j->st = fo_buf_puts(&j->b, s);
}

/* printf into the report (a macro: fo_buf_printf takes the arguments
 * itself, with their format checked). */
#define putf(j, ...)                                                           \
    do {                                                                       \
        if ((j)->st == FO_OK)                                                  \
            (j)->st = fo_buf_printf(&(j)->b, __VA_ARGS__);                     \
    } while (0)

/* s as a JSON string (RFC 8259): quotes, backslashes and control
 * characters escaped; other bytes as they are (folio's text is UTF-8). */
static void put_str(json *j, const char *s)
{
    if (!s) {
        put(j, "null");
        return;
    }
    put(j, "\"");
    for (const char *p = s; *p && j->st == FO_OK; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            put(j, "\\\"");
        else if (c == '\\')
            put(j, "\\\\");
        else if (c == '\n')
            put(j, "\\n");
        else if (c == '\t')
            put(j, "\\t");
        else if (c < 0x20 || c == 0x7f)
            putf(j, "\\u%04x", c);
        else
            j->st = fo_buf_append(&j->b, p, 1);
    }
    put(j, "\"");
}

/* Seconds with millisecond precision. */
static void put_secs(json *j, double s)
{
    putf(j, "%.3f", s < 0 ? 0 : s);
}

/* The size and SHA-256 (hex) of the file at path; 0 when unreadable. */
static int file_digest(const char *path, long long *size, char hex[65])
{
    char *data = NULL;
    size_t len = 0;
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    if (fo_file_read(path, (size_t)sb.st_size + 1, &data, &len) != FO_OK)
        return 0;
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(ck, (const guchar *)data, (gssize)len);
    (void)g_strlcpy(hex, g_checksum_get_string(ck), 65);
    g_checksum_free(ck);
    free(data);
    *size = (long long)len;
    return 1;
}

static void put_output(json *j, const rep_output *o)
{
    put(j, "{\"profile\": ");
    put_str(j, o->profile);
    put(j, ", \"output\": ");
    long long size = 0;
    char hex[65];
    if (o->path && file_digest(o->path, &size, hex)) {
        put(j, "{\"path\": ");
        put_str(j, o->path);
        putf(j, ", \"bytes\": %lld, \"sha256\": \"%s\"}", size, hex);
    } else {
        put(j, "null");
    }
    put(j, ", \"write_s\": ");
    put_secs(j, o->write_s);
    put(j, ", \"images\": [");
    for (size_t i = 0; i < o->nimgs; i++) {
        const fo_report_image *m = &o->imgs[i];
        put(j, i ? ",\n       {\"file\": " : "\n       {\"file\": ");
        put_str(j, m->file);
        putf(j,
             ", \"pixels\": [%d, %d], \"placed_pt\": [%.2f, %.2f], "
             "\"ppi\": %.1f, \"stored_pixels\": [%d, %d], "
             "\"stored_ppi\": %.1f, \"resampled\": %s}",
             m->width, m->height, m->place_w, m->place_h, m->ppi, m->stored_w,
             m->stored_h, m->stored_ppi,
             m->stored_w != m->width || m->stored_h != m->height ? "true"
                                                                 : "false");
    }
    put(j, "]}");
}

static void put_edition(json *j, const fo_report *r, const rep_edition *e,
                        const fo_diags *d)
{
    int errors = 0, warnings = 0;
    for (size_t i = 0; i < d->n; i++) {
        const fo_diag *g = &d->items[i];
        if (!g->where.edition || strcmp(g->where.edition, e->ed) != 0)
            continue;
        errors += g->sev == FO_SEV_ERROR;
        warnings += g->sev == FO_SEV_WARNING;
    }
    put(j, "    {\"edition\": ");
    put_str(j, e->ed);
    putf(j, ", \"pages\": %zu, \"errors\": %d, \"warnings\": %d", e->pages,
         errors, warnings);
    put(j, ", \"layout_s\": ");
    put_secs(j, e->layout_s);
    put(j, ", \"preflight_s\": ");
    put_secs(j, e->preflight_s);
    put(j, ",\n     \"profiles\": [");
    int first = 1;
    for (size_t i = 0; i < r->nouts; i++) {
        if (strcmp(r->outs[i].ed, e->ed) != 0)
            continue;
        put(j, first ? "\n       " : ",\n       ");
        first = 0;
        put_output(j, &r->outs[i]);
    }
    put(j, first ? "]}" : "\n     ]}");
}

static void put_finding(json *j, const fo_diag *g)
{
    static const char *const sev[] = {"error", "warning", "note"};
    put(j, "    {\"rule\": ");
    put_str(j, g->where.rule);
    putf(j, ", \"severity\": \"%s\", \"file\": ", sev[g->sev]);
    put_str(j, g->pos.file ? g->file : NULL);
    if (g->pos.file && g->pos.line > 0)
        putf(j, ", \"line\": %d, \"column\": %d", g->pos.line, g->pos.col);
    else
        put(j, ", \"line\": null, \"column\": null");
    if (g->where.page > 0)
        putf(j, ", \"page\": %d", g->where.page);
    else
        put(j, ", \"page\": null");
    put(j, ", \"edition\": ");
    put_str(j, g->where.edition);
    put(j, ", \"message\": ");
    put_str(j, g->message);
    if (g->where.has_box)
        putf(j, ", \"box\": [%.2f, %.2f, %.2f, %.2f]", g->where.x, g->where.y,
             g->where.w, g->where.h);
    else
        put(j, ", \"box\": null");
    put(j, "}");
}

static void put_link(json *j, const rep_link *l)
{
    put(j, "    {\"edition\": ");
    put_str(j, l->ed);
    put(j, ", \"profile\": ");
    put_str(j, l->profile);
    putf(j, ", \"page\": %d, \"label\": ", l->page);
    put_str(j, l->label);
    put(j, ", \"kind\": ");
    put_str(j, l->kind);
    put(j, ",\n     \"written\": ");
    put_str(j, l->written);
    put(j, ",\n     \"url\": ");
    put_str(j, l->url);
    put(j, "}");
}

fo_status fo_report_write(fo_report *r, const char *path, const fo_diags *d,
                          int exit_status, fo_diags *err)
{
    json j = {.st = FO_OK};
    fo_buf_init(&j.b, 0);
    putf(&j, "{\n  \"report_version\": %d,\n", FO_REPORT_VERSION);
    putf(&j, "  \"folio_version\": \"%s\",\n  \"command\": ", FO_VERSION);
    put_str(&j, r->command);
    put(&j, ",\n  \"publication\": ");
    put_str(&j, r->pub);
    putf(&j, ",\n  \"exit_status\": %d,\n", exit_status);
    putf(&j, "  \"errors\": %d,\n  \"warnings\": %d,\n", d->errors,
         d->warnings);
    put(&j, "  \"editions\": [");
    for (size_t i = 0; i < r->neds; i++) {
        put(&j, i ? ",\n" : "\n");
        put_edition(&j, r, &r->eds[i], d);
    }
    put(&j, r->neds ? "\n  ],\n" : "],\n");
    put(&j, "  \"findings\": [");
    int first = 1;
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].sev == FO_SEV_NOTE)
            continue;
        put(&j, first ? "\n" : ",\n");
        first = 0;
        put_finding(&j, &d->items[i]);
    }
    put(&j, first ? "],\n" : "\n  ],\n");
    put(&j, "  \"links\": [");
    for (size_t i = 0; i < r->nlinks; i++) {
        put(&j, i ? ",\n" : "\n");
        put_link(&j, &r->links[i]);
    }
    put(&j, r->nlinks ? "\n  ],\n" : "],\n");
    put(&j, "  \"timings\": {");
    for (size_t i = 0; i < r->ntimes; i++) {
        put(&j, i ? ", " : "");
        put_str(&j, r->times[i].what);
        put(&j, ": ");
        put_secs(&j, r->times[i].s);
    }
    put(&j, "}\n}\n");
    fo_status st = j.st;
    if (st == FO_OK)
        st = fo_atomic_write_file(path, j.b.data, j.b.len);
    if (st != FO_OK)
        fo_error(err, (fo_pos){path, 0, 0}, "cannot write the report: %s",
                 st == FO_ERR_IO && errno ? strerror(errno)
                                          : fo_status_str(st));
    fo_buf_free(&j.b);
    return st;
}

/* ---- between the jobs of build -j and their parent ------------------- */

/* A field: tabs, newlines and backslashes escaped; NULL as \N. */
static void save_str(FILE *f, const char *s)
{
    (void)fputc('\t', f);
    if (!s) {
        (void)fputs("\\N", f);
        return;
    }
    for (; *s; s++) {
        if (*s == '\t')
            (void)fputs("\\t", f);
        else if (*s == '\n')
            (void)fputs("\\n", f);
        else if (*s == '\\')
            (void)fputs("\\\\", f);
        else
            (void)fputc(*s, f);
    }
}

fo_status fo_report_save(const fo_report *r, const fo_diags *d, FILE *f)
{
    for (size_t i = 0; i < r->neds; i++) {
        const rep_edition *e = &r->eds[i];
        (void)fputc('E', f);
        save_str(f, e->ed);
        (void)fprintf(f, "\t%zu\t%.6f\t%.6f\n", e->pages, e->layout_s,
                      e->preflight_s);
    }
    for (size_t i = 0; i < r->nouts; i++) {
        const rep_output *o = &r->outs[i];
        (void)fputc('O', f);
        save_str(f, o->ed);
        save_str(f, o->profile);
        (void)fprintf(f, "\t%.6f\n", o->write_s);
        for (size_t k = 0; k < o->nimgs; k++) {
            const fo_report_image *m = &o->imgs[k];
            (void)fputc('I', f);
            save_str(f, o->ed);
            save_str(f, o->profile);
            save_str(f, m->file);
            (void)fprintf(f, "\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\n",
                          m->width, m->height, m->stored_w, m->stored_h,
                          m->place_w, m->place_h, m->ppi, m->stored_ppi);
        }
    }
    for (size_t i = 0; i < r->nlinks; i++) {
        const rep_link *l = &r->links[i];
        (void)fputc('L', f);
        save_str(f, l->ed);
        save_str(f, l->profile);
        (void)fprintf(f, "\t%d", l->page);
        save_str(f, l->label);
        save_str(f, l->kind);
        save_str(f, l->written);
        save_str(f, l->url);
        (void)fputc('\n', f);
    }
    for (size_t i = 0; i < d->n; i++) {
        const fo_diag *g = &d->items[i];
        const fo_where *w = &g->where;
        (void)fprintf(f, "D\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f",
                      (int)g->sev, g->pos.line, g->pos.col, w->page, w->has_box,
                      w->x, w->y, w->w, w->h);
        save_str(f, w->rule);
        save_str(f, w->edition);
        save_str(f, g->pos.file ? g->file : NULL);
        save_str(f, g->message);
        (void)fputc('\n', f);
    }
    return fflush(f) == 0 && !ferror(f) ? FO_OK : FO_ERR_IO;
}

/* Splits line (modified in place) at tabs into at most max fields,
 * unescaping each; NULL for \N. Returns the number of fields. */
static int split_fields(char *line, char **v, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *start = p, *out = p;
        while (*p && *p != '\t' && *p != '\n') {
            if (*p == '\\' && p[1]) {
                p++;
                *out++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
                if (*p == 'N' && out - 1 == start &&
                    (p[1] == '\t' || !p[1] || p[1] == '\n'))
                    start = NULL;
                p++;
            } else {
                *out++ = *p++;
            }
        }
        char end = *p;
        *out = 0;
        v[n++] = start;
        if (end != '\t')
            break;
        p++;
    }
    return n;
}

/* fo_where's rule is a static string where the preflight and layout make
 * it; a loaded one is kept in the report, which the parent's fo_diags
 * then must not outlive. */
static const char *intern(fo_report *r, const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < r->nnames; i++)
        if (strcmp(r->names[i], s) == 0)
            return r->names[i];
    fo_grow((void **)&r->names, sizeof *r->names, &r->names_cap, r->nnames + 1);
    r->names[r->nnames] = fo_xstrdup(s);
    return r->names[r->nnames++];
}

void fo_report_load(fo_report *r, fo_diags *d, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    rewind(f);
    while (getline(&line, &cap, f) >= 0) {
        char *v[16];
        int n = split_fields(line, v, 16);
        if (n == 5 && strcmp(v[0], "E") == 0 && v[1])
            fo_report_edition(r, v[1], strtoull(v[2], NULL, 10),
                              strtod(v[3], NULL), strtod(v[4], NULL));
        else if (n == 4 && strcmp(v[0], "O") == 0 && v[1] && v[2])
            fo_report_output(r, v[1], v[2], strtod(v[3], NULL));
        else if (n == 8 && strcmp(v[0], "L") == 0 && v[1] && v[2] && v[5] &&
                 v[6] && v[7])
            fo_report_link(r, v[1], v[2], atoi(v[3]), v[4], v[5], v[6], v[7]);
        else if (n == 12 && strcmp(v[0], "I") == 0 && v[1] && v[2]) {
            fo_report_image m = {.file = v[3],
                                 .width = atoi(v[4]),
                                 .height = atoi(v[5]),
                                 .stored_w = atoi(v[6]),
                                 .stored_h = atoi(v[7]),
                                 .place_w = strtod(v[8], NULL),
                                 .place_h = strtod(v[9], NULL),
                                 .ppi = strtod(v[10], NULL),
                                 .stored_ppi = strtod(v[11], NULL)};
            fo_report_image_add(r, v[1], v[2], &m);
        } else if (n == 14 && strcmp(v[0], "D") == 0 && v[13]) {
            fo_where w = {.rule = intern(r, v[10]),
                          .edition = v[11],
                          .page = atoi(v[4]),
                          .has_box = atoi(v[5]),
                          .x = strtod(v[6], NULL),
                          .y = strtod(v[7], NULL),
                          .w = strtod(v[8], NULL),
                          .h = strtod(v[9], NULL)};
            fo_pos pos = {v[12], atoi(v[2]), atoi(v[3])};
            int sev = atoi(v[1]);
            fo_diag_add_where(d,
                              sev == FO_SEV_ERROR     ? FO_SEV_ERROR
                              : sev == FO_SEV_WARNING ? FO_SEV_WARNING
                                                      : FO_SEV_NOTE,
                              pos, &w, "%s", v[13]);
        }
    }
    free(line);
}
