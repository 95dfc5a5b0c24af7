#include "support/sweep_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "support/testing.h"

sm_status sm_test_sweep_open(sm_test_sweep *t, const char *model_dir, const char *name_or_text,
                             int is_text, sm_diag *d)
{
    memset(t, 0, sizeof *t);
    sm_status st = sm_model_load(model_dir, &t->m, d);
    if (st == SM_OK && is_text) {
        t->dir = sm_test_tmpdir();
        t->path = sm_test_write(t->dir, "sweep.yaml", name_or_text);
    } else if (st == SM_OK && !(t->path = sm_sweep_find(name_or_text, model_dir))) {
        st = sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    if (st == SM_OK)
        st = sm_sweep_load(t->path, t->m, &t->sw, d);
    if (st == SM_OK)
        st = sm_problem_new(t->m, &t->p, d);
    return st;
}

void sm_test_sweep_close(sm_test_sweep *t)
{
    sm_problem_free(&t->p);
    sm_sweep_free(&t->sw);
    sm_model_free(&t->m);
    free(t->path);
    if (t->dir)
        sm_test_rmtree(t->dir);
    memset(t, 0, sizeof *t);
}

const char *const sm_test_mixed_sweep =
    "name: mixed\n"
    "seed: 7\n"
    "samples: 60\n"
    "block_size: 32\n"
    "parameters:\n"
    "  share.china_cap: {values: [0.3, 0.5, 1.0]}\n"
    "  tariff.China: {range: {from: 0, to: 1, steps: 3}}\n"
    "  availability.China: {dist: uniform, low: 0, high: 1}\n"
    "  price.Dy_oxide: {dist: lognormal, mu: 0, sigma: 0.4}\n"
    "  delay.Iluka_Eneabba: {dist: choice, values: [0, 2, 4]}\n";
