/* Semantic checks of a loaded model: what parses but cannot be meant. */
#ifndef SM_MODEL_CHECK_H
#define SM_MODEL_CHECK_H

#include "../core/diag.h"
#include "model.h"

/* Records errors (stock bounds that contradict each other) and warnings
 * (a floor above the capacity that can meet it, a material nobody sells,
 * a shortfall penalty below every price) with the file and line to edit.
 * Returns SM_EINPUT when it recorded an error. */
sm_status sm_model_check(const sm_model *m, sm_diag *d);

#endif
