/* Shared by the model and sweep fuzz targets: a scratch directory holding
 * the tiny test model, with one file replaced by the fuzzer's bytes. */
#ifndef SM_FUZZ_INPUTS_H
#define SM_FUZZ_INPUTS_H

#include <stddef.h>

/* The scratch directory (created on first use, one per process). */
const char *sm_fuzz_dir(void);

/* Write the tiny model's three files into dir. */
void sm_fuzz_write_base(const char *dir);

/* Write size bytes to dir/name. */
void sm_fuzz_write(const char *dir, const char *name, const void *data, size_t size);

#endif
