/* cache_cmd — the command line's side of the cache (cache/cache.h): which
 * folder, if any, from the options and the environment; the one cache of
 * the process, handed to the image probe and to every PDF writer; and the
 * `folio cache` subcommand.
 *
 * Where: --no-cache or FOLIO_CACHE=off (also 0, no, false): none;
 * --cache DIR; FOLIO_CACHE=DIR; $XDG_CACHE_HOME/folio; ~/.cache/folio.
 * The bound: FOLIO_CACHE_MAX (bytes, or with K, M, G), else 1 GiB. */
#ifndef FO_CLI_CACHE_CMD_H
#define FO_CLI_CACHE_CMD_H

#include "cache/cache.h"

/* The cache folder the options (opt_dir: --cache, or NULL; no_cache:
 * --no-cache) and the environment choose, malloc'd; NULL when the cache
 * is off or no folder can be named (no HOME). */
char *fo_cli_cache_dir(const char *opt_dir, int no_cache);

/* Opens the process's cache once (later calls do nothing) and gives it to
 * the image probe (fo_image_set_cache). A folder that cannot be used is
 * one warning on stderr, and the build goes on without a cache. The
 * children of `build -j` inherit it. */
void fo_cli_cache_start(const char *opt_dir, int no_cache);

/* The process's cache (for fo_pdf_opts.cache), NULL when off. */
fo_cache *fo_cli_cache(void);

/* At the end of the process: prints "folio: cache: …" (hits, misses,
 * stored) when FOLIO_CACHE_STATS is set and the cache was used, then
 * closes it (the bound is kept there). */
void fo_cli_cache_end(void);

/* `folio cache clean|info [--cache DIR]`: empties the folder, or prints
 * where it is, its entries, their size and the bound. Exit code. */
int fo_cli_cache_cmd(int argc, char **argv);

#endif
