/* Knuth–Plass total-fit line breaking (kp.h): given boxes, glue and
 * penalties and the width of every line, choose the breaks that minimise
 * the paragraph's total demerits, and report each line's adjustment ratio.
 *
 * Contract. The result is a legal breaking (glue after a box, or a penalty
 * below FO_KP_INF; every forced penalty is a break) that minimises, in the
 * first pass that has any feasible breaking, the total demerits. Pass 1
 * (pretolerance) ignores flagged penalties and pass 2 (tolerance) uses
 * them; both treat max_consecutive_hyphens as a hard limit. The final pass
 * has no tolerance and uncapped badness, so every line that is not
 * overfull is feasible there, and it ranks breakings by (total overflow,
 * breaks past the hyphen limit, demerits): a line is overfull (wider than
 * its width after full shrink) only when every breaking needs one, and
 * then by as little as possible. An overfull line a → b is considered only
 * up to the first legal break at which a's line would be overfull even
 * without the penalty's width; longer ones only add overflow. The final
 * pass therefore always yields a breaking. tests/unit/test_kp.c checks all
 * of this against an exhaustive search.
 *
 * The algorithm is TeX's (tex.web §813–890) with these changes: badness is
 * not capped at 10000 in the final pass (with the cap, every overfull-free
 * breaking beyond tolerance scores alike, and the breaker traded one line
 * stretched 37× for slightly better neighbours); a node is dropped only when
 * the line's width *without* the penalty at the break is overfull (a
 * hyphen's width can make one break overfull while a later one still
 * fits); the consecutive-hyphen count is node state; and TeX's
 * artificial_demerits (an overfull line from the last active node) becomes
 * the overflow ranking, which finds the least overfull line ("hy-" a point
 * too wide rather than "hyphen" a whole piece too wide).
 *
 * Nodes live in one arena per call. Time is O(n · active nodes). */
#include "kp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { FIT_VERY_LOOSE, FIT_LOOSE, FIT_DECENT, FIT_TIGHT };
enum { FINAL_PASS = 3 };

/* A feasible break: the end of the best path found so far with this state.
 * Nodes at the same position are kept apart when their futures differ:
 * fitness class (adj_demerits), line class (line widths ahead) and the
 * count of hyphenated lines just before (max_consecutive_hyphens). */
typedef struct node {
    struct node *next;       /* active list, in position order */
    const struct node *prev; /* best path */
    size_t pos;              /* break item */
    size_t start;            /* first item of the next line */
    double overflow;         /* widths by which its lines are overfull */
    double total;            /* demerits of the path */
    double ratio;            /* of the line ending here */
    int excess;              /* breaks past the hyphen limit on the path */
    int lines;               /* lines on the path */
    int cls;                 /* min(lines, nwidths - 1): next line's width */
    int fit;                 /* fitness class of the line ending here */
    int hyph;                /* hyphenated lines ending here in a row */
    int flagged;             /* the line ending here is hyphenated */
    int overfull;            /* it is wider than its width */
} node;

/* A candidate for a new node at the current break. */
typedef struct cand {
    const node *from;
    double overflow, total, ratio;
    int excess, cls, fit, hyph, overfull;
} cand;

typedef struct kp_ctx {
    const fo_kp_item *items;
    size_t n;
    const double *widths;
    int nwidths;
    const fo_kp_params *p;
    double *sw, *sy, *sz, *sf; /* prefix sums: width, stretch, shrink, fil */
    size_t *after;             /* first box or forced break after item i */
    fo_arena *arena;
    cand *cands, *best;
    size_t ncap, bcap;
    node *active, *tail; /* the active list of the current pass */
} kp_ctx;

void fo_kp_params_default(fo_kp_params *p)
{
    p->pretolerance = 100;
    p->tolerance = 200;
    p->line_penalty = 10;
    p->adj_demerits = 10000;
    p->double_hyphen_demerits = 1e6;
    p->final_hyphen_demerits = 5000;
    p->max_consecutive_hyphens = 2;
}

static int is_forced(const fo_kp_item *it)
{
    return it->type == FO_KP_PENALTY && it->penalty <= -FO_KP_INF;
}

/* TeX's legal breakpoints; pass 1 does not try hyphenation. */
static int is_legal(const kp_ctx *k, size_t b, int pass)
{
    const fo_kp_item *it = &k->items[b];
    if (it->type == FO_KP_PENALTY)
        return it->penalty < FO_KP_INF && !(pass == 1 && it->flagged);
    if (it->type == FO_KP_GLUE)
        return b > 0 && k->items[b - 1].type == FO_KP_BOX;
    return 0;
}

/* Paths are ranked by (overflow, excess, total). Strictly better only, so
 * that the earlier candidate wins ties and the result is deterministic. */
static int better(double overflow, int excess, double total, double o_overflow,
                  int o_excess, double o_total)
{
    if (overflow != o_overflow)
        return overflow < o_overflow;
    if (excess != o_excess)
        return excess < o_excess;
    return total < o_total;
}

/* The line from node a to the break b, measured. */
typedef struct line_fit {
    double ratio, badness, excess_width; /* excess_width > 0: overfull */
    int fit, dead;
} line_fit;

static line_fit measure(const kp_ctx *k, const node *a, size_t b)
{
    const fo_kp_item *it = &k->items[b];
    size_t s = a->start;
    double W = k->widths[a->cls];
    double content = k->sw[b] - k->sw[s];
    double L = content + (it->type == FO_KP_PENALTY ? it->width : 0);
    double Y = k->sy[b] - k->sy[s], Z = k->sz[b] - k->sz[s];
    double F = k->sf[b] - k->sf[s];
    line_fit f = {0, 0, 0, FIT_DECENT, 0};
    /* Dropping the node needs a width that only grows with b (boxes and
     * glue of width >= shrink), hence without the penalty's width. */
    f.dead = content - Z > W;
    f.excess_width = (L - Z) - W;
    if (L < W) {
        if (F > 0) {
            f.ratio = 0; /* fil glue takes up the slack */
        } else if (Y > 0) {
            f.ratio = (W - L) / Y;
            f.badness = fmin(100 * f.ratio * f.ratio * f.ratio, FO_KP_BAD_MAX);
        } else {
            f.ratio = 0; /* nothing can stretch: the line stays short */
            f.badness = FO_KP_BAD_MAX;
        }
        f.fit = f.badness > 99   ? FIT_VERY_LOOSE
                : f.badness > 12 ? FIT_LOOSE
                                 : FIT_DECENT;
    } else if (L > W) {
        if (f.excess_width > 0) {
            /* Overfull: only the final pass's last resort takes it. */
            f.ratio = Z > 0 ? (W - L) / Z : 0;
            f.badness = FO_KP_BAD_MAX;
        } else {
            f.ratio = fmax((W - L) / Z, -1.0); /* Z > 0 here */
            f.badness = 100 * -f.ratio * f.ratio * f.ratio;
        }
        f.fit = f.badness > 12 ? FIT_TIGHT : FIT_DECENT;
    }
    return f;
}

/* TeX's demerits of the line a → b (tex.web §859), without the cap. */
static double demerits(const kp_ctx *k, const node *a, size_t b,
                       const line_fit *f)
{
    const fo_kp_item *it = &k->items[b];
    const fo_kp_params *p = k->p;
    double d = (p->line_penalty + f->badness) * (p->line_penalty + f->badness);
    double pen = it->type == FO_KP_PENALTY ? it->penalty : 0;
    if (pen > 0)
        d += pen * pen;
    else if (pen > -FO_KP_INF)
        d -= pen * pen;
    int flagged = it->type == FO_KP_PENALTY && it->flagged;
    if (b == k->n - 1) {
        if (a->flagged)
            d += p->final_hyphen_demerits;
    } else if (flagged && a->flagged) {
        d += p->double_hyphen_demerits;
    }
    if (abs(f->fit - a->fit) > 1)
        d += p->adj_demerits;
    return d;
}

static cand make_cand(const kp_ctx *k, const node *a, size_t b,
                      const line_fit *f, int excess)
{
    const fo_kp_item *it = &k->items[b];
    int flagged = it->type == FO_KP_PENALTY && it->flagged;
    int cap = k->p->max_consecutive_hyphens > 0
                  ? k->p->max_consecutive_hyphens
                  : 1; /* 1 still tells double_hyphen_demerits apart */
    int lines = a->lines + 1;
    cand c;
    c.from = a;
    c.total = a->total + demerits(k, a, b, f);
    c.overflow = a->overflow + (f->excess_width > 0 ? f->excess_width : 0);
    c.ratio = f->ratio;
    c.excess = a->excess + excess;
    c.cls = lines < k->nwidths - 1 ? lines : k->nwidths - 1;
    c.fit = f->excess_width > 0 ? FIT_TIGHT : f->fit;
    c.hyph = flagged ? (a->hyph + 1 < cap ? a->hyph + 1 : cap) : 0;
    c.overfull = f->excess_width > 0;
    return c;
}

/* Keeps the best candidate per state, then drops those that cannot win:
 * a node whose total exceeds the best of its (line class, hyphen count)
 * group by more than adj_demerits loses to that best in every future
 * (TeX §836), and so does one with more overflow or excess hyphens. */
static size_t reduce(kp_ctx *k, size_t nc)
{
    size_t nb = 0;
    for (size_t i = 0; i < nc; i++) {
        const cand *c = &k->cands[i];
        size_t j = 0;
        while (j < nb &&
               !(k->best[j].cls == c->cls && k->best[j].hyph == c->hyph &&
                 k->best[j].fit == c->fit))
            j++;
        if (j == nb) {
            fo_grow((void **)&k->best, sizeof *k->best, &k->bcap, nb + 1);
            k->best[nb++] = *c;
        } else if (better(c->overflow, c->excess, c->total, k->best[j].overflow,
                          k->best[j].excess, k->best[j].total)) {
            k->best[j] = *c;
        }
    }
    double adj = k->p->adj_demerits > 0 ? k->p->adj_demerits : 0;
    size_t kept = 0;
    for (size_t i = 0; i < nb; i++) {
        const cand *c = &k->best[i];
        int keep = 1;
        for (size_t j = 0; j < nb && keep; j++) {
            const cand *o = &k->best[j];
            if (o->cls != c->cls || o->hyph != c->hyph)
                continue;
            if (o->overflow != c->overflow)
                keep = o->overflow > c->overflow;
            else if (o->excess != c->excess)
                keep = o->excess > c->excess;
            else
                keep = c->total <= o->total + adj;
        }
        if (keep)
            k->best[kept++] = *c;
    }
    return kept;
}

static node *new_node(kp_ctx *k, const cand *c, size_t b)
{
    const fo_kp_item *it = &k->items[b];
    node *v = fo_arena_alloc(k->arena, sizeof *v);
    v->prev = c->from;
    v->pos = b;
    v->start = k->after[b];
    v->overflow = c->overflow;
    v->total = c->total;
    v->ratio = c->ratio;
    v->excess = c->excess;
    v->lines = c->from->lines + 1;
    v->cls = c->cls;
    v->fit = c->fit;
    v->hyph = c->hyph;
    v->flagged = it->type == FO_KP_PENALTY && it->flagged;
    v->overfull = c->overfull;
    return v;
}

/* Tries every active node against the break b: collects the candidates
 * (returns their count) and drops the nodes that b ends. The final pass
 * also takes overfull lines, up to the break where the node dies; they
 * cost their overflow, which ranks first, so they appear only when every
 * breaking needs one. */
static size_t try_break(kp_ctx *k, size_t b, int pass, double threshold)
{
    const fo_kp_item *it = &k->items[b];
    int forced = is_forced(it);
    int flagged = it->type == FO_KP_PENALTY && it->flagged;
    int limit = k->p->max_consecutive_hyphens;
    size_t nc = 0;
    node *prev = NULL;
    for (node *a = k->active, *next; a; a = next) {
        next = a->next;
        if (b < a->start) { /* b is among the items a discards */
            prev = a;
            continue;
        }
        line_fit f = measure(k, a, b);
        int over_limit = flagged && limit > 0 && a->hyph >= limit;
        int feasible =
            f.excess_width <= 0 && f.badness <= threshold && !over_limit;
        if (feasible || pass == FINAL_PASS) {
            fo_grow((void **)&k->cands, sizeof *k->cands, &k->ncap, nc + 1);
            k->cands[nc++] = make_cand(k, a, b, &f, over_limit);
        }
        if (!f.dead && !forced) {
            prev = a;
            continue;
        }
        if (prev)
            prev->next = next;
        else
            k->active = next;
        if (k->tail == a)
            k->tail = prev;
    }
    return nc;
}

/* One pass; the best node at the final break, or NULL if the pass found no
 * feasible breaking (never in the final pass). */
static const node *run_pass(kp_ctx *k, int pass)
{
    double threshold = INFINITY;
    if (pass == 1)
        threshold = k->p->pretolerance;
    else if (pass == 2)
        threshold = k->p->tolerance;
    node *first = fo_arena_alloc(k->arena, sizeof *first);
    first->fit = FIT_DECENT; /* TeX's paragraph start */
    k->active = k->tail = first;

    for (size_t b = 0; b < k->n; b++) {
        if (!is_legal(k, b, pass))
            continue;
        size_t nc = try_break(k, b, pass, threshold);
        if (nc == 0 && !k->active)
            return NULL; /* passes 1-2: nothing fits */
        size_t nb = nc ? reduce(k, nc) : 0;
        for (size_t i = 0; i < nb; i++) {
            node *v = new_node(k, &k->best[i], b);
            if (k->tail)
                k->tail->next = v;
            else
                k->active = v;
            k->tail = v;
        }
    }
    /* The last item is a forced break: the active nodes all end there. */
    const node *last = NULL;
    for (const node *v = k->active; v; v = v->next)
        if (!last || better(v->overflow, v->excess, v->total, last->overflow,
                            last->excess, last->total))
            last = v;
    return last;
}

static void fill_result(const node *end, int pass, fo_kp_result *out)
{
    size_t nl = (size_t)end->lines;
    out->breaks = fo_xcalloc(nl, sizeof *out->breaks);
    out->ratios = fo_xcalloc(nl, sizeof *out->ratios);
    out->hyphenated = fo_xcalloc(nl, sizeof *out->hyphenated);
    out->nlines = nl;
    out->pass = pass;
    out->demerits = end->total;
    out->excess_hyphens = end->excess;
    size_t i = nl;
    for (const node *v = end; v->prev; v = v->prev) {
        i--;
        out->breaks[i] = v->pos;
        out->ratios[i] = v->ratio;
        out->hyphenated[i] = v->flagged;
        out->overfull += v->overfull;
    }
}

fo_status fo_kp_break(const fo_kp_item *items, size_t n, const double *widths,
                      int nwidths, const fo_kp_params *p, fo_kp_result *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || !is_forced(&items[n - 1]) || nwidths < 1)
        return FO_ERR_INPUT;
    kp_ctx k = {0};
    k.items = items;
    k.n = n;
    k.widths = widths;
    k.nwidths = nwidths;
    k.p = p;
    k.sw = fo_xcalloc(4 * (n + 1), sizeof(double));
    k.sy = k.sw + (n + 1);
    k.sz = k.sy + (n + 1);
    k.sf = k.sz + (n + 1);
    for (size_t i = 0; i < n; i++) {
        const fo_kp_item *it = &items[i];
        int glue = it->type == FO_KP_GLUE;
        int fil = glue && it->stretch >= FO_KP_FIL;
        k.sw[i + 1] = k.sw[i] + (it->type == FO_KP_PENALTY ? 0 : it->width);
        k.sy[i + 1] = k.sy[i] + (glue && !fil ? it->stretch : 0);
        k.sz[i + 1] = k.sz[i] + (glue ? it->shrink : 0);
        k.sf[i + 1] = k.sf[i] + (fil ? it->stretch : 0);
    }
    /* Glue and penalties after a break are discarded up to the next box or
     * forced break (TeX §879). */
    k.after = fo_xcalloc(n, sizeof *k.after);
    k.after[n - 1] = n;
    for (size_t i = n - 1; i-- > 0;)
        k.after[i] = items[i + 1].type == FO_KP_BOX || is_forced(&items[i + 1])
                         ? i + 1
                         : k.after[i + 1];
    k.arena = fo_arena_new();

    const node *end = NULL;
    int pass = 0;
    while (!end && pass < FINAL_PASS) {
        pass++;
        if ((pass == 1 && p->pretolerance < 0) ||
            (pass == 2 && p->tolerance < 0))
            continue;
        end = run_pass(&k, pass);
    }
    if (end)
        fill_result(end, pass, out);

    fo_arena_free(k.arena);
    free(k.sw);
    free(k.after);
    free(k.cands);
    free(k.best);
    return end ? FO_OK : FO_ERR_INPUT;
}

void fo_kp_result_free(fo_kp_result *r)
{
    if (!r)
        return;
    free(r->breaks);
    free(r->ratios);
    free(r->hyphenated);
    memset(r, 0, sizeof *r);
}

#ifdef FO_UNIT_TEST
void fo_kp_debug_print(FILE *out, const fo_kp_item *items, size_t n,
                       const fo_kp_result *r)
{
    static const char kind[] = "BGP";
    for (size_t i = 0; i < n; i++) {
        const fo_kp_item *it = &items[i];
        fprintf(out, "%3zu %c w=%.3f y=%.3f z=%.3f p=%.0f%s\n", i,
                kind[it->type], it->width, it->stretch, it->shrink, it->penalty,
                it->flagged ? " flagged" : "");
    }
    if (!r)
        return;
    fprintf(out, "pass %d, %zu lines, demerits %.6g, overfull %d\n", r->pass,
            r->nlines, r->demerits, r->overfull);
    for (size_t i = 0; i < r->nlines; i++)
        fprintf(out, "  line %zu ends at %zu, r=%.4f%s\n", i, r->breaks[i],
                r->ratios[i], r->hyphenated[i] ? " -" : "");
}
#endif
