/* A sweep: which parameters vary and how (a grid of listed or evenly
 * spaced values, random samples from named distributions, or a Latin
 * hypercube), and the scenarios that follow from it.
 *
 * Numbering: with G grid points (the product of the grid parameters'
 * value counts; the first grid parameter in the file varies slowest) and
 * S random samples (1 when nothing is random), scenario i is grid point
 * g = i % G with sample j = i / G. Every grid point sees the same S random
 * futures (common random numbers), so grid values compare like with like.
 * Scenario i's values depend only on the sweep file (its seed included)
 * and i: never on threads, order or which process draws them. */
#ifndef SM_SWEEP_H
#define SM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"

typedef enum sm_axis { SM_AXIS_GRID, SM_AXIS_RANDOM } sm_axis;

typedef enum sm_dist {
    SM_DIST_UNIFORM,     /* a = low, b = high */
    SM_DIST_NORMAL,      /* a = mean, b = sd */
    SM_DIST_LOGNORMAL,   /* a = mu, b = sigma of log(value) */
    SM_DIST_TRIANGULAR,  /* a = low, b = mode, c = high */
    SM_DIST_CHOICE,      /* values[] with weights[] */
    SM_DIST_EVENT        /* a = probability p, b = value if it happens, c = otherwise */
} sm_dist;

typedef enum sm_sampling { SM_SAMPLING_RANDOM, SM_SAMPLING_LHS } sm_sampling;

typedef struct sm_sweep_param {
    char *name;               /* as written, e.g. "availability.China" */
    sm_param_target target;
    sm_param_domain domain;
    sm_loc loc;               /* the key in the sweep file */
    sm_axis axis;
    /* grid: the values in order; choice: the values to choose from */
    double *values;
    int n_values;
    /* random */
    sm_dist dist;
    double a, b, c;
    double *weights;          /* choice: normalised to sum 1 */
} sm_sweep_param;

typedef struct sm_sweep {
    char *name, *description;
    char *file;               /* path as given */
    char *text;               /* the file's full text, for provenance */
    size_t len;
    uint64_t hash;            /* XXH3-64 of the text */
    uint64_t seed;
    sm_sampling sampling;
    size_t samples;           /* S: random futures per grid point (1 if none random) */
    size_t block_size;        /* scenarios per solve block (default 256) */
    int n_params;
    sm_sweep_param *params;   /* in file order */
    size_t grid_size;         /* G */
    size_t n_scenarios;       /* G * S */
    /* The `plan:` mapping (MODEL.md Part 2, the risk functional of
     * `supplymix plan`): NaN where the file does not say. */
    double risk_weight, cvar_alpha;
} sm_sweep;

#define SM_SWEEP_DEFAULT_BLOCK 256
#define SM_SWEEP_MAX_SCENARIOS 10000000000ull

void sm_sweep_free(sm_sweep **s);

/* Number of blocks of s, and the scenarios in block b (the last block may
 * be short): models/blocks.h for this sweep's count and block size. */
size_t sm_sweep_blocks(const sm_sweep *s);
size_t sm_sweep_block_len(const sm_sweep *s, size_t b);

/* The values of every parameter for scenario i (values[n_params]), each
 * clamped into its domain. Pure: any thread, any order, same answer. */
void sm_sweep_values(const sm_sweep *s, size_t i, double *values);

/* Quantile-space coordinates of scenario i's random parameters: for each
 * random parameter (in file order), the uniform number in (0, 1) its
 * draw came from. Used to order scenarios along a space-filling curve. */
void sm_sweep_uniforms(const sm_sweep *s, size_t i, double *u);

/* The grid index g of scenario i split into one digit per grid parameter
 * (in file order; digits[k] in 0..n_values-1). */
void sm_sweep_grid_digits(const sm_sweep *s, size_t i, int *digits);

#endif
