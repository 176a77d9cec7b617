/* The ink of set lines: how far a line's glyphs really reach above and
 * below its baseline, from the fonts' glyph extents (HarfBuzz), for the
 * places where leading alone cannot promise that two lines clear each
 * other (stacked Vietnamese marks under a big key figure: "Ộ", "Ặ"). */
#include "typeset_private.h"

#include <harfbuzz/hb.h>

void fo_set_line_ink(fo_fonts *f, const fo_set_line *ln, double *top,
                     double *bottom)
{
    *top = 0;
    *bottom = 0;
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        PangoFont *font = fo_fonts_pango_font(f, run->dl_font);
        if (!font)
            continue;
        /* In the face's own units: the table may hold several sizes of
         * one face, and extents rounded at another size would make the
         * result depend on which one the walk met first. */
        hb_font_t *sized = pango_font_get_hb_font(font);
        hb_face_t *face = hb_font_get_face(sized);
        hb_font_t *hb = hb_font_create(face);
        unsigned ncoords = 0;
        const int *coords = hb_font_get_var_coords_normalized(sized, &ncoords);
        if (ncoords) /* a variable font's instance (weight) */
            hb_font_set_var_coords_normalized(hb, coords, ncoords);
        unsigned upem = hb_face_get_upem(face);
        if (upem == 0) {
            hb_font_destroy(hb);
            continue;
        }
        double k = run->size / (double)upem;
        for (int g = 0; g < run->n; g++) {
            hb_glyph_extents_t ext;
            if (!hb_font_get_glyph_extents(hb, run->glyphs[g].gid, &ext))
                continue;
            /* y down from the baseline: the glyph's own offset (a mark
             * GPOS placed) and the run's rise (a superscript) move it. */
            double dy = run->glyphs[g].y_offset - run->rise;
            double t = dy - ext.y_bearing * k;
            double b = dy - (ext.y_bearing + ext.height) * k;
            if (t < *top)
                *top = t;
            if (b > *bottom)
                *bottom = b;
        }
        hb_font_destroy(hb);
    }
}
