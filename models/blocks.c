/* Blocks and slices of a sweep (see blocks.h). */
#include "blocks.h"

#include <string.h>

size_t sm_blocks_count(size_t n, size_t block_size)
{
    return n / block_size + (n % block_size != 0);
}

size_t sm_blocks_len(size_t n, size_t block_size, size_t b)
{
    size_t first = b * block_size;
    if (first >= n)
        return 0;
    return n - first < block_size ? n - first : block_size;
}

size_t sm_blocks_scenarios(size_t n, size_t block_size, size_t b0, size_t b1)
{
    size_t lo = b0 * block_size, hi = b1 * block_size;
    if (hi > n)
        hi = n;
    return hi > lo ? hi - lo : 0;
}

/* Splitting in 128-bit arithmetic: n_blocks * k overflows 64 bits only for
 * absurd inputs, but the slice bounds must never wrap. */
void sm_blocks_slice(size_t n_blocks, size_t k, size_t n_slices, size_t *b0, size_t *b1)
{
    unsigned __int128 nb = n_blocks;
    *b0 = (size_t)(nb * k / n_slices);
    *b1 = (size_t)(nb * (k + 1) / n_slices);
}

size_t sm_blocks_plan_resume(const uint8_t *done, size_t n, size_t block_size, size_t b0,
                             size_t b1, uint8_t *block_done)
{
    size_t skipped = 0;
    for (size_t b = b0; b < b1; b++) {
        size_t len = sm_blocks_len(n, block_size, b);
        block_done[b] = len > 0 && memchr(done + b * block_size, 0, len) == NULL;
        if (block_done[b])
            skipped += len;
    }
    return skipped;
}
