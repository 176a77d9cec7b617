/* Internals of the PDF renderer shared between pdf.c (the document, its
 * fonts and pages) and pdf_profile.c (what the output profiles add: colour
 * conversion, image resampling, output intents, XMP, printer's marks). */
#ifndef FO_PDF_PRIVATE_H
#define FO_PDF_PRIVATE_H

#include "render.h"
#include "color.h"
#include "pixels.h"

#include <hpdf.h>
#include <hpdf_objects.h>

/* Points per millimetre. */
#define FO_PDF_MM (72.0 / 25.4)
/* PRINT: room for the marks outside the bleed, on each side. */
#define FO_PDF_SLUG (10 * FO_PDF_MM)

/* Encodes px (grey, RGB or CMYK, no alpha) as a baseline JPEG; *out is
 * malloc'd, the caller frees it. Deterministic for the same pixels. */
void fo_pdf_jpeg_encode(const fo_pixels *px, int quality, unsigned char **out,
                        size_t *len);

/* Reads an ICC profile file and checks it is one with n components;
 * *out is malloc'd. FO_ERR_IO / FO_ERR_INPUT reported to d. */
FO_WUR fo_status fo_pdf_read_icc(const char *path, int n, char **out,
                                 size_t *len, fo_diags *d);

/* Appends the XMP packet for PDF/A-1b to b: dc:title, dc:creator,
 * dc:description, pdf:Keywords, pdf:Producer, xmp:CreatorTool,
 * xmp:CreateDate = xmp:ModifyDate = epoch, pdfaid:part 1,
 * pdfaid:conformance B. */
FO_WUR fo_status fo_pdf_xmp(const fo_dl_doc *doc, long long epoch,
                            const char *producer, const char *creator,
                            fo_buf *b);

/* Appends crop marks and registration targets for a trim of w x h whose
 * lower-left corner is at (off, off) in the page, with bleed around it,
 * as raw content (registration colour 1 1 1 1 K, 0.25 pt). */
FO_WUR fo_status fo_pdf_marks(fo_buf *b, double w, double h, double off,
                              double bleed);

/* Reads a bare CFF font program (pdf_cff.c): *cid_keyed is 1 when its Top
 * DICT has ROS; *cids (malloc'd, the caller frees) gives for each of its
 * *nglyphs glyphs the code a PDF reader maps to it: the charset's CID for
 * a CID-keyed font, the glyph index otherwise. FO_ERR_INPUT when the
 * program is malformed. */
FO_WUR fo_status fo_pdf_cff_charset(const unsigned char *cff, size_t len,
                                    int *cid_keyed, uint32_t **cids,
                                    unsigned *nglyphs);

/* Image XObjects (pdf_image.c): made on an image's first use, planned
 * (stored size, colour space, encoding) by fo_pdf_images_finish once every
 * placement is known, their samples decoded, converted and encoded while
 * the document is saved, one image at a time. */
typedef struct fo_pdf_images fo_pdf_images;
fo_pdf_images *fo_pdf_images_new(HPDF_Doc pdf, const fo_dl_doc *doc,
                                 const fo_pdf_opts *opts, fo_cms *cms,
                                 fo_diags *d);
/* After HPDF_Free of the document. */
void fo_pdf_images_free(fo_pdf_images *o);
/* The XObject of document image use->image, made at its first use (where
 * errors will point); every use records its placed size (SCREEN
 * downsamples to the largest). NULL when libharu fails. */
HPDF_Dict fo_pdf_image_xobject(fo_pdf_images *o, const fo_dl_image *use);
/* Plans every image made and completes its dictionary; before saving. */
FO_WUR fo_status fo_pdf_images_finish(fo_pdf_images *o);
/* How many images failed while the document was saved (each reported at
 * its first placement); the file must then be thrown away. */
int fo_pdf_images_failed(const fo_pdf_images *o);

/* n bytes deflated at zlib level into a malloc'd buffer of *out_len. */
unsigned char *fo_pdf_deflate(const unsigned char *p, size_t n, int level,
                              size_t *out_len);
/* A dictionary write callback (HPDF_Dict.write_fn) for a stream that holds
 * Flate data already: libharu copies a stream whose filter is NONE as it
 * is and deletes a /Filter key it did not set, so the key is written
 * here, after the dictionary's other keys. */
HPDF_STATUS fo_pdf_write_flate_filter(HPDF_Dict dict, HPDF_Stream out);

/* Formats v with at most dec (0..5) decimals, trailing zeros trimmed,
 * whatever LC_NUMERIC says (pdf.c). */
void fo_pdf_num(char *buf, size_t size, double v, int dec);

#endif
