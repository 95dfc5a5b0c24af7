/* Helpers shared by the CUnit suites: a runner whose exit code reflects
 * failures, temporary model directories, and diagnostics lookups. */
#ifndef SM_TESTING_H
#define SM_TESTING_H

#include <CUnit/CUnit.h>
#include <stddef.h>

#include "core/diag.h"

/* Run the given suites (CUnit's basic interface) and return the process
 * exit code: non-zero if any assertion or test failed, or CUnit could not
 * run. CU_basic_run_tests itself returns success even when tests fail. */
int sm_test_main(CU_SuiteInfo *suites);

/* A new empty directory under $TMPDIR; free with sm_test_rmtree. */
char *sm_test_tmpdir(void);
void sm_test_rmtree(char *dir);   /* removes the tree and frees dir */

/* Write text to dir/name (creating it), returning the full path (owned by
 * the caller). */
char *sm_test_write(const char *dir, const char *name, const char *text);

/* The first diagnostic whose file ends with file_suffix (NULL: any), whose
 * line is `line` (0: any) and whose text contains `needle`; NULL if none. */
const sm_diag_entry *sm_test_find_diag(const sm_diag *d, const char *file_suffix, int line,
                                       const char *needle);

/* Print the diagnostics (to stderr) when an assertion about them fails. */
void sm_test_dump_diag(const sm_diag *d);

/* Relative closeness, as GSL's gsl_test_rel: |a - b| <= tol * max(1, |b|). */
int sm_test_close(double a, double b, double tol);

#endif
