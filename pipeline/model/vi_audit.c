/* vi_audit — the Vietnamese text audit (vi_audit.h).
 *
 * It reads the source files again, not the model's texts: the model holds
 * each text after markup and NFC, so neither the form the text was typed
 * in nor the column of a word inside it is left there. The node tree
 * (source/) says which scalars are Vietnamese; the raw bytes of the file
 * between a scalar's first character and the next node are scanned, so
 * that every finding has the line and column an editor shows.
 *
 * The tone placement rule (fo_vi_tone_of) is the orthography's, not a word
 * list: a syllable is an initial consonant, a vowel nucleus and a final
 * consonant (c, ch, m, n, ng, nh, p, t or none); only an open syllable
 * whose nucleus is oa, oe or uy has two accepted places for its tone mark
 * (old: on o/u, new: on a/e/y). With a final consonant (hoàng, thuyết)
 * both styles mark the same vowel, and qu, gi are initials (quý, già). */
#include "model/vi_audit.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_private.h"

/* The five tone marks as combining characters: grave (huyền), acute
 * (sắc), tilde (ngã), hook above (hỏi), dot below (nặng). */
static bool is_tone_mark(gunichar c)
{
    return c == 0x300 || c == 0x301 || c == 0x303 || c == 0x309 || c == 0x323;
}

/* Splits c into its letter without the tone mark (ê for ế) and the mark
 * (0 when none). */
static gunichar split_tone(gunichar c, gunichar *tone)
{
    gunichar nfd[8];
    gsize n = g_unichar_fully_decompose(c, FALSE, nfd, 8);
    gunichar base = nfd[0];
    *tone = 0;
    for (gsize i = 1; i < n; i++) {
        if (is_tone_mark(nfd[i])) {
            *tone = nfd[i];
            continue;
        }
        gunichar comp;
        if (g_unichar_compose(base, nfd[i], &comp))
            base = comp;
    }
    return base;
}

static bool is_vowel(gunichar c)
{
    return c && g_utf8_strchr("aăâeêioôơuưy", -1, c) != NULL;
}

/* How many of b[0..n) an initial consonant takes (b lower case, toneless). */
static int initial_len(const gunichar *b, int n)
{
    static const char *const two_three[] = {"ngh", "ng", "gh", "nh", "ch",
                                            "kh",  "ph", "th", "tr", NULL};
    for (int k = 0; two_three[k]; k++) {
        int len = (int)strlen(two_three[k]), i = 0;
        while (i < len && i < n && b[i] == (gunichar)two_three[k][i])
            i++;
        if (i == len)
            return len;
    }
    /* qu is one consonant; gi is one before a vowel (già, giờ), and g
     * before i alone (gì) */
    if (n >= 2 && b[0] == 'q' && b[1] == 'u')
        return 2;
    if (n >= 3 && b[0] == 'g' && b[1] == 'i' && is_vowel(b[2]))
        return 2;
    if (n >= 1 && b[0] && g_utf8_strchr("bcdđghklmnpqrstvx", -1, b[0]))
        return 1;
    return 0;
}

static bool is_final(const gunichar *b, int n)
{
    static const char *const finals[] = {"c",  "ch", "m", "n", "ng",
                                         "nh", "p",  "t", NULL};
    if (n == 0)
        return true;
    for (int k = 0; finals[k]; k++) {
        int len = (int)strlen(finals[k]), i = 0;
        while (i < len && i < n && b[i] == (gunichar)finals[k][i])
            i++;
        if (i == len && len == n)
            return true;
    }
    return false;
}

int fo_vi_tone_of(const char *word, char **other)
{
    *other = NULL;
    glong n = 0;
    gunichar *w = g_utf8_to_ucs4_fast(word, -1, &n);
    int style = 0;
    if (n < 2 || n > 16)
        goto out;
    gunichar b[16], t[16];
    int toned = -1, ntones = 0;
    for (int i = 0; i < n; i++) {
        b[i] = split_tone(w[i], &t[i]);
        if (t[i]) {
            toned = i;
            ntones++;
        }
    }
    if (ntones != 1)
        goto out;
    int v = initial_len(b, (int)n), v_end = v;
    while (v_end < n && is_vowel(b[v_end]))
        v_end++;
    if (v_end - v != 2 || !is_final(b + v_end, (int)n - v_end) || v_end != n)
        goto out;
    bool pair = (b[v] == 'o' && (b[v + 1] == 'a' || b[v + 1] == 'e')) ||
                (b[v] == 'u' && b[v + 1] == 'y');
    if (!pair || (toned != v && toned != v + 1))
        goto out;
    style = toned == v ? FO_VI_TONE_OLD : FO_VI_TONE_NEW;
    int to = toned == v ? v + 1 : v;
    GString *s = g_string_new(NULL);
    for (int i = 0; i < n; i++) {
        gunichar c = b[i];
        if (i == to)
            (void)g_unichar_compose(b[i], t[toned], &c);
        g_string_append_unichar(s, c);
    }
    *other = g_string_free(s, FALSE);
out:
    g_free(w);
    return style;
}

/* ---- the walk ---------------------------------------------------------- */

enum { MAX_FILES = 4096, MAX_PLACES = 8 };

/* A word whose tone placement is one of the two styles, where it is. */
typedef struct tone_word {
    char *form, *other; /* lower case, NFC; g_free'd */
    int style;
    fo_pos pos;
} tone_word;

typedef struct audit {
    const fo_pub *pub;
    fo_diags *d;
    const char *vi;         /* the Vietnamese edition's tag */
    char *names[MAX_FILES]; /* the display names positions borrow */
    char *reals[MAX_FILES]; /* the files read, each audited once */
    int nfiles;
    tone_word *words;
    size_t nwords, cap;
    int composed, decomposed;
    fo_pos first_composed, first_decomposed;
} audit;

/* A node of one file in document order, and whether it is Vietnamese. */
typedef struct item {
    const fo_node *n;
    bool vi;
} item;

typedef struct walk {
    item *items;
    size_t n, cap;
    const fo_node **includes; /* include values, Vietnamese or not */
    bool *include_vi;
    size_t nincl, incl_cap;
} walk;

static void push_item(walk *w, const fo_node *n, bool vi)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->items = fo_xrealloc(w->items, w->cap * sizeof *w->items);
    }
    w->items[w->n++] = (item){n, vi};
}

static bool is_edition(const audit *A, const char *s)
{
    for (int e = 0; e < A->pub->neditions; e++)
        if (strcmp(A->pub->editions[e], s) == 0)
            return true;
    return false;
}

static bool is_vi_tag(const char *s)
{
    return strcmp(s, "vi") == 0 || strncmp(s, "vi-", 3) == 0;
}

/* Lists the nodes under n in document order; vi: whether a scalar here is
 * Vietnamese text. */
static void collect(audit *A, walk *w, const fo_node *n, bool vi)
{
    if (n->kind == FO_NODE_SCALAR) {
        push_item(w, n, vi);
        return;
    }
    push_item(w, n, false);
    if (n->kind == FO_NODE_SEQ) {
        for (int i = 0; i < n->n; i++)
            collect(A, w, n->items[i], vi);
        return;
    }
    /* `lang: X` marks the mapping's text as language X */
    const fo_node *lang = fo_node_get(n, "lang");
    bool here = vi;
    if (lang && lang->kind == FO_NODE_SCALAR)
        here = is_vi_tag(lang->str);
    for (int i = 0; i < n->n; i++) {
        const fo_node *k = n->pairs[i].key, *v = n->pairs[i].value;
        push_item(w, k, false);
        bool under = here;
        if (k->kind == FO_NODE_SCALAR && is_edition(A, k->str))
            under = is_vi_tag(k->str);
        if (fo_node_is(k, "include") && v->kind == FO_NODE_SCALAR) {
            if (w->nincl == w->incl_cap) {
                w->incl_cap = w->incl_cap ? 2 * w->incl_cap : 16;
                w->includes = fo_xrealloc(
                    w->includes, w->incl_cap * sizeof(const fo_node *));
                w->include_vi = fo_xrealloc(
                    w->include_vi, w->incl_cap * sizeof *w->include_vi);
            }
            w->includes[w->nincl] = v;
            w->include_vi[w->nincl++] = here;
        }
        collect(A, w, v, under && !fo_node_is(k, "lang"));
    }
}

/* Byte offset of pos (1-based line, column in characters) in raw. */
static size_t offset_of(const char *raw, size_t len, const size_t *lines,
                        int nlines, fo_pos pos)
{
    if (pos.line < 1 || pos.line > nlines)
        return len;
    size_t o = lines[pos.line - 1];
    for (int c = 1; c < pos.col && o < len && raw[o] != '\n'; c++)
        o = (size_t)(g_utf8_next_char(raw + o) - raw);
    return o;
}

static void add_word(audit *A, char *form, char *other, int style, fo_pos pos)
{
    if (A->nwords == A->cap) {
        A->cap = A->cap ? 2 * A->cap : 64;
        A->words = fo_xrealloc(A->words, A->cap * sizeof *A->words);
    }
    A->words[A->nwords++] = (tone_word){form, other, style, pos};
}

static const fo_where *where_of(const audit *A, const char *rule)
{
    static fo_where w;
    w = (fo_where){.rule = rule, .edition = A->vi};
    return &w;
}

static bool in_word(gunichar c)
{
    GUnicodeType t = g_unichar_type(c);
    return g_unichar_isalpha(c) || t == G_UNICODE_NON_SPACING_MARK ||
           t == G_UNICODE_SPACING_MARK;
}

/* The word s[0..n) that starts at pos: look-alike letters and its tone
 * placement. */
static void audit_word(audit *A, const char *s, size_t n, fo_pos pos)
{
    bool latin = false;
    const char *odd = NULL;
    int odd_col = 0, col = pos.col;
    for (const char *p = s; p < s + n; p = g_utf8_next_char(p), col++) {
        gunichar c = g_utf8_get_char(p);
        GUnicodeScript sc = g_unichar_get_script(c);
        if (sc == G_UNICODE_SCRIPT_LATIN)
            latin = true;
        else if (!odd && (sc == G_UNICODE_SCRIPT_CYRILLIC ||
                          sc == G_UNICODE_SCRIPT_GREEK)) {
            odd = p;
            odd_col = col;
        }
    }
    char *nfc = g_utf8_normalize(s, (gssize)n, G_NORMALIZE_NFC);
    if (!nfc)
        return;
    if (latin && odd) {
        gunichar c = g_utf8_get_char(odd);
        char ch[8] = {0};
        (void)g_unichar_to_utf8(c, ch);
        fo_pos at = {pos.file, pos.line, odd_col};
        fo_diag_add_where(
            A->d, FO_SEV_WARNING, at, where_of(A, "vi-lookalike"),
            "'%s' (U+%04X, %s) inside the word '%s', whose other letters "
            "are Latin: a look-alike typed by mistake?",
            ch, (unsigned)c,
            g_unichar_get_script(c) == G_UNICODE_SCRIPT_CYRILLIC ? "Cyrillic"
                                                                 : "Greek",
            nfc);
    }
    char *lower = g_utf8_strdown(nfc, -1);
    char *other = NULL;
    int style = fo_vi_tone_of(lower, &other);
    if (style)
        add_word(A, lower, other, style, pos);
    else
        g_free(lower);
    g_free(nfc);
}

/* The line segment s[0..n) at pos: NFC, composed and decomposed marks,
 * and its words. */
static void audit_segment(audit *A, const char *s, size_t n, fo_pos pos)
{
    char *nfc = g_utf8_normalize(s, (gssize)n, G_NORMALIZE_NFC);
    bool is_nfc = nfc && strlen(nfc) == n && memcmp(nfc, s, n) == 0;
    g_free(nfc);
    int col = pos.col, first_mark = 0;
    const char *word = NULL;
    fo_pos word_pos = pos;
    for (const char *p = s;; p = g_utf8_next_char(p), col++) {
        gunichar c = p < s + n ? g_utf8_get_char(p) : 0;
        fo_pos at = {pos.file, pos.line, col};
        if (c && is_tone_mark(c)) {
            if (!A->decomposed++)
                A->first_decomposed = at;
            if (!first_mark)
                first_mark = col;
        } else if (c) {
            gunichar tone;
            (void)split_tone(c, &tone);
            if (tone && !A->composed++)
                A->first_composed = at;
        }
        if (c && in_word(c)) {
            if (!word) {
                word = p;
                word_pos = at;
            }
            continue;
        }
        if (word)
            audit_word(A, word, (size_t)(p - word), word_pos);
        word = NULL;
        if (!c)
            break;
    }
    if (!is_nfc) {
        fo_pos at = {pos.file, pos.line, first_mark ? first_mark : pos.col};
        fo_diag_add_where(A->d, FO_SEV_WARNING, at, where_of(A, "vi-nfc"),
                          "this text is not in Unicode NFC (composed) "
                          "form: folio composes it when it reads it, but "
                          "search and spell checkers see it as typed; save "
                          "the file as NFC");
    }
}

/* Scans raw[a..b), the source of scalar n, line by line. */
static void audit_range(audit *A, const char *raw, size_t a, size_t b,
                        const fo_node *n)
{
    fo_pos pos = n->text_pos;
    bool first = true;
    while (a < b) {
        const char *nl = memchr(raw + a, '\n', b - a);
        size_t end = nl ? (size_t)(nl - raw) : b;
        /* a comment line: in a plain scalar wherever it starts, in a
         * block scalar when it is less indented than the text */
        size_t k = a;
        int col = pos.col;
        while (k < end && (raw[k] == ' ' || raw[k] == '\t'))
            k++, col++;
        bool comment = !first && k < end && raw[k] == '#' &&
                       (n->style == FO_SCALAR_PLAIN || col < n->text_pos.col);
        size_t stop = end;
        if (n->style == FO_SCALAR_PLAIN) /* a comment after the text */
            for (size_t j = a; j + 1 < end; j++)
                if ((raw[j] == ' ' || raw[j] == '\t') && raw[j + 1] == '#') {
                    stop = j;
                    break;
                }
        if (!comment && stop > a)
            audit_segment(A, raw + a, stop - a, pos);
        first = false;
        a = end + 1;
        pos.line++;
        pos.col = 1;
    }
}

static void audit_file(audit *A, const char *real, const char *shown, bool vi,
                       int depth);

static void audit_tree(audit *A, const fo_node *root, const char *raw,
                       size_t len, const char *real, const char *shown, bool vi,
                       int depth)
{
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += raw[i] == '\n';
    size_t *lines = fo_xmalloc(nlines * sizeof *lines);
    lines[0] = 0;
    for (size_t i = 0, l = 1; i < len; i++)
        if (raw[i] == '\n')
            lines[l++] = i + 1;
    walk w = {0};
    collect(A, &w, root, vi);
    for (size_t i = 0; i < w.n; i++) {
        if (!w.items[i].vi)
            continue;
        const fo_node *n = w.items[i].n;
        size_t a = offset_of(raw, len, lines, (int)nlines, n->text_pos);
        size_t b = i + 1 < w.n ? offset_of(raw, len, lines, (int)nlines,
                                           w.items[i + 1].n->pos)
                               : len;
        if (a < b)
            audit_range(A, raw, a, b, n);
    }
    char *real_dir = fo_path_dirname(real), *shown_dir = fo_path_dirname(shown);
    for (size_t i = 0; i < w.nincl; i++) {
        char *r = fo_path_join(real_dir, w.includes[i]->str);
        char *s = fo_path_join(shown_dir, w.includes[i]->str);
        audit_file(A, r, s, w.include_vi[i], depth + 1);
        free(r);
        free(s);
    }
    free(real_dir);
    free(shown_dir);
    free(w.items);
    free(w.includes);
    free(w.include_vi);
    free(lines);
}

/* Audits the file at real (shown as shown). The model read it without
 * errors, so a file that cannot be read again is skipped. */
static void audit_file(audit *A, const char *real, const char *shown, bool vi,
                       int depth)
{
    if (depth > 64 || A->nfiles == MAX_FILES)
        return;
    /* a file included twice is audited once: its words count once */
    for (int i = 0; i < A->nfiles; i++)
        if (strcmp(A->reals[i], real) == 0)
            return;
    A->reals[A->nfiles] = fo_xstrdup(real);
    char *name = A->names[A->nfiles++] = fo_xstrdup(shown);
    char *raw = NULL;
    size_t len = 0;
    if (fo_file_read(real, FO_SOURCE_MAX_BYTES, &raw, &len) != FO_OK)
        return;
    fo_arena *arena = fo_arena_new();
    fo_diags quiet;
    fo_diags_init(&quiet);
    fo_node *root = NULL;
    if (fo_source_load_string(raw, len, name, arena, &quiet, &root) == FO_OK)
        audit_tree(A, root, raw, len, real, shown, vi, depth);
    fo_diags_free(&quiet);
    fo_arena_free(arena);
    free(raw);
}

/* ---- the findings ------------------------------------------------------ */

/* "F:L:C, F:L:C and N more" of the words of form (and style). */
static void put_places(const audit *A, GString *b, const char *form)
{
    int n = 0;
    for (size_t i = 0; i < A->nwords; i++) {
        const tone_word *t = &A->words[i];
        if (strcmp(t->form, form) != 0)
            continue;
        if (n < MAX_PLACES)
            g_string_append_printf(b, "%s%s:%d:%d", n ? ", " : "", t->pos.file,
                                   t->pos.line, t->pos.col);
        n++;
    }
    if (n > MAX_PLACES)
        g_string_append_printf(b, " and %d more", n - MAX_PLACES);
}

/* put_places with "at " before them; false (nothing added) for none. */
static bool put_places_if(const audit *A, GString *b, const char *form)
{
    for (size_t i = 0; i < A->nwords; i++)
        if (strcmp(A->words[i].form, form) == 0) {
            g_string_append(b, "at ");
            put_places(A, b, form);
            return true;
        }
    return false;
}

static const char *style_name(int s)
{
    return s == FO_VI_TONE_OLD ? "old" : "new";
}

static void report_tones(audit *A)
{
    int count[3] = {0};
    for (size_t i = 0; i < A->nwords; i++)
        count[A->words[i].style]++;
    int want = A->pub->vi_tone_style;
    if (!want) {
        if (!count[FO_VI_TONE_OLD] || !count[FO_VI_TONE_NEW])
            return;
        /* mixed: the style most words use is the publication's (a tie
         * keeps the new one, the placement of the 1980s spelling rules) */
        want = count[FO_VI_TONE_OLD] > count[FO_VI_TONE_NEW] ? FO_VI_TONE_OLD
                                                             : FO_VI_TONE_NEW;
    }
    for (size_t i = 0; i < A->nwords; i++) {
        const tone_word *t = &A->words[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(A->words[j].form, t->form) == 0;
        if (t->style == want || seen)
            continue;
        GString *b = g_string_new(NULL);
        g_string_append_printf(b, "'%s' (%s style) at ", t->form,
                               style_name(t->style));
        put_places(A, b, t->form);
        g_string_append_printf(b, "; '%s' (%s style) ", t->other,
                               style_name(want));
        if (!put_places_if(A, b, t->other))
            g_string_append(b, "nowhere");
        if (A->pub->vi_tone_style)
            g_string_append_printf(b, ": vi_tone_style is %s",
                                   style_name(want));
        else
            g_string_append_printf(b,
                                   ": tone marks placed both ways (%d words "
                                   "old, %d new); choose one with "
                                   "vi_tone_style: old|new",
                                   count[FO_VI_TONE_OLD],
                                   count[FO_VI_TONE_NEW]);
        fo_diag_add_where(A->d, FO_SEV_WARNING, t->pos, where_of(A, "vi-tone"),
                          "%s", b->str);
        g_string_free(b, TRUE);
    }
}

void fo_vi_audit(const fo_pub *pub, fo_diags *d)
{
    audit A = {.pub = pub, .d = d};
    for (int e = 0; e < pub->neditions && !A.vi; e++)
        if (is_vi_tag(pub->editions[e]))
            A.vi = pub->editions[e];
    if (!A.vi)
        return;
    audit_file(&A, pub->file, pub->file, true, 0);
    if (A.composed && A.decomposed)
        fo_diag_add_where(
            d, FO_SEV_WARNING, A.first_decomposed, where_of(&A, "vi-marks"),
            "tone marks written both ways: %d as a letter and a combining "
            "mark (the first here), %d as one composed letter (the first at "
            "%s:%d:%d)",
            A.decomposed, A.composed, A.first_composed.file,
            A.first_composed.line, A.first_composed.col);
    report_tones(&A);
    for (size_t i = 0; i < A.nwords; i++) {
        g_free(A.words[i].form);
        g_free(A.words[i].other);
    }
    free(A.words);
    for (int i = 0; i < A.nfiles; i++) {
        free(A.names[i]);
        free(A.reals[i]);
    }
}
