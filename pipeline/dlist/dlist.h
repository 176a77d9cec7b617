/* dlist — the page display list: what layout produced, as plain data.
 *
 * The contract between typeset and render. Every renderer (PDF, PNG, the
 * text dump) draws from it and from nothing else, so the preview is the
 * print. Units are PostScript points; the origin is the top-left corner of
 * the page's trim (the page's width x height) and y grows downwards (as in
 * Cairo and Pango); content may reach fo_dl_doc.bleed beyond the trim. The
 * PDF renderer flips y and, for print, adds the bleed and a slug for marks
 * around the trim.
 *
 * Ownership: a fo_dl_doc owns everything reachable from it (one arena for
 * the document, one per page); fo_dl_doc_free releases it all. */
#ifndef FO_DLIST_H
#define FO_DLIST_H

#include "core/core.h"
#include "image/image.h"

struct fo_block;

/* A font face the layout used: a file in fonts/ (or a template's font dir)
 * and the face index inside it (TrueType collections). Fonts are numbered
 * in the order layout first used them. */
typedef struct fo_dl_font {
    const char *file; /* absolute path */
    int index;        /* face index (FC_INDEX & 0xFFFF) */
    const char *name; /* PostScript name, e.g. "NotoSerif-Bold" */
    int units_per_em;
} fo_dl_font;

/* One shaped glyph. Positions are relative to the run: the pen starts at
 * the run's (x, y); glyph i is drawn at pen + (x_offset, y_offset), then the
 * pen advances by x_advance. Advances already include justification. */
typedef struct fo_dl_glyph {
    uint32_t gid;
    double x_advance;
    double x_offset, y_offset;
    /* Byte offset into the run's text of the first character of this
     * glyph's cluster. Glyphs of one cluster share it; the cluster's text
     * runs up to the next larger cluster offset in the run (or the end). */
    uint32_t cluster;
} fo_dl_glyph;

typedef enum fo_dl_op_kind {
    FO_DL_GLYPHS, /* a run of glyphs in one font, size and colour */
    FO_DL_RECT,   /* a filled rectangle */
    FO_DL_LINE,   /* a stroked straight line */
    FO_DL_IMAGE,  /* an image scaled into a box */
    FO_DL_LINK,   /* a clickable area (URI or internal destination) */
    FO_DL_ANCHOR, /* a named destination (headings, for links and outline) */
    FO_DL_PLACE   /* a form (another page's content) placed with a transform */
} fo_dl_op_kind;

typedef struct fo_dl_glyphs {
    int font;    /* index into fo_dl_doc.fonts */
    double size; /* em size in points */
    double x, y; /* pen start, y is the baseline */
    fo_color color;
    int n; /* glyph count */
    fo_dl_glyph *glyphs;
    const char *text; /* the characters these glyphs show, UTF-8, NFC */
    size_t text_len;
    /* 1 when the last glyph is a hyphen that layout inserted at a line
     * break: it stands for no text of its own, so a PDF maps it so that
     * copying "docu-" + "ment" gives back "document". */
    int hyphen;
    /* The language of the text when it is not the document's (a tag such
     * as "zh"; the PDF marks the run with /Lang), else NULL. */
    const char *lang;
    /* The most space its style allows between two letters beyond the
     * font's own advances (points): tracking plus letter stretch. The
     * preflight measures what the glyphs got against it. */
    double letterspace_max;
} fo_dl_glyphs;

typedef struct fo_dl_rect {
    double x, y, w, h;
    fo_color color;
} fo_dl_rect;

typedef struct fo_dl_line {
    double x0, y0, x1, y1;
    double width;
    fo_color color;
} fo_dl_line;

/* An image drawn (after its EXIF orientation) into the box x, y, w, h,
 * and clipped to the clip box when clip is set (fit: cover crops). */
typedef struct fo_dl_image {
    int image; /* index into fo_dl_doc.images */
    double x, y, w, h;
    int clip;
    double cx, cy, cw, ch;
    double ppi;      /* effective resolution at this size (pixels/inch) */
    const char *src; /* the image as the content names it, or NULL */
    fo_pos pos;      /* where the content places it (for warnings) */
} fo_dl_image;

typedef struct fo_dl_link {
    double x, y, w, h;
    const char *uri;  /* external link, or NULL */
    const char *dest; /* internal destination name, or NULL */
    /* The URL as the content wrote it when uri is that URL tagged with
     * the publication's campaign parameters, else NULL; qr is 1 when the
     * link is a QR code's area (the report's links manifest). */
    const char *written;
    int qr;
} fo_dl_link;

/* Which outputs draw an op: every one, or only the print PDF (and its
 * soft proof), or only the screen and archive PDFs (and the screen
 * preview). Layout draws an op once per channel when what it shows
 * differs by channel: a QR code whose URL is tagged utm_medium=print in
 * print and pdf on screen. */
typedef enum fo_dl_channel {
    FO_DL_CH_ALL = 0,
    FO_DL_CH_PRINT = 1,
    FO_DL_CH_PDF = 2
} fo_dl_channel;

typedef struct fo_dl_anchor {
    const char *name;
    double x, y;
    int level;         /* outline level 1..3, 0 = not in the outline */
    const char *title; /* outline title, or NULL */
} fo_dl_anchor;

/* A form of the document (fo_dl_doc.forms: a page laid out elsewhere,
 * an imposed sheet's source page) drawn on this page. m maps the form's
 * coordinates (origin at its trim's top-left corner, y down) to this
 * page's: x' = m[0] x + m[2] y + m[4], y' = m[1] x + m[3] y + m[5]. The
 * form is drawn to its bleed and clipped to the box cx, cy, cw, ch of
 * this page. A form's links and anchors are not carried over (they point
 * into a document the sheet is not), and a form places no forms. */
typedef struct fo_dl_place {
    int form; /* index into fo_dl_doc.forms */
    double m[6];
    double cx, cy, cw, ch;
} fo_dl_place;

/* What an op was made from, for the preflight (pipeline/check) to report
 * a finding at the block that made it and to count, per block, the text
 * set and the figures drawn. */
typedef enum fo_dl_src_kind {
    FO_DL_SRC_NONE,    /* the template's: running heads, contents, cover */
    FO_DL_SRC_CONTENT, /* the content of block (or of section's title when
                          block is NULL): its text and its figure */
    FO_DL_SRC_ADDED    /* drawn by layout for the block, not its text: a
                          list marker, a table's header repeated */
} fo_dl_src_kind;

/* pos.file and block are borrowed from the publication laid out: read
 * them only while it lives. */
typedef struct fo_dl_src {
    fo_dl_src_kind kind;
    fo_pos pos;                   /* where the content says it, or none */
    const struct fo_block *block; /* the model's block, or NULL */
    int section;                  /* its section index, or -1 */
} fo_dl_src;

/* Where an op may lie: a frame of its page (index into fo_dl_page.frames)
 * or one of these two, which every page has. */
enum {
    FO_DL_IN_TRIM = -1, /* the page (running heads, the cover's text) */
    FO_DL_IN_BLEED = -2 /* the page and its bleed (backgrounds, full-bleed
                           images) */
};

typedef enum fo_dl_frame_kind {
    FO_DL_FRAME_TEXT,   /* the text frame: the margins' inside */
    FO_DL_FRAME_COLUMN, /* one column of it */
    FO_DL_FRAME_PANEL,  /* a fixed panel of a folded leaflet */
    FO_DL_FRAME_BOX     /* a panel's whole box, to the folds and the
                           bleed (a page-wide figure on a panel) */
} fo_dl_frame_kind;

typedef struct fo_dl_frame {
    fo_dl_frame_kind kind;
    double x, y, w, h;
} fo_dl_frame;

typedef struct fo_dl_op {
    fo_dl_op_kind kind;
    int frame;             /* where it must lie: see FO_DL_IN_TRIM */
    fo_dl_src src;         /* what made it */
    fo_dl_channel channel; /* which outputs draw it */
    union {
        fo_dl_glyphs glyphs;
        fo_dl_rect rect;
        fo_dl_line line;
        fo_dl_image image;
        fo_dl_link link;
        fo_dl_anchor anchor;
        fo_dl_place place;
    } u;
} fo_dl_op;

typedef struct fo_dl_page {
    double width, height; /* MediaBox, points */
    fo_dl_op *ops;
    size_t n, cap;
    fo_arena *arena;   /* glyph arrays and strings of this page */
    const char *label; /* page label ("1", "iv"), arena-owned, or NULL */
    /* The frames layout filled on this page (malloc'd) and the x of the
     * folds of a folded sheet (arena-owned); freed with the contents. */
    fo_dl_frame *frames;
    size_t nframes, frames_cap;
    double *folds;
    size_t nfolds;
    /* What the next op added belongs to: layout sets these before it
     * draws, fo_dl_page_add copies them into each op. A new page starts
     * with FO_DL_IN_TRIM and no source. */
    int frame;
    fo_dl_src src;
    fo_dl_channel channel; /* likewise; FO_DL_CH_ALL on a new page */
} fo_dl_page;

typedef struct fo_dl_image_src {
    const char *path;   /* absolute path */
    fo_image_info info; /* probed by typeset: size, orientation, format */
} fo_dl_image_src;

/* What the print profile makes of a document, from its template's
 * `print:` settings (docs/templates.md, Print): the PDF/X flavour, which
 * printer's marks go in the slug, and what overprints. Plain data for the
 * PDF writer and the soft proof; fo_dl_doc_new sets the defaults. */
typedef enum fo_dl_pdfx {
    FO_DL_PDFX_4, /* PDF/X-4: PDF 1.6, live transparency (the default) */
    FO_DL_PDFX_1A /* PDF/X-1a:2001: PDF 1.3, transparency flattened */
} fo_dl_pdfx;

enum {
    FO_DL_MARK_CROP = 1u << 0,
    FO_DL_MARK_REGISTRATION = 1u << 1,
    FO_DL_MARK_COLOR_BAR = 1u << 2,
    FO_DL_MARK_SLUG = 1u << 3,
    FO_DL_MARK_FOLDS = 1u << 4,
    FO_DL_MARKS_ALL = (1u << 5) - 1
};

typedef struct fo_dl_print {
    fo_dl_pdfx pdfx;
    unsigned marks; /* FO_DL_MARK_* */
    /* K-only text at or below this size (points) overprints; 0: none */
    double overprint_text;
    int overprint_rules; /* K-only lines overprint */
    /* The publication's name on the slug line (doc arena), or NULL: the
     * title. */
    const char *name;
} fo_dl_print;

typedef struct fo_dl_doc {
    fo_arena *arena; /* fonts, images, metadata */
    /* How far content may reach beyond the trim (the page's width x
     * height): backgrounds and full-bleed images are drawn out to it.
     * Points; 0 when the publication has no bleed. */
    double bleed;
    /* Print: images shown above print_max_ppi at their largest placement
     * are stored resampled to print_ppi; 0: never. */
    double print_ppi, print_max_ppi;
    const char *title, *author, *subject, *keywords, *lang;
    fo_dl_font *fonts;
    size_t nfonts, fonts_cap;
    fo_dl_image_src *images;
    size_t nimages, images_cap;
    fo_dl_page **pages;
    size_t npages, pages_cap;
    /* The order in which layout finished the pages (the contents last):
     * the order the PDF writer is given them, whether streamed or not, so
     * that a PDF has the same bytes either way. Complete when norder ==
     * npages; empty for a document not made by typeset. */
    size_t *order;
    size_t norder, order_cap;
    /* Pages that are not pages of this document but are drawn on them by
     * FO_DL_PLACE ops (fo_dl_doc_take_forms), with the fonts and images
     * above. Empty for a document made by typeset. */
    fo_dl_page **forms;
    size_t nforms;
    /* The media each page is centred on, points (a press sheet); 0: the
     * renderer's own (the trim, or the trim with bleed and slug). */
    double media_w, media_h;
    fo_dl_print print;
} fo_dl_doc;

/* A new empty document, with the default print settings (PDF/X-4, every
 * mark, K-only text up to 12 pt and K-only rules overprinting); free with
 * fo_dl_doc_free. */
fo_dl_doc *fo_dl_doc_new(void);
void fo_dl_doc_free(fo_dl_doc *doc);

/* A new document whose forms are src's pages, moved (src keeps its
 * pages' sizes and labels, emptied as by fo_dl_page_release), with copies
 * of src's fonts, images (same indices, so the forms' ops stand), bleed
 * and metadata, and no pages yet. Free with fo_dl_doc_free; src stays
 * the caller's. */
fo_dl_doc *fo_dl_doc_take_forms(fo_dl_doc *src);
/* Whether op overprints in print (doc->print): a glyph run of K-only ink
 * (C, M and Y 0, K above 0) at or below overprint_text points, or a K-only
 * line when overprint_rules is set. The PDF writer gives it /OP true
 * /OPM 1, the soft proof draws it so. */
int fo_dl_op_overprints(const fo_dl_doc *doc, const fo_dl_op *op);

/* Index of the font (file, index), adding it if new. name is copied. */
int fo_dl_doc_font(fo_dl_doc *doc, const char *file, int index,
                   const char *name, int units_per_em);

/* Index of the image at path (absolute), adding it with its probed info
 * if new: each image is embedded once however often it is used. */
int fo_dl_doc_image(fo_dl_doc *doc, const char *path,
                    const fo_image_info *info);

/* Appends a new empty page of the given size; borrowed, lives with doc. */
fo_dl_page *fo_dl_doc_add_page(fo_dl_doc *doc, double width, double height);

/* Frees the contents of page i (its ops, glyphs and strings) once a
 * renderer has drawn it; the page stays valid and empty, with its width,
 * height and label. */
void fo_dl_page_release(fo_dl_doc *doc, size_t i);

/* Appends an op to the page and returns it (borrowed, valid until the next
 * append to the same page), with the page's current frame and source.
 * Payload pointers must live in page->arena or doc->arena. */
fo_dl_op *fo_dl_page_add(fo_dl_page *page, fo_dl_op_kind kind);

/* Adds frame (kind, x, y, w, h) to the page — or finds the same one —
 * makes it the current frame and returns its index. */
int fo_dl_page_add_frame(fo_dl_page *page, fo_dl_frame_kind kind, double x,
                         double y, double w, double h);

/* Sets the folds of the page (n x positions, copied). */
void fo_dl_page_set_folds(fo_dl_page *page, const double *x, size_t n);

/* Convenience: a glyph run with n glyphs allocated in the page arena and
 * text copied there; fill glyphs[] after the call. */
fo_dl_glyphs *fo_dl_page_add_glyphs(fo_dl_page *page, int font, double size,
                                    double x, double y, fo_color color, int n,
                                    const char *text, size_t text_len);

/* ---- walking a page -------------------------------------------------
 *
 * The one loop over a page's ops that every consumer uses (render's
 * writers, the text dump, the proof sheet), after MuPDF's fz_device: the
 * consumer gives callbacks and the walk drives them in the page's order.
 * render's fo_writer (render/writer.h) builds on this table; dlist knows
 * nothing of render. */
typedef struct fo_dl_walker {
    /* First, with the page's index in doc; non-OK ends the walk there
     * (end_page is not called). NULL: nothing to begin. */
    fo_status (*begin_page)(void *ud, const fo_dl_doc *doc, size_t page);
    /* Each op in order, with its index in the page; non-OK stops the walk
     * at that op. NULL: the ops are not visited. */
    fo_status (*op)(void *ud, const fo_dl_op *op, size_t i);
    /* Last, whenever begin_page succeeded, with the walk's status so far;
     * its result is the walk's. NULL: the status is the walk's. */
    fo_status (*end_page)(void *ud, fo_status st);
} fo_dl_walker;

/* Whether an output of channel ch (FO_DL_CH_PRINT or FO_DL_CH_PDF) draws
 * op. */
static inline int fo_dl_op_drawn(const fo_dl_op *op, fo_dl_channel ch)
{
    return op->channel == FO_DL_CH_ALL || op->channel == ch;
}

/* Walks page (0-based) of doc with w, passing ud to every callback.
 * FO_ERR_USAGE, calling nothing, when the page does not exist; else what
 * the callbacks returned. */
FO_WUR fo_status fo_dl_walk(const fo_dl_doc *doc, size_t page,
                            const fo_dl_walker *w, void *ud);

/* Walks form f (0-based, fo_dl_doc.forms) of doc with w as fo_dl_walk
 * walks a page: begin_page gets f. FO_ERR_USAGE, calling nothing, when
 * the form does not exist. */
FO_WUR fo_status fo_dl_walk_form(const fo_dl_doc *doc, size_t f,
                                 const fo_dl_walker *w, void *ud);

/* Writes the display list as text, one line per op, stable for golden
 * tests (fixed precision, no pointers, fonts by name): the font table
 * (fo_dl_dump_fonts), then each page walked with fo_dl_dump_walker. */
FO_WUR fo_status fo_dl_dump(const fo_dl_doc *doc, fo_buf *out);
/* The dump's font lines. */
FO_WUR fo_status fo_dl_dump_fonts(const fo_dl_doc *doc, fo_buf *out);
/* The dump of one page as walker callbacks: ud is a fo_dl_dump_page,
 * whose out receives the page line and one line per op. */
typedef struct fo_dl_dump_page {
    fo_buf *out;
    const fo_dl_doc *doc; /* set by begin_page */
} fo_dl_dump_page;
extern const fo_dl_walker fo_dl_dump_walker;

#endif
