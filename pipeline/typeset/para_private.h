/* Shared by the paragraph setter's files only (para.c, para_breaks.c):
 * the state of one paragraph being set, the break opportunities added to
 * Pango's, and the item-list building that para.c's breaker runs over. */
#ifndef FO_PARA_PRIVATE_H
#define FO_PARA_PRIVATE_H

#include "hyph.h"
#include "kp.h"
#include "typeset_private.h"

/* What a KP item means in the text: the line ending at this item stops
 * before character end_char and the next line starts at next_char. */
typedef struct brk_info {
    int end_char, next_char;
} brk_info;

typedef struct para_ctx {
    const fo_template *tmpl; /* character styles, or NULL */
    const char *edition;     /* the edition's language, for messages */
    const char *text;
    int len, nchars;
    int *char_byte; /* nchars + 1 */
    int *byte_char; /* len + 1: byte_to_char */
    PangoLogAttr *attrs;
    double *logw;   /* points per character */
    int *char_item; /* item index of each character */
    PangoItem **items;
    PangoGlyphString **shaped; /* each item shaped whole, once */
    int nitems;
    unsigned char *code; /* per character: in a code token (is_code_token) */
    fo_kp_item *kp;
    brk_info *brk;
    size_t nkp, kp_cap;
} para_ctx;

/* Break opportunities that para_breaks.c adds to Pango's, per character c (a
 * break before c), in para_ctx.kind. Pango finds the breaks of ordinary
 * text; these are what a segment too long for the measure (a URL, a path,
 * a long compound, a run of text without spaces) needs so that every line
 * fits. */
enum {
    BRK_NONE,
    BRK_HYPHEN, /* a dictionary hyphenation point (the style hyphenates) */
    BRK_HYPHEN_SHORT, /* the same in a short word: hyph_short_penalty more */
    BRK_LONG_HYPH,    /* a dictionary point in an over-long word */
    BRK_PUNCT,        /* after / . - _ etc. or before @, nothing added */
    BRK_GRAPH_HYPH,   /* a grapheme boundary; a hyphen is added */
    BRK_GRAPH,        /* a grapheme boundary; nothing is added */
    BRK_FORBID        /* no break here, even where Pango has one */
};

/* CJK gap glue as shares of the type size: stretch up to a quarter em,
 * shrink a little (JIS X 4051 lets punctuation give up half its width;
 * this is the simple, uniform version). */
#define CJK_STRETCH 0.25
#define CJK_SHRINK 0.05

/* Is the gap before character c (0 < c < nchars) one between two
 * characters of CJK text, where justification may add a little space? */
int fo_para_cjk_gap(const para_ctx *p, int c);

/* Builds the box/glue/penalty list of the paragraph into p->kp and
 * p->brk, with the breaks kind adds to Pango's. */
void fo_para_build_items(para_ctx *p, const fo_style *st,
                         const unsigned char *kind);

/* Adds breaks to kind (and sets p->code) so that every segment between
 * two breaks fits the measure width. hy may be NULL. */
void fo_para_add_long_breaks(para_ctx *p, unsigned char *kind, fo_hyph *hy,
                             const fo_style *st, double width);

/* Marks in kind (BRK_HYPHEN) the hyphenation points hy finds. */
void fo_para_find_hyphens(const para_ctx *p, fo_hyph *hy, const fo_style *st,
                          unsigned char *kind);

#endif
