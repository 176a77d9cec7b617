/* The page rules on colour and images:
 *
 *   resolution  an image placed below the profile's minimum (opts.min_ppi)
 *               is a warning (an error with --strict), worded as the
 *               build always worded it;
 *   colour      in print, every colour of the page is a swatch with the
 *               CMYK the designer gave: a swatch given only in RGB has a
 *               CMYK derived naively (fo_color.rgb_only) and is an error.
 *               folio has no spot colours (no Separation colour space is
 *               ever written), so none can reach the press. Images in
 *               RGB or grey are not a finding: print converts them to
 *               CMYK through the output profile;
 *   ink         in print, the total ink (C+M+Y+K) of every colour is at
 *               most opts.ink_limit. An RGB or grey image gets its CMYK
 *               from the output profile (ISO Coated v2 300 %, whose
 *               separation keeps total ink at 300 %), so it is within the
 *               limit by construction and is not decoded here. A CMYK
 *               JPEG goes to print as it is: its pixels are the ink, so it
 *               is decoded once per edition and its densest pixel
 *               measured (the cost of one decode; the benchmark has
 *               none). Where black overprints (fo_dl_op_overprints: small
 *               K-only text and K-only rules, in PDF/X-4 and X-1a alike)
 *               the inks add up: its K over the C, M and Y of each fill
 *               drawn beneath it before, or of a CMYK image beneath it
 *               (its densest pixel's total, an upper bound), must stay
 *               within the limit too. An RGB or grey image beneath is
 *               not measured: the profile's separation puts heavy K in
 *               dark colours, so the overprinted K adds little there.
 *
 * A colour or image is reported once per edition, at the first block that
 * uses it. */
#include "check_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_color(const fo_color *a, const fo_color *b)
{
    return a->c == b->c && a->m == b->m && a->y == b->y && a->k == b->k &&
           a->r == b->r && a->g == b->g && a->b == b->b;
}

/* Has rule reported this colour (image < 0) or image already? Notes it. */
static int seen(fo_checker *c, const char *rule, const fo_color *col, int image)
{
    for (size_t i = 0; i < c->nseen; i++) {
        const check_seen *s = &c->seen[i];
        if (s->rule == rule && s->image == image &&
            (image >= 0 || same_color(&s->color, col)))
            return 1;
    }
    fo_grow((void **)&c->seen, sizeof *c->seen, &c->seen_cap, c->nseen + 1);
    c->seen[c->nseen++] = (check_seen){rule, col ? *col : (fo_color){0}, image};
    return 0;
}

/* The swatch name of colour col in the template, for messages. */
static const char *swatch_name(const fo_checker *c, const fo_color *col)
{
    for (size_t i = 0; i < c->t->nswatches; i++)
        if (same_color(&c->t->swatches[i].color, col))
            return c->t->swatches[i].name;
    return NULL;
}

static const fo_color *op_color(const fo_dl_op *op)
{
    switch (op->kind) {
    case FO_DL_GLYPHS:
        return &op->u.glyphs.color;
    case FO_DL_RECT:
        return &op->u.rect.color;
    case FO_DL_LINE:
        return &op->u.line.color;
    case FO_DL_IMAGE:
    case FO_DL_LINK:
    case FO_DL_ANCHOR:
    case FO_DL_PLACE: /* imposed sheets are not preflighted */
        break;
    }
    return NULL;
}

static void rule_colour(fo_checker *c, int page, const fo_dl_op *op,
                        const fo_color *col)
{
    check_box b;
    const check_box *box = check_op_box(op, &b) ? &b : NULL;
    double ink = (col->c + col->m + col->y + col->k) * 100;
    const char *name = swatch_name(c, col);
    char label[160];
    if (name)
        (void)snprintf(label, sizeof label, "colour '%s'", name);
    else
        (void)snprintf(label, sizeof label,
                       "the colour C %.0f M %.0f Y %.0f K %.0f", col->c * 100,
                       col->m * 100, col->y * 100, col->k * 100);
    if (col->rgb_only && !seen(c, "colour", col, -1))
        check_report(c, FO_SEV_ERROR, &op->src, "colour", page, box,
                     "%s is given only in RGB: print needs its CMYK "
                     "(give the swatch 'cmyk')",
                     label);
    if (c->o.ink_limit > 0 && ink > c->o.ink_limit + 0.5 &&
        !seen(c, "ink", col, -1))
        check_report(c, FO_SEV_ERROR, &op->src, "ink", page, box,
                     "%s has %.0f %% total ink; %s allows %.0f %%", label, ink,
                     c->o.profile ? c->o.profile : "print", c->o.ink_limit);
}

/* The densest pixel's total ink (percent) of CMYK image i, read once per
 * checker a few rows at a time (fo_image_rows), so that the preflight
 * holds no more of a large image than the renderers do; -1 when it cannot
 * be read (the renderer reports it). */
enum { INK_ROWS = 16 };
static double cmyk_image_ink(fo_checker *c, const fo_dl_doc *doc, int i)
{
    if ((size_t)i >= c->nimage_ink) {
        size_t n = doc->nimages;
        c->image_ink = fo_xrealloc(c->image_ink, n * sizeof *c->image_ink);
        for (size_t k = c->nimage_ink; k < n; k++)
            c->image_ink[k] = -2;
        c->nimage_ink = n;
    }
    if (c->image_ink[i] > -2)
        return c->image_ink[i];
    char why[160];
    double max = -1;
    fo_image_rows *r = NULL;
    if (fo_image_rows_open(doc->images[i].path, &doc->images[i].info, 0, &r,
                           why, sizeof why) == FO_OK) {
        int w = 0, h = 0, comps = 0, alpha = 0;
        fo_image_rows_geometry(r, &w, &h, &comps, &alpha);
        unsigned char *rows =
            comps == 4 ? fo_xmalloc((size_t)w * 4 * INK_ROWS) : NULL;
        unsigned char *arows = alpha ? fo_xmalloc((size_t)w * INK_ROWS) : NULL;
        int best = 0, ok = rows != NULL;
        for (int y = 0; ok && y < h; y += INK_ROWS) {
            int n = h - y < INK_ROWS ? h - y : INK_ROWS;
            ok =
                fo_image_rows_read(r, n, rows, arows, why, sizeof why) == FO_OK;
            for (size_t k = 0; ok && k < (size_t)w * (size_t)n; k++) {
                const unsigned char *p = rows + 4 * k;
                int sum = p[0] + p[1] + p[2] + p[3];
                if (sum > best)
                    best = sum;
            }
        }
        if (ok && fo_image_rows_finish(r, why, sizeof why) == FO_OK)
            max = best * 100.0 / 255;
        free(rows);
        free(arows);
        fo_image_rows_free(r);
    }
    c->image_ink[i] = max;
    return max;
}

static void rule_image(fo_checker *c, const fo_dl_doc *doc, int page,
                       const fo_dl_op *op)
{
    check_box b; /* where --draft outlines it: the image as it shows */
    const check_box *box = check_op_box(op, &b) ? &b : NULL;
    const fo_dl_image *im = &op->u.image;
    if (c->o.min_ppi > 0 && im->src && im->ppi < c->o.min_ppi - 0.5) {
        /* the wording the build has always used (tests/cli/resolution.sh) */
        fo_dl_src src = op->src;
        src.pos = im->pos;
        /* What would fix it, both ways: the pixels the placed size
         * needs, and the largest size these pixels allow (the placed size
         * scaled by ppi / min_ppi; layout keeps the image's aspect, so one
         * factor serves both sides). Pixels round up and the size down,
         * so that either figure is enough. */
        double w_mm = fo_pt_to_mm(im->w), h_mm = fo_pt_to_mm(im->h);
        double scale = im->ppi / c->o.min_ppi;
        check_report(c, FO_SEV_WARNING, &src, "resolution", page, box,
                     "image '%s' prints at %.0f ppi at its placed size; %s "
                     "wants %.0f: needs %.0f×%.0f px at %.0f×%.0f mm, or "
                     "place it at most %.0f×%.0f mm",
                     im->src, im->ppi, c->o.profile ? c->o.profile : "print",
                     c->o.min_ppi, ceil(im->w / 72.0 * c->o.min_ppi - 1e-6),
                     ceil(im->h / 72.0 * c->o.min_ppi - 1e-6), w_mm, h_mm,
                     floor(w_mm * scale + 1e-6), floor(h_mm * scale + 1e-6));
    }
    if (!c->o.print || c->o.ink_limit <= 0 || im->image < 0 ||
        (size_t)im->image >= doc->nimages ||
        doc->images[im->image].info.components != 4)
        return;
    double ink = cmyk_image_ink(c, doc, im->image);
    if (ink > c->o.ink_limit + 0.5 && !seen(c, "ink", NULL, im->image)) {
        const char *path = doc->images[im->image].path;
        const char *slash = strrchr(path, '/');
        check_report(c, FO_SEV_ERROR, &op->src, "ink", page, box,
                     "image '%s' is CMYK with up to %.0f %% total ink; %s "
                     "allows %.0f %%",
                     im->src ? im->src
                     : slash ? slash + 1
                             : path,
                     ink, c->o.profile ? c->o.profile : "print",
                     c->o.ink_limit);
    }
}

/* The ink where overprinting op i of pg lies over the fills and CMYK
 * images drawn before it: its K plus their C, M and Y. */
static void rule_overprint(fo_checker *c, const fo_dl_doc *doc,
                           const fo_dl_page *pg, int page, size_t i)
{
    const fo_dl_op *op = &pg->ops[i];
    check_box b, u;
    if (!check_op_box(op, &b))
        return;
    double k = op_color(op)->k * 100;
    for (size_t j = 0; j < i; j++) {
        const fo_dl_op *under = &pg->ops[j];
        if ((under->kind != FO_DL_RECT && under->kind != FO_DL_IMAGE) ||
            !check_op_box(under, &u) || u.x1 <= b.x0 || b.x1 <= u.x0 ||
            u.y1 <= b.y0 || b.y1 <= u.y0)
            continue;
        double ink = 0;
        fo_color mix = {0};
        int image = -1;
        if (under->kind == FO_DL_RECT) {
            const fo_color *g = &under->u.rect.color;
            ink = (g->c + g->m + g->y) * 100 + k;
            mix = (fo_color){g->c, g->m, g->y, op_color(op)->k, 0, 0, 0, 0};
        } else {
            const fo_dl_image *im = &under->u.image;
            if (im->image < 0 || (size_t)im->image >= doc->nimages ||
                doc->images[im->image].info.components != 4)
                continue;
            ink = cmyk_image_ink(c, doc, im->image) + k;
            image = im->image;
        }
        if (ink <= c->o.ink_limit + 0.5)
            continue;
        /* once per mix of inks (or image), like the colours */
        if (seen(c, "ink-overprint", &mix, image))
            continue;
        check_report(c, FO_SEV_ERROR, &op->src, "ink", page, &b,
                     "K %.0f %% overprints %s beneath it: %.0f %% total "
                     "ink; %s allows %.0f %% (set the template's print: "
                     "overprint lower, or lighten what lies beneath)",
                     k,
                     image >= 0 ? "a CMYK image"
                     : swatch_name(c, &under->u.rect.color)
                         ? swatch_name(c, &under->u.rect.color)
                         : "a colour",
                     ink, c->o.profile ? c->o.profile : "print",
                     c->o.ink_limit);
    }
}

void check_colour_op(fo_checker *c, const fo_dl_doc *doc, const fo_dl_page *pg,
                     int page, size_t i)
{
    const fo_dl_op *op = &pg->ops[i];
    if (op->kind == FO_DL_IMAGE) {
        rule_image(c, doc, page, op);
        return;
    }
    const fo_color *col = op_color(op);
    if (col && c->o.print)
        rule_colour(c, page, op, col);
    if (col && c->o.print && c->o.ink_limit > 0 && fo_dl_op_overprints(doc, op))
        rule_overprint(c, doc, pg, page, i);
}
