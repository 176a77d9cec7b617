/* Shared by the files of the preflight (check.c, check_geom.c,
 * check_colour.c): the checker's state and how a rule reports. */
#ifndef FO_CHECK_PRIVATE_H
#define FO_CHECK_PRIVATE_H

#include "check.h"

#include <ft2build.h>
#include FT_FREETYPE_H

/* A box on the page, display-list coordinates (points, y down). */
typedef struct check_box {
    double x0, y0, x1, y1;
} check_box;

/* A glyph run's box for the overlap rule, with its op. */
typedef struct check_run {
    check_box b;
    const fo_dl_op *op;
} check_run;

/* A figure block of the source: where it names its image, its slot. */
typedef struct check_fig {
    fo_pos pos;
    size_t slot;
} check_fig;

/* A colour or image already reported (each is reported once per
 * edition, not at every op that uses it). */
typedef struct check_seen {
    const char *rule;
    fo_color color;
    int image; /* index in doc->images, or -1 */
} check_seen;

struct fo_checker {
    const fo_pub *pub;
    int ed;
    const fo_template *t;
    fo_check_opts o;
    fo_diags *d;
    int errors, warnings;
    double seconds;
    /* Per block of the source (and per section title), what the edition
     * asks for and what was drawn: slot = base[section] for its title,
     * base[section] + 1 + block index for its blocks. */
    size_t *base;
    size_t nslots;
    long *want;         /* letters, marks and digits of the block's texts */
    long *got;          /* ... in the runs drawn from it */
    int *drawn;         /* images drawn from a figure block */
    int *page_at;       /* 1-based page where the block was first drawn, 0 */
    int *page_two;      /* ... where its figure was drawn a second time */
    check_box *box_two; /* ... and the box it was drawn in */
    /* The figure blocks, sorted by where their image is named: an image
     * op names it too (fo_dl_image.pos), whatever the page's source. */
    check_fig *figs;
    size_t nfigs, figs_cap;
    /* the overlap rule's scratch, reused page after page */
    check_run *runs;
    size_t nruns, runs_cap;
    check_seen *seen;
    size_t nseen, seen_cap;
    /* the last finding of each page rule, so that a paragraph that runs
     * out of its frame on every line is one finding, not one a line */
    const void *last_block[4];
    fo_pos last_pos[4];
    /* The display list's fonts, opened with FreeType as the letterspace
     * rule needs their advances (NULL: not yet, or unusable). */
    FT_Library ft;
    FT_Face *faces;
    unsigned char *face_tried;
    size_t nfaces;
    double *gaps; /* the letterspace rule's scratch */
    size_t gaps_cap;
    /* total ink of CMYK images passed to print as they are: -1 = not
     * measured yet, per doc image */
    double *image_ink;
    size_t nimage_ink;
};

/* One finding of rule at src's position (the publication's template
 * choice when src has none) on 1-based page (0: none), with box when not
 * NULL. Warnings become errors with opts.strict. */
void check_report(fo_checker *c, fo_severity sev, const fo_dl_src *src,
                  const char *rule, int page, const check_box *box,
                  const char *fmt, ...) FO_PRINTF(7, 8);

/* A short quotation of a run's text for messages: at most about 24
 * characters, cut at a character boundary, "…" when cut. */
void check_quote(const fo_dl_glyphs *g, char *buf, size_t len);

/* Is the cluster at byte i of s[0..n) a space (no ink of its own)? */
int check_space_at(const char *s, size_t n, size_t i);

/* The box a glyph run's letters occupy: horizontally from the first to
 * the last non-space glyph's advance, vertically from top to bottom
 * times its size around the baseline (top, bottom as shares of the size;
 * top is above the baseline). 0 when it has no visible glyph. */
int check_run_box(const fo_dl_glyphs *g, double top, double bottom,
                  check_box *out);

/* The box op draws in (the frame rule's box for a glyph run), 0 when it
 * draws nothing (links, anchors, an empty run). */
int check_op_box(const fo_dl_op *op, check_box *b);

/* The page rules on geometry (check_geom.c): frame, fold, letterspace
 * op by op, overlap over the page's runs at its end. */
void check_geom_begin(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                      int page);
void check_geom_op(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                   int page, const fo_dl_op *op);
void check_geom_end(fo_checker *c, int page);
/* The page rules on colour (check_colour.c): resolution, colour, ink, of
 * op i of pg (the ink where black overprints reads the ops before it). */
void check_colour_op(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                     int page, size_t i);

#endif
