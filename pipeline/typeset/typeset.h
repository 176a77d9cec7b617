/* typeset — from the model to pages: the private font set, paragraphs
 * shaped once with Pango/HarfBuzz and broken into lines with Knuth–Plass
 * (kp.h), blocks (figures, tables, key figures, quotes, lists) measured,
 * everything flowed into the template's columns or fixed panels, the cover,
 * contents and running heads added, and the page display list (dlist.h) as
 * the result. No Pango object leaves this stage.
 *
 * Fonts come only from the folders given to fo_fonts_new (the repository's
 * fonts/ and a template's own), through a private fontconfig
 * configuration: the machine's own fonts never take part, so every machine
 * builds the same pages. */
#ifndef FO_TYPESET_H
#define FO_TYPESET_H

#include "dlist/dlist.h"
#include "model/model.h"
#include "model/template.h"

typedef struct fo_fonts fo_fonts;

/* Set paragraphs kept from one layout to the next (memo.c): a process that
 * lays out the same publication again (`watch`) shapes and breaks again
 * only the paragraphs whose inputs changed, and gets the same pages. At
 * most cap_bytes are held. Free with fo_para_memo_free. */
typedef struct fo_para_memo fo_para_memo;
fo_para_memo *fo_para_memo_new(size_t cap_bytes);
void fo_para_memo_free(fo_para_memo *m);
/* Forgets every paragraph: after a change the memo's key does not see (a
 * font file, a hyphenation dictionary). */
void fo_para_memo_clear(fo_para_memo *m);
/* After a layout: forgets the paragraphs it did not ask for. */
void fo_para_memo_sweep(fo_para_memo *m);
/* Paragraphs found and not found since the memo was made. */
void fo_para_memo_stats(const fo_para_memo *m, long *hits, long *misses);

/* Opens the font set over the .ttf/.otf/.ttc files in fonts_dir and, when
 * extra_dir is not NULL, a template's own font folder. The result owns a
 * private FcConfig and Pango font map; free with fo_fonts_free. FO_ERR_IO
 * when no usable font is found. */
FO_WUR fo_status fo_fonts_new(const char *fonts_dir, const char *extra_dir,
                              fo_diags *d, fo_fonts **out);
void fo_fonts_free(fo_fonts *f);
/* Layouts with f set their paragraphs through memo m (borrowed; NULL:
 * none) from now on. */
void fo_fonts_set_memo(fo_fonts *f, fo_para_memo *m);

/* Lays out edition ed of pub in template t into a new display list (*out,
 * free with fo_dl_doc_free). Input problems (a character no font has, a
 * corrupt image, content that overflows a fixed panel) go to d with the
 * block's position and give FO_ERR_INPUT. */
FO_WUR fo_status fo_typeset(const fo_pub *pub, int ed, const fo_template *t,
                            fo_fonts *fonts, fo_diags *d, fo_dl_doc **out);

typedef struct fo_page_sink {
    /* Called once per page, when the page is final (content, running
     * heads and feet, label): the cover first, then body pages in order as
     * the flow leaves them, the reserved contents pages after the last body
     * page. doc is the document being laid out (its fonts and images still
     * grow); only page index may be read. A status other than FO_OK stops
     * the layout and is returned. */
    fo_status (*page)(void *ud, const fo_dl_doc *doc, size_t index);
    void *ud;
} fo_page_sink;

/* fo_typeset, handing each page to sink when it is final and releasing it
 * (fo_dl_page_release) right after the call, so that the document is never
 * held whole. *out then holds the document without page contents:
 * metadata, fonts, images, page sizes and labels. With a NULL sink, it is
 * fo_typeset. Pages handed over before a failure are not taken back: on a
 * status other than FO_OK, discard what the sink made of them. */
FO_WUR fo_status fo_typeset_stream(const fo_pub *pub, int ed,
                                   const fo_template *t, fo_fonts *fonts,
                                   fo_diags *d, const fo_page_sink *sink,
                                   fo_dl_doc **out);

#endif
