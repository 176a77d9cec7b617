/* `preview` (cli.h preview_run): page PNGs, thumbnails and proof.html
 * (proof.h), and the preview's options and preflight, which `watch`
 * shares. */
#include "cli/cli.h"
#include "cli/gate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Thumbnails on the proof sheet: small enough for a strip of them. */
#define THUMB_DPI 20

/* The preview options of o for profile; the profile paths are malloc'd
 * (free with preview_opts_free). Print: soft-proofed colours and the
 * bleed. */
static fo_preview_opts preview_opts_get(const opts *o, int profile)
{
    fo_preview_opts po = {.out_dir = o->out_dir,
                          .dpi = o->dpi,
                          .thumb_dpi = THUMB_DPI,
                          .soft_proof = profile == FO_PROFILE_PRINT,
                          .bleed = o->bleed || profile == FO_PROFILE_PRINT};
    icc_paths icc = cli_icc_paths_get(); /* freed by preview_opts_free */
    po.cmyk_icc = icc.cmyk;
    po.srgb_icc = icc.srgb;
    return po;
}

static void preview_opts_free(fo_preview_opts *po)
{
    free((char *)(uintptr_t)po->cmyk_icc);
    free((char *)(uintptr_t)po->srgb_icc);
}

/* preview_prepare's preflight (cli.h); returns the errors it found. */
static int preview_preflight(const opts *o, int profile, const fo_pub *pub,
                             const fo_template *const *tmpl,
                             fo_dl_doc *const *docs, fo_diags *d)
{
    int before = d->errors;
    gate_docs(pub, tmpl, docs, (1 << profile) | (1 << FO_PROFILE_PRINT),
              o->strict, d, NULL);
    if (o->draft)
        gate_outline(pub, docs, d);
    return d->errors - before;
}

int preview_prepare(const opts *o, int profile, previewed *p, int *found)
{
    memset(p, 0, sizeof *p);
    cli_diags_init(&p->d, o);
    p->po = preview_opts_get(o, profile);
    *found = 0;
    int rc = cli_layout(o, &p->d, &p->pub, p->docs, p->tmpl, NULL);
    if (rc == 0)
        *found = preview_preflight(o, profile, p->pub, p->tmpl, p->docs, &p->d);
    return rc;
}

void preview_done(previewed *p)
{
    if (p->pub)
        cli_free_docs(p->pub, p->docs);
    preview_opts_free(&p->po);
    fo_diags_free(&p->d);
}

/* `preview`: page PNGs, thumbnails and proof.html (cli/proof.h). Screen
 * RGB unless --profile print, which soft-proofs through the output
 * profile and shows the bleed. */
int preview_run(opts *o)
{
    int profile =
        o->preview_profile < 0 ? FO_PROFILE_SCREEN : o->preview_profile;
    cli_catch_signals(0);
    cli_sweep_outputs(o->out_dir);
    previewed p;
    int found = 0;
    int rc = preview_prepare(o, profile, &p, &found);
    fo_pub *pub = p.pub;
    fo_dl_doc **docs = p.docs;
    int write = rc == 0;
    if (rc == 0 && found) {
        rc = EXIT_INPUT;
        write = o->draft;
    }
    if (write && cli_make_dir(o->out_dir, &p.d)) {
        int rendered = 0;
        if (fo_preview_pages(pub, docs, &p.po, NULL, NULL, &rendered, &p.d) !=
                FO_OK ||
            fo_proof_write(pub, docs, &p.d, &p.po, (long)time(NULL), &p.d) !=
                FO_OK) {
            rc = EXIT_INPUT;
            write = 0; /* nothing to announce */
        }
        for (int e = 0; e < pub->neditions && write; e++)
            if (docs[e])
                printf("%s/%s-%s-*.png: %zu pages at %g dpi%s\n", o->out_dir,
                       pub->slug, pub->editions[e], docs[e]->npages, o->dpi,
                       p.po.soft_proof ? ", soft-proofed" : "");
        if (write)
            printf("%s/proof.html\n", o->out_dir);
    } else if (write) {
        rc = EXIT_INPUT;
    }
    fo_diags_print(&p.d, stderr);
    preview_done(&p);
    return rc;
}
