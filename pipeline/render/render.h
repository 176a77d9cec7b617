/* render — draws a fo_dl_doc. The only stage that sees libharu or Cairo.
 *
 *  - PDF through libharu: text as the shaped glyph ids (own Type0 /
 *    CIDFontType2 fonts, subset with hb-subset, ToUnicode from the runs'
 *    cluster text), one TJ array per glyph run.
 *  - PNG through Cairo, from the same display list.
 *
 * Outputs are written to a temporary name and renamed into place. */
#ifndef FO_RENDER_H
#define FO_RENDER_H

#include "dlist/dlist.h"

typedef struct fo_pdf_opts {
    /* Creation/modification date, seconds since the epoch. The CLI sets it
     * from SOURCE_DATE_EPOCH, or to a fixed date when that is unset, so
     * that the same inputs always give the same bytes. */
    long long epoch;
    int compress; /* 1: Flate-compress content, fonts and images */
} fo_pdf_opts;

/* Writes doc as a PDF at path. Library failures are reported to d and give
 * FO_ERR_LIBRARY; no file is left at path then. */
FO_WUR fo_status fo_render_pdf(const fo_dl_doc *doc, const char *path,
                               const fo_pdf_opts *opts, fo_diags *d);

/* Writes page (0-based) of doc as a PNG at path, at dpi dots per inch,
 * on a white background. */
FO_WUR fo_status fo_render_png(const fo_dl_doc *doc, size_t page, double dpi,
                               const char *path, fo_diags *d);

/* For many pages of one document: keeps each font loaded between pages.
 * doc is borrowed and must outlive the renderer. fo_render_png is
 * new + page + free. */
typedef struct fo_png_renderer fo_png_renderer;
fo_png_renderer *fo_png_renderer_new(const fo_dl_doc *doc);
FO_WUR fo_status fo_png_renderer_page(fo_png_renderer *r, size_t page,
                                      double dpi, const char *path,
                                      fo_diags *d);
void fo_png_renderer_free(fo_png_renderer *r);

#endif
