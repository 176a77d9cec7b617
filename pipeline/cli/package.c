/* `package` (cli/impose.h package_run): the handoff folder a print shop
 * gets, and a .tar of it beside it (DIR and DIR.tar):
 *  - the print PDF of every edition, made by the build (build.c, the one
 *    build path), so it is the file `folio build` makes;
 *  - with a binding, the imposed sheets (cli/impose.c) of every edition;
 *  - proofs/: a low-resolution PNG of every page and every sheet side,
 *    soft-proofed (the print's CMYK through the output profile);
 *  - job.json (docs/job.schema.json) and job.html, the job ticket: trim,
 *    bleed, page count, binding, colour and output intent, fonts, every
 *    image with its placed size and effective resolution, the highest
 *    total ink per page, the preflight's findings, the SHA-256 of every
 *    other file.
 * The ticket reads the display list of a second layout of the publication
 * (the build frees each page as it writes it; layout is deterministic, so
 * it is the same), and the output intent and PDF/X version from the PDF
 * the build wrote, so that it says what the file holds.
 *
 * The same inputs give the same bytes (tests/cli/package.sh): nothing in
 * the ticket depends on time, the folder's place or timings, the files
 * are listed in byte order, and the .tar (written with libarchive, ustar)
 * has sorted names, mtime SOURCE_DATE_EPOCH (the build's epoch), uid and
 * gid 0 and fixed modes. */
#define _POSIX_C_SOURCE 200809L
#include "cli/impose.h"
#include "cli/report.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Proof PNGs: enough to see the page, small enough to mail. */
#define PROOF_DPI 36
/* Where the proofs go in the package. */
#define PROOF_DIR "proofs"

/* ---- JSON and HTML text ------------------------------------------------ */

/* s as a JSON string: " \ and control characters escaped. (report.c has
 * its own for the report: each writes one fixed shape.) */
static void json_str(GString *j, const char *s)
{
    if (!s) {
        g_string_append(j, "null");
        return;
    }
    g_string_append_c(j, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(j, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(j, "\\u%04x", *p);
        else
            g_string_append_c(j, (char)*p);
    }
    g_string_append_c(j, '"');
}

static void html_str(GString *h, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            g_string_append(h, "&lt;");
            break;
        case '>':
            g_string_append(h, "&gt;");
            break;
        case '&':
            g_string_append(h, "&amp;");
            break;
        case '"':
            g_string_append(h, "&quot;");
            break;
        default:
            g_string_append_c(h, *s);
        }
    }
}

/* A number with fixed decimals, whatever the locale. */
static void num(GString *j, double v, int dec)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    char fmt[8];
    (void)snprintf(fmt, sizeof fmt, "%%.%df", dec);
    g_string_append(j, g_ascii_formatd(buf, sizeof buf, fmt, v));
}

/* ---- what the ticket says ---------------------------------------------- */

/* The value of the literal string after key (e.g. "/GTS_PDFXVersion") in
 * the PDF's bytes, its escapes undone (libharu writes '/', '%', and
 * parentheses as octal escapes), g_malloc'd, or NULL. The info dictionary
 * and the output intent are plain objects in folio's PDFs. */
static char *pdf_string(const char *data, size_t len, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl < len; i++) {
        if (memcmp(data + i, key, kl) != 0)
            continue;
        size_t a = i + kl;
        while (a < len && data[a] == ' ')
            a++;
        if (a >= len || data[a] != '(')
            continue;
        GString *s = g_string_new(NULL);
        for (size_t b = a + 1; b < len && data[b] != ')'; b++) {
            char c = data[b];
            if (c == '\\' && b + 1 < len) {
                c = data[++b];
                if (c >= '0' && c <= '7') {
                    int v = 0;
                    for (int k = 0;
                         k < 3 && b < len && data[b] >= '0' && data[b] <= '7';
                         k++, b++)
                        v = v * 8 + (data[b] - '0');
                    b--;
                    c = (char)v;
                } else if (c == 'n') {
                    c = '\n';
                }
            }
            g_string_append_c(s, c);
        }
        return g_string_free(s, FALSE);
    }
    return NULL;
}

static const char *binding_name(fo_binding b)
{
    return b == FO_BIND_SADDLE    ? "saddle-stitch"
           : b == FO_BIND_PERFECT ? "perfect"
                                  : "none";
}

/* The total ink of a colour, percent, as the print PDF writes it. */
static double ink(fo_color c)
{
    return 100 * (c.c + c.m + c.y + c.k);
}

/* The highest total ink of page p's text, rules and fills. */
static double page_ink(const fo_dl_page *pg)
{
    double max = 0;
    for (size_t i = 0; i < pg->n; i++) {
        const fo_dl_op *op = &pg->ops[i];
        double v = op->kind == FO_DL_GLYPHS ? ink(op->u.glyphs.color)
                   : op->kind == FO_DL_RECT ? ink(op->u.rect.color)
                   : op->kind == FO_DL_LINE ? ink(op->u.line.color)
                                            : 0;
        if (v > max)
            max = v;
    }
    return max;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The edition's part of the ticket: its PDF's output intent, trim, bleed,
 * pages, fonts, images and ink per page. */
static void json_edition(GString *j, GString *h, const fo_pub *pub, int e,
                         const fo_template *t, const fo_dl_doc *doc,
                         const char *pdf_name, const char *pdf_path)
{
    gchar *data = NULL;
    gsize len = 0;
    char *oci = NULL, *cond = NULL, *pdfx = NULL, *conf = NULL;
    if (g_file_get_contents(pdf_path, &data, &len, NULL)) {
        oci = pdf_string(data, len, "/OutputConditionIdentifier");
        cond = pdf_string(data, len, "/OutputCondition ");
        pdfx = pdf_string(data, len, "/GTS_PDFXVersion");
        conf = pdf_string(data, len, "/GTS_PDFXConformance");
    }
    double w = doc->npages ? doc->pages[0]->width : t->page_w;
    double hh = doc->npages ? doc->pages[0]->height : t->page_h;
    g_string_append(j, "    {\"edition\": ");
    json_str(j, pub->editions[e]);
    g_string_append(j, ", \"pdf\": ");
    json_str(j, pdf_name);
    g_string_append_printf(j, ", \"pages\": %zu, \"trim_mm\": [", doc->npages);
    num(j, w / FO_PT_PER_MM, 2);
    g_string_append(j, ", ");
    num(j, hh / FO_PT_PER_MM, 2);
    g_string_append(j, "], \"bleed_mm\": ");
    num(j, doc->bleed / FO_PT_PER_MM, 2);
    g_string_append(j, ", \"binding\": ");
    json_str(j, binding_name(t->binding));
    g_string_append(j, ",\n     \"colour\": \"CMYK\", \"pdfx\": ");
    json_str(j, conf ? conf : pdfx);
    g_string_append(j, ", \"output_intent\": {\"identifier\": ");
    json_str(j, oci);
    g_string_append(j, ", \"condition\": ");
    json_str(j, cond);
    g_string_append(j, "},\n     \"fonts\": [");
    for (size_t f = 0; f < doc->nfonts; f++) {
        g_string_append(j, f ? ", " : "");
        g_string_append(j, "{\"name\": ");
        json_str(j, doc->fonts[f].name);
        g_string_append(j, ", \"file\": ");
        json_str(j, base_name(doc->fonts[f].file));
        g_string_append(j, ", \"embedded\": \"subset\"}");
    }
    g_string_append(j, "],\n     \"images\": [");
    int first = 1;
    for (size_t p = 0; p < doc->npages; p++) {
        const fo_dl_page *pg = doc->pages[p];
        for (size_t i = 0; i < pg->n; i++) {
            if (pg->ops[i].kind != FO_DL_IMAGE)
                continue;
            const fo_dl_image *im = &pg->ops[i].u.image;
            const fo_image_info *info = &doc->images[im->image].info;
            g_string_append(j, first ? "\n       " : ",\n       ");
            first = 0;
            g_string_append(j, "{\"file\": ");
            json_str(j, im->src ? im->src
                                : base_name(doc->images[im->image].path));
            g_string_append_printf(j, ", \"page\": %zu, \"pixels\": [%d, %d]",
                                   p + 1, info->shown_w, info->shown_h);
            g_string_append(j, ", \"placed_mm\": [");
            num(j, im->w / FO_PT_PER_MM, 2);
            g_string_append(j, ", ");
            num(j, im->h / FO_PT_PER_MM, 2);
            g_string_append(j, "], \"effective_ppi\": ");
            num(j, im->ppi, 1);
            g_string_append(j, "}");
        }
    }
    g_string_append(j, "],\n     \"ink_max_percent\": [");
    for (size_t p = 0; p < doc->npages; p++) {
        g_string_append(j, p ? ", " : "");
        num(j, page_ink(doc->pages[p]), 1);
    }
    g_string_append(j, "]}");

    g_string_append(h, "<h2>Edition ");
    html_str(h, pub->editions[e]);
    g_string_append(h, "</h2>\n<table>\n<tr><th>PDF</th><td>");
    html_str(h, pdf_name);
    g_string_append_printf(h,
                           "</td></tr>\n<tr><th>Pages</th><td>%zu</td></tr>"
                           "\n<tr><th>Trim</th><td>",
                           doc->npages);
    num(h, w / FO_PT_PER_MM, 2);
    g_string_append(h, " &times; ");
    num(h, hh / FO_PT_PER_MM, 2);
    g_string_append(h, " mm</td></tr>\n<tr><th>Bleed</th><td>");
    num(h, doc->bleed / FO_PT_PER_MM, 2);
    g_string_append(h, " mm</td></tr>\n<tr><th>Binding</th><td>");
    html_str(h, binding_name(t->binding));
    g_string_append(h, "</td></tr>\n<tr><th>Colour</th><td>CMYK, ");
    html_str(h, conf ? conf : pdfx);
    g_string_append(h, "</td></tr>\n<tr><th>Output intent</th><td>");
    html_str(h, oci);
    g_string_append(h, " (");
    html_str(h, cond);
    g_string_append(h, ")</td></tr>\n<tr><th>Fonts</th><td>");
    for (size_t f = 0; f < doc->nfonts; f++) {
        g_string_append(h, f ? ", " : "");
        html_str(h, doc->fonts[f].name);
    }
    g_string_append(h, "</td></tr>\n</table>\n<h3>Images</h3>\n<table>\n"
                       "<tr><th>Image</th><th>Page</th><th>Placed (mm)</th>"
                       "<th>Effective ppi</th></tr>\n");
    for (size_t p = 0; p < doc->npages; p++) {
        const fo_dl_page *pg = doc->pages[p];
        for (size_t i = 0; i < pg->n; i++) {
            if (pg->ops[i].kind != FO_DL_IMAGE)
                continue;
            const fo_dl_image *im = &pg->ops[i].u.image;
            g_string_append(h, "<tr><td>");
            html_str(h, im->src ? im->src
                                : base_name(doc->images[im->image].path));
            g_string_append_printf(h, "</td><td>%zu</td><td>", p + 1);
            num(h, im->w / FO_PT_PER_MM, 1);
            g_string_append(h, " &times; ");
            num(h, im->h / FO_PT_PER_MM, 1);
            g_string_append(h, "</td><td>");
            num(h, im->ppi, 0);
            g_string_append(h, "</td></tr>\n");
        }
    }
    g_string_append(h, "</table>\n<h3>Highest total ink per page "
                       "(text, rules, fills)</h3>\n<p>");
    for (size_t p = 0; p < doc->npages; p++) {
        g_string_append_printf(h, "%s%zu: ", p ? ", " : "", p + 1);
        num(h, page_ink(doc->pages[p]), 0);
        g_string_append(h, " %");
    }
    g_string_append(h, "</p>\n");
    g_free(oci);
    g_free(cond);
    g_free(pdfx);
    g_free(conf);
    g_free(data);
}

static void json_findings(GString *j, GString *h, const fo_diags *d)
{
    static const char *const sev[] = {"error", "warning", "note"};
    g_string_append(j, "  \"preflight\": {");
    g_string_append_printf(j,
                           "\"errors\": %d, \"warnings\": %d, \"findings\": [",
                           d->errors, d->warnings);
    g_string_append(h, "<h2>Preflight</h2>\n<ul>\n");
    for (size_t i = 0; i < d->n; i++) {
        const fo_diag *g = &d->items[i];
        g_string_append(j, i ? ",\n    " : "\n    ");
        g_string_append(j, "{\"rule\": ");
        json_str(j, g->where.rule);
        g_string_append_printf(
            j, ", \"severity\": \"%s\", \"file\": ", sev[g->sev]);
        json_str(j, g->pos.file);
        if (g->pos.file)
            g_string_append_printf(j, ", \"line\": %d, \"column\": %d",
                                   g->pos.line, g->pos.col);
        else
            g_string_append(j, ", \"line\": null, \"column\": null");
        if (g->where.page)
            g_string_append_printf(j, ", \"page\": %d", g->where.page);
        else
            g_string_append(j, ", \"page\": null");
        g_string_append(j, ", \"edition\": ");
        json_str(j, g->where.edition);
        g_string_append(j, ", \"message\": ");
        json_str(j, g->message);
        g_string_append(j, "}");
        g_string_append_printf(h, "<li>%s: ", sev[g->sev]);
        html_str(h, g->message);
        if (g->where.edition) {
            g_string_append(h, " (edition ");
            html_str(h, g->where.edition);
            if (g->where.page)
                g_string_append_printf(h, ", page %d", g->where.page);
            g_string_append(h, ")");
        }
        g_string_append(h, "</li>\n");
    }
    g_string_append(j, "]},\n");
    if (!d->n)
        g_string_append(h, "<li>no findings</li>\n");
    g_string_append(h, "</ul>\n");
}

/* ---- the files ---------------------------------------------------------- */

/* The package's files, relative to its folder. */
typedef struct files {
    char **names;
    size_t n, cap;
} files;

static void files_add(files *f, const char *name)
{
    // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of strings
    fo_grow((void **)&f->names, sizeof *f->names, &f->cap, f->n + 1);
    f->names[f->n++] = fo_xstrdup(name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void files_sort(files *f)
{
    if (f->n > 1)
        qsort(f->names, f->n, sizeof *f->names, by_name);
}

static void files_free(files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
}

/* The SHA-256 of a file as hex (g_malloc'd), or NULL. */
static char *sha256_file(const char *path)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return NULL;
    char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                            (const guchar *)data, len);
    g_free(data);
    return hex;
}

/* DIR.tar of the folder dir (whose files are f, sorted, and the proofs
 * folder), written under a temporary name and renamed. */
static fo_status write_tar(const char *dir, const files *f, long long epoch,
                           fo_diags *d)
{
    char *tar = g_strdup_printf("%s.tar", dir);
    const char *top = base_name(dir);
    fo_status st = FO_ERR_IO;
    fo_atomic a;
    struct archive *ar = NULL;
    struct archive_entry *en = NULL;
    if (fo_atomic_open(&a, tar) != FO_OK) {
        fo_error_write(d, tar, errno);
        goto out;
    }
    ar = archive_write_new();
    en = archive_entry_new();
    if (!ar || !en || archive_write_set_format_ustar(ar) != ARCHIVE_OK ||
        archive_write_open_FILE(ar, a.fp) != ARCHIVE_OK)
        goto fail;
    /* the folders first, then the files in byte order of their names */
    const char *dirs[] = {"", PROOF_DIR "/"};
    for (size_t i = 0; i < 2; i++) {
        char *name = g_strdup_printf("%s/%s", top, dirs[i]);
        archive_entry_clear(en);
        archive_entry_set_pathname(en, name);
        archive_entry_set_filetype(en, AE_IFDIR);
        archive_entry_set_perm(en, 0755);
        archive_entry_set_mtime(en, (time_t)epoch, 0);
        archive_entry_set_uid(en, 0);
        archive_entry_set_gid(en, 0);
        int r = archive_write_header(ar, en);
        g_free(name);
        if (r != ARCHIVE_OK)
            goto fail;
    }
    for (size_t i = 0; i < f->n; i++) {
        char *path = fo_path_join(dir, f->names[i]);
        gchar *data = NULL;
        gsize len = 0;
        int ok = g_file_get_contents(path, &data, &len, NULL);
        free(path);
        if (!ok)
            goto fail;
        char *name = g_strdup_printf("%s/%s", top, f->names[i]);
        archive_entry_clear(en);
        archive_entry_set_pathname(en, name);
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_perm(en, 0644);
        archive_entry_set_size(en, (la_int64_t)len);
        archive_entry_set_mtime(en, (time_t)epoch, 0);
        archive_entry_set_uid(en, 0);
        archive_entry_set_gid(en, 0);
        int r = archive_write_header(ar, en);
        la_ssize_t wrote =
            r == ARCHIVE_OK ? archive_write_data(ar, data, len) : -1;
        g_free(name);
        g_free(data);
        if (wrote != (la_ssize_t)len)
            goto fail;
    }
    if (archive_write_close(ar) != ARCHIVE_OK)
        goto fail;
    if (fo_atomic_commit(&a) != FO_OK) {
        fo_error_write(d, tar, errno);
        goto out;
    }
    st = FO_OK;
    goto out;
fail:
    fo_error(d, (fo_pos){NULL, 0, 0}, "cannot write '%s': %s", tar,
             ar && archive_error_string(ar) ? archive_error_string(ar)
                                            : "cannot read a file of it");
    fo_atomic_abort(&a);
out:
    if (en)
        archive_entry_free(en);
    if (ar)
        archive_write_free(ar);
    g_free(tar);
    return st;
}

/* ---- the package ------------------------------------------------------- */

/* Where the PNG of each page goes: dir/<prefix><page, digits wide>.png,
 * each name added to f. */
typedef struct png_names {
    const char *dir;
    const char *prefix; /* e.g. "proofs/slug-en-" */
    int digits;
    files *f;
} png_names;

static char *png_path(void *ud, size_t page)
{
    png_names *pn = ud;
    char *rel =
        g_strdup_printf("%s%0*zu.png", pn->prefix, pn->digits, page + 1);
    files_add(pn->f, rel);
    char *path = fo_path_join(pn->dir, rel);
    g_free(rel);
    return path;
}

/* Soft-proofed PNGs of every page of doc (png_names). */
static fo_status write_pngs(const fo_dl_doc *doc, const char *dir,
                            const char *prefix, const icc_paths *icc, files *f,
                            fo_diags *d)
{
    fo_png_opts po = {
        .soft_proof = 1, .cmyk_icc = icc->cmyk, .srgb_icc = icc->srgb};
    fo_png_renderer *r = fo_png_renderer_new_opts(doc, &po, d);
    if (!r)
        return FO_ERR_LIBRARY;
    int digits = 1;
    for (size_t n = doc->npages; n >= 10; n /= 10)
        digits++;
    png_names pn = {dir, prefix, digits < 3 ? 3 : digits, f};
    fo_writer *w = fo_png_writer_new(r, PROOF_DPI, png_path, &pn, d);
    fo_status st = FO_OK;
    for (size_t p = 0; p < doc->npages && st == FO_OK; p++)
        st = fo_writer_page(w, doc, p);
    if (st == FO_OK)
        st = fo_writer_close(w);
    fo_writer_drop(w);
    fo_png_renderer_free(r);
    return st;
}

int package_run(opts *o)
{
    cli_catch_signals(0);
    cli_sweep_outputs(o->out_dir);
    fo_diags d, d2;
    cli_diags_init(&d, o);
    cli_diags_init(&d2, o);
    files f = {0};
    GString *j = g_string_new(NULL), *h = g_string_new(NULL);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    const fo_template *tmpl[FO_MAX_EDITIONS] = {0};
    icc_paths icc = cli_icc_paths_get();
    /* the print PDFs, by the build */
    opts bo = *o;
    bo.profiles = 1 << FO_PROFILE_PRINT;
    bo.report = NULL;
    bo.dump = 0;
    bo.jobs = 1;
    int rc = build_editions(&bo, &d, NULL);
    if (rc)
        goto out;
    /* the display lists, for the ticket, the proofs and the sheets */
    rc = cli_layout(o, &d2, &pub, docs, tmpl, NULL);
    if (rc)
        goto out;
    if (!cli_make_dir(o->out_dir, &d)) {
        rc = EXIT_INPUT;
        goto out;
    }
    char *proofs = fo_path_join(o->out_dir, PROOF_DIR);
    int made = cli_make_dir(proofs, &d);
    free(proofs);
    if (!made) {
        rc = EXIT_INPUT;
        goto out;
    }
    long long epoch = cli_build_epoch(pub, &d2);
    g_string_append_printf(j,
                           "{\n  \"job_version\": 1,\n  \"folio_version\": "
                           "\"%s\",\n  \"publication\": ",
                           FO_VERSION);
    json_str(j, pub->slug);
    g_string_append(j, ",\n  \"editions\": [\n");
    g_string_append(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                       "<title>Job ticket: ");
    html_str(h, pub->slug);
    g_string_append(h, "</title></head>\n<body>\n<h1>Job ticket: ");
    html_str(h, pub->slug);
    g_string_append(h, "</h1>\n");
    int ned = 0;
    for (int e = 0; e < pub->neditions && rc == 0; e++) {
        if (!docs[e])
            continue;
        char *pdf = cli_pdf_path(o->out_dir, pub, e, FO_PROFILE_PRINT);
        const char *pdf_name = base_name(pdf);
        files_add(&f, pdf_name);
        g_string_append(j, ned++ ? ",\n" : "");
        json_edition(j, h, pub, e, tmpl[e], docs[e], pdf_name, pdf);
        free(pdf);
        char *fmt =
            g_strdup_printf(PROOF_DIR "/%s-%s-", pub->slug, pub->editions[e]);
        if (write_pngs(docs[e], o->out_dir, fmt, &icc, &f, &d) != FO_OK)
            rc = EXIT_INPUT;
        g_free(fmt);
        if (rc || tmpl[e]->binding != FO_BIND_SADDLE)
            continue;
        /* the sheets: the pages move into them, after the proofs */
        char *path = impose_pdf_path(o->out_dir, pub, e, FO_IMPOSE_SADDLE);
        char *tmp = NULL;
        fo_dl_doc *sheets = NULL;
        if (impose_edition(pub, e, tmpl[e], docs[e], FO_IMPOSE_SADDLE, path,
                           epoch, &icc, &d, &tmp, &sheets) != FO_OK ||
            fo_atomic_rename(tmp, path) != FO_OK) {
            rc = EXIT_INPUT;
        } else {
            files_add(&f, base_name(path));
            fmt = g_strdup_printf(PROOF_DIR "/%s-%s-sheet-", pub->slug,
                                  pub->editions[e]);
            if (write_pngs(sheets, o->out_dir, fmt, &icc, &f, &d) != FO_OK)
                rc = EXIT_INPUT;
            g_free(fmt);
        }
        fo_dl_doc_free(sheets);
        free(path);
    }
    if (rc)
        goto out;
    g_string_append(j, "\n  ],\n");
    json_findings(j, h, &d);
    /* every file but the ticket, in byte order, with its SHA-256 */
    files_sort(&f);
    g_string_append(j, "  \"files\": [");
    g_string_append(h, "<h2>Files</h2>\n<table>\n<tr><th>File</th>"
                       "<th>SHA-256</th></tr>\n");
    for (size_t i = 0; i < f.n; i++) {
        char *path = fo_path_join(o->out_dir, f.names[i]);
        char *sum = sha256_file(path);
        free(path);
        if (!sum) {
            fo_error(&d, (fo_pos){NULL, 0, 0}, "cannot read '%s'", f.names[i]);
            rc = EXIT_INPUT;
            goto out;
        }
        g_string_append(j, i ? ",\n    " : "\n    ");
        g_string_append(j, "{\"path\": ");
        json_str(j, f.names[i]);
        g_string_append(j, ", \"sha256\": ");
        json_str(j, sum);
        g_string_append(j, "}");
        g_string_append(h, "<tr><td>");
        html_str(h, f.names[i]);
        g_string_append_printf(h, "</td><td><code>%s</code></td></tr>\n", sum);
        g_free(sum);
    }
    g_string_append(j, "\n  ]\n}\n");
    g_string_append(h, "</table>\n</body></html>\n");
    const char *ticket[2] = {"job.json", "job.html"};
    GString *text[2] = {j, h};
    for (int i = 0; i < 2; i++) {
        char *path = fo_path_join(o->out_dir, ticket[i]);
        if (fo_atomic_write_file(path, text[i]->str, text[i]->len) != FO_OK) {
            fo_error_write(&d, path, errno);
            rc = EXIT_INPUT;
        }
        free(path);
        files_add(&f, ticket[i]);
    }
    files_sort(&f);
    if (rc == 0 && write_tar(o->out_dir, &f, epoch, &d) != FO_OK)
        rc = EXIT_INPUT;
    if (rc == 0)
        printf("%s: %zu files, and %s.tar\n", o->out_dir, f.n, o->out_dir);
out:
    fo_diags_print(&d, stderr);
    if (rc && !d.errors)
        fo_diags_print(&d2, stderr); /* the second layout's reason */
    if (pub)
        cli_free_docs(pub, docs);
    cli_icc_paths_free(&icc);
    files_free(&f);
    g_string_free(j, TRUE);
    g_string_free(h, TRUE);
    fo_diags_free(&d);
    fo_diags_free(&d2);
    return rc;
}
