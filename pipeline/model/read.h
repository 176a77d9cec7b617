/* read — typed values out of a source node tree, for the publication
 * loader (model.c), the template loader (template*.c) and the style layers
 * (style.c): one reader per kind of value, each with one accepted syntax
 * and one error wording, so that a value is read alike wherever it is
 * written. Internal to model/: nothing outside it sees a node.
 *
 * Every getter returns true and sets *out when v holds a value of its kind
 * (and in its range), else reports at v's position and returns false,
 * leaving *out alone. KEY in the messages is the key the value belongs to,
 * as the user wrote it. "found X" quotes a scalar (its first 40 bytes) or
 * names the kind of node ("a sequence", "a mapping", "an empty value");
 * where a number or a boolean is expected, a quoted scalar is "'10' in
 * quotes", since "10" is a string in YAML. */
#ifndef FO_MODEL_READ_H
#define FO_MODEL_READ_H

#include <math.h>
#include <stdbool.h>

#include "core/core.h"
#include "source/source.h"

/* What "found X" says about v: "'text'" for a scalar, else the kind of
 * node. buf holds at least FO_READ_FOUND_MAX bytes; the result is buf or
 * a static string. */
enum { FO_READ_FOUND_MAX = 64 };
const char *fo_read_found(const fo_node *v, char *buf);

/* Whether v is a scalar that is not null (a text, which may hold a NUL
 * written "\0": markup refuses control characters with their position). */
bool fo_read_is_scalar(const fo_node *v);

/* Whether v is a scalar string (not null) without a NUL byte. */
bool fo_read_is_string(const fo_node *v);

/* Whether s is a number as folio writes them: an optional sign, digits
 * with at most one decimal point (at least one digit): 60, -3, 10.5, .5.
 * No exponent, hexadecimal, inf or nan. *out gets its value. */
bool fo_read_parse_number(const char *s, double *out);

/* A plain number (above). "'KEY' must be a number, found X". */
bool fo_read_number(fo_diags *d, const fo_node *v, const char *key,
                    double *out);

/* The range of a number: lo <= x (lo < x when lo_open) and x <= hi (no
 * upper bound when hi is HUGE_VAL). */
typedef struct fo_read_range {
    double lo;
    bool lo_open;
    double hi;
} fo_read_range;

#define FO_READ_NONNEG ((fo_read_range){0, false, HUGE_VAL})
#define FO_READ_POSITIVE ((fo_read_range){0, true, HUGE_VAL})
#define FO_READ_UNIT ((fo_read_range){0, false, 1})

/* A number in r. Out of range: "'KEY' must be between LO and HI",
 * "'KEY' must be greater than LO and at most HI", "'KEY' must be greater
 * than LO", "'KEY' must not be negative" or "'KEY' must be at least LO",
 * each followed by ", found X". */
bool fo_read_in_range(fo_diags *d, const fo_node *v, const char *key,
                      fo_read_range r, double *out);

/* A length in millimetres in r (which is in millimetres), returned in
 * points. Messages as fo_read_in_range's, in millimetres. */
bool fo_read_mm(fo_diags *d, const fo_node *v, const char *key, fo_read_range r,
                double *pt);

/* The largest count a template may set where it sets no limit of its own
 * (columns, widows, hyphen-min-left…): larger counts are no setting anybody
 * means, and would only feed layout loops. */
enum { FO_READ_INT_MAX = 1000000 };

/* A whole number written as digits with an optional sign, from lo to hi.
 * "'KEY' must be a whole number from LO to HI, found X", or "of at least
 * LO" when hi is FO_READ_INT_MAX and the value is not above it. */
bool fo_read_int(fo_diags *d, const fo_node *v, const char *key, int lo, int hi,
                 int *out);

/* true, True, TRUE, false, False or FALSE, unquoted (the YAML 1.1 core
 * booleans). "'KEY' must be true or false, found X". */
bool fo_read_bool(fo_diags *d, const fo_node *v, const char *key, int *out);
/* The same without reporting: whether v is one of those. */
bool fo_read_parse_bool(const fo_node *v, int *out);

/* A non-empty string without a NUL byte; *out borrows v's. "'KEY' must be
 * a string, found X". */
bool fo_read_text(fo_diags *d, const fo_node *v, const char *key,
                  const char **out);

/* A file path: a non-empty string; *out borrows v's. A NUL byte, at which
 * the file system would silently cut the path: "'KEY': a path cannot
 * contain the NUL character"; else "'KEY' must be a file path, found X". */
bool fo_read_path(fo_diags *d, const fo_node *v, const char *key,
                  const char **out);

/* Index of v's value in names (NULL-terminated), or -1 after reporting
 * "'KEY' must be A, B or C, not 'x'" with " — did you mean 'y'?" when a
 * name is close, or "'KEY' must be A, B or C, found X" for a value that
 * is not a string. */
int fo_read_enum(fo_diags *d, const fo_node *v, const char *key,
                 const char *const *names);

/* A colour as a swatch gives it (docs/templates.md, Swatches): a mapping
 * with `cmyk` (4 percentages), `rgb` ("#rrggbb" or 3 percentages) or both;
 * the one left out is derived naively. name is the swatch's, for messages
 * ("unknown key 'K' in swatch 'NAME'", "swatch 'NAME' needs 'cmyk', 'rgb'
 * or both"). */
bool fo_read_color(fo_diags *d, const fo_node *v, const char *name,
                   fo_color *out);

#endif
