/* The writer interface (writer.h) and its smallest writer, the text dump:
 * each page is dumped into a buffer of the writer's own as it comes (a
 * streamed build frees it once written), and at close the font table
 * (complete only once layout is done) goes first, then the pages in the
 * document's order. */
#include "writer.h"

#include <stdlib.h>

fo_status fo_writer_page(fo_writer *w, const fo_dl_doc *doc, size_t page)
{
    if (w->closed)
        return FO_ERR_USAGE;
    return fo_dl_walk(doc, page, &w->page, w);
}

fo_status fo_writer_close(fo_writer *w)
{
    if (w->closed)
        return FO_ERR_USAGE;
    w->closed = 1;
    return w->close(w);
}

void fo_writer_drop(fo_writer *w)
{
    if (w)
        w->drop(w);
}

typedef struct dump_writer {
    fo_writer base;
    const fo_dl_doc *doc;
    fo_buf *out;
    /* Per page index, its dump: pages come in any order (a streamed build
     * gives them in the order layout finished them) and are printed in
     * the document's, as fo_dl_dump does. */
    fo_buf *pages;
    size_t npages;
    fo_dl_dump_page dp; /* the dump walker's state, into pages[page] */
} dump_writer;

static fo_status dump_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    dump_writer *w = ud;
    if (page >= w->npages) {
        w->pages = fo_xrealloc(w->pages, (page + 1) * sizeof *w->pages);
        for (size_t i = w->npages; i <= page; i++)
            fo_buf_init(&w->pages[i], 0);
        w->npages = page + 1;
    }
    w->pages[page].len = 0; /* a page given again replaces its dump */
    w->dp.out = &w->pages[page];
    return fo_dl_dump_walker.begin_page(&w->dp, doc, page);
}

static fo_status dump_op(void *ud, const fo_dl_op *op, size_t i)
{
    dump_writer *w = ud;
    return fo_dl_dump_walker.op(&w->dp, op, i);
}

static fo_status dump_close(fo_writer *base)
{
    dump_writer *w = (dump_writer *)base;
    fo_status st = fo_dl_dump_fonts(w->doc, w->out);
    for (size_t p = 0; p < w->npages && st == FO_OK; p++)
        if (w->pages[p].len)
            st = fo_buf_append(w->out, w->pages[p].data, w->pages[p].len);
    return st;
}

static void dump_drop(fo_writer *base)
{
    dump_writer *w = (dump_writer *)base;
    for (size_t p = 0; p < w->npages; p++)
        fo_buf_free(&w->pages[p]);
    free(w->pages);
    free(w);
}

fo_writer *fo_dump_writer_new(const fo_dl_doc *doc, fo_buf *out)
{
    dump_writer *w = fo_xcalloc(1, sizeof *w);
    w->base =
        (fo_writer){{dump_begin, dump_op, NULL}, dump_close, dump_drop, 0};
    w->doc = doc;
    w->out = out;
    return &w->base;
}
