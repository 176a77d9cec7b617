/* patho_load — what tests/pathological/run.py times: loading a publication
 * (source, model, inline markup, NFC) and its template for every edition,
 * then printing the diagnostics, as `folio check` does before layout.
 * Layout is left out: these cases are about reading the input, and laying
 * out a 10 MB paragraph is the typesetter's own cost.
 *
 * Usage: patho_load PUB.yaml. Prints "CPU_SECONDS ERRORS" on stdout (the
 * CPU time of this process from before the load to after printing, so
 * that neither process start-up nor a busy machine's waiting counts);
 * the diagnostics go to stderr. Exit 0 when the publication loads, 1 when
 * it has errors. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"
#include "model/model.h"
#include "model/template.h"

static double cpu_seconds(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
        return 0;
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        (void)fprintf(stderr, "usage: patho_load PUB.yaml\n");
        return 2;
    }
    const char *data = getenv("FOLIO_DATA_DIR");
    if (!data || !*data)
        data = FO_DATA_DIR;
    double t0 = cpu_seconds();
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    if (fo_pub_load(argv[1], &d, &pub) == FO_OK) {
        for (int e = 0; e < pub->neditions; e++) {
            /* a template's errors are in d, and counted below */
            const fo_template *t = NULL;
            if (fo_template_load(pub, pub->editions[e], data, pub->arena, &d,
                                 &t) != FO_OK)
                break;
        }
    }
    fo_diags_print(&d, stderr);
    double t1 = cpu_seconds();
    int errors = d.errors;
    (void)printf("%.6f %d\n", t1 - t0, errors);
    fo_pub_free(pub);
    fo_diags_free(&d);
    return errors ? 1 : 0;
}
