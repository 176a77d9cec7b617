/* model_qr — what the publication says about reaching its readers and
 * about its front and back matter: the `qr:` block and the back cover's
 * QR code, `campaign:` (the query parameters that tag every outbound link
 * and QR URL, so that web analytics count visits per edition and
 * channel), `back_cover:`, `cover: false`, `contents:` and `short_title`
 * (docs/content.md, qr, Front and back matter, Campaign tagging). Checked
 * key by key like every block (model.c's contract); the tagging itself is
 * fo_campaign_tag, a pure function of the publication, the edition and
 * the channel. */
#include <stdbool.h>
#include <string.h>

#include "model/model_private.h"
#include "model/pub_private.h"
#include "model/read.h"

/* The longest URL a QR code takes: libqrencode's version 40 at level L
 * holds 2953 bytes; tagging adds a hundred or so, and a code that dense
 * needs a poster to scan. */
enum { MAX_QR_URL = 1000, MAX_PARAMS = 32 };

/* 10 mm is the smallest symbol phones read at arm's length; 200 mm is a
 * poster. */
#define QR_MIN_MM 10.0
#define QR_MAX_MM 200.0
#define QR_DEFAULT_MM 25.0

/* ---- the URL --------------------------------------------------------- */

/* Whether s is a URL a QR code may carry: http:// or https://, then
 * printable ASCII without spaces (a URL with other characters is written
 * percent-encoded). */
static bool url_ok(fo_ml *L, const fo_node *v, const char *s)
{
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) {
        fo_error(L->d, v->pos,
                 "a QR code's URL must start with http:// or https://");
        return false;
    }
    size_t n = strlen(s);
    if (n > MAX_QR_URL) {
        fo_error(L->d, v->pos,
                 "a QR code's URL is at most %d characters, found %zu",
                 MAX_QR_URL, n);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
            fo_error(L->d, v->pos,
                     "a QR code's URL cannot contain spaces or non-ASCII "
                     "characters (percent-encode them)");
            return false;
        }
    return true;
}

/* `url:` — one string for every edition, or a mapping edition → string
 * (a page per language). Not inline markup: '~' and '*' are common in
 * URLs. */
static void load_url(fo_ml *L, const fo_node *v, fo_qr *qr)
{
    const fo_pub *pub = L->pub;
    qr->url_pos = v->pos;
    const char *s = NULL;
    if (v->kind != FO_NODE_MAP) {
        if (!fo_read_text(L->d, v, "url", &s) || !url_ok(L, v, s))
            return;
        const char *u = fo_arena_strdup(L->a, s);
        for (int i = 0; i < pub->neditions; i++)
            qr->url[i] = u;
        return;
    }
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *val = v->pairs[k].value;
        int ed = fo_pub_edition(pub, key->str);
        if (L->editions_ok && ed < 0) {
            fo_error(L->d, key->pos,
                     "'%s' is not an edition of this publication "
                     "(editions: %s)",
                     key->str, L->editions_list);
            continue;
        }
        if (fo_read_text(L->d, val, "url", &s) && url_ok(L, val, s) && ed >= 0)
            qr->url[ed] = fo_arena_strdup(L->a, s);
    }
    for (int i = 0; L->editions_ok && i < pub->neditions; i++)
        if (!fo_node_get(v, pub->editions[i]))
            fo_error(L->d, v->pos, "missing '%s' URL (editions: %s)",
                     pub->editions[i], L->editions_list);
}

/* ---- qr -------------------------------------------------------------- */

static const char *const qr_keys[] = {"url", "size", "caption", "level", NULL};

const fo_qr *fo_ml_load_qr(fo_ml *L, const fo_node *n, const char *what)
{
    fo_qr *qr = fo_arena_alloc(L->a, sizeof *qr);
    qr->size = fo_mm_to_pt(QR_DEFAULT_MM);
    qr->level = FO_QR_M;
    qr->url_pos = n->pos;
    if (!fo_ml_expect_map(L, n, what, "url, size, caption, level"))
        return qr;
    char where[64];
    (void)snprintf(where, sizeof where, "in %s", what);
    static const char *const required[] = {"url", NULL};
    fo_ml_check_required(L, n, required, where, qr_keys);
    static const char *const levels[] = {"L", "M", "Q", "H", NULL};
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        double mm = 0;
        int i;
        switch (fo_ml_key_index(L, n->pairs[k].key, where, qr_keys)) {
        case 0:
            load_url(L, v, qr);
            break;
        case 1:
            if (fo_read_in_range(L->d, v, "size",
                                 (fo_read_range){QR_MIN_MM, false, QR_MAX_MM},
                                 &mm))
                qr->size = fo_mm_to_pt(mm);
            break;
        case 2:
            fo_ml_load_text(L, v, &qr->caption);
            break;
        case 3:
            if ((i = fo_read_enum(L->d, v, "level", levels)) >= 0)
                qr->level = (fo_qr_level)i;
            break;
        default:
            break;
        }
    }
    return qr;
}

/* ---- campaign -------------------------------------------------------- */

static const char *const placeholders[] = {"{slug}", "{year}", "{edition}",
                                           "{channel}", NULL};

/* Whether every {…} in value is a placeholder tagging knows. */
static bool value_ok(fo_ml *L, const fo_node *v, const char *value)
{
    for (const char *s = strchr(value, '{'); s; s = strchr(s + 1, '{')) {
        bool known = false;
        for (int i = 0; placeholders[i] && !known; i++)
            known = strncmp(s, placeholders[i], strlen(placeholders[i])) == 0;
        if (!known) {
            const char *e = strchr(s, '}');
            int len = e ? (int)(e - s + 1) : (int)strlen(s);
            fo_error(L->d, v->pos,
                     "'%.*s' is not a campaign placeholder (use {slug}, "
                     "{year}, {edition} or {channel})",
                     len, s);
            return false;
        }
    }
    return true;
}

/* A query parameter's name: letters, digits, '_', '-' and '.', so that it
 * needs no encoding. */
static bool name_ok(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

void fo_ml_load_campaign(fo_ml *L, const fo_node *v)
{
    fo_campaign *c = &L->pub->campaign;
    static const fo_campaign_param defaults[] = {{"utm_source", "{slug}"},
                                                 {"utm_medium", "{channel}"},
                                                 {"utm_campaign", "{year}"},
                                                 {"utm_content", "{edition}"}};
    int on = 0;
    if (v->kind != FO_NODE_MAP) {
        if (!fo_read_parse_bool(v, &on)) {
            fo_error(L->d, v->pos,
                     "'campaign' must be true, false or a mapping of query "
                     "parameters to values, found %s",
                     fo_node_describe(v));
            return;
        }
        c->on = on;
        c->params = defaults;
        c->n = on ? 4 : 0;
        return;
    }
    /* The defaults, then the mapping in file order: a name given again
     * replaces its value, `false` drops it, a new name is added. */
    fo_campaign_param p[MAX_PARAMS + 4];
    int n = 4;
    memcpy(p, defaults, sizeof defaults);
    for (int k = 0; k < v->n; k++) {
        const fo_node *key = v->pairs[k].key, *val = v->pairs[k].value;
        if (!name_ok(key->str)) {
            fo_error(L->d, key->pos,
                     "'%s' is not a query parameter name (letters, digits, "
                     "'_', '-' and '.')",
                     key->str);
            continue;
        }
        int at = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(p[i].name, key->str) == 0)
                at = i;
        int b = 1;
        if (fo_read_parse_bool(val, &b) && !b) {
            if (at >= 0)
                memmove(&p[at], &p[at + 1], sizeof *p * (size_t)(n - at - 1));
            n -= at >= 0;
            continue;
        }
        const char *s = NULL;
        if (!fo_read_text(L->d, val, key->str, &s) || !value_ok(L, val, s))
            continue;
        if (at < 0 && n == MAX_PARAMS + 4) {
            fo_error(L->d, key->pos, "a campaign has at most %d parameters",
                     MAX_PARAMS);
            continue;
        }
        if (at < 0)
            at = n++;
        p[at] = (fo_campaign_param){fo_arena_strdup(L->a, key->str),
                                    fo_arena_strdup(L->a, s)};
    }
    fo_campaign_param *keep = fo_arena_alloc(L->a, sizeof *keep * (size_t)n);
    memcpy(keep, p, sizeof *keep * (size_t)n);
    c->on = 1;
    c->params = keep;
    c->n = n;
}

/* ---- back cover ------------------------------------------------------ */

static const char *const back_keys[] = {"text", "logo", "qr", "address", NULL};

void fo_ml_load_back_cover(fo_ml *L, const fo_node *n)
{
    fo_back_cover *bc = fo_arena_alloc(L->a, sizeof *bc);
    bc->pos = n->pos;
    if (!fo_ml_expect_map(L, n, "the back cover", "text, logo, qr, address"))
        return;
    for (int k = 0; k < n->n; k++) {
        const fo_node *v = n->pairs[k].value;
        switch (fo_ml_key_index(L, n->pairs[k].key, "in the back cover",
                                back_keys)) {
        case 0:
            fo_ml_load_text(L, v, &bc->text);
            break;
        case 1:
            fo_ml_load_image(L, v, "logo", &bc->logo);
            break;
        case 2:
            bc->qr = fo_ml_load_qr(L, v, "the back cover's QR code");
            break;
        case 3:
            fo_ml_load_text(L, v, &bc->address);
            break;
        default:
            break;
        }
    }
    L->pub->back_cover = bc;
}

bool fo_ml_load_front_key(fo_ml *L, const fo_node *key, const fo_node *v)
{
    fo_pub *pub = L->pub;
    int on = 1;
    if (fo_node_is(key, "cover") && fo_read_parse_bool(v, &on))
        pub->no_cover = !on; /* `cover: false`: no cover page */
    else if (fo_node_is(key, "short_title"))
        fo_ml_load_text(L, v, &pub->short_title);
    else if (fo_node_is(key, "contents"))
        pub->no_contents = fo_read_bool(L->d, v, "contents", &on) && !on;
    else if (fo_node_is(key, "campaign"))
        fo_ml_load_campaign(L, v);
    else if (fo_node_is(key, "back_cover"))
        fo_ml_load_back_cover(L, v);
    else
        return false;
    return true;
}

/* ---- tagging --------------------------------------------------------- */

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

/* value with its placeholders replaced, percent-encoded (RFC 3986: all
 * but the unreserved characters), appended to b. */
static void put_value(fo_buf *b, const char *value, const fo_pub *pub, int ed,
                      const char *channel)
{
    char year[16] = "";
    if (pub->year > 0)
        (void)snprintf(year, sizeof year, "%d", pub->year);
    const char *subst[] = {pub->slug, year, pub->editions[ed], channel};
    for (const char *s = value; *s;) {
        const char *v = NULL;
        for (int i = 0; placeholders[i] && !v; i++)
            if (strncmp(s, placeholders[i], strlen(placeholders[i])) == 0) {
                v = subst[i];
                s += strlen(placeholders[i]);
            }
        const char *src = v ? v : s;
        size_t n = v ? strlen(v) : 1;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)src[i];
            char hex[4];
            if (unreserved(c)) {
                fo_model_put(b, "", (char[]){(char)c, 0});
            } else {
                (void)snprintf(hex, sizeof hex, "%%%02X", c);
                fo_model_put(b, "", hex);
            }
        }
        if (!v)
            s++;
    }
}

/* Whether the query q[0..n) has a parameter called name. */
static bool has_param(const char *q, size_t n, const char *name)
{
    size_t k = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j - i >= k && strncmp(q + i, name, k) == 0 &&
            (j - i == k || q[i + k] == '='))
            return true;
        i = j + 1;
    }
    return false;
}

const char *fo_campaign_tag(const fo_pub *pub, int ed, const char *channel,
                            const char *url, fo_arena *a)
{
    const fo_campaign *c = &pub->campaign;
    if (!c->on || c->n == 0 ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return url;
    /* base?query#fragment: the parameters go at the end of the query, the
     * fragment stays last (a browser never sends it to the server). */
    const char *hash = strchr(url, '#');
    size_t base_n = hash ? (size_t)(hash - url) : strlen(url);
    const char *q = memchr(url, '?', base_n);
    size_t qn = q ? base_n - (size_t)(q + 1 - url) : 0;
    fo_buf b;
    fo_buf_init(&b, 0);
    fo_status st = fo_buf_append(&b, url, base_n);
    char sep = !q ? '?' : (qn == 0 || url[base_n - 1] == '&') ? 0 : '&';
    for (int i = 0; i < c->n && st == FO_OK; i++) {
        /* the URL's own value wins: it was written on purpose */
        if (q && has_param(q + 1, qn, c->params[i].name))
            continue;
        fo_buf v;
        fo_buf_init(&v, 0);
        put_value(&v, c->params[i].value, pub, ed, channel);
        if (v.len > 0) {
            if (sep)
                st = fo_buf_append(&b, &sep, 1);
            sep = '&';
            if (st == FO_OK)
                st = fo_buf_printf(&b, "%s=%s", c->params[i].name, v.data);
        }
        fo_buf_free(&v);
    }
    if (st == FO_OK && hash)
        st = fo_buf_puts(&b, hash);
    const char *out =
        st == FO_OK && b.data ? fo_arena_strndup(a, b.data, b.len) : url;
    fo_buf_free(&b);
    return out;
}
