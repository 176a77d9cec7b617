/* Shared inside typeset/ only: the font set's Pango context, and the
 * paragraph setter that flow.c drives. */
#ifndef FO_TYPESET_PRIVATE_H
#define FO_TYPESET_PRIVATE_H

#include "hyph.h"
#include "typeset.h"

#include <pango/pango.h>

struct fo_fonts {
    void *fc_config; /* FcConfig *, private */
    PangoFontMap *fontmap;
    PangoContext *ctx;
    GHashTable *dl_fonts; /* PangoFont* → fo_font_info*, per document */
    fo_para_memo *memo;   /* borrowed, or NULL (fo_fonts_set_memo) */
    /* While the memo has a paragraph shaped: the display-list fonts its
     * shaping looked up, each once, in the order it looked them up. */
    int recording;
    int *rec;
    size_t rec_n, rec_cap;
};

/* What a PangoFont is in the display list. */
typedef struct fo_font_info {
    int dl_font;
    double size;
} fo_font_info;

/* Maps a Pango font to the display list's font table of doc (adding it),
 * and its size in points. The cache is reset by fo_fonts_begin_doc. */
fo_font_info fo_fonts_lookup(fo_fonts *f, fo_dl_doc *doc, PangoFont *font);
void fo_fonts_begin_doc(fo_fonts *f);

/* A shaped glyph run of a set line, positioned relative to the line's
 * start (x) and baseline. */
typedef struct fo_set_run {
    int dl_font;
    double size;
    double x;
    int n;
    fo_dl_glyph *glyphs; /* malloc'd */
    const char *text;    /* borrowed from the paragraph's text */
    size_t text_len;
    const char *href; /* link target, or NULL */
    double rise;      /* baseline shift (superscript), points, up */
    int hyphen;
    int has_color; /* a character style gave this run its colour */
    fo_color color;
    int underline;
    const char *lang; /* the text's language, NULL: the edition's */
} fo_set_run;

/* One line of a set paragraph. width never exceeds the measure (less the
 * first line's indent): fo_para_set reports an error instead. */
typedef struct fo_set_line {
    fo_set_run *runs;
    int nruns;
    double width; /* set width (== measure for full justified lines) */
    double natural;
    double ratio; /* glue set ratio of the spaces, for the dump and the
                     report */
    /* Glue set ratio of the gaps between letters, within [-1, 1]: each gap
     * between letters of a justified line was widened by
     * letter_ratio · size · letter-stretch (narrowed by -letter_ratio ·
     * size · letter-shrink when negative), each gap between CJK characters
     * by letter_ratio times its own stretch or shrink; the style's
     * letter-spacing comes on top of it. 0 in styles that do not justify;
     * the last line of a justified paragraph may shrink (< 0), never
     * stretch. */
    double letter_ratio;
    int hyphenated;
} fo_set_line;

typedef struct fo_set_para {
    fo_set_line *lines;
    int nlines;
    char *owned_text; /* text the runs point into when it was rewritten
                         (capitals), else NULL */
} fo_set_para;

/* A font's ascent and descent by font (family, weight, slant, size) and
 * the context's language, as Pango's metrics give them: asking Pango
 * itemizes and shapes a sample text each time, which cost as much as
 * setting a tenth of the paragraphs. A fixed number of entries, the oldest
 * replaced first: nothing to free; zero-initialise. One cache serves one
 * fo_fonts. */
enum { FO_METRICS_SLOTS = 16, FO_METRICS_FAMILY = 64 };
typedef struct fo_metrics_cache {
    struct fo_metrics_slot {
        char family[FO_METRICS_FAMILY]; /* "" = unused */
        int bold, italic;
        double size;
        const void *language; /* PangoLanguage *, interned by Pango */
        double ascent, descent;
    } slot[FO_METRICS_SLOTS];
    int next;          /* the slot replaced next */
    long hits, misses; /* lookups answered from the cache, and not */
} fo_metrics_cache;

/* Distance from the top of a line box (st->leading high) to its
 * baseline. mc (may be NULL) remembers the font metrics it needs. */
double fo_style_baseline(fo_fonts *f, fo_metrics_cache *mc, const fo_style *st);

/* Sets rich text in style st (inline markup looking as t's character
 * styles say) at measure width: shapes once, breaks with
 * Knuth–Plass (hyphenating with hy when the style allows it; hy may be
 * NULL), shapes the line pieces, sets the glue. Missing glyphs are
 * reported to d at the text's position. Free with fo_set_para_free. */
FO_WUR fo_status fo_para_set(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                             const fo_style *st, const fo_template *t,
                             const char *lang, fo_hyph *hy, double width,
                             fo_diags *d, fo_set_para *out);
void fo_set_para_free(fo_set_para *p);

/* A Pango font behind display-list font dl (any size of that face: the
 * per-document table holds every size layout asked for), or NULL
 * (fonts.c). A walk: for the few lookups of ink.c and the typographic
 * report, not for every glyph. */
PangoFont *fo_fonts_pango_font(fo_fonts *f, int dl);

/* The ink of set line ln around its baseline, y down (ink.c): *top ≤ 0 is
 * the highest ink above it, *bottom ≥ 0 the lowest below, from the fonts'
 * glyph extents and the glyphs' offsets. 0 and 0 for an empty line. The
 * fonts are those of the document f set the line for. */
void fo_set_line_ink(fo_fonts *f, const fo_set_line *ln, double *top,
                     double *bottom);
typedef struct fo_para_break fo_para_break;

/* fo_para_set (breaks NULL) or fo_para_measure, always shaping: what they
 * do when f has no memo (para.c). */
FO_WUR fo_status fo_para_shape(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                               const fo_style *st, const fo_template *t,
                               const char *lang, fo_hyph *hy, double width,
                               fo_diags *d, fo_set_para *out,
                               fo_para_break **breaks);
/* fo_para_shape through f->memo (memo.c): the lines kept from an earlier
 * layout when every input is the same, else shaped (and kept). */
FO_WUR fo_status fo_para_memo_shape(fo_fonts *f, fo_dl_doc *doc,
                                    const fo_rich *rich, const fo_style *st,
                                    const fo_template *t, const char *lang,
                                    fo_hyph *hy, double width, fo_diags *d,
                                    fo_set_para *out, fo_para_break **breaks);

/* Where a paragraph was broken: line i sets characters [start, end). */
struct fo_para_break {
    int start, end;
    int hyphenated, justify;
};

/* fo_para_set that also returns the breaks of its lines in *breaks
 * (malloc'd, out->nlines of them, NULL on failure; free it). */
FO_WUR fo_status fo_para_measure(fo_fonts *f, fo_dl_doc *doc,
                                 const fo_rich *rich, const fo_style *st,
                                 const fo_template *t, const char *lang,
                                 fo_hyph *hy, double width, fo_diags *d,
                                 fo_set_para *out, fo_para_break **breaks);
/* Sets the n lines fo_para_measure broke the same paragraph into (the same
 * rich, st, t, lang and width) without breaking it again: the same lines,
 * for less work. Free with fo_set_para_free. */
FO_WUR fo_status fo_para_set_again(fo_fonts *f, fo_dl_doc *doc,
                                   const fo_rich *rich, const fo_style *st,
                                   const fo_template *t, const char *lang,
                                   double width, const fo_para_break *breaks,
                                   int n, fo_diags *d, fo_set_para *out);

/* The heap bytes a set paragraph holds (its lines, runs and glyphs): what
 * keeping it costs. */
size_t fo_set_para_bytes(const fo_set_para *p);

/* A set paragraph packed into bytes (exactly, every double to the bit)
 * while it waits to be drawn: a quarter to a third of its size as set when
 * letter gaps are justified (their advances are no longer whole Pango units),
 * less otherwise. */
typedef struct fo_packed_para {
    unsigned char *data;
    size_t len;
    int nlines;
    char *owned_text; /* the set paragraph's, moved here */
} fo_packed_para;

/* Packs p into *out and frees p (its owned text moves into *out). base is
 * the text p's runs point into when p owns none (the rich text it was set
 * from). Free with fo_packed_para_free. */
void fo_set_para_pack(fo_set_para *p, const char *base, fo_packed_para *out);
/* Unpacks pk into *out, the paragraph that was packed, and frees pk; base
 * as for fo_set_para_pack. Free *out with fo_set_para_free. */
void fo_packed_para_unpack(fo_packed_para *pk, const char *base,
                           fo_set_para *out);
/* The heap bytes pk holds. */
size_t fo_packed_para_bytes(const fo_packed_para *pk);
void fo_packed_para_free(fo_packed_para *pk);

/* A byte budget for set paragraphs kept between measuring and drawing, so
 * that a paragraph is shaped once rather than twice while the memory held
 * stays bounded whatever the document's length. A keep either fits the
 * budget whole or is refused (the paragraph is then set again when drawn:
 * the same lines, for more work); what is given back can be taken again.
 * Plain counters: zero-initialise, set cap, nothing to free. */
typedef struct fo_para_keep {
    size_t cap;   /* bytes that may be held at once */
    size_t used;  /* bytes held now */
    size_t peak;  /* most bytes held at once */
    long kept;    /* keeps granted */
    long refused; /* keeps refused: no room left in the budget */
} fo_para_keep;

/* Reserves bytes in k: 1 when they fit (the caller holds them until
 * fo_para_keep_give), 0 when they do not (nothing is reserved). */
int fo_para_keep_take(fo_para_keep *k, size_t bytes);
/* Gives back bytes reserved by fo_para_keep_take. */
void fo_para_keep_give(fo_para_keep *k, size_t bytes);

/* Replaces Pango's line breaks inside runs of Thai, Lao, Khmer and Burmese
 * text (line break class SA) in attrs[0..nchars] with the word boundaries
 * of ICU's dictionary line break iterator for lang: Pango 1.50 finds them
 * for Thai alone (libthai) and sets Lao, Khmer and Burmese without spaces
 * as one unbreakable word. */
void fo_para_dictionary_breaks(const char *text, int len, const char *lang,
                               PangoLogAttr *attrs, int nchars);

#ifdef FO_UNIT_TEST
/* Bytes of set lines a layout keeps from measuring to drawing
 * (FLOW_KEEP_BYTES in flow.h unless a test changes it). */
extern size_t fo_flow_keep_cap;
#endif

#endif
