/* Large working buffers that are written in full again and again (a
 * result block, a chunk's shuffled bytes): backed by transparent huge
 * pages where the kernel offers them on request (Linux, THP "madvise" or
 * "always"), so that the first write to 2 MiB takes one page fault
 * rather than 512. On the 2-core VMs this project is measured on, a page
 * fault costs 5-12 us, and a china_grid run faulted 3,400 times in its
 * result blocks and chunk buffers (bench/README.md, "Session 30"). */
#ifndef SM_MEM_H
#define SM_MEM_H

#include <stddef.h>

/* A transparent huge page: the kernel backs only whole aligned ranges of
 * it (bench/first_touch.c maps its probe the same way). */
#define SM_HUGE_PAGE ((size_t)2 << 20)

/* From this size on, sm_mem_big asks for huge pages. */
#define SM_MEM_BIG_MIN ((size_t)1 << 20)

/* At least bytes (1 when 0) of uninitialised memory, or NULL when out of
 * memory; freed with free(). From SM_MEM_BIG_MIN on it is aligned to,
 * and asked to be backed by, 2 MiB pages (a hint: where the kernel says
 * no, it is ordinary memory), all but a last one it would fill less than
 * a quarter of. */
void *sm_mem_big(size_t bytes);

#endif
