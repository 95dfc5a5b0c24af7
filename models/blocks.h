/* How a sweep's scenarios are cut into fixed blocks, and blocks into the
 * slices of a sharded run. One formula, used by the engine, the run
 * command, resume and merge: a scenario's block, hence its warm-start
 * chain and its results, depends only on the scenario count and the
 * block size, never on threads, ranks or slices. */
#ifndef SM_BLOCKS_H
#define SM_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Blocks of block_size scenarios covering n scenarios (the last may be
 * short). block_size must be at least 1. */
size_t sm_blocks_count(size_t n, size_t block_size);

/* Scenarios in block b (block_size, or fewer for the last block). */
size_t sm_blocks_len(size_t n, size_t block_size, size_t b);

/* Scenarios in blocks [b0, b1); 0 when the range is empty. */
size_t sm_blocks_scenarios(size_t n, size_t block_size, size_t b0, size_t b1);

/* Slice k of n_slices (0 <= k < n_slices) takes blocks [*b0, *b1): an even
 * split of n_blocks in order. A slice is empty (*b0 == *b1) when there
 * are more slices than blocks. */
void sm_blocks_slice(size_t n_blocks, size_t k, size_t n_slices, size_t *b0, size_t *b1);

/* Resume planning: which blocks of [b0, b1) a resumed run skips. A block
 * is skipped only when every one of its scenarios is marked complete in
 * done (n bytes, one per scenario, from the file's completion mask): a
 * block partly done is solved again whole, because its warm-start chain
 * must be replayed to give the same results. Sets block_done[b] (indexed
 * by block, b0 <= b < b1; others untouched) and returns the scenarios in
 * the skipped blocks. */
size_t sm_blocks_plan_resume(const uint8_t *done, size_t n, size_t block_size, size_t b0,
                             size_t b1, uint8_t *block_done);

#endif
