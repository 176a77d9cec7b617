/* kp — Knuth–Plass total-fit line breaking over an abstract list of boxes,
 * glue and penalties. Pure computation: no Pango, no fonts.
 * typeset/para_breaks.c builds the item list from shaped glyphs, and
 * typeset/para.c cuts lines at the breaks.
 *
 * Written by hand because no Debian library breaks paragraphs this way on
 * HarfBuzz/Pango shaping (Pango's breaker is greedy and cannot shrink
 * spaces); tests/unit/test_kp.c checks it against an exhaustive search. */
#ifndef FO_KP_H
#define FO_KP_H

#include "core/core.h"

typedef enum fo_kp_type { FO_KP_BOX, FO_KP_GLUE, FO_KP_PENALTY } fo_kp_type;

/* One item. Widths in points. A penalty of >= FO_KP_INF forbids a break, one
 * of <= -FO_KP_INF forces it. flagged marks hyphenation penalties (their
 * width is the hyphen's). A glue is a legal break only when it follows a
 * box (TeX's rule). */
typedef struct fo_kp_item {
    fo_kp_type type;
    double width, stretch, shrink;
    double penalty;
    int flagged;
} fo_kp_item;

#define FO_KP_INF 10000.0
/* A glue stretch at least this large is infinite (TeX's fil, for
 * \parfillskip): a line holding one is never stretched (r = 0). */
#define FO_KP_FIL 1e6
/* Badness is 100·|r|³ without TeX's cap of 10000; this bound (r ≈ 464) only
 * keeps sums finite. A short line with no stretch at all counts this much. */
#define FO_KP_BAD_MAX 1e10

typedef struct fo_kp_params {
    double pretolerance; /* first pass, hyphenation penalties ignored;
                            < 0 skips the pass */
    double tolerance;    /* second pass */
    double line_penalty; /* TeX \linepenalty, 10 */
    double adj_demerits; /* fitness classes more than 1 apart, 10000 */
    double double_hyphen_demerits; /* two hyphenated lines in a row */
    double final_hyphen_demerits;  /* second-to-last line hyphenated */
    int max_consecutive_hyphens;   /* 0 = unlimited; default 2, as
                                      book typography asks.
                                      A hard limit in passes 1-2; the final
                                      pass exceeds it only when every
                                      breaking within it needs an overfull
                                      line (see excess_hyphens). */
} fo_kp_params;

/* Defaults, TeX's plain values but double_hyphen_demerits (1e6, not
 * 10000, so that two hyphenated lines in a row are rare): pretolerance 100,
 * tolerance 200, line_penalty 10, adj_demerits 10000, double_hyphen_demerits
 * 1e6, final_hyphen_demerits 5000, max_consecutive_hyphens 2. A negative
 * tolerance skips pass 2 as a negative pretolerance skips pass 1. */
void fo_kp_params_default(fo_kp_params *p);

/* Result: nlines lines; line i ends at item breaks[i] (the break item: a
 * glue or penalty index, or n-1 for the last line), with adjustment ratio
 * ratios[i] (< 0 shrinks, clamped at -1 except for an unavoidable overfull
 * line). pass is 1, 2 or 3 (the final pass). Arrays are malloc'd; free with
 * fo_kp_result_free. */
typedef struct fo_kp_result {
    size_t *breaks;
    double *ratios;
    int *hyphenated; /* line ends at a flagged penalty */
    size_t nlines;
    int pass;
    double demerits;
    int overfull;       /* lines wider than their width (final pass only,
                           when an unbreakable stretch of boxes forces it) */
    int excess_hyphens; /* breaks past max_consecutive_hyphens (final pass
                           only; ranked before demerits) */
} fo_kp_result;

/* Breaks items[0..n) into lines. widths[i] is the width of line i; lines
 * past nwidths use widths[nwidths-1]. The list must end with a forced
 * break (TeX's \parfillskip + \penalty-10000; the caller adds them). The
 * final pass always succeeds: when no feasible breaking exists it accepts
 * the least bad lines with uncapped badness (never TeX's capped 10000),
 * and a line is over-wide only when a single box is wider than the line.
 * Boxes are assumed to have width >= 0 and glue width >= shrink (true of
 * spaces); otherwise the breaking is still legal but may not be optimal.
 * FO_ERR_INPUT (out zeroed) when n == 0, the last item is not a forced
 * break, or nwidths < 1. */
FO_WUR fo_status fo_kp_break(const fo_kp_item *items, size_t n,
                             const double *widths, int nwidths,
                             const fo_kp_params *p, fo_kp_result *out);
void fo_kp_result_free(fo_kp_result *r);

#ifdef FO_UNIT_TEST
/* Prints the items and the lines of r (r may be NULL) for debugging. */
void fo_kp_debug_print(FILE *out, const fo_kp_item *items, size_t n,
                       const fo_kp_result *r);
#endif

#endif
