/* Chunks encoded by io/h5_chunk.c (shuffle, deflate, Fletcher32) against
 * HDF5's own filters: each is stored raw with H5Dwrite_chunk in a dataset
 * declaring that pipeline and read back through H5Dread, which unshuffles,
 * inflates and checks the sum independently of our code. Sizes cover the
 * AVX2 shuffle (32 elements at a time), the transpose in general registers
 * (8 at a time) and the byte-by-byte tail, for 8-, 4- and 1-byte types. */
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_chunk.h"
#include "io/h5_util.h"
#include "support/testing.h"

/* Encode n elements of type t (es bytes) and read them back through HDF5;
 * 1 when they come back byte for byte. */
static int round_trip(hid_t file, hid_t t, size_t es, size_t n, const unsigned char *plain)
{
    static int serial;
    char name[32];
    snprintf(name, sizeof name, "v%d", serial++);
    sm_chunk_coder *z = sm_chunk_coder_new();
    size_t cap = sm_chunk_bound(z, n * es);
    unsigned char *scratch = malloc(n * es), *enc = malloc(cap), *back = malloc(n * es);
    size_t size = sm_chunk_encode(z, plain, n, es, scratch, enc, cap);
    CU_ASSERT_FATAL(size > SM_CHUNK_CHECKSUM_BYTES);
    hsize_t dims[1] = {n}, offset[1] = {0};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dcpl = sm_h5_dcpl(t, 1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, t, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int ok = ds >= 0 && H5Dwrite_chunk(ds, H5P_DEFAULT, 0, offset, size, enc) >= 0 &&
             H5Dflush(ds) >= 0 && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0 &&
             memcmp(back, plain, n * es) == 0;
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    free(scratch);
    free(enc);
    free(back);
    sm_chunk_coder_free(z);
    return ok;
}

static void test_chunks_read_by_hdf5(void)
{
    static const size_t sizes[] = {1, 7, 8, 9, 31, 32, 33, 47, 64, 95, 357, 4289, 163840};
    const struct {
        hid_t t;
        size_t es;
    } types[] = {{H5T_NATIVE_DOUBLE, 8}, {H5T_NATIVE_INT32, 4}, {H5T_NATIVE_INT8, 1}};
    char *dir = sm_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/chunks.h5", dir);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT_FATAL(file >= 0);
    size_t max = sizes[sizeof sizes / sizeof *sizes - 1] * 8;
    unsigned char *plain = malloc(max);
    /* Doubles as results hold them (smooth values, zeros, NaN) and noise:
     * both compressible and not. */
    uint64_t state = 88172645463325252ull;
    for (size_t tk = 0; tk < sizeof types / sizeof *types; tk++)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k];
            for (size_t i = 0; i < n * types[tk].es; i++) {
                state ^= state << 13, state ^= state >> 7, state ^= state << 17;
                plain[i] = (unsigned char)state;
            }
            if (types[tk].es == 8)
                for (size_t i = 0; i < n; i += 3) {
                    double v = i % 9 == 0 ? 0.0 : i % 9 == 3 ? NAN : 1250.0 + 0.5 * (double)i;
                    memcpy(plain + 8 * i, &v, 8);
                }
            if (!round_trip(file, types[tk].t, types[tk].es, n, plain)) {
                fprintf(stderr, "chunk of %zu elements of %zu bytes not read back\n", n,
                        types[tk].es);
                CU_FAIL("a chunk HDF5 did not read back as encoded");
            }
        }
    free(plain);
    H5Fclose(file);
    sm_test_rmtree(dir);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"chunks read back by HDF5's filters", test_chunks_read_by_hdf5},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"h5_chunk", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
