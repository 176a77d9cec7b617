/* The PDF writer's only door into libharu's private structures (the
 * document's memory manager, cross-reference table, trailer, catalog and
 * info, a dictionary's stream and filter, a page's content stream, a
 * stream's user data). libharu 2.3's public API makes pages, fonts and
 * images its own way; the writer needs objects it has no function for (its
 * own Type0 fonts, image streams made while the file is saved, pages whose
 * content is deflated at our level). Each function here wraps one such
 * access and says why the public API cannot do it, so that a libharu
 * upgrade is checked in one file. */
#include "pdf_private.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include <stdio.h>
#include <string.h>

/* Objects: HPDF_Array_New, HPDF_Dict_New, HPDF_String_New… take the
 * document's memory manager, which HPDF_Doc keeps in its private record;
 * the public API makes only the objects of its own page, font and image
 * model. Direct objects, freed with the object that holds them. */

HPDF_Array fo_pdf_obj_array(HPDF_Doc pdf)
{
    return HPDF_Array_New(pdf->mmgr);
}

HPDF_Dict fo_pdf_obj_dict(HPDF_Doc pdf)
{
    return HPDF_Dict_New(pdf->mmgr);
}

HPDF_String fo_pdf_obj_string(HPDF_Doc pdf, const char *s)
{
    return HPDF_String_New(pdf->mmgr, s, NULL);
}

HPDF_Binary fo_pdf_obj_binary(HPDF_Doc pdf, unsigned char *p, size_t n)
{
    return HPDF_Binary_New(pdf->mmgr, p, (HPDF_UINT)n);
}

HPDF_Boolean fo_pdf_obj_bool(HPDF_Doc pdf, int v)
{
    return HPDF_Boolean_New(pdf->mmgr, v ? HPDF_TRUE : HPDF_FALSE);
}

HPDF_Null fo_pdf_obj_null(HPDF_Doc pdf)
{
    return HPDF_Null_New(pdf->mmgr);
}

HPDF_Array fo_pdf_obj_box(HPDF_Doc pdf, HPDF_Box box)
{
    return HPDF_Box_Array_New(pdf->mmgr, box);
}

void fo_pdf_obj_free(HPDF_Doc pdf, void *obj)
{
    HPDF_Obj_Free(pdf->mmgr, obj);
}

/* An indirect dictionary (its own object number): HPDF_Xref_Add needs the
 * document's cross-reference table, which only the private record holds.
 * NULL on failure (libharu frees the object). */
HPDF_Dict fo_pdf_obj_indirect_dict(HPDF_Doc pdf)
{
    HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
    if (d && HPDF_Xref_Add(pdf->xref, d) != HPDF_OK)
        return NULL;
    return d;
}

/* An indirect stream; flate: libharu deflates it when saving (its filter
 * field is the only way to ask, there is no setter). */
HPDF_Dict fo_pdf_obj_stream(HPDF_Doc pdf, int flate)
{
    HPDF_Dict d = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (d && flate)
        d->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    return d;
}

/* An indirect stream marked an XObject (its object class, as
 * HPDF_Image_Load* would mark it), for image data of our own held in
 * memory. NULL on failure. */
HPDF_Dict fo_pdf_obj_image_stream(HPDF_Doc pdf)
{
    HPDF_Dict d = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (d)
        d->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    return d;
}

/* Appends to a stream dictionary's data: the dictionary's stream is a
 * field of its record; the public API writes only to page content. */
HPDF_STATUS fo_pdf_obj_write(HPDF_Dict stream, const void *p, size_t n)
{
    return HPDF_Stream_Write(stream->stream, (const HPDF_BYTE *)p,
                             (HPDF_UINT)n);
}

/* The document's trailer, catalog and info dictionaries: the public API
 * sets only the keys it knows (no /ID without encryption, no /Lang,
 * /OutputIntents or /Metadata in the catalog, no PDF/X keys in the info). */
HPDF_Dict fo_pdf_obj_trailer(HPDF_Doc pdf)
{
    return pdf->trailer;
}

HPDF_Dict fo_pdf_obj_catalog(HPDF_Doc pdf)
{
    return pdf->catalog;
}

HPDF_Dict fo_pdf_obj_info(HPDF_Doc pdf)
{
    return pdf->info;
}

/* The header's version: libharu 2.3 has no setter, and picks one by the
 * features its own API used, which are not ours. */
void fo_pdf_obj_set_version(HPDF_Doc pdf, HPDF_PDFVer v)
{
    pdf->pdf_version = v;
}

/* Makes a dictionary's data go out as it is, its /Filter written by
 * write_fn after the other keys (NULL: none). libharu compresses only at
 * zlib's default level and deletes a /Filter key it did not set, so data
 * deflated at our own level, or passed through from a file, carries filter
 * NONE and the key comes from the write callback; both are fields of the
 * dictionary's record, with no setter. filter is the HPDF_STREAM_FILTER_*
 * libharu writes itself (NONE, or DCT_DECODE for JPEG data). */
void fo_pdf_obj_set_filter(HPDF_Dict dict, unsigned filter,
                           HPDF_STATUS (*write_fn)(HPDF_Dict, HPDF_Stream))
{
    dict->filter = filter;
    if (write_fn)
        dict->write_fn = write_fn;
}

/* Appends n bytes to page hp's content stream; deflated: they are Flate
 * data already (see fo_pdf_obj_set_filter). The content stream and its
 * dictionary are fields of the page's private attributes. */
HPDF_STATUS fo_pdf_obj_page_content(HPDF_Page hp, const void *p, size_t n,
                                    int deflated)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)hp->attr;
    if (deflated)
        fo_pdf_obj_set_filter(attr->contents, HPDF_STREAM_FILTER_NONE,
                              fo_pdf_write_flate_filter);
    return HPDF_Stream_Write(attr->stream, (const HPDF_BYTE *)p, (HPDF_UINT)n);
}

/* The user data of a callback stream, and how its callbacks fail: libharu
 * passes callbacks the stream itself, whose attr and error fields are the
 * only way back to our data and to the document's error state. */
void *fo_pdf_obj_stream_user(HPDF_Stream s)
{
    return s->attr;
}

void fo_pdf_obj_stream_set_user(HPDF_Stream s, void *user)
{
    s->attr = user;
}

HPDF_STATUS fo_pdf_obj_stream_fail(HPDF_Stream s, HPDF_STATUS code,
                                   HPDF_STATUS detail)
{
    return HPDF_SetError(s->error, code, detail);
}

/* The user data of a stream dictionary's callback stream. */
void *fo_pdf_obj_dict_user(HPDF_Dict dict)
{
    return dict->stream->attr;
}

/* An image XObject whose data comes from callbacks (fns) while the file is
 * saved, in place of libharu's memory stream: libharu has a callback
 * writer but no callback reader, so the stream record is filled here, and
 * the dictionary is marked an XObject (its object class) as
 * HPDF_Image_Load* would. user is handed to the callbacks
 * (fo_pdf_obj_stream_user) and freed by fns->free_fn. NULL on failure. */
HPDF_Dict fo_pdf_obj_callback_xobject(HPDF_Doc pdf,
                                      const fo_pdf_stream_fns *fns, void *user)
{
    HPDF_MMgr mm = pdf->mmgr;
    HPDF_Dict x = HPDF_DictStream_New(mm, pdf->xref);
    if (!x)
        return NULL;
    HPDF_Stream s = HPDF_GetMem(mm, sizeof(HPDF_Stream_Rec));
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->sig_bytes = HPDF_STREAM_SIG_BYTES;
    s->type = HPDF_STREAM_CALLBACK;
    s->mmgr = mm;
    s->error = mm->error;
    s->read_fn = fns->read_fn;
    s->seek_fn = fns->seek_fn;
    s->tell_fn = fns->tell_fn;
    s->size_fn = fns->size_fn;
    s->free_fn = fns->free_fn;
    s->attr = user;
    HPDF_Stream_Free(x->stream);
    x->stream = s;
    x->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    x->filter = HPDF_STREAM_FILTER_NONE;
    return x;
}

/* libharu 2.3 makes no Form XObject: its only XObjects are the images it
 * loads itself. Its dictionary is a stream marked as they are, so that
 * HPDF_Page_GetXObjectName takes it. */
HPDF_Dict fo_pdf_obj_form(HPDF_Doc pdf, int flate)
{
    HPDF_Dict x = fo_pdf_obj_stream(pdf, flate);
    if (x)
        x->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    return x;
}

/* A form's resources: libharu names resources only in a page's. */
const char *fo_pdf_obj_res_name(HPDF_Doc pdf, HPDF_Dict res, const char *kind,
                                const char *prefix, void *obj)
{
    HPDF_Dict sub = HPDF_Dict_GetItem(res, kind, HPDF_OCLASS_DICT);
    if (!sub) {
        sub = HPDF_Dict_New(pdf->mmgr);
        if (!sub || HPDF_Dict_Add(res, kind, sub) != HPDF_OK)
            return NULL;
    }
    const char *key = HPDF_Dict_GetKeyByObj(sub, obj);
    if (key)
        return key;
    char name[32];
    (void)snprintf(name, sizeof name, "%s%u", prefix,
                   (unsigned)sub->list->count + 1);
    if (HPDF_Dict_Add(sub, name, obj) != HPDF_OK)
        return NULL;
    return HPDF_Dict_GetKeyByObj(sub, obj);
}

/* Makes HPDF_SaveToStream write through write_fn (with user as the
 * stream's user data) instead of its memory stream: the document's output
 * stream is a field of its record, and HPDF_SaveToFile cannot report a
 * failed close (pdf.c's save_tmp says why that matters). NULL on failure. */
HPDF_Stream fo_pdf_obj_save_through(HPDF_Doc pdf,
                                    HPDF_Stream_Write_Func write_fn, void *user)
{
    HPDF_Stream s = HPDF_CallbackWriter_New(pdf->mmgr, write_fn, user);
    if (!s)
        return NULL;
    if (pdf->stream)
        HPDF_Stream_Free(pdf->stream);
    pdf->stream = s; /* HPDF_Free frees it */
    return s;
}

/* The name under which page hp's resources know graphics state gs,
 * adding it: the public HPDF_Page_SetExtGState also writes the operator
 * into libharu's own content stream (ours is written raw, pdf_text.c), and
 * HPDF_CreateExtGState raises the file to PDF 1.4, which PDF/X-1a:2001
 * (PDF 1.3) may not be. NULL on failure. */
const char *fo_pdf_obj_gstate_name(HPDF_Page hp, HPDF_Dict gs)
{
    return HPDF_Page_GetExtGStateName(hp, gs);
}
