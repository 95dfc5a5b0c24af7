/* The risk functional (see risk.h). */
#include "risk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sm_risk_weight_ok(double lambda)
{
    return lambda >= 0.0 && lambda <= 1.0;
}

int sm_cvar_alpha_ok(double alpha)
{
    return alpha >= 0.0 && alpha < 1.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The Rockafellar-Uryasev objective is convex and piecewise linear in
 * eta with breakpoints at the outcomes, so its minimum is at one of them:
 * evaluate it at every sorted z_i with suffix sums (no quantile index to
 * round, which would be ambiguous exactly where alpha·n is an integer). */
double sm_cvar(const double *z, size_t n, double alpha)
{
    double *v = malloc((n + 1) * sizeof *v);
    if (!v || n == 0) {
        free(v);
        return NAN;
    }
    memcpy(v, z, n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i]) || v[i] == HUGE_VAL) {
            double bad = v[i];
            free(v);
            return bad;
        }
    qsort(v, n, sizeof *v, cmp_double);
    double above = 0.0, best = HUGE_VAL, w = 1.0 / ((double)n * (1.0 - alpha));
    for (size_t i = n; i-- > 0;) {
        /* above = sum of v[j] for j > i; there are n - 1 - i of them. */
        double ru = v[i] + w * (above - (double)(n - 1 - i) * v[i]);
        best = fmin(best, ru);
        above += v[i];
    }
    free(v);
    return best;
}

double sm_risk_value(const double *z, size_t n, double lambda, double alpha)
{
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += z[i] / (double)n;
    if (lambda == 0.0)
        return mean;
    return (1.0 - lambda) * mean + lambda * sm_cvar(z, n, alpha);
}
