/* template — what a kind of publication looks like: a folder under
 * templates/ (or a path relative to the publication) holding template.yaml
 * and its own assets and fonts.
 *
 * fo_template_load reads template.yaml through source/, checks every key
 * and value with FILE:LINE:COL errors like the content's, applies the
 * publication's `styles:` overrides and the `languages:` entries (of the
 * template and the publication) for one edition's language, and resolves
 * swatch names to colours.
 * All lengths here are in points (the YAML says millimetres for page
 * geometry and points for type, see docs/templates.md). The template lives
 * in the arena passed in; its YAML is read into a scratch arena that is
 * freed before fo_template_load returns. */
#ifndef FO_TEMPLATE_H
#define FO_TEMPLATE_H

#include "model/model.h"

typedef enum fo_align {
    FO_ALIGN_JUSTIFY,
    FO_ALIGN_LEFT,
    FO_ALIGN_CENTER,
    FO_ALIGN_RIGHT
} fo_align;

/* A paragraph style. Every style a template declares is complete: values
 * it leaves out come from its `base` style (default "body"), and body's
 * from folio's built-in defaults. */
typedef struct fo_style {
    const char *name;
    const char *family; /* "Noto Serif" */
    int bold, italic;
    double size, leading;                           /* points */
    double space_before, space_after, first_indent; /* points */
    fo_align align;
    fo_color color;
    int keep_with_next; /* never the last thing in a column */
    int hyphenate;      /* allow hyphenation (never applied to Vietnamese) */
    double shrink, stretch;    /* how far spaces may shrink / stretch, as a
                                  share of their width (0.25, 0.5) */
    int hyph_left, hyph_right; /* shortest word piece before/after a hyphen */
    int hyph_min_word;         /* letters: shorter words are not hyphenated */
    int hyph_short_word;       /* letters: shorter words cost more ... */
    double hyph_short_penalty; /* ... this much more than hyphen_penalty */
    double tolerance, pretolerance, line_penalty, hyphen_penalty;
    double double_hyphen_demerits, final_hyphen_demerits, adj_demerits;
    int max_hyphens;       /* consecutive hyphenated lines, 0 = no limit */
    double letter_spacing; /* points (0 for Lao/Khmer, headings may set it) */
    /* Justification may also widen or narrow the gaps between letters, by
     * at most this share of the type size per gap (InDesign's letter
     * spacing min/max): a little of it keeps word spaces even. 0 = off. */
    double letter_stretch, letter_shrink;
    int uppercase; /* set in capitals (running heads, labels) */
    /* Ragged lines of even length: the narrowest measure that keeps the
     * line count (titles, headings; typeset/para.c). */
    int balance;
    /* An underline (links that ask for one): its middle below the
     * baseline and its thickness, as shares of the type size. */
    double underline_position, underline_thickness;
} fo_style;

/* How inline markup looks: each field applies when set. */
typedef struct fo_char_style {
    int set_bold, bold;
    int set_italic, italic;
    int set_color;
    fo_color color;
    int underline;
} fo_char_style;

/* A named colour: CMYK for print with its RGB equivalent for screen. */
typedef struct fo_swatch {
    const char *name;
    fo_color color;
} fo_swatch;

/* One slot of a running head or foot: text with variables {page},
 * {title}, {section}, {year}, {publisher}, set in style. */
typedef struct fo_slot {
    const char *text; /* NULL: empty */
    const fo_style *style;
} fo_slot;

typedef struct fo_master {
    fo_slot head[3], foot[3]; /* left, centre, right */
    double head_offset;       /* head baseline above the text frame */
    double foot_offset;       /* foot baseline below the text frame */
    int rule_below_head;      /* hairline under the running head */
} fo_master;

/* A fixed frame of a panel layout (tri-fold): where content flows, in
 * page coordinates (points, origin top-left of the trim). The frame is the
 * area inside the panel's padding; the box is the whole panel (a span: page
 * figure or the cover fills it). */
typedef struct fo_panel {
    const char *name;      /* "cover", "back", "inside-flap", "inside-1", ... */
    int side;              /* 0 outside (page 1), 1 inside (page 2) */
    double x, y, w, h;     /* the frame */
    double bx, by, bw, bh; /* the panel's box on the trim */
    int continues;         /* a block that does not fit may run on into the next
                              panel of the list (`continues-to`); else it is full */
    int cover;    /* the front cover: the publication's `cover:` fills it */
    int folds_in; /* the panel that folds in first: made narrower by the
                     template's fold_in_by, with the panels beside it and
                     behind it moved to match */
} fo_panel;

/* The printer's marks a template may turn off (`print: marks:`), in the
 * order of FO_TEMPLATE_MARK_NAMES. */
enum { FO_TEMPLATE_NMARKS = 5 };
#define FO_TEMPLATE_MARK_NAMES                                                 \
    "crop", "registration", "color-bar", "slug", "folds"

/* The print profile's settings (`print:`, docs/templates.md, Print). */
typedef struct fo_print_settings {
    int pdfx_1a; /* PDF/X-1a:2001 rather than PDF/X-4 */
    int marks[FO_TEMPLATE_NMARKS];
    double overprint_text; /* K-only text up to this size overprints, pt */
    int overprint_rules;   /* K-only rules overprint */
} fo_print_settings;

/* How the pages are bound, which decides the page count a book must have
 * (docs/templates.md, Binding). */
typedef enum fo_binding {
    FO_BIND_NONE,    /* any page count */
    FO_BIND_PERFECT, /* glued sheets: an even page count */
    FO_BIND_SADDLE   /* folded sheets stitched in the fold: a multiple of 4 */
} fo_binding;

typedef enum fo_opener {
    FO_OPEN_CONTINUE, /* a section follows in the flow */
    FO_OPEN_PAGE,     /* a section starts a new page */
    FO_OPEN_RIGHT     /* ... a new right-hand (odd) page */
} fo_opener;

typedef struct fo_template {
    const char *name;
    const char *dir;       /* absolute folder of template.yaml */
    const char *fonts_dir; /* the template's own fonts/, or NULL */
    /* The hyphenation exceptions for the edition's language: folio's
     * templates/hyphenation.yaml, then the template's own
     * hyphenation.yaml, then the publication's `hyphenation:` (a later
     * entry for a word wins). */
    fo_hyph_words hyph_words;
    double page_w, page_h; /* trim size */
    double bleed;
    /* Print: an image above print_max_ppi at its placed size is resampled
     * to print_ppi (pixels per inch). */
    double print_ppi, print_max_ppi;
    int facing; /* left and right pages differ (inner/outer margins) */
    /* with facing 0, inner is the left margin and outer the right one, on
     * every page */
    double margin_top, margin_bottom, margin_inner, margin_outer;
    int columns;
    double gutter;
    int widows, orphans;
    fo_master left, right; /* masters of even and odd pages */
    fo_opener opener;
    int contents;     /* a table of contents after the cover */
    int cover;        /* a cover page */
    int title_page;   /* a title page when there is no cover */
    fo_style *styles; /* always holds every name in FO_STYLE_NAMES */
    size_t nstyles;
    fo_char_style strong, emphasis, link; /* **bold**, *italic*, [links] */
    fo_swatch *swatches;
    size_t nswatches;
    /* How blocks look. Colours are resolved swatches. */
    fo_color cover_background; /* behind the cover when it has no image */
    fo_color rule;             /* rules under headings, table rules */
    fo_color table_head_fill, table_zebra_fill;
    fo_color quote_rule;
    fo_color facts_fill;
    int facts_per_row;
    double facts_space_before, facts_space_after; /* pt */
    double figure_gap; /* space between a figure and its caption */
    /* The share of the frame's height a figure (image and caption) may
     * take: a taller image is scaled down. */
    double figure_max_height;
    /* Space before and after a figure, in leadings of body. */
    double figure_space_before, figure_space_after;
    /* The cover: the image covers this share of its height from the top,
     * the title band the rest. */
    double cover_image_height;
    double cover_logo_width;   /* the logo's box: a share of the text width */
    double cover_logo_height;  /* ... and a height, points */
    double cover_text_top;     /* from the band's top to the title, points */
    double cover_title_gap;    /* after the title, points */
    double cover_subtitle_gap; /* after the subtitle, points */
    fo_panel *panels;          /* panel layouts: fixed frames, in flow order */
    size_t npanels;
    fo_binding binding; /* none for a panel layout (one folded sheet) */
    /* `imposition:` (template_impose.c): the press sheet the pages are
     * imposed on (points, landscape or portrait as written) and where the
     * template says it (for messages; no file when defaulted), and the
     * creep: how much further each sheet of a saddle-stitched booklet,
     * from the outside in, moves its pages towards the spine (points). */
    double sheet_w, sheet_h;
    fo_pos sheet_pos;
    double creep;
    double fold_in_by; /* how much narrower the fold-in panel is, points */
    fo_print_settings print;
} fo_template;

/* The styles layout asks for; a template that leaves one out gets it from
 * folio's built-in defaults (derived from its own body style). */
#define FO_STYLE_NAMES                                                         \
    "body", "h1", "h2", "h3", "caption", "credit", "quote", "quote-by",        \
        "list", "table", "table-head", "fact-value", "fact-label",             \
        "toc-title", "toc-1", "toc-2", "cover-title", "cover-subtitle",        \
        "cover-meta", "head", "foot"

/* Loads the template pub names (pub->template_name: a folder name under
 * data_dir/templates/, or a path relative to the publication's folder) as
 * it looks for the edition in language lang (a tag such as "vi" or
 * "zh-Hans"; NULL: no language's entry applies). The styles are layered:
 * folio's built-in ones, the template's `styles:`, the template's
 * `languages:` entry for lang, pub's `styles:`, pub's `languages:` entry
 * for lang; an entry for lang's primary subtag ("zh") applies just before
 * the one for lang itself. Every entry is checked, whatever lang is, so the
 * errors are the same for every edition (fo_diags drops repeats). Errors go
 * to d with positions in template.yaml (or publication.yaml for
 * overrides); FO_ERR_INPUT then. The template lives in arena a: callers
 * load one per edition (a template is small). */
FO_WUR fo_status fo_template_load(const fo_pub *pub, const char *lang,
                                  const char *data_dir, fo_arena *a,
                                  fo_diags *d, const fo_template **out);

/* The style called name, or NULL. */
const fo_style *fo_template_style(const fo_template *t, const char *name);
/* The swatch called name, or NULL. */
const fo_swatch *fo_template_swatch(const fo_template *t, const char *name);

#endif
