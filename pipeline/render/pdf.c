/* The PDF writer: a fo_dl_doc in, a PDF file out, page by page.
 *
 * libharu writes the document structure (objects, pages, compression,
 * outline, annotations, info, xref); what it has no API for goes through
 * pdf_obj.c. This file owns the document: its pages (made in order, each
 * written once, in any order), the walk over each page's ops that feeds
 * the fonts (pdf_font.c), the destinations (pdf_nav.c) and the content
 * stream (pdf_text.c), the info dictionary and what the output profile
 * adds, and the save. Images are pdf_image.c's: one XObject per document
 * image, its samples made only while the file is saved.
 *
 * Determinism: no time, random or pointer value reaches the file; dates come
 * from opts->epoch, the subset tag from a hash of the glyph set, numbers are
 * formatted without the C locale. Two runs give the same bytes
 * (tests/cli/output_hashes.sh pins them).
 *
 * The file is saved under a temporary name and renamed into place; on any
 * failure the temporary file is removed and the target is left untouched. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "pdf_private.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Deflate level (libdeflate) of page content (text operators, deflated as each
 * page is written). Measured on the benchmark's 198 pages (docs/benchmark.md):
 * level 1 instead of 6 saves about 0.3 s of 2.1 and makes the content 8 %
 * larger. SCREEN, a file for downloading whose content is most of its
 * size, keeps 6; PRINT and ARCHIVE, whose size is their images', take 1
 * (the archive file grew by 0.5 %). */
#define CONTENT_ZLEVEL_SCREEN 6
#define CONTENT_ZLEVEL 1

struct fo_pdf_writer {
    fo_writer base; /* first: what fo_pdf_writer_writer hands out */
    fo_pdf_ctx c;
    fo_status st; /* the first failure: every later call returns it */
    char **keep;  /* close: leave the file under its temporary name here */
    /* the page being written, between the walk's begin and end */
    size_t page;
    fo_pdf_page ps;
    fo_pdf_out o;
};

static const fo_pos nopos = {NULL, 0, 0};

/* libharu reports here first; the failing call's CHECK then writes one
 * diagnostic naming both the call and libharu's error code. */
static void error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                          void *user_data)
{
    fo_pdf_ctx *c = user_data;
    if (!c->hpdf_error) {
        c->hpdf_error = error_no;
        c->hpdf_detail = detail_no;
    }
}

/* Records a failed libharu call; the first failure stops the render. */
int fo_pdf_lib_fail(fo_pdf_ctx *c, const char *what)
{
    if (!c->lib_failed) {
        if (c->hpdf_error)
            fo_error(c->d, nopos, "libharu error 0x%04X (detail %u) in %s",
                     (unsigned)c->hpdf_error, (unsigned)c->hpdf_detail, what);
        else
            fo_error(c->d, nopos, "libharu failed in %s", what);
    }
    c->lib_failed = 1;
    return -1;
}

/* Feeds bytes into the document's /ID: two FNV-1a hashes with different
 * seeds over everything that makes the file (fonts, content, metadata),
 * so the ID is stable for the same input and changes with any change. */
void fo_pdf_hash_bytes(fo_pdf_ctx *c, const void *p, size_t n)
{
    c->id[0] = fo_hash(c->id[0], p, n);
    c->id[1] = fo_hash(c->id[1], p, n);
    c->id[1] ^= c->id[1] >> 29; /* keep the two halves apart */
}

void fo_pdf_hash_str(fo_pdf_ctx *c, const char *s)
{
    if (s)
        fo_pdf_hash_bytes(c, s, strlen(s) + 1);
    else
        fo_pdf_hash_bytes(c, "", 1);
}

/* trailer /ID [<id> <id>]: PDF/X and some tools want one; libharu writes
 * one only for encrypted files. */
static fo_status set_id(fo_pdf_ctx *c)
{
    unsigned char id[16];
    for (int i = 0; i < 16; i++)
        id[i] = (unsigned char)(c->id[i / 8] >> (8 * (i % 8)));
    HPDF_Array arr = fo_pdf_obj_array(c->pdf);
    CHECK_PTR(c, arr, "ID array");
    CHECK(c, HPDF_Dict_Add(fo_pdf_obj_trailer(c->pdf), "ID", arr));
    for (int i = 0; i < 2; i++) {
        HPDF_Binary b = fo_pdf_obj_binary(c->pdf, id, sizeof id);
        CHECK_PTR(c, b, "ID string");
        CHECK(c, HPDF_Array_Add(arr, b));
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* Sets a page box (TrimBox, BleedBox); numbers rounded to 0.001 pt as
 * libharu writes reals. */
static HPDF_STATUS set_box(fo_pdf_ctx *c, HPDF_Page hp, const char *key,
                           double l, double b, double r, double t)
{
    HPDF_Box box = {
        (HPDF_REAL)fo_pdf_round(l, 3), (HPDF_REAL)fo_pdf_round(b, 3),
        (HPDF_REAL)fo_pdf_round(r, 3), (HPDF_REAL)fo_pdf_round(t, 3)};
    HPDF_Array arr = fo_pdf_obj_box(c->pdf, box);
    if (!arr)
        return HPDF_FAILD_TO_ALLOC_MEM;
    return HPDF_Dict_Add(hp, key, arr);
}

/* Where page pg's trim lies on its media: (off, off), or centred on the
 * document's media (a press sheet) when it has one. */
static void trim_origin(const fo_pdf_ctx *c, const fo_dl_page *pg, double *ox,
                        double *oy)
{
    const fo_dl_doc *doc = c->doc;
    *ox = *oy = c->off;
    if (doc->media_w > 0 && doc->media_h > 0) {
        *ox = (doc->media_w - pg->width) / 2;
        *oy = (doc->media_h - pg->height) / 2;
    }
}

/* Makes the PDF page for display-list page p: size and, in PRINT, the
 * boxes. Pages are made in order, so a page written early (the body before
 * the contents) has every page before it made, empty until written. */
static fo_status make_page(fo_pdf_ctx *c, size_t p)
{
    const fo_dl_page *pg = c->doc->pages[p];
    double ox, oy;
    trim_origin(c, pg, &ox, &oy);
    if (ox < c->off || oy < c->off) {
        fo_error(c->d, nopos,
                 "page %zu: the media (%.1f x %.1f pt) does not hold the "
                 "page with its bleed and marks",
                 p + 1, c->doc->media_w, c->doc->media_h);
        return FO_ERR_INPUT;
    }
    HPDF_Page hp = HPDF_AddPage(c->pdf);
    CHECK_PTR(c, hp, "HPDF_AddPage");
    // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of handles
    fo_grow((void **)&c->pages, sizeof *c->pages, &c->pages_cap, p + 1);
    c->written = fo_xrealloc(c->written, c->pages_cap);
    c->pages[p] = hp;
    c->written[p] = 0;
    c->npages = p + 1;
    CHECK(c, HPDF_Page_SetWidth(hp, (HPDF_REAL)(pg->width + 2 * ox)));
    CHECK(c, HPDF_Page_SetHeight(hp, (HPDF_REAL)(pg->height + 2 * oy)));
    if (c->profile == FO_PROFILE_PRINT) {
        double b = c->doc->bleed;
        CHECK(c, set_box(c, hp, "TrimBox", ox, oy, ox + pg->width,
                         oy + pg->height));
        CHECK(c, set_box(c, hp, "BleedBox", ox - b, oy - b, ox + pg->width + b,
                         oy + pg->height + b));
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* PDF/X-4: a page that draws a soft-masked image is a transparency group
 * blending in DeviceCMYK, which the output intent characterises, so that
 * every reader composites it in the colours the press prints rather than
 * in a space of its own choosing. */
static fo_status set_group(fo_pdf_ctx *c, HPDF_Page hp)
{
    HPDF_Dict g = fo_pdf_obj_dict(c->pdf);
    CHECK_PTR(c, g, "page Group");
    CHECK(c, HPDF_Dict_Add(hp, "Group", g));
    CHECK(c, HPDF_Dict_AddName(g, "Type", "Group"));
    CHECK(c, HPDF_Dict_AddName(g, "S", "Transparency"));
    CHECK(c, HPDF_Dict_AddName(g, "CS", "DeviceCMYK"));
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* The fonts and images the document has by now: layout adds them while
 * pages are being written. */
static void grow_tables(fo_pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    if (doc->nfonts > c->nfonts) {
        c->fonts = fo_xrealloc(c->fonts, doc->nfonts * sizeof *c->fonts);
        memset(c->fonts + c->nfonts, 0,
               (doc->nfonts - c->nfonts) * sizeof *c->fonts);
        c->nfonts = doc->nfonts;
    }
    if (doc->nimages > c->nimages) {
        /* an array of handles: sizeof a pointer is meant */
        // NOLINTBEGIN(bugprone-sizeof-expression)
        c->images = fo_xrealloc(c->images, doc->nimages * sizeof *c->images);
        memset(c->images + c->nimages, 0,
               (doc->nimages - c->nimages) * sizeof *c->images);
        // NOLINTEND(bugprone-sizeof-expression)
        c->nimages = doc->nimages;
    }
}

/* The page's content, deflated here (a page's worth at a time, so that
 * the document never holds raw content), with its /Filter written by the
 * dictionary's write callback (pdf_image.c explains the trick). */
static fo_status put_content(fo_pdf_ctx *c, HPDF_Page hp, const fo_buf *b)
{
    if (!b->len)
        return FO_OK;
    if (!c->opts->compress) {
        CHECK(c, fo_pdf_obj_page_content(hp, b->data, b->len, 0));
        return FO_OK;
    }
    size_t zl = 0;
    int level = c->profile == FO_PROFILE_SCREEN ? CONTENT_ZLEVEL_SCREEN
                                                : CONTENT_ZLEVEL;
    unsigned char *z =
        fo_pdf_deflate((const unsigned char *)b->data, b->len, level, &zl);
    HPDF_STATUS hs = fo_pdf_obj_page_content(hp, z, zl, 1);
    free(z);
    CHECK(c, hs);
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static fo_status writer_close(fo_writer *base);
static void writer_drop(fo_writer *base);

/* ---- pages: the walk over each page's ops --------------------------------
 *
 * Fonts and destinations first, each in a walk of its own (fonts and
 * destinations are numbered objects: this keeps their order, hence the
 * bytes, whatever the ops' order), then the content stream. */

static fo_status collect_op(void *ud, const fo_dl_op *op, size_t i)
{
    fo_pdf_writer *w = ud;
    (void)i;
    if (op->kind != FO_DL_GLYPHS)
        return FO_OK;
    return fo_pdf_collect_run(&w->c, &op->u.glyphs);
}

static fo_status anchor_op(void *ud, const fo_dl_op *op, size_t i)
{
    fo_pdf_writer *w = ud;
    if (op->kind != FO_DL_ANCHOR)
        return FO_OK;
    return fo_pdf_nav_anchor(&w->c, w->page, i, &op->u.anchor);
}

static const fo_dl_walker collect_walker = {NULL, collect_op, NULL};
static const fo_dl_walker anchor_walker = {NULL, anchor_op, NULL};

/* The page's glyphs into the fonts, its anchors, then the start of its
 * content stream. */
static fo_status page_begin(void *ud, const fo_dl_doc *doc, size_t p)
{
    fo_pdf_writer *w = ud;
    fo_pdf_ctx *c = &w->c;
    fo_status st = w->st;
    assert(doc == c->doc);
    if (st == FO_OK && p < c->npages && c->written[p]) {
        fo_error(c->d, nopos, "page %zu written twice or out of range", p + 1);
        st = FO_ERR_USAGE;
    }
    while (st == FO_OK && c->npages <= p)
        st = make_page(c, c->npages);
    if (st == FO_OK) {
        grow_tables(c);
        w->page = p;
        st = fo_pdf_forms_make(c, p);
    }
    if (st == FO_OK)
        st = fo_dl_walk(doc, p, &collect_walker, w);
    if (st == FO_OK)
        st = fo_dl_walk(doc, p, &anchor_walker, w);
    if (st != FO_OK)
        return w->st = st;
    const fo_dl_page *pg = doc->pages[p];
    w->ps = (fo_pdf_page){.page = pg,
                          .index = p,
                          .hp = c->pages[p],
                          .font = -1,
                          .cmyk = c->profile == FO_PROFILE_PRINT};
    w->o = (fo_pdf_out){{0}, FO_OK};
    fo_pdf_out *o = &w->o;
    fo_buf_init(&o->b, FO_PDF_MAX_CONTENT);
    if (c->profile == FO_PROFILE_PRINT) {
        /* The trim moves to (off, off); what reaches beyond the bleed is
         * clipped so that nothing runs into the marks. */
        double b = c->doc->bleed, ox, oy;
        trim_origin(c, pg, &ox, &oy);
        fo_pdf_outs(o, "q\n");
        fo_pdf_outn(o, ox - b, 3);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, oy - b, 3);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, pg->width + 2 * b, 3);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, pg->height + 2 * b, 3);
        fo_pdf_outs(o, " re W n\n1 0 0 1 ");
        fo_pdf_outn(o, ox, 3);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, oy, 3);
        fo_pdf_outs(o, " cm\n");
    } else if (c->doc->media_w > 0 && c->doc->media_h > 0) {
        double ox, oy;
        trim_origin(c, pg, &ox, &oy);
        fo_pdf_outs(o, "q\n1 0 0 1 ");
        fo_pdf_outn(o, ox, 3);
        fo_pdf_outs(o, " ");
        fo_pdf_outn(o, oy, 3);
        fo_pdf_outs(o, " cm\n");
    }
    w->ps.font_names =
        fo_xcalloc(c->doc->nfonts ? c->doc->nfonts : 1, sizeof(char *));
    return FO_OK;
}

/* One op into the content stream and the page's annotations. */
static fo_status page_op(void *ud, const fo_dl_op *op, size_t i)
{
    fo_pdf_writer *w = ud;
    fo_pdf_ctx *c = &w->c;
    (void)i;
    if (!fo_dl_op_drawn(op, c->profile == FO_PROFILE_PRINT ? FO_DL_CH_PRINT
                                                           : FO_DL_CH_PDF))
        return FO_OK;
    if (c->profile == FO_PROFILE_PRINT && op->kind != FO_DL_LINK &&
        op->kind != FO_DL_ANCHOR) {
        fo_status st = fo_pdf_text_overprint(c, &w->o, &w->ps,
                                             fo_dl_op_overprints(c->doc, op));
        if (st != FO_OK)
            return st;
    }
    switch (op->kind) {
    case FO_DL_LINK:
        return fo_pdf_nav_link(c, &w->ps, &op->u.link);
    case FO_DL_ANCHOR: /* made before the content: page_begin */
        return FO_OK;
    case FO_DL_PLACE: /* its form was made in page_begin */
        return fo_pdf_form_place(c, &w->o, &w->ps, &op->u.place);
    default:
        return fo_pdf_text_op(c, &w->o, &w->ps, op);
    }
}

/* The end of the content stream, into the page. */
static fo_status page_end(void *ud, fo_status st)
{
    fo_pdf_writer *w = ud;
    fo_pdf_ctx *c = &w->c;
    fo_pdf_out *o = &w->o;
    const fo_dl_page *pg = w->ps.page;
    size_t p = w->page;
    if (st != FO_OK)
        goto out;
    fo_pdf_text_end(o, &w->ps);
    if (c->profile == FO_PROFILE_PRINT) {
        double ox, oy;
        trim_origin(c, pg, &ox, &oy);
        fo_pdf_outs(o, "Q\n");
        w->ps.overprint = 0; /* restored by Q */
        w->ps.have_fill = 0;
        /* Around the trim, wherever it sits: at (off, off) on a page's
         * own media, centred on a press sheet (impose/). */
        fo_pdf_marks_geom g = {.x = ox,
                               .y = oy,
                               .w = pg->width,
                               .h = pg->height,
                               .bleed = c->doc->bleed,
                               .slug = FO_PDF_SLUG,
                               .folds = pg->folds,
                               .nfolds = pg->nfolds,
                               .marks = c->doc->print.marks};
        if (o->st == FO_OK)
            o->st = fo_pdf_marks(&o->b, &g);
        if (o->st == FO_OK && (g.marks & FO_DL_MARK_SLUG)) {
            char *text = fo_pdf_slug_text(c->doc, pg->label, c->opts->epoch);
            st = fo_pdf_slug_line(c, o, &w->ps, &g, text);
            free(text);
            if (st != FO_OK)
                goto out;
        }
    } else if (c->doc->media_w > 0 && c->doc->media_h > 0) {
        fo_pdf_outs(o, "Q\n");
    }
    if (o->st != FO_OK) {
        fo_error(c->d, nopos, "page %zu: content stream too large", p + 1);
        st = o->st;
        goto out;
    }
    /* A page with nothing on it (a blank page that makes up a binding's
     * page count) still gets an operator: libharu writes no bytes as a
     * Flate stream MuPDF reports as "premature end of data"
     * (tests/cli/lang_roundtrip.sh). */
    if (o->b.len == 0)
        fo_pdf_outs(o, "q Q\n");
    fo_pdf_hash_bytes(c, o->b.data ? o->b.data : "", o->b.len);
    st = put_content(c, w->ps.hp, &o->b);
    if (st == FO_OK && w->ps.transparent)
        st = set_group(c, w->ps.hp);
    if (st == FO_OK)
        c->written[p] = 1;
out:
    free(w->ps.font_names);
    w->ps.font_names = NULL;
    fo_buf_free(&o->b);
    return w->st = st;
}

/* ---- document -------------------------------------------------------- */

static fo_status set_info(fo_pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    struct tm tm;
    time_t t = (time_t)c->opts->epoch;
    if (!gmtime_r(&t, &tm)) {
        fo_error(c->d, nopos, "date %lld is out of range", c->opts->epoch);
        return FO_ERR_INPUT;
    }
    HPDF_Date date = {
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
        tm.tm_sec,         'Z',           0,          0};
    CHECK(c, HPDF_SetInfoAttr(c->pdf, HPDF_INFO_CREATOR, "folio"));
    CHECK(c, HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_CREATION_DATE, date));
    CHECK(c, HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_MOD_DATE, date));
    fo_pdf_hash_bytes(c, &c->opts->epoch, sizeof c->opts->epoch);
    fo_pdf_hash_str(c, doc->title);
    fo_pdf_hash_str(c, doc->author);
    fo_pdf_hash_str(c, doc->subject);
    fo_pdf_hash_str(c, doc->keywords);
    fo_pdf_hash_str(c, doc->lang);
    HPDF_Dict info = fo_pdf_obj_info(c->pdf);
    CHECK_PTR(c, info, "Info dictionary");
    struct {
        const char *key, *val;
    } fields[] = {{"Title", doc->title},
                  {"Author", doc->author},
                  {"Subject", doc->subject},
                  {"Keywords", doc->keywords}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].val && fields[i].val[0] &&
            fo_pdf_put_text(c, info, fields[i].key, fields[i].val) != FO_OK)
            return FO_ERR_LIBRARY;
    if (c->profile == FO_PROFILE_PRINT) {
        /* PDF/X wants a title, the version keys and /Trapped; X-1a:2001
         * names its conformance level too, X-4 has none. */
        int x1a = doc->print.pdfx == FO_DL_PDFX_1A;
        if (!(doc->title && doc->title[0]) &&
            fo_pdf_put_text(c, info, "Title", "Untitled") != FO_OK)
            return FO_ERR_LIBRARY;
        HPDF_String v =
            fo_pdf_obj_string(c->pdf, x1a ? "PDF/X-1:2001" : "PDF/X-4");
        CHECK_PTR(c, v, "GTS_PDFXVersion");
        CHECK(c, HPDF_Dict_Add(info, "GTS_PDFXVersion", v));
        if (x1a) {
            v = fo_pdf_obj_string(c->pdf, "PDF/X-1a:2001");
            CHECK_PTR(c, v, "GTS_PDFXConformance");
            CHECK(c, HPDF_Dict_Add(info, "GTS_PDFXConformance", v));
        }
        CHECK(c, HPDF_Dict_AddName(info, "Trapped", "False"));
        fo_pdf_hash_bytes(c, &doc->print, sizeof doc->print.pdfx);
    }
    if (doc->lang && doc->lang[0]) {
        /* A BCP 47 tag is ASCII letters, digits and hyphens. */
        int ok = strlen(doc->lang) < 64;
        for (const char *p = doc->lang; *p && ok; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || *p == '-';
        if (!ok) {
            fo_warning(c->d, nopos, "language \"%s\" is not a language tag",
                       doc->lang);
        } else {
            HPDF_String s = fo_pdf_obj_string(c->pdf, doc->lang);
            CHECK_PTR(c, s, "Lang");
            CHECK(c, HPDF_Dict_Add(fo_pdf_obj_catalog(c->pdf), "Lang", s));
        }
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* /OutputIntents [<< … /DestOutputProfile <ICC stream> >>] in the
 * catalog: the CMYK output profile as a PDF/X intent (PRINT), sRGB as a
 * PDF/A one (ARCHIVE). */
static fo_status output_intent(fo_pdf_ctx *c)
{
    int print = c->profile == FO_PROFILE_PRINT;
    const char *path = print ? c->opts->cmyk_icc : c->opts->srgb_icc;
    char *icc = NULL;
    size_t len = 0;
    fo_status st = fo_pdf_read_icc(path, print ? 4 : 3, &icc, &len, c->d);
    if (st != FO_OK)
        return st;
    st = FO_ERR_LIBRARY;
    fo_pdf_hash_bytes(c, icc, len);
    HPDF_Dict prof = fo_pdf_obj_stream(c->pdf, 0);
    CHECK_PTR(c, prof, "ICC profile stream");
    CHECK(c,
          fo_pdf_icc_write(prof, icc, len, c->opts->compress, c->opts->cache));
    CHECK(c, HPDF_Dict_AddNumber(prof, "N", print ? 4 : 3));
    HPDF_Dict oi = fo_pdf_obj_dict(c->pdf);
    CHECK_PTR(c, oi, "OutputIntent");
    HPDF_Array arr = fo_pdf_obj_array(c->pdf);
    CHECK_PTR(c, arr, "OutputIntents");
    CHECK(c, HPDF_Dict_Add(fo_pdf_obj_catalog(c->pdf), "OutputIntents", arr));
    CHECK(c, HPDF_Array_Add(arr, oi));
    CHECK(c, HPDF_Dict_AddName(oi, "Type", "OutputIntent"));
    CHECK(c, HPDF_Dict_AddName(oi, "S", print ? "GTS_PDFX" : "GTS_PDFA1"));
    /* FOGRA39 is the characterisation ISO Coated v2 is built on; the
     * 300 % variant limits total ink for uncoated-friendly presses. */
    const char *fields[][2] = {
        {"OutputConditionIdentifier", print ? "FOGRA39" : "sRGB IEC61966-2.1"},
        {"OutputCondition",
         print ? "Offset printing, ISO 12647-2:2004/Amd 1, coated paper, "
                 "300% total ink (ISO Coated v2 300% basICColor)"
               : "sRGB IEC61966-2.1"},
        {"RegistryName", "http://www.color.org"},
        {"Info",
         print ? "ISO Coated v2 300% (basICColor)" : "sRGB IEC61966-2.1"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        HPDF_String v = fo_pdf_obj_string(c->pdf, fields[i][1]);
        CHECK_PTR(c, v, fields[i][0]);
        CHECK(c, HPDF_Dict_Add(oi, fields[i][0], v));
    }
    CHECK(c, HPDF_Dict_Add(oi, "DestOutputProfile", prof));
    st = FO_OK;
out:
    free(icc);
    return st;
}

/* ARCHIVE and PDF/X-4: the XMP packet (uncompressed, as PDF/A wants it
 * readable) as the catalog's /Metadata, matching the info dictionary. */
static fo_status metadata(fo_pdf_ctx *c)
{
    fo_buf b;
    fo_status st = FO_ERR_LIBRARY;
    fo_buf_init(&b, FO_PDF_MAX_CONTENT);
    const char *producer = HPDF_GetInfoAttr(c->pdf, HPDF_INFO_PRODUCER);
    const char *creator = HPDF_GetInfoAttr(c->pdf, HPDF_INFO_CREATOR);
    fo_pdf_xmp_kind kind =
        c->profile == FO_PROFILE_ARCHIVE ? FO_PDF_XMP_PDFA1B : FO_PDF_XMP_PDFX4;
    if (fo_pdf_xmp(c->doc, c->opts->epoch, producer, creator, kind, &b) !=
        FO_OK) {
        fo_error(c->d, nopos, "XMP metadata too large");
        st = FO_ERR_LIMIT;
        goto out;
    }
    fo_pdf_hash_bytes(c, b.data, b.len);
    HPDF_Dict m = fo_pdf_obj_stream(c->pdf, 0);
    CHECK_PTR(c, m, "Metadata stream");
    CHECK(c, HPDF_Dict_AddName(m, "Type", "Metadata"));
    CHECK(c, HPDF_Dict_AddName(m, "Subtype", "XML"));
    CHECK(c, fo_pdf_obj_write(m, b.data, (HPDF_UINT)b.len));
    CHECK(c, HPDF_Dict_Add(fo_pdf_obj_catalog(c->pdf), "Metadata", m));
    st = FO_OK;
out:
    fo_buf_free(&b);
    return st;
}

/* What the output profile adds at the end: the output intent (PRINT,
 * ARCHIVE) and the XMP metadata (ARCHIVE, PDF/X-4, which require it). */
static fo_status finish_profile(fo_pdf_ctx *c)
{
    fo_status st = FO_OK;
    if (c->profile != FO_PROFILE_SCREEN)
        st = output_intent(c);
    if (st == FO_OK && (c->profile == FO_PROFILE_ARCHIVE ||
                        (c->profile == FO_PROFILE_PRINT &&
                         c->doc->print.pdfx == FO_DL_PDFX_4)))
        st = metadata(c);
    return st;
}

/* What the output profile decides before anything is written: the PDF
 * version, the page offset, the colour converter. SCREEN 1.5: ActualText
 * spans; /Lang needs 1.4. PDF/X-4 is PDF 1.6, PDF/X-1a:2001 PDF 1.3 and
 * PDF/A-1 PDF 1.4; readers of those versions skip the spans (marked
 * content) and the keys they do not know. */
static fo_status setup_profile(fo_pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    c->cms = fo_cms_new(c->opts->cmyk_icc, c->opts->srgb_icc, c->d);
    if (!c->cms)
        return FO_ERR_LIBRARY;
    c->imgs = fo_pdf_images_new(c->pdf, doc, c->opts, c->cms, c->d);
    switch (c->profile) {
    case FO_PROFILE_PRINT:
        fo_pdf_obj_set_version(c->pdf, doc->print.pdfx == FO_DL_PDFX_1A
                                           ? HPDF_VER_13
                                           : HPDF_VER_16);
        c->off = doc->bleed + FO_PDF_SLUG;
        if (!c->opts->cmyk_icc) {
            fo_error(c->d, nopos,
                     "the print profile needs a CMYK output profile");
            return FO_ERR_INPUT;
        }
        break;
    case FO_PROFILE_ARCHIVE:
        fo_pdf_obj_set_version(c->pdf, HPDF_VER_14);
        break;
    case FO_PROFILE_SCREEN:
        fo_pdf_obj_set_version(c->pdf, HPDF_VER_15);
        break;
    }
    return FO_OK;
}

static void ctx_free(fo_pdf_ctx *c)
{
    if (c->pdf)
        HPDF_Free(c->pdf);
    fo_pdf_images_free(c->imgs);
    for (size_t f = 0; f < c->nfonts; f++)
        fo_pdf_font_close(&c->fonts[f]);
    free(c->fonts);
    free(c->images);
    free(c->forms);
    fo_cms_free(c->cms);
    free(c->pages);
    free(c->written);
    for (size_t k = 0; k < c->nanchors; k++) {
        free(c->anchors[k].name);
        free(c->anchors[k].title);
    }
    free(c->anchors);
    for (size_t k = 0; k < c->nlinks; k++)
        free(c->links[k].dest);
    free(c->links);
    free(c->scratch);
    free(c->path);
}

fo_status fo_pdf_writer_new(const fo_dl_doc *doc, const char *path,
                            const fo_pdf_opts *opts, fo_diags *d,
                            fo_pdf_writer **made)
{
    fo_pdf_writer *w = fo_xcalloc(1, sizeof *w);
    fo_pdf_ctx *c = &w->c;
    fo_status st = FO_ERR_LIBRARY;
    *made = NULL;
    w->base = (fo_writer){
        {page_begin, page_op, page_end}, writer_close, writer_drop, 0};
    c->doc = doc;
    c->opts = opts;
    c->d = d;
    c->path = fo_xstrdup(path);
    c->profile = opts->profile; /* build_font reads it */
    c->id[0] = 1469598103934665603ull;
    c->id[1] = 0x6a09e667f3bcc908ull;
    c->pdf = HPDF_New(error_handler, c);
    if (!c->pdf) {
        fo_error(d, nopos, "libharu: cannot create a document");
        goto out;
    }
    if (opts->compress)
        CHECK(c, HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL));
    st = setup_profile(c);
    if (st == FO_OK)
        st = set_info(c);
    if (st != FO_OK)
        goto out;
    *made = w;
    return FO_OK;
out:
    ctx_free(c);
    free(w);
    return st;
}

fo_status fo_pdf_writer_page(fo_pdf_writer *w, size_t p)
{
    fo_pdf_ctx *c = &w->c;
    if (w->st != FO_OK)
        return w->st;
    if (p >= c->doc->npages || w->base.closed) {
        fo_error(c->d, nopos, "page %zu written twice or out of range", p + 1);
        return w->st = FO_ERR_USAGE;
    }
    return fo_writer_page(&w->base, c->doc, p);
}

fo_writer *fo_pdf_writer_writer(fo_pdf_writer *w)
{
    return &w->base;
}

void fo_pdf_writer_drop(fo_pdf_writer *w)
{
    if (!w)
        return;
    ctx_free(&w->c);
    free(w);
}

size_t fo_pdf_writer_images(const fo_pdf_writer *w, fo_pdf_image_res **out)
{
    *out = NULL;
    return w->c.imgs ? fo_pdf_images_res(w->c.imgs, out) : 0;
}

fo_status fo_pdf_writer_close(fo_pdf_writer *w)
{
    w->keep = NULL;
    return fo_writer_close(&w->base);
}

fo_status fo_pdf_writer_close_tmp(fo_pdf_writer *w, char **tmp)
{
    *tmp = NULL;
    w->keep = tmp;
    fo_status st = fo_writer_close(&w->base);
    w->keep = NULL;
    return st;
}

/* Where HPDF_SaveToStream writes (save_tmp): a FILE of our own. */
typedef struct save_sink {
    FILE *fp;
    int err; /* errno of the first failed write */
} save_sink;

static HPDF_STATUS save_write(HPDF_Stream s, const HPDF_BYTE *ptr,
                              HPDF_UINT siz)
{
    save_sink *k = fo_pdf_obj_stream_user(s);
    if (siz && fwrite(ptr, 1, siz, k->fp) != siz) {
        k->err = errno ? errno : EIO;
        return fo_pdf_obj_stream_fail(s, HPDF_FILE_IO_ERROR,
                                      (HPDF_STATUS)k->err);
    }
    return HPDF_OK;
}

/* Saves the document under the temporary name of c->path, left in *tmp
 * (fo_atomic_keep). Not HPDF_SaveToFile: libharu 2.3 ignores the result of
 * its fclose, so a disk that fills during the last flush gives a truncated
 * PDF and HPDF_OK, and its write errors carry ferror(), not errno, so no
 * message could say why. Nor HPDF_SaveToStream's memory stream, which
 * would hold the whole file while pdf_image.c makes each image only as it
 * is written. The document's stream (its private record's, where
 * HPDF_SaveToStream writes when it is set) is a libharu callback writer
 * into a FILE of our own instead, and every write, the flush and the close
 * are checked. Write failures are reported as "DIR: error: cannot write
 * 'NAME': <strerror>". */
static fo_status save_tmp(fo_pdf_ctx *c, char **tmp)
{
    fo_atomic a;
    if (fo_atomic_open(&a, c->path) != FO_OK) {
        fo_error_write(c->d, c->path, errno);
        return FO_ERR_IO;
    }
    save_sink k = {a.fp, 0};
    if (!fo_pdf_obj_save_through(c->pdf, save_write, &k)) {
        fo_atomic_abort(&a);
        fo_pdf_lib_fail(c, "HPDF_CallbackWriter_New");
        return FO_ERR_LIBRARY;
    }
    HPDF_STATUS hs = HPDF_SaveToStream(c->pdf);
    if (k.err) {
        errno = k.err;
        fo_atomic_abort(&a);
        fo_error_write(c->d, c->path, k.err);
        return FO_ERR_IO;
    }
    if (hs != HPDF_OK) {
        fo_atomic_abort(&a);
        if (fo_pdf_images_failed(c->imgs))
            return FO_ERR_INPUT; /* reported at the image */
        fo_pdf_lib_fail(c, "HPDF_SaveToStream");
        return FO_ERR_LIBRARY;
    }
    if (fo_atomic_keep(&a, tmp) != FO_OK) {
        fo_error_write(c->d, c->path, errno);
        return FO_ERR_IO;
    }
    return FO_OK;
}

/* Saves under a temporary name, then renames it to the path, or (kept)
 * hands the temporary name over; the writer stays to be dropped. */
static fo_status finish(fo_pdf_writer *w, char **kept)
{
    fo_pdf_ctx *c = &w->c;
    fo_status st = w->st;
    char *tmp = NULL;
    while (st == FO_OK && c->npages < c->doc->npages)
        st = make_page(c, c->npages); /* pages never written stay empty */
    if (st != FO_OK)
        goto out;
    if (c->input_errors) {
        st = FO_ERR_INPUT;
        goto out;
    }
    st = fo_pdf_nav_outline(c);
    if (st == FO_OK)
        st = fo_pdf_nav_links(c);
    if (st == FO_OK && c->noutline &&
        HPDF_SetPageMode(c->pdf, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK) {
        fo_pdf_lib_fail(c, "HPDF_SetPageMode");
        st = FO_ERR_LIBRARY;
    }
    if (st == FO_OK)
        st = fo_pdf_nav_labels(c);
    if (st == FO_OK)
        st = fo_pdf_build_fonts(c);
    if (st == FO_OK && fo_pdf_images_finish(c->imgs) != FO_OK) {
        fo_pdf_lib_fail(c, "image XObjects");
        st = FO_ERR_LIBRARY;
    }
    if (st == FO_OK)
        st = finish_profile(c);
    if (st == FO_OK)
        st = set_id(c);
    if (st != FO_OK)
        goto out;
    st = save_tmp(c, &tmp);
    if (st == FO_OK && fo_pdf_images_failed(c->imgs))
        st = FO_ERR_INPUT; /* reported at the image */
    if (st != FO_OK)
        goto out;
    if (kept) {
        *kept = tmp;
        tmp = NULL;
    } else if (fo_atomic_rename(tmp, c->path) != FO_OK) {
        tmp = NULL; /* removed and freed */
        fo_error_write(c->d, c->path, errno);
        st = FO_ERR_IO;
        goto out;
    }
    tmp = NULL;
out:
    if (st == FO_OK && (c->lib_failed || c->hpdf_error)) {
        fo_pdf_lib_fail(c, "saving the document");
        st = FO_ERR_LIBRARY;
    }
    fo_atomic_discard(tmp);
    w->st = st != FO_OK ? st : FO_ERR_USAGE; /* closed: no more pages */
    return st;
}

static fo_status writer_close(fo_writer *base)
{
    fo_pdf_writer *w = (fo_pdf_writer *)base;
    return finish(w, w->keep);
}

static void writer_drop(fo_writer *base)
{
    fo_pdf_writer_drop((fo_pdf_writer *)base);
}

fo_status fo_render_pdf(const fo_dl_doc *doc, const char *path,
                        const fo_pdf_opts *opts, fo_diags *d)
{
    fo_pdf_writer *w;
    fo_status st = fo_pdf_writer_new(doc, path, opts, d, &w);
    if (st != FO_OK)
        return st;
    /* in the order layout finished them, as a streamed build writes them */
    int ordered = doc->norder == doc->npages;
    for (size_t p = 0; p < doc->npages; p++)
        if (fo_pdf_writer_page(w, ordered ? doc->order[p] : p) != FO_OK)
            break;
    st = fo_pdf_writer_close(w);
    fo_pdf_writer_drop(w);
    return st;
}
