/* The cache as the command line sees it (cache_cmd.h). A cache is never a
 * reason for a build to fail: a folder that cannot be used is a warning,
 * a damaged entry a warning (the entry is made again), and the build's
 * output is the same bytes with the cache, without it, or with a damaged
 * one. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cache_cmd.h"

#include "image/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_USAGE = 2 };

static fo_cache *the_cache;
static int started;

static int is_off(const char *v)
{
    return strcmp(v, "off") == 0 || strcmp(v, "0") == 0 ||
           strcmp(v, "no") == 0 || strcmp(v, "false") == 0;
}

char *fo_cli_cache_dir(const char *opt_dir, int no_cache)
{
    if (no_cache)
        return NULL;
    if (opt_dir)
        return fo_xstrdup(opt_dir);
    const char *env = getenv("FOLIO_CACHE");
    if (env && *env)
        return is_off(env) ? NULL : fo_xstrdup(env);
    const char *xdg = getenv("XDG_CACHE_HOME");
    /* the XDG spec: a relative XDG_CACHE_HOME is invalid, ignored */
    if (xdg && xdg[0] == '/')
        return fo_path_join(xdg, "folio");
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return fo_path_join(home, ".cache/folio");
    return NULL;
}

/* "folio: warning: …", control characters escaped (a path from the
 * environment must not drive the terminal). */
static void warn(const char *msg)
{
    char *esc = fo_escape_controls(msg, strlen(msg));
    (void)fprintf(stderr, "folio: warning: %s\n", esc);
    free(esc);
}

static void on_note(void *ud, const char *msg)
{
    (void)ud;
    warn(msg);
}

static long long cache_max(void)
{
    const char *v = getenv("FOLIO_CACHE_MAX");
    if (!v || !*v)
        return FO_CACHE_DEFAULT_MAX;
    long long n = fo_cache_parse_size(v);
    if (n <= 0) {
        char msg[200];
        (void)snprintf(msg, sizeof msg,
                       "FOLIO_CACHE_MAX='%.80s' is not a size (bytes, or "
                       "with K, M or G); the cache keeps 1G",
                       v);
        warn(msg);
        return FO_CACHE_DEFAULT_MAX;
    }
    return n;
}

void fo_cli_cache_start(const char *opt_dir, int no_cache)
{
    if (started)
        return;
    started = 1;
    char *dir = fo_cli_cache_dir(opt_dir, no_cache);
    if (!dir)
        return;
    char why[300] = "";
    the_cache = fo_cache_open(dir, FO_VERSION, cache_max(), why, sizeof why);
    if (!the_cache) {
        size_t n = strlen(dir) + strlen(why) + 100;
        char *msg = fo_xmalloc(n);
        (void)snprintf(msg, n,
                       "cannot use the cache folder '%s' (%s): going on "
                       "without a cache",
                       dir, why);
        warn(msg);
        free(msg);
    } else {
        fo_cache_set_note(the_cache, on_note, NULL);
    }
    free(dir);
    fo_image_set_cache(the_cache);
}

fo_cache *fo_cli_cache(void)
{
    return the_cache;
}

void fo_cli_cache_end(void)
{
    if (!the_cache)
        return;
    fo_image_set_cache(NULL);
    const char *env = getenv("FOLIO_CACHE_STATS");
    fo_cache_stats st = fo_cache_get_stats(the_cache);
    if (env && *env && !is_off(env) && st.hits + st.misses > 0)
        (void)fprintf(stderr,
                      "folio: cache: %lld hits, %lld misses (%lld damaged), "
                      "%lld stored\n",
                      st.hits, st.misses, st.damaged, st.stored);
    fo_cache_close(the_cache);
    the_cache = NULL;
}

static int usage(const char *what)
{
    (void)fprintf(stderr,
                  "folio: %s\nusage: folio cache clean|info [--cache DIR]\n",
                  what);
    return EXIT_USAGE;
}

int fo_cli_cache_cmd(int argc, char **argv)
{
    const char *action = NULL, *opt_dir = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--cache") == 0) {
            if (i + 1 >= argc)
                return usage("--cache needs a folder");
            opt_dir = argv[++i];
        } else if (!action && (strcmp(argv[i], "clean") == 0 ||
                               strcmp(argv[i], "info") == 0)) {
            action = argv[i];
        } else {
            return usage("cache: clean or info, and --cache DIR");
        }
    }
    if (!action)
        return usage("cache: clean or info?");
    char *dir = fo_cli_cache_dir(opt_dir, 0);
    if (!dir) {
        printf("the cache is off (FOLIO_CACHE=%s)\n",
               getenv("FOLIO_CACHE") ? getenv("FOLIO_CACHE") : "");
        return 0;
    }
    int rc = 0;
    long long entries = 0, bytes = 0;
    if (strcmp(action, "clean") == 0) {
        if (fo_cache_clean(dir) != FO_OK) {
            (void)fprintf(stderr, "folio: cannot empty the cache '%s': %s\n",
                          dir, strerror(errno));
            rc = 1;
        } else {
            printf("emptied the cache %s\n", dir);
        }
    } else if (fo_cache_usage(dir, &entries, &bytes) != FO_OK) {
        (void)fprintf(stderr, "folio: cannot read the cache '%s': %s\n", dir,
                      strerror(errno));
        rc = 1;
    } else {
        printf("cache: %s\nentries: %lld\nsize: %.1f MB of %.1f MB\n", dir,
               entries, (double)bytes / 1e6, (double)cache_max() / 1e6);
    }
    free(dir);
    return rc;
}
