/* source — libyaml events to a node tree. Contract: given one file's bytes,
 * either hand back a tree whose every node carries a 1-based file:line:col
 * (columns count characters, as libyaml's marks do), or report why not and
 * hand back nothing. The tree is built without recursion (an explicit stack
 * bounded by FO_SOURCE_MAX_DEPTH), so no input can overflow the C stack;
 * files, nesting and node counts are capped so none can exhaust memory.
 * Aliases are refused rather than expanded: expansion is how a few hundred
 * bytes of YAML become gigabytes ("billion laughs"), and content files have
 * no use for them. After a syntax error libyaml cannot resynchronize, so a
 * file reports its first syntax error only; duplicate keys and aliases are
 * all reported. */
#include "source/source.h"
#include "source/source_private.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct frame {
    fo_node *node;
    fo_node **items; /* FO_NODE_SEQ */
    fo_pair *pairs;  /* FO_NODE_MAP */
    size_t cap;
    int n;
    fo_node *key; /* FO_NODE_MAP: a key waiting for its value */
    bool key_bad; /* that key was not a scalar: drop the pair */
} frame;

typedef struct builder {
    const char *text; /* the whole file, for positions libyaml lacks */
    size_t len;
    const char *file;
    fo_arena *a;
    fo_diags *d;
    fo_source_budget *budget;
    frame stack[FO_SOURCE_MAX_DEPTH];
    int sp;
    int errors;
    fo_node *root;
    /* A forward-only cursor from line number to byte offset. */
    int cur_line; /* 0-based */
    size_t cur_off;
} builder;

static fo_pos mark_pos(const builder *b, yaml_mark_t m)
{
    return (fo_pos){b->file, (int)m.line + 1, (int)m.column + 1};
}

/* Position of a byte offset, counting characters (reader errors carry a
 * byte offset, not a mark). */
static fo_pos offset_pos(const builder *b, size_t off)
{
    int line = 1, col = 1;
    if (off > b->len)
        off = b->len;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)b->text[i];
        if (c == '\n' ||
            (c == '\r' && (i + 1 >= b->len || b->text[i + 1] != '\n'))) {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80 && c != '\r') {
            col++;
        }
    }
    return (fo_pos){b->file, line, col};
}

/* Byte offset where 0-based line starts. Calls come in nondecreasing line
 * order (events follow the file), so the cursor only moves forward. */
static size_t line_offset(builder *b, int line)
{
    if (line < b->cur_line) {
        b->cur_line = 0;
        b->cur_off = 0;
    }
    while (b->cur_line < line && b->cur_off < b->len) {
        const char *nl =
            memchr(b->text + b->cur_off, '\n', b->len - b->cur_off);
        if (!nl) {
            b->cur_off = b->len;
            break;
        }
        b->cur_off = (size_t)(nl - b->text) + 1;
        b->cur_line++;
    }
    return b->cur_off;
}

/* Where the content of a block scalar starts: the first line after the
 * indicator that holds something other than spaces, at its indentation. */
static fo_pos block_text_pos(builder *b, yaml_mark_t start, yaml_mark_t end)
{
    fo_pos p = mark_pos(b, start);
    for (int line = (int)start.line + 1; line <= (int)end.line; line++) {
        size_t off = line_offset(b, line);
        int indent = 0;
        while (off < b->len && b->text[off] == ' ') {
            off++;
            indent++;
        }
        if (off < b->len && b->text[off] != '\n' && b->text[off] != '\r')
            return (fo_pos){b->file, line + 1, indent + 1};
    }
    return p;
}

static void err(builder *b, fo_pos pos, const char *fmt, ...) FO_PRINTF(3, 4);
static void err(builder *b, fo_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fo_diag_vadd(b->d, FO_SEV_ERROR, pos, fmt, ap);
    va_end(ap);
    b->errors++;
}

static fo_node *new_node(builder *b, fo_node_kind kind, yaml_mark_t m)
{
    if (b->budget->nodes <= 0) {
        err(b, mark_pos(b, m), "more than %d values %s", FO_SOURCE_MAX_NODES,
            b->budget->scope);
        return NULL;
    }
    b->budget->nodes--;
    fo_node *n = fo_arena_alloc(b->a, sizeof *n);
    n->kind = kind;
    n->pos = mark_pos(b, m);
    n->text_pos = n->pos;
    n->str = "";
    return n;
}

/* Puts n under the innermost open collection (or makes it the root). */
static void attach(builder *b, fo_node *n)
{
    if (b->sp == 0) {
        b->root = n;
        return;
    }
    frame *f = &b->stack[b->sp - 1];
    if (f->node->kind == FO_NODE_SEQ) {
        fo_grow((void **)&f->items, sizeof(fo_node *), &f->cap,
                (size_t)f->n + 1);
        f->items[f->n++] = n;
        return;
    }
    if (!f->key && !f->key_bad) {
        if (n->kind != FO_NODE_SCALAR) {
            err(b, n->pos, "a key must be a string, not %s",
                fo_node_describe(n));
            f->key_bad = true;
        } else {
            f->key = n;
        }
        return;
    }
    if (!f->key_bad) {
        fo_grow((void **)&f->pairs, sizeof *f->pairs, &f->cap,
                (size_t)f->n + 1);
        f->pairs[f->n++] = (fo_pair){f->key, n};
    }
    f->key = NULL;
    f->key_bad = false;
}

typedef struct key_ref {
    const fo_node *key;
    int index;
} key_ref;

static int cmp_key(const void *x, const void *y)
{
    const key_ref *p = x, *q = y;
    size_t lp = p->key->len, lq = q->key->len;
    int c = memcmp(p->key->str, q->key->str, lp < lq ? lp : lq);
    if (c)
        return c;
    if (lp != lq)
        return lp < lq ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}

typedef struct dup {
    int index, first;
} dup;

static int cmp_dup(const void *x, const void *y)
{
    const dup *p = x, *q = y;
    return (p->index > q->index) - (p->index < q->index);
}

/* Reports keys that repeat within one mapping, in file order. Sorting keeps
 * this O(n log n): a mapping may have a million keys. */
static void check_duplicates(builder *b, const fo_node *map)
{
    if (map->n < 2)
        return;
    key_ref *refs = fo_xmalloc(sizeof *refs * (size_t)map->n);
    dup *dups = fo_xmalloc(sizeof *dups * (size_t)map->n);
    int ndup = 0;
    for (int i = 0; i < map->n; i++)
        refs[i] = (key_ref){map->pairs[i].key, i};
    qsort(refs, (size_t)map->n, sizeof *refs, cmp_key);
    /* Equal keys sit together, sorted by index: the first of each run is
     * the one every later one repeats (kept as the run goes, so that a
     * mapping of one key written n times costs n, not n²). */
    int run = 0;
    for (int i = 1; i < map->n; i++) {
        const fo_node *k = refs[i].key, *prev = refs[i - 1].key;
        if (k->len == prev->len && memcmp(k->str, prev->str, k->len) == 0)
            dups[ndup++] = (dup){refs[i].index, refs[run].index};
        else
            run = i;
    }
    qsort(dups, (size_t)ndup, sizeof *dups, cmp_dup);
    for (int i = 0; i < ndup; i++) {
        const fo_node *k = map->pairs[dups[i].index].key;
        const fo_node *first = map->pairs[dups[i].first].key;
        if (k->pos.line == first->pos.line)
            err(b, k->pos,
                "duplicate key '%s': it is set twice on line %d (columns %d "
                "and %d); keep one",
                k->str, k->pos.line, first->pos.col, k->pos.col);
        else
            err(b, k->pos,
                "duplicate key '%s': it is set on line %d and again on line "
                "%d; keep one",
                k->str, first->pos.line, k->pos.line);
    }
    free(dups);
    free(refs);
}

/* Closes the innermost collection: its children move into the arena.
 * libyaml balances start and end events, parsing stops as soon as
 * open_collection fails, and open_collection pushes a frame only with its
 * node: so there is always a frame to close, and it has a node. That is
 * checked rather than only asserted, so that a release build (NDEBUG)
 * stops with an error instead of reading stack[-1] if it ever broke. */
static bool close_collection(builder *b, yaml_mark_t m)
{
    assert(b->sp > 0 && b->stack[b->sp - 1].node);
    if (b->sp == 0 || !b->stack[b->sp - 1].node) {
        err(b, mark_pos(b, m), "internal error: unbalanced YAML events");
        return false;
    }
    frame *f = &b->stack[--b->sp];
    fo_node *n = f->node;
    n->n = f->n;
    if (n->kind == FO_NODE_SEQ) {
        n->items = fo_arena_alloc(b->a, sizeof(fo_node *) * (size_t)f->n);
        if (f->n)
            memcpy(n->items, f->items, sizeof(fo_node *) * (size_t)f->n);
    } else {
        n->pairs = fo_arena_alloc(b->a, sizeof *n->pairs * (size_t)f->n);
        if (f->n)
            memcpy(n->pairs, f->pairs, sizeof *n->pairs * (size_t)f->n);
        check_duplicates(b, n);
    }
    free(f->items);
    free(f->pairs);
    *f = (frame){0};
    attach(b, n);
    return true;
}

static bool open_collection(builder *b, fo_node_kind kind, yaml_mark_t m)
{
    if (b->sp >= FO_SOURCE_MAX_DEPTH) {
        err(b, mark_pos(b, m), "nesting deeper than %d levels",
            FO_SOURCE_MAX_DEPTH);
        return false;
    }
    fo_node *n = new_node(b, kind, m);
    if (!n)
        return false;
    b->stack[b->sp++] = (frame){.node = n};
    return true;
}

static fo_scalar_style scalar_style(yaml_scalar_style_t s)
{
    switch (s) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        return FO_SCALAR_SINGLE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return FO_SCALAR_DOUBLE;
    case YAML_LITERAL_SCALAR_STYLE:
        return FO_SCALAR_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE:
        return FO_SCALAR_FOLDED;
    default:
        return FO_SCALAR_PLAIN;
    }
}

static bool add_scalar(builder *b, const yaml_event_t *ev)
{
    fo_node *n = new_node(b, FO_NODE_SCALAR, ev->start_mark);
    if (!n)
        return false;
    n->len = ev->data.scalar.length;
    n->str =
        fo_arena_strndup(b->a, (const char *)ev->data.scalar.value, n->len);
    n->style = scalar_style(ev->data.scalar.style);
    switch (n->style) {
    case FO_SCALAR_SINGLE:
    case FO_SCALAR_DOUBLE:
        n->text_pos.col++;
        break;
    case FO_SCALAR_LITERAL:
    case FO_SCALAR_FOLDED:
        n->text_pos = block_text_pos(b, ev->start_mark, ev->end_mark);
        break;
    default:
        break;
    }
    attach(b, n);
    return true;
}

static void report_parser_error(builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "cannot parse the YAML";
    if (p->error == YAML_MEMORY_ERROR) {
        (void)fprintf(stderr, "folio: out of memory in libyaml\n");
        abort();
    }
    if (p->error == YAML_READER_ERROR) {
        err(b, offset_pos(b, p->problem_offset), "%s", problem);
        return;
    }
    if (fo_source_explain(b->d, b->file, b->text, b->len, p)) {
        b->errors++;
        return;
    }
    fo_pos pos = mark_pos(b, p->problem_mark);
    if (p->context && (p->context_mark.line != p->problem_mark.line ||
                       p->context_mark.column != p->problem_mark.column))
        err(b, pos, "%s %s (started at %d:%d)", problem, p->context,
            (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    else if (p->context)
        err(b, pos, "%s %s", problem, p->context);
    else
        err(b, pos, "%s", problem);
}

/* Runs the event loop; returns false when parsing must stop. */
static bool step(builder *b, yaml_parser_t *p, bool *done, int *ndocs)
{
    yaml_event_t ev;
    if (!yaml_parser_parse(p, &ev)) {
        report_parser_error(b, p);
        return false;
    }
    bool ok = true;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        break;
    case YAML_DOCUMENT_START_EVENT:
        if (++*ndocs > 1) {
            err(b, mark_pos(b, ev.start_mark),
                "a file holds one YAML document; a second one starts here");
            ok = false;
        }
        break;
    case YAML_ALIAS_EVENT: {
        if (b->budget->aliases <= 0) {
            /* each alias is one error: past a hundred, the rest of the
             * file is more of the same (and a flood to print) */
            err(b, mark_pos(b, ev.start_mark),
                "more than %d aliases: the rest of the file is not read",
                FO_SOURCE_MAX_ALIASES);
            ok = false;
            break;
        }
        b->budget->aliases--;
        err(b, mark_pos(b, ev.start_mark),
            "aliases ('*%s') are not supported: repeat the content instead",
            (const char *)ev.data.alias.anchor);
        /* stand-in so that the surrounding mapping stays well-formed */
        fo_node *n = new_node(b, FO_NODE_SCALAR, ev.start_mark);
        if (n)
            attach(b, n);
        ok = n != NULL;
        break;
    }
    case YAML_SCALAR_EVENT:
        ok = add_scalar(b, &ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        ok = open_collection(b, FO_NODE_SEQ, ev.start_mark);
        break;
    case YAML_MAPPING_START_EVENT:
        ok = open_collection(b, FO_NODE_MAP, ev.start_mark);
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        ok = close_collection(b, ev.start_mark);
        break;
    default:
        break;
    }
    yaml_event_delete(&ev);
    return ok;
}

fo_source_budget fo_source_budget_full(const char *scope)
{
    return (fo_source_budget){FO_SOURCE_MAX_NODES, FO_SOURCE_MAX_ALIASES,
                              scope};
}

/* The name of the encoding of a file in UTF-16 or UTF-32, or NULL. Told
 * by its byte order mark, else by where the NULs of its first characters
 * fall: a YAML file starts with ASCII (a key, '#', '-' or '{'), which
 * these encodings pad with zero bytes — the test the YAML specification
 * gives for telling encodings apart. */
static const char *wide_encoding(const unsigned char *s, size_t n)
{
    if (n >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0)
        return "UTF-32 (little-endian)";
    if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF)
        return "UTF-32 (big-endian)";
    if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
        return "UTF-16 (little-endian)";
    if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
        return "UTF-16 (big-endian)";
    if (n >= 4 && s[0] && !s[1] && !s[2] && !s[3])
        return "UTF-32 (little-endian)";
    if (n >= 4 && !s[0] && !s[1] && !s[2] && s[3])
        return "UTF-32 (big-endian)";
    if (n >= 2 && s[0] && !s[1])
        return "UTF-16 (little-endian)";
    if (n >= 2 && !s[0] && s[1])
        return "UTF-16 (big-endian)";
    return NULL;
}

fo_status fo_source_load_string(const char *text, size_t len,
                                const char *display_name, fo_arena *a,
                                fo_diags *d, fo_node **root)
{
    fo_source_budget budget = fo_source_budget_full("in one file");
    return fo_source_load_string_budget(text, len, display_name, a, d, &budget,
                                        root);
}

fo_status fo_source_load_string_budget(const char *text, size_t len,
                                       const char *display_name, fo_arena *a,
                                       fo_diags *d, fo_source_budget *budget,
                                       fo_node **root)
{
    *root = NULL;
    const char *wide = wide_encoding((const unsigned char *)text, len);
    if (wide) {
        fo_error(d, (fo_pos){display_name, 0, 0},
                 "this file is %s; save it as UTF-8", wide);
        return FO_ERR_INPUT;
    }
    /* A byte order mark (editors on Windows write one) is no character of
     * the document: skipped before libyaml, which is told the encoding and
     * would count it as the first column of line 1. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    builder b = {.text = text,
                 .len = len,
                 .file = display_name,
                 .a = a,
                 .d = d,
                 .budget = budget};
    if (len > FO_SOURCE_MAX_BYTES) {
        err(&b, (fo_pos){b.file, 0, 0}, "the file is larger than %d MiB",
            FO_SOURCE_MAX_BYTES / (1024 * 1024));
        return FO_ERR_INPUT;
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        (void)fprintf(stderr, "folio: out of memory in libyaml\n");
        abort();
    }
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    bool done = false;
    int ndocs = 0;
    while (!done && step(&b, &p, &done, &ndocs))
        ;
    yaml_parser_delete(&p);
    while (b.sp > 0) { /* stopped early: free the open frames */
        frame *f = &b.stack[--b.sp];
        free(f->items);
        free(f->pairs);
    }
    if (b.errors)
        return FO_ERR_INPUT;
    if (!b.root || fo_node_is_null(b.root)) {
        err(&b, (fo_pos){b.file, 1, 1}, "the file is empty");
        return FO_ERR_INPUT;
    }
    *root = b.root;
    return FO_OK;
}

fo_status fo_source_load_file(const char *path, const char *display_name,
                              fo_arena *a, fo_diags *d, fo_node **root)
{
    fo_source_budget budget = fo_source_budget_full("in one file");
    return fo_source_load_file_budget(path, display_name, a, d, &budget, root);
}

fo_status fo_source_load_file_budget(const char *path, const char *display_name,
                                     fo_arena *a, fo_diags *d,
                                     fo_source_budget *budget, fo_node **root)
{
    char *text;
    size_t len;
    *root = NULL;
    fo_status st =
        fo_file_read(path, (size_t)FO_SOURCE_MAX_BYTES + 1, &text, &len);
    if (st == FO_ERR_LIMIT) {
        fo_error(d, (fo_pos){display_name, 0, 0},
                 "the file is larger than %d MiB",
                 FO_SOURCE_MAX_BYTES / (1024 * 1024));
        return FO_ERR_INPUT;
    }
    if (st != FO_OK)
        return st;
    st = fo_source_load_string_budget(text, len, display_name, a, d, budget,
                                      root);
    free(text);
    return st;
}

/* Recursion is bounded: a tree is at most FO_SOURCE_MAX_DEPTH deep. */
fo_node *fo_node_copy(fo_arena *a, const fo_node *n)
{
    if (!n)
        return NULL;
    fo_node *c = fo_arena_alloc(a, sizeof *c);
    *c = *n;
    c->str = fo_arena_strndup(a, n->str, n->len);
    if (n->kind == FO_NODE_SEQ) {
        // NOLINTNEXTLINE(bugprone-sizeof-expression): pointers are meant
        c->items = fo_arena_alloc(a, sizeof *c->items * (size_t)n->n);
        for (int i = 0; i < n->n; i++)
            c->items[i] = fo_node_copy(a, n->items[i]);
    } else if (n->kind == FO_NODE_MAP) {
        c->pairs = fo_arena_alloc(a, sizeof *c->pairs * (size_t)n->n);
        for (int i = 0; i < n->n; i++)
            c->pairs[i] = (fo_pair){fo_node_copy(a, n->pairs[i].key),
                                    fo_node_copy(a, n->pairs[i].value)};
    }
    return c;
}

bool fo_node_is_null(const fo_node *n)
{
    if (!n || n->kind != FO_NODE_SCALAR || n->style != FO_SCALAR_PLAIN)
        return false;
    return n->len == 0 || strcmp(n->str, "~") == 0 ||
           strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
           strcmp(n->str, "NULL") == 0;
}

const char *fo_node_describe(const fo_node *n)
{
    if (!n || fo_node_is_null(n))
        return "an empty value";
    switch (n->kind) {
    case FO_NODE_SEQ:
        return "a sequence";
    case FO_NODE_MAP:
        return "a mapping";
    default:
        return "a string";
    }
}

fo_node *fo_node_get(const fo_node *map, const char *key)
{
    if (!map || map->kind != FO_NODE_MAP)
        return NULL;
    for (int i = 0; i < map->n; i++)
        if (fo_node_is(map->pairs[i].key, key))
            return map->pairs[i].value;
    return NULL;
}

bool fo_node_is(const fo_node *n, const char *s)
{
    return n && n->kind == FO_NODE_SCALAR && strlen(s) == n->len &&
           memcmp(n->str, s, n->len) == 0;
}
