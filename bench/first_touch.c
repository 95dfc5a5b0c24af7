/* sm_first_touch: what this machine charges for the first write to fresh
 * memory, the host cost under every run's result blocks and chunk buffers
 * (core/mem.h). Maps N MiB (default 32) at a 2 MiB boundary, writes one
 * byte a page, writes the whole range again, unmaps; three rounds, with
 * 4 KiB pages and with huge pages asked for (MADV_HUGEPAGE). The second
 * pass is the cost of memory already backed; a first touch far above it
 * is paid to the kernel (zeroing, a fault per page) and, on a VM whose
 * host takes freed memory back (free page reporting), to the host.
 * bench/README.md, "Session 32", has the figures and what they mean for
 * the timings.
 *
 * usage: sm_first_touch [MIB] */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"

/* The kernel backs only whole aligned 2 MiB ranges with huge pages, so
 * the probe maps 2 MiB more and measures the aligned range inside: an
 * unaligned start would leave up to 4 MiB in small pages and read low. */
static int touch_round(size_t bytes, int huge)
{
    size_t mapped = bytes + SM_HUGE_PAGE;
    unsigned char *m =
        mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("sm_first_touch: mmap");
        return 0;
    }
    uintptr_t start = ((uintptr_t)m + SM_HUGE_PAGE - 1) / SM_HUGE_PAGE * SM_HUGE_PAGE;
    unsigned char *p = m + (start - (uintptr_t)m);
#ifdef MADV_HUGEPAGE
    if (huge)
        (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    double t0 = sm_clock_s();
    for (size_t a = 0; a < bytes; a += page)
        p[a] = 1;
    double t1 = sm_clock_s();
    memset(p, 2, bytes);
    double t2 = sm_clock_s();
    double mib = (double)bytes / (1 << 20);
    printf("  %-11s first touch %8.1f us/MiB, written again %6.1f us/MiB (%.0fx)\n",
           huge ? "huge pages" : "4 KiB pages", 1e6 * (t1 - t0) / mib, 1e6 * (t2 - t1) / mib,
           (t1 - t0) / (t2 - t1));
    munmap(m, mapped);
    return 1;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long mib = argc > 1 ? strtol(argv[1], &end, 10) : 32;
    if (argc > 2 || (end && (end == argv[1] || *end)) || mib <= 0 || mib > 65536) {
        fprintf(stderr, "usage: sm_first_touch [MIB]   (1 to 65536, default 32)\n");
        return 2;
    }
    size_t bytes = (size_t)mib << 20;
    printf("sm_first_touch: %ld MiB, 3 rounds each\n", mib);
    for (int huge = 0; huge < 2; huge++)
        for (int r = 0; r < 3; r++)
            if (!touch_round(bytes, huge))
                return 1;
    return 0;
}
