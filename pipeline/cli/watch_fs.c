/* The file watcher of `folio watch` (watch_fs.h) over Linux inotify.
 *
 * One watch descriptor per folder, with the folder's path kept to name the
 * changed files. Events that mean "this file's content may have changed":
 * IN_CLOSE_WRITE (a write in place), IN_MOVED_TO (a save by rename),
 * IN_CREATE, IN_DELETE, IN_MOVED_FROM and IN_ATTRIB (touch). A folder
 * created below a recursive watch is added when it appears. IN_Q_OVERFLOW
 * (events lost) is reported as a change of everything ("*"). */
#define _XOPEN_SOURCE 700 /* realpath, open_memstream, strtok_r */
#include "cli/watch_fs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Folders watched at most: a runaway tree is cut off, not a reason to
 * exhaust the user's inotify watches. */
#define MAX_DIRS 4096
#define MASK                                                                   \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |    \
     IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

static char **last_lines;
static size_t nlast;
static void forget_lines(char **lines, size_t n);

typedef struct watched {
    int wd;
    char *path; /* canonical */
    int recursive;
} watched;

struct fo_watch {
    int fd;
    char *skip; /* canonical, or NULL */
    watched *dirs;
    size_t n, cap;
};

fo_watch *fo_watch_new(const char *skip_dir, const char **why)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return NULL;
    }
    fo_watch *w = fo_xcalloc(1, sizeof *w);
    w->fd = fd;
    if (skip_dir)
        w->skip = realpath(skip_dir, NULL);
    return w;
}

void fo_watch_free(fo_watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->dirs[i].path);
    free(w->dirs);
    free(w->skip);
    (void)close(w->fd);
    free(w);
    forget_lines(last_lines, nlast);
    last_lines = NULL;
    nlast = 0;
}

/* Hidden files and folders (".git", emacs' ".#x" locks, vim's ".x.swp")
 * and backups ("x~", "#x#"), files and folders alike. */
static int ignored_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n && name[n - 1] == '~') ||
           (n > 1 && name[0] == '#' && name[n - 1] == '#');
}

/* Whether a file's name is one of a kind folio reads: YAML (publication,
 * sections, templates), JPEG and PNG images, fonts, colour profiles.
 * Editors write their temporary files under other names (sed -i's
 * "sedXXXXXX", vim's "4913" probe and ".x.swp", "x.tmp", kate's
 * "x.kate-swp", JetBrains' "x___jb_tmp___") and then rename them over the
 * file, which is seen as a change of the file itself (IN_MOVED_TO): so a
 * rule by kind ignores every editor's temporary files, known or not,
 * where a list of their patterns would miss the next editor's. */
static int content_name(const char *name)
{
    static const char *const kinds[] = {"yaml", "yml", "jpg", "jpeg",
                                        "png",  "ttf", "otf", "ttc",
                                        "icc",  "icm", "conf"};
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcasecmp(dot + 1, kinds[i]) == 0)
            return 1;
    return 0;
}

/* Whether path is the skipped folder or below it. */
static int skipped(const fo_watch *w, const char *path)
{
    size_t n = w->skip ? strlen(w->skip) : 0;
    return n && strncmp(path, w->skip, n) == 0 &&
           (path[n] == 0 || path[n] == '/');
}

static watched *find_wd(const fo_watch *w, int wd)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->dirs[i].wd == wd)
            return &w->dirs[i];
    return NULL;
}

static int add_dir(fo_watch *w, const char *real, int recursive)
{
    if (skipped(w, real) || w->n >= MAX_DIRS)
        return 0;
    int wd = inotify_add_watch(w->fd, real, MASK | IN_ONLYDIR);
    if (wd < 0)
        return -1;
    int added = 0;
    watched *known = find_wd(w, wd);
    if (known) {
        known->recursive |= recursive;
        if (!recursive)
            return 0;
    } else {
        fo_grow((void **)&w->dirs, sizeof *w->dirs, &w->cap, w->n + 1);
        w->dirs[w->n++] = (watched){wd, fo_xstrdup(real), recursive};
        added = 1;
    }
    if (!recursive)
        return added;
    DIR *dir = opendir(real);
    if (!dir)
        return added;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (ignored_name(de->d_name))
            continue;
        char *sub = fo_path_join(real, de->d_name);
        struct stat sb;
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            int k = add_dir(w, sub, 1);
            added += k > 0 ? k : 0;
        }
        free(sub);
    }
    (void)closedir(dir);
    return added;
}

int fo_watch_add(fo_watch *w, const char *dir, int recursive)
{
    char *real = realpath(dir, NULL);
    if (!real)
        return -1;
    int n = add_dir(w, real, recursive);
    free(real);
    return n;
}

static long long now_ms(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends name to changed unless it is there already. */
static void note(fo_buf *changed, const char *path)
{
    size_t n = strlen(path);
    const char *p = changed->data;
    while (p && (p = strstr(p, path)) != NULL) {
        if ((p == changed->data || (p - changed->data >= 2 && p[-2] == ',')) &&
            (p[n] == 0 || p[n] == ','))
            return;
        p += n;
    }
    /* Past the cap the list is cut short: it is only printed. */
    if (changed->len && fo_buf_puts(changed, ", ") != FO_OK)
        return;
    if (fo_buf_puts(changed, path) != FO_OK)
        return;
}

/* Reads the pending events; returns how many count as changes. */
static int drain(fo_watch *w, fo_buf *changed)
{
    int count = 0;
    _Alignas(struct inotify_event) char buf[8192];
    for (;;) {
        ssize_t len = read(w->fd, buf, sizeof buf);
        if (len <= 0)
            return count;
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                note(changed, "*");
                count++;
                continue;
            }
            const watched *dir = find_wd(w, ev->wd);
            if (!dir)
                continue;
            if (ev->len == 0 || ignored_name(ev->name)) {
                if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                    note(changed, dir->path);
                    count++;
                }
                continue;
            }
            char *path = fo_path_join(dir->path, ev->name);
            if (skipped(w, path)) {
                free(path);
                continue;
            }
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
                (void)add_dir(w, path, dir->recursive);
            if (!(ev->mask & IN_ISDIR) && content_name(ev->name)) {
                note(changed, path);
                count++;
            }
            free(path);
        }
    }
}

int fo_watch_wait(fo_watch *w, int debounce_ms, volatile sig_atomic_t *stop,
                  fo_buf *changed)
{
    long long quiet_until = -1; /* after the first change */
    for (;;) {
        if (*stop)
            return 0;
        int timeout = 250;
        if (quiet_until >= 0) {
            long long left = quiet_until - now_ms();
            if (left <= 0)
                return 1;
            timeout = left < timeout ? (int)left : timeout;
        }
        struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r > 0 && drain(w, changed) > 0)
            quiet_until = now_ms() + debounce_ms;
    }
}

/* ---- diagnostics, once per change ---------------------------------------
 * The warnings of the last build, as printed lines, sorted: a rebuild
 * prints a warning again only when it is new or its text changed (its
 * position moved, say), and counts the others in one line; errors are
 * printed every time, since the build they stop is still the last one.
 * One watch runs per process, so the lines are this file's. */
static int by_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void forget_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

void fo_watch_print_diags(const fo_diags *d, FILE *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) { /* out of memory: print them all */
        fo_diags_print(d, out);
        return;
    }
    fo_diags_print(d, mem);
    (void)fclose(mem);
    char **lines = NULL;
    size_t n = 0, cap = 0, same = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        if (strstr(l, ": warning: ")) {
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                lines = fo_xrealloc(lines, cap * sizeof *lines);
            }
            lines[n++] = fo_xstrdup(l);
            if (nlast &&
                bsearch(&l, last_lines, nlast, sizeof *last_lines, by_line)) {
                same++;
                continue;
            }
        }
        (void)fprintf(out, "%s\n", l);
    }
    free(text);
    if (same)
        (void)fprintf(out,
                      "folio: %zu warning%s as before (listed on the proof "
                      "sheet)\n",
                      same, same == 1 ? "" : "s");
    if (n)
        qsort(lines, n, sizeof *lines, by_line);
    forget_lines(last_lines, nlast);
    last_lines = lines;
    nlast = n;
}
