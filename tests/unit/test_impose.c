/* Unit tests for imposition (impose/impose.h) and the display list's forms
 * (dlist.h fo_dl_doc_take_forms, FO_DL_PLACE):
 *  - the signature order against an oracle that folds the sheets: s
 *    sheets, nested, are read leaf by leaf (the right halves from the
 *    outside in, then the left halves from the inside out), for every
 *    booklet of 4 to 200 pages;
 *  - fo_impose's sheets: the pages moved into forms, the place ops' forms,
 *    matrices (creep) and clips, the media, the blank slots and the
 *    binding rule's messages;
 *  - the dump's place line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "impose/impose.h"

#include <string.h>

/* The oracle: slot[page] = sheet * 4 + side * 2 + pos, by reading the
 * folded, nested sheets. A sheet folded with its front outside shows, on
 * its right half, the front (a recto) and then the back (the verso behind
 * it); its left half is the back half of the book, read back to front. */
static void fold_oracle(size_t n, size_t *slot)
{
    size_t s = n / 4, page = 0;
    for (size_t k = 0; k < s; k++) {
        slot[page++] = k * 4 + FO_IMPOSE_FRONT * 2 + FO_IMPOSE_RIGHT;
        slot[page++] = k * 4 + FO_IMPOSE_BACK * 2 + FO_IMPOSE_LEFT;
    }
    for (size_t k = s; k-- > 0;) {
        slot[page++] = k * 4 + FO_IMPOSE_BACK * 2 + FO_IMPOSE_RIGHT;
        slot[page++] = k * 4 + FO_IMPOSE_FRONT * 2 + FO_IMPOSE_LEFT;
    }
}

static void test_signature_oracle(void **state)
{
    (void)state;
    size_t slot[200];
    for (size_t n = 4; n <= 200; n += 4) {
        fold_oracle(n, slot);
        for (size_t p = 0; p < n; p++) {
            size_t k = slot[p] / 4;
            int side = (int)(slot[p] / 2 % 2), pos = (int)(slot[p] % 2);
            assert_int_equal(fo_impose_saddle_slot(n, k, side, pos), p);
        }
    }
}

/* A booklet of n pages of w x h, each with one rect whose x is its index. */
static fo_dl_doc *booklet(size_t n, double w, double h)
{
    fo_dl_doc *doc = fo_dl_doc_new();
    doc->bleed = 9;
    for (size_t i = 0; i < n; i++) {
        fo_dl_page *p = fo_dl_doc_add_page(doc, w, h);
        fo_dl_op *op = fo_dl_page_add(p, FO_DL_RECT);
        op->u.rect = (fo_dl_rect){(double)i, 0, 1, 1, {.k = 1}};
    }
    return doc;
}

static fo_impose_opts saddle_opts(void)
{
    return (fo_impose_opts){.scheme = FO_IMPOSE_SADDLE,
                            .sheet_w = 1000,
                            .sheet_h = 700,
                            .marks_room = 28,
                            .creep = 2,
                            .edition = "en"};
}

static void test_saddle_sheets(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *src = booklet(8, 300, 500), *out = NULL;
    fo_impose_opts o = saddle_opts();
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_OK);
    assert_int_equal(d.n, 0);
    /* the pages moved: src keeps empty ones */
    assert_int_equal(src->npages, 8);
    assert_int_equal(src->pages[0]->n, 0);
    assert_int_equal(out->nforms, 8);
    assert_true(out->forms[5]->ops[0].u.rect.x == 5);
    assert_true(out->media_w == 1000 && out->media_h == 700);
    assert_true(out->bleed == 9);
    assert_int_equal(out->npages, 4);
    /* sheet 2's back: pages 4 | 5 (1-based), moved 2 pt to the spine */
    const fo_dl_page *sp = out->pages[3];
    assert_true(sp->width == 600 && sp->height == 500);
    assert_int_equal(sp->nfolds, 1);
    assert_true(sp->folds[0] == 300);
    assert_int_equal(sp->n, 2);
    const fo_dl_place *l = &sp->ops[0].u.place, *r = &sp->ops[1].u.place;
    assert_int_equal(sp->ops[0].kind, FO_DL_PLACE);
    assert_int_equal(l->form, 3);
    assert_int_equal(r->form, 4);
    assert_true(l->m[0] == 1 && l->m[3] == 1 && l->m[1] == 0 && l->m[2] == 0);
    assert_true(l->m[4] == 2 && l->m[5] == 0);
    assert_true(r->m[4] == 298);
    /* the bleed on the outer sides, cut at the spine */
    assert_true(l->cx == -9 && l->cy == -9 && l->cw == 309 && l->ch == 518);
    assert_true(r->cx == 300 && r->cw == 309);
    fo_buf b;
    fo_buf_init(&b, 0);
    assert_int_equal(fo_dl_dump(out, &b), FO_OK);
    assert_non_null(strstr(b.data, "page 4 600.00x500.00\n  place form=4 "
                                   "m=1.0000,0.0000,0.0000,1.0000,2.00,0.00 "
                                   "clip=-9.00,-9.00,309.00,518.00\n"));
    fo_buf_free(&b);
    fo_dl_doc_free(out);
    fo_dl_doc_free(src);
    fo_diags_free(&d);
}

static void test_binding_rule(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *src = booklet(6, 300, 500), *out = NULL;
    fo_impose_opts o = saddle_opts();
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_OK);
    assert_int_equal(d.warnings, 1);
    assert_string_equal(d.items[0].message,
                        "added 2 blank pages so that the saddle-stitched "
                        "booklet has 8 pages, a multiple of 4");
    /* sheet 1's front: the blank eighth | page 1 */
    assert_int_equal(out->pages[0]->n, 1);
    assert_int_equal(out->pages[0]->ops[0].u.place.form, 0);
    /* sheet 1's back: page 2 | the blank seventh */
    assert_int_equal(out->pages[1]->n, 1);
    assert_int_equal(out->pages[1]->ops[0].u.place.form, 1);
    fo_dl_doc_free(out);
    fo_dl_doc_free(src);
    fo_diags_free(&d);

    fo_diags_init(&d);
    d.strict = 1;
    src = booklet(6, 300, 500);
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_ERR_INPUT);
    assert_null(out);
    assert_int_equal(d.errors, 1);
    assert_int_equal(src->pages[0]->n, 1); /* untouched */
    fo_dl_doc_free(src);
    fo_diags_free(&d);
}

static void test_sheet_too_small(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *src = booklet(4, 300, 500), *out = NULL;
    fo_impose_opts o = saddle_opts();
    o.sheet_w = 600 + 2 * (9 + 28) - 1; /* a point short */
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_ERR_INPUT);
    assert_null(out);
    assert_int_equal(d.errors, 1);
    fo_dl_doc_free(src);
    fo_diags_free(&d);
}

static void test_proof_spreads(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *src = booklet(5, 300, 500), *out = NULL;
    fo_impose_opts o = {.scheme = FO_IMPOSE_PROOF};
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_OK);
    assert_int_equal(out->npages, 3); /* -|1, 2|3, 4|5 */
    assert_true(out->bleed == 0 && out->media_w == 0);
    assert_int_equal(out->pages[0]->n, 1);
    assert_int_equal(out->pages[0]->ops[0].u.place.form, 0);
    assert_true(out->pages[0]->ops[0].u.place.m[4] == 300);
    assert_int_equal(out->pages[2]->n, 2);
    assert_int_equal(out->pages[2]->ops[0].u.place.form, 3);
    assert_int_equal(out->pages[2]->ops[1].u.place.form, 4);
    const fo_dl_place *r = &out->pages[2]->ops[1].u.place;
    assert_true(r->cx == 300 && r->cy == 0 && r->cw == 300 && r->ch == 500);
    fo_dl_doc_free(out);
    fo_dl_doc_free(src);
    fo_diags_free(&d);
}

static void test_mixed_sizes(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *src = booklet(4, 300, 500), *out = NULL;
    src->pages[2]->width = 310;
    fo_impose_opts o = saddle_opts();
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_ERR_INPUT);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "page 3 is 310.00 x 500.00"));
    fo_dl_doc_free(src);
    fo_diags_free(&d);
}

static void test_no_pages(void **state)
{
    (void)state;
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *src = fo_dl_doc_new(), *out = NULL;
    fo_impose_opts o = saddle_opts();
    assert_int_equal(fo_impose(src, &o, &d, &out), FO_ERR_INPUT);
    assert_null(out);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message,
                        "nothing to impose: edition en has no pages");
    fo_dl_doc_free(src);
    fo_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_oracle),
        cmocka_unit_test(test_saddle_sheets),
        cmocka_unit_test(test_binding_rule),
        cmocka_unit_test(test_sheet_too_small),
        cmocka_unit_test(test_proof_spreads),
        cmocka_unit_test(test_mixed_sizes),
        cmocka_unit_test(test_no_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
