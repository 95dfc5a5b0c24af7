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

/* A sweep's windows (MODEL.md "Scoped windows"): an error, at the .until
 * parameter's line, when every value a grid gives a scope's .until lies
 * before every value of its .from (the model's base value for the one not
 * swept), so the window never holds in any scenario. Random ends are not
 * checked: a scenario whose window is empty keeps the wider scope. */
struct sm_sweep;
sm_status sm_sweep_check_windows(const sm_model *m, const struct sm_sweep *sw, sm_diag *d);

#endif
