/* Resume planning (models/blocks.c sm_blocks_plan_resume): which blocks a
 * resumed run skips, from the completion mask, hand-checked. */
#include <string.h>

#include "models/blocks.h"
#include "support/testing.h"

/* 10 scenarios in blocks of 4: [0,4) [4,8) [8,10). */
static void test_whole_blocks_only(void)
{
    uint8_t done[10] = {1, 1, 1, 1, 1, 1, 0, 1, 1, 1};
    uint8_t bd[3];
    memset(bd, 7, sizeof bd);
    size_t skipped = sm_blocks_plan_resume(done, 10, 4, 0, 3, bd);
    CU_ASSERT_EQUAL(bd[0], 1);
    CU_ASSERT_EQUAL(bd[1], 0); /* scenario 6 missing: the whole block again */
    CU_ASSERT_EQUAL(bd[2], 1); /* the short last block */
    CU_ASSERT_EQUAL(skipped, 4 + 2);
}

static void test_slice_range_only(void)
{
    uint8_t done[10];
    memset(done, 1, sizeof done);
    uint8_t bd[3] = {9, 9, 9};
    size_t skipped = sm_blocks_plan_resume(done, 10, 4, 1, 2, bd);
    CU_ASSERT_EQUAL(bd[0], 9); /* outside [b0, b1): untouched */
    CU_ASSERT_EQUAL(bd[1], 1);
    CU_ASSERT_EQUAL(bd[2], 9);
    CU_ASSERT_EQUAL(skipped, 4);
}

static void test_nothing_done_and_empty_range(void)
{
    uint8_t done[10] = {0};
    uint8_t bd[3] = {5, 5, 5};
    CU_ASSERT_EQUAL(sm_blocks_plan_resume(done, 10, 4, 0, 3, bd), 0);
    CU_ASSERT(!bd[0] && !bd[1] && !bd[2]);
    /* An empty slice (more slices than blocks) plans nothing. */
    size_t b0, b1;
    sm_blocks_slice(3, 7, 10, &b0, &b1);
    CU_ASSERT_EQUAL(b0, b1);
    bd[0] = bd[1] = bd[2] = 5;
    CU_ASSERT_EQUAL(sm_blocks_plan_resume(done, 10, 4, b0, b1, bd), 0);
    CU_ASSERT(bd[0] == 5 && bd[1] == 5 && bd[2] == 5);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"a block is skipped only when all of it is complete", test_whole_blocks_only},
        {"only the slice's blocks are planned", test_slice_range_only},
        {"nothing done; an empty slice", test_nothing_done_and_empty_range},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"resume plan", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
