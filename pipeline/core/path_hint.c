/* path_hint — what a "no such file" message adds: where folio looked (the
 * path relative to the project folder, since paths are relative to the
 * file that names them, which surprises people), and a "did you mean" when
 * the file is there under another case (files prepared on Windows and
 * macOS differ in case all the time) or a near name, or relative to the
 * project folder rather than the naming file. Only the folders on the way
 * are listed (one readdir per component of the path). */
#define _XOPEN_SOURCE 700
#include "core.h"

#include <ctype.h>
#include <stdbool.h>
#include <strings.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The entry of folder dir nearest to name: same letters in another case
 * first, then at most 2 edits (and at most a third of its stem); ties go
 * to the first in byte order, so that the hint does not depend on the
 * order readdir lists. NULL if none; caller frees. */
static char *nearest(const char *dir, const char *name)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return NULL;
    char *best = NULL;
    int best_d = 1000;
    /* measured against the name without its extension, so that "x.jpg"
     * is not near "a.jpg" */
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot > name ? (size_t)(dot - name) : strlen(name);
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int dist = strcasecmp(e->d_name, name) == 0
                       ? 0
                       : fo_edit_distance(e->d_name, name, 1);
        if (dist > 2 || (dist > 0 && (size_t)dist * 3 > stem))
            continue;
        if (dist < best_d || (dist == best_d && strcmp(e->d_name, best) < 0)) {
            free(best);
            best = fo_xstrdup(e->d_name);
            best_d = dist;
        }
    }
    closedir(dp);
    return best;
}

/* rel from base, corrected one component at a time where it does not
 * exist but a near entry does; NULL when some component has no near
 * entry, or nothing needed correcting. Caller frees. */
static char *corrected(const char *base, const char *rel)
{
    char *dir = fo_xstrdup(base);
    fo_buf out;
    fo_buf_init(&out, 0);
    bool changed = false, ok = true;
    const char *p = rel;
    while (*p && ok) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char *part = fo_xstrndup(p, n);
        char *path = fo_path_join(dir, part);
        if (n == 0 || strcmp(part, ".") == 0 || strcmp(part, "..") == 0 ||
            exists(path)) {
            free(path);
        } else {
            free(path);
            char *near = nearest(dir, part);
            if (near) {
                free(part);
                part = near;
                changed = true;
            } else {
                ok = false;
            }
        }
        if (ok) {
            char *next = fo_path_join(dir, part);
            free(dir);
            dir = next;
            fo_status st = fo_buf_puts(&out, part);
            if (st == FO_OK && slash)
                st = fo_buf_puts(&out, "/");
            ok = st == FO_OK;
        }
        free(part);
        p = slash ? slash + 1 : p + n;
    }
    free(dir);
    if (!ok || !changed || !exists(base) || !out.data) {
        fo_buf_free(&out);
        return NULL;
    }
    char *r = fo_xstrdup(out.data);
    fo_buf_free(&out);
    return r;
}

/* path made lexically simple: no ".", "..", "//" (".." stays at the start
 * of a relative path). Caller frees. */
static char *simplified(const char *path)
{
    size_t n = strlen(path);
    char *out = fo_xmalloc(n + 2);
    size_t o = 0;
    bool abs = path[0] == '/';
    if (abs)
        out[o++] = '/';
    size_t floor = o; /* what ".." cannot remove */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == 0)
            break;
        if (k == 1 && p[0] == '.') {
            /* nothing */
        } else if (k == 2 && p[0] == '.' && p[1] == '.' && o > floor) {
            while (o > floor && out[o - 1] != '/')
                o--;
            if (o > floor)
                o--; /* the '/' before the removed component */
        } else if (k == 2 && p[0] == '.' && p[1] == '.' && !abs) {
            if (o > floor)
                out[o++] = '/';
            memcpy(out + o, "..", 2);
            o += 2;
            floor = o;
        } else if (!(k == 2 && p[0] == '.' && p[1] == '.')) {
            if (o > 0 && out[o - 1] != '/')
                out[o++] = '/';
            memcpy(out + o, p, k);
            o += k;
        }
        p += k;
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = 0;
    return out;
}

/* path relative to root when it lies inside it, else a copy of path. */
static char *under_root(const char *root, const char *path)
{
    size_t rl = strlen(root);
    if (strncmp(path, root, rl) == 0 && path[rl] == '/')
        return fo_xstrdup(path + rl + 1);
    if (strcmp(path, root) == 0)
        return fo_xstrdup(".");
    return fo_xstrdup(path);
}

char *fo_path_missing_hint(const char *root, const char *base_dir,
                           const char *rel)
{
    char *rroot = realpath(root, NULL);
    char *rbase = realpath(base_dir, NULL);
    if (!rroot || !rbase) {
        free(rroot);
        free(rbase);
        return fo_xstrdup("no such file");
    }
    char *joined = fo_path_join(rbase, rel);
    char *looked = simplified(joined);
    char *shown = under_root(rroot, looked);
    char *base_rel = under_root(rroot, rbase); /* "." or "sections" … */
    char *hint = NULL;
    if (rel[0] != '/') {
        char *fix = corrected(rbase, rel);
        if (fix) {
            hint = fix;
        } else if (strcmp(base_rel, ".") != 0 && base_rel[0] != '/') {
            /* named from a subfolder, but written from the project folder */
            char *from_root = fo_path_join(rroot, rel);
            char *fixed =
                exists(from_root) ? fo_xstrdup(rel) : corrected(rroot, rel);
            free(from_root);
            if (fixed) {
                fo_buf up;
                fo_buf_init(&up, 0);
                fo_status st = FO_OK;
                for (const char *p = base_rel; p && *p && st == FO_OK;) {
                    st = fo_buf_puts(&up, "../");
                    p = strchr(p, '/');
                    p = p ? p + 1 : NULL;
                }
                if (st == FO_OK)
                    st = fo_buf_puts(&up, fixed);
                if (st == FO_OK)
                    hint = fo_xstrdup(up.data);
                fo_buf_free(&up);
                free(fixed);
            }
        }
    }
    size_t n = strlen(shown) + (hint ? strlen(hint) : 0) + 96;
    char *msg = fo_xmalloc(n);
    if (hint)
        (void)snprintf(msg, n,
                       "no such file (looked for '%s' in the project) — did "
                       "you mean '%s'?",
                       shown, hint);
    else
        (void)snprintf(msg, n, "no such file (looked for '%s' in the project)",
                       shown);
    free(hint);
    free(base_rel);
    free(shown);
    free(looked);
    free(joined);
    free(rbase);
    free(rroot);
    return msg;
}
