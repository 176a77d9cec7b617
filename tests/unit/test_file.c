/* Atomic writes and their temporary files (core/file.c): a failed write
 * keeps its errno and leaves nothing behind, a kept temporary file is
 * renamed or removed on demand, fo_tmp_remove_all (what the signal
 * handler calls) removes exactly the tracked files, fo_tmp_sweep removes
 * only dead processes' files of folio's own outputs, and write errors are
 * worded "DIR: error: cannot write 'NAME': <strerror>". */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "fixture.h"

static char dir[] = "/tmp/fo-test-file-XXXXXX";
static char oldcwd[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    return fixture_enter_tmpdir(dir, oldcwd);
}

static int teardown(void **state)
{
    (void)state;
    if (getenv("FO_KEEP_TEST_FILES")) {
        fprintf(stderr, "test files kept in %s\n", dir);
        return chdir(oldcwd);
    }
    return fixture_leave_tmpdir(dir, oldcwd);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static char *slurp(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(fo_file_read(path, 0, &data, &len), FO_OK);
    return data;
}

/* A pid that no process has: a child that has ended and been reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return pid;
}

static void write_and_replace(void **state)
{
    (void)state;
    assert_int_equal(fo_atomic_write_file("a.txt", "one", 3), FO_OK);
    assert_int_equal(fo_atomic_write_file("a.txt", "two!", 4), FO_OK);
    char *s = slurp("a.txt");
    assert_string_equal(s, "two!");
    free(s);
    char *tmp = fo_atomic_tmpname("a.txt");
    assert_false(exists(tmp));
    free(tmp);
}

/* A folder that does not exist: FO_ERR_IO, errno ENOENT for the message. */
static void failed_write_keeps_errno(void **state)
{
    (void)state;
    errno = 0;
    assert_int_equal(fo_atomic_write_file("missing/a.txt", "x", 1), FO_ERR_IO);
    assert_int_equal(errno, ENOENT);
    fo_diags d;
    fo_diags_init(&d);
    fo_error_write(&d, "missing/a.txt", ENOENT);
    fo_error_path(&d, "out/", "create the folder", EROFS);
    fo_error_write(&d, "a.pdf", ENOSPC);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.items[0].pos.file, "missing");
    assert_string_equal(d.items[0].message,
                        "cannot write 'a.txt': No such file or directory");
    assert_string_equal(d.items[1].pos.file, ".");
    assert_string_equal(d.items[1].message,
                        "cannot create the folder 'out': Read-only file "
                        "system");
    assert_string_equal(d.items[2].pos.file, ".");
    assert_string_equal(d.items[2].message,
                        "cannot write 'a.pdf': No space left on device");
    fo_diags_free(&d);
}

/* keep, then rename or discard: the target appears only on rename. */
static void keep_rename_discard(void **state)
{
    (void)state;
    fo_atomic a;
    char *tmp = NULL;
    assert_int_equal(fo_atomic_open(&a, "b.txt"), FO_OK);
    assert_int_equal(fputs("kept", a.fp) >= 0, 1);
    assert_int_equal(fo_atomic_keep(&a, &tmp), FO_OK);
    assert_non_null(tmp);
    assert_true(exists(tmp));
    assert_false(exists("b.txt"));
    assert_int_equal(fo_atomic_rename(tmp, "b.txt"), FO_OK);
    char *s = slurp("b.txt");
    assert_string_equal(s, "kept");
    free(s);

    assert_int_equal(fo_atomic_open(&a, "c.txt"), FO_OK);
    assert_int_equal(fo_atomic_keep(&a, &tmp), FO_OK);
    char *name = fo_xstrdup(tmp);
    fo_atomic_discard(tmp);
    assert_false(exists(name));
    assert_false(exists("c.txt"));
    free(name);
}

/* What the signal handler removes: the files still open or kept, not the
 * ones renamed into place nor anything else. */
static void remove_all_removes_tracked(void **state)
{
    (void)state;
    fo_atomic open_one, kept_one, done_one;
    char *kept = NULL;
    assert_int_equal(fo_atomic_open(&open_one, "d.txt"), FO_OK);
    assert_int_equal(fo_atomic_open(&kept_one, "e.txt"), FO_OK);
    assert_int_equal(fo_atomic_keep(&kept_one, &kept), FO_OK);
    assert_int_equal(fo_atomic_open(&done_one, "f.txt"), FO_OK);
    assert_int_equal(fo_atomic_commit(&done_one), FO_OK);
    put_file("other.pdf.tmp-1", "not tracked");
    fo_tmp_track("g.pdf.tmp-7"); /* a child's, never made */
    char *open_tmp = fo_xstrdup(open_one.tmp);
    assert_true(exists(open_tmp) && exists(kept));
    fo_tmp_remove_all();
    assert_false(exists(open_tmp));
    assert_false(exists(kept));
    assert_true(exists("f.txt"));
    assert_true(exists("other.pdf.tmp-1"));
    fo_tmp_untrack("g.pdf.tmp-7");
    fo_atomic_abort(&open_one);
    fo_atomic_discard(kept);
    free(open_tmp);
}

/* The sweep: a dead process's files of folio's outputs go; a live
 * process's, other names and folders stay. */
static void sweep_dead_only(void **state)
{
    (void)state;
    pid_t dead = dead_pid();
    char n[8][96];
    (void)snprintf(n[0], sizeof n[0], "x.pdf.tmp-%ld", (long)dead);
    (void)snprintf(n[1], sizeof n[1], "x-001.png.tmp-%ld", (long)dead);
    (void)snprintf(n[2], sizeof n[2], "proof.html.tmp-%ld", (long)dead);
    (void)snprintf(n[3], sizeof n[3], "build.js.tmp-%ld", (long)dead);
    (void)snprintf(n[4], sizeof n[4], "y.pdf.tmp-%ld", (long)getppid());
    (void)snprintf(n[5], sizeof n[5], "notes.txt.tmp-%ld", (long)dead);
    (void)snprintf(n[6], sizeof n[6], "z.pdf.tmp-%ldx", (long)dead);
    (void)snprintf(n[7], sizeof n[7], "d.pdf.tmp-%ld", (long)dead);
    for (int i = 0; i < 7; i++)
        put_file(n[i], "");
    assert_int_equal(mkdir(n[7], 0777), 0);
    fo_tmp_sweep(".");
    for (int i = 0; i < 4; i++)
        assert_false(exists(n[i]));
    for (int i = 4; i < 8; i++)
        assert_true(exists(n[i]));
    fo_tmp_sweep("no-such-folder"); /* nothing to do, no failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_and_replace),
        cmocka_unit_test(failed_write_keeps_errno),
        cmocka_unit_test(keep_rename_discard),
        cmocka_unit_test(remove_all_removes_tracked),
        cmocka_unit_test(sweep_dead_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
