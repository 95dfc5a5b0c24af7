/* libFuzzer target: the sweep loader and sampler, against the tiny test
 * model. A sweep that loads has its first, middle and last scenarios
 * drawn, and every value checked to lie in its parameter's domain. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_inputs.h"
#include "io/model_load.h"
#include "io/sweep_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = sm_fuzz_dir();
    sm_fuzz_write_base(dir);
    sm_fuzz_write(dir, "sweep.yaml", data, size);
    char path[600];
    snprintf(path, sizeof path, "%s/sweep.yaml", dir);
    sm_diag d;
    sm_diag_init(&d);
    sm_model *m = NULL;
    sm_sweep *sw = NULL;
    if (sm_model_load(dir, &m, &d) != SM_OK)
        abort(); /* the base model is valid */
    if (sm_sweep_load(path, m, &sw, &d) == SM_OK) {
        double *v = malloc(((size_t)sw->n_params + 1) * sizeof *v);
        size_t probe[3] = {0, sw->n_scenarios / 2, sw->n_scenarios - 1};
        for (int k = 0; k < 3 && v; k++) {
            sm_sweep_values(sw, probe[k], v);
            for (int p = 0; p < sw->n_params; p++)
                if (!isfinite(v[p]) || v[p] < sw->params[p].domain.lo ||
                    v[p] > sw->params[p].domain.hi)
                    abort(); /* a value outside its domain is a bug */
        }
        free(v);
    }
    sm_sweep_free(&sw);
    sm_model_free(&m);
    sm_diag_clear(&d);
    return 0;
}
