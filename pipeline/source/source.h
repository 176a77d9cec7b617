/* source — one YAML file as a tree of nodes, each with its file:line:col.
 *
 * This is the only module that sees libyaml. It reads a file (up to
 * FO_SOURCE_MAX_BYTES) in UTF-8 (a byte order mark is skipped; UTF-16 and
 * UTF-32 are refused by name), checks the limits below, refuses aliases,
 * several documents and duplicate keys, and hands back plain data: scalars,
 * sequences and mappings (keys in file order). Includes are the model's
 * business: source reads exactly one file.
 *
 * Ownership: every node and string lives in the arena passed in and dies
 * with it. Positions (fo_pos.file) borrow the display name the caller
 * passes, which must outlive every position copied out of the tree; a
 * diagnostic keeps its own copy of it. So a loader can parse into a scratch
 * arena, copy out what it keeps (positions included) and free the tree. */
#ifndef FO_SOURCE_H
#define FO_SOURCE_H

#include <stdbool.h>

#include "core/core.h"

enum {
    FO_SOURCE_MAX_BYTES = 16 * 1024 * 1024, /* per file */
    FO_SOURCE_MAX_DEPTH = 64,               /* nested sequences/mappings */
    FO_SOURCE_MAX_NODES = 1 << 20,          /* per budget (see below) */
    FO_SOURCE_MAX_ALIASES = 100             /* alias errors per budget */
};

/* What a set of files may hold together: a publication and all its
 * includes draw on one budget, so that a file included a thousand times
 * cannot multiply what one file may hold. Checked while parsing, before
 * anything else looks at the values. */
typedef struct fo_source_budget {
    int nodes;         /* values left to parse */
    int aliases;       /* aliases left to report; parsing stops after them */
    const char *scope; /* for "more than N values SCOPE" (static) */
} fo_source_budget;

/* A full budget: FO_SOURCE_MAX_NODES values, FO_SOURCE_MAX_ALIASES, for
 * the files of scope ("in one file", "in the publication and its
 * includes"). */
fo_source_budget fo_source_budget_full(const char *scope);

typedef enum fo_node_kind {
    FO_NODE_SCALAR,
    FO_NODE_SEQ,
    FO_NODE_MAP
} fo_node_kind;

/* How a scalar was written: 2025 is plain, "2025" is double-quoted. */
typedef enum fo_scalar_style {
    FO_SCALAR_PLAIN,
    FO_SCALAR_SINGLE,  /* 'text' */
    FO_SCALAR_DOUBLE,  /* "text" */
    FO_SCALAR_LITERAL, /* |  */
    FO_SCALAR_FOLDED   /* >  */
} fo_scalar_style;

typedef struct fo_node fo_node;

/* One entry of a mapping. key is always a scalar. */
typedef struct fo_pair {
    fo_node *key;
    fo_node *value;
} fo_pair;

struct fo_node {
    fo_node_kind kind;
    fo_pos pos; /* where the node starts (a quote or '|' included) */
    /* FO_NODE_SCALAR: the value (UTF-8, NUL-terminated, may hold a NUL
     * written as "\0"), its style, and where its first character sits in
     * the file (after the opening quote; the first content line of a
     * block scalar). */
    const char *str;
    size_t len;
    fo_scalar_style style;
    fo_pos text_pos;
    /* FO_NODE_SEQ: items[0..n); FO_NODE_MAP: pairs[0..n). */
    fo_node **items;
    fo_pair *pairs;
    int n;
};

/* Parses the YAML file at path into *root, reporting errors under
 * display_name (the path as the user would type it; borrowed by every
 * node's positions, not copied). FO_ERR_IO if the file
 * cannot be read (nothing reported: the caller knows the context);
 * FO_ERR_INPUT after reporting syntax errors, limits, duplicate keys,
 * aliases, several documents or an empty file. *root is NULL unless FO_OK. */
FO_WUR fo_status fo_source_load_file(const char *path, const char *display_name,
                                     fo_arena *a, fo_diags *d, fo_node **root);

/* The same for YAML text already in memory (tests, fuzzers). */
FO_WUR fo_status fo_source_load_string(const char *text, size_t len,
                                       const char *display_name, fo_arena *a,
                                       fo_diags *d, fo_node **root);

/* fo_source_load_file and _string drawing on budget b (which they
 * decrease), for files that share one; the two above use a full budget
 * of their own. */
FO_WUR fo_status fo_source_load_file_budget(const char *path,
                                            const char *display_name,
                                            fo_arena *a, fo_diags *d,
                                            fo_source_budget *b,
                                            fo_node **root);
FO_WUR fo_status fo_source_load_string_budget(const char *text, size_t len,
                                              const char *display_name,
                                              fo_arena *a, fo_diags *d,
                                              fo_source_budget *b,
                                              fo_node **root);

/* A deep copy of the tree under n in arena a (NULL for NULL): for the few
 * subtrees a loader keeps after freeing the arena it parsed into. Positions
 * keep borrowing the same display name. */
fo_node *fo_node_copy(fo_arena *a, const fo_node *n);

/* True for a plain scalar that YAML reads as null: empty, ~, null. */
bool fo_node_is_null(const fo_node *n);

/* "a string", "a sequence", "a mapping" or "an empty value", for messages
 * such as "expected a text, found a sequence". Static. */
const char *fo_node_describe(const fo_node *n);

/* The value of key in mapping map, or NULL (also when map is not a
 * mapping). Borrowed from the tree. */
fo_node *fo_node_get(const fo_node *map, const char *key);

/* Whether scalar n's value equals s. */
bool fo_node_is(const fo_node *n, const char *s);

#endif
