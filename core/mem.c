/* Large working buffers (see mem.h). */
#define _GNU_SOURCE
#include "mem.h"

#include <stdlib.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#if defined(__linux__) && defined(MADV_HUGEPAGE)
/* The leading bytes of a buffer of bytes to back with huge pages: its
 * whole 2 MiB pages, and its last, partial one when the buffer fills at
 * least a quarter of it. Less than that is cheaper in small pages, one
 * fault each, than clearing all of a huge page (bench/README.md,
 * "Session 34"). */
static size_t huge_part(size_t bytes)
{
    size_t whole = bytes / SM_HUGE_PAGE * SM_HUGE_PAGE;
    return bytes - whole >= SM_HUGE_PAGE / 4 ? whole + SM_HUGE_PAGE : whole;
}
#endif

void *sm_mem_big(size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= SM_MEM_BIG_MIN) {
        /* Whole huge pages: the kernel backs only aligned 2 MiB ranges. */
        size_t len = (bytes + SM_HUGE_PAGE - 1) / SM_HUGE_PAGE * SM_HUGE_PAGE;
        void *p = NULL;
        if (len < bytes || posix_memalign(&p, SM_HUGE_PAGE, len) != 0)
            return NULL;
        /* Hints; refused, nothing else changes. A last huge page the
         * buffer would barely enter stays in small pages: its first write
         * clears all 2 MiB (a china_grid block, 2.11 MiB, cleared 4 MiB). */
        size_t huge = huge_part(bytes);
        if (huge)
            (void)madvise(p, huge, MADV_HUGEPAGE);
        if (huge < len)
            (void)madvise((char *)p + huge, len - huge, MADV_NOHUGEPAGE);
        return p;
    }
#endif
    return malloc(bytes ? bytes : 1);
}
