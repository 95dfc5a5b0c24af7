/* CSV reader: accepted spellings and every error path with its line. */
#include <stdlib.h>
#include <string.h>

#include "io/csv_table.h"
#include "support/testing.h"

static sm_csv *parse(const char *text, sm_diag *d)
{
    sm_csv *t = NULL;
    sm_diag_init(d);
    sm_csv_parse("t.csv", text, strlen(text), &t, d);
    return t;
}

#define EXPECT_DIAG(d, line, needle)                                                     \
    do {                                                                                 \
        if (!sm_test_find_diag((d), "t.csv", (line), (needle))) {                        \
            sm_test_dump_diag(d);                                                        \
            CU_FAIL("expected diagnostic at line " #line ": " needle);                   \
        }                                                                                \
    } while (0)

static void test_plain_table(void)
{
    sm_diag d;
    sm_csv *t = parse("a,b,c\n1,2,3\n4,5,6\n", &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->ncols, 3);
    CU_ASSERT_EQUAL(t->nrows, 2);
    CU_ASSERT_STRING_EQUAL(sm_csv_cell(t, 1, 2), "6");
    CU_ASSERT_EQUAL(t->row_line[1], 3);
    CU_ASSERT_EQUAL(sm_csv_column(t, "b"), 1);
    CU_ASSERT_EQUAL(sm_csv_column(t, "z"), -1);
    sm_csv_free(&t);
    CU_ASSERT_PTR_NULL(t);
    sm_diag_clear(&d);
}

/* What spreadsheets write: a byte-order mark, CRLF, quoted commas and line
 * breaks, trailing empty rows. */
static void test_spreadsheet_output(void)
{
    sm_diag d;
    sm_csv *t = parse("\xEF\xBB\xBFname,note\r\nx,\"a, b\"\r\n\r\ny,\"two\r\nlines \"\"q\"\"\"\r\n,\r\n",
                      &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->header[0], "name");
    CU_ASSERT_EQUAL(t->nrows, 2);
    CU_ASSERT_STRING_EQUAL(sm_csv_cell(t, 0, 1), "a, b");
    CU_ASSERT_STRING_EQUAL(sm_csv_cell(t, 1, 1), "two\r\nlines \"q\"");
    CU_ASSERT_EQUAL(t->row_line[0], 2);
    CU_ASSERT_EQUAL(t->row_line[1], 4); /* the blank line 3 is skipped */
    CU_ASSERT_EQUAL(d.errors, 0);
    sm_csv_free(&t);
    sm_diag_clear(&d);
}

static void test_field_count(void)
{
    sm_diag d;
    sm_csv *t = parse("a,b\n1,2\n3\n4,5,6\n", &d);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(d.errors, 2); /* both bad rows, in one pass */
    EXPECT_DIAG(&d, 3, "1 fields, expected 2");
    EXPECT_DIAG(&d, 4, "3 fields, expected 2");
    sm_diag_clear(&d);
}

static void test_bad_quoting(void)
{
    sm_diag d;
    sm_csv *t = parse("a,b\n1,x\"y\n", &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 2, "malformed quoting");
    sm_diag_clear(&d);
}

static void test_unclosed_quote(void)
{
    sm_diag d;
    sm_csv *t = parse("a,b\n1,2\n3,\"open\n4,5\n", &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 3, "never closed");
    sm_diag_clear(&d);
}

static void test_empty_and_header_problems(void)
{
    sm_diag d;
    sm_csv *t = parse("", &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 1, "empty");
    sm_diag_clear(&d);
    t = parse("\n\n  \n", &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 1, "empty");
    sm_diag_clear(&d);
    t = parse("a,b,a\n1,2,3\n", &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 1, "column 'a' appears twice");
    sm_diag_clear(&d);
    t = parse("a,,c\n1,2,3\n", &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 1, "column 2 has no name");
    sm_diag_clear(&d);
}

static void test_limits(void)
{
    sm_diag d;
    size_t n = SM_CSV_MAX_FIELD + 100;
    char *big = malloc(n + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    strcpy(big, "a\n");
    memset(big + 2, 'x', n);
    strcpy(big + 2 + n, "\n");
    sm_csv *t = parse(big, &d);
    CU_ASSERT_PTR_NULL(t);
    EXPECT_DIAG(&d, 2, "more than the limit");
    sm_diag_clear(&d);
    free(big);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"plain table", test_plain_table},
        {"spreadsheet output (BOM, CRLF, quotes)", test_spreadsheet_output},
        {"field count differs from header", test_field_count},
        {"malformed quoting", test_bad_quoting},
        {"unclosed quote", test_unclosed_quote},
        {"empty file and header problems", test_empty_and_header_problems},
        {"field length limit", test_limits},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"csv_table", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
