/* fuzz_markup: the inline markup parser (fo_markup_parse, model/markup.c)
 * and French spacing (fo_rich_french_spacing) on one text.
 *
 * The input is the value of one YAML scalar. libyaml hands the model only
 * valid UTF-8 (NUL included, from "\0"), so other input is skipped: the
 * parser never sees it. On success the rich text must keep the promises of
 * model.h (fuzz_check_rich), before and after French spacing; on failure
 * there must be an error, at or after the text's position. */
#include "fuzz.h"

#include <string.h>

/* Longer texts only repeat what short ones reach, and NFC through GLib
 * grows faster than the text (issue 18's timing): a cap keeps every run
 * in milliseconds. */
enum { MAX_INPUT = 64 * 1024 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT || !fuzz_utf8_valid((const char *)data, size))
        return 0;
    /* NUL-terminated, as source hands scalars over, in a block of its own
     * size so that ASan sees a read past the end */
    char *src = fo_xmalloc(size + 1);
    if (size)
        memcpy(src, data, size);
    src[size] = 0;
    fo_arena *a = fo_arena_new();
    fo_diags d;
    fo_diags_init(&d);
    fo_rich r;
    memset(&r, 0, sizeof r);
    const fo_pos pos = {"fuzz.yaml", 3, 7};
    fo_status st = fo_markup_parse(src, size, pos, a, &d, &r);
    if (st == FO_OK) {
        FUZZ_CHECK(d.errors == 0);
        fuzz_check_rich(&r);
        const fo_rich *fr = fo_rich_french_spacing(&r, a);
        FUZZ_CHECK(fr != NULL);
        fuzz_check_rich(fr);
    } else {
        FUZZ_CHECK(st == FO_ERR_INPUT);
        FUZZ_CHECK(d.errors > 0);
    }
    for (size_t i = 0; i < d.n; i++) {
        FUZZ_CHECK(d.items[i].pos.line >= pos.line);
        FUZZ_CHECK(d.items[i].pos.col >= 1);
    }
    fo_diags_print(&d, fuzz_sink());
    fo_diags_free(&d);
    fo_arena_free(a);
    free(src);
    return 0;
}
