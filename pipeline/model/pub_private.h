/* The publication loader's internals shared by its files: model.c (the
 * publication, its sections, texts, includes and values) and
 * model_blocks.c (the blocks of a section). */
#ifndef FO_PUB_PRIVATE_H
#define FO_PUB_PRIVATE_H

#include <stdbool.h>

#include "model/model.h"
#include "source/source.h"

/* How deep includes may nest. */
enum { FO_ML_MAX_DEPTH = 16 };

/* A growing array (malloc'd until moved into an arena). */
typedef struct fo_ml_vec {
    void *items;
    size_t n, cap;
} fo_ml_vec;

/* The loader's state while a publication is read. */
typedef struct fo_ml {
    fo_pub *pub;
    fo_arena *a; /* the publication's: what the model keeps */
    fo_diags *d;
    bool editions_ok;    /* texts can be checked against pub->editions */
    char *editions_list; /* "vi, en", for messages */
    /* files being read, outermost first: canonical and display names (in
     * the publication's arena: the model's positions point at them), and
     * the scratch arena that holds each one's node tree until it is left */
    char *real[FO_ML_MAX_DEPTH + 1];
    const char *shown[FO_ML_MAX_DEPTH + 1];
    fo_arena *tree[FO_ML_MAX_DEPTH + 1];
    int depth;
    int nincludes; /* includes counted by count_includes */
    long long total_bytes;
    bool over;               /* past an include limit: enter no more */
    fo_source_budget budget; /* values and aliases, for all the files */
} fo_ml;

/* Appends a zeroed item of size bytes to v and returns it (valid until the
 * next push). */
void *fo_ml_vec_push(fo_ml_vec *v, size_t size);
/* Moves v's items into arena a (v is emptied). */
void *fo_ml_vec_to_arena(fo_arena *a, fo_ml_vec *v, size_t size);

/* A text (one string, or a mapping edition → string) into *out. */
void fo_ml_load_text(fo_ml *L, const fo_node *n, fo_text *out);
/* The text of a p, h2 or h3: a text, or { text, lang }. */
void fo_ml_load_block_text(fo_ml *L, const fo_node *n, fo_text *out);
/* An image path (what: the key), resolved against the file being read. */
void fo_ml_load_image(fo_ml *L, const fo_node *v, const char *what,
                      fo_image_ref *out);
/* focus: [x, y], each 0..1. */
void fo_ml_load_focus(fo_ml *L, const fo_node *v, double *x, double *y);

/* Index of key in allowed, or -1 after reporting it as unknown where. */
int fo_ml_key_index(fo_ml *L, const fo_node *key, const char *where,
                    const char *const *allowed);
/* "missing 'K' WHERE" for each required key that map lacks. */
void fo_ml_check_required(fo_ml *L, const fo_node *map,
                          const char *const *required, const char *where,
                          const char *const *allowed);
/* Whether v is a mapping; else "WHAT is a mapping (KEYS), found X". */
bool fo_ml_expect_map(fo_ml *L, const fo_node *v, const char *what,
                      const char *keys);

/* Reads and enters the file an include names (left with
 * fo_ml_leave_include); NULL after reporting why not. */
const fo_node *fo_ml_enter_include(fo_ml *L, const fo_node *v);
void fo_ml_leave_include(fo_ml *L);

/* model_qr.c: a QR code mapping (what: "a QR code", for messages), the
 * publication's `campaign:` and `back_cover:`. */
const fo_qr *fo_ml_load_qr(fo_ml *L, const fo_node *n, const char *what);
void fo_ml_load_campaign(fo_ml *L, const fo_node *v);
void fo_ml_load_back_cover(fo_ml *L, const fo_node *n);
/* The publication's keys for its front and back matter and its reach:
 * short_title, contents, campaign, back_cover, and cover when it is a
 * boolean (`cover: false`). Whether key was one of them (then loaded). */
bool fo_ml_load_front_key(fo_ml *L, const fo_node *key, const fo_node *v);

/* model_blocks.c: the blocks of sequence seq, appended to blocks. */
void fo_ml_load_blocks(fo_ml *L, const fo_node *seq, fo_ml_vec *blocks);

#endif
