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

#include "../core/diag.h"
#include "params.h"

typedef enum sm_axis { SM_AXIS_GRID, SM_AXIS_RANDOM } sm_axis;

typedef enum sm_dist {
    SM_DIST_UNIFORM,     /* a = low, b = high */
    SM_DIST_NORMAL,      /* a = mean, b = sd */
    SM_DIST_LOGNORMAL,   /* a = mu, b = sigma of log(value) */
    SM_DIST_TRIANGULAR,  /* a = low, b = mode, c = high */
    SM_DIST_CHOICE,      /* values[] with weights[] */
    SM_DIST_EVENT,       /* a = probability p, b = value if it happens, c = otherwise */
    SM_DIST_CONSTANT     /* a = the value (an event's outcome given as a number) */
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
    /* Tied to a named event (`when:`): event is its index in the sweep's
     * events, the fields above hold the distribution when it happens and
     * *otherwise the one when it does not (its name and domain are the
     * parameter's). -1 and NULL for a parameter drawn on its own. */
    int event;
    struct sm_sweep_param *otherwise;
} sm_sweep_param;

/* A named event (`events:`): one draw per future, shared by every
 * parameter that names it in `when:`. */
typedef struct sm_sweep_event {
    char *name;
    double p;                 /* probability that it happens in a future */
    sm_loc loc;
    int uses;                 /* parameters tied to it */
} sm_sweep_event;

/* A target rank correlation between two random parameters (indices into
 * params), as the file states it. */
typedef struct sm_sweep_corr {
    int a, b;
    double rho;               /* Spearman's rank correlation, in [-1, 1] */
    sm_loc loc;
} sm_sweep_corr;

typedef struct sm_sweep {
    char *name, *description;
    char *file;               /* path as given */
    char *text;               /* the file's full text, for provenance */
    size_t len;
    uint64_t hash;            /* XXH3-64 of the text */
    uint64_t seed;
    sm_sampling sampling;
    size_t samples;           /* S: random futures per grid point (1 if none random) */
    size_t block_size;        /* scenarios per solve block (the file's, else
                                 sm_sweep_default_block_size) */
    int block_size_given;     /* the file sets block_size */
    int n_params;
    sm_sweep_param *params;   /* in file order */
    size_t grid_size;         /* G */
    size_t n_scenarios;       /* G * S */
    /* The `plan:` mapping (MODEL.md Part 2, the risk functional of
     * `supplymix plan`): NaN where the file does not say. */
    double risk_weight, cvar_alpha;
    int n_events;
    sm_sweep_event *events;   /* in file order */
    int n_corr;
    sm_sweep_corr *corr;      /* in file order */
    sm_loc corr_loc;          /* the `correlations` key */
    /* Iman-Conover (models/correlate.c), set up once by
     * sm_sweep_correlate: for random parameter r (counting random ones
     * only), reorder[r] is NULL, or reorder[r][j] is the future whose
     * uncorrelated draw future j takes. */
    uint32_t **reorder;
    int n_random;
    /* n_params x n_params, row-major: the target and the achieved
     * Spearman correlation of each pair over the S futures (the diagonal
     * 1, grid parameters NaN, unlisted random pairs target 0). NULL when
     * the sweep has no correlations. */
    double *rank_target, *rank_achieved;
} sm_sweep;

/* The default block size (sm_sweep_default_block_size): up to this many
 * blocks of at least SM_SWEEP_MIN_DEFAULT_BLOCK scenarios, never larger
 * than SM_SWEEP_MAX_DEFAULT_BLOCK (256 before 2026-12-02, and the only
 * default before 2026-12). */
#define SM_SWEEP_DEFAULT_BLOCKS 16
#define SM_SWEEP_MIN_DEFAULT_BLOCK 32
#define SM_SWEEP_MAX_DEFAULT_BLOCK 512
#define SM_SWEEP_MAX_SCENARIOS 10000000000ull
/* Correlations reorder the whole sample up front (correlate.c), which
 * takes memory and time in S: at most this many futures then. */
#define SM_SWEEP_MAX_CORR_SAMPLES 1000000

void sm_sweep_free(sm_sweep **s);

/* Number of blocks of s, and the scenarios in block b (the last block may
 * be short): models/blocks.h for this sweep's count and block size. */
size_t sm_sweep_blocks(const sm_sweep *s);
/* The block size of a sweep of n scenarios whose file gives none. Blocks
 * are what threads share out (each a chain of warm starts that cannot be
 * split without changing results), so a short sweep gets several: 16, 8,
 * 4 or 2 blocks of equal size (the last up to one scenario a block
 * shorter), the most that still hold at least 32 scenarios each (a block
 * restarts from the base basis, which costs pivots), one block below 63
 * scenarios, and blocks of 512 from 8,193 scenarios on: a longer block
 * packs its random futures closer, so each starts from a nearer basis
 * (monte_carlo: 13.7 iterations a future in blocks of 256, 12.3 in 512;
 * bench/README.md, "Session 27"), and 512 still leaves 196 blocks for
 * MPI ranks at 100,000 scenarios. A power of two so that 2, 4, 8 or 16
 * threads share them evenly. A function of n only:
 * never of threads, ranks or slices, so files stay a function of the
 * inputs. */
size_t sm_sweep_default_block_size(size_t n);
size_t sm_sweep_block_len(const sm_sweep *s, size_t b);

/* The values of every parameter for scenario i (values[n_params]), each
 * clamped into its domain. Pure: any thread, any order, same answer. */
void sm_sweep_values(const sm_sweep *s, size_t i, double *values);
/* The same from scenario i's uniform numbers u, as sm_sweep_uniforms gave
 * them (to the bit the same values; u NULL: drawn), for a caller that has
 * them already (a solver thread's solve order): drawing them is most of
 * the cost (Latin hypercube samples walk a Feistel permutation per
 * parameter). */
void sm_sweep_values_u(const sm_sweep *s, size_t i, const double *u, double *values);

/* Quantile-space coordinates of scenario i's random parameters: for each
 * random parameter (in file order), the uniform number in (0, 1) its
 * draw came from. Used to order scenarios along a space-filling curve. */
void sm_sweep_uniforms(const sm_sweep *s, size_t i, double *u);

/* Where a random parameter's uniform number u falls for what its value
 * sees: u itself for a continuous distribution; for a discrete one (an
 * event, a choice) the middle of the interval of u that gives the same
 * outcome, since u says nothing more there; 0.5 for a constant. Solve
 * orders measure distances between futures on this (solver/order.h):
 * monte_carlo's China restriction is an event, and two futures on either
 * side of its p were "near" in u. */
double sm_param_outcome_u(const sm_sweep_param *p, double u);

/* The steps points of a `range` from..to (steps >= 2), into out: the
 * decimals a person would type (0.3, 0.4, ... for 0.3..0.7 in 5 steps),
 * each the very double strtod gives for that decimal, when the ends are
 * decimals whose step (to - from) / (steps - 1) is one too; else
 * from + k * (to - from) / (steps - 1). The last point is `to`. */
void sm_sweep_range_points(double from, double to, int steps, double *out);

/* The grid index g of scenario i split into one digit per grid parameter
 * (in file order; digits[k] in 0..n_values-1). */
void sm_sweep_grid_digits(const sm_sweep *s, size_t i, int *digits);

/* Whether each event happened in scenario i's future (happened[n_events],
 * 0 or 1). */
void sm_sweep_events(const sm_sweep *s, size_t i, int *happened);

/* The uncorrelated uniform number behind random parameter r in future j
 * (before any Iman-Conover reordering). */
double sm_sweep_draw_u(const sm_sweep *s, uint32_t r, uint64_t j);

/* A pseudo-random bijection of [0, n) keyed by (seed, k, stream), at j
 * (the Latin hypercube's strata permutation; see SWEEPS.md). */
uint64_t sm_sweep_perm(uint64_t seed, uint32_t k, uint32_t stream, uint64_t n, uint64_t j);

/* Counter streams: the last word of every Philox counter says what the
 * number is for, so no two uses share a random number. */
enum {
    SM_STREAM_DRAW = 0,       /* a random parameter's value */
    SM_STREAM_PERM = 1,       /* its Latin hypercube strata */
    SM_STREAM_EVENT = 2,      /* an event's draw */
    SM_STREAM_EVENT_PERM = 3, /* its Latin hypercube strata */
    SM_STREAM_SCORE = 4       /* Iman-Conover's score columns */
};

/* Iman-Conover on s's correlations (correlate.c): checks the target
 * matrix (positive semi-definite, else an error at the `correlations`
 * key), fills s->reorder, rank_target and rank_achieved. Deterministic:
 * a function of the file only. SM_OK without correlations. */
sm_status sm_sweep_correlate(sm_sweep *s, sm_diag *d);

#endif
