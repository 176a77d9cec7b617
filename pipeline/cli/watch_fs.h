/* watch_fs — the file watcher of `folio watch` (whose loop is watch.c):
 * inotify on folders, so that an editor's save by rename (write a
 * temporary file, rename it over the original) is seen as well as a write
 * in place.
 *
 * The watcher adds folders recursively and reports the files that changed
 * in them, after a quiet period (debounce) so that one save, which is often
 * several events, gives one rebuild. Only files of a kind folio reads
 * count (.yaml, .yml, .jpg, .jpeg, .png, fonts, colour profiles), so that
 * editors' temporary files ("sedXXXXXX", vim's "4913", "x.tmp") are
 * ignored; so are hidden files and folders (".git", ".#x", ".x.swp"),
 * backups ("x~", "#x#"), and the folder given as `skip` (the output
 * folder) and all below it. */
#ifndef FO_CLI_WATCH_FS_H
#define FO_CLI_WATCH_FS_H

#include "core/core.h"

#include <signal.h>
#include <stdio.h>

typedef struct fo_watch fo_watch;

/* A watcher that skips skip_dir (may be NULL) and everything below it.
 * NULL with *why set when inotify cannot start. Free with fo_watch_free. */
fo_watch *fo_watch_new(const char *skip_dir, const char **why);
void fo_watch_free(fo_watch *w);

/* Watches dir and, when recursive, every folder below it (not the skipped
 * one, nor hidden ones); a folder watched already is not added twice.
 * Returns the number of folders added; -1 when dir cannot be watched. */
int fo_watch_add(fo_watch *w, const char *dir, int recursive);

/* Waits until a watched file changes and then until debounce_ms pass with
 * no further change; appends the changed paths, comma-separated, to
 * changed (up to its cap). Returns 1 on a change, 0 when *stop became set
 * (checked at least every 250 ms), -1 on an error. */
int fo_watch_wait(fo_watch *w, int debounce_ms, volatile sig_atomic_t *stop,
                  fo_buf *changed);

/* Prints d as fo_diags_print does, but each warning only when the last
 * call did not print it too (the others are counted in one line): a
 * rebuild of `watch` shows what changed, not every warning again. The
 * warnings are remembered until fo_watch_free. */
void fo_watch_print_diags(const fo_diags *d, FILE *out);

#endif
