/* The writer interface every consumer of a display list implements,
 * after MuPDF's fz_device and fz_document_writer: pages go in one at a
 * time (each walked by dlist's fo_dl_walk, so there is one loop over ops
 * in the tree), then the writer is closed, which writes and commits its
 * output and may fail, and dropped, which frees it and never fails.
 * Dropping a writer that was not closed abandons its output: nothing is
 * left at its path.
 *
 * Writers: the PDF writer (fo_pdf_writer_writer, render.h), the PNG
 * renderer (fo_png_writer_new), the text dump (fo_dump_writer_new). */
#ifndef FO_WRITER_H
#define FO_WRITER_H

#include "dlist/dlist.h"

typedef struct fo_writer fo_writer;

/* What a writer is: its page callbacks (the walker's ud is the writer
 * itself) and its close and drop. Writers embed it as their first
 * member. */
struct fo_writer {
    fo_dl_walker page;
    /* Writes and commits the output; called once, by fo_writer_close. */
    fo_status (*close)(fo_writer *w);
    /* Frees the writer; abandons its output when it was not closed. */
    void (*drop)(fo_writer *w);
    int closed; /* fo_writer_close was called */
};

/* Walks page (0-based) of doc into w: begin_page, its ops, end_page. */
FO_WUR fo_status fo_writer_page(fo_writer *w, const fo_dl_doc *doc,
                                size_t page);
/* Writes and commits w's output; FO_ERR_USAGE the second time. */
FO_WUR fo_status fo_writer_close(fo_writer *w);
/* Frees w (NULL: nothing); abandons the output if it was not closed. */
void fo_writer_drop(fo_writer *w);

/* The text dump (dlist.h fo_dl_dump) as a writer: at close, the font
 * table as doc has it then and the pages given (in any order), in page
 * order, are appended to out (borrowed: it must outlive the writer); so
 * every page given once, the same text as fo_dl_dump. Dropped unclosed,
 * out is left as it was. */
fo_writer *fo_dump_writer_new(const fo_dl_doc *doc, fo_buf *out);

#endif
