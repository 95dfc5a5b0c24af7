/* Typed reads from a YAML tree that record an error with file, line,
 * column and key path on every mismatch, so a loader can check a whole
 * file and report every problem in one pass. */
#ifndef SM_YAML_READ_H
#define SM_YAML_READ_H

#include "yaml_tree.h"

typedef struct sm_yread {
    const char *file;
    sm_diag *d;
} sm_yread;

/* Each returns 1 when the value was read (or is absent: n == NULL leaves
 * *out untouched) and 0 after recording an error. `where` is the key path
 * shown in the message, e.g. "regions.China.tariff". */
int sm_yread_double(const sm_yread *r, const sm_ynode *n, const char *where,
                    double lo, double hi, double *out);
int sm_yread_int(const sm_yread *r, const sm_ynode *n, const char *where,
                 int lo, int hi, int *out);
int sm_yread_name(const sm_yread *r, const sm_ynode *n, const char *where,
                  const char **out);
int sm_yread_string(const sm_yread *r, const sm_ynode *n, const char *where,
                    const char **out);

/* 1 when n is of kind `kind`; else records "expected a mapping/list". */
int sm_yread_kind(const sm_yread *r, const sm_ynode *n, const char *where,
                  sm_ynode_kind kind);

/* The value of a required key, or NULL after recording that it is missing
 * (at the mapping's position). */
const sm_ynode *sm_yread_required(const sm_yread *r, const sm_ynode *map,
                                  const char *key, const char *where);

/* Records an error for every key of map not in the NULL-terminated list
 * allowed; returns how many there were. */
int sm_yread_known_keys(const sm_yread *r, const sm_ynode *map,
                        const char *where, const char *const *allowed);

/* "prefix.key" into buf (for key paths in messages); returns buf. */
const char *sm_ypath(char *buf, size_t size, const char *prefix, const char *key);

#endif
