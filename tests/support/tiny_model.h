/* A tiny model written to a temporary directory, with text substitutions,
 * for loader and solver tests. */
#ifndef SM_TINY_MODEL_H
#define SM_TINY_MODEL_H

#include "core/diag.h"
#include "models/model.h"

extern const char *const sm_tiny_yaml;
extern const char *const sm_tiny_suppliers;
extern const char *const sm_tiny_demand;

/* A copy of text with the first occurrence of `from` replaced by `to`;
 * aborts the test run if `from` is absent (a broken fixture). */
char *sm_tiny_replace(const char *text, const char *from, const char *to);

/* Write the three files (NULL: the defaults above) to a new temporary
 * directory and load it. Returns the directory (sm_test_rmtree it). */
char *sm_tiny_load(const char *yaml, const char *suppliers, const char *demand, sm_model **m,
                   sm_status *st, sm_diag *d);

#endif
