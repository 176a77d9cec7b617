/* The PDF writer's navigation: named destinations (one per anchor op),
 * the outline (bookmarks) from the anchors with a level, link
 * annotations, and /PageLabels from the display list's page labels; later
 * the structure tree. Pages are written in any order, so destinations are
 * kept as their pages are written and the outline and the internal links
 * are made at the end, when every destination exists. */
#include "pdf_private.h"

#include <stdlib.h>
#include <string.h>

static const fo_pos nopos = {NULL, 0, 0};

/* ---- destinations and outline ---------------------------------------- */

static int cmp_anchor(const void *a, const void *b)
{
    const fo_pdf_anchor *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    return (x->order > y->order) - (x->order < y->order);
}

/* The destination named name (the first anchor of that name), or NULL. */
static HPDF_Destination find_dest(const fo_pdf_ctx *c, const char *name)
{
    size_t lo = 0, hi = c->nanchors;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(c->anchors[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->nanchors && strcmp(c->anchors[lo].name, name) == 0)
        return c->anchors[lo].dest;
    return NULL;
}

/* Replaces key of dict by a UTF-16BE text string. libharu's own string
 * objects stop at the first NUL byte, so the bytes go in as a binary
 * (hex) string, which is an equally valid PDF string. */
fo_status fo_pdf_put_text(fo_pdf_ctx *c, HPDF_Dict dict, const char *key,
                          const char *utf8)
{
    size_t n;
    unsigned char *u = fo_pdf_utf16be_bom(utf8, strlen(utf8), &n);
    HPDF_Binary b = fo_pdf_obj_binary(c->pdf, u, (HPDF_UINT)n);
    free(u);
    if (!b || HPDF_Dict_Add(dict, key, b) != HPDF_OK) {
        fo_pdf_lib_fail(c, key);
        return FO_ERR_LIBRARY;
    }
    return FO_OK;
}

/* dst = [page /XYZ left top null]: null keeps the reader's zoom, which
 * HPDF_Destination_SetXYZ refuses (it wants 0.08..32), so the array is
 * written here. */
static HPDF_STATUS set_xyz(fo_pdf_ctx *c, HPDF_Destination dst, HPDF_Page hp,
                           double left, double top)
{
    HPDF_Null null = fo_pdf_obj_null(c->pdf);
    if (!null)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Array_Clear(dst);
    HPDF_STATUS s = HPDF_Array_Add(dst, hp);
    if (s == HPDF_OK)
        s = HPDF_Array_AddName(dst, "XYZ");
    if (s == HPDF_OK)
        s = HPDF_Array_AddReal(dst, (HPDF_REAL)left);
    if (s == HPDF_OK)
        s = HPDF_Array_AddReal(dst, (HPDF_REAL)top);
    if (s == HPDF_OK)
        s = HPDF_Array_Add(dst, null);
    else
        fo_pdf_obj_free(c->pdf, null);
    return s;
}

/* A destination for anchor a (op i of page p), kept with copies of its
 * name and title for the outline and the links made at the end. */
fo_status fo_pdf_nav_anchor(fo_pdf_ctx *c, size_t p, size_t i,
                            const fo_dl_anchor *a)
{
    const fo_dl_page *pg = c->doc->pages[p];
    HPDF_Page hp = c->pages[p];
    HPDF_Destination dst = HPDF_Page_CreateDestination(hp);
    CHECK_PTR(c, dst, "HPDF_Page_CreateDestination");
    CHECK(c, set_xyz(c, dst, hp, a->x + c->off, pg->height - a->y + c->off));
    fo_grow((void **)&c->anchors, sizeof *c->anchors, &c->anchors_cap,
            c->nanchors + 1);
    /* document order: page, then position on the page */
    c->anchors[c->nanchors++] = (fo_pdf_anchor){
        fo_xstrdup(a->name ? a->name : ""), (p << 20) | (i & 0xFFFFF), a->level,
        a->title ? fo_xstrdup(a->title) : NULL, dst};
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static int cmp_order(const void *a, const void *b)
{
    const fo_pdf_anchor *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

/* The outline, from the anchors with a level in document order; then the
 * anchors sorted by name for find_dest. */
fo_status fo_pdf_nav_outline(fo_pdf_ctx *c)
{
    HPDF_Outline parents[4] = {NULL, NULL, NULL, NULL};
    if (c->nanchors)
        qsort(c->anchors, c->nanchors, sizeof *c->anchors, cmp_order);
    for (size_t k = 0; k < c->nanchors; k++) {
        const fo_pdf_anchor *a = &c->anchors[k];
        if (a->level <= 0)
            continue;
        int lv = a->level > 3 ? 3 : a->level;
        HPDF_Outline parent = NULL;
        for (int l = lv - 1; l >= 1 && !parent; l--)
            parent = parents[l];
        HPDF_Outline ol = HPDF_CreateOutline(c->pdf, parent, "", NULL);
        CHECK_PTR(c, ol, "HPDF_CreateOutline");
        if (fo_pdf_put_text(c, ol, "Title", a->title ? a->title : a->name) !=
            FO_OK)
            goto out;
        CHECK(c, HPDF_Outline_SetDestination(ol, a->dest));
        CHECK(c, HPDF_Outline_SetOpened(ol, HPDF_TRUE));
        parents[lv] = ol;
        c->noutline++;
        for (int l = lv + 1; l <= 3; l++)
            parents[l] = NULL;
    }
    if (c->nanchors)
        qsort(c->anchors, c->nanchors, sizeof *c->anchors, cmp_anchor);
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static fo_status link_style(fo_pdf_ctx *c, HPDF_Annotation an);

fo_status fo_pdf_nav_link(fo_pdf_ctx *c, fo_pdf_page *ps, const fo_dl_link *l)
{
    double H = ps->page->height;
    /* PDF/X allows no annotation inside the bleed box but printer's marks
     * and trap networks: a print file has no links (the outline stays). */
    if (c->profile == FO_PROFILE_PRINT)
        return FO_OK;
    HPDF_Rect r = {(HPDF_REAL)l->x, (HPDF_REAL)(H - l->y - l->h),
                   (HPDF_REAL)(l->x + l->w), (HPDF_REAL)(H - l->y)};
    if (!l->uri) {
        /* its destination may be on a page not written yet: at the end */
        fo_grow((void **)&c->links, sizeof *c->links, &c->links_cap,
                c->nlinks + 1);
        c->links[c->nlinks++] =
            (fo_pdf_link){ps->index, r, fo_xstrdup(l->dest ? l->dest : "")};
        return FO_OK;
    }
    HPDF_Annotation an = HPDF_Page_CreateURILinkAnnot(ps->hp, r, l->uri);
    CHECK_PTR(c, an, "HPDF_Page_CreateURILinkAnnot");
    return link_style(c, an);
out:
    return FO_ERR_LIBRARY;
}

/* The internal links, once every destination exists. */
fo_status fo_pdf_nav_links(fo_pdf_ctx *c)
{
    for (size_t k = 0; k < c->nlinks; k++) {
        const fo_pdf_link *l = &c->links[k];
        HPDF_Destination dst = find_dest(c, l->dest);
        if (!dst) {
            fo_warning(c->d, nopos,
                       "link to \"%s\": no such destination; link dropped",
                       l->dest);
            continue;
        }
        HPDF_Annotation an =
            HPDF_Page_CreateLinkAnnot(c->pages[l->page], l->rect, dst);
        CHECK_PTR(c, an, "HPDF_Page_CreateLinkAnnot");
        if (link_style(c, an) != FO_OK)
            goto out;
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

static fo_status link_style(fo_pdf_ctx *c, HPDF_Annotation an)
{
    /* Links are invisible: the text shows what is clickable. */
    CHECK(c, HPDF_LinkAnnot_SetBorderStyle(an, 0, 0, 0));
    /* PDF/A-1 wants every annotation's flags, with Print (4) set. */
    if (c->profile == FO_PROFILE_ARCHIVE)
        CHECK(c, HPDF_Dict_AddNumber(an, "F", 4));
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}

/* /PageLabels from the display list's labels: a run of lower-case roman
 * or decimal labels that count up by one is one range (front matter i,
 * ii…; body 1, 2…), anything else a label of its own as a prefix. */
static int label_kind(const char *l, int *num)
{
    static const char digits[] = "0123456789";
    if (l[0] && strspn(l, digits) == strlen(l)) {
        *num = atoi(l);
        return 1;
    }
    if (l[0] && strspn(l, "ivxlcdm") == strlen(l)) {
        static const struct {
            char ch;
            int v;
        } R[] = {{'i', 1},   {'v', 5},   {'x', 10},  {'l', 50},
                 {'c', 100}, {'d', 500}, {'m', 1000}};
        int total = 0, prev = 0;
        for (size_t k = strlen(l); k-- > 0;) {
            int v = 0;
            for (size_t j = 0; j < sizeof R / sizeof *R; j++)
                if (R[j].ch == l[k])
                    v = R[j].v;
            total += v < prev ? -v : v;
            if (v >= prev)
                prev = v;
        }
        *num = total;
        return 2;
    }
    return 0;
}

fo_status fo_pdf_nav_labels(fo_pdf_ctx *c)
{
    const fo_dl_doc *doc = c->doc;
    int prev_kind = -1, prev_num = 0;
    for (size_t p = 0; p < doc->npages; p++) {
        const char *l = doc->pages[p]->label;
        if (!l)
            return FO_OK; /* labels only when every page has one */
    }
    for (size_t p = 0; p < doc->npages; p++) {
        const char *l = doc->pages[p]->label;
        int num = 0, kind = label_kind(l, &num);
        if (kind != 0 && kind == prev_kind && num == prev_num + 1) {
            prev_num = num;
            continue;
        }
        if (kind == 0)
            CHECK(c, HPDF_AddPageLabel(c->pdf, (HPDF_UINT)p,
                                       HPDF_PAGE_NUM_STYLE_DECIMAL, 0, l));
        else
            CHECK(c,
                  HPDF_AddPageLabel(c->pdf, (HPDF_UINT)p,
                                    kind == 1 ? HPDF_PAGE_NUM_STYLE_DECIMAL
                                              : HPDF_PAGE_NUM_STYLE_LOWER_ROMAN,
                                    (HPDF_UINT)num, NULL));
        prev_kind = kind;
        prev_num = num;
    }
    return FO_OK;
out:
    return FO_ERR_LIBRARY;
}
