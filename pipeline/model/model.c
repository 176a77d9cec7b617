/* model — a publication file (and the files it includes) to a fo_pub.
 * Contract: fo_pub_load either returns a publication in which every key was
 * known, every value had the right type, every text exists in every edition
 * and every piece of inline markup parsed — or it returns nothing, having
 * reported every problem it could find, each at the file:line:col of the
 * offending node. It never stops at the first error: a bad section does not
 * hide the next one. Includes are resolved against the including file and
 * must stay inside the project folder (the publication file's folder);
 * cycles, depth and count are bounded. Error messages name their context
 * with one phrase per level: "in the publication", "in a section",
 * "in a block". */
#define _XOPEN_SOURCE 700
#include "model/model.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/model_private.h"
#include "source/source.h"

enum {
    MAX_INCLUDE_DEPTH = 16,
    MAX_INCLUDES = 4096,
    MAX_TOTAL_BYTES = 64 * 1024 * 1024
};

typedef struct vec {
    void *items;
    size_t n, cap;
} vec;

typedef struct loader {
    fo_pub *pub;
    fo_arena *a;
    fo_diags *d;
    bool editions_ok;    /* texts can be checked against pub->editions */
    char *editions_list; /* "vi, en", for messages */
    /* files being read, outermost first: canonical and display names */
    char *real[MAX_INCLUDE_DEPTH + 1];
    const char *shown[MAX_INCLUDE_DEPTH + 1];
    int depth;
    int nincludes;
    long long total_bytes;
} loader;

static void *vec_push(vec *v, size_t size)
{
    fo_grow(&v->items, size, &v->cap, v->n + 1);
    void *p = (char *)v->items + size * v->n++;
    memset(p, 0, size);
    return p;
}

static void *vec_to_arena(fo_arena *a, vec *v, size_t size)
{
    void *p = fo_arena_alloc(a, size * v->n);
    if (v->n)
        memcpy(p, v->items, size * v->n);
    free(v->items);
    *v = (vec){0};
    return p;
}

/* Appends to an uncapped buffer, which cannot fail (memory aborts). */
static void put(fo_buf *b, const char *s1, const char *s2)
{
    fo_status st = fo_buf_puts(b, s1);
    if (st == FO_OK)
        st = fo_buf_puts(b, s2);
    assert(st == FO_OK);
    (void)st;
}

/* ---- texts ----------------------------------------------------------- */

static const fo_rich *parse_string(loader *L, const fo_node *s,
                                   const char *lang)
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

static bool is_string(const fo_node *n)
{
    return n->kind == FO_NODE_SCALAR && !fo_node_is_null(n);
}

/* A text: one string for every edition, or a mapping edition → string. */
static void load_text_raw(loader *L, const fo_node *n, fo_text *out)
{
    memset(out, 0, sizeof *out);
    fo_pub *pub = L->pub;
    if (is_string(n)) {
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
        if (!is_string(v)) {
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

/* French editions get French spacing (no-break spaces before : ; ! ? and
 * inside « »), whatever the source typed. */
static void load_text(loader *L, const fo_node *n, fo_text *out)
{
    load_text_raw(L, n, out);
    for (int i = 0; i < L->pub->neditions; i++) {
        const char *lang = L->pub->editions[i];
        if (out->ed[i] && strncmp(lang, "fr", 2) == 0 &&
            (lang[2] == 0 || lang[2] == '-'))
            out->ed[i] = fo_rich_french_spacing(out->ed[i], L->a);
    }
}

/* ---- includes -------------------------------------------------------- */

/* Reads the file an include names and enters it (the caller leaves it
 * with leave_include). NULL after reporting why not. */
static const fo_node *enter_include(loader *L, const fo_node *v)
{
    if (!is_string(v)) {
        fo_error(L->d, v->pos, "'include' must be a file path, found %s",
                 fo_node_describe(v));
        return NULL;
    }
    if (L->depth > MAX_INCLUDE_DEPTH) {
        fo_error(L->d, v->pos, "includes are nested more than %d deep",
                 MAX_INCLUDE_DEPTH);
        return NULL;
    }
    if (++L->nincludes > MAX_INCLUDES) {
        if (L->nincludes == MAX_INCLUDES + 1)
            fo_error(L->d, v->pos, "more than %d includes in a publication",
                     MAX_INCLUDES);
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
            put(&b, L->shown[j], " → ");
        put(&b, shown, "");
        fo_error(L->d, v->pos, "include cycle: %s", b.data);
        fo_buf_free(&b);
        goto out;
    }
    struct stat st;
    if (stat(real, &st) == 0)
        L->total_bytes += st.st_size;
    if (L->total_bytes > MAX_TOTAL_BYTES) {
        fo_error(L->d, v->pos, "the publication and its includes exceed %d MiB",
                 MAX_TOTAL_BYTES / (1024 * 1024));
        goto out;
    }
    const char *shown_a = fo_arena_strdup(L->a, shown);
    fo_node *node = NULL;
    fo_status s = fo_source_load_file(real, shown_a, L->a, L->d, &node);
    if (s == FO_ERR_IO) {
        fo_error(L->d, v->pos, "cannot include '%s': cannot read the file",
                 v->str);
        goto out;
    }
    if (s != FO_OK)
        goto out;
    L->real[L->depth] = real;
    L->shown[L->depth] = shown_a;
    L->depth++;
    real = NULL;
    root = node;
out:
    free(real);
    free(shown);
    return root;
}

static void leave_include(loader *L)
{
    L->depth--;
    free(L->real[L->depth]);
    L->real[L->depth] = NULL;
}

/* ---- blocks ---------------------------------------------------------- */

static const char *const block_keys[] = {"p", "h2", "h3", "include", NULL};

static void load_blocks(loader *L, const fo_node *seq, vec *blocks);

static void load_block(loader *L, const fo_node *n, vec *blocks)
{
    if (n->kind != FO_NODE_MAP) {
        fo_error(L->d, n->pos,
                 "expected a block (a mapping with one key: p, h2, h3 or "
                 "include), found %s",
                 fo_node_describe(n));
        return;
    }
    if (n->n != 1) {
        fo_pos at = n->n > 1 ? n->pairs[1].key->pos : n->pos;
        fo_error(L->d, at, "a block has one key, one of: p, h2, h3, include");
        return;
    }
    const fo_node *key = n->pairs[0].key, *v = n->pairs[0].value;
    if (!fo_model_key_known(key, block_keys)) {
        fo_model_unknown_key(L->d, key, "in a block", block_keys);
        return;
    }
    if (fo_node_is(key, "include")) {
        const fo_node *root = enter_include(L, v);
        if (!root)
            return;
        if (root->kind != FO_NODE_SEQ)
            fo_error(L->d, root->pos,
                     "an included blocks file holds a sequence of blocks, "
                     "found %s",
                     fo_node_describe(root));
        else
            load_blocks(L, root, blocks);
        leave_include(L);
        return;
    }
    fo_block *b = vec_push(blocks, sizeof *b);
    b->pos = n->pos;
    if (fo_node_is(key, "p")) {
        b->kind = FO_BLOCK_PARA;
    } else {
        b->kind = FO_BLOCK_HEADING;
        b->level = fo_node_is(key, "h2") ? 2 : 3;
    }
    load_text(L, v, &b->text);
}

static void load_blocks(loader *L, const fo_node *seq, vec *blocks)
{
    for (int i = 0; i < seq->n; i++)
        load_block(L, seq->items[i], blocks);
}

/* ---- sections -------------------------------------------------------- */

static const char *const section_keys[] = {"title", "blocks", "include", NULL};

static void load_sections(loader *L, const fo_node *seq, vec *sections);

static void load_section(loader *L, const fo_node *n, vec *sections)
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
        const fo_node *root = enter_include(L, inc);
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
        leave_include(L);
        return;
    }
    if (!title && !fo_model_misspelt(n, "title", section_keys))
        fo_error(L->d, n->pos, "missing 'title' in a section");
    if (!blocks && !fo_model_misspelt(n, "blocks", section_keys))
        fo_error(L->d, n->pos, "missing 'blocks' in a section");
    /* keep the slot even when broken: the index matters to nobody, but
     * the blocks still get checked */
    fo_section *s = vec_push(sections, sizeof *s);
    s->pos = n->pos;
    size_t idx = sections->n - 1;
    fo_text t = {{NULL}};
    if (title)
        load_text(L, title, &t);
    vec bl = {0};
    if (blocks && blocks->kind != FO_NODE_SEQ)
        fo_error(L->d, blocks->pos,
                 "'blocks' must be a sequence of blocks, found %s",
                 fo_node_describe(blocks));
    else if (blocks)
        load_blocks(L, blocks, &bl);
    /* sections may have moved while the blocks' includes were read */
    s = (fo_section *)sections->items + idx;
    s->title = t;
    s->nblocks = bl.n;
    s->blocks = vec_to_arena(L->a, &bl, sizeof(fo_block));
}

static void load_sections(loader *L, const fo_node *seq, vec *sections)
{
    for (int i = 0; i < seq->n; i++)
        load_section(L, seq->items[i], sections);
}

/* ---- the publication ------------------------------------------------- */

static const char *const pub_keys[] = {"title",     "subtitle", "year",
                                       "publisher", "slug",     "template",
                                       "editions",  "sections", NULL};

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

FO_STATIC bool fo_model_is_lang_tag(const char *s)
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
static void load_editions(loader *L, const fo_node *v, fo_diags *d)
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
        if (!is_string(e) || strlen(e->str) != e->len ||
            !fo_model_is_lang_tag(e->str)) {
            if (is_string(e))
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
        pub->editions[pub->neditions++] = e->str;
    }
    /* a duplicate or a 17th edition spoils nothing else; a malformed tag
     * would make every text report a missing or unknown edition */
    if (bad_tag)
        return;
    L->editions_ok = true;
    fo_buf b;
    fo_buf_init(&b, 0);
    for (int i = 0; i < pub->neditions; i++)
        put(&b, i ? ", " : "", pub->editions[i]);
    L->editions_list = b.data;
}

static void load_year(loader *L, const fo_node *v)
{
    if (v->kind != FO_NODE_SCALAR) {
        fo_error(L->d, v->pos, "'year' must be an integer, found %s",
                 fo_node_describe(v));
        return;
    }
    bool digits = v->style == FO_SCALAR_PLAIN && v->len > 0 && v->len < 10;
    for (size_t i = 0; digits && i < v->len; i++)
        digits = v->str[i] >= '0' && v->str[i] <= '9';
    if (!digits) {
        fo_error(L->d, v->pos, "'year' must be an integer");
        return;
    }
    int y = atoi(v->str);
    if (y < 1000 || y > 9999) {
        fo_error(L->d, v->pos, "'year' must be between 1000 and 9999");
        return;
    }
    L->pub->year = y;
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

static const char *load_name(loader *L, const fo_node *v, const char *what)
{
    if (!is_string(v)) {
        fo_error(L->d, v->pos, "'%s' must be a string, found %s", what,
                 fo_node_describe(v));
        return NULL;
    }
    return v->str;
}

static void load_pub(loader *L, const fo_node *root)
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

    vec sections = {0};
    for (int k = 0; k < root->n; k++) {
        const fo_node *key = root->pairs[k].key, *v = root->pairs[k].value;
        if (fo_node_is(key, "title")) {
            load_text(L, v, &pub->title);
        } else if (fo_node_is(key, "subtitle")) {
            load_text(L, v, &pub->subtitle);
        } else if (fo_node_is(key, "publisher")) {
            load_text(L, v, &pub->publisher);
        } else if (fo_node_is(key, "year")) {
            load_year(L, v);
        } else if (fo_node_is(key, "slug")) {
            const char *s = load_name(L, v, "slug");
            if (s && !fo_model_is_slug(s, v->len))
                fo_error(L->d, v->pos,
                         "'slug' must be a file name stem: letters, digits, "
                         "'-', '_' and '.'");
            else if (s)
                pub->slug = s;
        } else if (fo_node_is(key, "template")) {
            const char *s = load_name(L, v, "template");
            if (s)
                pub->template_name = s;
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
    pub->nsections = sections.n;
    pub->sections = vec_to_arena(L->a, &sections, sizeof(fo_section));
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
    loader L = {.pub = pub, .a = a, .d = d};
    fo_status st = FO_OK;

    char *dir = fo_path_dirname(path);
    char *root = realpath(dir, NULL);
    char *real = realpath(path, NULL);
    free(dir);
    fo_node *tree = NULL;
    if (!root || !real) {
        fo_error(d, (fo_pos){path, 0, 0}, "cannot read the file: no such file");
        st = FO_ERR_IO;
        goto out;
    }
    pub->root = fo_arena_strdup(a, root);
    pub->slug = default_slug(a, path, root);
    st = fo_source_load_file(real, pub->file, a, d, &tree);
    if (st == FO_ERR_IO) {
        fo_error(d, (fo_pos){path, 0, 0}, "cannot read the file");
        goto out;
    }
    if (st != FO_OK)
        goto out;
    L.real[0] = real;
    L.shown[0] = pub->file;
    L.depth = 1;
    real = NULL;
    load_pub(&L, tree);
    leave_include(&L);
    if (d->errors != first_error)
        st = FO_ERR_INPUT;
out:
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
