/* What several unit tests need around their fixtures: files written into a
 * temporary folder that the test runs in (so that file names in messages
 * are the relative paths a user would type), and removing a test's folder
 * afterwards unless FO_KEEP_TEST_FILES asks to keep it. Include after
 * cmocka.h, in a file that defines _XOPEN_SOURCE 700 (nftw, mkdtemp). */
#ifndef FO_TEST_FIXTURE_H
#define FO_TEST_FIXTURE_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

/* Writes text to path, making the folders on the way. */
static inline void put_file(const char *path, const char *text)
{
    char *p = fo_xstrdup(path);
    for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        (void)mkdir(p, 0777);
        *s = '/';
    }
    free(p);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    (void)fputs(text, fp);
    (void)fclose(fp);
}

static inline int fixture_rm_entry(const char *path, const struct stat *sb,
                                   int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Makes the folder from template dir (mkdtemp's XXXXXX) and goes into it,
 * keeping the current folder in oldcwd (PATH_MAX bytes). 0, or -1. */
static inline int fixture_enter_tmpdir(char *dir, char *oldcwd)
{
    if (!getcwd(oldcwd, PATH_MAX) || !mkdtemp(dir) || chdir(dir) != 0)
        return -1;
    return 0;
}

/* Goes back to oldcwd and removes dir with everything in it. */
static inline int fixture_leave_tmpdir(const char *dir, const char *oldcwd)
{
    if (chdir(oldcwd) != 0)
        return -1;
    return nftw(dir, fixture_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes dir and what it holds, or says where it is when
 * FO_KEEP_TEST_FILES is set (to look at a failing test's files). */
static inline void fixture_remove_dir(const char *dir)
{
    if (getenv("FO_KEEP_TEST_FILES")) {
        fprintf(stderr, "test files kept in %s\n", dir);
        return;
    }
    if (nftw(dir, fixture_rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
