/* model — a publication file (and the files it includes) to a fo_pub.
 * Contract: fo_pub_load either returns a publication in which every key was
 * known, every value had the right type, every text exists in every edition
 * and every piece of inline markup parsed — or it returns nothing, having
 * reported every problem it could find, each at the file:line:col of the
 * offending node. It never stops at the first error: a bad section does not
 * hide the next one. Includes are resolved against the including file and
 * must stay inside the project folder (the publication file's folder);
 * cycles, depth, count, total size and total values are bounded, and the
 * size of every file a file includes is counted as soon as that file is
 * read, before any of its texts is parsed. Image paths (figures, the cover,
 * the logo) are resolved the same way and must name an existing .jpg,
 * .jpeg or .png file; what is inside is the layout stage's business.
 * Error messages name their context with one phrase per level: "in the
 * publication", "in a section", "in a block", then the block's own ("in a
 * figure", "in a table column", …). */
#define _XOPEN_SOURCE 700
#include "model/model.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "model/model_private.h"
#include "model/pub_private.h"
#include "model/read.h"
#include "source/source.h"

enum { MAX_INCLUDES = 4096, MAX_TOTAL_BYTES = 64 * 1024 * 1024 };

void *fo_ml_vec_push(fo_ml_vec *v, size_t size)
{
    fo_grow(&v->items, size, &v->cap, v->n + 1);
    void *p = (char *)v->items + size * v->n++;
    memset(p, 0, size);
    return p;
}

void *fo_ml_vec_to_arena(fo_arena *a, fo_ml_vec *v, size_t size)
{
    void *p = fo_arena_alloc(a, size * v->n);
    if (v->n)
        memcpy(p, v->items, size * v->n);
    free(v->items);
    *v = (fo_ml_vec){0};
    return p;
}

/* ---- texts ----------------------------------------------------------- */

static const fo_rich *parse_string(fo_ml *L, const fo_node *s, const char *lang)
{
    fo_rich *r = fo_arena_alloc(L->a, sizeof *r);
    if (fo_markup_parse(s->str, s->len, s->text_pos, L->a, L->d, r) != FO_OK)
        return NULL;
    if (r->len == 0) {
        if (lang)
            fo_error(L->d, s->pos, "the '%s' text is empty", lang);
        else
            fo_error(L->d, s->pos, "the text is empty");
        return NULL;
    }
    return r;
}

/* A text: one string for every edition, or a mapping edition → string. */
static void load_text_raw(fo_ml *L, const fo_node *n, fo_text *out)
{
    memset(out, 0, sizeof *out);
    fo_pub *pub = L->pub;
    if (fo_read_is_scalar(n)) {
        const fo_rich *r = parse_string(L, n, NULL);
        for (int i = 0; i < pub->neditions; i++)
            out->ed[i] = r;
        return;
    }
    if (n->kind != FO_NODE_MAP) {
        fo_error(L->d, n->pos,
                 "expected a text (a string, or a mapping of edition to "
                 "string), found %s",
                 fo_node_describe(n));
        return;
    }
    bool seen[FO_MAX_EDITIONS] = {false};
    for (int k = 0; k < n->n; k++) {
        const fo_node *key = n->pairs[k].key, *v = n->pairs[k].value;
        int ed = fo_pub_edition(pub, key->str);
        if (L->editions_ok && ed < 0) {
            fo_error(L->d, key->pos,
                     "'%s' is not an edition of this publication "
                     "(editions: %s)",
                     key->str, L->editions_list);
            continue;
        }
        if (!fo_read_is_scalar(v)) {
            fo_error(L->d, v->pos, "the '%s' text must be a string, found %s",
                     key->str, fo_node_describe(v));
            continue;
        }
        const fo_rich *r = parse_string(L, v, key->str);
        if (ed >= 0) {
            seen[ed] = true;
            out->ed[ed] = r;
        }
    }
    if (!L->editions_ok)
        return;
    for (int i = 0; i < pub->neditions; i++)
        if (!seen[i])
            fo_error(L->d, n->pos, "missing '%s' text (editions: %s)",
                     pub->editions[i], L->editions_list);
}

/* Language tags compare without case (BCP 47). */
static bool same_tag(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static bool is_french(const char *lang)
{
    return strncmp(lang, "fr", 2) == 0 && (lang[2] == 0 || lang[2] == '-');
}

/* French text gets French spacing (no-break spaces before : ; ! ? and
 * inside « »), whatever the source typed: the text's language is lang
 * when a block gives one, else the edition's. A text in another language
 * than its edition's carries it (fo_rich.lang). */
static void load_text_lang(fo_ml *L, const fo_node *n, const char *lang,
                           fo_text *out)
{
    load_text_raw(L, n, out);
    for (int i = 0; i < L->pub->neditions; i++) {
        const char *ed_lang = L->pub->editions[i];
        if (!out->ed[i])
            continue;
        if (is_french(lang ? lang : ed_lang))
            out->ed[i] = fo_rich_french_spacing(out->ed[i], L->a);
        if (lang && !same_tag(lang, ed_lang)) {
            fo_rich *r = fo_arena_alloc(L->a, sizeof *r);
            *r = *out->ed[i];
            r->lang = lang;
            out->ed[i] = r;
        }
    }
}

void fo_ml_load_text(fo_ml *L, const fo_node *n, fo_text *out)
{
    load_text_lang(L, n, NULL, out);
}

static const char *const lang_text_keys[] = {"text", "lang", NULL};

/* The text of a p, h2 or h3: a text, or a mapping with `text` and `lang`
 * (the language the text is in, whatever the edition: a welcome page in
 * every language the province publishes in). */
void fo_ml_load_block_text(fo_ml *L, const fo_node *n, fo_text *out)
{
    memset(out, 0, sizeof *out);
    const fo_node *text = NULL, *lang = NULL;
    if (n->kind == FO_NODE_MAP)
        for (int k = 0; k < n->n; k++) {
            const fo_node *key = n->pairs[k].key;
            if (fo_node_is(key, "text"))
                text = n->pairs[k].value;
            else if (fo_node_is(key, "lang"))
                lang = n->pairs[k].value;
        }
    if (!text && !lang) {
        fo_ml_load_text(L, n, out);
        return;
    }
    for (int k = 0; k < n->n; k++) {
        const fo_node *key = n->pairs[k].key;
        if (!fo_model_key_known(key, lang_text_keys))
            fo_model_unknown_key(L->d, key, "in a text with a language",
                                 lang_text_keys);
    }
    if (!text) {
        fo_error(L->d, n->pos, "a text with 'lang' needs 'text'");
        return;
    }
    const char *tag = NULL;
    if (lang && (!fo_read_is_string(lang) || !fo_model_is_lang_tag(lang->str)))
        fo_error(L->d, lang->pos,
                 "'lang' must be a language tag (such as vi, en or zh-Hant), "
                 "found %s",
                 fo_read_is_scalar(lang) ? lang->str : fo_node_describe(lang));
    else if (lang)
        tag = fo_arena_strdup(L->a, lang->str);
    load_text_lang(L, text, tag, out);
}

/* ---- includes -------------------------------------------------------- */

/* Counts, for the limits on includes, every file that the file just read
 * (tree, the innermost in L) includes, wherever the key stands: their
 * number and their size on disk, before any text of the file is parsed
 * (and normalized), so that too much is refused before the work, not
 * after. Past a limit, it is reported at the include that crosses it and
 * no include is entered any more. Recursion is bounded by the tree's
 * depth (FO_SOURCE_MAX_DEPTH). */
static void count_includes(fo_ml *L, const fo_node *n, const char *real_dir)
{
    if (L->over || n->kind == FO_NODE_SCALAR)
        return;
    for (int i = 0; i < n->n && !L->over; i++) {
        if (n->kind == FO_NODE_SEQ) {
            count_includes(L, n->items[i], real_dir);
            continue;
        }
        const fo_node *v = n->pairs[i].value;
        if (!fo_node_is(n->pairs[i].key, "include") || !fo_read_is_string(v)) {
            count_includes(L, v, real_dir);
            continue;
        }
        if (++L->nincludes > MAX_INCLUDES) {
            fo_error(L->d, v->pos, "more than %d includes in a publication",
                     MAX_INCLUDES);
            L->over = true;
            return;
        }
        /* only counted here: whether the path may be read is
         * enter_include's business (a plain stat costs one system call,
         * resolving the path one per folder of it) */
        char *path = fo_path_join(real_dir, v->str);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            L->total_bytes += st.st_size;
        free(path);
        if (L->total_bytes > MAX_TOTAL_BYTES) {
            fo_error(L->d, v->pos,
                     "the publication and its includes exceed %d MiB",
                     MAX_TOTAL_BYTES / (1024 * 1024));
            L->over = true;
        }
    }
}

/* Makes real (canonical, malloc'd; taken over), shown and tree the
 * innermost file, and counts what it includes. */
static void push_file(fo_ml *L, char *real, const char *shown, fo_arena *tree,
                      const fo_node *root)
{
    L->real[L->depth] = real;
    L->shown[L->depth] = shown;
    L->tree[L->depth] = tree;
    L->depth++;
    char *dir = fo_path_dirname(real);
    count_includes(L, root, dir);
    free(dir);
}

/* Reads the file an include names and enters it (the caller leaves it
 * with leave_include). NULL after reporting why not. */
const fo_node *fo_ml_enter_include(fo_ml *L, const fo_node *v)
{
    const char *path = NULL;
    if (!fo_read_path(L->d, v, "include", &path))
        return NULL;
    if (L->over) /* reported where the limit was crossed */
        return NULL;
    if (L->depth > FO_ML_MAX_DEPTH) {
        fo_error(L->d, v->pos, "includes are nested more than %d deep",
                 FO_ML_MAX_DEPTH);
        return NULL;
    }
    const char *cur = L->shown[L->depth - 1];
    char *shown_dir = fo_path_dirname(cur);
    char *real_dir = fo_path_dirname(L->real[L->depth - 1]);
    const char *why = NULL;
    char *real = fo_path_confined(L->pub->root, real_dir, v->str, &why);
    char *shown = fo_path_join(shown_dir, v->str);
    const fo_node *root = NULL;
    free(shown_dir);
    free(real_dir);
    if (!real && strcmp(why, "no such file") == 0) {
        char *dir = fo_path_dirname(L->real[L->depth - 1]);
        char *hint = fo_path_missing_hint(L->pub->root, dir, v->str);
        fo_error(L->d, v->pos, "cannot include '%s': %s", v->str, hint);
        free(hint);
        free(dir);
        goto out;
    }
    if (!real) {
        fo_error(L->d, v->pos, "cannot include '%s': %s", v->str, why);
        goto out;
    }
    for (int i = 0; i < L->depth; i++) {
        if (strcmp(L->real[i], real) != 0)
            continue;
        fo_buf b;
        fo_buf_init(&b, 0);
        for (int j = i; j < L->depth; j++)
            fo_model_put(&b, L->shown[j], " → ");
        fo_model_put(&b, shown, "");
        fo_error(L->d, v->pos, "include cycle: %s", b.data);
        fo_buf_free(&b);
        goto out;
    }
    const char *shown_a = fo_arena_strdup(L->a, shown);
    fo_node *node = NULL;
    fo_arena *tree = fo_arena_new();
    fo_status s = fo_source_load_file_budget(real, shown_a, tree, L->d,
                                             &L->budget, &node);
    if (s == FO_ERR_IO)
        fo_error(L->d, v->pos, "cannot include '%s': cannot read the file",
                 v->str);
    if (s != FO_OK) {
        fo_arena_free(tree);
        goto out;
    }
    push_file(L, real, shown_a, tree, node);
    real = NULL;
    root = node;
out:
    free(real);
    free(shown);
    return root;
}

/* Leaves the innermost file and frees its node tree: nothing the model
 * keeps points into it. */
void fo_ml_leave_include(fo_ml *L)
{
    L->depth--;
    free(L->real[L->depth]);
    L->real[L->depth] = NULL;
    fo_arena_free(L->tree[L->depth]);
    L->tree[L->depth] = NULL;
}

/* ---- values ---------------------------------------------------------- */

/* Index of key in allowed, or -1 after reporting it as unknown where. The
 * loaders below walk a mapping in file order, so that errors come out in
 * the order of the file. */
int fo_ml_key_index(fo_ml *L, const fo_node *key, const char *where,
                    const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++)
        if (fo_node_is(key, allowed[i]))
            return i;
    fo_model_unknown_key(L->d, key, where, allowed);
    return -1;
}

/* Reports "missing 'K' WHERE" for each required key that map lacks (not
 * repeated when a misspelling of it was reported). */
void fo_ml_check_required(fo_ml *L, const fo_node *map,
                          const char *const *required, const char *where,
                          const char *const *allowed)
{
    for (int i = 0; required[i]; i++)
        if (!fo_node_get(map, required[i]) &&
            !fo_model_misspelt(map, required[i], allowed))
            fo_error(L->d, map->pos, "missing '%s' %s", required[i], where);
}

/* Whether v is a mapping; else reports "WHAT is a mapping (KEYS), found
 * …". */
bool fo_ml_expect_map(fo_ml *L, const fo_node *v, const char *what,
                      const char *keys)
{
    if (v->kind == FO_NODE_MAP)
        return true;
    fo_error(L->d, v->pos, "%s is a mapping (%s), found %s", what, keys,
             fo_node_describe(v));
    return false;
}

/* focus: [x, y], each 0..1. */
void fo_ml_load_focus(fo_ml *L, const fo_node *v, double *x, double *y)
{
    if (v->kind != FO_NODE_SEQ || v->n != 2) {
        fo_error(L->d, v->pos,
                 "'focus' must be [x, y], two numbers from 0 to 1");
        return;
    }
    double xy[2] = {*x, *y};
    for (int i = 0; i < 2; i++) {
        double f = 0;
        if (fo_read_in_range(L->d, v->items[i], "focus", FO_READ_UNIT, &f))
            xy[i] = f;
    }
    *x = xy[0];
    *y = xy[1];
}

/* Whether the name ends in .jpg, .jpeg or .png, in any case. */
static bool is_image_name(const char *s)
{
    static const char *const ext[] = {".jpg", ".jpeg", ".png"};
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && s[n - k - 1] != '/' && strcasecmp(s + n - k, ext[i]) == 0)
            return true;
    }
    return false;
}

/* An image path (what: the key, for messages), resolved against the file
 * being read and kept inside the project. Only the name is checked here:
 * the layout stage opens the file and reports a corrupt image. */
void fo_ml_load_image(fo_ml *L, const fo_node *v, const char *what,
                      fo_image_ref *out)
{
    const char *path = NULL;
    if (!fo_read_path(L->d, v, what, &path))
        return;
    if (!is_image_name(v->str)) {
        fo_error(L->d, v->pos, "'%s' is not a JPEG or PNG image", v->str);
        return;
    }
    char *dir = fo_path_dirname(L->real[L->depth - 1]);
    const char *why = NULL;
    char *real = fo_path_confined(L->pub->root, dir, v->str, &why);
    char *hint = real || strcmp(why, "no such file") != 0
                     ? NULL
                     : fo_path_missing_hint(L->pub->root, dir, v->str);
    free(dir);
    if (!real) {
        if (hint)
            fo_error(L->d, v->pos, "cannot find image '%s': %s", v->str, hint);
        else
            fo_error(L->d, v->pos, "cannot use image '%s': %s", v->str, why);
        free(hint);
        return;
    }
    out->src = fo_arena_strdup(L->a, v->str);
    out->path = fo_arena_strdup(L->a, real);
    out->pos = v->pos;
    free(real);
}

/* ---- sections -------------------------------------------------------- */

static const char *const section_keys[] = {"title", "blocks", "include", NULL};

static void load_sections(fo_ml *L, const fo_node *seq, fo_ml_vec *sections);

static void load_section(fo_ml *L, const fo_node *n, fo_ml_vec *sections)
{
    if (n->kind != FO_NODE_MAP) {
        fo_error(L->d, n->pos,
                 "expected a section (a mapping with title and blocks), "
                 "found %s",
                 fo_node_describe(n));
        return;
    }
    const fo_node *inc = NULL, *title = NULL, *blocks = NULL;
    for (int k = 0; k < n->n; k++) {
        const fo_node *key = n->pairs[k].key, *v = n->pairs[k].value;
        if (fo_node_is(key, "include"))
            inc = v;
        else if (fo_node_is(key, "title"))
            title = v;
        else if (fo_node_is(key, "blocks"))
            blocks = v;
        else
            fo_model_unknown_key(L->d, key, "in a section", section_keys);
    }
    if (inc) {
        if (title || blocks) {
            fo_error(L->d, n->pos,
                     "a section either includes a file or has a title and "
                     "blocks, not both");
            return;
        }
        const fo_node *root = fo_ml_enter_include(L, inc);
        if (!root)
            return;
        if (root->kind == FO_NODE_SEQ)
            load_sections(L, root, sections);
        else if (root->kind == FO_NODE_MAP)
            load_section(L, root, sections);
        else
            fo_error(L->d, root->pos,
                     "an included sections file holds a section or a "
                     "sequence of sections, found %s",
                     fo_node_describe(root));
        fo_ml_leave_include(L);
        return;
    }
    if (!title && !fo_model_misspelt(n, "title", section_keys))
        fo_error(L->d, n->pos, "missing 'title' in a section");
    if (!blocks && !fo_model_misspelt(n, "blocks", section_keys))
        fo_error(L->d, n->pos, "missing 'blocks' in a section");
    /* keep the slot even when broken: the index matters to nobody, but
     * the blocks still get checked */
    fo_section *s = fo_ml_vec_push(sections, sizeof *s);
    s->pos = n->pos;
    size_t idx = sections->n - 1;
    fo_text t = {{NULL}};
    if (title)
        fo_ml_load_text(L, title, &t);
    fo_ml_vec bl = {0};
    if (blocks && blocks->kind != FO_NODE_SEQ)
        fo_error(L->d, blocks->pos,
                 "'blocks' must be a sequence of blocks, found %s",
                 fo_node_describe(blocks));
    else if (blocks)
        fo_ml_load_blocks(L, blocks, &bl);
    /* sections may have moved while the blocks' includes were read */
    s = (fo_section *)sections->items + idx;
    s->title = t;
    s->nblocks = bl.n;
    s->blocks = fo_ml_vec_to_arena(L->a, &bl, sizeof(fo_block));
}

static void load_sections(fo_ml *L, const fo_node *seq, fo_ml_vec *sections)
{
    for (int i = 0; i < seq->n; i++)
        load_section(L, seq->items[i], sections);
}

/* ---- the publication ------------------------------------------------- */

static const char *const pub_keys[] = {
    "title",     "short_title", "subtitle",    "year",          "publisher",
    "keywords",  "slug",        "template",    "profiles",      "styles",
    "languages", "cover",       "back_cover",  "contents",      "campaign",
    "editions",  "sections",    "hyphenation", "vi_tone_style", NULL};

/* `year:` and `vi_tone_style:` (one of a few words, so an enum, read like
 * a number), when key is one of them; false for another key. */
static bool load_number_key(fo_ml *L, const fo_node *key, const fo_node *v)
{
    fo_pub *pub = L->pub;
    if (fo_node_is(key, "year")) {
        (void)fo_read_int(L->d, v, "year", 1000, 9999, &pub->year);
        return true;
    }
    if (fo_node_is(key, "vi_tone_style")) {
        static const char *const tone[] = {"old", "new", NULL};
        int ts = fo_read_enum(L->d, v, "vi_tone_style", tone);
        pub->vi_tone_style = ts < 0 ? 0 : ts + 1;
        return true;
    }
    return false;
}

/* `styles:` or `languages:` (key), when it is a mapping: *out. What it
 * holds is read by load_pub into style layers for the template loader
 * (style.c). */
static void load_overrides(fo_ml *L, const fo_node *key, const fo_node *v,
                           const fo_node **out)
{
    bool styles = fo_node_is(key, "styles");
    if (v->kind != FO_NODE_MAP)
        fo_error(L->d, v->pos,
                 "'%s' must be a mapping of %s to settings, "
                 "found %s",
                 key->str, styles ? "style names" : "language tags",
                 fo_node_describe(v));
    else
        *out = v;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

bool fo_model_is_lang_tag(const char *s)
{
    size_t n = 0;
    while (s[n] >= 'a' && s[n] <= 'z')
        n++;
    if (n < 2 || n > 3)
        return false;
    size_t total = n;
    while (s[total] == '-') {
        size_t k = 0;
        while (is_alnum(s[total + 1 + k]))
            k++;
        if (k == 0)
            return false;
        total += 1 + k;
    }
    return s[total] == 0 && total <= 35;
}

/* Checks editions and fills pub->editions. Errors go to d (the caller
 * passes a side list so that they print in file order). */
static void load_editions(fo_ml *L, const fo_node *v, fo_diags *d)
{
    fo_pub *pub = L->pub;
    if (v->kind != FO_NODE_SEQ) {
        fo_error(d, v->pos,
                 "'editions' must be a sequence of language tags such as "
                 "[vi, en], found %s",
                 fo_node_describe(v));
        return;
    }
    if (v->n == 0) {
        fo_error(d, v->pos, "'editions' must list at least one edition");
        return;
    }
    bool bad_tag = false;
    fo_pos first[FO_MAX_EDITIONS] = {{NULL, 0, 0}};
    for (int i = 0; i < v->n; i++) {
        const fo_node *e = v->items[i];
        if (i >= FO_MAX_EDITIONS) {
            fo_error(d, e->pos, "a publication has at most %d editions",
                     FO_MAX_EDITIONS);
            break;
        }
        if (!fo_read_is_string(e) || !fo_model_is_lang_tag(e->str)) {
            if (fo_read_is_scalar(e))
                fo_error(d, e->pos,
                         "'%s' is not a language tag (such as vi, en or "
                         "zh-Hant)",
                         e->str);
            else
                fo_error(d, e->pos, "expected a language tag, found %s",
                         fo_node_describe(e));
            bad_tag = true;
            continue;
        }
        int dup = fo_pub_edition(pub, e->str);
        if (dup >= 0) {
            fo_error(d, e->pos, "duplicate edition '%s' (first at %d:%d)",
                     e->str, first[dup].line, first[dup].col);
            continue;
        }
        first[pub->neditions] = e->pos;
        pub->editions[pub->neditions++] = fo_arena_strdup(L->a, e->str);
    }
    /* a duplicate or a 17th edition spoils nothing else; a malformed tag
     * would make every text report a missing or unknown edition */
    if (bad_tag)
        return;
    L->editions_ok = true;
    fo_buf b;
    fo_buf_init(&b, 0);
    for (int i = 0; i < pub->neditions; i++)
        fo_model_put(&b, i ? ", " : "", pub->editions[i]);
    L->editions_list = b.data;
}

FO_STATIC bool fo_model_is_slug(const char *s, size_t len)
{
    if (len == 0 || len > 100 || strlen(s) != len || s[0] == '.' || s[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static const char *default_slug(fo_arena *a, const char *path, const char *root)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "publication.yaml") == 0 ||
        strcmp(base, "publication.yml") == 0) {
        const char *dir = strrchr(root, '/');
        dir = dir && dir[1] ? dir + 1 : root;
        return fo_arena_strdup(a, dir);
    }
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return fo_arena_strndup(a, base, n);
}

/* `template: NAME` or a path to the project's own template folder. */
static void load_template_name(fo_ml *L, const fo_node *v)
{
    const char *s = NULL;
    if (fo_read_path(L->d, v, "template", &s))
        L->pub->template_name = fo_arena_strdup(L->a, s);
    L->pub->template_pos = v->pos;
}

static const char *const profile_names[] = {"print", "screen", "archive", NULL};

/* `profiles: [print, screen]`: what a plain `folio build` writes. */
static void load_profiles(fo_ml *L, const fo_node *v)
{
    fo_pub *pub = L->pub;
    if (v->kind != FO_NODE_SEQ || v->n < 1 || v->n > 3) {
        fo_error(L->d, v->pos,
                 "'profiles' must be a list of print, screen and archive");
        return;
    }
    for (int i = 0; i < v->n; i++) {
        int k = fo_read_enum(L->d, v->items[i], "profiles", profile_names);
        if (k < 0)
            continue;
        int dup = 0;
        for (int j = 0; j < pub->nprofiles; j++)
            dup |= strcmp(pub->profiles[j], profile_names[k]) == 0;
        if (!dup)
            pub->profiles[pub->nprofiles++] = profile_names[k];
    }
}

static const char *const cover_keys[] = {"image", "focus", "logo", NULL};

static void load_cover(fo_ml *L, const fo_node *n)
{
    fo_pub *pub = L->pub;
    if (!fo_ml_expect_map(L, n, "the cover", "image, focus, logo"))
        return;
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        switch (
            fo_ml_key_index(L, n->pairs[k].key, "in the cover", cover_keys)) {
        case 0:
            fo_ml_load_image(L, v, "image", &pub->cover_image);
            break;
        case 1:
            fo_ml_load_focus(L, v, &pub->cover_focus_x, &pub->cover_focus_y);
            break;
        case 2:
            fo_ml_load_image(L, v, "logo", &pub->logo);
            break;
        default:
            break;
        }
    }
}

static void load_pub(fo_ml *L, const fo_node *root)
{
    fo_pub *pub = L->pub;
    if (root->kind != FO_NODE_MAP) {
        fo_error(L->d, root->pos,
                 "a publication is a mapping (title, editions, sections, "
                 "…), found %s",
                 fo_node_describe(root));
        return;
    }
    static const char *const required[] = {"title", "editions", "sections"};
    for (size_t i = 0; i < 3; i++)
        if (!fo_node_get(root, required[i]) &&
            !fo_model_misspelt(root, required[i], pub_keys))
            fo_error(L->d, root->pos, "missing '%s' in the publication",
                     required[i]);

    /* Texts need the editions, wherever they are written: check them
     * first, and report their errors where they stand in the file. */
    fo_diags ed_diags;
    fo_diags_init(&ed_diags);
    const fo_node *eds = fo_node_get(root, "editions");
    if (eds)
        load_editions(L, eds, &ed_diags);

    fo_ml_vec sections = {0};
    const fo_node *styles = NULL, *languages = NULL;
    for (int k = 0; k < root->n; k++) {
        const fo_node *key = root->pairs[k].key, *v = root->pairs[k].value;
        if (fo_node_is(key, "title")) {
            fo_ml_load_text(L, v, &pub->title);
        } else if (fo_node_is(key, "subtitle")) {
            fo_ml_load_text(L, v, &pub->subtitle);
        } else if (fo_node_is(key, "publisher")) {
            fo_ml_load_text(L, v, &pub->publisher);
        } else if (load_number_key(L, key, v)) {
            /* year, vi_tone_style */
        } else if (fo_node_is(key, "slug")) {
            const char *s = NULL;
            if (fo_read_is_scalar(v) && !fo_model_is_slug(v->str, v->len))
                fo_error(L->d, v->pos,
                         "'slug' must be a file name stem: letters, digits, "
                         "'-', '_' and '.'");
            else if (fo_read_text(L->d, v, "slug", &s))
                pub->slug = fo_arena_strdup(L->a, s);
        } else if (fo_node_is(key, "template")) {
            load_template_name(L, v);
        } else if (fo_node_is(key, "keywords")) {
            fo_ml_load_text(L, v, &pub->keywords);
        } else if (fo_node_is(key, "profiles")) {
            load_profiles(L, v);
        } else if (fo_ml_load_front_key(L, key, v)) {
            continue; /* short_title, contents, campaign, back_cover,
                         cover: false (model_qr.c) */
        } else if (fo_node_is(key, "cover")) {
            load_cover(L, v);
        } else if (fo_node_is(key, "styles")) {
            load_overrides(L, key, v, &styles);
        } else if (fo_node_is(key, "languages")) {
            load_overrides(L, key, v, &languages);
        } else if (fo_node_is(key, "hyphenation")) {
            fo_hyph_words_read(v, NULL, L->a, L->d, &pub->hyphenation);
        } else if (fo_node_is(key, "editions")) {
            for (size_t i = 0; i < ed_diags.n; i++) {
                fo_diag *g = &ed_diags.items[i];
                fo_error(L->d, g->pos, "%s", g->message);
            }
        } else if (fo_node_is(key, "sections")) {
            if (v->kind != FO_NODE_SEQ)
                fo_error(L->d, v->pos,
                         "'sections' must be a sequence of sections, found "
                         "%s",
                         fo_node_describe(v));
            else if (v->n == 0)
                fo_error(L->d, v->pos,
                         "'sections' must list at least one section");
            else
                load_sections(L, v, &sections);
        } else {
            fo_model_unknown_key(L->d, key, "in the publication", pub_keys);
        }
    }
    fo_diags_free(&ed_diags);
    /* typed now, while the node tree lives; checked and applied by the
     * template loader, which knows the swatches and styles they name */
    if (styles || languages)
        pub->styles = fo_pub_styles_read(styles, languages, L->a);
    pub->nsections = sections.n;
    pub->sections = fo_ml_vec_to_arena(L->a, &sections, sizeof(fo_section));
}

fo_status fo_pub_load(const char *path, fo_diags *d, fo_pub **out)
{
    *out = NULL;
    int first_error = d->errors;
    fo_arena *a = fo_arena_new();
    fo_pub *pub = fo_arena_alloc(a, sizeof *pub);
    pub->arena = a;
    pub->file = fo_arena_strdup(a, path);
    pub->template_name = "yearbook";
    pub->cover_focus_x = pub->cover_focus_y = 0.5;
    fo_ml L = {.pub = pub, .a = a, .d = d};
    L.budget = fo_source_budget_full("in the publication and its includes");
    fo_status st = FO_OK;

    char *dir = fo_path_dirname(path);
    char *root = realpath(dir, NULL);
    char *real = realpath(path, NULL);
    free(dir);
    fo_node *tree = NULL;
    fo_arena *scratch = fo_arena_new();
    if (!root || !real) {
        fo_error(d, (fo_pos){path, 0, 0}, "cannot read the file: no such file");
        st = FO_ERR_IO;
        goto out;
    }
    pub->root = fo_arena_strdup(a, root);
    pub->slug = default_slug(a, path, root);
    struct stat sb;
    if (stat(real, &sb) == 0)
        L.total_bytes = sb.st_size;
    st = fo_source_load_file_budget(real, pub->file, scratch, d, &L.budget,
                                    &tree);
    if (st == FO_ERR_IO) {
        fo_error(d, (fo_pos){path, 0, 0}, "cannot read the file");
        goto out;
    }
    if (st != FO_OK)
        goto out;
    push_file(&L, real, pub->file, scratch, tree);
    real = NULL;
    scratch = NULL;
    load_pub(&L, tree);
    fo_ml_leave_include(&L);
    if (d->errors != first_error)
        st = FO_ERR_INPUT;
out:
    fo_arena_free(scratch);
    free(L.editions_list);
    free(root);
    free(real);
    if (st != FO_OK) {
        fo_arena_free(a);
        return st;
    }
    *out = pub;
    return FO_OK;
}

void fo_pub_free(fo_pub *pub)
{
    if (pub)
        fo_arena_free(pub->arena);
}

int fo_pub_edition(const fo_pub *pub, const char *lang)
{
    for (int i = 0; i < pub->neditions; i++)
        if (strcmp(pub->editions[i], lang) == 0)
            return i;
    return -1;
}
