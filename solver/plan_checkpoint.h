/* A decomposition's checkpoint (sm_plan_checkpoint, plan.h) as named
 * arrays, written and read by the parts of the L-shaped method that own
 * each piece of state: the master LP (here), the incumbent and history
 * (here), every future's saved basis (plan_eval.c) and the loop's own
 * variables (plan_lshaped.c). Internal to solver/.
 *
 * What goes in is everything that decides what the next iteration does,
 * so a resumed plan repeats, bit for bit, what an uninterrupted one does:
 * the master's columns, rows in GLPK's order, scale factors and basis
 * (GLPK rebuilds its factorization from the basis statuses in index order
 * at every re-solve after new cuts, so nothing else of it carries over),
 * the futures' bases, the incumbent, bounds and history. Anything added to
 * the method that carries state from one iteration to the next (a cut
 * pool, cut ages) must add its arrays too, or a resumed plan diverges;
 * test_plan's resume tests catch that on a degenerate instance. */
#ifndef SM_PLAN_CHECKPOINT_H
#define SM_PLAN_CHECKPOINT_H

#include "plan.h"

/* Append a copy of data[n] (type 'd', 'i' or 'b') as `name`; data NULL:
 * room for n elements, left for the caller to fill. */
sm_status sm_ckpt_add(sm_plan_checkpoint *c, const char *name, char type, size_t n,
                      const void *data, sm_diag *d);

/* Bytes per element of type 'd', 'i' or 'b'. */
size_t sm_ckpt_type_size(char type);

/* The data of array `name` of the given type: SM_EINPUT naming it when it
 * is missing, of another type, or (want != SIZE_MAX) not want long. *n
 * (may be NULL) receives its length. */
sm_status sm_ckpt_get(const sm_plan_checkpoint *c, const char *name, char type, size_t want,
                      const void **data, size_t *n, sm_diag *d);

/* *dst (empty or freed) becomes a copy of src. */
sm_status sm_ckpt_copy(sm_plan_checkpoint *dst, const sm_plan_checkpoint *src, sm_diag *d);
/* 1 when c is of a decomposition that has ended (its result's stop set). */
int sm_ckpt_ended(const sm_plan_checkpoint *c);

/* The master LP: its columns, rows, scale factors and basis. */
sm_status sm_ckpt_save_master(const sm_lp *master, sm_plan_checkpoint *c, sm_diag *d);
sm_status sm_ckpt_load_master(const sm_plan_checkpoint *c, const sm_lp_opts *o, sm_lp **out,
                              sm_diag *d);

/* A decomposition's result so far (n futures, nk commitments): stop
 * reason (0 while it goes on), incumbent, bounds, history, message. r must
 * have room for every iteration recorded. */
sm_status sm_ckpt_save_result(const sm_plan_result *r, size_t n, int nk, sm_plan_checkpoint *c,
                              sm_diag *d);
sm_status sm_ckpt_load_result(const sm_plan_checkpoint *c, size_t n, int nk, int max_hist,
                              sm_plan_result *r, sm_diag *d);

/* Every future's saved basis in the evaluator (plan_eval.c). */
sm_status sm_evaluator_save(const sm_evaluator *ev, sm_plan_checkpoint *c, sm_diag *d);
sm_status sm_evaluator_load(sm_evaluator *ev, const sm_plan_checkpoint *c, sm_diag *d);

#endif
