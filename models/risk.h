/* The risk functional of a plan (MODEL.md Part 2, "Objective"):
 * rho(Z) = (1 − lambda)·E[Z] + lambda·CVaR_alpha(Z) over equally likely
 * outcomes, with CVaR in Rockafellar and Uryasev's form
 * CVaR_alpha(Z) = min over eta of eta + E[(Z − eta)+] / (1 − alpha),
 * the mean of the worst (1 − alpha) share of outcomes. Every measure of a
 * plan (RP, WS, EEV) goes through this one function. */
#ifndef SM_RISK_H
#define SM_RISK_H

#include <stddef.h>

/* Limits of lambda and alpha: 0 <= lambda <= 1, 0 <= alpha < 1. */
int sm_risk_weight_ok(double lambda);
int sm_cvar_alpha_ok(double alpha);

/* rho of z[n] (n >= 1): NaN when some z is NaN, +inf when some is +inf
 * (with lambda > 0 or in the mean). lambda = 0 is the plain mean. */
double sm_risk_value(const double *z, size_t n, double lambda, double alpha);

/* CVaR_alpha of z[n] alone (Rockafellar-Uryasev with equal weights). */
double sm_cvar(const double *z, size_t n, double alpha);

#endif
