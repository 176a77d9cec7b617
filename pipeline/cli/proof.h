/* proof — what `folio preview` and `folio watch` write besides PDFs: the
 * page PNGs, their thumbnails, and the proof sheet proof.html with its
 * build.js. A CLI module, not a renderer: it draws nothing itself (pages go
 * through render's PNG renderer) and it puts together the products of a
 * whole build, with that build's diagnostics, for a person to look at.
 *
 * Files in DIR, for a publication with slug S:
 *  - S-<lang>-NNN.png: page NNN (1-based) of each edition;
 *  - thumbs/S-<lang>-NNN.png: the same page at thumb_dpi;
 *  - proof.html: one per publication, every edition (a switcher), as
 *    spreads, with the build's warnings; self-contained (inline CSS and
 *    script, no network);
 *  - build.js: `folio_build(N, errors)`, rewritten after every build; the
 *    open proof.html loads it again every second and reloads itself when N
 *    (the last good build) changes. */
#ifndef FO_PROOF_H
#define FO_PROOF_H

#include "dlist/dlist.h"
#include "model/model.h"

typedef struct fo_preview_opts {
    const char *out_dir;
    double dpi;       /* page PNGs */
    double thumb_dpi; /* thumbs/ */
    int soft_proof;   /* colours as printed (render.h fo_png_opts) */
    int bleed;        /* PNGs show the bleed around the trim */
    const char *cmyk_icc, *srgb_icc;
    /* When not NULL, fo_preview_pages calls it for each edition e as soon
     * as it knows whether e changed (changed as it sets changed[e]), before
     * it draws any of e's pages: `watch` starts the edition's PDF then. */
    void (*planned)(void *ud, int e, int changed);
    void *planned_ud;
} fo_preview_opts;

/* What the last build rendered: a hash per page of each edition, so that a
 * rebuild draws only the pages whose content changed. */
typedef struct fo_preview_cache fo_preview_cache;
fo_preview_cache *fo_preview_cache_new(void);
void fo_preview_cache_free(fo_preview_cache *c);

/* Writes the PNG and thumbnail of every page of every edition in docs
 * (NULL entries skipped). With cache, a page whose hash (its display list
 * dump, label, and the size and time of its images' files) is unchanged
 * and whose PNG exists is left alone; changed[e] is set for each edition
 * with a new, changed or removed page (may be NULL). *rendered counts the
 * pages drawn. Errors go to d. */
FO_WUR fo_status fo_preview_pages(const fo_pub *pub, fo_dl_doc *const *docs,
                                  const fo_preview_opts *o,
                                  fo_preview_cache *cache, int *changed,
                                  int *rendered, fo_diags *d);

/* Forgets every hash: the next fo_preview_pages draws every page (after a
 * font or template changed, which no dump shows). */
void fo_preview_cache_clear(fo_preview_cache *c);

/* Writes DIR/proof.html for the editions in docs, listing build's
 * warnings (each linked to its page when an image op of a page carries its
 * position, else to the list), then DIR/build.js with build_no. Both are
 * written atomically. */
FO_WUR fo_status fo_proof_write(const fo_pub *pub, fo_dl_doc *const *docs,
                                const fo_diags *build, const fo_preview_opts *o,
                                long build_no, fo_diags *d);

/* Rewrites DIR/build.js with build_no (the last good build) and the
 * errors of a failed build, which the open proof shows above the last good
 * pages. A failure to write it is reported to d. */
FO_WUR fo_status fo_proof_write_status(const char *out_dir, long build_no,
                                       const fo_diags *failed, fo_diags *d);

#endif
