/* read — typed values out of a source node tree (read.h): the one place
 * where model/ decides what a number, a whole number, a boolean, a text,
 * a choice, a length, a colour and a path look like in YAML, and what it
 * says when a value is not one.
 *
 * Numbers are checked against folio's own grammar before they are
 * converted, because YAML's and the C library's are wider than a user
 * means: strtod alone takes 0x10, 1e3, inf and nan, which a template once
 * accepted for a type size while the publication refused them
 * (tests/errors/bad-number-*). Only then does strtod convert, for its
 * correct rounding; folio never calls setlocale, so the decimal point is
 * always '.'. */
#include "model/read.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_private.h"

const char *fo_read_found(const fo_node *v, char *buf)
{
    if (v->kind != FO_NODE_SCALAR || fo_node_is_null(v))
        return fo_node_describe(v);
    int n = 0; /* at most 40 bytes, never half a character */
    while (v->str[n] && n < 40)
        n++;
    while (n > 0 && ((unsigned char)v->str[n] & 0xC0) == 0x80)
        n--;
    (void)snprintf(buf, FO_READ_FOUND_MAX, "'%.*s'", n, v->str);
    return buf;
}

bool fo_read_is_scalar(const fo_node *v)
{
    return v->kind == FO_NODE_SCALAR && !fo_node_is_null(v);
}

bool fo_read_is_string(const fo_node *v)
{
    return fo_read_is_scalar(v) && strlen(v->str) == v->len;
}

bool fo_read_parse_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    int digits = 0, points = 0;
    for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
        if (*p == '.')
            points++;
        else
            digits++;
    }
    if (*p || digits == 0 || points > 1)
        return false;
    *out = strtod(s, NULL);
    return true;
}

/* "found X" for a value that should have been a number or a boolean:
 * quoted, "10" is a string, which the user may not see at a glance. */
static const char *found_plain(const fo_node *v, char *buf)
{
    const char *f = fo_read_found(v, buf);
    if (f == buf &&
        (v->style == FO_SCALAR_SINGLE || v->style == FO_SCALAR_DOUBLE)) {
        size_t n = strlen(buf);
        (void)snprintf(buf + n, FO_READ_FOUND_MAX - n, " in quotes");
    }
    return f;
}

/* A plain scalar that is a number; quoted "10" is a string. */
static bool plain_number(const fo_node *v, double *out)
{
    return fo_read_is_string(v) && v->style == FO_SCALAR_PLAIN &&
           fo_read_parse_number(v->str, out);
}

bool fo_read_number(fo_diags *d, const fo_node *v, const char *key, double *out)
{
    if (plain_number(v, out))
        return true;
    char buf[FO_READ_FOUND_MAX];
    fo_error(d, v->pos, "'%s' must be a number, found %s", key,
             found_plain(v, buf));
    return false;
}

bool fo_read_in_range(fo_diags *d, const fo_node *v, const char *key,
                      fo_read_range r, double *out)
{
    double x = 0;
    if (!fo_read_number(d, v, key, &x))
        return false;
    if ((r.lo_open ? x > r.lo : x >= r.lo) && x <= r.hi) {
        *out = x;
        return true;
    }
    char buf[FO_READ_FOUND_MAX];
    const char *f = found_plain(v, buf);
    if (r.hi < HUGE_VAL && r.lo_open)
        fo_error(d, v->pos,
                 "'%s' must be greater than %g and at most %g, found %s", key,
                 r.lo, r.hi, f);
    else if (r.hi < HUGE_VAL)
        fo_error(d, v->pos, "'%s' must be between %g and %g, found %s", key,
                 r.lo, r.hi, f);
    else if (r.lo_open)
        fo_error(d, v->pos, "'%s' must be greater than %g, found %s", key, r.lo,
                 f);
    else if (r.lo == 0)
        fo_error(d, v->pos, "'%s' must not be negative, found %s", key, f);
    else
        fo_error(d, v->pos, "'%s' must be at least %g, found %s", key, r.lo, f);
    return false;
}

bool fo_read_mm(fo_diags *d, const fo_node *v, const char *key, fo_read_range r,
                double *pt)
{
    double mm = 0;
    if (!fo_read_in_range(d, v, key, r, &mm))
        return false;
    *pt = mm * FO_PT_PER_MM;
    return true;
}

bool fo_read_int(fo_diags *d, const fo_node *v, const char *key, int lo, int hi,
                 int *out)
{
    assert(lo <= hi);
    bool ok = fo_read_is_string(v) && v->style == FO_SCALAR_PLAIN;
    const char *p = ok ? v->str : "";
    if (*p == '-' || *p == '+')
        p++;
    size_t digits = strspn(p, "0123456789");
    ok = ok && digits > 0 && digits <= 10 && p[digits] == 0;
    long long x = ok ? strtoll(v->str, NULL, 10) : 0;
    if (ok && x >= lo && x <= hi) {
        *out = (int)x;
        return true;
    }
    char buf[FO_READ_FOUND_MAX];
    if (hi == FO_READ_INT_MAX && !(ok && x > hi))
        fo_error(d, v->pos,
                 "'%s' must be a whole number of at least %d, found %s", key,
                 lo, found_plain(v, buf));
    else
        fo_error(d, v->pos,
                 "'%s' must be a whole number from %d to %d, found %s", key, lo,
                 hi, found_plain(v, buf));
    return false;
}

bool fo_read_parse_bool(const fo_node *v, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    if (v->kind == FO_NODE_SCALAR && v->style == FO_SCALAR_PLAIN)
        for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
            if (fo_node_is(v, yes[i]) || fo_node_is(v, no[i])) {
                *out = fo_node_is(v, yes[i]);
                return true;
            }
    return false;
}

bool fo_read_bool(fo_diags *d, const fo_node *v, const char *key, int *out)
{
    if (fo_read_parse_bool(v, out))
        return true;
    char buf[FO_READ_FOUND_MAX];
    fo_error(d, v->pos, "'%s' must be true or false, found %s", key,
             found_plain(v, buf));
    return false;
}

bool fo_read_text(fo_diags *d, const fo_node *v, const char *key,
                  const char **out)
{
    if (fo_read_is_string(v) && v->len > 0) {
        *out = v->str;
        return true;
    }
    char buf[FO_READ_FOUND_MAX];
    fo_error(d, v->pos, "'%s' must be a string, found %s", key,
             fo_read_found(v, buf));
    return false;
}

bool fo_read_path(fo_diags *d, const fo_node *v, const char *key,
                  const char **out)
{
    if (v->kind == FO_NODE_SCALAR && strlen(v->str) != v->len) {
        fo_error(d, v->pos, "'%s': a path cannot contain the NUL character",
                 key);
        return false;
    }
    if (fo_read_is_string(v) && v->len > 0) {
        *out = v->str;
        return true;
    }
    char buf[FO_READ_FOUND_MAX];
    fo_error(d, v->pos, "'%s' must be a file path, found %s", key,
             fo_read_found(v, buf));
    return false;
}

int fo_read_enum(fo_diags *d, const fo_node *v, const char *key,
                 const char *const *names)
{
    if (fo_read_is_string(v))
        for (int i = 0; names[i]; i++)
            if (fo_node_is(v, names[i]))
                return i;
    fo_buf said; /* "a, b or c" */
    fo_buf_init(&said, 0);
    for (int i = 0; names[i]; i++)
        fo_model_put(&said,
                     i == 0         ? ""
                     : names[i + 1] ? ", "
                                    : " or ",
                     names[i]);
    char buf[FO_READ_FOUND_MAX];
    const char *hint =
        fo_read_is_string(v) ? fo_model_hint(v->str, names) : NULL;
    if (!fo_read_is_string(v))
        fo_error(d, v->pos, "'%s' must be %s, found %s", key, said.data,
                 fo_read_found(v, buf));
    else if (hint)
        fo_error(d, v->pos, "'%s' must be %s, not '%s' — did you mean '%s'?",
                 key, said.data, v->str, hint);
    else
        fo_error(d, v->pos, "'%s' must be %s, not '%s'", key, said.data,
                 v->str);
    fo_buf_free(&said);
    return -1;
}

/* ---- colours --------------------------------------------------------- */

/* n numbers from 0 to 100 (percent) into out[0..n) as 0..1. */
static bool percents(const fo_node *v, int n, double *out)
{
    if (v->kind != FO_NODE_SEQ || v->n != n)
        return false;
    for (int i = 0; i < n; i++) {
        double p = 0;
        if (!plain_number(v->items[i], &p) || !(p >= 0 && p <= 100))
            return false;
        out[i] = p / 100.0;
    }
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_rgb(const fo_node *v, double *rgb)
{
    if (v->kind == FO_NODE_SEQ)
        return percents(v, 3, rgb);
    if (!fo_read_is_string(v) || v->len != 7 || v->str[0] != '#')
        return false;
    for (int i = 0; i < 3; i++) {
        int hi = hexval(v->str[1 + 2 * i]), lo = hexval(v->str[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return false;
        rgb[i] = (hi * 16 + lo) / 255.0;
    }
    return true;
}

bool fo_read_color(fo_diags *d, const fo_node *v, const char *name,
                   fo_color *out)
{
    static const char *const keys[] = {"cmyk", "rgb", NULL};
    char buf[FO_READ_FOUND_MAX];
    if (v->kind != FO_NODE_MAP) {
        fo_error(d, v->pos, "swatch '%s' must be a mapping, found %s", name,
                 fo_read_found(v, buf));
        return false;
    }
    fo_buf where;
    fo_buf_init(&where, 0);
    fo_model_put(&where, "in swatch '", name);
    fo_model_put(&where, "'", "");
    double cmyk[4] = {0}, rgb[3] = {0};
    bool has_cmyk = false, has_rgb = false, bad = false;
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *x = v->pairs[k].value;
        if (fo_node_is(key, "cmyk")) {
            has_cmyk = percents(x, 4, cmyk);
            if (!has_cmyk) {
                fo_error(d, x->pos,
                         "'cmyk' must be 4 numbers from 0 to 100 (percent), "
                         "such as [0, 90, 85, 30]");
                bad = true;
            }
        } else if (fo_node_is(key, "rgb")) {
            has_rgb = parse_rgb(x, rgb);
            if (!has_rgb) {
                fo_error(d, x->pos,
                         "'rgb' must be \"#rrggbb\" or 3 numbers from 0 to "
                         "100 (percent), found %s",
                         fo_read_found(x, buf));
                bad = true;
            }
        } else {
            fo_model_unknown_key(d, key, where.data, keys);
            bad = true;
        }
    }
    fo_buf_free(&where);
    if (!has_cmyk && !has_rgb) {
        if (!bad)
            fo_error(d, v->pos, "swatch '%s' needs 'cmyk', 'rgb' or both",
                     name);
        return false;
    }
    if (!has_rgb) { /* naive conversion; give both for a faithful screen */
        for (int i = 0; i < 3; i++)
            rgb[i] = (1 - cmyk[i]) * (1 - cmyk[3]);
    }
    if (!has_cmyk) {
        double mx = fmax(rgb[0], fmax(rgb[1], rgb[2]));
        cmyk[3] = 1 - mx;
        for (int i = 0; i < 3; i++)
            cmyk[i] = mx > 0 ? (mx - rgb[i]) / mx : 0;
    }
    *out = (fo_color){cmyk[0], cmyk[1], cmyk[2], cmyk[3],
                      rgb[0],  rgb[1],  rgb[2],  !has_cmyk};
    return true;
}
