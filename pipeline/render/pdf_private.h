/* Internals of the PDF writer, shared between its files:
 *  - pdf.c: the writer (document, pages, saving);
 *  - pdf_obj.c: the only door into libharu's private structures;
 *  - pdf_font.c: fonts (hb-subset, CIDFonts, ToUnicode), pdf_cff.c;
 *  - pdf_text.c: the content stream's operators;
 *  - pdf_nav.c: destinations, outline, links, page labels;
 *  - pdf_image.c: image XObjects; pdf_samples.c: the samples they hold;
 *  - pdf_profile.c: what the output profiles add (ICC files, XMP, marks,
 *    JPEG encoding);
 *  - pdf_form.c: Form XObjects of the document's forms (FO_DL_PLACE).
 * Only the writer's files include this header. */
#ifndef FO_PDF_PRIVATE_H
#define FO_PDF_PRIVATE_H

#include "render.h"
#include "color.h"
#include "pixels.h"

#include <hpdf.h>
#include <hb.h>

/* Points per millimetre. */
#define FO_PDF_MM FO_PT_PER_MM
/* PRINT: room for the marks outside the bleed, on each side. */
#define FO_PDF_SLUG FO_RENDER_MARKS_ROOM
/* A page's content stream (and any other buffer the writer fills from its
 * input) grows with its input; past this it is an error. */
#define FO_PDF_MAX_CONTENT ((size_t)256 * 1024 * 1024)
/* A ToUnicode target or an ActualText longer than this (UTF-16 units) is
 * cut: the CMap format limits a destination string to 512 bytes. */
#define FO_PDF_MAX_MAP_UNITS 256

typedef struct fo_pdf_images fo_pdf_images; /* pdf_image.c */

/* ---- the writer's state (pdf.c) ---------------------------------------- */

/* One fo_dl_font: its HarfBuzz face, the glyphs the document uses, their
 * ToUnicode text and the PDF font built from them. */
typedef struct fo_pdf_font {
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
    unsigned nglyphs;
    unsigned upem;
    unsigned char *used; /* per gid */
    /* Per gid: the text of the first single-glyph cluster that showed it
     * (the ToUnicode entry), else a fallback candidate (first glyph of a
     * multi-glyph cluster, the inserted hyphen). Malloc'd, may be NULL. */
    char **text, **cand;
    size_t *text_len, *cand_len;
    double *width; /* per gid, 1/1000 em, rounded as written in /W */
    /* CFF outlines ('CFF ' table): embedded as CIDFontType0C, whose
     * glyphs a reader finds by CID through the subset's charset. */
    int cff;
    /* Per gid: the code (CID) the content stream writes for it, known
     * before the subset is made (pages are written as they come): a
     * CID-keyed CFF's own CIDs, which hb-subset keeps; NULL when the code
     * is the gid (TrueType with CIDToGIDMap /Identity, and a name-keyed
     * CFF, subset with its glyph ids kept). subset_cff checks the subset
     * agrees. */
    uint32_t *code;
    /* The Type0 font the pages name; filled by build_font at the end. */
    HPDF_Dict type0;
} fo_pdf_font;

/* An anchor met on a page: its destination, and what the outline needs.
 * Strings are copies: the page may be released once it is written. */
typedef struct fo_pdf_anchor {
    char *name;
    size_t order; /* document order (page, then op), for the outline and
                     to keep the first of duplicate names */
    int level;    /* outline level 1..3, 0 = not in the outline */
    char *title;
    HPDF_Destination dest;
} fo_pdf_anchor;

/* An internal link, made when every destination exists (finish). */
typedef struct fo_pdf_link {
    size_t page;
    HPDF_Rect rect;
    char *dest;
} fo_pdf_link;

/* The document being written, shared by the writer's files. */
typedef struct fo_pdf_ctx {
    const fo_dl_doc *doc;
    const fo_pdf_opts *opts;
    fo_diags *d;
    HPDF_Doc pdf;
    int lib_failed;
    HPDF_STATUS hpdf_error, hpdf_detail; /* first error libharu reported */
    int input_errors;
    fo_pdf_font *fonts;
    size_t nfonts;    /* fonts[] entries: grows with doc->nfonts */
    HPDF_Page *pages; /* made in page order, up to the highest written */
    size_t npages, pages_cap;
    unsigned char *written; /* per page made: its content is written */
    fo_pdf_anchor *anchors;
    size_t nanchors, anchors_cap;
    fo_pdf_link *links;
    size_t nlinks, links_cap;
    int noutline;
    uint64_t id[2];    /* content hash for the trailer's /ID */
    uint32_t *scratch; /* sorted cluster offsets of the current run */
    size_t scratch_cap;
    HPDF_Image *images;  /* per fo_dl_doc image, embedded on first use */
    size_t nimages;      /* images[] entries: grows with doc->nimages */
    fo_pdf_images *imgs; /* their samples, made while saving */
    /* Output profile: PRINT translates every page by off (bleed + slug)
     * inside a larger MediaBox and writes colours as CMYK. */
    fo_profile profile;
    double off;
    fo_cms *cms;
    /* Per fo_dl_doc form: its Form XObject, made at its first placement
     * (pdf_form.c); NULL until then. */
    HPDF_Dict *forms;
    size_t nforms;
    /* PRINT: the graphics states that turn overprint off ([0]) and on
     * ([1]), made on first use */
    HPDF_Dict gstate[2];
    char *path; /* where finish writes the file */
} fo_pdf_ctx;

/* libharu's first error, reported once with what failed; every later
 * call of the render then stops (pdf.c). Returns -1. */
int fo_pdf_lib_fail(fo_pdf_ctx *c, const char *what);

#define CHECK(c, call)                                                         \
    do {                                                                       \
        if ((call) != HPDF_OK) {                                               \
            fo_pdf_lib_fail((c), #call);                                       \
            goto out;                                                          \
        }                                                                      \
    } while (0)

#define CHECK_PTR(c, p, what)                                                  \
    do {                                                                       \
        if (!(p)) {                                                            \
            fo_pdf_lib_fail((c), (what));                                      \
            goto out;                                                          \
        }                                                                      \
    } while (0)

/* Feeds bytes (a string with its NUL, "" for NULL) into the document's
 * /ID (pdf.c). */
void fo_pdf_hash_bytes(fo_pdf_ctx *c, const void *p, size_t n);
void fo_pdf_hash_str(fo_pdf_ctx *c, const char *s);

/* ---- libharu's private structures (pdf_obj.c) -------------------------- */

HPDF_Array fo_pdf_obj_array(HPDF_Doc pdf);
HPDF_Dict fo_pdf_obj_dict(HPDF_Doc pdf);
HPDF_String fo_pdf_obj_string(HPDF_Doc pdf, const char *s);
HPDF_Binary fo_pdf_obj_binary(HPDF_Doc pdf, unsigned char *p, size_t n);
HPDF_Null fo_pdf_obj_null(HPDF_Doc pdf);
HPDF_Boolean fo_pdf_obj_bool(HPDF_Doc pdf, int v);
const char *fo_pdf_obj_gstate_name(HPDF_Page hp, HPDF_Dict gs);
HPDF_Array fo_pdf_obj_box(HPDF_Doc pdf, HPDF_Box box);
void fo_pdf_obj_free(HPDF_Doc pdf, void *obj);
HPDF_Dict fo_pdf_obj_indirect_dict(HPDF_Doc pdf);
HPDF_Dict fo_pdf_obj_stream(HPDF_Doc pdf, int flate);
HPDF_Dict fo_pdf_obj_image_stream(HPDF_Doc pdf);
HPDF_STATUS fo_pdf_obj_write(HPDF_Dict stream, const void *p, size_t n);
HPDF_Dict fo_pdf_obj_trailer(HPDF_Doc pdf);
HPDF_Dict fo_pdf_obj_catalog(HPDF_Doc pdf);
HPDF_Dict fo_pdf_obj_info(HPDF_Doc pdf);
void fo_pdf_obj_set_version(HPDF_Doc pdf, HPDF_PDFVer v);
void fo_pdf_obj_set_filter(HPDF_Dict dict, unsigned filter,
                           HPDF_STATUS (*write_fn)(HPDF_Dict, HPDF_Stream));
HPDF_STATUS fo_pdf_obj_page_content(HPDF_Page hp, const void *p, size_t n,
                                    int deflated);
void *fo_pdf_obj_stream_user(HPDF_Stream s);
void fo_pdf_obj_stream_set_user(HPDF_Stream s, void *user);
HPDF_STATUS fo_pdf_obj_stream_fail(HPDF_Stream s, HPDF_STATUS code,
                                   HPDF_STATUS detail);
void *fo_pdf_obj_dict_user(HPDF_Dict dict);
/* The callbacks of a stream read while the file is saved. */
typedef struct fo_pdf_stream_fns {
    HPDF_STATUS (*read_fn)(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz);
    HPDF_STATUS (*seek_fn)(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode);
    HPDF_INT32 (*tell_fn)(HPDF_Stream s);
    HPDF_UINT32 (*size_fn)(HPDF_Stream s);
    void (*free_fn)(HPDF_Stream s);
} fo_pdf_stream_fns;
HPDF_Dict fo_pdf_obj_callback_xobject(HPDF_Doc pdf,
                                      const fo_pdf_stream_fns *fns, void *user);
/* A Form XObject's stream (Flate-compressed by libharu when flate), marked
 * an XObject as libharu's own would be. NULL on failure. */
HPDF_Dict fo_pdf_obj_form(HPDF_Doc pdf, int flate);
/* The name of obj in the resource dictionary res under kind ("Font",
 * "XObject"), added as prefix<n> when new; borrowed from res. NULL on
 * failure. */
const char *fo_pdf_obj_res_name(HPDF_Doc pdf, HPDF_Dict res, const char *kind,
                                const char *prefix, void *obj);
HPDF_Stream fo_pdf_obj_save_through(HPDF_Doc pdf,
                                    HPDF_Stream_Write_Func write_fn,
                                    void *user);

/* ---- content (pdf_text.c) ---------------------------------------------- */

/* An output buffer with a sticky status: every content write goes through
 * it; after the first failure the rest are no-ops and the status is
 * checked once at the end. */
typedef struct fo_pdf_out {
    fo_buf b;
    fo_status st;
} fo_pdf_out;

void fo_pdf_outs(fo_pdf_out *o, const char *s);
/* v as four uppercase hex digits (a glyph id, a UTF-16 unit). */
void fo_pdf_outx(fo_pdf_out *o, unsigned v);
/* v with at most dec (0..5) decimals (fo_pdf_num). */
void fo_pdf_outn(fo_pdf_out *o, double v, int dec);
/* UTF-8 → UTF-16BE as hex digits (no BOM), at most max_units units. */
void fo_pdf_out_utf16_hex(fo_pdf_out *o, const char *s, size_t n,
                          int max_units);
/* v rounded to dec decimals (0..5). */
double fo_pdf_round(double v, int dec);
/* Formats v with at most dec (0..5) decimals, trailing zeros trimmed,
 * whatever LC_NUMERIC says. */
void fo_pdf_num(char *buf, size_t size, double v, int dec);
/* UTF-8 → UTF-16BE bytes with a BOM (a PDF text string); caller frees. */
unsigned char *fo_pdf_utf16be_bom(const char *s, size_t n, size_t *len);

/* Clusters of a glyph run (dlist.h's rule): the run's cluster offsets
 * sorted into c->scratch (returns their count), the text of the cluster
 * at offset cl, where the cluster starting at glyph i ends, whether glyph
 * i is the hyphen layout inserted, and the text that hyphen stands for. */
size_t fo_pdf_sort_clusters(fo_pdf_ctx *c, const fo_dl_glyphs *g);
void fo_pdf_cluster_text(const fo_pdf_ctx *c, size_t ns, const fo_dl_glyphs *g,
                         uint32_t cl, const char **s, size_t *len);
int fo_pdf_cluster_end(const fo_dl_glyphs *g, int i);
int fo_pdf_is_inserted_hyphen(const fo_dl_glyphs *g, int i);
extern const char fo_pdf_hyphen_text[];

/* Graphics state already set in a page's content stream, to avoid
 * repeating operators. */
typedef struct fo_pdf_page {
    const fo_dl_page *page;
    size_t index;
    HPDF_Page hp;
    const char **font_names; /* per font: resource name on this page */
    int in_text;
    int font;
    double size;
    int have_fill;
    fo_color fill;
    /* A form's content (pdf_form.c): its own /Resources, where fonts and
     * images are named; NULL for a page (libharu's page resources). */
    HPDF_Dict res;
    int cmyk;        /* PRINT: colours as DeviceCMYK */
    int transparent; /* PRINT: an image with a soft mask is drawn */
    int overprint;   /* PRINT: the overprinting graphics state is set */
} fo_pdf_page;

/* The operators of one op (its font registered in the page's resources
 * first for a glyph run); fo_pdf_text_end closes a text object left open.
 * Errors are reported; image ops with an unknown image count as input
 * errors and draw nothing. */
FO_WUR fo_status fo_pdf_text_glyphs(fo_pdf_ctx *c, fo_pdf_out *o,
                                    fo_pdf_page *ps, const fo_dl_glyphs *g);
void fo_pdf_text_rect(fo_pdf_out *o, fo_pdf_page *ps, const fo_dl_rect *r);
void fo_pdf_text_line(fo_pdf_out *o, fo_pdf_page *ps, const fo_dl_line *l);
FO_WUR fo_status fo_pdf_text_image(fo_pdf_ctx *c, fo_pdf_out *o,
                                   fo_pdf_page *ps, const fo_dl_image *im);
void fo_pdf_text_end(fo_pdf_out *o, fo_pdf_page *ps);
/* One drawing op (glyphs, rect, line, image) by the functions above;
 * links, anchors and placements are the caller's and draw nothing here. */
FO_WUR fo_status fo_pdf_text_op(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                                const fo_dl_op *op);

/* ---- forms (pdf_form.c) ------------------------------------------------- */

/* Makes the Form XObject of every form that page p of the document places
 * (its glyphs into the fonts, its content written once), before the
 * page's content. */
FO_WUR fo_status fo_pdf_forms_make(fo_pdf_ctx *c, size_t p);
/* A placement on page ps: q, its clip, its matrix, the form, Q. */
FO_WUR fo_status fo_pdf_form_place(fo_pdf_ctx *c, fo_pdf_out *o,
                                   fo_pdf_page *ps, const fo_dl_place *pl);
/* q [x y w h re W n] a b c d e f cm /name Do Q: an XObject drawn with
 * matrix cm (6 numbers), clipped to clip (x, y, w, h in PDF space) unless
 * NULL. */
void fo_pdf_out_do(fo_pdf_out *o, const double *clip, const double *cm,
                   const char *name);
/* The placement of im: q [clip] cm /name Do Q, through its orientation. */
void fo_pdf_text_place(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                       const fo_dl_image *im, const char *name);
/* PDF/X-1a: places im, a transparent image, as an opaque image of its
 * own, flattened against what the page draws beneath it (pdf_flatten.c).
 * im must be one of ps->page's ops. */
FO_WUR fo_status fo_pdf_flatten_image(fo_pdf_ctx *c, fo_pdf_out *o,
                                      fo_pdf_page *ps, const fo_dl_image *im);
/* PRINT: sets overprint on (K-only small text and rules, dlist.h's
 * fo_dl_op_overprints) or back off before an op, when it changes. */
FO_WUR fo_status fo_pdf_text_overprint(fo_pdf_ctx *c, fo_pdf_out *o,
                                       fo_pdf_page *ps, int on);

/* ---- fonts (pdf_font.c) ------------------------------------------------- */

/* Records the glyphs of run g (and the text each stands for) in its font,
 * opening the font on first use. */
FO_WUR fo_status fo_pdf_collect_run(fo_pdf_ctx *c, const fo_dl_glyphs *g);
/* The code the content stream, /W and the ToUnicode use for gid. */
unsigned fo_pdf_code_of(const fo_pdf_font *fs, unsigned gid);
/* Subsets and embeds every font used; at the end. */
FO_WUR fo_status fo_pdf_build_fonts(fo_pdf_ctx *c);
void fo_pdf_font_close(fo_pdf_font *fs);

/* ---- navigation (pdf_nav.c) --------------------------------------------- */

/* Replaces key of dict by a UTF-16BE text string. */
FO_WUR fo_status fo_pdf_put_text(fo_pdf_ctx *c, HPDF_Dict dict, const char *key,
                                 const char *utf8);
/* A destination for anchor a, op i of page p (kept, with copies of its
 * name and title, for the outline and the links made at the end). */
FO_WUR fo_status fo_pdf_nav_anchor(fo_pdf_ctx *c, size_t p, size_t i,
                                   const fo_dl_anchor *a);
/* A link on the page being written (internal ones wait for the end). */
FO_WUR fo_status fo_pdf_nav_link(fo_pdf_ctx *c, fo_pdf_page *ps,
                                 const fo_dl_link *l);
/* At the end: the outline, the internal links, /PageLabels. */
FO_WUR fo_status fo_pdf_nav_outline(fo_pdf_ctx *c);
FO_WUR fo_status fo_pdf_nav_links(fo_pdf_ctx *c);
FO_WUR fo_status fo_pdf_nav_labels(fo_pdf_ctx *c);

/* ---- output profiles (pdf_profile.c) ------------------------------------ */

/* Encodes px (grey, RGB or CMYK, no alpha) as a baseline JPEG; *out is
 * malloc'd, the caller frees it. Deterministic for the same pixels. */
void fo_pdf_jpeg_encode(const fo_pixels *px, int quality, unsigned char **out,
                        size_t *len);

/* Reads an ICC profile file and checks it is one with n components;
 * *out is malloc'd. FO_ERR_IO / FO_ERR_INPUT reported to d. */
FO_WUR fo_status fo_pdf_read_icc(const char *path, int n, char **out,
                                 size_t *len, fo_diags *d);

/* Writes ICC profile icc[0..len) into stream (an output intent's
 * /DestOutputProfile): deflated when compress, as libharu would deflate
 * it, without deflating it again on every build (pdf_profile.c). */
HPDF_STATUS fo_pdf_icc_write(HPDF_Dict stream, const char *icc, size_t len,
                             int compress, fo_cache *cache);

/* What an XMP packet declares the file to be. */
typedef enum fo_pdf_xmp_kind {
    FO_PDF_XMP_PDFA1B, /* pdfaid:part 1, pdfaid:conformance B */
    FO_PDF_XMP_PDFX4   /* pdfxid:GTS_PDFXVersion PDF/X-4, pdf:Trapped */
} fo_pdf_xmp_kind;

/* Appends the XMP packet to b: dc:title, dc:creator, dc:description,
 * pdf:Keywords, pdf:Producer, xmp:CreatorTool, xmp:CreateDate =
 * xmp:ModifyDate = epoch, then what kind declares. */
FO_WUR fo_status fo_pdf_xmp(const fo_dl_doc *doc, long long epoch,
                            const char *producer, const char *creator,
                            fo_pdf_xmp_kind kind, fo_buf *b);

/* ---- printer's marks (pdf_marks.c) ------------------------------------ */

/* What the marks are drawn around: a trim of w x h whose lower-left
 * corner is at (x, y) in the page's PDF space (y up), the bleed around
 * it, the slug beyond the bleed (to the media's edge), the vertical folds
 * (x from the trim's left edge) and which marks (FO_DL_MARK_*). A press
 * sheet of several pages is marked by giving each trim in turn, or the
 * sheet's whole trim. */
typedef struct fo_pdf_marks_geom {
    double x, y, w, h;
    double bleed, slug;
    const double *folds;
    size_t nfolds;
    unsigned marks;
} fo_pdf_marks_geom;

/* Appends the crop marks, registration targets, fold marks and colour bar
 * that g asks for as raw content (registration colour 1 1 1 1 K, 0.25 pt;
 * the bar's patches in their CMYK), inside q … Q. */
FO_WUR fo_status fo_pdf_marks(fo_buf *b, const fo_pdf_marks_geom *g);
/* The slug line of a page labelled page (malloc'd): publication, edition,
 * page, profile and the date of epoch. */
char *fo_pdf_slug_text(const fo_dl_doc *doc, const char *page, long long epoch);
/* Sets text in the slug above g's trim, in one of the document's fonts
 * (shaped with HarfBuzz, embedded with the others), fitted to the room
 * left of the registration target. Leaves ps's text state closed. */
FO_WUR fo_status fo_pdf_slug_line(fo_pdf_ctx *c, fo_pdf_out *o, fo_pdf_page *ps,
                                  const fo_pdf_marks_geom *g, const char *text);

/* Reads a bare CFF font program (pdf_cff.c): *cid_keyed is 1 when its Top
 * DICT has ROS; *cids (malloc'd, the caller frees) gives for each of its
 * *nglyphs glyphs the code a PDF reader maps to it: the charset's CID for
 * a CID-keyed font, the glyph index otherwise. FO_ERR_INPUT when the
 * program is malformed. */
FO_WUR fo_status fo_pdf_cff_charset(const unsigned char *cff, size_t len,
                                    int *cid_keyed, uint32_t **cids,
                                    unsigned *nglyphs);

/* ---- images (pdf_image.c, pdf_samples.c) ------------------------------ */

/* Image XObjects (pdf_image.c): made on an image's first use, planned
 * (stored size, colour space, encoding) by fo_pdf_images_finish once every
 * placement is known, their samples decoded, converted and encoded while
 * the document is saved, one image at a time. */
fo_pdf_images *fo_pdf_images_new(HPDF_Doc pdf, const fo_dl_doc *doc,
                                 const fo_pdf_opts *opts, fo_cms *cms,
                                 fo_diags *d);
/* After HPDF_Free of the document. */
void fo_pdf_images_free(fo_pdf_images *o);
/* The XObject of document image use->image, made at its first use (where
 * errors will point); every use records its placed size (SCREEN
 * downsamples to the largest). NULL when libharu fails. */
HPDF_Dict fo_pdf_image_xobject(fo_pdf_images *o, const fo_dl_image *use);
/* Whether document image idx is drawn with its soft mask (SCREEN, and
 * PRINT as PDF/X-4): the page that draws it is a transparency group. */
int fo_pdf_image_keeps_alpha(const fo_pdf_images *o, size_t idx);
/* The account of every image written (fo_pdf_writer_images). */
size_t fo_pdf_images_res(const fo_pdf_images *o, fo_pdf_image_res **out);
/* Plans every image made and completes its dictionary; before saving. */
FO_WUR fo_status fo_pdf_images_finish(fo_pdf_images *o);
/* How many images failed while the document was saved (each reported at
 * its first placement); the file must then be thrown away. */
int fo_pdf_images_failed(const fo_pdf_images *o);

/* n bytes deflated at zlib level into a malloc'd buffer of *out_len
 * (pdf_samples.c). */
unsigned char *fo_pdf_deflate(const unsigned char *p, size_t n, int level,
                              size_t *out_len);
/* A dictionary write callback (HPDF_Dict.write_fn) for a stream that holds
 * Flate data already: libharu copies a stream whose filter is NONE as it
 * is and deletes a /Filter key it did not set, so the key is written
 * here, after the dictionary's other keys. */
HPDF_STATUS fo_pdf_write_flate_filter(HPDF_Dict dict, HPDF_Stream out);

/* An image whose samples (as decoded, or as stored) exceed this is never
 * held whole: SCREEN stores it reduced to this size at most (decoded
 * reduced, then resampled), PRINT and ARCHIVE make its stream strip by
 * strip while libharu writes it (STRIP_BYTES of rows at a time,
 * pdf_samples.c), so that one image of any size the probe accepts stays
 * far below 512 MB (tests/cli/image_limits.sh). Images up to this size are
 * made whole, ahead of the writer by the workers, with libdeflate's
 * whole-buffer compression. */
#define FO_PDF_SAMPLES_MAX ((size_t)32 << 20)

typedef enum fo_pdf_enc {
    FO_PDF_ENC_PASS,  /* the file's bytes, DCTDecode */
    FO_PDF_ENC_IDAT,  /* a PNG's IDAT bytes, FlateDecode with PNG predictors */
    FO_PDF_ENC_JPEG,  /* decoded and encoded again, DCTDecode */
    FO_PDF_ENC_FLATE, /* samples, FlateDecode at IMAGE_ZLEVEL (pdf_samples.c) */
    FO_PDF_ENC_RAW    /* samples, uncompressed (opts->compress off) */
} fo_pdf_enc;

/* An image's stream made strip by strip while libharu reads it. */
typedef struct fo_pdf_strips fo_pdf_strips;

/* One document image: its plan (pdf_image.c), its state among the
 * threads that make it, and its samples while they are written. */
typedef struct fo_pdf_img {
    fo_pdf_images *owner;
    int idx;
    fo_pos pos;              /* first placement: where errors point */
    char *src;               /* the image as the content names it (a copy) */
    double place_w, place_h; /* largest placement, points */
    fo_pdf_enc enc;
    int quality;
    int w, h, comps; /* as stored in the PDF */
    int resample;    /* w, h differ from the file's */
    int mask;        /* a soft mask follows (SCREEN, alpha) */
    HPDF_Dict xobj, smask;
    size_t order; /* position in the writing order */
    int state;    /* UNCLAIMED, MAKING, MADE (pdf_image.c, under
                      the owner's lock) */
    int failed, reported;
    char *why; /* the failure, reported by the writer's thread */
    unsigned char *data, *alpha; /* encoded, while being written */
    size_t len, alpha_len;
    size_t cost;           /* bytes counted against AHEAD_BUDGET while made */
    int by_writer;         /* made by the writer's reads: streamed */
    int is_consumed;       /* its cost given back */
    fo_image_bytes *bytes; /* FO_PDF_ENC_PASS, _IDAT: the file, streamed */
    fo_pdf_strips *strips; /* large samples: made while read */
} fo_pdf_img;

/* The digest of what every image stream of a document depends on besides
 * its file and its plan, into env (FO_CACHE_DIGEST bytes): 0 when opts has
 * no cache or a profile cannot be read. */
int fo_pdf_samples_env(const fo_pdf_opts *opts, unsigned char *env);
/* Any thread: makes im's stream (and soft mask) whole into im->data and
 * im->alpha as its plan says, from the cache when env (of
 * fo_pdf_samples_env; NULL: no cache) finds it there. A failure is kept
 * with im (fo_pdf_img_fail). */
void fo_pdf_samples_make(fo_pdf_img *im, const fo_dl_image_src *src,
                         const fo_pdf_opts *opts, fo_cms *cms,
                         const unsigned char *env);
/* The writer's thread: up to cap bytes of im's stream made strip by strip
 * (an image over FO_PDF_SAMPLES_MAX) into buf; *got 0 at its end. 0, or -1
 * when im failed. */
int fo_pdf_samples_read(fo_pdf_img *im, const fo_dl_image_src *src,
                        const fo_pdf_opts *opts, fo_cms *cms,
                        unsigned char *buf, size_t cap, size_t *got);
/* Any thread: im failed (why is copied and reported by the writer's
 * thread); what it held is released. */
void fo_pdf_img_fail(fo_pdf_img *im, const char *why);
/* Frees what im holds while it is made or written (samples, the file
 * being copied, the strip maker); im stays. */
void fo_pdf_img_release(fo_pdf_img *im);

#endif
