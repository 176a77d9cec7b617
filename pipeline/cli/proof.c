/* The preview's files (proof.h): page PNGs drawn by render's PNG renderer,
 * thumbnails, and the proof sheet.
 *
 * A page is redrawn when its hash changes: the hash covers the page's text
 * dump (fo_dl_dump of a one-page view of the document, so fonts by name,
 * every op and colour), its label, and the size and modification time of
 * each image file it draws, since a re-saved image keeps its path. Fonts
 * and templates reach the dump only through what they change in the
 * layout, so the watcher clears the cache when one of them changes.
 *
 * The proof sheet is static HTML with inline CSS and script; it refers to
 * the PNGs by relative names with `?v=<hash>` so that a browser keeps an
 * unchanged page's image and fetches a changed one after a reload. It
 * reloads itself by loading build.js again every second with a <script>
 * element: fetch() and XHR of file:// URLs are blocked in Chromium, a
 * script is not. */
#define _POSIX_C_SOURCE 200809L
#include "proof.h"
#include "cli/gate.h"

#include "render/render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* CSS pixels per point on the proof sheet: an A4 page is 446 px wide. */
#define ZOOM 0.75
/* A proof sheet or its build.js larger than this is a bug. */
#define MAX_HTML ((size_t)64 * 1024 * 1024)

static const fo_pos nopos = {NULL, 0, 0};

/* ---- the cache of page hashes --------------------------------------- */

typedef struct ed_cache {
    char *lang;
    uint64_t *hash;
    size_t npages;
} ed_cache;

struct fo_preview_cache {
    ed_cache ed[FO_MAX_EDITIONS];
    int n;
};

fo_preview_cache *fo_preview_cache_new(void)
{
    return fo_xcalloc(1, sizeof(fo_preview_cache));
}

void fo_preview_cache_clear(fo_preview_cache *c)
{
    for (int i = 0; c && i < c->n; i++) {
        free(c->ed[i].lang);
        free(c->ed[i].hash);
        c->ed[i] = (ed_cache){0};
    }
    if (c)
        c->n = 0;
}

void fo_preview_cache_free(fo_preview_cache *c)
{
    fo_preview_cache_clear(c);
    free(c);
}

static ed_cache *cache_edition(fo_preview_cache *c, const char *lang)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->ed[i].lang, lang) == 0)
            return &c->ed[i];
    if (c->n == FO_MAX_EDITIONS)
        return NULL;
    ed_cache *e = &c->ed[c->n++];
    e->lang = fo_xstrdup(lang);
    return e;
}

/* v's eight bytes, least significant first, into the hash. */
static uint64_t hash_num(uint64_t h, long long v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++, v >>= 8)
        b[i] = (unsigned char)(v & 0xFF);
    return fo_hash(h, b, sizeof b);
}

/* page_hash's walk over a page's images: each image file's path, size
 * and modification time, so that a changed image redraws the page. */
typedef struct image_hash {
    const fo_dl_doc *doc;
    uint64_t h;
} image_hash;

static fo_status hash_image(void *ud, const fo_dl_op *op, size_t i)
{
    image_hash *ih = ud;
    (void)i;
    if (op->kind != FO_DL_IMAGE)
        return FO_OK;
    int idx = op->u.image.image;
    if (idx < 0 || (size_t)idx >= ih->doc->nimages)
        return FO_OK;
    struct stat sb;
    memset(&sb, 0, sizeof sb);
    const char *path = ih->doc->images[idx].path;
    ih->h = fo_hash(ih->h, path, strlen(path));
    if (stat(path, &sb) == 0) {
        ih->h = hash_num(ih->h, (long long)sb.st_size);
        ih->h = hash_num(ih->h, (long long)sb.st_mtim.tv_sec);
        ih->h = hash_num(ih->h, (long long)sb.st_mtim.tv_nsec);
    }
    return FO_OK;
}

/* The hash of page p of doc (see the top of the file); 0 when the dump
 * fails, which no real page hashes to in practice and which forces a
 * redraw. */
static uint64_t page_hash(const fo_dl_doc *doc, size_t p)
{
    fo_dl_doc one = *doc;
    one.pages = &doc->pages[p];
    one.npages = 1;
    fo_buf b;
    fo_buf_init(&b, 0);
    uint64_t h = FO_HASH_SEED;
    if (fo_dl_dump(&one, &b) != FO_OK) {
        fo_buf_free(&b);
        return 0;
    }
    h = fo_hash(h, b.data, b.len);
    fo_buf_free(&b);
    const fo_dl_page *pg = doc->pages[p];
    if (pg->label)
        h = fo_hash(h, pg->label, strlen(pg->label));
    image_hash ih = {doc, h};
    static const fo_dl_walker images = {NULL, hash_image, NULL};
    if (fo_dl_walk(doc, p, &images, &ih) != FO_OK)
        return 0;
    h = ih.h;
    return h ? h : 1;
}

static char *page_name(const fo_pub *pub, int e, size_t p, const char *dir,
                       int thumb)
{
    size_t n = strlen(dir) + strlen(pub->slug) + 64;
    char *s = fo_xmalloc(n);
    (void)snprintf(s, n, "%s/%s%s-%s-%03zu.png", dir, thumb ? "thumbs/" : "",
                   pub->slug, pub->editions[e], p + 1);
    return s;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Draws page p of edition e at both sizes. */
static fo_status draw_page(fo_png_renderer *r, const fo_pub *pub, int e,
                           size_t p, const fo_preview_opts *o, fo_diags *d)
{
    char *path = page_name(pub, e, p, o->out_dir, 0);
    char *thumb = page_name(pub, e, p, o->out_dir, 1);
    fo_status st = fo_png_renderer_page(r, p, o->dpi, path, d);
    if (st == FO_OK)
        st = fo_png_renderer_page(r, p, o->thumb_dpi, thumb, d);
    free(path);
    free(thumb);
    return st;
}

/* Removes the PNGs of pages from..to-1 of edition e (a shorter edition). */
static void remove_pages(const fo_pub *pub, int e, size_t from, size_t to,
                         const char *dir)
{
    for (size_t p = from; p < to; p++) {
        for (int t = 0; t < 2; t++) {
            char *path = page_name(pub, e, p, dir, t);
            (void)remove(path);
            free(path);
        }
    }
}

/* Whether page p of edition e is drawn already with hash h. */
static int page_current(const ed_cache *ec, const fo_pub *pub, int e, size_t p,
                        uint64_t h, const char *dir)
{
    if (!ec || p >= ec->npages || ec->hash[p] != h)
        return 0;
    char *path = page_name(pub, e, p, dir, 0);
    char *thumb = page_name(pub, e, p, dir, 1);
    int keep = file_exists(path) && file_exists(thumb);
    free(path);
    free(thumb);
    return keep;
}

/* The pages of edition e (fo_preview_pages); *changed set when any was
 * drawn, added or removed. */
static fo_status preview_edition(const fo_pub *pub, const fo_dl_doc *doc, int e,
                                 const fo_preview_opts *o,
                                 const fo_png_opts *po, ed_cache *ec,
                                 int *changed, int *rendered, fo_diags *d)
{
    fo_png_renderer *r = fo_png_renderer_new_opts(doc, po, d);
    if (!r)
        return FO_ERR_LIBRARY;
    fo_status st = FO_OK;
    uint64_t *hash = fo_xcalloc(doc->npages ? doc->npages : 1, sizeof *hash);
    unsigned char *draw = fo_xcalloc(doc->npages ? doc->npages : 1, 1);
    /* Every page's hash first, so that whether the edition changed is
     * known before the first page is drawn (o->planned). */
    for (size_t p = 0; p < doc->npages; p++) {
        hash[p] = page_hash(doc, p);
        draw[p] = !page_current(ec, pub, e, p, hash[p], o->out_dir);
        if (draw[p])
            *changed = 1;
    }
    if (ec && ec->npages != doc->npages)
        *changed = 1;
    if (o->planned)
        o->planned(o->planned_ud, e, *changed);
    for (size_t p = 0; p < doc->npages && st == FO_OK; p++) {
        if (!draw[p])
            continue;
        st = draw_page(r, pub, e, p, o, d);
        *rendered += st == FO_OK;
    }
    free(draw);
    fo_png_renderer_free(r);
    if (!ec) {
        free(hash);
        return st;
    }
    if (ec->npages > doc->npages)
        remove_pages(pub, e, doc->npages, ec->npages, o->out_dir);
    free(ec->hash);
    /* Half drawn: draw everything next time. */
    ec->hash = st == FO_OK ? hash : NULL;
    ec->npages = st == FO_OK ? doc->npages : 0;
    if (st != FO_OK)
        free(hash);
    return st;
}

fo_status fo_preview_pages(const fo_pub *pub, fo_dl_doc *const *docs,
                           const fo_preview_opts *o, fo_preview_cache *cache,
                           int *changed, int *rendered, fo_diags *d)
{
    *rendered = 0;
    char *thumbs = fo_path_join(o->out_dir, "thumbs");
    if (mkdir(thumbs, 0777) != 0 && errno != EEXIST) {
        fo_error_path(d, thumbs, "create the folder", errno);
        free(thumbs);
        return FO_ERR_IO;
    }
    free(thumbs);
    fo_png_opts po = {.soft_proof = o->soft_proof,
                      .cmyk_icc = o->cmyk_icc,
                      .srgb_icc = o->srgb_icc,
                      .bleed = o->bleed};
    fo_status st = FO_OK;
    for (int e = 0; e < pub->neditions && st == FO_OK; e++) {
        int ch = 0;
        if (docs[e])
            st = preview_edition(pub, docs[e], e, o, &po,
                                 cache ? cache_edition(cache, pub->editions[e])
                                       : NULL,
                                 &ch, rendered, d);
        if (changed)
            changed[e] = ch;
    }
    return st;
}

/* ---- HTML ------------------------------------------------------------- */

/* An HTML writer that keeps the first failure (a fo_buf over its cap). */
typedef struct html {
    fo_buf b;
    fo_status st;
} html;

static void put(html *h, const char *s)
{
    if (h->st == FO_OK)
        h->st = fo_buf_puts(&h->b, s);
}

static void putf(html *h, const char *fmt, ...) FO_PRINTF(2, 3);

static void putf(html *h, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof small) { /* only short formats here */
        h->st = FO_ERR_LIMIT;
        return;
    }
    put(h, small);
}

/* s as HTML text or attribute value. */
static void put_esc(html *h, const char *s)
{
    for (; s && *s && h->st == FO_OK; s++) {
        switch (*s) {
        case '<':
            put(h, "&lt;");
            break;
        case '>':
            put(h, "&gt;");
            break;
        case '&':
            put(h, "&amp;");
            break;
        case '"':
            put(h, "&quot;");
            break;
        default:
            h->st = fo_buf_append(&h->b, s, 1);
        }
    }
}

/* s as a JavaScript string literal, safe inside <script>. */
static void put_js(html *h, const char *s)
{
    put(h, "\"");
    for (; s && *s && h->st == FO_OK; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            putf(h, "\\%c", c);
        else if (c == '<')
            put(h, "\\u003c");
        else if (c < 0x20)
            putf(h, "\\u%04x", c);
        else
            h->st = fo_buf_append(&h->b, s, 1);
    }
    put(h, "\"");
}

static void put_diag(html *h, const fo_diag *dg)
{
    static const char *const sev[] = {"error", "warning", "note"};
    if (dg->pos.file)
        putf(h, ":%d:%d: ", dg->pos.line, dg->pos.col);
    else
        put(h, "folio: ");
    put(h, sev[dg->sev]);
    put(h, ": ");
}

/* The diagnostic as the CLI prints it, HTML-escaped. */
static void put_diag_text(html *h, const fo_diag *dg)
{
    if (dg->pos.file)
        put_esc(h, dg->file ? dg->file : dg->pos.file);
    put_diag(h, dg);
    put_esc(h, dg->message);
}

/* The edition and page a diagnostic points at: its where (the preflight's
 * and layout's findings), else the image op placed at its position. */
static int find_page(const fo_pub *pub, fo_dl_doc *const *docs,
                     const fo_diag *dg, int *ed, size_t *page)
{
    fo_pos pos = dg->pos;
    if (gate_where_page(pub, docs, &dg->where, ed, page))
        return 1;
    if (!pos.file)
        return 0;
    for (int e = 0; e < pub->neditions; e++) {
        for (size_t p = 0; docs[e] && p < docs[e]->npages; p++) {
            const fo_dl_page *pg = docs[e]->pages[p];
            for (size_t i = 0; i < pg->n; i++) {
                const fo_dl_image *im = &pg->ops[i].u.image;
                if (pg->ops[i].kind == FO_DL_IMAGE && im->pos.file &&
                    im->pos.line == pos.line && im->pos.col == pos.col &&
                    strcmp(im->pos.file, pos.file) == 0) {
                    *ed = e;
                    *page = p;
                    return 1;
                }
            }
        }
    }
    return 0;
}

static const char STYLE[] =
    "<style>\n"
    "body{margin:0;font:14px/1.4 system-ui,sans-serif;background:#6b6b6b;"
    "color:#111}\n"
    "header{position:sticky;top:0;z-index:2;background:#eee;padding:6px 12px;"
    "display:flex;gap:18px;align-items:center;flex-wrap:wrap;"
    "box-shadow:0 1px 4px #0006}\n"
    "header h1{font-size:16px;margin:0}\n"
    "#status{color:#555}#errors{display:none;background:#fdd;color:#600;"
    "padding:6px 12px;white-space:pre-wrap;font-family:monospace}\n"
    "#warnings{background:#fffbe0;margin:0;padding:6px 12px 6px 32px}\n"
    "#warnings a{color:#640}\n"
    ".edition{display:none}.edition.shown{display:block}\n"
    ".thumbs{display:flex;gap:4px;overflow-x:auto;padding:6px 12px;"
    "background:#555}\n"
    ".thumbs img{display:block;background:#fff}\n"
    ".spread{display:flex;justify-content:center;align-items:flex-start;"
    "gap:2px;margin:18px auto}\n"
    ".spread.single{gap:0}\n"
    "figure{margin:0;text-align:center;color:#eee}\n"
    ".page{position:relative}\n"
    ".page img{position:absolute;left:0;top:0;width:100%;height:100%;"
    "clip-path:inset(var(--b));box-shadow:none}\n"
    ".page svg{position:absolute;left:0;top:0;width:100%;height:100%;"
    "display:none;pointer-events:none}\n"
    "body.lines .page img{clip-path:none}\n"
    "body.lines .page svg{display:block}\n"
    ".trim{fill:none;stroke:#e00;stroke-width:1}\n"
    ".bleed{fill:none;stroke:#07f;stroke-width:1;stroke-dasharray:4 3}\n"
    ".page:target{outline:3px solid #fc0}\n"
    "</style>\n";

/* The script: edition switcher, trim/bleed toggle, the state kept across
 * reloads (sessionStorage), and the build.js poll. */
static const char SCRIPT[] =
    "<script>\n"
    "'use strict';\n"
    "var store={};try{store=window.sessionStorage||{};}catch(e){}\n"
    "function show(lang){document.querySelectorAll('.edition').forEach("
    "function(d){d.classList.toggle('shown',d.dataset.lang===lang);});"
    "var r=document.querySelector('input[name=ed][value=\"'+lang+'\"]');"
    "if(r)r.checked=true;store.folioEd=lang;}\n"
    "function lines(on){document.body.classList.toggle('lines',on);"
    "document.getElementById('lines').checked=on;"
    "store.folioLines=on?'1':'';}\n"
    "document.querySelectorAll('input[name=ed]').forEach(function(r){"
    "r.addEventListener('change',function(){show(r.value);});});\n"
    "document.getElementById('lines').addEventListener('change',"
    "function(ev){lines(ev.target.checked);});\n"
    "document.querySelectorAll('a[data-ed]').forEach(function(a){"
    "a.addEventListener('click',function(){show(a.dataset.ed);});});\n"
    "var first=document.querySelector('input[name=ed]');\n"
    "show(store.folioEd&&document.querySelector('.edition[data-lang=\"'+"
    "store.folioEd+'\"]')?store.folioEd:(first?first.value:''));\n"
    "lines(!!store.folioLines);\n"
    "if(store.folioY)window.scrollTo(0,+store.folioY);\n"
    "window.folio_build=function(n,errors){"
    "var box=document.getElementById('errors');"
    "box.textContent=errors.join('\\n');"
    "box.style.display=errors.length?'block':'none';"
    "if(n!==FOLIO_BUILD){store.folioY=String(window.scrollY);"
    "location.reload();}};\n"
    "function poll(){var s=document.createElement('script');"
    "s.src='build.js?t='+Date.now();"
    "s.onload=s.onerror=function(){s.remove();};"
    "document.head.appendChild(s);}\n"
    "setInterval(poll,1000);\n"
    /* A summary on <html> for people and for tests (--dump-dom): images
     * loaded of all, spreads per edition. */
    "window.addEventListener('load',function(){var im=document.images,ok=0;"
    "for(var i=0;i<im.length;i++)if(im[i].complete&&im[i].naturalWidth>0)"
    "ok++;var h=document.documentElement;h.dataset.images=im.length;"
    "h.dataset.imagesLoaded=ok;document.querySelectorAll('.edition')"
    ".forEach(function(d){h.setAttribute('data-spreads-'+d.dataset.lang,"
    "d.querySelectorAll('.spread').length);});"
    "document.getElementById('status').textContent+=' · '+ok+'/'+im.length+"
    "' images';});\n"
    "</script>\n";

static void put_page(html *h, const fo_pub *pub, const fo_dl_doc *doc, int e,
                     size_t p, const fo_preview_opts *o)
{
    const fo_dl_page *pg = doc->pages[p];
    double b = o->bleed && doc->bleed > 0 ? doc->bleed : 0;
    double w = pg->width + 2 * b, hh = pg->height + 2 * b;
    putf(h,
         "<figure><div class=\"page\" id=\"p-%s-%zu\" "
         "style=\"width:%.0fpx;height:%.0fpx;--b:%.2fpx\">",
         pub->editions[e], p + 1, w * ZOOM, hh * ZOOM, b * ZOOM);
    char *name = page_name(pub, e, p, ".", 0);
    putf(h, "<img src=\"%s?v=%016llx\" alt=\"page %zu\">", name + 2,
         (unsigned long long)page_hash(doc, p), p + 1);
    free(name);
    putf(h, "<svg viewBox=\"0 0 %.2f %.2f\" preserveAspectRatio=\"none\">", w,
         hh);
    if (doc->bleed > 0)
        putf(h,
             "<rect class=\"bleed\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
             "height=\"%.2f\" vector-effect=\"non-scaling-stroke\"/>",
             b - doc->bleed + .5, b - doc->bleed + .5,
             pg->width + 2 * doc->bleed - 1, pg->height + 2 * doc->bleed - 1);
    putf(h,
         "<rect class=\"trim\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
         "height=\"%.2f\" vector-effect=\"non-scaling-stroke\"/></svg></div>",
         b, b, pg->width, pg->height);
    putf(h, "<figcaption>%zu", p + 1);
    if (pg->label && strcmp(pg->label, "") != 0) {
        put(h, " · ");
        put_esc(h, pg->label);
    }
    put(h, "</figcaption></figure>");
}

static void put_edition(html *h, const fo_pub *pub, const fo_dl_doc *doc, int e,
                        const fo_preview_opts *o)
{
    putf(h, "<div class=\"edition\" data-lang=\"%s\" lang=\"%s\">\n",
         pub->editions[e], pub->editions[e]);
    put(h, "<nav class=\"thumbs\">");
    for (size_t p = 0; p < doc->npages; p++) {
        char *name = page_name(pub, e, p, ".", 1);
        putf(h,
             "<a href=\"#p-%s-%zu\"><img src=\"%s?v=%016llx\" "
             "alt=\"page %zu\"></a>",
             pub->editions[e], p + 1, name + 2,
             (unsigned long long)page_hash(doc, p), p + 1);
        free(name);
    }
    put(h, "</nav>\n");
    /* The cover alone; then facing pages, even on the left. */
    for (size_t p = 0; p < doc->npages;) {
        size_t n = p == 0 || p + 1 == doc->npages ? 1 : 2;
        putf(h, "<div class=\"spread%s\">", n == 1 ? " single" : "");
        for (size_t i = p; i < p + n; i++)
            put_page(h, pub, doc, e, i, o);
        put(h, "</div>\n");
        p += n;
    }
    put(h, "</div>\n");
}

static fo_status write_status(const char *out_dir, long build_no,
                              const fo_diags *failed)
{
    html h = {.st = FO_OK};
    fo_buf_init(&h.b, MAX_HTML);
    putf(&h, "folio_build(%ld, [", build_no);
    for (size_t i = 0; failed && i < failed->n; i++) {
        html line = {.st = FO_OK};
        fo_buf_init(&line.b, MAX_HTML);
        const fo_diag *dg = &failed->items[i];
        if (dg->pos.file)
            put(&line, dg->file ? dg->file : dg->pos.file);
        put_diag(&line, dg);
        put(&line, dg->message);
        if (line.st == FO_OK && line.b.len) {
            if (i)
                put(&h, ",");
            put_js(&h, line.b.data);
        }
        fo_buf_free(&line.b);
    }
    put(&h, "]);\n");
    char *path = fo_path_join(out_dir, "build.js");
    fo_status st = h.st;
    if (st == FO_OK)
        st = fo_atomic_write_file(path, h.b.data, h.b.len);
    free(path);
    fo_buf_free(&h.b);
    return st;
}

/* Reports why write_status failed (st, with errno err when FO_ERR_IO). */
static void report_status_error(const char *out_dir, fo_status st, int err,
                                fo_diags *d)
{
    char *path = fo_path_join(out_dir, "build.js");
    if (st == FO_ERR_IO)
        fo_error_write(d, path, err);
    else
        fo_error(d, nopos, "%s: the build status is too large", path);
    free(path);
}

fo_status fo_proof_write_status(const char *out_dir, long build_no,
                                const fo_diags *failed, fo_diags *d)
{
    fo_status st = write_status(out_dir, build_no, failed);
    if (st != FO_OK)
        report_status_error(out_dir, st, errno, d);
    return st;
}

fo_status fo_proof_write(const fo_pub *pub, fo_dl_doc *const *docs,
                         const fo_diags *build, const fo_preview_opts *o,
                         long build_no, fo_diags *d)
{
    html h = {.st = FO_OK};
    fo_buf_init(&h.b, MAX_HTML);
    put(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'self' 'unsafe-inline' file:; "
            "connect-src 'none'\">\n<title>Proof: ");
    put_esc(&h, pub->slug);
    put(&h, "</title>\n");
    put(&h, STYLE);
    putf(&h, "<script>var FOLIO_BUILD=%ld;</script>\n", build_no);
    put(&h, "</head>\n<body>\n<header><h1>");
    put_esc(&h, pub->slug);
    put(&h, "</h1><span>");
    for (int e = 0; e < pub->neditions; e++)
        if (docs[e])
            putf(&h,
                 "<label><input type=\"radio\" name=\"ed\" value=\"%s\"> %s "
                 "(%zu pages)</label> ",
                 pub->editions[e], pub->editions[e], docs[e]->npages);
    put(&h, "</span><label><input type=\"checkbox\" id=\"lines\"> trim and "
            "bleed lines</label>");
    putf(&h, "<span id=\"status\">build %ld · %g dpi · %s%s</span>", build_no,
         o->dpi,
         o->soft_proof ? "soft proof (ISO Coated v2 300%)" : "screen RGB",
         o->bleed ? " · bleed shown" : "");
    put(&h, "</header>\n<div id=\"errors\"></div>\n");
    /* Errors appear here only in a --draft build, which writes the proof
     * despite them (their boxes outlined in red on the pages). */
    if (build && build->n) {
        put(&h, "<ol id=\"warnings\">\n");
        for (size_t i = 0; i < build->n; i++) {
            const fo_diag *dg = &build->items[i];
            int e = 0;
            size_t p = 0;
            if (find_page(pub, docs, dg, &e, &p))
                putf(&h, "<li><a href=\"#p-%s-%zu\" data-ed=\"%s\">",
                     pub->editions[e], p + 1, pub->editions[e]);
            else
                put(&h, "<li><a href=\"#warnings\">");
            put_diag_text(&h, dg);
            put(&h, "</a></li>\n");
        }
        put(&h, "</ol>\n");
    }
    put(&h, "<main>\n");
    for (int e = 0; e < pub->neditions; e++)
        if (docs[e])
            put_edition(&h, pub, docs[e], e, o);
    put(&h, "</main>\n");
    put(&h, SCRIPT);
    put(&h, "</body>\n</html>\n");
    fo_status st = h.st;
    char *path = fo_path_join(o->out_dir, "proof.html");
    if (st != FO_OK)
        fo_error(d, nopos, "%s: the proof sheet is too large", path);
    else if ((st = fo_atomic_write_file(path, h.b.data, h.b.len)) != FO_OK)
        fo_error_write(d, path, errno);
    if (st == FO_OK && (st = write_status(o->out_dir, build_no, NULL)) != FO_OK)
        report_status_error(o->out_dir, st, errno, d);
    free(path);
    fo_buf_free(&h.b);
    return st;
}
