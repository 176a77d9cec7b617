/* The writer interface (writer.h) and its smallest writer, the text dump:
 * pages are dumped into a buffer of the writer's own as they come, and
 * the font table (complete only once layout is done) goes first at
 * close. */
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
    fo_buf pages;
    fo_dl_dump_page dp; /* the dump walker's state, into pages */
} dump_writer;

static fo_status dump_begin(void *ud, const fo_dl_doc *doc, size_t page)
{
    dump_writer *w = ud;
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
    if (st == FO_OK)
        st = fo_buf_append(w->out, w->pages.data ? w->pages.data : "",
                           w->pages.len);
    return st;
}

static void dump_drop(fo_writer *base)
{
    dump_writer *w = (dump_writer *)base;
    fo_buf_free(&w->pages);
    free(w);
}

fo_writer *fo_dump_writer_new(const fo_dl_doc *doc, fo_buf *out)
{
    dump_writer *w = fo_xcalloc(1, sizeof *w);
    w->base.page = (fo_dl_walker){dump_begin, dump_op, NULL};
    w->base.close = dump_close;
    w->base.drop = dump_drop;
    w->doc = doc;
    w->out = out;
    fo_buf_init(&w->pages, 0);
    w->dp.out = &w->pages;
    return &w->base;
}
