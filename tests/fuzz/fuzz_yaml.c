/* fuzz_yaml: a publication.yaml through source/ and the model
 * (fo_pub_load), then the template of each edition with the
 * publication's `styles:` and `languages:` (fo_template_load).
 *
 * The loader reads files by path and resolves includes, templates and
 * images against the publication's folder, so the input is written as
 * publication.yaml into the scratch project (fuzz_util.c), where the
 * seeds' includes and images exist. Named templates come from the source
 * tree's templates/. What is checked: a load either succeeds with no error
 * and a model that keeps model.h's promises (every required text in every
 * edition, rich texts well formed), or fails with at least one error and
 * no publication. */
#include "fuzz.h"

#include "model/template.h"

#include <string.h>

/* source/ reads up to 16 MB; a loader bug that needs more than this to
 * show would be a limit bug, which tests/pathological times instead. */
enum { MAX_INPUT = 1024 * 1024 };

static void check_text(const fo_pub *pub, const fo_text *t, int required)
{
    for (int e = 0; e < pub->neditions; e++) {
        if (!t->ed[e]) {
            FUZZ_CHECK(!required);
            continue;
        }
        FUZZ_CHECK(t->ed[e]->len > 0);
        fuzz_check_rich(t->ed[e]);
    }
}

/* A QR code as model_qr.c promises it: an http(s) URL in every edition,
 * a size from 10 to 200 mm, a level from L to H. */
static void check_qr(const fo_pub *pub, const fo_qr *qr)
{
    FUZZ_CHECK(qr);
    for (int e = 0; e < pub->neditions; e++)
        FUZZ_CHECK(qr->url[e] && (strncmp(qr->url[e], "http://", 7) == 0 ||
                                  strncmp(qr->url[e], "https://", 8) == 0));
    FUZZ_CHECK(qr->size >= fo_mm_to_pt(10) - 1e-9 &&
               qr->size <= fo_mm_to_pt(200) + 1e-9);
    FUZZ_CHECK(qr->level >= FO_QR_L && qr->level <= FO_QR_H);
    check_text(pub, &qr->caption, 0);
}

static void check_block(const fo_pub *pub, const fo_block *b)
{
    switch (b->kind) {
    case FO_BLOCK_HEADING:
        FUZZ_CHECK(b->level == 2 || b->level == 3);
        check_text(pub, &b->text, 1);
        break;
    case FO_BLOCK_PARA:
        check_text(pub, &b->text, 1);
        break;
    case FO_BLOCK_FIGURE:
        FUZZ_CHECK(b->figure && b->figure->image.path);
        check_text(pub, &b->figure->caption, 0);
        check_text(pub, &b->figure->credit, 0);
        break;
    case FO_BLOCK_FACTS:
        FUZZ_CHECK(b->nfacts == 0 || b->facts);
        for (size_t i = 0; i < b->nfacts; i++) {
            check_text(pub, &b->facts[i].value, 1);
            check_text(pub, &b->facts[i].label, 0);
        }
        break;
    case FO_BLOCK_TABLE:
        FUZZ_CHECK(b->table && b->table->ncols > 0);
        for (int c = 0; c < b->table->ncols; c++)
            check_text(pub, &b->table->cols[c].head, 0);
        for (size_t i = 0; i < b->table->nrows * (size_t)b->table->ncols; i++)
            check_text(pub, &b->table->cells[i], 0);
        check_text(pub, &b->table->caption, 0);
        break;
    case FO_BLOCK_QUOTE:
        FUZZ_CHECK(b->quote);
        check_text(pub, &b->quote->text, 1);
        check_text(pub, &b->quote->by, 0);
        break;
    case FO_BLOCK_LIST:
        FUZZ_CHECK(b->list && (b->list->n == 0 || b->list->items));
        for (size_t i = 0; i < b->list->n; i++)
            check_text(pub, &b->list->items[i], 0);
        break;
    case FO_BLOCK_BREAK:
        FUZZ_CHECK(b->brk == FO_BREAK_PAGE || b->brk == FO_BREAK_COLUMN);
        break;
    case FO_BLOCK_QR:
        check_qr(pub, b->qr);
        break;
    default:
        FUZZ_CHECK(!"unknown block kind");
    }
}

static void check_pub(const fo_pub *pub)
{
    FUZZ_CHECK(pub->neditions >= 1 && pub->neditions <= FO_MAX_EDITIONS);
    for (int e = 0; e < pub->neditions; e++)
        FUZZ_CHECK(fo_pub_edition(pub, pub->editions[e]) == e);
    FUZZ_CHECK(pub->slug && *pub->slug);
    FUZZ_CHECK(pub->nprofiles >= 0 && pub->nprofiles <= 3);
    check_text(pub, &pub->title, 1);
    check_text(pub, &pub->subtitle, 0);
    check_text(pub, &pub->publisher, 0);
    check_text(pub, &pub->keywords, 0);
    check_text(pub, &pub->short_title, 0);
    FUZZ_CHECK(pub->campaign.n >= 0 &&
               (pub->campaign.n == 0 || pub->campaign.params));
    if (pub->back_cover) {
        check_text(pub, &pub->back_cover->text, 0);
        check_text(pub, &pub->back_cover->address, 0);
        if (pub->back_cover->qr)
            check_qr(pub, pub->back_cover->qr);
    }
    FUZZ_CHECK(pub->nsections == 0 || pub->sections);
    for (size_t s = 0; s < pub->nsections; s++) {
        const fo_section *sec = &pub->sections[s];
        check_text(pub, &sec->title, 1);
        for (size_t i = 0; i < sec->nblocks; i++)
            check_block(pub, &sec->blocks[i]);
    }
}

static void check_template(const fo_template *t)
{
    static const char *const names[] = {FO_STYLE_NAMES};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        FUZZ_CHECK(fo_template_style(t, names[i]) != NULL);
    FUZZ_CHECK(t->page_w > 0 && t->page_h > 0);
    FUZZ_CHECK(t->columns >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    static char *path;
    if (!path)
        path = fuzz_project_path("publication.yaml");
    fuzz_write_file(path, data, size);
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    fo_status st = fo_pub_load(path, &d, &pub);
    if (st == FO_OK) {
        FUZZ_CHECK(pub != NULL && d.errors == 0);
        check_pub(pub);
        for (int e = 0; e < pub->neditions; e++) {
            const fo_template *t = NULL;
            fo_diags td;
            fo_diags_init(&td);
            fo_status ts = fo_template_load(pub, pub->editions[e], FO_TEST_SRC,
                                            pub->arena, &td, &t);
            if (ts == FO_OK) {
                FUZZ_CHECK(t != NULL && td.errors == 0);
                check_template(t);
            } else {
                FUZZ_CHECK(t == NULL && td.errors > 0);
            }
            fo_diags_print(&td, fuzz_sink());
            fo_diags_free(&td);
        }
    } else {
        FUZZ_CHECK(pub == NULL);
        FUZZ_CHECK(d.errors > 0); /* never a silent failure */
    }
    fo_diags_print(&d, fuzz_sink());
    fo_pub_free(pub);
    fo_diags_free(&d);
    return 0;
}
