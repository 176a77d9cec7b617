/* What the output profiles add to the PDF writer (render.h): JPEG
 * re-encoding, ICC profiles for the output intents, the XMP packet of
 * PDF/A and PDF/X-4 (the printer's marks are pdf_marks.c's). The writer decides
 * when each is used; nothing here touches the libharu document but the
 * ICC stream it is handed (fo_pdf_icc_write). Colour
 * conversion and pixel work, which the PNG soft proof shares, are in
 * color.c and pixels.c.
 *
 * JPEG encoding: libjpeg into memory. Its error manager must not return;
 * the encoder fails only on a bug or when memory runs out, and both abort
 * with a message here (bugs abort, bad input is reported), so no setjmp
 * is needed. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "pdf_private.h"
#include "icc_flate.h"

#include <hpdf.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <jpeglib.h>
#include <zlib.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An ICC profile bigger than this is refused. */
#define MAX_ICC ((size_t)16 * 1024 * 1024)

static const fo_pos nopos = {NULL, 0, 0};

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

/* A profile smaller than this is deflated on every build rather than
 * looked up in the cache: opening an entry costs more (sRGB.icc, 3 KB). */
#define ICC_CACHE_MIN ((size_t)64 << 10)

/* What libharu writes for a stream it deflates itself, after the other
 * keys: the ICC stream's bytes stay those of the PDFs before it was
 * deflated ahead of time. */
static HPDF_STATUS write_icc_filter(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter [ /FlateDecode ]\012");
}

/* icc[0..len) deflated (fo_icc_flate): the bytes packed when folio was
 * built when icc is that profile and this zlib the one that packed it
 * (a one-page print build deflated the 1 MB profile for 270 M of its 348 M
 * instructions, docs/benchmark.md), else the cache's, else made now (and
 * cached). *owned is what the caller frees. NULL without memory. */
static const unsigned char *icc_flate(const unsigned char *icc, size_t len,
                                      fo_cache *cache, size_t *out_len,
                                      unsigned char **owned)
{
    unsigned char dg[FO_CACHE_DIGEST];
    fo_cache_digest(icc, len, dg);
    const char *zv = zlibVersion();
    *owned = NULL;
    if (len == fo_icc_packed_raw_len &&
        memcmp(dg, fo_icc_packed_digest, sizeof dg) == 0 &&
        strcmp(zv, fo_icc_packed_zlib) == 0) {
        *out_len = fo_icc_packed_len;
        return fo_icc_packed;
    }
    fo_cache_key key;
    int keyed = cache && len >= ICC_CACHE_MIN;
    if (keyed) {
        const fo_cache_part parts[2] = {{dg, sizeof dg}, {zv, strlen(zv)}};
        key = fo_cache_key_make(cache, "icc-flate", parts, 2);
        if (fo_cache_get(cache, &key, owned, out_len))
            return *owned;
    }
    *owned = fo_icc_flate(icc, len, out_len);
    if (*owned && keyed) {
        const fo_cache_part part = {*owned, *out_len};
        fo_cache_put(cache, &key, &part, 1);
    }
    return *owned;
}

HPDF_STATUS fo_pdf_icc_write(HPDF_Dict stream, const char *icc, size_t len,
                             int compress, fo_cache *cache)
{
    if (!compress)
        return fo_pdf_obj_write(stream, icc, len);
    unsigned char *owned;
    size_t n = 0;
    const unsigned char *fl =
        icc_flate((const unsigned char *)icc, len, cache, &n, &owned);
    if (!fl)
        return HPDF_FAILD_TO_ALLOC_MEM;
    fo_pdf_obj_set_filter(stream, HPDF_STREAM_FILTER_NONE, write_icc_filter);
    HPDF_STATUS r = fo_pdf_obj_write(stream, fl, n);
    free(owned);
    return r;
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
                     const char *producer, const char *creator,
                     fo_pdf_xmp_kind kind, fo_buf *b)
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
           " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n");
    if (st == FO_OK)
        st = fo_buf_puts(
            b, kind == FO_PDF_XMP_PDFA1B
                   ? " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
                   : " xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\">\n");
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
                           "<xmp:ModifyDate>%s</xmp:ModifyDate>\n",
                           date, date);
    if (st == FO_OK)
        st = fo_buf_puts(
            b,
            kind == FO_PDF_XMP_PDFA1B
                ? "<pdfaid:part>1</pdfaid:part>\n"
                  "<pdfaid:conformance>B</pdfaid:conformance>\n"
                : "<pdf:Trapped>False</pdf:Trapped>\n"
                  "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>\n");
    if (st == FO_OK)
        st = fo_buf_puts(b, "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n");
    /* Padding lets an editor update the packet in place (XMP spec). */
    for (int i = 0; i < 20 && st == FO_OK; i++)
        st = fo_buf_puts(b, "                                        "
                            "                                        \n");
    if (st == FO_OK)
        st = fo_buf_puts(b, "<?xpacket end=\"w\"?>");
    return st;
}
