/* The paragraph memo (typeset.h fo_para_memo): set paragraphs kept from
 * one layout to the next in a process that lays out the same publication
 * again and again (`watch`), so that a paragraph whose inputs did not
 * change is not shaped and broken again.
 *
 * Shaping and breaking were most of a layout's time in a watch rebuild
 * (fo_para_measure: 17 % of the CPU of a rebuild of the 198-page
 * benchmark edition after a one-paragraph edit, perf), and a one-paragraph
 * edit leaves every other paragraph as it was.
 *
 * The key is every input of fo_para_set that can change between layouts,
 * as bytes compared whole (no hash collision can hand back another
 * paragraph's lines): the text and its spans, the style's every field,
 * the template's character styles, the edition's language, the measure,
 * whether a hyphenation dictionary is there, the hyphenation exceptions
 * and whether the breaks are asked for. What the key leaves out is the font set
 * (its folders) and the hyphenation dictionaries: whoever changes those clears
 * the memo (fo_para_memo_clear; `watch` does when a file other than YAML or an
 * image changed).
 *
 * A hit must leave the document exactly as the shaping would have: the
 * fonts the paragraph's shaping looked up are entered into the display
 * list's font table in the order it looked them up (fo_dl_doc_font adds
 * the ones not there yet, so the table comes out in the same order as in
 * a cold layout), the runs' font numbers are renumbered into that table,
 * and Pango's context is left in the language the shaping set. Kept only
 * are paragraphs whose lines hold no pointer into the publication other
 * than into their own text (no link, no language of their own, not set
 * in capitals) and whose setting reported nothing: a hit reports nothing.
 *
 * The memo holds the paragraphs of the last layouts only: fo_para_memo_sweep
 * drops those the last layout did not ask for, and it never holds more
 * than its byte budget (a paragraph that does not fit is set every time). */
#include "typeset_private.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A font the paragraph's shaping looked up, as the display list names
 * it, and its number in the document it was set in. */
typedef struct memo_font {
    char *file, *name;
    int index, upem;
    int num;
} memo_font;

typedef struct memo_entry {
    unsigned char *key;
    size_t key_len;
    unsigned char *packed; /* fo_packed_para's bytes, fonts as in num */
    size_t packed_len;
    int nlines;
    fo_para_break *breaks; /* NULL unless asked for */
    memo_font *fonts;
    int nfonts;
    PangoLanguage *language; /* interned by Pango: lives as long as it */
    long used;               /* the layout that last asked for it */
    size_t bytes;            /* what the entry holds, for the budget */
} memo_entry;

struct fo_para_memo {
    GHashTable *entries; /* memo_entry * → memo_entry *, by key */
    size_t cap, bytes;
    long layout; /* counts sweeps */
    long hits, misses;
};

static guint entry_hash(gconstpointer p)
{
    const memo_entry *e = p;
    return (guint)fo_hash(FO_HASH_SEED, e->key, e->key_len);
}

static gboolean entry_equal(gconstpointer a, gconstpointer b)
{
    const memo_entry *x = a, *y = b;
    return x->key_len == y->key_len && memcmp(x->key, y->key, x->key_len) == 0;
}

static void entry_free(gpointer p)
{
    memo_entry *e = p;
    if (!e)
        return;
    for (int i = 0; i < e->nfonts; i++) {
        free(e->fonts[i].file);
        free(e->fonts[i].name);
    }
    free(e->fonts);
    free(e->breaks);
    free(e->packed);
    free(e->key);
    free(e);
}

fo_para_memo *fo_para_memo_new(size_t cap_bytes)
{
    fo_para_memo *m = fo_xcalloc(1, sizeof *m);
    m->entries =
        g_hash_table_new_full(entry_hash, entry_equal, NULL, entry_free);
    m->cap = cap_bytes;
    return m;
}

void fo_para_memo_free(fo_para_memo *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->entries);
    free(m);
}

void fo_para_memo_clear(fo_para_memo *m)
{
    g_hash_table_remove_all(m->entries);
    m->bytes = 0;
}

static gboolean stale(gpointer key, gpointer value, gpointer ud)
{
    const fo_para_memo *m = ud;
    const memo_entry *e = value;
    (void)key;
    return e->used != m->layout;
}

void fo_para_memo_sweep(fo_para_memo *m)
{
    g_hash_table_foreach_remove(m->entries, stale, m);
    m->bytes = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, m->entries);
    while (g_hash_table_iter_next(&it, &k, &v))
        m->bytes += ((const memo_entry *)v)->bytes;
    m->layout++;
}

void fo_para_memo_stats(const fo_para_memo *m, long *hits, long *misses)
{
    *hits = m->hits;
    *misses = m->misses;
}

void fo_fonts_set_memo(fo_fonts *f, fo_para_memo *m)
{
    f->memo = m;
}

/* ---- the key ------------------------------------------------------------ */

static void put(fo_buf *b, const void *p, size_t n)
{
    /* no cap (fo_buf_init's 0): the key is as long as the text */
    fo_status st = fo_buf_append(b, p, n);
    assert(st == FO_OK);
    (void)st;
}

static void put_int(fo_buf *b, long long v)
{
    put(b, &v, sizeof v);
}

static void put_num(fo_buf *b, double v)
{
    put(b, &v, sizeof v);
}

/* A string with its length, NULL told apart from "". */
static void put_str(fo_buf *b, const char *s)
{
    put_int(b, s ? (long long)strlen(s) : -1);
    if (s)
        put(b, s, strlen(s));
}

static void put_color(fo_buf *b, const fo_color *c)
{
    const double v[] = {c->c, c->m, c->y, c->k, c->r, c->g, c->b};
    put(b, v, sizeof v);
    put_int(b, c->rgb_only);
}

static void put_char_style(fo_buf *b, const fo_char_style *cs)
{
    const long long v[] = {cs->set_bold, cs->bold,      cs->set_italic,
                           cs->italic,   cs->set_color, cs->underline};
    put(b, v, sizeof v);
    put_color(b, &cs->color);
}

/* Every field of fo_style (template.h). A field added there must be added
 * here, or two styles that differ only in it would share their lines: the
 * assertion below fails on the new size to say so. */
static void put_style(fo_buf *b, const fo_style *st)
{
    _Static_assert(sizeof(fo_style) == 296,
                   "fo_style changed: key its new fields in put_style");
    put_str(b, st->name);
    put_str(b, st->family);
    const long long i[] = {
        st->bold,           st->italic,          st->align,
        st->keep_with_next, st->hyphenate,       st->hyph_left,
        st->hyph_right,     st->max_hyphens,     st->uppercase,
        st->hyph_min_word,  st->hyph_short_word, st->balance};
    put(b, i, sizeof i);
    const double d[] = {st->size,
                        st->leading,
                        st->space_before,
                        st->space_after,
                        st->first_indent,
                        st->shrink,
                        st->stretch,
                        st->tolerance,
                        st->pretolerance,
                        st->line_penalty,
                        st->hyphen_penalty,
                        st->double_hyphen_demerits,
                        st->final_hyphen_demerits,
                        st->adj_demerits,
                        st->letter_spacing,
                        st->letter_stretch,
                        st->letter_shrink,
                        st->underline_position,
                        st->underline_thickness,
                        st->hyph_short_penalty};
    put(b, d, sizeof d);
    put_color(b, &st->color);
}

static void make_key(fo_buf *b, const fo_rich *rich, const fo_style *st,
                     const fo_template *t, const char *lang, const fo_hyph *hy,
                     double width, int with_breaks)
{
    put(b, "folio para memo 1", 17);
    put_str(b, lang);
    put_int(b, hy != NULL);
    put_int(b, with_breaks);
    put_num(b, width);
    put_int(b, (long long)rich->len);
    put(b, rich->text, rich->len);
    put_str(b, rich->lang);
    put_int(b, rich->nspans);
    for (int i = 0; i < rich->nspans; i++) {
        const fo_span *sp = &rich->spans[i];
        put_int(b, sp->start);
        put_int(b, sp->end);
        put_int(b, sp->flags);
        put_str(b, sp->href);
    }
    put_style(b, st);
    put_int(b, t != NULL);
    if (t) {
        put_char_style(b, &t->strong);
        put_char_style(b, &t->emphasis);
        put_char_style(b, &t->link);
        /* The hyphenation exceptions the edition's dictionary was opened
         * with: a publication's `hyphenation:` is YAML, which `watch`
         * reloads without clearing the memo. */
        put_int(b, (long long)t->hyph_words.n);
        for (size_t i = 0; i < t->hyph_words.n; i++)
            put_str(b, t->hyph_words.items[i].word);
    }
}

/* ---- lookups ------------------------------------------------------------ */

/* The hit: the fonts into doc in the shaping's order, the lines unpacked
 * and renumbered into doc's fonts. 0 when a run names a font the entry
 * does not list (not expected: then the paragraph is set again). */
static int replay(fo_fonts *f, fo_dl_doc *doc, const memo_entry *e,
                  const fo_rich *rich, fo_set_para *out, fo_para_break **brk)
{
    int *now = fo_xmalloc(sizeof *now * (size_t)(e->nfonts ? e->nfonts : 1));
    for (int i = 0; i < e->nfonts; i++)
        now[i] = fo_dl_doc_font(doc, e->fonts[i].file, e->fonts[i].index,
                                e->fonts[i].name, e->fonts[i].upem);
    fo_packed_para pk = {fo_xmalloc(e->packed_len ? e->packed_len : 1),
                         e->packed_len, e->nlines, NULL};
    memcpy(pk.data, e->packed, e->packed_len);
    fo_packed_para_unpack(&pk, rich->text, out);
    int ok = 1;
    for (int l = 0; l < out->nlines && ok; l++)
        for (int r = 0; r < out->lines[l].nruns && ok; r++) {
            fo_set_run *run = &out->lines[l].runs[r];
            int k = 0;
            while (k < e->nfonts && e->fonts[k].num != run->dl_font)
                k++;
            ok = k < e->nfonts;
            if (ok)
                run->dl_font = now[k];
        }
    free(now);
    if (!ok) {
        fo_set_para_free(out);
        return 0;
    }
    pango_context_set_language(f->ctx, e->language);
    if (brk) {
        size_t n = (size_t)(e->nlines ? e->nlines : 1);
        *brk = fo_xmalloc(n * sizeof **brk);
        memcpy(*brk, e->breaks, (size_t)e->nlines * sizeof **brk);
    }
    return 1;
}

/* Whether the set paragraph can be kept: its runs point into its own
 * text only, and name only fonts its shaping looked up. */
static int keepable(const fo_fonts *f, const fo_set_para *p)
{
    if (p->owned_text)
        return 0;
    for (int l = 0; l < p->nlines; l++)
        for (int r = 0; r < p->lines[l].nruns; r++) {
            const fo_set_run *run = &p->lines[l].runs[r];
            if (run->href || run->lang)
                return 0;
            size_t k = 0;
            while (k < f->rec_n && f->rec[k] != run->dl_font)
                k++;
            if (k == f->rec_n)
                return 0;
        }
    return 1;
}

/* A new entry for the paragraph just set into *out (left as it was). */
static memo_entry *remember(fo_fonts *f, const fo_dl_doc *doc, fo_buf *key,
                            fo_set_para *out, const fo_para_break *brk,
                            const fo_rich *rich)
{
    memo_entry *e = fo_xcalloc(1, sizeof *e);
    e->key_len = key->len;
    e->key = (unsigned char *)key->data;
    key->data = NULL;
    key->len = key->cap = 0;
    int nlines = out->nlines;
    fo_packed_para pk;
    fo_set_para_pack(out, rich->text, &pk);
    e->packed_len = pk.len;
    e->packed = fo_xmalloc(pk.len ? pk.len : 1);
    memcpy(e->packed, pk.data, pk.len);
    e->nlines = nlines;
    fo_packed_para_unpack(&pk, rich->text, out);
    if (brk) {
        e->breaks = fo_xmalloc((size_t)(nlines ? nlines : 1) * sizeof *brk);
        memcpy(e->breaks, brk, (size_t)nlines * sizeof *brk);
    }
    e->nfonts = (int)f->rec_n;
    e->fonts = fo_xcalloc(f->rec_n ? f->rec_n : 1, sizeof *e->fonts);
    for (size_t i = 0; i < f->rec_n; i++) {
        const fo_dl_font *df = &doc->fonts[f->rec[i]];
        e->fonts[i] = (memo_font){fo_xstrdup(df->file), fo_xstrdup(df->name),
                                  df->index, df->units_per_em, f->rec[i]};
    }
    e->language = pango_context_get_language(f->ctx);
    e->bytes = sizeof *e + e->key_len + e->packed_len +
               (brk ? (size_t)nlines * sizeof *brk : 0) +
               f->rec_n * (sizeof *e->fonts + 64);
    return e;
}

fo_status fo_para_memo_shape(fo_fonts *f, fo_dl_doc *doc, const fo_rich *rich,
                             const fo_style *st, const fo_template *t,
                             const char *lang, fo_hyph *hy, double width,
                             fo_diags *d, fo_set_para *out,
                             fo_para_break **breaks)
{
    fo_para_memo *m = f->memo;
    fo_buf key;
    fo_buf_init(&key, 0);
    make_key(&key, rich, st, t, lang, hy, width, breaks != NULL);
    memo_entry probe = {.key = (unsigned char *)key.data, .key_len = key.len};
    memo_entry *hit = g_hash_table_lookup(m->entries, &probe);
    if (hit && replay(f, doc, hit, rich, out, breaks)) {
        hit->used = m->layout;
        m->hits++;
        fo_buf_free(&key);
        return FO_OK;
    }
    m->misses++;
    size_t ndiags = d->n;
    f->rec_n = 0;
    f->recording = 1;
    fo_status st_set =
        fo_para_shape(f, doc, rich, st, t, lang, hy, width, d, out, breaks);
    f->recording = 0;
    if (st_set == FO_OK && d->n == ndiags && keepable(f, out)) {
        memo_entry *e =
            remember(f, doc, &key, out, breaks ? *breaks : NULL, rich);
        e->used = m->layout;
        if (hit) {
            m->bytes -= hit->bytes;
            g_hash_table_remove(m->entries, hit);
        }
        if (m->bytes + e->bytes <= m->cap) {
            m->bytes += e->bytes;
            g_hash_table_replace(m->entries, e, e);
        } else {
            entry_free(e);
        }
    }
    fo_buf_free(&key);
    return st_set;
}
