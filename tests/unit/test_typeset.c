/* Unit tests for fo_typeset_stream: the sample publications laid out
 * whole (fo_typeset) and page by page through a sink. Every page the sink
 * gets must dump exactly as the same page of the whole document, be handed
 * over once (the body in order, the contents last), and be empty
 * afterwards, keeping its size and label. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dlist/dlist.h"
#include "model/model.h"
#include "model/template.h"
#include "typeset/typeset.h"

/* The dump of page i of doc alone, without the font table (fonts are
 * named in each glyph line). Free with free(). */
static char *page_dump(const fo_dl_doc *doc, size_t i)
{
    fo_dl_doc view = *doc;
    view.pages = &doc->pages[i];
    view.npages = 1;
    view.nfonts = 0; /* no font lines; glyphs still name theirs */
    fo_buf b;
    fo_buf_init(&b, 64u << 20);
    assert_int_equal(fo_dl_dump(&view, &b), FO_OK);
    return b.data ? b.data : fo_xstrdup("");
}

typedef struct stream_check {
    const fo_dl_doc *whole;
    int *seen;         /* times each page was handed over */
    size_t *order;     /* indices in the order handed over */
    size_t n;          /* pages handed over */
    size_t fail_after; /* return an error on this call (0: never) */
} stream_check;

static fo_status check_page(void *ud, const fo_dl_doc *doc, size_t index)
{
    stream_check *c = ud;
    assert_true(index < doc->npages);
    assert_true(index < c->whole->npages);
    c->seen[index]++;
    c->order[c->n++] = index;
    if (c->fail_after && c->n == c->fail_after)
        return FO_ERR_IO;
    char *got = page_dump(doc, index);
    char *want = page_dump(c->whole, index);
    if (strcmp(got, want) != 0)
        fail_msg("page %zu differs:\n--- streamed\n%s--- whole\n%s", index + 1,
                 got, want);
    free(got);
    free(want);
    return FO_OK;
}

typedef struct sample {
    fo_pub *pub;
    const fo_template *tmpl[FO_MAX_EDITIONS];
    fo_fonts *fonts;
} sample;

static void sample_load(sample *s, const char *name)
{
    memset(s, 0, sizeof *s);
    char path[1024];
    (void)snprintf(path, sizeof path, "%s/examples/%s/publication.yaml",
                   FO_TEST_SRC, name);
    fo_diags d;
    fo_diags_init(&d);
    assert_int_equal(fo_pub_load(path, &d, &s->pub), FO_OK);
    for (int e = 0; e < s->pub->neditions; e++)
        assert_int_equal(fo_template_load(s->pub, s->pub->editions[e],
                                          FO_TEST_SRC, s->pub->arena, &d,
                                          &s->tmpl[e]),
                         FO_OK);
    assert_int_equal(fo_fonts_new(FO_TEST_SRC "/fonts", s->tmpl[0]->fonts_dir,
                                  &d, &s->fonts),
                     FO_OK);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
}

static void sample_free(sample *s)
{
    fo_fonts_free(s->fonts);
    fo_pub_free(s->pub);
}

/* Body pages in order, then the contents: the order handed over rises
 * but once, where the contents (reserved before the body) come last. */
static void check_order(const stream_check *c)
{
    int falls = 0;
    for (size_t k = 1; k < c->n; k++)
        if (c->order[k] < c->order[k - 1])
            falls++;
    assert_true(falls <= 1);
}

static void check_sample(const char *name)
{
    sample s;
    sample_load(&s, name);
    for (int e = 0; e < s.pub->neditions; e++) {
        fo_diags d;
        fo_diags_init(&d);
        fo_dl_doc *whole = NULL, *streamed = NULL;
        assert_int_equal(fo_typeset(s.pub, e, s.tmpl[e], s.fonts, &d, &whole),
                         FO_OK);
        assert_true(whole->npages > 0);
        stream_check c = {whole, calloc(whole->npages, sizeof(int)),
                          calloc(whole->npages, sizeof(size_t)), 0, 0};
        fo_page_sink sink = {check_page, &c};
        assert_int_equal(fo_typeset_stream(s.pub, e, s.tmpl[e], s.fonts, &d,
                                           &sink, &streamed),
                         FO_OK);
        assert_int_equal(streamed->npages, whole->npages);
        for (size_t i = 0; i < whole->npages; i++) {
            const fo_dl_page *p = streamed->pages[i], *w = whole->pages[i];
            assert_int_equal(c.seen[i], 1);
            assert_int_equal(p->n, 0);
            assert_null(p->ops);
            assert_true(p->width == w->width && p->height == w->height);
            assert_non_null(p->label);
            assert_string_equal(p->label, w->label);
        }
        check_order(&c);
        assert_int_equal(streamed->nfonts, whole->nfonts);
        for (size_t f = 0; f < whole->nfonts; f++)
            assert_string_equal(streamed->fonts[f].name, whole->fonts[f].name);
        assert_int_equal(d.errors, 0);
        fo_dl_doc_free(streamed);
        fo_dl_doc_free(whole);
        free(c.seen);
        free(c.order);
        fo_diags_free(&d);
    }
    sample_free(&s);
}

static void test_stream_nam_dinh(void **state)
{
    (void)state;
    check_sample("nam-dinh");
}

static void test_stream_booklet(void **state)
{
    (void)state;
    check_sample("nam-dinh-booklet");
}

static void test_stream_brochure(void **state)
{
    (void)state;
    check_sample("nam-dinh-brochure");
}

/* A sink's error stops the layout and is what fo_typeset_stream returns;
 * no page is handed over after it. */
static void test_stream_sink_error(void **state)
{
    (void)state;
    sample s;
    sample_load(&s, "nam-dinh");
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *whole = NULL, *streamed = NULL;
    assert_int_equal(fo_typeset(s.pub, 0, s.tmpl[0], s.fonts, &d, &whole),
                     FO_OK);
    assert_true(whole->npages > 3);
    stream_check c = {whole, calloc(whole->npages, sizeof(int)),
                      calloc(whole->npages, sizeof(size_t)), 0, 3};
    fo_page_sink sink = {check_page, &c};
    assert_int_equal(
        fo_typeset_stream(s.pub, 0, s.tmpl[0], s.fonts, &d, &sink, &streamed),
        FO_ERR_IO);
    assert_null(streamed);
    assert_int_equal(c.n, 3);
    fo_dl_doc_free(whole);
    free(c.seen);
    free(c.order);
    fo_diags_free(&d);
    sample_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_nam_dinh),
        cmocka_unit_test(test_stream_booklet),
        cmocka_unit_test(test_stream_brochure),
        cmocka_unit_test(test_stream_sink_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
