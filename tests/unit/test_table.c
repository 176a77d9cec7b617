/* Tests of the table column widths (flow_table_distribute, typeset/table.c).
 *
 * Hand-made columns pin the cases a reader checks on paper (maximums that
 * fit, minimums that do not, a weighted column beside a content-sized one).
 * The main tests draw thousands of random tables and check each result
 * against a statement of what it must be, computed here by other means:
 * the widths sum to the room; no column is below its minimum; between the
 * minimums and the maximums every content-sized column has grown by the same
 * share of its (max - min); weighted columns are max(min, lambda * weight)
 * for the one lambda (found by bisection) that fills the room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "typeset/flow.h"

#include <math.h>
#include <stdlib.h>

enum { MAXC = 8 };

static double sum(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s;
}

static void test_hand(void **state)
{
    (void)state;
    double min[3] = {20, 30, 30}, max[3] = {60, 40, 50}, none[3] = {0};
    double out[3];
    /* maximums fit: each its maximum, the spare room to the first */
    assert_int_equal(flow_table_distribute(3, min, max, none, 200, out), 0);
    assert_float_equal(out[0], 110, 1e-9);
    assert_float_equal(out[1], 40, 1e-9);
    assert_float_equal(out[2], 50, 1e-9);
    /* between: 20 pt over the minimums (80), shared 40 : 10 : 20 */
    assert_int_equal(flow_table_distribute(3, min, max, none, 100, out), 0);
    assert_float_equal(out[0], 20 + 20 * 40.0 / 70, 1e-9);
    assert_float_equal(out[1], 30 + 20 * 10.0 / 70, 1e-9);
    assert_float_equal(out[2], 30 + 20 * 20.0 / 70, 1e-9);
    /* exactly the minimums, then less than them */
    assert_int_equal(flow_table_distribute(3, min, max, none, 80, out), 0);
    assert_float_equal(out[0], 20, 1e-9);
    assert_int_equal(flow_table_distribute(3, min, max, none, 79, out), -1);
    /* a weighted column takes what the content-sized one leaves (the
     * booklet golden's Time and Event columns) */
    double tmin[2] = {25, 40}, tmax[2] = {25, 90}, tw[2] = {0, 3};
    assert_int_equal(flow_table_distribute(2, tmin, tmax, tw, 331.65, out), 0);
    assert_float_equal(out[0], 25, 1e-9);
    assert_float_equal(out[1], 306.65, 1e-9);
    /* weights 1 : 3, but the light column needs 40 */
    double wmin[2] = {40, 10}, wmax[2] = {40, 10}, ww[2] = {1, 3};
    assert_int_equal(flow_table_distribute(2, wmin, wmax, ww, 100, out), 0);
    assert_float_equal(out[0], 40, 1e-9);
    assert_float_equal(out[1], 60, 1e-9);
}

static double frand(double lo, double hi)
{
    return lo + (hi - lo) * (double)rand() / RAND_MAX;
}

/* The weighted columns' widths that fill room: max(min, lambda * w). */
static void weighted_oracle(int n, const double *min, const double *w,
                            double room, double *out)
{
    double lo = 0, hi = 1;
    for (;;) {
        double s = 0;
        for (int c = 0; c < n; c++)
            if (w[c] > 0)
                s += fmax(min[c], hi * w[c]);
        if (s >= room)
            break;
        hi *= 2;
    }
    for (int it = 0; it < 200; it++) {
        double mid = (lo + hi) / 2, s = 0;
        for (int c = 0; c < n; c++)
            if (w[c] > 0)
                s += fmax(min[c], mid * w[c]);
        if (s < room)
            lo = mid;
        else
            hi = mid;
    }
    for (int c = 0; c < n; c++)
        if (w[c] > 0)
            out[c] = fmax(min[c], hi * w[c]);
}

static void test_random(void **state)
{
    (void)state;
    srand(11);
    for (int trial = 0; trial < 20000; trial++) {
        int n = 1 + rand() % MAXC;
        double min[MAXC], max[MAXC], w[MAXC], out[MAXC], want[MAXC];
        int weighted = trial % 3 == 0;
        double smin = 0, smin_auto = 0, smax_auto = 0;
        int nweighted = 0;
        for (int c = 0; c < n; c++) {
            min[c] = frand(5, 60);
            max[c] = rand() % 4 == 0 ? min[c] : min[c] + frand(0, 150);
            w[c] = weighted && rand() % 2 ? frand(0.5, 4) : 0;
            smin += min[c];
            if (w[c] > 0) {
                nweighted++;
            } else {
                smin_auto += min[c];
                smax_auto += max[c];
            }
        }
        double room = frand(smin * 0.8, smin + smax_auto * 1.5);
        int st = flow_table_distribute(n, min, max, w, room, out);
        if (smin > room + 1e-6) {
            assert_int_equal(st, -1);
            continue;
        }
        assert_int_equal(st, 0);
        assert_float_equal(sum(out, n), room, 1e-6);
        for (int c = 0; c < n; c++)
            assert_true(out[c] >= min[c] - 1e-9);
        /* content-sized columns */
        double auto_room = room - (smin - smin_auto);
        double share = -1;
        for (int c = 0; c < n; c++) {
            if (w[c] > 0)
                continue;
            if (smax_auto <= auto_room) {
                /* each at its maximum; the first also gets the spare room
                 * when nothing is weighted */
                double extra = c == 0 && nweighted == 0 ? room - smax_auto : 0;
                assert_float_equal(out[c], max[c] + extra, 1e-6);
            } else {
                assert_true(out[c] <= max[c] + 1e-9);
                if (max[c] - min[c] < 1e-9) {
                    assert_float_equal(out[c], min[c], 1e-9);
                    continue;
                }
                double s = (out[c] - min[c]) / (max[c] - min[c]);
                if (share < 0)
                    share = s;
                assert_float_equal(s, share, 1e-6);
            }
        }
        if (nweighted == 0)
            continue;
        double used = 0;
        for (int c = 0; c < n; c++)
            if (w[c] <= 0)
                used += out[c];
        weighted_oracle(n, min, w, room - used, want);
        for (int c = 0; c < n; c++)
            if (w[c] > 0)
                assert_float_equal(out[c], want[c], 1e-6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
