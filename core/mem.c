/* Large working buffers (see mem.h). */
#define _GNU_SOURCE
#include "mem.h"

#include <stdlib.h>
#ifdef __linux__
#include <sys/mman.h>
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
        (void)madvise(p, len, MADV_HUGEPAGE); /* a hint; refused, nothing else changes */
        return p;
    }
#endif
    return malloc(bytes ? bytes : 1);
}
