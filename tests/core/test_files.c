/* Reading input text files (core/files.c): what is refused before a byte
 * is read, the text check, where a named file lies, and quoting a field. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"
#include "support/testing.h"

#define EXPECT_DIAG(d, file, line, needle)                                               \
    do {                                                                                 \
        if (!sm_test_find_diag((d), (file), (line), (needle))) {                         \
            sm_test_dump_diag(d);                                                        \
            CU_FAIL("expected diagnostic: " needle);                                     \
        }                                                                                \
    } while (0)

static sm_status read_text(const char *path, char **text, size_t *len, sm_diag *d)
{
    sm_diag_init(d);
    return sm_text_read(path, NULL, 1 << 20, text, len, d);
}

/* A FIFO with no writer: opening it for reading would wait for ever. */
static void test_fifo_refused(void)
{
    char *dir = sm_test_tmpdir();
    char *path = sm_test_write(dir, "pipe.csv", "");
    unlink(path);
    CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
    char *text = NULL;
    size_t len = 0;
    sm_diag d;
    CU_ASSERT_EQUAL(read_text(path, &text, &len, &d), SM_EINPUT);
    CU_ASSERT_PTR_NULL(text);
    EXPECT_DIAG(&d, "pipe.csv", 0, "is a FIFO (named pipe), expected a regular file");
    sm_diag_clear(&d);
    /* /dev/zero, not /dev/null: a run as root with `-o /dev/null --force`
     * can leave a regular file there (issue 10, row 2). */
    struct stat sb;
    if (stat("/dev/zero", &sb) == 0 && S_ISCHR(sb.st_mode)) {
        CU_ASSERT_EQUAL(read_text("/dev/zero", &text, &len, &d), SM_EINPUT);
        EXPECT_DIAG(&d, "/dev/zero", 0, "is a device");
        sm_diag_clear(&d);
    }
    CU_ASSERT_EQUAL(read_text(dir, &text, &len, &d), SM_EINPUT);
    EXPECT_DIAG(&d, NULL, 0, "is a directory");
    sm_diag_clear(&d);
    free(path);
    sm_test_rmtree(dir);
}

/* What editors write is kept byte for byte (it is stored and hashed); the
 * messages name the file as given. */
static void test_text_kept_verbatim(void)
{
    char *dir = sm_test_tmpdir();
    const char *body = "\xEF\xBB\xBFname: t\r\nx: caf\xC3\xA9\r\n";
    char *path = sm_test_write(dir, "m.yaml", body);
    char *text = NULL;
    size_t len = 0;
    sm_diag d;
    CU_ASSERT_EQUAL(read_text(path, &text, &len, &d), SM_OK);
    CU_ASSERT_EQUAL(len, strlen(body));
    CU_ASSERT_TRUE(text && memcmp(text, body, len) == 0 && text[len] == '\0');
    free(text);
    sm_diag_clear(&d);
    char *big = sm_test_write(dir, "big.yaml", "0123456789");
    sm_diag_init(&d);
    CU_ASSERT_EQUAL(sm_text_read(big, "shown.yaml", 4, &text, &len, &d), SM_EINPUT);
    EXPECT_DIAG(&d, "shown.yaml", 0, "larger than the limit of 4 bytes");
    sm_diag_clear(&d);
    free(big);
    free(path);
    sm_test_rmtree(dir);
}

static void test_not_text(void)
{
    sm_diag d;
    sm_diag_init(&d);
    const char nul[] = "a,b\n1,\0\n";
    CU_ASSERT_EQUAL(sm_text_check("t.csv", nul, sizeof nul - 1, &d), SM_EINPUT);
    EXPECT_DIAG(&d, "t.csv", 2, "NUL byte");
    CU_ASSERT_EQUAL(d.entries[0].col, 3);
    sm_diag_clear(&d);
    const char latin1[] = "a,b\n1,caf\xE9\n";
    CU_ASSERT_EQUAL(sm_text_check("t.csv", latin1, sizeof latin1 - 1, &d), SM_EINPUT);
    EXPECT_DIAG(&d, "t.csv", 2, "not valid UTF-8");
    CU_ASSERT_EQUAL(d.entries[0].col, 6);
    sm_diag_clear(&d);
    CU_ASSERT_EQUAL(sm_text_check("t.csv", "caf\xC3\xA9", 5, &d), SM_OK);
    CU_ASSERT_EQUAL(d.count, 0);
}

static void expect_place(const char *dir, const char *name, sm_path_place want)
{
    char *resolved = NULL;
    sm_path_place place = SM_PATH_INSIDE;
    int e = sm_path_locate(dir, name, &resolved, &place);
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_EQUAL(place, want);
    if (e == 0 && place != want)
        fprintf(stderr, "%s: place %d, expected %d\n", name, (int)place, (int)want);
    CU_ASSERT_TRUE(resolved && resolved[0] == '/');
    free(resolved);
}

static void test_path_locate(void)
{
    char *top = sm_test_tmpdir();
    char *model = sm_path_join(top, "model");
    CU_ASSERT_EQUAL_FATAL(mkdir(model, 0700), 0);
    char *sub = sm_path_join(model, "sub");
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
    free(sm_test_write(model, "in.csv", "a\n"));
    free(sm_test_write(top, "out.csv", "a\n"));
    char *link_out = sm_path_join(model, "link_out.csv");
    char *link_in = sm_path_join(model, "link_in.csv");
    CU_ASSERT_EQUAL_FATAL(symlink("../out.csv", link_out), 0);
    CU_ASSERT_EQUAL_FATAL(symlink("in.csv", link_in), 0);
    char *abs_in = sm_path_join(model, "in.csv");

    expect_place(model, "in.csv", SM_PATH_INSIDE);
    expect_place(model, "sub/../in.csv", SM_PATH_INSIDE);
    expect_place(model, "link_in.csv", SM_PATH_INSIDE);
    expect_place(model, "../out.csv", SM_PATH_UP);
    expect_place(model, "sub/../../out.csv", SM_PATH_UP);
    expect_place(model, "link_out.csv", SM_PATH_LINK_OUT);
    expect_place(model, abs_in, SM_PATH_ABSOLUTE);
    expect_place(model, "/etc/hostname", SM_PATH_ABSOLUTE);
    /* The directory itself: left to the read, which says what it is. */
    expect_place(model, ".", SM_PATH_INSIDE);

    char *resolved = NULL;
    sm_path_place place;
    CU_ASSERT_EQUAL(sm_path_locate(model, "missing.csv", &resolved, &place), ENOENT);
    CU_ASSERT_PTR_NULL(resolved);
    free(abs_in);
    free(link_in);
    free(link_out);
    free(sub);
    free(model);
    sm_test_rmtree(top);
}

static void test_excerpt(void)
{
    char buf[SM_EXCERPT_SIZE];
    CU_ASSERT_STRING_EQUAL(sm_excerpt(buf, "Mars"), "Mars");
    CU_ASSERT_STRING_EQUAL(sm_excerpt(buf, ""), "");
    CU_ASSERT_STRING_EQUAL(sm_excerpt(buf, "a\tb\x1b[31m"), "a?b?[31m");
    const char *secret = "root:$6$saltsalt$0123456789abcdefghijklmnopqrstuvwxyz:19000:0:99999";
    sm_excerpt(buf, secret);
    CU_ASSERT_EQUAL(strlen(buf), SM_EXCERPT_CHARS + 3);
    CU_ASSERT_NSTRING_EQUAL(buf, secret, SM_EXCERPT_CHARS);
    CU_ASSERT_STRING_EQUAL(buf + SM_EXCERPT_CHARS, "...");
    /* 40 two-byte characters: cut after 32 characters, never inside one. */
    char wide[81];
    for (int i = 0; i < 40; i++)
        memcpy(wide + 2 * i, "\xC3\xA9", 2);
    wide[80] = '\0';
    sm_excerpt(buf, wide);
    CU_ASSERT_EQUAL(strlen(buf), 2 * SM_EXCERPT_CHARS + 3);
    CU_ASSERT_STRING_EQUAL(buf + 2 * SM_EXCERPT_CHARS, "...");
    CU_ASSERT_STRING_EQUAL(sm_excerpt(buf, "caf\xE9!"), "caf?!");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"FIFO, device and directory refused without blocking", test_fifo_refused},
        {"text kept verbatim, size limit", test_text_kept_verbatim},
        {"NUL bytes and invalid UTF-8", test_not_text},
        {"where a named file lies", test_path_locate},
        {"quoting a field", test_excerpt},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"files", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
