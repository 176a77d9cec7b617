/* Unit tests for fo_typeset_stream: the sample publications laid out
 * whole (fo_typeset) and page by page through a sink. Every page the sink
 * gets must dump exactly as the same page of the whole document, be handed
 * over once (the body in order, the contents last), and be empty
 * afterwards, keeping its size and label.
 *
 * Paragraph setting (fo_para_set) at narrow measures: every line fits its
 * measure, whatever the text (a 900 pt run without spaces, a URL, a word
 * of one script or another); letter gaps never go past the style's
 * letter-stretch; Lao, Khmer, Thai and Burmese without spaces break at
 * ICU's dictionary word boundaries; a glyph wider than the measure is an
 * error, never a line drawn past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dlist/dlist.h"
#include "model/model.h"
#include "model/template.h"
#include "typeset/typeset.h"
#include "typeset/typeset_private.h"

#include <harfbuzz/hb.h>
#include <math.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>

/* The dump of page i of doc alone, without the font table (fonts are
 * named in each glyph line). Free with free(). */
static char *page_dump(const fo_dl_doc *doc, size_t i)
{
    fo_dl_doc view = *doc;
    view.pages = &doc->pages[i];
    view.npages = 1;
    view.nfonts = 0; /* no font lines; glyphs still name theirs */
    fo_buf b;
    fo_buf_init(&b, 64u << 20);
    assert_int_equal(fo_dl_dump(&view, &b), FO_OK);
    return b.data ? b.data : fo_xstrdup("");
}

typedef struct stream_check {
    const fo_dl_doc *whole;
    int *seen;         /* times each page was handed over */
    size_t *order;     /* indices in the order handed over */
    size_t n;          /* pages handed over */
    size_t fail_after; /* return an error on this call (0: never) */
} stream_check;

static fo_status check_page(void *ud, const fo_dl_doc *doc, size_t index)
{
    stream_check *c = ud;
    assert_true(index < doc->npages);
    assert_true(index < c->whole->npages);
    c->seen[index]++;
    c->order[c->n++] = index;
    if (c->fail_after && c->n == c->fail_after)
        return FO_ERR_IO;
    char *got = page_dump(doc, index);
    char *want = page_dump(c->whole, index);
    if (strcmp(got, want) != 0)
        fail_msg("page %zu differs:\n--- streamed\n%s--- whole\n%s", index + 1,
                 got, want);
    free(got);
    free(want);
    return FO_OK;
}

typedef struct sample {
    fo_pub *pub;
    const fo_template *tmpl[FO_MAX_EDITIONS];
    fo_fonts *fonts;
} sample;

static void sample_load_path(sample *s, const char *path);

static void sample_load(sample *s, const char *name)
{
    char path[1024];
    (void)snprintf(path, sizeof path, "%s/examples/%s/publication.yaml",
                   FO_TEST_SRC, name);
    sample_load_path(s, path);
}

static void sample_load_path(sample *s, const char *path)
{
    memset(s, 0, sizeof *s);
    fo_diags d;
    fo_diags_init(&d);
    assert_int_equal(fo_pub_load(path, &d, &s->pub), FO_OK);
    for (int e = 0; e < s->pub->neditions; e++)
        assert_int_equal(fo_template_load(s->pub, s->pub->editions[e],
                                          FO_TEST_SRC, s->pub->arena, &d,
                                          &s->tmpl[e]),
                         FO_OK);
    assert_int_equal(fo_fonts_new(FO_TEST_SRC "/fonts", s->tmpl[0]->fonts_dir,
                                  &d, &s->fonts),
                     FO_OK);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
}

static void sample_free(sample *s)
{
    fo_fonts_free(s->fonts);
    fo_pub_free(s->pub);
}

/* Body pages in order, then the contents: the order handed over rises
 * but once, where the contents (reserved before the body) come last. */
static void check_order(const stream_check *c)
{
    int falls = 0;
    for (size_t k = 1; k < c->n; k++)
        if (c->order[k] < c->order[k - 1])
            falls++;
    assert_true(falls <= 1);
}

static void check_sample(const char *name)
{
    sample s;
    sample_load(&s, name);
    for (int e = 0; e < s.pub->neditions; e++) {
        fo_diags d;
        fo_diags_init(&d);
        fo_dl_doc *whole = NULL, *streamed = NULL;
        assert_int_equal(fo_typeset(s.pub, e, s.tmpl[e], s.fonts, &d, &whole),
                         FO_OK);
        assert_true(whole->npages > 0);
        stream_check c = {whole, calloc(whole->npages, sizeof(int)),
                          calloc(whole->npages, sizeof(size_t)), 0, 0};
        fo_page_sink sink = {check_page, &c};
        assert_int_equal(fo_typeset_stream(s.pub, e, s.tmpl[e], s.fonts, &d,
                                           &sink, &streamed),
                         FO_OK);
        assert_int_equal(streamed->npages, whole->npages);
        for (size_t i = 0; i < whole->npages; i++) {
            const fo_dl_page *p = streamed->pages[i], *w = whole->pages[i];
            assert_int_equal(c.seen[i], 1);
            assert_int_equal(p->n, 0);
            assert_null(p->ops);
            assert_true(p->width == w->width && p->height == w->height);
            assert_non_null(p->label);
            assert_string_equal(p->label, w->label);
        }
        check_order(&c);
        assert_int_equal(streamed->nfonts, whole->nfonts);
        for (size_t f = 0; f < whole->nfonts; f++)
            assert_string_equal(streamed->fonts[f].name, whole->fonts[f].name);
        assert_int_equal(d.errors, 0);
        fo_dl_doc_free(streamed);
        fo_dl_doc_free(whole);
        free(c.seen);
        free(c.order);
        fo_diags_free(&d);
    }
    sample_free(&s);
}

static void test_stream_nam_dinh(void **state)
{
    (void)state;
    check_sample("nam-dinh");
}

static void test_stream_booklet(void **state)
{
    (void)state;
    check_sample("nam-dinh-booklet");
}

static void test_stream_brochure(void **state)
{
    (void)state;
    check_sample("nam-dinh-brochure");
}

/* A sink's error stops the layout and is what fo_typeset_stream returns;
 * no page is handed over after it. */
static void test_stream_sink_error(void **state)
{
    (void)state;
    sample s;
    sample_load(&s, "nam-dinh");
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *whole = NULL, *streamed = NULL;
    assert_int_equal(fo_typeset(s.pub, 0, s.tmpl[0], s.fonts, &d, &whole),
                     FO_OK);
    assert_true(whole->npages > 3);
    stream_check c = {whole, calloc(whole->npages, sizeof(int)),
                      calloc(whole->npages, sizeof(size_t)), 0, 3};
    fo_page_sink sink = {check_page, &c};
    assert_int_equal(
        fo_typeset_stream(s.pub, 0, s.tmpl[0], s.fonts, &d, &sink, &streamed),
        FO_ERR_IO);
    assert_null(streamed);
    assert_int_equal(c.n, 3);
    fo_dl_doc_free(whole);
    free(c.seen);
    free(c.order);
    fo_diags_free(&d);
    sample_free(&s);
}

/* A paragraph setter over the nam-dinh templates: the English edition's
 * body style, its fonts and its hyphenation dictionary. */
typedef struct setter {
    sample s;
    fo_dl_doc *doc;
    fo_hyph *hy;
    fo_style st;
} setter;

static void setter_open(setter *t)
{
    sample_load(&t->s, "nam-dinh");
    t->doc = fo_dl_doc_new();
    fo_fonts_begin_doc(t->s.fonts);
    fo_diags d;
    fo_diags_init(&d);
    t->hy = fo_hyph_open("en", &d);
    fo_diags_free(&d);
    t->st = *fo_template_style(t->s.tmpl[1], "body");
}

static void setter_close(setter *t)
{
    fo_hyph_free(t->hy);
    fo_dl_doc_free(t->doc);
    sample_free(&t->s);
}

static fo_rich plain(const char *text, const char *lang)
{
    fo_rich r = {0};
    r.text = text;
    r.len = strlen(text);
    r.pos = (fo_pos){"test.yaml", 1, 1};
    r.lang = lang;
    return r;
}

/* The text of a set line, its runs' texts joined; the inserted hyphen is
 * not text. Free with free(). */
static char *line_text(const fo_set_line *ln)
{
    size_t n = 0;
    for (int r = 0; r < ln->nruns; r++)
        n += ln->runs[r].text_len;
    char *s = calloc(n + 1, 1);
    n = 0;
    for (int r = 0; r < ln->nruns; r++) {
        memcpy(s + n, ln->runs[r].text, ln->runs[r].text_len);
        n += ln->runs[r].text_len;
    }
    return s;
}

/* Sets text at width; every line fits it, and the lines hold the text
 * with nothing lost or added but the spaces at line ends. Returns the
 * lines' texts joined with '|' (free it). */
static char *set_checked(setter *t, const fo_style *st, const char *text,
                         const char *lang, double width, fo_set_para *out)
{
    fo_rich r = plain(text, lang);
    fo_diags d;
    fo_diags_init(&d);
    assert_int_equal(fo_para_set(t->s.fonts, t->doc, &r, st, t->s.tmpl[1], "en",
                                 t->hy, width, &d, out),
                     FO_OK);
    assert_int_equal(d.errors, 0);
    fo_diags_free(&d);
    size_t cap = strlen(text) + (size_t)out->nlines + 1, n = 0;
    char *joined = calloc(cap, 1);
    char *nospace = calloc(strlen(text) + 1, 1), *q = nospace;
    for (const char *c = text; *c; c++)
        if (*c != ' ')
            *q++ = *c;
    char *got = calloc(strlen(text) + 1, 1), *g = got;
    for (int i = 0; i < out->nlines; i++) {
        const fo_set_line *ln = &out->lines[i];
        double avail = width - (i == 0 ? st->first_indent : 0);
        if (ln->width > avail + 0.01)
            fail_msg("line %d is %.3f pt wide in a %.3f pt measure", i + 1,
                     ln->width, avail);
        double right = 0;
        for (int k = 0; k < ln->nruns; k++) {
            double x = ln->runs[k].x;
            for (int j = 0; j < ln->runs[k].n; j++)
                x += ln->runs[k].glyphs[j].x_advance;
            right = fmax(right, x);
        }
        assert_true(right <= width + 0.01);
        char *lt = line_text(ln);
        n += (size_t)snprintf(joined + n, cap - n, "%s%s", i ? "|" : "", lt);
        for (const char *c = lt; *c; c++)
            if (*c != ' ')
                *g++ = *c;
        free(lt);
    }
    assert_string_equal(got, nospace);
    free(got);
    free(nospace);
    return joined;
}

/* The ink box of glyph run r, from its font file's glyph extents
 * (HarfBuzz on the file itself, not through layout's fonts). */
static void run_ink(const fo_dl_doc *doc, const fo_dl_glyphs *r, double *x0,
                    double *y0, double *x1, double *y1)
{
    const fo_dl_font *font = &doc->fonts[r->font];
    hb_blob_t *blob = hb_blob_create_from_file(font->file);
    hb_face_t *face = hb_face_create(blob, (unsigned)font->index);
    hb_font_t *hb = hb_font_create(face);
    double k = r->size / (double)hb_face_get_upem(face);
    *x0 = *y0 = 1e9;
    *x1 = *y1 = -1e9;
    double pen = r->x;
    for (int i = 0; i < r->n; i++) {
        const fo_dl_glyph *g = &r->glyphs[i];
        hb_glyph_extents_t e;
        if (hb_font_get_glyph_extents(hb, g->gid, &e) && e.width && e.height) {
            double gx = pen + g->x_offset, gy = r->y + g->y_offset;
            *x0 = fmin(*x0, gx + e.x_bearing * k);
            *x1 = fmax(*x1, gx + (e.x_bearing + e.width) * k);
            *y0 = fmin(*y0, gy - e.y_bearing * k);
            *y1 = fmax(*y1, gy - (e.y_bearing + e.height) * k);
        }
        pen += g->x_advance;
    }
    hb_font_destroy(hb);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
}

/* Key figures: no value's ink (its dots below) meets its label's ink (its
 * stacked marks), on a fixture built of the worst letters. */
static void test_facts_ink(void **state)
{
    (void)state;
    sample s;
    sample_load_path(&s, FO_TEST_SRC "/tests/fixtures/facts-marks/"
                                     "publication.yaml");
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *doc = NULL;
    assert_int_equal(fo_typeset(s.pub, 0, s.tmpl[0], s.fonts, &d, &doc), FO_OK);
    double vsize = fo_template_style(s.tmpl[0], "fact-value")->size;
    double lsize = fo_template_style(s.tmpl[0], "fact-label")->size;
    int pairs = 0;
    for (size_t p = 0; p < doc->npages; p++) {
        const fo_dl_page *pg = doc->pages[p];
        for (size_t a = 0; a < pg->n; a++) {
            const fo_dl_op *va = &pg->ops[a];
            if (va->kind != FO_DL_GLYPHS || va->u.glyphs.size != vsize)
                continue;
            double ax0, ay0, ax1, ay1;
            run_ink(doc, &va->u.glyphs, &ax0, &ay0, &ax1, &ay1);
            for (size_t b = 0; b < pg->n; b++) {
                const fo_dl_op *lb = &pg->ops[b];
                if (lb->kind != FO_DL_GLYPHS || lb->u.glyphs.size != lsize ||
                    lb->u.glyphs.y < va->u.glyphs.y ||
                    fabs(lb->u.glyphs.x - va->u.glyphs.x) > 0.01)
                    continue;
                double bx0, by0, bx1, by1;
                run_ink(doc, &lb->u.glyphs, &bx0, &by0, &bx1, &by1);
                pairs++;
                if (ax0 < bx1 && bx0 < ax1 && ay1 >= by0)
                    fail_msg("value \"%.*s\" ink reaches y=%.2f, label "
                             "\"%.*s\" ink starts at y=%.2f",
                             (int)va->u.glyphs.text_len, va->u.glyphs.text, ay1,
                             (int)lb->u.glyphs.text_len, lb->u.glyphs.text,
                             by0);
            }
        }
    }
    assert_int_equal(pairs, 4);
    fo_dl_doc_free(doc);
    fo_diags_free(&d);
    sample_free(&s);
}

/* The glyph run of doc whose text starts with prefix (the first), or
 * fails. */
static const fo_dl_glyphs *run_starting(const fo_dl_doc *doc,
                                        const char *prefix)
{
    for (size_t p = 0; p < doc->npages; p++)
        for (size_t i = 0; i < doc->pages[p]->n; i++) {
            const fo_dl_op *op = &doc->pages[p]->ops[i];
            if (op->kind == FO_DL_GLYPHS &&
                op->u.glyphs.text_len >= strlen(prefix) &&
                strncmp(op->u.glyphs.text, prefix, strlen(prefix)) == 0)
                return &op->u.glyphs;
        }
    fail_msg("no run starts with \"%s\"", prefix);
    return NULL;
}

/* The space between a pull quote or key figures and the paragraphs around
 * them is the template's, to 0.1 pt, measured from the display list's
 * baselines: a baseline less its style's baseline offset is its line
 * box's top, plus the style's leading its bottom. */
static void test_block_spacing(void **state)
{
    (void)state;
    sample s;
    sample_load_path(&s, FO_TEST_SRC "/tests/fixtures/spacing/"
                                     "publication.yaml");
    fo_diags d;
    fo_diags_init(&d);
    fo_dl_doc *doc = NULL;
    const fo_template *t = s.tmpl[0];
    assert_int_equal(fo_typeset(s.pub, 0, t, s.fonts, &d, &doc), FO_OK);
    const fo_style *body = fo_template_style(t, "body");
    const fo_style *qs = fo_template_style(t, "quote");
    const fo_style *bs = fo_template_style(t, "quote-by");
    fo_metrics_cache mc = {0};
    double b_off = fo_style_baseline(s.fonts, &mc, body);
    double q_off = fo_style_baseline(s.fonts, &mc, qs);
    double by_off = fo_style_baseline(s.fonts, &mc, bs);
    /* paragraph, then the quote: body's space-after + quote's
     * space-before */
    const fo_dl_glyphs *p0 = run_starting(doc, "\xC4\x90o\xE1\xBA\xA1n m\xE1");
    const fo_dl_glyphs *q = run_starting(doc, "M\xE1\xBB\x99t c\xC3\xA2u "
                                              "tr\xC3\xAD"
                                              "ch d\xE1\xBA\xABn ng");
    double gap = (q->y - q_off) - (p0->y - b_off + body->leading);
    assert_float_equal(gap, body->space_after + qs->space_before, 0.1);
    /* the quote, then its attribution: quote's space-after */
    const fo_dl_glyphs *by = run_starting(doc, "\xE2\x80\x94 Ng");
    gap = (by->y - by_off) - (q->y - q_off + qs->leading);
    assert_float_equal(gap, qs->space_after, 0.1);
    /* the attribution, then a paragraph: quote-by's space-after (+ the
     * paragraph's space-before) */
    const fo_dl_glyphs *p1 = run_starting(doc, "\xC4\x90o\xE1\xBA\xA1n sau "
                                               "c\xC3\xA2u tr\xC3\xAD"
                                               "ch "
                                               "d\xE1\xBA\xABn c");
    gap = (p1->y - b_off) - (by->y - by_off + bs->leading);
    assert_float_equal(gap, bs->space_after + body->space_before, 0.1);
    /* key figures, then a paragraph: the template's facts space-after */
    const fo_dl_glyphs *p2 = run_starting(doc, "\xC4\x90o\xE1\xBA\xA1n sau "
                                               "c\xC3\xA1"
                                               "c s\xE1\xBB\x91");
    double box_bottom = -1;
    for (size_t p = 0; p < doc->npages; p++)
        for (size_t i = 0; i < doc->pages[p]->n; i++) {
            const fo_dl_op *op = &doc->pages[p]->ops[i];
            if (op->kind == FO_DL_RECT && op->u.rect.x == p2->x &&
                op->u.rect.y < p2->y)
                box_bottom = op->u.rect.y + op->u.rect.h;
        }
    assert_true(box_bottom > 0);
    gap = (p2->y - b_off) - box_bottom;
    assert_float_equal(gap, t->facts_space_after + body->space_before, 0.1);
    fo_dl_doc_free(doc);
    fo_diags_free(&d);
    sample_free(&s);
}

/* The shortest line of a set paragraph over its longest. */
static double shortest_share(const fo_set_para *sp)
{
    double lo = 1e9, hi = 0;
    for (int i = 0; i < sp->nlines; i++) {
        lo = fmin(lo, sp->lines[i].width);
        hi = fmax(hi, sp->lines[i].width);
    }
    return hi > 0 ? lo / hi : 1;
}

/* `balance`: titles whose last line would hold one short word are broken
 * for even lengths, on as many lines, every line at least 1/3 of the
 * longest; without it the same titles end short. For each text, every
 * measure from 120 to 600 pt where the plain break ends short is tried
 * (the test fails if a text has none: it would test nothing). */
static void test_balance(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    static const char *const texts[] = {
        "L\xE1\xBB\x85 h\xE1\xBB\x99i Khai \xE1\xBA\xA5n \xC4\x90\xE1"
        "\xBB\x81n Tr\xE1\xBA\xA7n 2026",
        "The Seal-Opening Festival at the Tr\xE1\xBA\xA7n Temple",
        "Craft villages and the food of the province",
        "Xuan Thuy National Park, the first Ramsar site of South-East Asia",
    };
    fo_style st = *fo_template_style(t.s.tmpl[1], "h1");
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        int hard = 0;
        for (double w = 120; w <= 600; w += 10) {
            fo_set_para plain_sp, bal_sp;
            st.balance = 0;
            char *a = set_checked(&t, &st, texts[i], "en", w, &plain_sp);
            if (shortest_share(&plain_sp) < 1.0 / 3) {
                hard++;
                st.balance = 1;
                char *b = set_checked(&t, &st, texts[i], "en", w, &bal_sp);
                if (bal_sp.nlines != plain_sp.nlines ||
                    shortest_share(&bal_sp) < 1.0 / 3)
                    fail_msg("not balanced at %g pt: \"%s\" -> \"%s\"", w, a,
                             b);
                free(b);
                fo_set_para_free(&bal_sp);
            }
            free(a);
            fo_set_para_free(&plain_sp);
        }
        if (!hard)
            fail_msg("\"%s\" never ends short: it tests nothing", texts[i]);
    }
    setter_close(&t);
}

/* A 900 pt run without a space in a 232 pt column: broken into lines
 * that all fit, at grapheme boundaries with a hyphen (Latin). */
static void test_unbreakable_run(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    char run[1024] = "";
    while (strlen(run) < 160)
        strcat(run, "Xqzvkwbrtplmn");
    fo_set_para sp;
    char *j = set_checked(&t, &t.st, run, NULL, 232, &sp);
    assert_true(sp.nlines >= 4);
    for (int i = 0; i + 1 < sp.nlines; i++)
        assert_true(sp.lines[i].hyphenated);
    free(j);
    fo_set_para_free(&sp);
    /* The same as a pull quote without spaces, in CJK: no hyphen. */
    char cjk[2048] = "";
    while (strlen(cjk) < 600)
        strcat(cjk, "漢字仮名交じり文");
    j = set_checked(&t, &t.st, cjk, "ja", 232, &sp);
    assert_true(sp.nlines >= 2);
    for (int i = 0; i < sp.nlines; i++)
        assert_false(sp.lines[i].hyphenated);
    free(j);
    fo_set_para_free(&sp);
    setter_close(&t);
}

/* Is the break between lines a and b (texts) one a URL allows: after
 * / . - _ ? & = # , ; | \ or before @ or a hyphen? */
static int url_break_ok(const char *a, const char *b)
{
    char last = a[strlen(a) - 1];
    return strchr("/\\.-_?&=#,;|", last) || b[0] == '@' || b[0] == '-';
}

/* URLs, e-mail addresses, paths and settings break at their separators,
 * with no hyphen added, and the lines join back into the very string. */
static void test_urls(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    static const char *const texts[] = {
        "https://www.example.org/projects/folio/documentation/reference/"
        "line-breaking/index.html?section=urls&lang=en#long-fragment-id",
        "someone.with.a.rather.long.name@departement-informatique.example.org",
        "/usr/share/doc/folio/examples/nam-dinh-booklet/images/rice.jpg",
        "METHOD={separate(default),prepend,append,both,neither,either}",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        for (double w = 90; w <= 232; w += 71) {
            fo_set_para sp;
            char *j = set_checked(&t, &t.st, texts[k], NULL, w, &sp);
            assert_true(sp.nlines >= 2);
            for (int i = 0; i < sp.nlines; i++) {
                assert_false(sp.lines[i].hyphenated);
                if (i + 1 == sp.nlines)
                    continue;
                char *a = line_text(&sp.lines[i]);
                char *b = line_text(&sp.lines[i + 1]);
                /* METHOD={…} has no separator within "separate(default)"
                 * at 90 pt: a grapheme break, still without a hyphen. */
                if (k != 3 && !url_break_ok(a, b))
                    fail_msg("'%s' | '%s' at %g pt", a, b, w);
                assert_true(a[strlen(a) - 1] != '-');
                free(a);
                free(b);
            }
            free(j);
            fo_set_para_free(&sp);
        }
    }
    setter_close(&t);
}

/* A word too long for the measure takes the dictionary's hyphenation
 * points even when the style does not hyphenate. */
static void test_long_word_dictionary(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    fo_style st = t.st;
    st.hyphenate = 0;
    fo_set_para sp;
    char *j = set_checked(&t, &st, "incomprehensibilities", NULL, 60, &sp);
    assert_true(sp.nlines >= 2);
    /* en_US: in-com-pre-hen-si-bil-i-ties */
    const char *ok[] = {"in",
                        "incom",
                        "incompre",
                        "incomprehen",
                        "incomprehensi",
                        "incomprehensibil",
                        "incomprehensibili"};
    char *first = line_text(&sp.lines[0]);
    int found = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        found |= strcmp(first, ok[i]) == 0;
    if (!found)
        fail_msg("'%s' is not a dictionary point (%s)", first, j);
    assert_true(sp.lines[0].hyphenated);
    free(first);
    free(j);
    fo_set_para_free(&sp);
    setter_close(&t);
}

/* The natural advances of the lines of sp: the same lines set again
 * unjustified. */
static void natural_lines(setter *t, const fo_style *st, const char *text,
                          double width, fo_set_para *out)
{
    fo_rich r = plain(text, NULL);
    fo_diags d;
    fo_diags_init(&d);
    fo_set_para sp;
    fo_para_break *br = NULL;
    assert_int_equal(fo_para_measure(t->s.fonts, t->doc, &r, st, t->s.tmpl[1],
                                     "en", t->hy, width, &d, &sp, &br),
                     FO_OK);
    for (int i = 0; i < sp.nlines; i++)
        br[i].justify = 0;
    assert_int_equal(fo_para_set_again(t->s.fonts, t->doc, &r, st, t->s.tmpl[1],
                                       "en", width, br, sp.nlines, &d, out),
                     FO_OK);
    fo_set_para_free(&sp);
    free(br);
    fo_diags_free(&d);
}

/* In every pass (wide measures: the first; narrow ones: the final,
 * emergency pass) no gap between two letters of a justified line grows by
 * more than size · letter-stretch: the spaces take the rest, or the line
 * stays short. */
static void test_letterspacing_bounded(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    fo_style st = t.st;
    assert_true(st.align == FO_ALIGN_JUSTIFY);
    assert_true(st.letter_stretch > 0);
    double lim = st.size * st.letter_stretch + 1e-6;
    const char *text =
        "Un argument «\u00a0incontestable\u00a0» : l'administration "
        "départementale reconnaît systématiquement ses responsabilités "
        "environnementales, et les établissements internationaux suivent.";
    int checked = 0;
    for (double w = 50; w <= 260; w += 6) {
        fo_set_para sp, nat;
        char *j = set_checked(&t, &st, text, NULL, w, &sp);
        natural_lines(&t, &st, text, w, &nat);
        assert_int_equal(nat.nlines, sp.nlines);
        for (int i = 0; i < sp.nlines; i++) {
            const fo_set_line *a = &sp.lines[i], *b = &nat.lines[i];
            assert_true(fabs(a->letter_ratio) <= 1 + 1e-9);
            assert_int_equal(a->nruns, b->nruns);
            for (int r = 0; r < a->nruns; r++) {
                const fo_set_run *ra = &a->runs[r], *rb = &b->runs[r];
                assert_int_equal(ra->n, rb->n);
                for (int g = 0; g < ra->n; g++) {
                    const char *ch = ra->text + ra->glyphs[g].cluster;
                    if (g_unichar_isspace(g_utf8_get_char(ch)))
                        continue; /* a word space, or a no-break one */
                    double dw =
                        ra->glyphs[g].x_advance - rb->glyphs[g].x_advance;
                    if (dw > lim)
                        fail_msg("'%.*s' letterspaced by %.3f pt > %.3f at "
                                 "%g pt (%s)",
                                 (int)ra->text_len, ra->text, dw, lim, w, j);
                    checked++;
                }
            }
        }
        free(j);
        fo_set_para_free(&sp);
        fo_set_para_free(&nat);
    }
    assert_true(checked > 1000);
    setter_close(&t);
}

/* Character boundaries of ICU's line break iterator over text (UTF-8),
 * as a 0/1 array of nchars + 1 entries (free it). */
static unsigned char *icu_boundaries(const char *text, const char *lang,
                                     int nchars)
{
    UErrorCode err = U_ZERO_ERROR;
    UChar u[4096];
    int32_t ulen = 0;
    u_strFromUTF8(u, 4096, &ulen, text, -1, &err);
    assert_true(U_SUCCESS(err));
    UBreakIterator *bi = ubrk_open(UBRK_LINE, lang, u, ulen, &err);
    assert_true(U_SUCCESS(err));
    unsigned char *at = calloc((size_t)nchars + 1, 1);
    for (int32_t b = ubrk_first(bi); b != UBRK_DONE; b = ubrk_next(bi)) {
        int c = 0; /* UTF-16 offset → character */
        for (int32_t i = 0; i < b; i++, c++)
            if (U16_IS_LEAD(u[i]))
                i++;
        at[c] = 1;
    }
    ubrk_close(bi);
    return at;
}

static const struct {
    const char *lang, *text;
} sa_texts[] = {
    {"km", "ភាសាខ្មែរគឺជាភាសាដ៏ស្រស់ស្អាតដែលប្រជាជនកម្ពុជាប្រើប្រាស់"
           "ជាភាសាផ្លូវការរបស់ប្រទេសហើយវាមានអក្សរផ្ទាល់ខ្លួន"},
    {"lo", "ພາສາລາວເປັນພາສາທີ່ສວຍງາມທີ່ປະຊາຊົນລາວໃຊ້ເປັນພາສາທາງການຂອງ"
           "ປະເທດແລະມີຕົວອັກສອນຂອງຕົນເອງທີ່ມີປະຫວັດຍາວນານ"},
    {"th", "ภาษาไทยเป็นภาษาที่สวยงามและมีประวัติศาสตร์อันยาวนาน"},
    {"my", "မြန်မာဘာသာစကားသည်လှပသည်မြန်မာနိုင်ငံ၏ရုံးသုံးဘာသာစကားဖြစ်သည်"},
};

/* Without zero-width spaces, Lao, Khmer, Thai and Burmese get ICU's
 * dictionary boundaries as their breaks (Pango alone has none inside
 * Lao, Khmer and Burmese words). */
static void test_dictionary_breaks(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof sa_texts / sizeof sa_texts[0]; k++) {
        const char *text = sa_texts[k].text;
        int len = (int)strlen(text);
        int n = (int)g_utf8_strlen(text, len);
        PangoLogAttr *a = calloc((size_t)n + 1, sizeof *a);
        pango_get_log_attrs(text, len, -1,
                            pango_language_from_string(sa_texts[k].lang), a,
                            n + 1);
        int pango = 0, ours = 0;
        for (int c = 1; c < n; c++)
            pango += a[c].is_line_break;
        fo_para_dictionary_breaks(text, len, sa_texts[k].lang, a, n);
        unsigned char *icu = icu_boundaries(text, sa_texts[k].lang, n);
        for (int c = 1; c < n; c++) {
            if (a[c].is_line_break != icu[c])
                fail_msg("%s: character %d: ours %d, ICU %d", sa_texts[k].lang,
                         c, a[c].is_line_break, icu[c]);
            ours += a[c].is_line_break;
        }
        assert_true(ours >= 4);
        if (strcmp(sa_texts[k].lang, "th") != 0)
            assert_int_equal(pango, 0); /* why ICU is needed */
        free(icu);
        free(a);
    }
}

/* Khmer and Lao set in a narrow column: every line ends at an ICU word
 * boundary, with no hyphen. (The fonts have no Thai or Burmese.) */
static void test_khmer_lao_lines(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    for (size_t k = 0; k < 2; k++) {
        const char *text = sa_texts[k].text;
        int n = (int)g_utf8_strlen(text, -1);
        unsigned char *icu = icu_boundaries(text, sa_texts[k].lang, n);
        fo_set_para sp;
        char *j = set_checked(&t, &t.st, text, sa_texts[k].lang, 120, &sp);
        assert_true(sp.nlines >= 3);
        for (int i = 0; i + 1 < sp.nlines; i++) {
            const fo_set_run *last = &sp.lines[i].runs[sp.lines[i].nruns - 1];
            const char *end = last->text + last->text_len;
            int c = (int)g_utf8_strlen(text, end - text);
            if (!icu[c])
                fail_msg("%s: line %d ends inside a word (%s)",
                         sa_texts[k].lang, i + 1, j);
            assert_false(sp.lines[i].hyphenated);
        }
        free(icu);
        free(j);
        fo_set_para_free(&sp);
    }
    setter_close(&t);
}

/* A glyph wider than the measure cannot be broken: an error at the
 * block, naming the measure, and no lines. */
static void test_glyph_wider_than_measure(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    fo_style st = t.st;
    st.size = 400;
    st.leading = 480;
    fo_rich r = plain("W", NULL);
    fo_diags d;
    fo_diags_init(&d);
    fo_set_para sp;
    assert_int_equal(fo_para_set(t.s.fonts, t.doc, &r, &st, t.s.tmpl[1], "en",
                                 t.hy, 232, &d, &sp),
                     FO_ERR_INPUT);
    assert_int_equal(d.errors, 1);
    assert_int_equal(sp.nlines, 0);
    assert_non_null(
        strstr(d.items[0].message, "does not fit the 232 pt measure"));
    fo_diags_free(&d);
    setter_close(&t);
}

/* The keep budget: a keep fits whole or is refused, what is given back can
 * be taken again, and no sequence of keeps holds more than the cap. */
static void test_para_keep_budget(void **state)
{
    (void)state;
    fo_para_keep k = {.cap = 100};
    assert_int_equal(fo_para_keep_take(&k, 60), 1);
    assert_int_equal(fo_para_keep_take(&k, 41), 0); /* 101 > 100 */
    assert_int_equal(k.used, 60);
    assert_int_equal(fo_para_keep_take(&k, 40), 1); /* exactly full */
    assert_int_equal(fo_para_keep_take(&k, 1), 0);
    fo_para_keep_give(&k, 60);
    assert_int_equal(k.used, 40);
    assert_int_equal(fo_para_keep_take(&k, 60), 1);
    assert_int_equal(k.peak, 100);
    assert_int_equal(k.kept, 3);
    assert_int_equal(k.refused, 2);
    /* sizes near SIZE_MAX must not wrap around the check */
    assert_int_equal(fo_para_keep_take(&k, (size_t)-1), 0);
    assert_int_equal(fo_para_keep_take(&k, (size_t)-1 - 50), 0);
    assert_int_equal(k.used, 100);
    fo_para_keep none = {0};
    assert_int_equal(fo_para_keep_take(&none, 1), 0);
    assert_int_equal(fo_para_keep_take(&none, 0), 1); /* an empty para */
}

/* The whole dump of doc (fonts and every page). Free with free(). */
static char *doc_dump(const fo_dl_doc *doc)
{
    fo_buf b;
    fo_buf_init(&b, 256u << 20);
    assert_int_equal(fo_dl_dump(doc, &b), FO_OK);
    return b.data ? b.data : fo_xstrdup("");
}

/* Every edition of the sample laid out with no set lines kept (every
 * paragraph set again when drawn), with a budget that keeps only some,
 * and with the default one gives the same document, font table included:
 * keeping lines changes what is shaped, never what is drawn. */
static void test_keep_budget_same_pages(void **state)
{
    (void)state;
    sample s;
    sample_load(&s, "nam-dinh");
    size_t saved = fo_flow_keep_cap;
    for (int e = 0; e < s.pub->neditions; e++) {
        char *dumps[3];
        const size_t caps[3] = {0, 48u << 10, saved};
        for (int k = 0; k < 3; k++) {
            fo_flow_keep_cap = caps[k];
            fo_diags d;
            fo_diags_init(&d);
            fo_dl_doc *doc = NULL;
            assert_int_equal(fo_typeset(s.pub, e, s.tmpl[e], s.fonts, &d, &doc),
                             FO_OK);
            dumps[k] = doc_dump(doc);
            fo_dl_doc_free(doc);
            fo_diags_free(&d);
        }
        assert_true(strlen(dumps[0]) > 10000);
        assert_string_equal(dumps[0], dumps[1]);
        assert_string_equal(dumps[0], dumps[2]);
        for (int k = 0; k < 3; k++)
            free(dumps[k]);
    }
    fo_flow_keep_cap = saved;
    sample_free(&s);
}

/* Two set paragraphs are the same, down to the bits of every double: the
 * kept lines the flow draws must be exactly those a second setting would
 * give. Texts are compared by offset into their paragraph. */
static void assert_same_para(const fo_set_para *a, const char *abase,
                             const fo_set_para *b, const char *bbase)
{
    assert_int_equal(a->nlines, b->nlines);
    for (int i = 0; i < a->nlines; i++) {
        const fo_set_line *x = &a->lines[i], *y = &b->lines[i];
        assert_memory_equal(&x->width, &y->width, sizeof x->width);
        assert_memory_equal(&x->natural, &y->natural, sizeof x->natural);
        assert_memory_equal(&x->ratio, &y->ratio, sizeof x->ratio);
        assert_memory_equal(&x->letter_ratio, &y->letter_ratio,
                            sizeof x->letter_ratio);
        assert_int_equal(x->hyphenated, y->hyphenated);
        assert_int_equal(x->nruns, y->nruns);
        for (int r = 0; r < x->nruns; r++) {
            const fo_set_run *p = &x->runs[r], *q = &y->runs[r];
            assert_int_equal(p->dl_font, q->dl_font);
            assert_memory_equal(&p->size, &q->size, sizeof p->size);
            assert_memory_equal(&p->x, &q->x, sizeof p->x);
            assert_memory_equal(&p->rise, &q->rise, sizeof p->rise);
            assert_int_equal(p->text - abase, q->text - bbase);
            assert_int_equal(p->text_len, q->text_len);
            assert_ptr_equal(p->href, q->href);
            assert_ptr_equal(p->lang, q->lang);
            assert_int_equal(p->hyphen, q->hyphen);
            assert_int_equal(p->has_color, q->has_color);
            assert_int_equal(p->underline, q->underline);
            assert_int_equal(p->n, q->n);
            for (int g = 0; g < p->n; g++) {
                const fo_dl_glyph *m = &p->glyphs[g], *n = &q->glyphs[g];
                assert_int_equal(m->gid, n->gid);
                assert_int_equal(m->cluster, n->cluster);
                assert_memory_equal(&m->x_advance, &n->x_advance,
                                    sizeof m->x_advance);
                assert_memory_equal(&m->x_offset, &n->x_offset,
                                    sizeof m->x_offset);
                assert_memory_equal(&m->y_offset, &n->y_offset,
                                    sizeof m->y_offset);
            }
        }
    }
}

/* The lines fo_para_measure sets are exactly those fo_para_set_again
 * sets from its breaks: the flow draws the first while they fit its keep
 * budget and the second past it, and either must give the same page.
 * Hyphenated English, Vietnamese with marks, a URL broken at its
 * punctuation, a forced line break, bold and links across lines, capitals
 * (the text is rewritten), at measures from narrow (emergency breaks) to
 * wide. */
static void test_measure_equals_set_again(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    static const char *const texts[] = {
        "Nam Dinh's administrative reorganisation encouraged "
        "internationally recognised establishments to reconsider their "
        "responsibilities, notwithstanding difficulties.",
        "Nam Định là một tỉnh ven biển thuộc vùng đồng bằng sông Hồng, "
        "nổi tiếng với nghề dệt truyền thống và những lễ hội đặc sắc.",
        "See https://example.com/nam-dinh/festival_2024/programme.html "
        "for the programme\u2028and the map.",
    };
    static const fo_span bold[] = {
        {10, 40, FO_SPAN_BOLD, NULL},
        {60, 90, FO_SPAN_LINK, "https://example.com"},
    };
    int compared = 0;
    for (size_t ti = 0; ti < sizeof texts / sizeof texts[0]; ti++) {
        for (int upper = 0; upper < 2; upper++) {
            for (double w = 40; w <= 400; w += 45) {
                fo_rich r = plain(texts[ti], NULL);
                if (ti == 0) {
                    r.spans = bold;
                    r.nspans = 2;
                }
                fo_style st = t.st;
                st.uppercase = upper && ti != 0;
                fo_diags d;
                fo_diags_init(&d);
                fo_set_para a, b;
                fo_para_break *brk = NULL;
                assert_int_equal(fo_para_measure(t.s.fonts, t.doc, &r, &st,
                                                 t.s.tmpl[1], "en", t.hy, w, &d,
                                                 &a, &brk),
                                 FO_OK);
                assert_int_equal(fo_para_set_again(t.s.fonts, t.doc, &r, &st,
                                                   t.s.tmpl[1], "en", w, brk,
                                                   a.nlines, &d, &b),
                                 FO_OK);
                assert_int_equal(d.errors, 0);
                assert_same_para(&a, a.owned_text ? a.owned_text : r.text, &b,
                                 b.owned_text ? b.owned_text : r.text);
                compared += a.nlines;
                /* packed while it waits, and unpacked to the bit */
                size_t set_bytes = fo_set_para_bytes(&a);
                fo_packed_para pk;
                fo_set_para_pack(&a, r.text, &pk);
                assert_null(a.lines);
                assert_true(fo_packed_para_bytes(&pk) * 3 < set_bytes);
                fo_packed_para_unpack(&pk, r.text, &a);
                assert_null(pk.data);
                assert_same_para(&a, a.owned_text ? a.owned_text : r.text, &b,
                                 b.owned_text ? b.owned_text : r.text);
                free(brk);
                fo_set_para_free(&a);
                fo_set_para_free(&b);
                fo_diags_free(&d);
            }
        }
    }
    assert_true(compared > 100);
    setter_close(&t);
}

/* Values the setter rarely makes pack and unpack to the bit too: -0.0,
 * advances that are not whole Pango units, large offsets, glyph ids past
 * 16 bits, clusters that go back (right-to-left runs), a run with no
 * glyph, colour, link and language. */
static void test_pack_unusual(void **state)
{
    (void)state;
    static const char text[] = "abcdefghij";
    static const char *const href = "https://example.com";
    static const char *const lang = "km";
    fo_dl_glyph g[] = {
        {0x1F600u, -0.0, 1e300, -3.5, 9},
        {7, 1.0 / 3.0, 0, 1.0 / 1024, 4},
        {70000, 5000.0 / 1024, -0.0, 0, 4},
        {1, -12.25, 2.0 / 1024, -1e-9, 0},
    };
    fo_set_run runs[2] = {{0}};
    runs[0].dl_font = 3;
    runs[0].size = 10.5;
    runs[0].x = -0.0;
    runs[0].n = 4;
    runs[0].glyphs = malloc(sizeof g);
    memcpy(runs[0].glyphs, g, sizeof g);
    runs[0].text = text;
    runs[0].text_len = 10;
    runs[0].href = href;
    runs[0].rise = 3.3;
    runs[0].hyphen = 1;
    runs[0].has_color = 1;
    runs[0].color = (fo_color){0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1};
    runs[0].underline = 1;
    runs[0].lang = lang;
    runs[1].dl_font = 0;
    runs[1].glyphs = calloc(1, sizeof *runs[1].glyphs);
    runs[1].text = text + 10;
    fo_set_para a = {0};
    a.nlines = 2;
    a.lines = calloc(2, sizeof *a.lines);
    a.lines[0] = (fo_set_line){
        malloc(sizeof runs), 2, 100.25, 99.0 / 7, -0.5, 1.0 / 3, 1};
    memcpy(a.lines[0].runs, runs, sizeof runs);
    /* the expected paragraph keeps glyphs of its own: packing frees a's */
    fo_dl_glyph none = {0};
    runs[0].glyphs = g;
    runs[1].glyphs = &none;
    fo_packed_para pk;
    fo_set_para_pack(&a, text, &pk);
    fo_set_para b;
    fo_packed_para_unpack(&pk, text, &b);
    fo_set_para want = {0};
    want.nlines = 2;
    fo_set_line lines[2] = {{runs, 2, 100.25, 99.0 / 7, -0.5, 1.0 / 3, 1}, {0}};
    want.lines = lines;
    assert_same_para(&b, text, &want, text);
    assert_memory_equal(&b.lines[0].runs[0].color, &runs[0].color,
                        sizeof runs[0].color);
    fo_set_para_free(&b);
}

/* fo_style_baseline with a metrics cache gives exactly what Pango gives
 * without one, answers a second ask from the cache, and holds at most
 * FO_METRICS_SLOTS fonts (the oldest is asked of Pango again). */
static void test_metrics_cache(void **state)
{
    (void)state;
    setter t;
    setter_open(&t);
    fo_metrics_cache mc = {0};
    fo_style st = t.st;
    double plain_base = fo_style_baseline(t.s.fonts, NULL, &st);
    double first = fo_style_baseline(t.s.fonts, &mc, &st);
    double again = fo_style_baseline(t.s.fonts, &mc, &st);
    assert_memory_equal(&plain_base, &first, sizeof first);
    assert_memory_equal(&plain_base, &again, sizeof again);
    assert_int_equal(mc.misses, 1);
    assert_int_equal(mc.hits, 1);
    /* another weight is another font */
    fo_style bold = st;
    bold.bold = !st.bold;
    double bb = fo_style_baseline(t.s.fonts, &mc, &bold);
    double bb_plain = fo_style_baseline(t.s.fonts, NULL, &bold);
    assert_memory_equal(&bb, &bb_plain, sizeof bb);
    assert_int_equal(mc.misses, 2);
    /* FO_METRICS_SLOTS more sizes push the body style out */
    for (int i = 0; i < FO_METRICS_SLOTS; i++) {
        fo_style s2 = st;
        s2.size = 20 + i;
        double v = fo_style_baseline(t.s.fonts, &mc, &s2);
        double w = fo_style_baseline(t.s.fonts, NULL, &s2);
        assert_memory_equal(&v, &w, sizeof v);
    }
    assert_int_equal(mc.misses, 2 + FO_METRICS_SLOTS);
    long hits = mc.hits;
    (void)fo_style_baseline(t.s.fonts, &mc, &st);
    assert_int_equal(mc.misses, 3 + FO_METRICS_SLOTS);
    assert_int_equal(mc.hits, hits);
    setter_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_nam_dinh),
        cmocka_unit_test(test_stream_booklet),
        cmocka_unit_test(test_stream_brochure),
        cmocka_unit_test(test_stream_sink_error),
        cmocka_unit_test(test_unbreakable_run),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_long_word_dictionary),
        cmocka_unit_test(test_letterspacing_bounded),
        cmocka_unit_test(test_dictionary_breaks),
        cmocka_unit_test(test_khmer_lao_lines),
        cmocka_unit_test(test_glyph_wider_than_measure),
        cmocka_unit_test(test_balance),
        cmocka_unit_test(test_facts_ink),
        cmocka_unit_test(test_block_spacing),
        cmocka_unit_test(test_para_keep_budget),
        cmocka_unit_test(test_measure_equals_set_again),
        cmocka_unit_test(test_metrics_cache),
        cmocka_unit_test(test_pack_unusual),
        cmocka_unit_test(test_keep_budget_same_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
