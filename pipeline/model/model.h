/* model — the publication as folio understands it, independent of YAML:
 * publication → editions → sections → blocks → rich text (inline runs).
 *
 * fo_pub_load reads publication.yaml (and its includes) through source/,
 * checks every key and type, parses the inline markup of every text in
 * every edition, and reports all problems to the fo_diags with positions.
 * Everything hangs off pub->arena and dies with fo_pub_free. */
#ifndef FO_MODEL_H
#define FO_MODEL_H

#include "core/core.h"

enum { FO_MAX_EDITIONS = 16 };

/* Inline style flags of a span. */
enum {
    FO_SPAN_BOLD = 1u << 0,
    FO_SPAN_ITALIC = 1u << 1,
    FO_SPAN_LINK = 1u << 2,
    FO_SPAN_SUPER = 1u << 3
};

/* A styled range [start, end) of a rich text, in bytes. Spans are sorted,
 * never overlap, and each carries the union of the styles in force (bold
 * inside a link is one span with BOLD|LINK). Unstyled text has no span. */
typedef struct fo_span {
    uint32_t start, end;
    unsigned flags;
    const char *href; /* FO_SPAN_LINK: the target URI */
} fo_span;

/* A text after inline markup: UTF-8, NFC. A forced line break is U+2028,
 * a no-break space U+00A0; no markup characters remain. */
typedef struct fo_rich {
    const char *text;
    size_t len;
    const fo_span *spans;
    int nspans;
    fo_pos pos; /* where the text starts in its YAML file */
    /* The text's language when a block says it is not the edition's
     * (`lang:`, a tag such as "zh" or "km"), else NULL: layout shapes and
     * breaks it as that language and the PDF tags it (/Lang). */
    const char *lang;
} fo_rich;

/* One text per edition (index as in fo_pub.editions). A plain YAML string
 * gives the same fo_rich to every edition. An absent optional text has
 * ed[i] == NULL for every i. */
typedef struct fo_text {
    const fo_rich *ed[FO_MAX_EDITIONS];
} fo_text;

typedef enum fo_block_kind {
    FO_BLOCK_HEADING, /* h2, h3 (the section title is level 1) */
    FO_BLOCK_PARA,    /* p */
    FO_BLOCK_FIGURE,  /* figure: an image with caption and credit */
    FO_BLOCK_FACTS,   /* facts: key figures, a big value with a label */
    FO_BLOCK_TABLE,   /* table */
    FO_BLOCK_QUOTE,   /* quote: pull quote with attribution */
    FO_BLOCK_LIST,    /* list: bulleted or numbered */
    FO_BLOCK_BREAK,   /* break: page or column */
    FO_BLOCK_QR       /* qr: a QR code of a URL (model_qr.c) */
} fo_block_kind;

/* How wide a figure is placed. */
typedef enum fo_fig_span {
    FO_SPAN_COLUMN, /* one column (default) */
    FO_SPAN_TEXT,   /* the whole text width, across the columns */
    FO_SPAN_PAGE    /* the whole page, into the bleed */
} fo_fig_span;

typedef enum fo_fit {
    FO_FIT_CONTAIN, /* the whole image, box height follows its aspect */
    FO_FIT_COVER    /* fill the box (height given), cropped at focus */
} fo_fit;

/* An image file used by the publication. path is absolute and inside the
 * project folder; src is as written (for messages). */
typedef struct fo_image_ref {
    const char *src;
    const char *path;
    fo_pos pos; /* of the src value */
} fo_image_ref;

typedef struct fo_figure {
    fo_image_ref image;
    fo_fig_span span;
    fo_fit fit;
    double focus_x, focus_y; /* 0..1 in the image, default 0.5 0.5 */
    double height;           /* box height in points; 0 = from the aspect
                                (fit contain), or the page's height (a
                                page-wide fit cover) */
    fo_text caption, credit; /* optional */
    /* optional: what the image shows, for readers who cannot see it
     * (checked across editions by `folio editions`) */
    fo_text alt;
} fo_figure;

typedef struct fo_fact {
    fo_text value; /* "8,1 %" */
    fo_text label; /* "GRDP growth" */
} fo_fact;

typedef enum fo_col_align {
    FO_COL_LEFT,
    FO_COL_RIGHT,
    FO_COL_CENTER,
    FO_COL_DECIMAL /* numbers aligned on the edition's decimal separator */
} fo_col_align;

typedef struct fo_table_col {
    fo_text head;
    fo_col_align align;
    double weight; /* share of the width the content-sized columns leave;
                      0 = sized from the content */
} fo_table_col;

/* The text sizes a table may set ('size', points). */
#define FO_TABLE_MIN_SIZE 4.0
#define FO_TABLE_MAX_SIZE 72.0

typedef struct fo_table {
    fo_table_col *cols;
    int ncols;
    fo_text *cells; /* nrows * ncols, row-major */
    size_t nrows;
    fo_text caption;  /* optional */
    int zebra;        /* shade every other row (default 1) */
    double size;      /* text size in points; 0 = the template's */
    fo_fig_span span; /* FO_SPAN_COLUMN (default) or FO_SPAN_TEXT */
} fo_table;

typedef struct fo_quote {
    fo_text text;
    fo_text by; /* optional */
} fo_quote;

typedef struct fo_list {
    int numbered;
    int start; /* first number (default 1) */
    fo_text *items;
    size_t n;
} fo_list;

typedef enum fo_break_kind { FO_BREAK_PAGE, FO_BREAK_COLUMN } fo_break_kind;

/* QR error-correction levels, as libqrencode numbers them. */
typedef enum fo_qr_level { FO_QR_L, FO_QR_M, FO_QR_Q, FO_QR_H } fo_qr_level;

/* A QR code (`qr:` block, or the back cover's): the URL it encodes per
 * edition (as written, before campaign tagging; http or https), the
 * symbol's width with its quiet zone in points, a caption, the
 * error-correction level. */
typedef struct fo_qr {
    const char *url[FO_MAX_EDITIONS];
    fo_pos url_pos;
    double size;
    fo_text caption; /* optional */
    fo_qr_level level;
} fo_qr;

/* One query parameter campaign tagging adds: name=value, where value may
 * name {slug}, {year}, {edition} and {channel} (print or pdf). */
typedef struct fo_campaign_param {
    const char *name, *value;
} fo_campaign_param;

/* `campaign:`: off unless the publication asks for it. */
typedef struct fo_campaign {
    int on;
    const fo_campaign_param *params;
    int n;
} fo_campaign;

/* `back_cover:` (every key optional). */
typedef struct fo_back_cover {
    fo_text text, address;
    fo_image_ref logo; /* path NULL when absent */
    const fo_qr *qr;   /* NULL when absent */
    fo_pos pos;
} fo_back_cover;

/* A block. kind says which of the fields below is set; the others are
 * zero. Every pointer lives in the publication's arena. */
typedef struct fo_block {
    fo_block_kind kind;
    fo_pos pos;
    int level;    /* FO_BLOCK_HEADING: 2 or 3 */
    fo_text text; /* HEADING, PARA */
    const fo_figure *figure;
    const fo_fact *facts; /* FACTS: nfacts items */
    size_t nfacts;
    const fo_table *table;
    const fo_quote *quote;
    const fo_list *list;
    fo_break_kind brk;
    const fo_qr *qr; /* QR */
} fo_block;

typedef struct fo_section {
    fo_pos pos;
    fo_text title; /* level-1 heading */
    fo_block *blocks;
    size_t nblocks;
} fo_section;

/* A publication's own style layers (model/style.c); opaque outside
 * model/. */
/* A word whose hyphenation points a person has set (model/hyphenation.c):
 * '-' at each allowed break, or none for a word never broken. */
typedef struct fo_hyph_word_entry {
    const char *word;
    const char *lang; /* the language key it was listed under */
    fo_pos pos;
} fo_hyph_word_entry;
typedef struct fo_hyph_words {
    fo_hyph_word_entry *items;
    size_t n, cap;
} fo_hyph_words;
/* Letters in the longest word an exception may name (typeset/hyph.h's
 * FO_HYPH_MAX_WORD: longer tokens are never looked up). */
enum { FO_HYPH_WORD_MAX = 64 };

typedef struct fo_pub_styles fo_pub_styles;

typedef struct fo_pub {
    fo_arena *arena;
    const char *file; /* the publication file as given */
    const char *root; /* project folder: includes and images stay inside */
    const char *slug; /* output file stem: DIR/<slug>-<lang>.pdf */
    int year;
    fo_text title, subtitle, publisher;
    /* The output profiles a plain `folio build` writes ("print",
     * "screen", "archive"); none: print. `--profile` overrides. */
    const char *profiles[3];
    int nprofiles;
    const char *template_name; /* "yearbook" unless set */
    fo_pos template_pos;       /* of the template value (for messages) */
    /* The publication's `styles:` and `languages:`, read into typed
     * style layers (or NULL when it has neither): fo_template_load stacks
     * them on the template's and reports their problems. */
    const fo_pub_styles *styles;
    /* `hyphenation:`, every language's words (fo_template_load keeps the
     * edition's) */
    fo_hyph_words hyphenation;
    fo_text keywords;         /* optional, for the document info */
    fo_image_ref cover_image; /* optional (path NULL when absent) */
    fo_image_ref logo;        /* optional */
    double cover_focus_x, cover_focus_y;
    fo_text short_title; /* optional: the running heads' {title} */
    int no_cover;        /* `cover: false`: no cover page */
    int no_contents;     /* `contents: false`: no contents pages */
    fo_campaign campaign;
    const fo_back_cover *back_cover; /* NULL when absent */
    int neditions;
    const char *editions[FO_MAX_EDITIONS]; /* language tags: "vi", "en" */
    fo_section *sections;
    size_t nsections;
    /* `vi_tone_style:` the placement of Vietnamese tone marks on oa, oe,
     * uy that the text audit (model/vi_audit.h) asks for: 0 unset, else
     * FO_VI_TONE_OLD (hòa, thủy) or FO_VI_TONE_NEW (hoà, thuỷ). */
    int vi_tone_style;
} fo_pub;

enum { FO_VI_TONE_OLD = 1, FO_VI_TONE_NEW = 2 };

/* Loads the publication at path. On FO_ERR_INPUT the diags hold every
 * error found (and *out is NULL); FO_ERR_IO if path cannot be read. The
 * caller frees *out with fo_pub_free. */
FO_WUR fo_status fo_pub_load(const char *path, fo_diags *d, fo_pub **out);
void fo_pub_free(fo_pub *pub);

/* Index of edition lang in pub->editions, or -1. */
int fo_pub_edition(const fo_pub *pub, const char *lang);

/* url tagged with the publication's campaign parameters for edition ed
 * and channel ("print" or "pdf"), percent-encoded, after the URL's own
 * query and before its fragment; a parameter the URL already has is left
 * as written. url itself when the campaign is off or url is not http(s);
 * else a new string in a. */
const char *fo_campaign_tag(const fo_pub *pub, int ed, const char *channel,
                            const char *url, fo_arena *a);

/* Parses inline markup (see docs/content.md) in src[0..len) into *out,
 * allocating in a. pos is where src starts in its file; errors are reported
 * at pos plus the offset of the problem. Text is normalized to NFC.
 * Returns FO_ERR_INPUT after reporting errors. */
FO_WUR fo_status fo_markup_parse(const char *src, size_t len, fo_pos pos,
                                 fo_arena *a, fo_diags *d, fo_rich *out);

/* French spacing: a plain space before ':' becomes a no-break space
 * (U+00A0), before ';', '!', '?' and '»' a narrow no-break space (U+202F),
 * and after '«' a no-break space, so that no line starts with the mark or
 * ends with the opening guillemet. Only spaces the source typed are
 * changed (nothing is inserted: "https://" keeps its colon). Returns in
 * unchanged when there is nothing to do, else a new text in a with its
 * spans moved to match. */
const fo_rich *fo_rich_french_spacing(const fo_rich *in, fo_arena *a);

#endif
