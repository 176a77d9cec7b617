/* Tables: a table block becomes an EL_TABLE element whose rows are the
 * flow's units — its column widths sized from its content
 * (flow_table_distribute), its cells set at them and aligned, and each
 * row drawn on demand (flow_draw_table_row).
 *
 * Column widths come from the content, as browsers size tables of
 * automatic width: each column has a minimum width, its widest piece that
 * no line break may split, and a maximum width, its widest cell set on one
 * line (both with the cell padding); flow_table_distribute shares the room
 * between them (tests/unit/test_table.c states the rule and checks it on
 * random tables). Cells are paragraphs set at their column's width, so
 * they wrap; a row is as tall as its tallest cell. A table whose minimum
 * widths do not fit its frame is refused at the table rather than drawn
 * over itself, as an 8-column table in the booklet was
 * (tests/layout/table-booklet-8-columns.yaml). */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Decimal separator of the edition: a comma in Vietnamese and French. */
static char decimal_sep(const char *lang)
{
    return (strncmp(lang, "vi", 2) == 0 || strncmp(lang, "fr", 2) == 0 ||
            strncmp(lang, "ru", 2) == 0)
               ? ','
               : '.';
}

/* The text the runs of p point into: txt's, or p's own when the style
 * rewrote it (capitals). */
static const char *para_text(const fo_set_para *p, const fo_rich *txt,
                             size_t *len)
{
    const char *s = p->owned_text ? p->owned_text : txt->text;
    *len = p->owned_text ? strlen(p->owned_text) : txt->len;
    return s;
}

/* Width of a one-line cell up to byte `upto` of its text (as para_text
 * gives it). */
static double width_upto(const fo_set_para *p, const char *base, size_t upto)
{
    double w = 0;
    if (p->nlines == 0)
        return 0;
    const fo_set_line *ln = &p->lines[0];
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        for (int i = 0; i < run->n; i++) {
            size_t at = (size_t)(run->text - base) + run->glyphs[i].cluster;
            if (at >= upto)
                return w;
            w += run->glyphs[i].x_advance;
        }
    }
    return w;
}

static double line_w(const fo_set_para *p)
{
    double w = 0;
    for (int i = 0; i < p->nlines; i++)
        if (p->lines[i].width > w)
            w = p->lines[i].width;
    return w;
}

/* The widest piece of a cell set on one line (p) that no line break may
 * split: between the line-break opportunities of Pango's attributes,
 * where the paragraph setter breaks; white space at the end of a piece
 * does not count, as it vanishes at a line end. This is the narrowest the
 * cell can be set without a line wider than its measure (lay_columns
 * checks that the setter agrees). */
static double widest_piece(const fo_set_para *p, const fo_rich *txt,
                           const char *lang)
{
    if (p->nlines == 0)
        return 0;
    size_t len;
    const char *base = para_text(p, txt, &len);
    int nchars = (int)g_utf8_strlen(base, (gssize)len);
    PangoLogAttr *attrs = fo_xcalloc((size_t)nchars + 1, sizeof *attrs);
    pango_get_log_attrs(
        base, (int)len, -1,
        pango_language_from_string(txt->lang ? txt->lang : lang), attrs,
        nchars + 1);
    /* brk[b]: a line may break before the character at byte b */
    unsigned char *brk = fo_xcalloc(len + 1, 1);
    const char *s = base;
    for (int i = 0; i < nchars; i++) {
        brk[s - base] = attrs[i].is_line_break != 0;
        s = g_utf8_next_char(s);
    }
    free(attrs);
    const fo_set_line *ln = &p->lines[0];
    double widest = 0, start = 0, ink_end = 0;
    size_t prev = 0;
    int any = 0;
    for (int r = 0; r < ln->nruns; r++) {
        const fo_set_run *run = &ln->runs[r];
        double x = run->x;
        for (int i = 0; i < run->n; i++) {
            size_t at = (size_t)(run->text - base) + run->glyphs[i].cluster;
            if (at > len)
                at = len;
            int breaks = 0;
            for (size_t b = prev + 1; any && b <= at; b++)
                breaks |= brk[b];
            if (!any || breaks) {
                if (any)
                    widest = fmax(widest, ink_end - start);
                start = x;
                ink_end = x;
                any = 1;
            }
            prev = at;
            x += run->glyphs[i].x_advance;
            if (at < len && !g_unichar_isspace(g_utf8_get_char(base + at)))
                ink_end = x;
        }
    }
    free(brk);
    return any ? fmax(widest, ink_end - start) : 0;
}

/* Text of cell (r, c) in this edition; r = -1 is the header. */
static const fo_rich *cell_text(const flow *fl, const fo_table *tb, int r,
                                int c)
{
    return flow_ed_text(fl, r < 0 ? &tb->cols[c].head
                                  : &tb->cells[r * tb->ncols + c]);
}

static const fo_set_para *cell_para(const table_lay *t, int r, int c)
{
    return r < 0 ? &t->head[c] : &t->cells[r * t->ncols + c];
}

/* Width of a set number up to its decimal separator, or all of it when it
 * has none. */
static double int_width(const fo_set_para *p, const fo_rich *txt, char sep)
{
    size_t len;
    const char *base = para_text(p, txt, &len);
    const char *s = memchr(base, sep, len);
    return s ? width_upto(p, base, (size_t)(s - base)) : line_w(p);
}

/* What the layout needs of a column: its minimum and maximum widths, cell
 * padding included. */
typedef struct col_need {
    double min, max;
} col_need;

/* Measures column c from its cells, each set on one line. In a decimal
 * column the numbers also need room to line up: the widest integer part
 * plus the widest fraction. */
static col_need measure_column(flow *fl, const fo_table *tb, const table_lay *t,
                               int c)
{
    col_need n = {0, 0};
    double max_int = 0, max_frac = 0, min_int = 0, min_frac = 0;
    char sep = decimal_sep(fl->lang);
    for (int r = -1; r < t->nrows; r++) {
        const fo_rich *txt = cell_text(fl, tb, r, c);
        if (!txt)
            continue;
        fo_set_para p;
        if (fo_para_set(fl->fonts, fl->doc, txt, t->set_st[r < 0][FO_COL_LEFT],
                        fl->t, fl->lang, NULL, 1e6, fl->d, &p) != FO_OK) {
            flow_fail(fl, FO_ERR_INPUT);
            continue;
        }
        double w = line_w(&p), piece = widest_piece(&p, txt, fl->lang);
        n.max = fmax(n.max, w);
        n.min = fmax(n.min, piece);
        if (r >= 0 && tb->cols[c].align == FO_COL_DECIMAL && p.nlines == 1) {
            double wi = int_width(&p, txt, sep);
            max_int = fmax(max_int, wi);
            max_frac = fmax(max_frac, w - wi);
            if (piece >= w - 1e-6) { /* a number: it stays on one line */
                min_int = fmax(min_int, wi);
                min_frac = fmax(min_frac, w - wi);
            }
        }
        fo_set_para_free(&p);
    }
    n.min = fmax(n.min, min_int + min_frac);
    n.max = fmax(fmax(n.max, max_int + max_frac), n.min);
    /* a hair more than measured, so that a line exactly as wide as its
     * cell is not refused by rounding */
    n.min += 2 * t->pad + 0.01;
    n.max += 2 * t->pad + 0.01;
    return n;
}

/* Distributes the width avail among n columns of minimum and maximum
 * widths min[c] <= max[c] and weights weight[c] (0: sized from its
 * content), into out[c]. Content-sized columns get their maximum widths
 * when these fit beside the weighted columns' minimums, else their minimum
 * plus a share of the room left in proportion to (max - min), as browsers
 * size auto tables. The weighted columns share what the others leave in
 * proportion to their weights, none below its minimum. Without weighted
 * columns the room to spare goes to the first column (the row labels), so
 * that a table fills its frame. Returns 0, or -1 when the minimums alone
 * exceed avail (out is then unset). */
int flow_table_distribute(int n, const double *min, const double *max,
                          const double *weight, double avail, double *out)
{
    double smin = 0, smin_auto = 0, smax_auto = 0, spread = 0;
    int nweighted = 0;
    for (int c = 0; c < n; c++) {
        smin += min[c];
        if (weight[c] > 0) {
            nweighted++;
            continue;
        }
        smin_auto += min[c];
        smax_auto += max[c];
        spread += max[c] - min[c];
    }
    if (smin > avail + 1e-6)
        return -1;
    /* content-sized columns first, the weighted ones at their minimum */
    double room = avail - (smin - smin_auto), used = 0;
    for (int c = 0; c < n; c++) {
        if (weight[c] > 0)
            continue;
        if (smax_auto <= room)
            out[c] = max[c];
        else /* spread > 0 here: sum(max) > room >= sum(min) */
            out[c] = min[c] + (room - smin_auto) * (max[c] - min[c]) / spread;
        used += out[c];
    }
    if (nweighted == 0) {
        out[0] += fmax(0, avail - used);
        return 0;
    }
    /* The weighted columns share the rest; one whose share would be less
     * than its minimum gets its minimum and leaves the others what is
     * left. At most n rounds: each fixes one more column. */
    unsigned char *fixed = fo_xcalloc((size_t)n, 1);
    double rest = avail - used;
    for (int round = 0; round <= n; round++) {
        double wsum = 0, left = rest;
        for (int c = 0; c < n; c++)
            if (weight[c] > 0 && !fixed[c])
                wsum += weight[c];
            else if (weight[c] > 0)
                left -= min[c];
        int more = 0;
        for (int c = 0; c < n; c++) {
            if (weight[c] <= 0 || fixed[c])
                continue;
            out[c] = left * weight[c] / wsum;
            if (out[c] < min[c]) {
                fixed[c] = 1;
                more = 1;
            }
        }
        if (!more)
            break;
    }
    for (int c = 0; c < n; c++)
        if (fixed[c])
            out[c] = min[c];
    free(fixed);
    return 0;
}

/* Sets cell (r, c) (r = -1: the header) at its column's width and records
 * the x offset of its text for the column's alignment (decimal columns
 * are aligned afterwards, by align_decimals). Returns the height of its
 * lines. */
static double set_cell(flow *fl, const fo_table *tb, table_lay *t, int r, int c)
{
    int nc = t->ncols;
    fo_set_para *p = r < 0 ? &t->head[c] : &t->cells[r * nc + c];
    const fo_rich *txt = cell_text(fl, tb, r, c);
    double cw = t->col_w[c] - 2 * t->pad;
    /* Numbers are lined up by the x offset (align_decimals), so a decimal
     * column's cells are set flush left; its header is flush right. */
    fo_col_align al = tb->cols[c].align;
    if (al == FO_COL_DECIMAL)
        al = r < 0 ? FO_COL_RIGHT : FO_COL_LEFT;
    const fo_style *st = t->set_st[r < 0][al];
    memset(p, 0, sizeof *p);
    if (txt && fo_para_set(fl->fonts, fl->doc, txt, st, fl->t, fl->lang, NULL,
                           cw, fl->d, p) != FO_OK)
        flow_fail(fl, FO_ERR_INPUT);
    double dx = t->pad;
    if (tb->cols[c].align == FO_COL_DECIMAL && r >= 0)
        dx += cw - line_w(p); /* until align_decimals lines them up */
    if (r < 0)
        t->head_dx[c] = dx;
    else
        t->cell_dx[r * nc + c] = dx;
    return p->nlines * st->leading;
}

void flow_table_free_cells(table_lay *t)
{
    for (int c = 0; c < t->ncols; c++)
        fo_set_para_free(&t->head[c]);
    for (int k = 0; k < t->ncols * t->nrows; k++)
        fo_set_para_free(&t->cells[k]);
}

/* Sets the header and every row at the column widths; each row is as
 * tall as its tallest cell. */
static void set_cells(flow *fl, const fo_table *tb, table_lay *t)
{
    t->head_h = 0;
    for (int r = -1; r < t->nrows; r++) {
        double rh = 0;
        for (int c = 0; c < t->ncols; c++)
            rh = fmax(rh, set_cell(fl, tb, t, r, c));
        if (r < 0)
            t->head_h = rh + 2 * t->pad;
        else
            t->row_h[r] = rh + 2 * t->pad;
    }
}

/* Cell (r, c) of a decimal column: 1, and the width of its number up to
 * the separator in *wi, when it holds a number set on one line, which
 * lines up with the others; 0 when it is empty or wraps. */
static int one_line_number(const flow *fl, const fo_table *tb,
                           const table_lay *t, int r, int c, char sep,
                           double *wi)
{
    const fo_set_para *p = &t->cells[r * t->ncols + c];
    const fo_rich *txt = cell_text(fl, tb, r, c);
    if (!txt || p->nlines != 1)
        return 0;
    *wi = int_width(p, txt, sep);
    return 1;
}

/* Decimal column c: the separators of the numbers set on one line line
 * up, the widest sitting at the right edge of the column. Were that wider
 * than the column (a cell with a break in it, measured as breakable), they
 * keep their right alignment instead: nothing leaves its cell. */
static void align_decimal_column(flow *fl, const fo_table *tb, table_lay *t,
                                 int c, char sep)
{
    int nc = t->ncols;
    double max_int = 0, max_frac = 0, wi;
    for (int r = 0; r < t->nrows; r++) {
        if (!one_line_number(fl, tb, t, r, c, sep, &wi))
            continue;
        max_int = fmax(max_int, wi);
        max_frac = fmax(max_frac, line_w(&t->cells[r * nc + c]) - wi);
    }
    double cw = t->col_w[c] - 2 * t->pad;
    if (max_int + max_frac > cw)
        return;
    for (int r = 0; r < t->nrows; r++)
        if (one_line_number(fl, tb, t, r, c, sep, &wi))
            t->cell_dx[r * nc + c] =
                t->pad + (cw - (max_int + max_frac)) + (max_int - wi);
}

static void align_decimals(flow *fl, const fo_table *tb, table_lay *t)
{
    char sep = decimal_sep(fl->lang);
    for (int c = 0; c < t->ncols; c++)
        if (tb->cols[c].align == FO_COL_DECIMAL)
            align_decimal_column(fl, tb, t, c, sep);
}

/* The widest set line of column c, padding included. */
static double widest_line(const table_lay *t, int c)
{
    double w = 0;
    for (int r = -1; r < t->nrows; r++)
        w = fmax(w, line_w(cell_para(t, r, c)));
    return w + 2 * t->pad;
}

/* The table's style name at its own text size when it has one: every
 * length of the style scales with it. */
static const fo_style *table_style(flow *fl, const char *name, double size,
                                   double base)
{
    const fo_style *st = flow_style(fl, name);
    if (size <= 0 || size == base)
        return st;
    double k = size / base;
    fo_style *s = fo_arena_alloc(fl->doc->arena, sizeof *s);
    *s = *st;
    s->size *= k;
    s->leading *= k;
    s->space_before *= k;
    s->space_after *= k;
    s->first_indent *= k;
    s->letter_spacing *= k;
    return s;
}

/* Can a table span the text frame, across its columns? */
static int wide_tables(const flow *fl)
{
    return fl->t->npanels == 0 && fl->t->columns > 1;
}

/* Sets the table's styles at text size `size` (0: the template's). */
static void table_styles(flow *fl, table_lay *t, double size)
{
    double base = flow_style(fl, "table")->size;
    t->cst = table_style(fl, "table", size, base);
    t->hst = table_style(fl, "table-head", size, base);
    static const fo_align aligns[3] = {FO_ALIGN_LEFT, FO_ALIGN_RIGHT,
                                       FO_ALIGN_CENTER};
    for (int h = 0; h < 2; h++)
        for (int k = 0; k < 3; k++) {
            fo_style *s = fo_arena_alloc(fl->doc->arena, sizeof *s);
            *s = *(h ? t->hst : t->cst);
            s->align = aligns[k];
            t->set_st[h][k] = s;
        }
}

/* The sum of the table's minimum column widths at its current styles. */
static double min_width(flow *fl, const fo_table *tb, const table_lay *t)
{
    double s = 0;
    for (int c = 0; c < t->ncols; c++)
        s += measure_column(fl, tb, t, c).min;
    return s;
}

/* A text size, in half points below the table's, at which its minimum
 * widths fit avail (measured, not guessed), or 0 when none down to the
 * smallest allowed does. The first try is the size at which the words
 * would fit were they to shrink with it and the padding not (widths of
 * set text scale with its size); at most four sizes are measured, as this
 * only words an error. */
static double fitting_size(flow *fl, const fo_table *tb, table_lay *t,
                           double need, double avail)
{
    const fo_style *cst = t->cst, *hst = t->hst;
    const fo_style *set_st[2][3];
    memcpy(set_st, t->set_st, sizeof set_st);
    double size = cst->size, fixed = t->ncols * (2 * t->pad + 0.01);
    double s = need > fixed && avail > fixed
                   ? floor(size * (avail - fixed) / (need - fixed) * 2) / 2
                   : FO_TABLE_MIN_SIZE;
    if (s > size - 0.5)
        s = size - 0.5;
    double found = 0;
    for (int tries = 0; tries < 4 && s >= FO_TABLE_MIN_SIZE && !found;
         tries++, s -= 0.5) {
        table_styles(fl, t, s);
        if (min_width(fl, tb, t) <= avail + 1e-6)
            found = s;
    }
    t->cst = cst;
    t->hst = hst;
    memcpy(t->set_st, set_st, sizeof set_st);
    return found;
}

/* Reports a table that cannot fit: what it needs, what there is, and
 * what the author can change. */
static void report_too_wide(flow *fl, const fo_block *b, table_lay *t,
                            double need, double avail)
{
    const fo_table *tb = b->table;
    const char *frame = fl->t->npanels > 0 ? "panel"
                        : t->span == FO_SPAN_TEXT || fl->t->columns <= 1
                            ? "text frame"
                            : "column";
    /* Only the changes that would do: a size that fits, measured; the
     * text frame when the table fits it as it is. */
    double size = fitting_size(fl, tb, t, need, avail);
    int can_span =
        wide_tables(fl) && t->span != FO_SPAN_TEXT && need <= fl->text_w + 1e-6;
    char size_opt[96] = "";
    if (size > 0)
        (void)snprintf(size_opt, sizeof size_opt,
                       "%sa smaller text size ('size: %g' fits; now %g pt)",
                       can_span ? ", " : " or ", size, t->cst->size);
    fo_where w = {.rule = "table-width", .edition = fl->lang};
    fo_diag_add_where(fl->d, FO_SEV_ERROR, b->pos, &w,
                      "the table needs %.1f pt but the %s is %.1f pt wide: "
                      "use fewer columns%s%s",
                      need, frame, avail, size_opt,
                      can_span ? " or 'span: text'" : "");
}

void flow_draw_table_row(flow *fl, const elem *e, fo_dl_page *pg, int r,
                         double x, double y)
{
    const table_lay *t = e->table;
    const fo_style *st = r < 0 ? t->hst : t->cst;
    double h = r < 0 ? t->head_h : t->row_h[r];
    if (r < 0 || (e->block->table->zebra && r % 2 == 1)) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_RECT);
        op->u.rect = (fo_dl_rect){x, y, t->width, h,
                                  r < 0 ? fl->t->table_head_fill
                                        : fl->t->table_zebra_fill};
    }
    double base = fo_style_baseline(fl->fonts, &fl->metrics, st);
    for (int c = 0; c < t->ncols; c++) {
        const fo_set_para *p = cell_para(t, r, c);
        double dx = r < 0 ? t->head_dx[c] : t->cell_dx[r * t->ncols + c];
        for (int l = 0; l < p->nlines; l++)
            flow_emit_line(pg, &p->lines[l], st, x + t->col_x[c] + dx,
                           y + t->pad + l * st->leading + base);
    }
    if (r < 0 || r == t->nrows - 1) {
        fo_dl_op *op = fo_dl_page_add(pg, FO_DL_LINE);
        op->u.line =
            (fo_dl_line){x, y + h, x + t->width, y + h, 0.5, fl->t->rule};
    }
}

/* Column widths for the measures in need, then the cells set at them. A
 * cell line wider than its column (the paragraph setter found no break
 * where the measure saw one) raises its column's minimum to that line and
 * the widths are shared again: each round settles at least one column.
 * Returns 0, or -1 after reporting a table too wide for avail. */
static int lay_columns(flow *fl, const fo_block *b, table_lay *t,
                       col_need *need, double avail)
{
    const fo_table *tb = b->table;
    int nc = t->ncols;
    double *min = fo_xcalloc((size_t)nc, sizeof *min);
    double *max = fo_xcalloc((size_t)nc, sizeof *max);
    double *weight = fo_xcalloc((size_t)nc, sizeof *weight);
    int ok = -1;
    for (int round = 0; round <= nc + 1; round++) {
        double smin = 0;
        for (int c = 0; c < nc; c++) {
            min[c] = need[c].min;
            max[c] = fmax(need[c].max, need[c].min);
            weight[c] = tb->cols[c].weight;
            smin += min[c];
        }
        if (flow_table_distribute(nc, min, max, weight, avail, t->col_w) != 0) {
            report_too_wide(fl, b, t, smin, avail);
            break;
        }
        double x = 0;
        for (int c = 0; c < nc; c++) {
            t->col_x[c] = x;
            x += t->col_w[c];
        }
        t->width = x;
        set_cells(fl, tb, t);
        int wider = 0;
        for (int c = 0; c < nc; c++) {
            double lw = widest_line(t, c);
            if (lw > t->col_w[c] + 1e-6) {
                need[c].min = lw + 0.01;
                wider = 1;
            }
        }
        if (!wider) {
            ok = 0;
            break;
        }
        flow_table_free_cells(t);
        if (round == nc + 1) { /* not expected: refused rather than drawn
                                  outside its cells */
            double s = 0;
            for (int c = 0; c < nc; c++)
                s += need[c].min;
            report_too_wide(fl, b, t, s, avail);
        }
    }
    free(min);
    free(max);
    free(weight);
    return ok;
}

/* Rows never split: a row taller than the frame under the header could
 * only be drawn past the frame's foot, so it is refused at its first
 * cell. Returns 1 when every row fits (else frees the cells). */
static int rows_fit(flow *fl, const fo_block *b, table_lay *t)
{
    const fo_table *tb = b->table;
    for (int r = 0; r < t->nrows; r++) {
        if (t->head_h + t->row_h[r] <= fl->frame_h + 1e-6)
            continue;
        fo_pos at = b->pos;
        for (int c = 0; c < t->ncols; c++) {
            const fo_rich *txt = cell_text(fl, tb, r, c);
            if (txt) {
                at = txt->pos;
                break;
            }
        }
        fo_where w = {.rule = "table-row", .edition = fl->lang};
        fo_diag_add_where(fl->d, FO_SEV_ERROR, at, &w,
                          "this table row is %.1f pt tall under its header "
                          "but the %s is %.1f pt high: shorten its cells or "
                          "split the row",
                          t->head_h + t->row_h[r],
                          fl->t->npanels > 0 ? "panel" : "text frame",
                          fl->frame_h);
        flow_table_free_cells(t);
        return 0;
    }
    return 1;
}

void flow_add_table(flow *fl, const fo_block *b)
{
    const fo_table *tb = b->table;
    const fo_rich *cap = flow_ed_text(fl, &tb->caption);
    table_lay *t = fo_arena_alloc(fl->doc->arena, sizeof *t);
    /* Where the text frame is one column or made of panels, a table as
     * wide as the text frame is a column-wide one. */
    t->span = tb->span == FO_SPAN_TEXT && wide_tables(fl) ? FO_SPAN_TEXT
                                                          : FO_SPAN_COLUMN;
    double avail = t->span == FO_SPAN_TEXT ? fl->text_w : fl->col_w;
    /* The headings that keep with a text-width table go across with it,
     * above it, rather than end the column over it. */
    for (int i = fl->nel - 1; t->span == FO_SPAN_TEXT && i >= 0; i--) {
        elem *h = &fl->el[i];
        if (h->kind != EL_TEXT || !h->keep_with_next || h->section_open)
            break;
        h->span = FO_SPAN_TEXT;
    }
    if (cap) {
        elem *c = flow_add_text(fl, cap, flow_style(fl, "caption"), avail, b);
        c->keep_with_next = 1;
        c->span = t->span;
    }
    int nc = tb->ncols, nr = (int)tb->nrows;
    t->ncols = nc;
    t->nrows = nr;
    t->pad = 3;
    table_styles(fl, t, tb->size);
    fo_arena *a = fl->doc->arena;
    t->col_x = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->col_w = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->head = fo_arena_alloc(a, sizeof *t->head * (size_t)nc);
    t->head_dx = fo_arena_alloc(a, sizeof(double) * (size_t)nc);
    t->cells = fo_arena_alloc(a, sizeof *t->cells * (size_t)(nc * nr));
    t->cell_dx = fo_arena_alloc(a, sizeof(double) * (size_t)(nc * nr));
    t->row_h = fo_arena_alloc(a, sizeof(double) * (size_t)nr);
    col_need *need = fo_xcalloc((size_t)nc, sizeof *need);
    for (int c = 0; c < nc; c++)
        need[c] = measure_column(fl, tb, t, c);
    int laid = lay_columns(fl, b, t, need, avail);
    free(need);
    if (laid != 0 || !rows_fit(fl, b, t))
        return; /* reported; nothing to draw */
    align_decimals(fl, tb, t);
    elem *e = flow_new_elem(fl, EL_TABLE, b);
    e->table = t;
    e->span = t->span;
    e->space_before = 4;
    e->space_after = 10;
}
