/* Loading a sweep file (models/SWEEPS.md) into an sm_sweep, checked
 * against a loaded model, with every problem reported as FILE:LINE:COL. */
#ifndef SM_SWEEP_LOAD_H
#define SM_SWEEP_LOAD_H

#include "../core/diag.h"
#include "../models/model.h"
#include "../models/sweep.h"

/* Limits on what a sweep file may contain. */
#define SM_SWEEP_MAX_BYTES (4u << 20)
#define SM_SWEEP_MAX_SAMPLES 1000000000
#define SM_SWEEP_MAX_BLOCK 65536
#define SM_SWEEP_MAX_STEPS 1000000   /* points of one `range` */

/* Load the sweep at path for model m. On success *out owns a sweep whose
 * every parameter resolved against m (warnings may be in d); on SM_EINPUT,
 * d lists every problem found and *out is NULL. */
sm_status sm_sweep_load(const char *path, const sm_model *m, sm_sweep **out, sm_diag *d);

/* The path to load for a --sweep argument: arg itself if it exists; else,
 * for a bare name (no '/'), MODEL_DIR/sweeps/ARG or MODEL_DIR/sweeps/ARG.yaml,
 * whichever exists first; else arg, so the loader reports "cannot open".
 * A new string (free it); NULL when out of memory. model_dir may be NULL. */
char *sm_sweep_find(const char *arg, const char *model_dir);

#endif
