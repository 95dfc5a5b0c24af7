/* libFuzzer target: the strict CSV reader on arbitrary bytes, after the
 * text check every input file passes first (sm_text_read). */
#include <stddef.h>
#include <stdint.h>

#include "core/files.h"
#include "io/csv_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_csv *t = NULL;
    if (sm_text_check("fuzz.csv", (const char *)data, size, &d) == SM_OK &&
        sm_csv_parse("fuzz.csv", (const char *)data, size, &t, &d) == SM_OK) {
        /* Touch every cell: rows must really hold ncols fields. */
        size_t total = 0;
        for (size_t r = 0; r < t->nrows; r++)
            for (size_t c = 0; c < t->ncols; c++)
                total += sm_csv_cell(t, r, c)[0] != '\0';
        (void)total;
    }
    sm_csv_free(&t);
    sm_diag_clear(&d);
    return 0;
}
