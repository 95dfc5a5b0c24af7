/* The state of one L-shaped decomposition (solver/plan_lshaped.c: the
 * iterations, trust region and checkpoints) and its master LP with the
 * cuts (solver/plan_master.c). Private to those two files. */
#ifndef SM_PLAN_LSHAPED_H
#define SM_PLAN_LSHAPED_H

#include <stdint.h>

#include "plan.h"

/* The state of one decomposition. */
typedef struct lshaped {
    const sm_futures *F;
    const sm_stage1 *s1;
    const sm_plan_opts *o;
    sm_evaluator *ev;
    sm_lp *master;
    size_t n;
    int nk, nb;                /* commitments, theta columns */
    double *k, *q, *g, *sol;   /* k^ [nk], Q_s [n], slopes [n*nk], master solution [nk+nb] */
    double *gb;                /* [nk] a block's mean slopes */
    uint8_t *status;
    size_t *order;             /* [n] the futures in block order: block b holds
                                * order[p] for p·nb/n = b */
    int *idx;
    double *val;
    double t0;
    double rhs;           /* of the cut cut_terms built */
    /* The trust region: a box of radius · k_ub around the centre, the
     * incumbent, whose cost is fc. */
    double *centre, *lo, *hi;
    double fc, radius, predicted;   /* predicted: fc − the master's value at k^ */
    int rescues;                    /* master solves redone from scratch */
    int bad_steps, whole;           /* whole: k^ is from the unrestricted master */
    int has_centre;                 /* 0 until a trial point meets every future */
    /* Cut ages: master rows after the first n_fixed (the first-stage
     * rows), solves in a row with a basic slack. */
    int n_fixed, cap, *age, *drop;
    uint8_t *basic;
    /* The cut pool: cuts dropped from the master, put back when a master
     * solution violates them, so that dropping keeps the master small
     * without losing the model. Cut c's terms are pool_idx/pool_val
     * [pool_start[c], pool_start[c + 1]), its bound pool_lb[c], and it
     * has waited pool_age[c] iterations. */
    int pool_n, pool_cap, *pool_idx, *pool_age;
    size_t pool_nz_cap, *pool_start;
    double *pool_val, *pool_lb;
} lshaped;

/* Room for the ages of cuts 0..i. */
sm_status sm_lshaped_ages_room(lshaped *ls, int i, sm_diag *d);
/* The master's simplex settings. */
sm_lp_opts sm_lshaped_master_opts(const sm_plan_opts *o);
/* The master: k, the thetas (and the risk terms), the first-stage rows,
 * theta_b bounded below by its block's mean Q_s(k_ub) (ls->q holds Q at
 * k_ub). */
sm_status sm_lshaped_master_build(lshaped *ls, sm_diag *d);
/* The cut of every block whose mean Q_s(k^) lies above the master's
 * theta_b (all of them when theta is NULL), in block order. */
sm_status sm_lshaped_add_cuts(lshaped *ls, const double *theta, int *added, sm_diag *d);
/* A feasibility cut for every block with futures infeasible at k^, in
 * block order. */
sm_status sm_lshaped_add_feasibility_cuts(lshaped *ls, int *added, sm_diag *d);
/* Age the cuts by the master's last basis and move the long-idle ones to
 * the pool; forget pooled cuts that waited too long. */
sm_status sm_lshaped_drop_old_cuts(lshaped *ls, sm_diag *d);
/* Put every pooled cut that the master's solution ls->sol violates back
 * into the master, in pool order; *back: how many, *rise: the most one of
 * them raises the master's objective at ls->sol (a bound, HUGE_VAL for a
 * feasibility cut). */
sm_status sm_lshaped_pool_back(lshaped *ls, int *back, double *rise, sm_diag *d);
/* The pool into a checkpoint and back; freeing it. */
sm_status sm_lshaped_pool_save(const lshaped *ls, sm_plan_checkpoint *c, sm_diag *d);
sm_status sm_lshaped_pool_load(lshaped *ls, const sm_plan_checkpoint *c, sm_diag *d);
void sm_lshaped_pool_free(lshaped *ls);

#endif
