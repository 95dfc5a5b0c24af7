/* YAML tree: positions, and the inputs it refuses (aliases, duplicates,
 * depth, several documents, syntax errors). */
#include <stdlib.h>
#include <string.h>

#include "io/yaml_tree.h"
#include "support/testing.h"

static sm_status parse(const char *text, sm_ynode **root, sm_diag *d)
{
    sm_diag_init(d);
    return sm_yaml_parse("t.yaml", text, strlen(text), root, d);
}

#define EXPECT_DIAG(d, line, needle)                                                     \
    do {                                                                                 \
        if (!sm_test_find_diag((d), "t.yaml", (line), (needle))) {                       \
            sm_test_dump_diag(d);                                                        \
            CU_FAIL("expected diagnostic at line " #line ": " needle);                   \
        }                                                                                \
    } while (0)

static void test_tree_and_positions(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    CU_ASSERT_EQUAL(parse("a: 1\nb:\n  - x\n  - 'y'\nc: {d: ~}\n", &root, &d), SM_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_EQUAL(root->kind, SM_YMAP);
    CU_ASSERT_EQUAL(root->count, 3);
    const sm_ynode *b = sm_ymap_get(root, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(b->kind, SM_YSEQ);
    CU_ASSERT_EQUAL(b->count, 2);
    CU_ASSERT_EQUAL(b->items[1]->line, 4);
    CU_ASSERT_EQUAL(b->items[1]->col, 5);
    CU_ASSERT_FALSE(b->items[1]->plain);
    CU_ASSERT_TRUE(sm_ynode_is_null(sm_ymap_get(sm_ymap_get(root, "c"), "d")));
    CU_ASSERT_PTR_NULL(sm_ymap_get(root, "zz"));
    sm_yaml_free(&root);
    CU_ASSERT_PTR_NULL(root);
    sm_diag_clear(&d);
}

static void test_empty_document(void)
{
    sm_diag d;
    sm_ynode *root = (sm_ynode *)1;
    CU_ASSERT_EQUAL(parse("# only a comment\n", &root, &d), SM_OK);
    CU_ASSERT_PTR_NULL(root);
    sm_diag_clear(&d);
}

static void test_alias_refused(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    CU_ASSERT_EQUAL(parse("a: &x [1, 2]\nb: *x\n", &root, &d), SM_EINPUT);
    CU_ASSERT_PTR_NULL(root);
    EXPECT_DIAG(&d, 2, "aliases");
    sm_diag_clear(&d);
}

/* The classic "billion laughs": refused at the first alias, in no time. */
static void test_alias_bomb(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    CU_ASSERT_EQUAL(parse(bomb, &root, &d), SM_EINPUT);
    EXPECT_DIAG(&d, 2, "aliases");
    sm_diag_clear(&d);
}

static void test_duplicate_keys(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    CU_ASSERT_EQUAL(parse("a: 1\nb: 2\na: 3\n", &root, &d), SM_EINPUT);
    EXPECT_DIAG(&d, 3, "duplicate key 'a' (first at line 1)");
    sm_diag_clear(&d);
}

static void test_non_scalar_key(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    CU_ASSERT_EQUAL(parse("? [a, b]\n: 1\n", &root, &d), SM_EINPUT);
    EXPECT_DIAG(&d, 1, "plain name");
    sm_diag_clear(&d);
}

static void test_deep_nesting(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    char text[4096] = "";
    for (int i = 0; i < 200; i++)
        strcat(text, "[");
    CU_ASSERT_EQUAL(parse(text, &root, &d), SM_EINPUT);
    EXPECT_DIAG(&d, 1, "nesting deeper than");
    sm_diag_clear(&d);
}

static void test_two_documents(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    CU_ASSERT_EQUAL(parse("a: 1\n---\nb: 2\n", &root, &d), SM_EINPUT);
    EXPECT_DIAG(&d, 2, "second YAML document");
    sm_diag_clear(&d);
}

static void test_syntax_error(void)
{
    sm_diag d;
    sm_ynode *root = NULL;
    CU_ASSERT_EQUAL(parse("a: 1\nb: [1, 2\nc: 3\n", &root, &d), SM_EINPUT);
    CU_ASSERT_PTR_NULL(root);
    if (!sm_test_find_diag(&d, "t.yaml", 0, "YAML syntax error")) {
        sm_test_dump_diag(&d);
        CU_FAIL("expected a YAML syntax error");
    }
    CU_ASSERT_TRUE(d.count == 1 && d.entries[0].line >= 2);
    sm_diag_clear(&d);
    CU_ASSERT_EQUAL(parse("a: 1\n  b: 2\n", &root, &d), SM_EINPUT);
    EXPECT_DIAG(&d, 2, "YAML syntax error");
    sm_diag_clear(&d);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"tree and positions", test_tree_and_positions},
        {"empty document", test_empty_document},
        {"alias refused", test_alias_refused},
        {"alias bomb", test_alias_bomb},
        {"duplicate keys", test_duplicate_keys},
        {"non-scalar key", test_non_scalar_key},
        {"deep nesting", test_deep_nesting},
        {"two documents", test_two_documents},
        {"syntax errors with positions", test_syntax_error},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"yaml_tree", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
