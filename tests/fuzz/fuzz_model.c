/* libFuzzer target: the model loader. The first byte picks the file the
 * rest replaces (model.yaml, suppliers.csv or demand.csv); the others are
 * the tiny test model's. A model that loads is also turned into its LP
 * numbers, so the checks' promises (finite, in-range values) are used. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_inputs.h"
#include "io/model_load.h"
#include "models/lp_coeffs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const names[3] = {"model.yaml", "suppliers.csv", "demand.csv"};
    const char *dir = sm_fuzz_dir();
    sm_fuzz_write_base(dir);
    sm_fuzz_write(dir, names[data[0] % 3], data + 1, size - 1);
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
