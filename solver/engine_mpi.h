/* The sweep engine across MPI ranks (built with -DSM_MPI=ON): every rank
 * runs the OpenMP engine of engine.h on its own threads; rank 0 deals
 * out blocks one at a time as ranks ask for them (scenario costs vary a
 * lot, so static shares would leave ranks idle), and writes the one
 * results file: other ranks compress their blocks themselves and send the
 * chunks, which rank 0's writer only copies into the file.
 *
 * Why not parallel HDF5: a single writer keeps the file exactly as a
 * single process writes it (single-writer mode, crash-safe, resumable with
 * the same code), direct chunk writes are not available in parallel HDF5,
 * and the bytes per scenario are small next to the solving. Blocks are the
 * same fixed blocks as on one machine, so the file is identical to a
 * single run's whatever the ranks and threads. */
#ifndef SM_ENGINE_MPI_H
#define SM_ENGINE_MPI_H

#include "engine.h"

/* How a finished, packed block travels from a rank to rank 0. */
typedef struct sm_block_codec {
    size_t (*size)(const sm_block *b);
    void (*encode)(const sm_block *b, unsigned char *out);
    sm_status (*decode)(void *ctx, const unsigned char *in, size_t len, sm_block *b,
                        size_t *first, sm_diag *d);
    void *ctx;
} sm_block_codec;

/* Start MPI (asking for MPI_THREAD_MULTIPLE: solver threads ask for
 * blocks and a writer thread sends them); returns 0 when it cannot. */
int sm_mpi_init(int *argc, char ***argv);
void sm_mpi_finalize(void);
int sm_mpi_rank(void);
int sm_mpi_size(void);

/* Agree on a status across ranks: the worst of all (rank 0's first). */
sm_status sm_mpi_agree(sm_status st);

/* Rank 0's v, on every rank. */
size_t sm_mpi_bcast_size(size_t v);

/* Run the sweep on every rank. On rank 0, o selects the blocks (slice,
 * block_done) and progress, sink writes; on other ranks o's threads, stop
 * flag, prepare and lp options count, and blocks go to rank 0 through
 * codec. stats on rank 0 cover all ranks. */
sm_status sm_engine_run_mpi(const sm_problem *p, const sm_sweep *sw, const sm_run_opts *o,
                           sm_block_sink sink, void *sink_ctx, const sm_block_codec *codec,
                           sm_run_stats *stats, sm_diag *d);

#endif
