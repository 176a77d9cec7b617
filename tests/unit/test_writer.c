/* Unit tests for the display-list walk (dlist.h fo_dl_walk) and the writer
 * interface built on it (render/writer.h): a counting writer checks that
 * ops are visited in order, that every begin_page has its end_page (also
 * when an op fails) and that a failing begin_page ends the walk; then the
 * close/drop contract of the real writers: the PDF writer, the PNG writer
 * and the text dump leave no output when dropped unclosed, and their
 * output once closed (the dump's equal to fo_dl_dump's). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/render.h"
#include "render/writer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Two pages: a rect, a line and an anchor; then a link and a rect. */
static fo_dl_doc *two_pages(void)
{
    const fo_color black = {.k = 1};
    fo_dl_doc *doc = fo_dl_doc_new();
    fo_dl_page *p = fo_dl_doc_add_page(doc, 200, 100);
    fo_dl_op *op = fo_dl_page_add(p, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){10, 10, 50, 20, black};
    op = fo_dl_page_add(p, FO_DL_LINE);
    op->u.line = (fo_dl_line){0, 0, 100, 0, 1, black};
    op = fo_dl_page_add(p, FO_DL_ANCHOR);
    op->u.anchor = (fo_dl_anchor){"top", 0, 0, 1, "Top"};
    p = fo_dl_doc_add_page(doc, 200, 100);
    op = fo_dl_page_add(p, FO_DL_LINK);
    op->u.link = (fo_dl_link){0, 0, 10, 10, NULL, "top", NULL, 0};
    op = fo_dl_page_add(p, FO_DL_RECT);
    op->u.rect = (fo_dl_rect){0, 0, 5, 5, black};
    return doc;
}

/* A writer that logs what it is given, and can be told to fail. */
typedef struct counting {
    fo_writer base;
    char log[256];
    int open;                      /* begin_page without its end_page */
    int fail_begin_at, fail_op_at; /* page / op index that fails, or -1 */
    int closed, dropped;
} counting;

static void logf_(counting *w, const char *s)
{
    strncat(w->log, s, sizeof w->log - strlen(w->log) - 1);
}

static fo_status c_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    counting *w = ud;
    char t[16];
    (void)doc;
    assert_int_equal(w->open, 0);
    if ((int)page == w->fail_begin_at)
        return FO_ERR_INPUT;
    w->open = 1;
    (void)snprintf(t, sizeof t, "B%zu ", page);
    logf_(w, t);
    return FO_OK;
}

static fo_status c_op(void *ud, const fo_dl_op *op, size_t i)
{
    counting *w = ud;
    static const char *const kind[] = {"G", "R", "L", "I", "K", "A"};
    assert_int_equal(w->open, 1);
    logf_(w, kind[op->kind]);
    logf_(w, " ");
    return (int)i == w->fail_op_at ? FO_ERR_LIBRARY : FO_OK;
}

static fo_status c_end(void *ud, fo_status st)
{
    counting *w = ud;
    assert_int_equal(w->open, 1);
    w->open = 0;
    logf_(w, st == FO_OK ? "E " : "E! ");
    return st;
}

static fo_status c_close(fo_writer *base)
{
    ((counting *)base)->closed++;
    return FO_OK;
}

static void c_drop(fo_writer *base)
{
    ((counting *)base)->dropped++;
}

static counting counter(void)
{
    counting w;
    memset(&w, 0, sizeof w);
    w.base = (fo_writer){{c_begin, c_op, c_end}, c_close, c_drop, 0};
    w.fail_begin_at = w.fail_op_at = -1;
    return w;
}

static void test_walk_order(void **state)
{
    (void)state;
    fo_dl_doc *doc = two_pages();
    counting w = counter();
    for (size_t p = 0; p < doc->npages; p++)
        assert_int_equal(fo_writer_page(&w.base, doc, p), FO_OK);
    assert_string_equal(w.log, "B0 R L A E B1 K R E ");
    /* no such page: nothing is called */
    assert_int_equal(fo_writer_page(&w.base, doc, 2), FO_ERR_USAGE);
    assert_string_equal(w.log, "B0 R L A E B1 K R E ");
    assert_int_equal(fo_writer_close(&w.base), FO_OK);
    assert_int_equal(fo_writer_close(&w.base), FO_ERR_USAGE);
    assert_int_equal(fo_writer_page(&w.base, doc, 0), FO_ERR_USAGE);
    fo_writer_drop(&w.base);
    assert_int_equal(w.closed, 1);
    assert_int_equal(w.dropped, 1);
    fo_dl_doc_free(doc);
}

static void test_walk_failures(void **state)
{
    (void)state;
    fo_dl_doc *doc = two_pages();
    /* an op fails: the walk stops there, end_page still comes, with it */
    counting w = counter();
    w.fail_op_at = 1;
    assert_int_equal(fo_dl_walk(doc, 0, &w.base.page, &w), FO_ERR_LIBRARY);
    assert_string_equal(w.log, "B0 R L E! ");
    /* begin fails: no op, no end */
    w = counter();
    w.fail_begin_at = 1;
    assert_int_equal(fo_dl_walk(doc, 1, &w.base.page, &w), FO_ERR_INPUT);
    assert_string_equal(w.log, "");
    assert_int_equal(w.open, 0);
    fo_dl_doc_free(doc);
}

/* Files in dir (the PDF or PNG, and any temporary file left behind). */
static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void test_pdf_close_drop(void **state)
{
    (void)state;
    fo_dl_doc *doc = two_pages();
    char dir[] = "/tmp/fo_writer_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    (void)snprintf(path, sizeof path, "%s/out.pdf", dir);
    fo_pdf_opts opts = {.epoch = 1700000000, .compress = 1};
    fo_diags d;
    fo_diags_init(&d);

    /* dropped unclosed: nothing at path, no temporary file either */
    fo_pdf_writer *pw;
    assert_int_equal(fo_pdf_writer_new(doc, path, &opts, &d, &pw), FO_OK);
    fo_writer *w = fo_pdf_writer_writer(pw);
    for (size_t p = 0; p < doc->npages; p++)
        assert_int_equal(fo_writer_page(w, doc, p), FO_OK);
    fo_writer_drop(w);
    assert_false(exists(path));
    assert_int_equal(files_in(dir), 0);

    /* closed: the file; then dropped, it stays */
    assert_int_equal(fo_pdf_writer_new(doc, path, &opts, &d, &pw), FO_OK);
    w = fo_pdf_writer_writer(pw);
    for (size_t p = 0; p < doc->npages; p++)
        assert_int_equal(fo_writer_page(w, doc, p), FO_OK);
    assert_int_equal(fo_writer_close(w), FO_OK);
    assert_true(exists(path));
    assert_int_equal(fo_writer_close(w), FO_ERR_USAGE);
    assert_int_not_equal(fo_pdf_writer_page(pw, 0), FO_OK);
    fo_writer_drop(w);
    assert_true(exists(path));
    assert_int_equal(files_in(dir), 1);
    assert_int_equal(d.errors, 0);
    assert_int_equal(remove(path), 0);
    assert_int_equal(rmdir(dir), 0);
    fo_diags_free(&d);
    fo_dl_doc_free(doc);
}

static char *png_path(void *ud, size_t page)
{
    char *s = fo_xmalloc(128);
    (void)snprintf(s, 128, "%s/p%zu.png", (const char *)ud, page + 1);
    return s;
}

static void test_png_close_drop(void **state)
{
    (void)state;
    fo_dl_doc *doc = two_pages();
    char dir[] = "/tmp/fo_writer_XXXXXX";
    assert_non_null(mkdtemp(dir));
    fo_diags d;
    fo_diags_init(&d);
    fo_png_renderer *r = fo_png_renderer_new(doc);

    fo_writer *w = fo_png_writer_new(r, 36, png_path, dir, &d);
    for (size_t p = 0; p < doc->npages; p++)
        assert_int_equal(fo_writer_page(w, doc, p), FO_OK);
    fo_writer_drop(w);
    assert_int_equal(files_in(dir), 0);

    w = fo_png_writer_new(r, 36, png_path, dir, &d);
    for (size_t p = 0; p < doc->npages; p++)
        assert_int_equal(fo_writer_page(w, doc, p), FO_OK);
    assert_int_equal(files_in(dir), 2); /* under temporary names */
    char *p1 = png_path(dir, 0), *p2 = png_path(dir, 1);
    assert_false(exists(p1));
    assert_int_equal(fo_writer_close(w), FO_OK);
    fo_writer_drop(w);
    assert_true(exists(p1) && exists(p2));
    assert_int_equal(files_in(dir), 2);
    assert_int_equal(remove(p1), 0);
    assert_int_equal(remove(p2), 0);
    assert_int_equal(rmdir(dir), 0);
    free(p1);
    free(p2);
    assert_int_equal(d.errors, 0);
    fo_png_renderer_free(r);
    fo_diags_free(&d);
    fo_dl_doc_free(doc);
}

static void test_dump_writer(void **state)
{
    (void)state;
    fo_dl_doc *doc = two_pages();
    fo_buf want, got;
    fo_buf_init(&want, 0);
    fo_buf_init(&got, 0);
    assert_int_equal(fo_dl_dump(doc, &want), FO_OK);

    fo_writer *w = fo_dump_writer_new(doc, &got);
    assert_int_equal(fo_writer_page(w, doc, 0), FO_OK);
    fo_writer_drop(w);
    assert_int_equal(got.len, 0); /* dropped unclosed: nothing */

    w = fo_dump_writer_new(doc, &got);
    for (size_t p = doc->npages; p-- > 0;) /* any order: a streamed build's */
        assert_int_equal(fo_writer_page(w, doc, p), FO_OK);
    assert_int_equal(fo_writer_close(w), FO_OK);
    fo_writer_drop(w);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    fo_buf_free(&want);
    fo_buf_free(&got);
    fo_dl_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_order),
        cmocka_unit_test(test_walk_failures),
        cmocka_unit_test(test_pdf_close_drop),
        cmocka_unit_test(test_png_close_drop),
        cmocka_unit_test(test_dump_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
