/* Temporary entry point while the stages are being written. */
#include "core/core.h"

int main(void)
{
    fprintf(stderr, "folio: not built yet\n");
    return 2;
}
