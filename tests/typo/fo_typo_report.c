/* fo_typo_report — how evenly folio justifies body text, against greedy
 * PangoLayout, on a real publication.
 *
 *     fo_typo_report PUB.yaml [--edition LANG] [--check]
 *
 * Every body paragraph (FO_BLOCK_PARA) of each edition is set twice at the
 * yearbook's column width in its body style: (a) with folio's breaker
 * (fo_para_set, Knuth–Plass, the edition's hyphenation dictionary) and (b)
 * with a justified, word-wrapped PangoLayout on the same Pango context,
 * text without markup. The metric is the one of knuth-plass-findings.md:
 * a line's stretch ratio is Σ(actual width of its interior expandable
 * spaces) ÷ Σ(their natural advance from HarfBuzz); the last line of each
 * paragraph, and lines without an interior space, are left out. A report,
 * not a timed test: it prints figures and exits 0, except with --check,
 * which exits 1 when a target is missed: vi ≤ 8 % and en ≤ 12 % of lines
 * beyond 1.5× (the typography issue's; the justification issue asked for
 * 20 % and 25 %), each at most half of greedy's share, no hyphen in
 * Vietnamese, and at most two hyphenated lines in a row. The share of
 * lines ending in a hyphen is printed, not checked: it depends on the text
 * (the sample's English is at 3.9 %, the benchmark's generated English,
 * which repeats long words, at 13 %). Exit 2: the publication or the fonts
 * cannot be loaded. */
#include "typeset/typeset_private.h"

#include <harfbuzz/hb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The figures of one method over one edition. */
typedef struct stats {
    double *ratio; /* one per measured line */
    size_t n, cap;
    int paras, lines, hyphens, no_space;
    int run, longest_run, stacks; /* hyphenated lines in a row */
} stats;

/* What one glyph of a line is, for the metric. */
typedef struct gl {
    int space;      /* an expandable space (U+0020, U+00A0) */
    double actual;  /* set advance, points */
    double natural; /* HarfBuzz advance, points */
} gl;

typedef struct line_buf {
    gl *g;
    size_t n, cap;
} line_buf;

static void add_ratio(stats *s, double r)
{
    fo_grow((void **)&s->ratio, sizeof *s->ratio, &s->cap, s->n + 1);
    s->ratio[s->n++] = r;
}

static void buf_push(line_buf *b, int space, double actual, double natural)
{
    fo_grow((void **)&b->g, sizeof *b->g, &b->cap, b->n + 1);
    b->g[b->n++] = (gl){space, actual, natural};
}

/* Records the ratio of the line in b (its glyphs in logical order):
 * only spaces between the first and the last glyph that is not a space
 * count, so leading and trailing spaces (Pango keeps the trailing one at
 * zero width) do not. */
static void measure_line(stats *s, const line_buf *b)
{
    size_t first = b->n, last = 0;
    for (size_t i = 0; i < b->n; i++)
        if (!b->g[i].space) {
            if (first == b->n)
                first = i;
            last = i;
        }
    double act = 0, nat = 0;
    for (size_t i = first; i < last; i++)
        if (b->g[i].space) {
            act += b->g[i].actual;
            nat += b->g[i].natural;
        }
    if (nat > 0)
        add_ratio(s, act / nat);
    else
        s->no_space++;
}

static int is_space_cp(gunichar cp)
{
    return cp == 0x20 || cp == 0xA0;
}

/* Natural advance of glyph gid of font at em size `size`, in points: the
 * HarfBuzz advance, scaled by the font's own scale so that any size (a
 * superscript, Pango's units) comes out right. */
static double hb_advance(PangoFont *font, uint32_t gid, double size)
{
    hb_font_t *hb = pango_font_get_hb_font(font);
    int xs = 0, ys = 0;
    hb_font_get_scale(hb, &xs, &ys);
    if (xs == 0)
        return 0;
    return hb_font_get_glyph_h_advance(hb, gid) * size / (double)xs;
}

/* (a) folio's breaker. */
static fo_status set_kp(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                        const fo_style *st, const fo_template *t,
                        const char *lang, fo_hyph *hy, double width,
                        fo_diags *d, stats *s, line_buf *b)
{
    fo_set_para sp;
    fo_status status =
        fo_para_set(f, doc, rich, st, t, lang, hy, width, d, &sp);
    if (status != FO_OK)
        return status;
    s->paras++;
    s->lines += sp.nlines;
    for (int i = 0; i + 1 < sp.nlines; i++) {
        const fo_set_line *ln = &sp.lines[i];
        b->n = 0;
        for (int r = 0; r < ln->nruns; r++) {
            const fo_set_run *run = &ln->runs[r];
            PangoFont *font = fo_fonts_pango_font(f, run->dl_font);
            for (int g = 0; g < run->n; g++) {
                const fo_dl_glyph *gg = &run->glyphs[g];
                gunichar cp = g_utf8_get_char(run->text + gg->cluster);
                int space = is_space_cp(cp);
                double nat =
                    space && font ? hb_advance(font, gg->gid, run->size) : 0;
                buf_push(b, space, gg->x_advance, nat);
            }
        }
        measure_line(s, b);
        s->hyphens += ln->hyphenated != 0;
        s->run = ln->hyphenated ? s->run + 1 : 0;
        s->stacks += s->run == 2;
        if (s->run > s->longest_run)
            s->longest_run = s->run;
    }
    s->run = 0;
    fo_set_para_free(&sp);
    return FO_OK;
}

/* (b) greedy PangoLayout, justified. */
static void set_greedy(PangoLayout *layout, const fo_rich *rich, double size,
                       stats *s, line_buf *b)
{
    pango_layout_set_text(layout, rich->text, (int)rich->len);
    const char *text = pango_layout_get_text(layout);
    int nlines = pango_layout_get_line_count(layout);
    s->paras++;
    s->lines += nlines;
    for (int i = 0; i + 1 < nlines; i++) {
        PangoLayoutLine *line = pango_layout_get_line_readonly(layout, i);
        b->n = 0;
        int hyphen = 0;
        for (GSList *l = line->runs; l; l = l->next) {
            PangoGlyphItem *run = l->data;
            PangoItem *item = run->item;
            PangoGlyphString *gs = run->glyphs;
            for (int g = 0; g < gs->num_glyphs; g++) {
                const PangoGlyphInfo *gi = &gs->glyphs[g];
                gunichar cp =
                    g_utf8_get_char(text + item->offset + gs->log_clusters[g]);
                int space = is_space_cp(cp);
                double nat =
                    space ? hb_advance(item->analysis.font, gi->glyph, size)
                          : 0;
                buf_push(b, space, gi->geometry.width / (double)PANGO_SCALE,
                         nat);
            }
            if (!l->next)
                hyphen = (item->analysis.flags &
                          PANGO_ANALYSIS_FLAG_NEED_HYPHEN) != 0;
        }
        measure_line(s, b);
        s->hyphens += hyphen;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Share of measured lines whose ratio is above (or, below < 0, under) t. */
static double share(const stats *s, double t, int below)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += below ? s->ratio[i] < t : s->ratio[i] > t;
    return s->n ? 100.0 * (double)k / (double)s->n : 0;
}

static void print_row(const char *lang, const char *method, stats *s)
{
    qsort(s->ratio, s->n, sizeof *s->ratio, cmp_double);
    double mean = 0, p95 = 0, max = 0;
    for (size_t i = 0; i < s->n; i++)
        mean += s->ratio[i];
    if (s->n) {
        mean /= (double)s->n;
        double pos = 0.95 * (double)(s->n - 1);
        size_t lo = (size_t)floor(pos);
        size_t hi = lo + 1 < s->n ? lo + 1 : lo;
        p95 = s->ratio[lo] + (pos - (double)lo) * (s->ratio[hi] - s->ratio[lo]);
        max = s->ratio[s->n - 1];
    }
    printf("%-4s %-8s %6d %6d %6.2f %6.2f %6.2f %6.2f %6.1f %% %6.1f %% "
           "%6.1f %% %6.1f %%\n",
           lang, method, s->paras, s->lines,
           s->paras ? (double)s->lines / s->paras : 0.0, mean, p95, max,
           share(s, 1.5, 0), share(s, 2.0, 0), share(s, 1.0, 1),
           s->lines > s->paras
               ? 100.0 * s->hyphens / (double)(s->lines - s->paras)
               : 0.0);
    if (s->no_space)
        printf("     (%s: %d lines without an interior space left out)\n",
               method, s->no_space);
}

/* The target share of lines beyond 1.5× for an edition, or < 0
 * when it has none. */
static double target_for(const char *lang)
{
    if (strncmp(lang, "vi", 2) == 0)
        return 8.0;
    if (strncmp(lang, "en", 2) == 0)
        return 12.0;
    return -1;
}

/* Reports edition ed; returns 1 when a target is missed. */
static int report_edition(const fo_pub *pub, int ed, fo_fonts *f,
                          const fo_template *t, double col_w, fo_diags *d,
                          fo_status *status)
{
    const char *lang = pub->editions[ed];
    stats kp = {0}, gr = {0};
    line_buf b = {0};
    fo_dl_doc *doc = fo_dl_doc_new();
    fo_fonts_begin_doc(f);
    fo_hyph *hy = fo_hyph_open_with(lang, &t->hyph_words, d);
    const fo_style *st = fo_template_style(t, "body");

    PangoLanguage *language = pango_language_from_string(lang);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, st->family);
    pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);

    for (size_t si = 0; si < pub->nsections && *status == FO_OK; si++) {
        const fo_section *sec = &pub->sections[si];
        for (size_t bi = 0; bi < sec->nblocks; bi++) {
            const fo_block *bl = &sec->blocks[bi];
            const fo_rich *rich = bl->text.ed[ed];
            if (bl->kind != FO_BLOCK_PARA || !rich || rich->len == 0)
                continue;
            *status = set_kp(f, doc, rich, st, t, lang, hy, col_w, d, &kp, &b);
            if (*status != FO_OK)
                break;
            /* fo_para_set sets the context's language; a layout made
             * after that itemizes with the same one. */
            pango_context_set_language(f->ctx, language);
            PangoLayout *layout = pango_layout_new(f->ctx);
            pango_layout_set_font_description(layout, fd);
            pango_layout_set_width(layout, (int)lround(col_w * PANGO_SCALE));
            pango_layout_set_justify(layout, TRUE);
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
            set_greedy(layout, rich, st->size, &gr, &b);
            g_object_unref(layout);
        }
    }
    int failed = 0;
    if (*status == FO_OK) {
        print_row(lang, "kp", &kp);
        print_row(lang, "greedy", &gr);
        double target = target_for(lang);
        double k15 = share(&kp, 1.5, 0), g15 = share(&gr, 1.5, 0);
        if (target >= 0) {
            int ok1 = k15 <= target, ok2 = k15 <= g15 / 2;
            printf("verdict %s: lines > 1.5x %.1f %% (target <= %.0f %%): "
                   "%s; greedy %.1f %%, kp/greedy %.2f (target <= 0.50): "
                   "%s\n",
                   lang, k15, target, ok1 ? "PASS" : "FAIL", g15,
                   g15 > 0 ? k15 / g15 : 0.0, ok2 ? "PASS" : "FAIL");
            failed = !ok1 || !ok2;
        }
        double hy_share =
            kp.lines > kp.paras
                ? 100.0 * kp.hyphens / (double)(kp.lines - kp.paras)
                : 0.0;
        int vi = strncmp(lang, "vi", 2) == 0;
        int ok3 = !vi || kp.hyphens == 0, ok4 = kp.longest_run <= 2;
        printf("hyphens %s: %.1f %% of lines; longest run %d (target <= 2): "
               "%s; runs of two %d%s\n",
               lang, hy_share, kp.longest_run, ok4 ? "PASS" : "FAIL", kp.stacks,
               vi ? (ok3 ? "; none in Vietnamese: PASS"
                         : "; none in Vietnamese: FAIL")
                  : "");
        failed |= !ok3 || !ok4;
        if (target < 0) {
            printf("verdict %s: no target for this language\n", lang);
        }
    }
    pango_font_description_free(fd);
    fo_hyph_free(hy);
    fo_dl_doc_free(doc);
    free(kp.ratio);
    free(gr.ratio);
    free(b.g);
    return failed;
}

static int usage(void)
{
    (void)fprintf(stderr, "usage: fo_typo_report PUB.yaml [--edition LANG] "
                          "[--check]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *only = NULL;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--edition") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            return usage();
    }
    if (!path)
        return usage();

    int rc = 2;
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    fo_fonts *f = NULL;
    if (fo_pub_load(path, &d, &pub) != FO_OK)
        goto out;
    int want = only ? fo_pub_edition(pub, only) : -1;
    if (only && want < 0) {
        (void)fprintf(stderr, "fo_typo_report: '%s' is not an edition\n", only);
        goto out;
    }
    const char *env = getenv("FOLIO_DATA_DIR");
    const char *data = env && *env ? env : FO_DATA_DIR;
    /* One template per edition: its `languages:` entries set the body's
     * spacing per language. The fonts and the column are every edition's. */
    const fo_template *te[FO_MAX_EDITIONS] = {NULL}, *t = NULL;
    int bad = 0;
    for (int e = 0; e < pub->neditions; e++)
        if (want < 0 || e == want) {
            bad |= fo_template_load(pub, pub->editions[e], data, pub->arena, &d,
                                    &te[e]) != FO_OK;
            t = t ? t : te[e];
        }
    if (bad || !t)
        goto out;
    char *fonts_dir = fo_path_join(data, "fonts");
    fo_status fst = fo_fonts_new(fonts_dir, t->fonts_dir, &d, &f);
    free(fonts_dir);
    if (fst != FO_OK)
        goto out;
    const fo_style *body = fo_template_style(t, "body");
    double col_w = (t->page_w - t->margin_inner - t->margin_outer -
                    (t->columns - 1) * t->gutter) /
                   t->columns;
    printf("folio typographic report: %s\n", path);
    printf("body %s %.0f/%.0f pt, column %.2f pt; ratio = set/natural "
           "width of a line's interior spaces, last lines left out\n",
           body->family, body->size, body->leading, col_w);
    for (int e = 0; e < pub->neditions; e++)
        if (te[e]) {
            const fo_style *b = fo_template_style(te[e], "body");
            printf("body %s: space stretch %.3f shrink %.3f, letter stretch "
                   "%.3f shrink %.3f\n",
                   pub->editions[e], b->stretch, b->shrink, b->letter_stretch,
                   b->letter_shrink);
        }
    printf("%-4s %-8s %6s %6s %6s %6s %6s %6s %8s %8s %8s %8s\n", "ed",
           "method", "paras", "lines", "l/para", "mean", "p95", "max", "> 1.5",
           "> 2.0", "< 1.0", "hyphen");
    int failed = 0;
    fo_status status = FO_OK;
    for (int e = 0; e < pub->neditions && status == FO_OK; e++)
        if (want < 0 || e == want)
            failed |= report_edition(pub, e, f, te[e], col_w, &d, &status);
    if (status != FO_OK) {
        (void)fprintf(stderr, "fo_typo_report: %s\n", fo_status_str(status));
        goto out;
    }
    printf("result: %s\n", failed ? "FAIL" : "PASS");
    rc = check && failed ? 1 : 0;
out:
    fo_diags_print(&d, stderr);
    fo_fonts_free(f);
    fo_pub_free(pub);
    fo_diags_free(&d);
    return rc;
}
