/* Tests of the Knuth–Plass breaker (typeset/kp.c).
 *
 * Hand-made paragraphs pin the simple cases (one line, forced breaks, an
 * unavoidable overfull box, line widths reproduced from the ratios). The
 * main test compares fo_kp_break with an exhaustive search over every break
 * sequence of thousands of small random paragraphs: the search evaluates
 * lines with its own code from the rules in kp.h, so a pruning or
 * bookkeeping error in the active-list algorithm shows up as a higher total
 * than the true minimum. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "typeset/kp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- building paragraphs --------------------------------------------- */

typedef struct para {
    fo_kp_item *it;
    size_t n, cap;
} para;

static void add(para *p, fo_kp_type type, double w, double y, double z,
                double pen, int flagged)
{
    fo_grow((void **)&p->it, sizeof *p->it, &p->cap, p->n + 1);
    p->it[p->n++] = (fo_kp_item){type, w, y, z, pen, flagged};
}

static void box(para *p, double w)
{
    add(p, FO_KP_BOX, w, 0, 0, 0, 0);
}

static void space(para *p, double w)
{
    add(p, FO_KP_GLUE, w, w / 2, w / 3, 0, 0);
}

static void hyphen(para *p, double w)
{
    add(p, FO_KP_PENALTY, w, 0, 0, 50, 1);
}

static void forced(para *p)
{
    add(p, FO_KP_GLUE, 0, 1e9, 0, 0, 0);
    add(p, FO_KP_PENALTY, 0, 0, 0, -FO_KP_INF, 0);
}

static void finish(para *p)
{
    add(p, FO_KP_PENALTY, 0, 0, 0, FO_KP_INF, 0);
    forced(p);
}

/* Words of the given widths separated by 3-pt spaces. */
static para words(const double *w, int nw)
{
    para p = {0};
    for (int i = 0; i < nw; i++) {
        if (i)
            space(&p, 3);
        box(&p, w[i]);
    }
    finish(&p);
    return p;
}

/* ---- an independent evaluation of a breaking --------------------------- */

typedef struct line_eval {
    int ok;       /* a legal line: no forced break inside, b not discarded */
    int overfull; /* natural width minus shrink exceeds the width */
    double ratio, badness, demerits;
    double natural, stretch, shrink, width;
    int fil, fit;
} line_eval;

/* First item of the line after a break at prev (SIZE_MAX: paragraph
 * start): glue and penalties after a break are discarded up to the next box
 * or forced penalty. */
static size_t line_start(const para *p, size_t prev)
{
    if (prev == SIZE_MAX)
        return 0;
    size_t s = prev + 1;
    while (s < p->n && p->it[s].type != FO_KP_BOX &&
           !(p->it[s].type == FO_KP_PENALTY && p->it[s].penalty <= -FO_KP_INF))
        s++;
    return s;
}

static int legal(const para *p, size_t b, int pass)
{
    const fo_kp_item *it = &p->it[b];
    if (it->type == FO_KP_GLUE)
        return b > 0 && p->it[b - 1].type == FO_KP_BOX;
    if (it->type == FO_KP_PENALTY)
        return it->penalty < FO_KP_INF && !(pass == 1 && it->flagged);
    return 0;
}

/* The line after the break prev (line number ln) ending at b, following
 * TeX's rules and kp.h: uncapped badness (at most FO_KP_BAD_MAX). */
static line_eval eval_line(const para *p, size_t prev, int prev_fit,
                           int prev_flagged, int ln, size_t b,
                           const double *widths, int nw, const fo_kp_params *kp)
{
    line_eval e = {0};
    size_t s = line_start(p, prev);
    e.width = widths[ln < nw ? ln : nw - 1];
    if (b < s)
        return e;
    for (size_t i = s; i < b; i++) {
        const fo_kp_item *it = &p->it[i];
        if (it->type == FO_KP_PENALTY) {
            if (it->penalty <= -FO_KP_INF)
                return e; /* a forced break cannot be inside a line */
            continue;
        }
        e.natural += it->width;
        if (it->type == FO_KP_GLUE) {
            if (it->stretch >= FO_KP_FIL)
                e.fil = 1;
            else
                e.stretch += it->stretch;
            e.shrink += it->shrink;
        }
    }
    const fo_kp_item *bk = &p->it[b];
    if (bk->type == FO_KP_PENALTY)
        e.natural += bk->width;
    e.ok = 1;
    double W = e.width, L = e.natural;
    e.overfull = L - e.shrink > W;
    int stretching = 0;
    if (e.overfull) {
        e.badness = FO_KP_BAD_MAX;
        e.ratio = e.shrink > 0 ? (W - L) / e.shrink : 0;
        e.fit = 3;
    } else if (L < W) {
        stretching = 1;
        if (e.fil) {
            e.ratio = 0;
        } else if (e.stretch > 0) {
            e.ratio = (W - L) / e.stretch;
            e.badness = 100 * pow(e.ratio, 3);
            if (e.badness > FO_KP_BAD_MAX)
                e.badness = FO_KP_BAD_MAX;
        } else {
            e.badness = FO_KP_BAD_MAX;
        }
    } else if (L > W) {
        e.ratio = (W - L) / e.shrink;
        if (e.ratio < -1)
            e.ratio = -1;
        e.badness = 100 * pow(-e.ratio, 3);
    }
    if (!e.overfull) {
        if (stretching)
            e.fit = e.badness > 99 ? 0 : e.badness > 12 ? 1 : 2;
        else
            e.fit = e.badness > 12 ? 3 : 2;
    }
    double d = (kp->line_penalty + e.badness);
    d *= d;
    double pen = bk->type == FO_KP_PENALTY ? bk->penalty : 0;
    if (pen > 0)
        d += pen * pen;
    else if (pen > -FO_KP_INF)
        d -= pen * pen;
    int flagged = bk->type == FO_KP_PENALTY && bk->flagged;
    if (b == p->n - 1) {
        if (prev_flagged)
            d += kp->final_hyphen_demerits;
    } else if (flagged && prev_flagged) {
        d += kp->double_hyphen_demerits;
    }
    if (abs(e.fit - prev_fit) > 1)
        d += kp->adj_demerits;
    e.demerits = d;
    return e;
}

/* ---- exhaustive search ------------------------------------------------ */

typedef struct search {
    const para *p;
    const double *widths;
    int nw, pass;
    const fo_kp_params *kp;
    double threshold;
    int found;
    double best_overflow;
    int best_excess;
    double best_total;
    long visited;
    double *min_overflow; /* lower bound of the overflow after item i */
} search;

/* The ranking of kp.h: overflow, then excess hyphens, then demerits. */
static int cost_less(double o1, int e1, double t1, double o2, int e2, double t2)
{
    if (o1 != o2)
        return o1 < o2;
    return e1 < e2 || (e1 == e2 && t1 < t2);
}

/* Every break sequence after prev; branch and bound on (overflow, excess
 * hyphens, demerits), which is exact because no line's demerits are
 * negative in these paragraphs (no negative penalties). */
static void dfs(search *s, size_t prev, int ln, int fit, int flagged, int hyph,
                double overflow, int excess, double total)
{
    const para *p = s->p;
    s->visited++;
    size_t after = prev == SIZE_MAX ? 0 : prev + 1;
    if (s->found && !cost_less(overflow + s->min_overflow[after], excess, total,
                               s->best_overflow, s->best_excess, s->best_total))
        return;
    size_t start = line_start(p, prev);
    /* The natural width minus shrink of [start, b) only grows with b
     * (boxes >= 0, glue width >= shrink). kp.h's rule: a line may end at
     * the first legal break where that exceeds the width, not beyond. */
    double minw = 0;
    double W = s->widths[ln < s->nw ? ln : s->nw - 1];
    size_t ends[256];
    int ne = 0;
    for (size_t b = start; b < p->n; b++) {
        const fo_kp_item *it = &p->it[b];
        if (legal(p, b, s->pass)) {
            ends[ne++] = b;
            if (minw > W)
                break;
        }
        if (it->type == FO_KP_PENALTY && it->penalty <= -FO_KP_INF)
            break;
        if (it->type != FO_KP_PENALTY)
            minw += it->width - (it->type == FO_KP_GLUE ? it->shrink : 0);
    }
    int limit = s->kp->max_consecutive_hyphens;
    for (int i = ne - 1; i >= 0; i--) { /* long lines first: good bounds */
        size_t b = ends[i];
        line_eval e =
            eval_line(p, prev, fit, flagged, ln, b, s->widths, s->nw, s->kp);
        if (!e.ok || (e.overfull && s->pass < 3))
            continue;
        if (s->pass < 3 && e.badness > s->threshold)
            continue;
        const fo_kp_item *it = &p->it[b];
        int fl = it->type == FO_KP_PENALTY && it->flagged;
        int over = fl && limit > 0 && hyph + 1 > limit;
        if (over && s->pass < 3)
            continue;
        int nh = fl ? hyph + 1 : 0;
        double ov = overflow;
        if (e.overfull)
            ov += (e.natural - e.shrink) - e.width;
        double t = total + e.demerits;
        if (b == p->n - 1) {
            if (!s->found || cost_less(ov, excess + over, t, s->best_overflow,
                                       s->best_excess, s->best_total)) {
                s->found = 1;
                s->best_overflow = ov;
                s->best_excess = excess + over;
                s->best_total = t;
            }
            continue;
        }
        dfs(s, b, ln + 1, e.fit, fl, nh, ov, excess + over, t);
    }
}

static int close_rel(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Checks that r is a legal breaking of p and that its reported values are
 * those of the independent evaluation; returns its (excess, total). */
static void check_result(const para *p, const double *widths, int nw,
                         const fo_kp_params *kp, const fo_kp_result *r,
                         double *overflow_out, int *excess_out,
                         double *total_out)
{
    double overflow = 0;
    assert_true(r->nlines >= 1);
    assert_int_equal(r->breaks[r->nlines - 1], p->n - 1);
    size_t prev = SIZE_MAX;
    int fit = 2, flagged = 0, hyph = 0, excess = 0, overfull = 0;
    double total = 0;
    double threshold = r->pass == 1   ? kp->pretolerance
                       : r->pass == 2 ? kp->tolerance
                                      : INFINITY;
    for (size_t i = 0; i < r->nlines; i++) {
        size_t b = r->breaks[i];
        assert_true(prev == SIZE_MAX || b > prev);
        assert_true(legal(p, b, r->pass));
        line_eval e =
            eval_line(p, prev, fit, flagged, (int)i, b, widths, nw, kp);
        assert_true(e.ok);
        if (e.overfull) {
            assert_int_equal(r->pass, 3);
            overfull++;
            overflow += (e.natural - e.shrink) - e.width;
        } else {
            assert_true(e.badness <= threshold);
            assert_true(r->ratios[i] >= -1);
        }
        if (!close_rel(e.ratio, r->ratios[i]))
            fail_msg("line %zu: ratio %.12g, expected %.12g", i, r->ratios[i],
                     e.ratio);
        const fo_kp_item *it = &p->it[b];
        int fl = it->type == FO_KP_PENALTY && it->flagged;
        assert_int_equal(r->hyphenated[i], fl);
        int limit = kp->max_consecutive_hyphens;
        if (fl && limit > 0 && hyph + 1 > limit) {
            assert_int_equal(r->pass, 3);
            excess++;
        }
        hyph = fl ? hyph + 1 : 0;
        total += e.demerits;
        fit = e.fit;
        flagged = fl;
        prev = b;
    }
    assert_int_equal(overfull, r->overfull);
    assert_int_equal(excess, r->excess_hyphens);
    if (!close_rel(total, r->demerits))
        fail_msg("demerits %.12g, recomputed %.12g", r->demerits, total);
    *overflow_out = overflow;
    *excess_out = excess;
    *total_out = total;
}

/* ---- hand-made cases -------------------------------------------------- */

static void test_one_line(void **state)
{
    (void)state;
    double w[] = {20, 30, 25};
    para p = words(w, 3);
    double width = 200;
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_OK);
    assert_int_equal(r.nlines, 1);
    assert_int_equal(r.breaks[0], p.n - 1);
    assert_int_equal(r.pass, 1);
    assert_true(r.ratios[0] == 0);
    assert_int_equal(r.overfull, 0);
    /* (line_penalty + 0)² */
    assert_true(r.demerits == 100);
    fo_kp_result_free(&r);
    free(p.it);
}

static void test_forced_breaks(void **state)
{
    (void)state;
    para p = {0};
    box(&p, 10);
    space(&p, 3);
    box(&p, 10);
    forced(&p); /* items 3, 4 */
    box(&p, 10);
    forced(&p); /* items 6, 7 */
    box(&p, 10);
    finish(&p);
    double width = 100;
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_OK);
    assert_int_equal(r.nlines, 3);
    assert_int_equal(r.breaks[0], 4);
    assert_int_equal(r.breaks[1], 7);
    assert_int_equal(r.breaks[2], p.n - 1);
    for (size_t i = 0; i < 3; i++)
        assert_true(r.ratios[i] == 0); /* fil glue before each break */
    fo_kp_result_free(&r);
    free(p.it);
}

/* A box wider than the line: the final pass sets it alone on an overfull
 * line and keeps every other line within its width. */
static void test_too_wide_box(void **state)
{
    (void)state;
    double w[] = {20, 25, 30, 150, 20, 30, 25, 20};
    para p = words(w, 8);
    double width = 100;
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_OK);
    assert_int_equal(r.pass, 3);
    assert_int_equal(r.overfull, 1);
    int excess;
    double overflow, total;
    check_result(&p, &width, 1, &kp, &r, &overflow, &excess, &total);
    size_t prev = SIZE_MAX;
    for (size_t i = 0; i < r.nlines; i++) {
        line_eval e =
            eval_line(&p, prev, 2, 0, (int)i, r.breaks[i], &width, 1, &kp);
        if (e.overfull) {
            /* Just the wide box: from the glue before it to the one after. */
            assert_int_equal(line_start(&p, prev), 6);
            assert_int_equal(r.breaks[i], 7);
        }
        prev = r.breaks[i];
    }
    fo_kp_result_free(&r);
    free(p.it);
}

/* Justified lines come out exactly at their widths: natural width plus
 * r·stretch (or r·shrink) equals the line's width; ratios stay >= -1. */
static void test_ratios_reproduce_widths(void **state)
{
    (void)state;
    double w[40];
    uint32_t x = 12345;
    for (int i = 0; i < 40; i++) {
        x = x * 1103515245u + 12345u;
        w[i] = 8 + (x >> 16) % 30;
    }
    para p = words(w, 40);
    double widths[] = {90, 120, 150};
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, widths, 3, &kp, &r), FO_OK);
    assert_true(r.nlines > 3);
    int excess;
    double overflow, total;
    check_result(&p, widths, 3, &kp, &r, &overflow, &excess, &total);
    size_t prev = SIZE_MAX;
    for (size_t i = 0; i + 1 < r.nlines; i++) {
        line_eval e =
            eval_line(&p, prev, 2, 0, (int)i, r.breaks[i], widths, 3, &kp);
        double rr = r.ratios[i];
        assert_true(rr >= -1);
        double set = e.natural + rr * (rr > 0 ? e.stretch : e.shrink);
        if (fabs(set - widths[i < 3 ? i : 2]) > 1e-6)
            fail_msg("line %zu: set to %.9f, width %.9f", i, set,
                     widths[i < 3 ? i : 2]);
        prev = r.breaks[i];
    }
    fo_kp_result_free(&r);
    free(p.it);
}

static void test_bad_input(void **state)
{
    (void)state;
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    fo_kp_result r;
    double width = 100;
    para p = {0};
    box(&p, 10);
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_ERR_INPUT);
    assert_int_equal(fo_kp_break(p.it, 0, &width, 1, &kp, &r), FO_ERR_INPUT);
    finish(&p);
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 0, &kp, &r), FO_ERR_INPUT);
    assert_null(r.breaks);
    free(p.it);
}

/* max_consecutive_hyphens 1: a paragraph of words that fit only when split
 * never gets two hyphenated lines in a row while passes 1-2 succeed. */
static void test_hyphen_limit(void **state)
{
    (void)state;
    para p = {0};
    for (int i = 0; i < 6; i++) {
        if (i)
            space(&p, 3);
        box(&p, 30);
        hyphen(&p, 3);
        box(&p, 30);
    }
    finish(&p);
    double width = 50;
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    kp.max_consecutive_hyphens = 1;
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_OK);
    for (size_t i = 1; i < r.nlines; i++)
        if (r.pass < 3)
            assert_false(r.hyphenated[i] && r.hyphenated[i - 1]);
    int excess;
    double overflow, total;
    check_result(&p, &width, 1, &kp, &r, &overflow, &excess, &total);
    assert_int_equal(r.overfull, 0);
    fo_kp_result_free(&r);
    free(p.it);
}

/* A word that fits only in hyphenated pieces, with a limit of 1: passes 1
 * and 2 fail, and the final pass exceeds the limit rather than overflow. */
static void test_hyphen_limit_exceeded(void **state)
{
    (void)state;
    para p = {0};
    for (int i = 0; i < 4; i++) {
        if (i)
            hyphen(&p, 3);
        box(&p, 40);
    }
    finish(&p);
    double width = 50;
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    kp.max_consecutive_hyphens = 1;
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_OK);
    assert_int_equal(r.pass, 3);
    assert_int_equal(r.nlines, 4);
    assert_int_equal(r.overfull, 0);
    assert_int_equal(r.excess_hyphens, 2);
    fo_kp_result_free(&r);
    free(p.it);
}

/* ---- random paragraphs against the exhaustive search ------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic across platforms. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static double unif(double lo, double hi)
{
    return lo + (hi - lo) * (double)(rnd() >> 11) / 9007199254740992.0;
}

static int chance(double prob)
{
    return unif(0, 1) < prob;
}

/* 3-14 words of random widths, a third of them with 1-3 hyphenation
 * points (some unflagged penalties), rare forced breaks. One paragraph in
 * ten is "hard" and shorter: a box wider than every line, or a long
 * compound that only fits as a run of hyphenated lines, which exercise the
 * final pass's overflow and hyphen-limit ranking. */
static para random_para(double maxwidth)
{
    para p = {0};
    int hard = chance(0.1);
    int nwords = hard ? 3 + (int)(rnd() % 5) : 3 + (int)(rnd() % 12);
    int special = hard ? (int)(rnd() % (uint64_t)nwords) : -1;
    int giant = hard && chance(0.5);
    /* Narrow words and wide spaces in some paragraphs, so that lines of
     * every fitness class occur (adj_demerits matters). */
    double wmax = unif(12, 45), sp = unif(2.5, 7);
    for (int i = 0; i < nwords; i++) {
        if (i) {
            if (chance(0.03)) {
                forced(&p);
            } else {
                /* A penalty before a space: breaking there discards the
                 * space from the next line. */
                if (chance(0.1))
                    add(&p, FO_KP_PENALTY, 0, 0, 0, unif(0, 100), 0);
                space(&p, sp * unif(0.9, 1.1));
            }
        }
        double w = unif(4, wmax);
        int parts = chance(0.35) ? 2 + (int)(rnd() % 3) : 1;
        if (i == special && giant) {
            w = maxwidth * unif(1.05, 1.5);
            parts = 1;
        } else if (i == special) {
            w = maxwidth * unif(1.2, 2.5);
            parts = 3 + (int)(rnd() % 3);
        }
        for (int k = 0; k < parts; k++) {
            if (k) {
                if (chance(0.1))
                    add(&p, FO_KP_PENALTY, 0, 0, 0, unif(0, 100), 0);
                else
                    hyphen(&p, unif(2, 4));
            }
            box(&p, w / parts);
        }
    }
    finish(&p);
    return p;
}

static void test_exhaustive(void **state)
{
    (void)state;
    rng_state = 0x9E3779B97F4A7C15ull;
    int by_pass[4] = {0}, stuck = 0, excess_cases = 0;
    long visited = 0;
    for (int t = 0; t < 10000; t++) {
        double widths[3];
        int nw = 1 + (int)(rnd() % 3);
        double maxw = 0;
        for (int i = 0; i < nw; i++) {
            widths[i] = unif(45, 160);
            maxw = fmax(maxw, widths[i]);
        }
        para p = random_para(maxw);
        fo_kp_params kp;
        fo_kp_params_default(&kp);
        static const double pretol[] = {-1, 100, 200};
        kp.pretolerance = pretol[rnd() % 3];
        kp.tolerance = chance(0.5) ? 200 : 1000;
        kp.max_consecutive_hyphens = (int)(rnd() % 3);
        kp.double_hyphen_demerits = chance(0.5) ? 1e4 : 1e6;

        /* Each box wider than every line adds at least its excess over the
         * widest line: a bound that keeps the search fast in those cases. */
        double *minov = calloc(p.n + 1, sizeof *minov);
        for (size_t i = p.n; i-- > 0;)
            minov[i] = minov[i + 1] +
                       (p.it[i].type == FO_KP_BOX && p.it[i].width > maxw
                            ? p.it[i].width - maxw
                            : 0);
        search s = {0};
        s.min_overflow = minov;
        s.p = &p;
        s.widths = widths;
        s.nw = nw;
        s.kp = &kp;
        int pass = 0;
        while (pass < 3) {
            pass++;
            if ((pass == 1 && kp.pretolerance < 0) ||
                (pass == 2 && kp.tolerance < 0))
                continue;
            s.pass = pass;
            s.threshold = pass == 1 ? kp.pretolerance : kp.tolerance;
            s.found = 0;
            dfs(&s, SIZE_MAX, 0, 2, 0, 0, 0, 0, 0);
            if (s.found)
                break;
        }
        visited += s.visited;

        fo_kp_result r;
        assert_int_equal(fo_kp_break(p.it, p.n, widths, nw, &kp, &r), FO_OK);
        int excess;
        double overflow, total;
        check_result(&p, widths, nw, &kp, &r, &overflow, &excess, &total);
        assert_true(s.found); /* the final pass allows every breaking */
        by_pass[pass]++;
        stuck += s.best_overflow > 0;
        excess_cases += s.best_excess > 0;
        if (r.pass != pass || !close_rel(overflow, s.best_overflow) ||
            excess != s.best_excess || !close_rel(total, s.best_total)) {
            fo_kp_debug_print(stderr, p.it, p.n, &r);
            fail_msg("case %d: kp pass %d overflow %.9g excess %d demerits "
                     "%.12g; exhaustive pass %d overflow %.9g excess %d "
                     "demerits %.12g",
                     t, r.pass, overflow, excess, total, pass, s.best_overflow,
                     s.best_excess, s.best_total);
        }
        fo_kp_result_free(&r);
        free(p.it);
        free(minov);
    }
    print_message("exhaustive: passes 1/2/3 = %d/%d/%d, overfull %d, "
                  "hyphen-limit excess %d, %ld search nodes\n",
                  by_pass[1], by_pass[2], by_pass[3], stuck, excess_cases,
                  visited);
}

/* A 900 pt run of letters with no space, broken as para.c breaks a
 * segment too long for the measure: between every two letters an
 * emergency break (penalty 5000 with the hyphen's width, behind ragged
 * glue that lets the line end short, kept from being a break by an
 * infinite penalty). In a 232 pt column every line fits, none overfull,
 * and the run fills as few lines as it can. */
static void test_unbreakable_run(void **state)
{
    (void)state;
    para p = {0};
    double width = 232, letter = 6.5, hy = 3.3, R = 30;
    int n = (int)(900 / letter);
    space(&p, 2.5);
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            add(&p, FO_KP_PENALTY, 0, 0, 0, FO_KP_INF, 0);
            add(&p, FO_KP_GLUE, 0, R, 0, 0, 0);
            add(&p, FO_KP_PENALTY, hy, 0, 0, 5000, 1);
            add(&p, FO_KP_GLUE, 0, -R, 0, 0, 0);
        }
        box(&p, letter);
    }
    finish(&p);
    fo_kp_params kp;
    fo_kp_params_default(&kp);
    fo_kp_result r;
    assert_int_equal(fo_kp_break(p.it, p.n, &width, 1, &kp, &r), FO_OK);
    assert_int_equal(r.overfull, 0);
    assert_int_equal(r.nlines, (size_t)ceil(n * letter / (width - hy)));
    size_t start = 0;
    for (size_t i = 0; i < r.nlines; i++) {
        double w = 0;
        for (size_t k = start; k < r.breaks[i]; k++)
            if (p.it[k].type != FO_KP_PENALTY)
                w += p.it[k].width;
        if (p.it[r.breaks[i]].type == FO_KP_PENALTY)
            w += p.it[r.breaks[i]].width;
        assert_true(w <= width + 1e-9);
        start = r.breaks[i] + 1;
    }
    fo_kp_result_free(&r);
    free(p.it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_forced_breaks),
        cmocka_unit_test(test_too_wide_box),
        cmocka_unit_test(test_ratios_reproduce_widths),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_hyphen_limit),
        cmocka_unit_test(test_hyphen_limit_exceeded),
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_unbreakable_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
