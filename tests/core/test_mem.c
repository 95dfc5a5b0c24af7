/* Large working buffers (core/mem.c): small ones are plain memory, large
 * ones are aligned to 2 MiB and, where the kernel offers transparent huge
 * pages on request, filling them takes a handful of page faults rather
 * than one per 4 KiB page. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/mem.h"
#include "support/testing.h"

#define MIB ((size_t)1 << 20)

/* AddressSanitizer reads its shadow of every byte written, and those
 * pages fault too: faults are counted only without it. */
#if defined(__SANITIZE_ADDRESS__)
#define SM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SM_TEST_ASAN 1
#endif
#endif

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* The kernel's THP mode names [madvise] or [always] as chosen. */
static int thp_on_request(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char line[128] = "";
    if (!f)
        return 0;
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    return ok && (strstr(line, "[madvise]") || strstr(line, "[always]"));
}

static void test_sizes(void)
{
    size_t sizes[] = {0, 1, 4096, MIB - 1, MIB, 2 * MIB + 1, 9 * MIB};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        unsigned char *p = sm_mem_big(sizes[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        if (sizes[k] >= MIB)
            CU_ASSERT_EQUAL((uintptr_t)p % (2 * MIB), 0);
        /* every byte asked for is there (valgrind and ASan see the rest) */
        memset(p, 0xA5, sizes[k] ? sizes[k] : 1);
        CU_ASSERT_EQUAL(p[sizes[k] ? sizes[k] - 1 : 0], 0xA5);
        free(p);
    }
    /* a size that cannot be rounded up to whole 2 MiB pages */
    CU_ASSERT_PTR_NULL(sm_mem_big(SIZE_MAX - MIB));
}

/* The kernel's count of huge-page faults that fell back to small pages
 * (/proc/vmstat thp_fault_fallback, all processes); -1 when unknown. */
static long thp_fallbacks(void)
{
    FILE *f = fopen("/proc/vmstat", "r");
    char key[64];
    long v, found = -1;
    while (f && fscanf(f, "%63s %ld", key, &v) == 2)
        if (strcmp(key, "thp_fault_fallback") == 0)
            found = v;
    if (f)
        fclose(f);
    return found;
}

/* 8 MiB written in full: 2,048 faults in 4 KiB pages, 4 in huge pages.
 * Fewer than 256 says the hint was taken (a page here and there may still
 * come small, when the kernel has no free huge page at hand). When the
 * kernel says it had none (its fallback count grew), that is the
 * machine, not the hint: reported, not failed. Without the hint the
 * kernel never tries, and the count stays. */
static void test_huge_pages_fault_less(void)
{
#ifdef SM_TEST_ASAN
    fprintf(stderr, "\n  (AddressSanitizer: page faults not counted)\n");
    return;
#endif
    if (!thp_on_request()) {
        fprintf(stderr, "\n  (transparent huge pages off here: only the sizes are tested)\n");
        return;
    }
    size_t bytes = 8 * MIB;
    unsigned char *p = sm_mem_big(bytes);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    long fell0 = thp_fallbacks();
    long before = minor_faults();
    memset(p, 1, bytes);
    long faults = minor_faults() - before;
    long fell = thp_fallbacks() - fell0;
    if (faults >= 256)
        fprintf(stderr, "\n  8 MiB filled with %ld page faults (%ld huge-page faults fell back "
                        "to small pages meanwhile)\n", faults, fell0 < 0 ? -1 : fell);
    CU_ASSERT(faults < 256 || (fell0 >= 0 && fell > 0));
    free(p);
}

/* The last huge page of a buffer: backed as one when the buffer fills a
 * quarter of it or more, else left to small pages (one fault each for
 * what is written, rather than clearing 2 MiB). 2 MiB + 256 KiB written:
 * at least the 64 small pages of its tail fault; 2 MiB + 1 MiB: a
 * handful of faults, unless the kernel had no huge page at hand. */
static void test_last_huge_page(void)
{
#ifdef SM_TEST_ASAN
    return;
#endif
    if (!thp_on_request())
        return;
    /* Fresh pages: glibc would otherwise serve these sizes from memory
     * the tests above freed, already faulted in (its mmap threshold rises
     * with every large free unless set). */
    mallopt(M_MMAP_THRESHOLD, (int)MIB);
    malloc_trim(0);
    size_t sizes[] = {2 * MIB + MIB / 4, 3 * MIB};
    for (int k = 0; k < 2; k++) {
        unsigned char *p = sm_mem_big(sizes[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        long fell0 = thp_fallbacks();
        long before = minor_faults();
        memset(p, 1, sizes[k]);
        long faults = minor_faults() - before;
        long fell = thp_fallbacks() - fell0;
        int ok = k == 0 ? faults >= 64 : faults < 64 || (fell0 >= 0 && fell > 0);
        if (!ok)
            fprintf(stderr, "\n  %zu KiB filled with %ld page faults", sizes[k] >> 10, faults);
        CU_ASSERT(ok);
        free(p);
    }
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"sizes, alignment, every byte usable", test_sizes},
        {"a large buffer fills with few page faults", test_huge_pages_fault_less},
        {"a last huge page barely entered stays in small pages", test_last_huge_page},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"mem", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
