/* impose — display-list pages in, sheet pages out (docs/impose.md).
 *
 * A sheet is a display-list page that places the source pages (moved into
 * the sheets' document as its forms, fo_dl_doc_take_forms) with a
 * transform and a clip (FO_DL_PLACE), so the same renderers draw it: the
 * PDF writer as a Form XObject per source page, the PNG renderer through
 * Cairo. The stage knows the display list only: the template's press
 * sheet and creep come in fo_impose_opts.
 *
 * Schemes:
 *  - SADDLE: printer's spreads of a saddle-stitched booklet, 2-up, in
 *    signature order (fo_impose_saddle_slot): each sheet's two sides are
 *    two pages of the result, its front first. The spread (two trims
 *    side by side, the spine between them) is centred on the press sheet
 *    (fo_dl_doc.media_w, media_h) and keeps the source's bleed; pages of
 *    sheet k (0 the outermost) move k x creep towards the spine.
 *  - PROOF: reader's spreads for office proofing: page 1 alone on the
 *    right, then 2-3, 4-5, …; no bleed, no media. */
#ifndef FO_IMPOSE_H
#define FO_IMPOSE_H

#include "dlist/dlist.h"

typedef enum fo_impose_scheme {
    FO_IMPOSE_SADDLE,
    FO_IMPOSE_PROOF
} fo_impose_scheme;

typedef struct fo_impose_opts {
    fo_impose_scheme scheme;
    /* SADDLE: the press sheet (points), where it is set (for the message
     * when it cannot hold a spread), and the room the renderer keeps
     * around the bleed for marks (points), which the sheet must hold. */
    double sheet_w, sheet_h;
    fo_pos sheet_pos;
    double marks_room;
    double creep; /* SADDLE: points per sheet, from the outside in */
    /* SADDLE: the binding rule's message (a page count that is not a
     * multiple of 4) points at binding_pos, for this edition. */
    fo_pos binding_pos;
    const char *edition;
} fo_impose_opts;

/* The side of a sheet (front, back) and the position on it (left, right). */
enum { FO_IMPOSE_FRONT = 0, FO_IMPOSE_BACK = 1 };
enum { FO_IMPOSE_LEFT = 0, FO_IMPOSE_RIGHT = 1 };

/* The source page (0-based) at position pos of side side of sheet sheet
 * (0 the outermost) of a saddle-stitched booklet of n pages (a multiple of
 * 4): with n = 4s, sheet k's front holds n-1-2k | 2k and its back
 * 2k+1 | n-2-2k. */
size_t fo_impose_saddle_slot(size_t n, size_t sheet, int side, int pos);

/* Imposes src by o into a new document (*out, freed with
 * fo_dl_doc_free): src's pages are moved into it (src keeps them empty,
 * see fo_dl_doc_take_forms), so the sheets do not depend on src, which
 * stays the caller's. SADDLE: a page count that is not a multiple of 4
 * gets blank slots at the end, with the binding rule's warning (an error
 * when d is strict: nothing made); a sheet that cannot hold a spread with
 * its bleed and marks is an error at o->sheet_pos. FO_ERR_INPUT then,
 * *out NULL. */
FO_WUR fo_status fo_impose(fo_dl_doc *src, const fo_impose_opts *o, fo_diags *d,
                           fo_dl_doc **out);

#endif
