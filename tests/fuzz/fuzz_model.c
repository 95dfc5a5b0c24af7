/* libFuzzer target: the model loader. An input replaces one of the tiny
 * test model's files (model.yaml, suppliers.csv or demand.csv); the
 * others stay. A first byte '0', '1' or '2' picks the file and the rest
 * replaces it; any other input is a whole file, replacing the one its
 * first line names, so the shipped model's and the bad-input corpus's
 * files are seeds as they stand (with the byte always taken as a choice,
 * a model.yaml starting with '#' went in as demand.csv). A model that
 * loads is also turned into its LP numbers, so the checks' promises
 * (finite, in-range values) are used. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_inputs.h"
#include "io/model_load.h"
#include "models/lp_coeffs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int starts_with(const uint8_t *data, size_t size, const char *text)
{
    size_t n = strlen(text);
    return size >= n && memcmp(data, text, n) == 0;
}

/* Which file the input replaces (0 model.yaml, 1 suppliers.csv, 2
 * demand.csv); *skip: 1 when its first byte said so. */
static int target_file(const uint8_t *data, size_t size, size_t *skip)
{
    *skip = 0;
    if (data[0] >= '0' && data[0] <= '2') {
        *skip = 1;
        return data[0] - '0';
    }
    if (starts_with(data, size, "supplier,"))
        return 1;
    if (starts_with(data, size, "material,"))
        return 2;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const names[3] = {"model.yaml", "suppliers.csv", "demand.csv"};
    size_t skip;
    int file = target_file(data, size, &skip);
    const char *dir = sm_fuzz_dir();
    sm_fuzz_write_base(dir);
    sm_fuzz_write(dir, names[file], data + skip, size - skip);
    sm_diag d;
    sm_diag_init(&d);
    sm_model *m = NULL;
    if (sm_model_load(dir, &m, &d) == SM_OK) {
        sm_layout *L = NULL;
        if (sm_layout_build(m, &L, &d) == SM_OK) {
            sm_inputs *in = sm_inputs_new(m);
            sm_coeffs *c = sm_coeffs_new(L);
            if (in && c)
                sm_coeffs_compute(m, L, in, c);
            sm_coeffs_free(&c);
            sm_inputs_free(&in);
        }
        sm_layout_free(&L);
    }
    sm_model_free(&m);
    sm_diag_clear(&d);
    return 0;
}
