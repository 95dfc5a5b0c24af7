/* Test support shared by the suites (see testing.h). */
#define _GNU_SOURCE
#include "testing.h"

#include <CUnit/Basic.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sm_test_main(CU_SuiteInfo *suites)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc = CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_failures() +
                      CU_get_number_of_suites_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (rc != CUE_SUCCESS)
        return 2;
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}

char *sm_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = NULL;
    if (asprintf(&tmpl, "%s/smtest.XXXXXX", base && *base ? base : "/tmp") < 0)
        return NULL;
    if (!mkdtemp(tmpl)) {
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void sm_test_rmtree(char *dir)
{
    if (!dir)
        return;
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *sm_test_write(const char *dir, const char *name, const char *text)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return NULL;
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(path);
        return NULL;
    }
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

const sm_diag_entry *sm_test_find_diag(const sm_diag *d, const char *file_suffix, int line,
                                       const char *needle)
{
    for (size_t i = 0; i < d->count; i++) {
        const sm_diag_entry *e = &d->entries[i];
        if (file_suffix) {
            if (!e->file)
                continue;
            size_t a = strlen(e->file), b = strlen(file_suffix);
            if (a < b || strcmp(e->file + a - b, file_suffix) != 0)
                continue;
        }
        if (line && e->line != line)
            continue;
        if (needle && (!e->text || !strstr(e->text, needle)))
            continue;
        return e;
    }
    return NULL;
}

void sm_test_dump_diag(const sm_diag *d)
{
    fprintf(stderr, "\n--- diagnostics (%zu errors, %zu warnings) ---\n", d->errors, d->warnings);
    sm_diag_print(d, stderr);
}

int sm_test_close(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}
