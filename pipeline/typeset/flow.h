/* Shared by the files of the page builder (blocks.c, boxes.c, table.c,
 * flow.c, front.c, masters.c, pages.c): elements — what the flow pours
 * into frames — and the builder's state. */
#ifndef FO_FLOW_H
#define FO_FLOW_H

#include "typeset_private.h"
#include "image/prefetch.h"

typedef enum el_kind {
    EL_TEXT,  /* set lines; may break between lines */
    EL_BOX,   /* one unbreakable box: figure, key figures, quote */
    EL_TABLE, /* rows; never split inside a row; header repeated */
    EL_BREAK  /* column or page break */
} el_kind;

typedef struct flow flow;
struct toc;
typedef struct elem elem;

/* What the page builder knows of a page besides its display list. */
typedef struct page_info {
    int kind;    /* PAGE_FRONT, PAGE_BODY, PAGE_BLANK, PAGE_FIGURE */
    int section; /* the section its running head names, or -1 */
} page_info;

/* Draws a box element with its top-left corner at (x, y), w wide. */
typedef void (*draw_fn)(flow *fl, const elem *e, fo_dl_page *pg, double x,
                        double y, double w);

typedef struct table_lay {
    int ncols, nrows;
    double *col_x, *col_w;     /* within the table */
    double width;              /* of the whole table: the sum of col_w */
    fo_fig_span span;          /* FO_SPAN_TEXT: across the columns */
    const fo_style *hst, *cst; /* header and cells, at the table's size */
    /* the same, set flush left, right or centred ([0] cells, [1] header;
     * indexed by fo_col_align): a wrapped cell's lines align each */
    const fo_style *set_st[2][3];
    fo_set_para *head;  /* ncols header cells */
    fo_set_para *cells; /* nrows * ncols */
    double *cell_dx;    /* x shift of each cell's text (alignment) */
    double *head_dx;
    double head_h, *row_h;
    double pad;
} table_lay;

struct elem {
    el_kind kind;
    const fo_block *block; /* where it came from (messages), or NULL */
    fo_pos pos;
    double space_before, space_after;
    int keep_with_next;
    /* EL_TEXT: the paragraph is set once when it is added, to measure it
     * (and to report its problems in order). Its set lines wait, packed,
     * for the flow to draw them while flow.keep has room; past that only
     * its line count and breaks are kept and it is set again when drawn
     * (flow_text_lines), so that the set lines held beside the display
     * list stay bounded whatever the document's length. */
    const fo_rich *rich;
    double width;
    int nlines;
    fo_para_break *breaks; /* nlines, malloc'd; freed once placed */
    fo_set_para para;      /* the set lines while drawn, else empty */
    fo_packed_para packed; /* the set lines from measuring, packed */
    size_t kept;           /* bytes of packed held in flow.keep */
    const fo_style *st;
    double baseline;    /* first baseline below the top of a line box */
    double indent;      /* left indent of every line (lists) */
    const char *marker; /* list marker drawn in the indent, or NULL */
    int section_open;   /* a section title that opens a page */
    /* EL_BOX */
    double height;
    fo_fig_span span;
    draw_fn draw;
    void *data;
    /* EL_TABLE */
    table_lay *table;
    int released; /* flow_release_elem freed what draws it */
    /* headings: anchors for links and bookmarks */
    int level;
    const char *anchor, *title;
    int section; /* index of the section this element belongs to */
    fo_break_kind brk;
};

/* Where the flow stands: element e, unit u inside it, and the column
 * figures that did not fit where they were called and wait for the top of
 * the next column. */
enum { MAX_DEFER = 16 };

/* The budget of flow.keep. Every paragraph is measured before the flow
 * starts, so the budget keeps the document's first paragraphs, which are
 * drawn first, and is free again once they are. Packed, the 113-section
 * benchmark edition's set lines take 4.5 MB for 198 pages (18 MB as set),
 * so 4 MB keeps about 180 pages' worth; its peak RSS at 984 pages did not
 * move (/usr/bin/time: archive 67.2 MB kept, 67.1-68.3 MB not; print
 * 96.2 MB kept, 96.7-102.7 MB not, as much as runs differ). */
#define FLOW_KEEP_BYTES ((size_t)4 << 20)
typedef struct pos {
    int e, u;
    int ndefer;
    int defer[MAX_DEFER];
    int ntop; /* text-width and page figures waiting for the next page */
    int top[MAX_DEFER];
} pos;

struct flow {
    fo_fonts *fonts;
    fo_dl_doc *doc;
    const fo_template *t;
    const fo_pub *pub;
    int ed;
    const char *lang;
    fo_hyph *hyph;
    fo_image_prefetch *prefetch; /* the edition's images, probed ahead */
    fo_diags *d;
    /* Set lines kept from measuring to drawing (flow_add_text), within a
     * budget: FLOW_KEEP_BYTES. */
    fo_para_keep keep;
    fo_metrics_cache metrics; /* fo_style_baseline's, for fonts */
    elem *el;
    int nel;
    size_t el_cap;
    double col_w;  /* width of a column (or panel frame) */
    double text_w; /* width of the text frame */
    double frame_h;
    int status; /* fo_status of the first failure */
    /* One entry per page of doc, in order (new_page adds both): what the
     * page is and which section it shows (running heads). */
    page_info *pages;
    size_t npages, pages_cap;
    int passed; /* elements before it are placed for good and released */
    /* Closing pages (masters.c): each page is finished (running heads,
     * contents entries) and handed to the sink once, in order. */
    const fo_page_sink *sink;
    size_t closed;     /* pages before it are closed (but the contents) */
    int nfront, nbody; /* pages labelled so far */
    int running;       /* the section running on, for running heads */
    struct toc *toc;   /* the contents, or NULL */
    size_t toc_next;   /* where to look for the next entry's anchor */
};

/* elements (blocks.c) */
elem *flow_new_elem(flow *fl, el_kind kind, const fo_block *b);
/* Sets rich text in style st at width into a new EL_TEXT element. */
elem *flow_add_text(flow *fl, const fo_rich *rich, const fo_style *st,
                    double width, const fo_block *b);
/* Turns the section's blocks into elements. */
void flow_add_blocks(flow *fl, size_t si);
void flow_free_elems(flow *fl);
/* The set lines of text element e (e->nlines of them), setting the
 * paragraph again if they were not held; borrowed until
 * flow_release_elem. */
const fo_set_line *flow_text_lines(flow *fl, const elem *e);
/* Frees what draws element i (set lines of text, figures' captions, key
 * figures, quotes, table cells) once the flow has placed it for good; its
 * measures stay. A text element can still be drawn (it is set again), a
 * released box or table cannot. */
void flow_release_elem(flow *fl, int i);
/* The ops drawn next on pg come from element e (for the preflight). */
void flow_source(fo_dl_page *pg, const elem *e, fo_dl_src_kind kind);
/* Emits a set line with its first baseline at y. */
void flow_emit_line(fo_dl_page *pg, const fo_set_line *ln, const fo_style *st,
                    double x0, double baseline);
/* Sets text st at width and draws it from y; returns the height used
 * (lines × leading, no space after). */
double flow_draw_text(flow *fl, fo_dl_page *pg, const fo_rich *rich,
                      const fo_style *st, double x, double y, double width);
const fo_style *flow_style(const flow *fl, const char *name);
/* Probes an image once per document (reporting an unusable one at ref);
 * the index in doc->images, or -1. */
int flow_use_image(flow *fl, const fo_image_ref *ref);
/* Draws image into the box: contain (centred) or cover (filling it,
 * cropped around the focus point fx, fy). */
void flow_place_image(flow *fl, fo_dl_page *pg, const fo_image_ref *ref,
                      int image, int cover, double fx, double fy, double x,
                      double y, double w, double h);
/* Draws a span: page figure over the whole page and its bleed. */
void flow_draw_page_figure(flow *fl, const elem *e, fo_dl_page *pg);
/* Draws a span: page figure filling the box x, y, w, h (a panel and the
 * bleed on its sheet edges), cropped around its focus point. */
void flow_draw_figure_in(flow *fl, const elem *e, fo_dl_page *pg, double x,
                         double y, double w, double h);
void flow_fail(flow *fl, fo_status st);
/* The text t in the flow's edition, or NULL where the edition has none. */
static inline const fo_rich *flow_ed_text(const flow *fl, const fo_text *t)
{
    return t->ed[fl->ed];
}

/* boxes (boxes.c): each adds one EL_BOX element, with what draws it, for
 * a figure, key figures or a pull quote block (nothing for a figure whose
 * image is unusable: reported). */
void flow_add_figure(flow *fl, const fo_block *b);
void flow_add_facts(flow *fl, const fo_block *b);
void flow_add_quote(flow *fl, const fo_block *b);
/* Frees the set lines a box element holds (flow_release_elem). */
void flow_release_box(elem *e);

/* QR codes and campaign links (qr.c) */
/* Adds a qr block: one EL_BOX element (none when its code cannot be made
 * or is too small to scan, or too wide: reported). */
void flow_add_qr(flow *fl, const fo_block *b);
void flow_release_qr(elem *e);
/* Whether qr can be drawn in the flow's edition (reported if not). */
int flow_qr_check(flow *fl, const fo_qr *qr);
/* Draws qr's symbol with its quiet zone in the square at (x, y), qr->size
 * wide, with a link over it: once per channel when a campaign tags its
 * URL by channel. */
void flow_draw_qr(flow *fl, fo_dl_page *pg, const fo_qr *qr, double x,
                  double y);
/* Tags the URLs of pg's links with the campaign (flow_close_page). */
void flow_tag_links(flow *fl, fo_dl_page *pg);

/* The back cover (back.c): the last page, when the publication has
 * `back_cover:` and the template pages (no panels). */
void flow_back_cover_page(flow *fl);

/* tables (table.c) */
/* Adds a table block: its caption's text element and an EL_TABLE element
 * (none when the table cannot fit: reported). */
void flow_add_table(flow *fl, const fo_block *b);
/* Shares avail among n table columns of minimum and maximum widths
 * min[c] <= max[c] and weights (0: sized from its content) into out[c], as
 * browsers size auto tables (see table.c). 0, or -1 when the minimums
 * exceed avail. */
int flow_table_distribute(int n, const double *min, const double *max,
                          const double *weight, double avail, double *out);
/* Draws a table's header row or row r (-1 = header) at x, y. */
void flow_draw_table_row(flow *fl, const elem *e, fo_dl_page *pg, int r,
                         double x, double y);
/* Frees a table's set cells (its measures stay). */
void flow_table_free_cells(table_lay *t);

enum { PAGE_FRONT, PAGE_BODY, PAGE_BLANK, PAGE_FIGURE };

/* pages (masters.c) */
/* Adds a page of this kind to the document, labelled. Every page is added
 * here, so fl->pages has one entry per page: fl->npages ==
 * fl->doc->npages. */
fo_dl_page *flow_new_page(flow *fl, int kind, int section);
/* Left edge of the text frame on the page with 0-based index i. */
double flow_left_edge(const flow *fl, size_t i);
/* Finishes page i (running head and foot, contents entries) and hands it
 * to the sink, once and for good. */
void flow_close_page(flow *fl, size_t i);
/* Closes every page added so far, in order, but the contents. */
void flow_close_pages(flow *fl);

/* cover and contents (front.c) */
/* Where a cover is drawn: its box on the trim, how far its colour and
 * image go into the bleed beyond each edge (a panel bleeds only on the
 * sheet's edges, never across a fold), and where its logo and text go. */
typedef struct cover_box {
    double x, y, w, h;
    double bl, bt, br, bb; /* bleed beyond the left, top, right, bottom */
    double tx, ty, tw;     /* text and logo: left edge, top, width */
    double foot; /* the text must end above it: the foot of the box (the
                    cover's text runs in the band under the image, which
                    may use the bottom margin, as the booklet's does) */
} cover_box;

typedef struct toc_entry {
    const char *title;
    const char *anchor;
    int level, section;
    int page; /* where the anchor is, once its page is closed, else -1 */
} toc_entry;

typedef struct toc {
    toc_entry *e;
    size_t n, cap;
    size_t first_page, npages;
} toc;

/* Draws the publication's cover in box c of pg. */
void flow_draw_cover(flow *fl, fo_dl_page *pg, const cover_box *c);
/* Adds the cover page: the whole page and its bleed. */
void flow_cover_page(flow *fl);
/* Does the publication ask for a cover? Where it said so in *at (may be
 * NULL), for messages. */
int flow_wants_cover(const fo_pub *pub, fo_pos *at);
/* The contents entries: the headings of levels 1 and 2 among the
 * elements. */
void flow_toc_collect(flow *fl, toc *tc);
/* Adds the pages the entries of tc will take. */
void flow_toc_reserve(flow *fl, toc *tc);
/* Draws the entries on the pages reserved, once their pages are known. */
void flow_toc_fill(flow *fl, const toc *tc);

/* placement (flow.c) */
/* Does element e span the text frame across its columns (a text-width
 * table and its caption)? */
int flow_elem_wide(const flow *fl, const elem *e);
double unit_height(const elem *e, int u);
int unit_count(const elem *e);
/* Pours elements from p into a frame; draws into pg unless NULL.
 * *page_break is set when a page break (or a page-opening section title)
 * ends the frame. */
pos fill_frame(flow *fl, pos p, double x, double y, double w, double h,
               fo_dl_page *pg, int *page_break);

#endif
