/* The ink of set lines: how far a line's glyphs really reach above and
 * below its baseline, from the fonts' glyph extents (HarfBuzz), for the
 * places where leading alone cannot promise that two lines clear each
 * other (stacked Vietnamese marks under a big key figure: "Ộ", "Ặ"). */
#include "typeset_private.h"

#include <harfbuzz/hb.h>

/* The Pango font behind display-list font dl, from the per-document table
 * that setting the paragraph filled (a handful of fonts: a walk is
 * cheaper than a second table). */
static PangoFont *font_of(fo_fonts *f, int dl)
{
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, f->dl_fonts);
    while (g_hash_table_iter_next(&it, &key, &val))
        if (((fo_font_info *)val)->dl_font == dl)
            return key;
    return NULL;
}

void fo_set_line_ink(fo_fonts *f, const fo_set_line *ln, double *top,
                     double *bottom)
{
    *top = 0;
    *bottom = 0;
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        PangoFont *font = font_of(f, run->dl_font);
        if (!font)
            continue;
        hb_font_t *hb = pango_font_get_hb_font(font);
        int xs = 0, ys = 0;
        hb_font_get_scale(hb, &xs, &ys);
        if (ys == 0)
            continue;
        double k = run->size / (double)ys;
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
    }
}
