/* render — draws a fo_dl_doc. The only stage that sees libharu or Cairo.
 *
 *  - PDF through libharu: text as the shaped glyph ids (own Type0 /
 *    CIDFontType2 fonts, subset with hb-subset, ToUnicode from the runs'
 *    cluster text), one TJ array per glyph run.
 *  - PNG through Cairo, from the same display list.
 * Each walks the display list with dlist's fo_dl_walk and is also a
 * fo_writer (writer.h), as is the text dump.
 *
 * Outputs are written to a temporary name and renamed into place. */
#ifndef FO_RENDER_H
#define FO_RENDER_H

#include "cache/cache.h"
#include "dlist/dlist.h"
#include "writer.h"

/* Output profiles: one layout, three kinds of PDF.
 *  - PRINT: what a print shop accepts, PDF/X-4 or PDF/X-1a:2001 as the
 *    document's print settings say (fo_dl_print): every colour DeviceCMYK
 *    (swatches' CMYK values; RGB images converted with LittleCMS through
 *    the output profile, CMYK JPEGs passed through), transparency kept as
 *    soft masks or flattened against what lies beneath (X-1a),
 *    black as K only and small black text overprinting, the output
 *    profile embedded as /OutputIntents (GTS_PDFX), /GTS_PDFXVersion and
 *    /Trapped in the info (and XMP for X-4); MediaBox = trim + bleed +
 *    room for marks, TrimBox and BleedBox on every page, printer's marks
 *    outside the bleed (pdf_marks.c).
 *  - SCREEN: RGB, links and bookmarks, images downsampled to
 *    screen_ppi effective resolution; MediaBox = trim.
 *  - ARCHIVE: PDF/A-1b: XMP metadata matching the info dictionary, an
 *    sRGB output intent, fonts embedded, no transparency, no
 *    encryption; MediaBox = trim. */
/* PRINT: the room the marks take outside the bleed, on each side (points):
 * a page's media is its trim, bleed and this; an imposed sheet's media
 * must hold as much (impose.h). */
#define FO_RENDER_MARKS_ROOM (10 * FO_PT_PER_MM)

typedef enum fo_profile {
    FO_PROFILE_SCREEN, /* 0: what a zeroed fo_pdf_opts gets */
    FO_PROFILE_PRINT,
    FO_PROFILE_ARCHIVE
} fo_profile;

typedef struct fo_pdf_opts {
    /* Creation/modification date, seconds since the epoch. The CLI sets it
     * from SOURCE_DATE_EPOCH, or to a fixed date when that is unset, so
     * that the same inputs always give the same bytes. */
    long long epoch;
    int compress; /* 1: Flate-compress content, fonts and images */
    fo_profile profile;
    double screen_ppi;    /* SCREEN: images above this effective resolution
                             are downsampled to it (150) */
    const char *cmyk_icc; /* PRINT: output profile (assets/…icc) */
    const char *srgb_icc; /* ARCHIVE, and RGB sources: sRGB profile */
    /* Where image streams that were made before are taken from, and new
     * ones stored (cache/cache.h); NULL: made every time. The PDF's bytes
     * are the same either way. */
    fo_cache *cache;
} fo_pdf_opts;

/* Writes doc as a PDF at path. Library failures are reported to d and give
 * FO_ERR_LIBRARY; no file is left at path then. */
FO_WUR fo_status fo_render_pdf(const fo_dl_doc *doc, const char *path,
                               const fo_pdf_opts *opts, fo_diags *d);

/* A PDF written page by page while layout runs (fo_typeset_stream), so
 * that no page has to stay in memory once it is written: _new takes the
 * document as it is at the start (metadata; fonts and images may still be
 * added to it), _page writes doc->pages[index] (in any order, each once;
 * the pages before it are made, empty until written), _close writes the
 * fonts, outline, links and labels and saves the file atomically, _drop
 * frees the writer (abandoning the file when it was not closed: nothing
 * is left at path). Errors are reported to d; after one, every call
 * returns it and close writes nothing. fo_render_pdf is new, every page in
 * order, close, drop. The writer is also a fo_writer (writer.h):
 * fo_pdf_writer_writer, whose close and drop are these. */
typedef struct fo_pdf_writer fo_pdf_writer;
FO_WUR fo_status fo_pdf_writer_new(const fo_dl_doc *doc, const char *path,
                                   const fo_pdf_opts *opts, fo_diags *d,
                                   fo_pdf_writer **out);
FO_WUR fo_status fo_pdf_writer_page(fo_pdf_writer *w, size_t index);
FO_WUR fo_status fo_pdf_writer_close(fo_pdf_writer *w);
/* close, but the file is left under its temporary name, *tmp (malloc'd),
 * next to the path: the caller renames it into place or removes it, so
 * that a build of several files can write all of them or none. */
FO_WUR fo_status fo_pdf_writer_close_tmp(fo_pdf_writer *w, char **tmp);
void fo_pdf_writer_drop(fo_pdf_writer *w);
/* The writer as a fo_writer (borrowed: it lives as long as w). */
fo_writer *fo_pdf_writer_writer(fo_pdf_writer *w);

/* What the PDF holds of one image: its file (as the content names it),
 * its pixels, its largest placement (points) and the effective pixels per
 * inch there, before (the file) and after (the stream stored: PRINT and
 * SCREEN resample some). */
typedef struct fo_pdf_image_res {
    char *file; /* malloc'd */
    int width, height, stored_w, stored_h;
    double place_w, place_h, ppi, stored_ppi;
} fo_pdf_image_res;
/* After a close: the images of w's PDF in the order written, *out
 * malloc'd (the caller frees each file, then *out). 0 when none. */
size_t fo_pdf_writer_images(const fo_pdf_writer *w, fo_pdf_image_res **out);

/* Writes page (0-based) of doc as a PNG at path, at dpi dots per inch,
 * on a white background. */
FO_WUR fo_status fo_render_png(const fo_dl_doc *doc, size_t page, double dpi,
                               const char *path, fo_diags *d);

/* For many pages of one document: keeps each font loaded between pages.
 * doc is borrowed and must outlive the renderer. fo_render_png is
 * new + page + free. */
typedef struct fo_png_renderer fo_png_renderer;
fo_png_renderer *fo_png_renderer_new(const fo_dl_doc *doc);

/* How a PNG renderer draws; all zero is fo_png_renderer_new's behaviour
 * (RGB colours, CMYK images naively to RGB, the trim only).
 *  - soft_proof: the page as the print profile prints it: every colour's
 *    CMYK and every image as the print PDF holds it (RGB converted to CMYK
 *    through the output profile, grey on K only, alpha composited over the
 *    page) converted back to sRGB through cmyk_icc with LittleCMS, by the
 *    PDF renderer's own transforms (perceptual, black-point compensation),
 *    and what overprints (fo_dl_op_overprints) multiplied over the page.
 *  - bleed: the PNG shows doc->bleed around the trim on every side. */
typedef struct fo_png_opts {
    int soft_proof;
    const char *cmyk_icc; /* soft_proof: the CMYK output profile */
    const char *srgb_icc; /* soft_proof: sRGB (NULL: LittleCMS's own) */
    int bleed;
} fo_png_opts;

/* A renderer drawing as opts says (copied; its strings are borrowed and
 * must outlive the renderer). NULL (reported to d) when LittleCMS cannot
 * start; a profile that cannot be read is reported at the first page. */
fo_png_renderer *fo_png_renderer_new_opts(const fo_dl_doc *doc,
                                          const fo_png_opts *opts, fo_diags *d);
/* The sRGB colour (0..255 each) that col shows as with r's options: its
 * RGB, or with soft_proof its CMYK through the output profile. */
FO_WUR fo_status fo_png_renderer_color(fo_png_renderer *r, fo_color col,
                                       unsigned char rgb[3], fo_diags *d);
FO_WUR fo_status fo_png_renderer_page(fo_png_renderer *r, size_t page,
                                      double dpi, const char *path,
                                      fo_diags *d);
void fo_png_renderer_free(fo_png_renderer *r);

/* The renderer r (borrowed: it must outlive the writer) as a fo_writer:
 * each page given is drawn at dpi and kept under a temporary name beside
 * path_of(ud, page) (malloc'd, freed by the writer) until close renames
 * them all into place; dropped unclosed, no PNG is left. */
fo_writer *fo_png_writer_new(fo_png_renderer *r, double dpi,
                             char *(*path_of)(void *ud, size_t page), void *ud,
                             fo_diags *d);

#endif
