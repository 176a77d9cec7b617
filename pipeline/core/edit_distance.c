/* Optimal string alignment distance (Damerau–Levenshtein with adjacent
 * transpositions), on bytes: the "did you mean" of keys, commands and file
 * names. Hand-written: GLib has no edit distance, and the strings are
 * short names (at most 64 bytes are compared). */
#include "core.h"

#include <ctype.h>
#include <string.h>

int fo_edit_distance(const char *s, const char *t, int fold_case)
{
    size_t m = strlen(s), n = strlen(t);
    if (m > 64 || n > 64)
        return 1000;
    int dd[65][65];
    for (size_t i = 0; i <= m; i++)
        dd[i][0] = (int)i;
    for (size_t j = 0; j <= n; j++)
        dd[0][j] = (int)j;
    for (size_t i = 1; i <= m; i++) {
        for (size_t j = 1; j <= n; j++) {
            int a = (unsigned char)s[i - 1], b = (unsigned char)t[j - 1];
            int a2 = i > 1 ? (unsigned char)s[i - 2] : -1;
            int b2 = j > 1 ? (unsigned char)t[j - 2] : -1;
            if (fold_case) {
                a = tolower(a);
                b = tolower(b);
                a2 = a2 < 0 ? a2 : tolower(a2);
                b2 = b2 < 0 ? b2 : tolower(b2);
            }
            int v = dd[i - 1][j - 1] + (a != b);
            if (dd[i - 1][j] + 1 < v)
                v = dd[i - 1][j] + 1;
            if (dd[i][j - 1] + 1 < v)
                v = dd[i][j - 1] + 1;
            if (a2 >= 0 && b2 >= 0 && a == b2 && a2 == b &&
                dd[i - 2][j - 2] + 1 < v)
                v = dd[i - 2][j - 2] + 1;
            dd[i][j] = v;
        }
    }
    return dd[m][n];
}
