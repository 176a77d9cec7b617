/* fuzz_template: a template.yaml through the template loader
 * (fo_template_load, model/template.c) for one edition's language.
 *
 * The input is written as fuzz-template/template.yaml in the scratch
 * project (fuzz_util.c), next to a fonts/ folder for its `fonts:` key,
 * and a publication that names the template by that relative path loads
 * it. The language (which `languages:` entry applies) is picked from the
 * input's length, so that a seed (a real template.yaml) stays the whole
 * input and yet every language is tried as the fuzzer varies lengths.
 * What is checked: success with no error and every style layout asks for,
 * or failure with at least one error and no template. */
#include "fuzz.h"

#include <string.h>
#include <sys/stat.h>

#include "model/template.h"

enum { MAX_INPUT = 1024 * 1024 };

static char *yaml_path;
static fo_pub pub;

static void setup(void)
{
    char *dir = fuzz_project_path("fuzz-template");
    char *fonts = fuzz_project_path("fuzz-template/fonts");
    if (mkdir(dir, 0777) != 0 || mkdir(fonts, 0777) != 0) {
        perror(dir);
        abort();
    }
    yaml_path = fuzz_project_path("fuzz-template/template.yaml");
    /* what fo_pub_load sets for `template: ./fuzz-template` in a
     * publication.yaml at the project's root */
    pub.file = fuzz_project_path("publication.yaml");
    pub.root = fuzz_project();
    pub.template_name = "./fuzz-template";
    pub.template_pos = (fo_pos){pub.file, 2, 11};
    free(dir);
    free(fonts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"vi",      "en", "fr",
                                        "zh-Hant", "km", NULL};
    if (size > MAX_INPUT)
        return 0;
    if (!yaml_path)
        setup();
    fuzz_write_file(yaml_path, data, size);
    const char *lang = langs[size % (sizeof langs / sizeof langs[0])];
    fo_arena *a = fo_arena_new();
    fo_diags d;
    fo_diags_init(&d);
    const fo_template *t = NULL;
    fo_status st = fo_template_load(&pub, lang, FO_TEST_SRC, a, &d, &t);
    if (st == FO_OK) {
        static const char *const names[] = {FO_STYLE_NAMES};
        FUZZ_CHECK(t != NULL && d.errors == 0);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            FUZZ_CHECK(fo_template_style(t, names[i]) != NULL);
        for (size_t i = 0; i < t->nswatches; i++)
            FUZZ_CHECK(fo_template_swatch(t, t->swatches[i].name) != NULL);
    } else {
        FUZZ_CHECK(t == NULL);
        FUZZ_CHECK(d.errors > 0); /* never a silent failure */
    }
    fo_diags_print(&d, fuzz_sink());
    fo_diags_free(&d);
    fo_arena_free(a);
    return 0;
}
