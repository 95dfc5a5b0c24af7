/* A model, its problem and one of its sweeps, loaded together for the
 * suites and checkers that walk a sweep's scenarios. */
#ifndef SM_SWEEP_FIXTURE_H
#define SM_SWEEP_FIXTURE_H

#include "core/diag.h"
#include "models/problem.h"
#include "models/sweep.h"

typedef struct sm_test_sweep {
    sm_model *m;
    sm_problem *p;
    sm_sweep *sw;
    char *path;   /* the sweep file */
    char *dir;    /* the temporary directory holding it, when given as text */
} sm_test_sweep;

/* Loads model_dir, its problem and a sweep: the name of one of the model's
 * shipped sweeps, or (is_text) a sweep file's text, written to a new
 * temporary directory. SM_OK, or the first failure in d; either way
 * sm_test_sweep_close frees what was loaded. */
sm_status sm_test_sweep_open(sm_test_sweep *t, const char *model_dir, const char *name_or_text,
                             int is_text, sm_diag *d);
void sm_test_sweep_close(sm_test_sweep *t);

/* A sweep of the shipped model with a grid (China cap x tariff) and
 * random parameters of three kinds, 540 scenarios in blocks of 32: the
 * engine suites' mix of everything a block's order has to handle. */
extern const char *const sm_test_mixed_sweep;

#endif
