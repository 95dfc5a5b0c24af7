/* Loading a model directory (model.yaml and its CSV tables) into an
 * sm_model, with every problem reported as FILE:LINE:COL. */
#ifndef SM_MODEL_LOAD_H
#define SM_MODEL_LOAD_H

#include "../core/diag.h"
#include "../models/model.h"

/* Limits on what a model file may contain. */
#define SM_MODEL_MAX_PERIODS 600
#define SM_MODEL_MAX_YAML_BYTES (4u << 20)
#define SM_MODEL_MAX_TABLE_BYTES (64u << 20)
#define SM_MAX_TONNES 1e9     /* t/period: a larger figure is a typo */
#define SM_MAX_USD_PER_T 1e12

/* Load and check the model in directory dir. On success *out owns a model
 * that passed every check (warnings may be in d); on SM_EINPUT, d lists
 * every problem found and *out is NULL. */
sm_status sm_model_load(const char *dir, sm_model **out, sm_diag *d);

#endif
