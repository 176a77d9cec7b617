/* What the output profiles add to the PDF renderer (render.h): colour
 * conversion with LittleCMS, image flattening and resampling, JPEG
 * re-encoding, ICC profiles for the output intents, the XMP packet of
 * PDF/A and the printer's marks of the print profile. pdf.c decides when
 * each is used; nothing here touches the libharu document.
 *
 * Colour: sRGB → CMYK through the output profile with the perceptual
 * intent and black-point compensation (what prepress tools default to for
 * photographs). LittleCMS runs in a context of its own whose error handler
 * keeps the message for the diagnostic, so no global state is touched.
 *
 * Resampling is Cairo's: an image surface painted scaled down with
 * CAIRO_FILTER_GOOD, which pixman turns into a separable box
 * (area-averaging) filter when shrinking. Cairo is already a dependency
 * of the renderers, so no hand-written filter and no new library. Alpha is
 * premultiplied on the way in (Cairo's ARGB32) and undone on the way out.
 *
 * JPEG encoding: libjpeg into memory. Its error manager must not return;
 * the encoder fails only on a bug or when memory runs out, and both abort
 * with a message here (style.md §3), so no setjmp is needed. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "pdf_private.h"

#include <cairo.h>
#include <lcms2.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <jpeglib.h>

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An ICC profile bigger than this is refused. */
#define MAX_ICC ((size_t)16 * 1024 * 1024)

static const fo_pos nopos = {NULL, 0, 0};

/* ---- colour conversion --------------------------------------------- */

struct fo_pdf_cms {
    /* Transforms are made on first use, possibly by several of
     * pdf_image.c's threads at once: made under this lock, then used
     * without it (cmsDoTransform keeps no state in the transform). */
    pthread_mutex_t mu;
    const fo_pdf_opts *opts;
    cmsContext ctx;
    cmsHPROFILE srgb, cmyk;
    cmsHTRANSFORM to_cmyk, to_rgb;
    char msg[256]; /* LittleCMS's last error */
};

static void cms_log(cmsContext ctx, cmsUInt32Number code, const char *text)
{
    fo_pdf_cms *cms = cmsGetContextUserData(ctx);
    (void)code;
    if (cms && !cms->msg[0])
        (void)snprintf(cms->msg, sizeof cms->msg, "%s", text);
}

fo_pdf_cms *fo_pdf_cms_new(const fo_pdf_opts *opts, fo_diags *d)
{
    fo_pdf_cms *cms = fo_xcalloc(1, sizeof *cms);
    cms->opts = opts;
    (void)pthread_mutex_init(&cms->mu, NULL);
    cms->ctx = cmsCreateContext(NULL, cms);
    if (!cms->ctx) {
        fo_error(d, nopos, "LittleCMS: cannot create a context");
        (void)pthread_mutex_destroy(&cms->mu);
        free(cms);
        return NULL;
    }
    cmsSetLogErrorHandlerTHR(cms->ctx, cms_log);
    return cms;
}

void fo_pdf_cms_free(fo_pdf_cms *cms)
{
    if (!cms)
        return;
    if (cms->to_cmyk)
        cmsDeleteTransform(cms->to_cmyk);
    if (cms->to_rgb)
        cmsDeleteTransform(cms->to_rgb);
    if (cms->srgb)
        cmsCloseProfile(cms->srgb);
    if (cms->cmyk)
        cmsCloseProfile(cms->cmyk);
    cmsDeleteContext(cms->ctx);
    (void)pthread_mutex_destroy(&cms->mu);
    free(cms);
}

/* Opens the profile at path (or the built-in sRGB when path is NULL and
 * want is RGB) and checks its colour space. */
static cmsHPROFILE open_profile(fo_pdf_cms *cms, const char *path,
                                cmsColorSpaceSignature want, fo_diags *d)
{
    cmsHPROFILE p;
    if (!path && want == cmsSigRgbData) {
        p = cmsCreate_sRGBProfileTHR(cms->ctx);
    } else if (!path) {
        fo_error(d, nopos, "the print profile needs a CMYK output profile");
        return NULL;
    } else {
        p = cmsOpenProfileFromFileTHR(cms->ctx, path, "r");
    }
    if (!p) {
        fo_error(d, nopos, "%s: cannot read the ICC profile%s%s",
                 path ? path : "sRGB", cms->msg[0] ? ": " : "", cms->msg);
        return NULL;
    }
    if (cmsGetColorSpace(p) != want) {
        fo_error(d, nopos, "%s: not an %s ICC profile", path,
                 want == cmsSigRgbData ? "RGB" : "CMYK");
        cmsCloseProfile(p);
        return NULL;
    }
    return p;
}

static int load_profiles(fo_pdf_cms *cms, fo_diags *d)
{
    if (!cms->srgb)
        cms->srgb = open_profile(cms, cms->opts->srgb_icc, cmsSigRgbData, d);
    if (cms->srgb && !cms->cmyk)
        cms->cmyk = open_profile(cms, cms->opts->cmyk_icc, cmsSigCmykData, d);
    return cms->srgb && cms->cmyk;
}

static fo_status convert(fo_pdf_cms *cms, fo_pixels *px, int to_cmyk,
                         fo_diags *d)
{
    (void)pthread_mutex_lock(&cms->mu);
    if (!load_profiles(cms, d)) {
        (void)pthread_mutex_unlock(&cms->mu);
        return FO_ERR_INPUT;
    }
    cmsHTRANSFORM *t = to_cmyk ? &cms->to_cmyk : &cms->to_rgb;
    if (!*t) {
        *t = to_cmyk ? cmsCreateTransformTHR(cms->ctx, cms->srgb, TYPE_RGB_8,
                                             cms->cmyk, TYPE_CMYK_8,
                                             INTENT_PERCEPTUAL,
                                             cmsFLAGS_BLACKPOINTCOMPENSATION)
                     : cmsCreateTransformTHR(cms->ctx, cms->cmyk, TYPE_CMYK_8,
                                             cms->srgb, TYPE_RGB_8,
                                             INTENT_PERCEPTUAL,
                                             cmsFLAGS_BLACKPOINTCOMPENSATION);
        if (!*t) {
            fo_error(d, nopos, "LittleCMS: cannot make a transform: %s",
                     cms->msg);
            (void)pthread_mutex_unlock(&cms->mu);
            return FO_ERR_LIBRARY;
        }
    }
    (void)pthread_mutex_unlock(&cms->mu);
    int oc = to_cmyk ? 4 : 3;
    size_t npx = (size_t)px->w * (size_t)px->h;
    unsigned char *o = fo_xmalloc(npx * (size_t)oc + 1);
    /* In slices: cmsDoTransform counts pixels in 32 bits. */
    const size_t slice = (size_t)1 << 20;
    for (size_t i = 0; i < npx; i += slice) {
        size_t n = npx - i < slice ? npx - i : slice;
        cmsDoTransform(*t, px->data + i * (size_t)px->comps, o + i * (size_t)oc,
                       (cmsUInt32Number)n);
    }
    free(px->data);
    px->data = o;
    px->comps = oc;
    return FO_OK;
}

fo_status fo_pdf_cms_to_cmyk(fo_pdf_cms *cms, fo_pixels *px, fo_diags *d)
{
    assert(px->comps == 3);
    return convert(cms, px, 1, d);
}

fo_status fo_pdf_cms_to_rgb(fo_pdf_cms *cms, fo_pixels *px, fo_diags *d)
{
    assert(px->comps == 4);
    return convert(cms, px, 0, d);
}

/* ---- pixels ---------------------------------------------------------- */

void fo_pdf_flatten(fo_pixels *px)
{
    if (!px->alpha)
        return;
    size_t npx = (size_t)px->w * (size_t)px->h;
    for (size_t i = 0; i < npx; i++) {
        unsigned a = px->alpha[i];
        if (a == 255) /* opaque, as most pixels of a chart or logo are */
            continue;
        if (a == 0) { /* transparent: white, as its background often is */
            memset(&px->data[i * (size_t)px->comps], px->comps == 4 ? 0 : 255,
                   (size_t)px->comps);
            continue;
        }
        for (int k = 0; k < px->comps; k++) {
            unsigned char *v = &px->data[i * (size_t)px->comps + (size_t)k];
            if (px->comps == 4) /* CMYK: white is no ink */
                *v = (unsigned char)((*v * a + 127) / 255);
            else
                *v = (unsigned char)((*v * a + 255 * (255 - a) + 127) / 255);
        }
    }
    free(px->alpha);
    px->alpha = NULL;
}

/* Copies px into src (Cairo ARGB32 or RGB24, px->w x px->h), grey as
 * R = G = B, colour premultiplied by alpha when px has one. */
static void pixels_to_surface(const fo_pixels *px, cairo_surface_t *src)
{
    int has_a = px->alpha != NULL, nc = px->comps;
    cairo_surface_flush(src);
    unsigned char *sd = cairo_image_surface_get_data(src);
    int ss = cairo_image_surface_get_stride(src);
    for (int y = 0; y < px->h; y++) {
        uint32_t *row = (uint32_t *)(void *)(sd + (size_t)y * (size_t)ss);
        for (int x = 0; x < px->w; x++) {
            size_t i = (size_t)y * (size_t)px->w + (size_t)x;
            const unsigned char *p = px->data + i * (size_t)nc;
            uint32_t r = p[0], g = p[nc > 1 ? 1 : 0], b = p[nc > 1 ? 2 : 0];
            uint32_t a = has_a ? px->alpha[i] : 255;
            if (has_a) {
                r = (r * a + 127) / 255;
                g = (g * a + 127) / 255;
                b = (b * a + 127) / 255;
            }
            row[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
    cairo_surface_mark_dirty(src);
}

/* Paints src scaled to fill dst (w x h) with Cairo's area-averaging
 * filter. Returns 0 on a Cairo error. */
static int scale_surface(cairo_surface_t *src, int sw, int sh,
                         cairo_surface_t *dst, int w, int h)
{
    cairo_t *cr = cairo_create(dst);
    cairo_scale(cr, (double)w / sw, (double)h / sh);
    cairo_set_source_surface(cr, src, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    /* PAD: the edge pixels are not averaged with transparent black. */
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    int ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    return ok;
}

/* Replaces px's pixels with dst's (w x h): nc components (grey takes the
 * red channel), alpha unpremultiplied when has_a. */
static void surface_to_pixels(cairo_surface_t *dst, int w, int h, int nc,
                              int has_a, fo_pixels *px)
{
    cairo_surface_flush(dst);
    const unsigned char *dd = cairo_image_surface_get_data(dst);
    int ds = cairo_image_surface_get_stride(dst);
    size_t npx = (size_t)w * (size_t)h;
    unsigned char *data = fo_xmalloc(npx * (size_t)nc);
    unsigned char *alpha = has_a ? fo_xmalloc(npx) : NULL;
    for (int y = 0; y < h; y++) {
        const uint32_t *row =
            (const uint32_t *)(const void *)(dd + (size_t)y * (size_t)ds);
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            uint32_t v = row[x], a = has_a ? v >> 24 : 255;
            uint32_t c[3] = {(v >> 16) & 255, (v >> 8) & 255, v & 255};
            for (int k = 0; k < 3; k++)
                if (has_a)
                    c[k] = a ? (c[k] * 255 + a / 2) / a : 255;
            if (nc == 1) {
                data[i] = (unsigned char)c[0];
            } else {
                for (int k = 0; k < 3; k++)
                    data[i * 3 + (size_t)k] = (unsigned char)c[k];
            }
            if (alpha)
                alpha[i] = (unsigned char)a;
        }
    }
    free(px->data);
    free(px->alpha);
    px->data = data;
    px->alpha = alpha;
    px->w = w;
    px->h = h;
}

fo_status fo_pdf_resample(fo_pixels *px, int w, int h, fo_diags *d)
{
    assert(px->comps == 1 || px->comps == 3);
    assert(w > 0 && h > 0);
    int has_a = px->alpha != NULL, nc = px->comps;
    cairo_format_t fmt = has_a ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
    fo_status st = FO_ERR_LIBRARY;
    cairo_surface_t *src = cairo_image_surface_create(fmt, px->w, px->h);
    cairo_surface_t *dst = cairo_image_surface_create(fmt, w, h);
    if (cairo_surface_status(src) == CAIRO_STATUS_SUCCESS &&
        cairo_surface_status(dst) == CAIRO_STATUS_SUCCESS) {
        pixels_to_surface(px, src);
        if (scale_surface(src, px->w, px->h, dst, w, h)) {
            surface_to_pixels(dst, w, h, nc, has_a, px);
            st = FO_OK;
        }
    }
    if (st != FO_OK)
        fo_error(d, nopos, "Cairo: cannot resample a %d x %d image", px->w,
                 px->h);
    cairo_surface_destroy(src);
    cairo_surface_destroy(dst);
    return st;
}

static void jpeg_die(j_common_ptr ci)
{
    char msg[JMSG_LENGTH_MAX];
    (*ci->err->format_message)(ci, msg);
    (void)fprintf(stderr, "folio: libjpeg: %s\n", msg);
    abort();
}

void fo_pdf_jpeg_encode(const fo_pixels *px, int quality, unsigned char **out,
                        size_t *len)
{
    assert(!px->alpha && (px->comps == 1 || px->comps == 3 || px->comps == 4));
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    unsigned long n = 0;
    ci.err = jpeg_std_error(&jerr);
    jerr.error_exit = jpeg_die;
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &buf, &n);
    ci.image_width = (JDIMENSION)px->w;
    ci.image_height = (JDIMENSION)px->h;
    ci.input_components = px->comps;
    ci.in_color_space = px->comps == 1   ? JCS_GRAYSCALE
                        : px->comps == 4 ? JCS_CMYK
                                         : JCS_RGB;
    jpeg_set_defaults(&ci);
    /* CMYK as it is, not inverted, and no Adobe APP14 marker: readers
     * disagree on what that marker means for inversion, and agree on a
     * plain CMYK JPEG (no /Decode in the dictionary). */
    if (px->comps == 4)
        ci.write_Adobe_marker = FALSE;
    jpeg_set_quality(&ci, quality, TRUE);
    ci.optimize_coding = TRUE; /* a few % smaller, still baseline */
    jpeg_start_compress(&ci, TRUE);
    size_t stride = (size_t)px->w * (size_t)px->comps;
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW row = px->data + ci.next_scanline * stride;
        (void)jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    *out = buf;
    *len = n;
}

/* ---- ICC files --------------------------------------------------------- */

fo_status fo_pdf_read_icc(const char *path, int n, char **out, size_t *len,
                          fo_diags *d)
{
    if (!path) {
        fo_error(d, nopos, "no %s output profile given",
                 n == 4 ? "CMYK" : "RGB");
        return FO_ERR_INPUT;
    }
    fo_status st = fo_file_read(path, MAX_ICC, out, len);
    if (st != FO_OK) {
        fo_error(d, nopos, "%s: cannot read the ICC profile", path);
        return st;
    }
    const char *want = n == 4 ? "CMYK" : "RGB ";
    if (*len < 128 || memcmp(*out + 36, "acsp", 4) != 0 ||
        memcmp(*out + 16, want, 4) != 0) {
        fo_error(d, nopos, "%s: not an %s ICC profile", path,
                 n == 4 ? "CMYK" : "RGB");
        free(*out);
        *out = NULL;
        return FO_ERR_INPUT;
    }
    return FO_OK;
}

/* ---- XMP --------------------------------------------------------------- */

/* s with &, <, > and " escaped, as XML character data. */
static fo_status put_xml(fo_buf *b, const char *s)
{
    fo_status st = FO_OK;
    for (const char *p = s; *p && st == FO_OK; p++) {
        switch (*p) {
        case '&':
            st = fo_buf_puts(b, "&amp;");
            break;
        case '<':
            st = fo_buf_puts(b, "&lt;");
            break;
        case '>':
            st = fo_buf_puts(b, "&gt;");
            break;
        case '"':
            st = fo_buf_puts(b, "&quot;");
            break;
        default:
            /* C0 controls are not XML 1.0 characters */
            if ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n')
                st = fo_buf_append(b, p, 1);
        }
    }
    return st;
}

static int has(const char *s)
{
    return s && s[0];
}

/* open, s escaped, close; nothing when s is NULL or empty. */
static fo_status put_xmp_field(fo_buf *b, const char *open, const char *s,
                               const char *close)
{
    if (!has(s))
        return FO_OK;
    fo_status st = fo_buf_puts(b, open);
    if (st == FO_OK)
        st = put_xml(b, s);
    if (st == FO_OK)
        st = fo_buf_puts(b, close);
    return st;
}

fo_status fo_pdf_xmp(const fo_dl_doc *doc, long long epoch,
                     const char *producer, const char *creator, fo_buf *b)
{
    struct tm tm;
    time_t t = (time_t)epoch;
    char date[80];
    if (!gmtime_r(&t, &tm))
        return FO_ERR_INPUT;
    (void)snprintf(date, sizeof date, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec);
    fo_status st = fo_buf_puts(
        b, "<?xpacket begin=\"\xEF\xBB\xBF\" "
           "id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
           "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
           "<rdf:RDF "
           "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
           "<rdf:Description rdf:about=\"\"\n"
           " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
           " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
           " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
           " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n");
    if (st == FO_OK)
        st = put_xmp_field(b,
                           "<dc:title><rdf:Alt><rdf:li "
                           "xml:lang=\"x-default\">",
                           doc->title, "</rdf:li></rdf:Alt></dc:title>\n");
    if (st == FO_OK)
        st = put_xmp_field(b, "<dc:creator><rdf:Seq><rdf:li>", doc->author,
                           "</rdf:li></rdf:Seq></dc:creator>\n");
    if (st == FO_OK)
        st = put_xmp_field(b,
                           "<dc:description><rdf:Alt><rdf:li "
                           "xml:lang=\"x-default\">",
                           doc->subject,
                           "</rdf:li></rdf:Alt></dc:description>\n");
    if (st == FO_OK)
        st = put_xmp_field(b, "<pdf:Keywords>", doc->keywords,
                           "</pdf:Keywords>\n");
    if (st == FO_OK)
        st = put_xmp_field(b, "<pdf:Producer>", producer, "</pdf:Producer>\n");
    if (st == FO_OK)
        st = put_xmp_field(b, "<xmp:CreatorTool>", creator,
                           "</xmp:CreatorTool>\n");
    if (st == FO_OK)
        st = fo_buf_printf(b,
                           "<xmp:CreateDate>%s</xmp:CreateDate>\n"
                           "<xmp:ModifyDate>%s</xmp:ModifyDate>\n"
                           "<pdfaid:part>1</pdfaid:part>\n"
                           "<pdfaid:conformance>B</pdfaid:conformance>\n"
                           "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n",
                           date, date);
    /* Padding lets an editor update the packet in place (XMP spec). */
    for (int i = 0; i < 20 && st == FO_OK; i++)
        st = fo_buf_puts(b, "                                        "
                            "                                        \n");
    if (st == FO_OK)
        st = fo_buf_puts(b, "<?xpacket end=\"w\"?>");
    return st;
}

/* ---- printer's marks --------------------------------------------------- */

typedef struct marks {
    fo_buf *b;
    fo_status st;
} marks;

static void mput(marks *m, const char *s)
{
    if (m->st == FO_OK)
        m->st = fo_buf_puts(m->b, s);
}

static void mnum(marks *m, double v)
{
    char t[64];
    fo_pdf_num(t, sizeof t, v, 3);
    mput(m, t);
    mput(m, " ");
}

static void mline(marks *m, double x0, double y0, double x1, double y1)
{
    mnum(m, x0);
    mnum(m, y0);
    mput(m, "m ");
    mnum(m, x1);
    mnum(m, y1);
    mput(m, "l S\n");
}

/* A registration target: a circle of radius r and a cross through it. */
static void target(marks *m, double x, double y, double r)
{
    const double k = 0.5523 * r; /* Bézier quarter circle */
    double arm = r + 1 * FO_PDF_MM;
    mnum(m, x + r);
    mnum(m, y);
    mput(m, "m\n");
    const double q[4][6] = {{x + r, y + k, x + k, y + r, x, y + r},
                            {x - k, y + r, x - r, y + k, x - r, y},
                            {x - r, y - k, x - k, y - r, x, y - r},
                            {x + k, y - r, x + r, y - k, x + r, y}};
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 6; j++)
            mnum(m, q[i][j]);
        mput(m, "c\n");
    }
    mput(m, "S\n");
    mline(m, x - arm, y, x + arm, y);
    mline(m, x, y - arm, x, y + arm);
}

fo_status fo_pdf_marks(fo_buf *b, double w, double h, double off, double bleed)
{
    marks m = {b, FO_OK};
    /* Crop marks start clear of the bleed (and at least 4 mm from the
     * trim) and end 1 mm short of the media's edge. */
    double d0 = (bleed > 3 * FO_PDF_MM ? bleed : 3 * FO_PDF_MM) + FO_PDF_MM;
    double d1 = off - FO_PDF_MM;
    mput(&m, "q\n0.25 w\n1 1 1 1 K\n");
    const double cx[2] = {off, off + w}, cy[2] = {off, off + h};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double sx = i ? 1 : -1, sy = j ? 1 : -1;
            mline(&m, cx[i] + sx * d0, cy[j], cx[i] + sx * d1, cy[j]);
            mline(&m, cx[i], cy[j] + sy * d0, cx[i], cy[j] + sy * d1);
        }
    /* Targets centred on each side, in the middle of the slug. */
    double mid = bleed + FO_PDF_SLUG / 2, r = 3 * FO_PDF_MM;
    target(&m, off + w / 2, off - mid, r);
    target(&m, off + w / 2, off + h + mid, r);
    target(&m, off - mid, off + h / 2, r);
    target(&m, off + w + mid, off + h / 2, r);
    mput(&m, "Q\n");
    return m.st;
}
