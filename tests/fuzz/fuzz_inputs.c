/* Scratch files for the fuzz targets (see fuzz_inputs.h). */
#define _GNU_SOURCE
#include "fuzz_inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/tiny_model.h"

/* One directory per fuzzing process, made once: file writes, not
 * directory churn, are what each input costs. Removed at a normal exit;
 * after a crash it stays, holding the files the crashing input made. */
static char scratch[256];

static void remove_scratch(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", scratch);
}

const char *sm_fuzz_dir(void)
{
    if (!scratch[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(scratch, sizeof scratch, "%s/smfuzz.%ld", base && *base ? base : "/tmp",
                 (long)getpid());
        char cmd[300];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", scratch);
        if (system(cmd) != 0)
            abort();
        atexit(remove_scratch);
    }
    return scratch;
}

void sm_fuzz_write(const char *dir, const char *name, const void *data, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size)
        fwrite(data, 1, size, f);
    fclose(f);
}

void sm_fuzz_write_base(const char *dir)
{
    sm_fuzz_write(dir, "model.yaml", sm_tiny_yaml, strlen(sm_tiny_yaml));
    sm_fuzz_write(dir, "suppliers.csv", sm_tiny_suppliers, strlen(sm_tiny_suppliers));
    sm_fuzz_write(dir, "demand.csv", sm_tiny_demand, strlen(sm_tiny_demand));
}
