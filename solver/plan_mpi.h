/* A plan across MPI ranks (built with -DSM_MPI=ON): each evaluation's
 * futures split into fixed contiguous ranges, one per rank, so a future's
 * basis lives on one rank and evolves exactly as in one process; the
 * results are then shared so that every rank holds the same q, status
 * and slopes and solves the same master itself (it is deterministic: the
 * same cuts give the same k on every rank, with no k to send). Stop
 * requests and time limits are agreed so all ranks end at the same
 * iteration boundary. In the plain build, or with one rank, every call
 * is the single-process case. cli/cmd_plan.c asks for the rank (only
 * rank 0 writes and prints) and agrees on its start-up. */
#ifndef SM_PLAN_MPI_H
#define SM_PLAN_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../models/plan_data.h"

/* The ranks (1 without MPI) and this one's number. */
int sm_plan_mpi_ranks(void);
int sm_plan_mpi_rank(void);

/* This rank's futures of n: [*lo, *hi). */
void sm_plan_mpi_range(size_t n, size_t *lo, size_t *hi);

/* After each rank solved its range: agree on st (the worst), then give
 * every rank every future's q[n], status[n] and, when g is not NULL,
 * g[n*nk]. */
sm_status sm_plan_mpi_share(size_t n, int nk, double *q, uint8_t *status, double *g,
                            sm_status st, sm_diag *d);

/* Bytes of each rank's range, unit bytes per future, into every rank's
 * data[n*unit]. */
sm_status sm_plan_mpi_share_bytes(size_t n, size_t unit, uint8_t *data, sm_diag *d);

/* Each rank's len bytes, concatenated in rank order, into all[*total]
 * on every rank (malloc'ed; free it). */
sm_status sm_plan_mpi_concat(const uint8_t *mine, size_t len, uint8_t **all, size_t *total,
                             sm_diag *d);

/* What rank 0 read from the plan file to resume, on every rank: done[G]
 * and the unfinished policy *ck_g's checkpoint *ck (empty on the other
 * ranks before, a copy after), so that every rank skips the same policies
 * and goes on from the same master, incumbent and futures' bases. Each
 * rank then solves its own range of the futures, whatever the number of
 * ranks that saved the checkpoint (it holds every future's basis). */
sm_status sm_plan_mpi_share_resume(uint8_t *done, size_t G, sm_plan_checkpoint *ck,
                                   size_t *ck_g, sm_diag *d);

/* The worst status of all ranks (rank 0's first), on every rank. */
sm_status sm_plan_mpi_agree(sm_status st);

/* True on every rank when flag is true on any. */
int sm_plan_mpi_any(int flag);

#endif
