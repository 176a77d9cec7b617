/* typeset — from the model to pages: the private font set, paragraphs
 * shaped once with Pango/HarfBuzz and broken into lines with Knuth–Plass
 * (kp.h), lines flowed into columns and pages, and the page display list
 * (dlist.h) as the result. No Pango object leaves this stage.
 *
 * Fonts come only from the folders given to fo_fonts_new (the repository's
 * fonts/), through a private fontconfig configuration: the machine's own
 * fonts never take part, so every machine builds the same pages. */
#ifndef FO_TYPESET_H
#define FO_TYPESET_H

#include "dlist/dlist.h"
#include "model/model.h"
#include "typeset/kp.h"

typedef struct fo_fonts fo_fonts;

/* Opens the font set over the .ttf/.otf/.ttc files in fonts_dir. The
 * result owns a private FcConfig and Pango font map; free with
 * fo_fonts_free. FO_ERR_IO when the folder holds no usable font. */
FO_WUR fo_status fo_fonts_new(const char *fonts_dir, fo_diags *d,
                              fo_fonts **out);
void fo_fonts_free(fo_fonts *f);

typedef enum fo_align {
    FO_ALIGN_JUSTIFY,
    FO_ALIGN_LEFT,
    FO_ALIGN_CENTER,
    FO_ALIGN_RIGHT
} fo_align;

/* A paragraph style. Sizes in points. */
typedef struct fo_para_style {
    const char *family; /* "Noto Serif" */
    int bold, italic;
    double size, leading;
    double space_before, space_after;
    double first_indent;
    fo_align align;
    fo_color color;
    int keep_with_next;        /* headings: never the last thing in a column */
    int hyphenate;             /* allow hyphenation (never for Vietnamese) */
    double shrink;             /* how far spaces may shrink (0.25 = to 3/4) */
    double stretch;            /* natural stretch of a space (0.5) */
    int hyph_left, hyph_right; /* shortest word piece before/after a hyphen */
    fo_kp_params kp;           /* the line breaker's tolerances, demerits */
} fo_para_style;

/* Page geometry and the styles of each element. Until templates exist
 * (templates/), fo_layout_default gives the yearbook's A4 layout. */
typedef struct fo_layout {
    double page_w, page_h;
    double margin_top, margin_bottom, margin_inner, margin_outer;
    int columns;
    double gutter;
    int widows, orphans; /* minimum lines at either side of a break */
    fo_para_style body, h1, h2, h3, title, subtitle, footer;
    double footer_offset; /* footer baseline below the text frame */
} fo_layout;

void fo_layout_default(fo_layout *l);

/* Lays out edition ed of pub into a new display list (*out, free with
 * fo_dl_doc_free). Input problems (a character no font has) go to d and
 * give FO_ERR_INPUT. */
FO_WUR fo_status fo_typeset(const fo_pub *pub, int ed, fo_fonts *fonts,
                            const fo_layout *lay, fo_diags *d, fo_dl_doc **out);

#endif
