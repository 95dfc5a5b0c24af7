/* Chunks in HDF5's stored form (see h5_chunk.h). */
#include "h5_chunk.h"

#include <libdeflate.h>
#include <string.h>

uint32_t sm_fletcher32(const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t words = len / 2;
    uint32_t sum1 = 0, sum2 = 0;
    /* 360 sums is the most that cannot overflow 32 bits (as in HDF5). */
    while (words) {
        size_t n = words > 360 ? 360 : words;
        words -= n;
        do {
            sum1 += (uint32_t)((uint16_t)p[0] << 8) | (uint16_t)p[1];
            p += 2;
            sum2 += sum1;
        } while (--n);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if (len % 2) {
        sum1 += (uint32_t)((uint16_t)p[0] << 8);
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return (sum2 << 16) | sum1;
}

size_t sm_chunk_bound(struct libdeflate_compressor *z, size_t bytes)
{
    return libdeflate_zlib_compress_bound(z, bytes) + SM_CHUNK_CHECKSUM_BYTES;
}

/* HDF5's shuffle filter: byte j of element e goes to position j * n + e. */
static void shuffle(unsigned char *out, const unsigned char *in, size_t n, size_t es)
{
    if (es == 8) {
        unsigned char *o[8];
        for (size_t j = 0; j < 8; j++)
            o[j] = out + j * n;
        for (size_t e = 0; e < n; e++, in += 8)
            for (size_t j = 0; j < 8; j++)
                o[j][e] = in[j];
        return;
    }
    for (size_t e = 0; e < n; e++)
        for (size_t j = 0; j < es; j++)
            out[j * n + e] = in[e * es + j];
}

size_t sm_chunk_encode(struct libdeflate_compressor *z, const unsigned char *plain, size_t n,
                       size_t es, unsigned char *scratch, unsigned char *out, size_t cap)
{
    const unsigned char *in = plain;
    if (es > 1) { /* HDF5 skips the shuffle of one-byte elements */
        shuffle(scratch, plain, n, es);
        in = scratch;
    }
    if (cap < SM_CHUNK_CHECKSUM_BYTES)
        return 0;
    size_t size = libdeflate_zlib_compress(z, in, n * es, out, cap - SM_CHUNK_CHECKSUM_BYTES);
    if (size == 0)
        return 0;
    /* The checksum of the compressed bytes, little-endian, as HDF5's
     * Fletcher32 filter (last in the pipeline) appends it. */
    uint32_t sum = sm_fletcher32(out, size);
    for (int i = 0; i < SM_CHUNK_CHECKSUM_BYTES; i++)
        out[size + (size_t)i] = (unsigned char)(sum >> (8 * i));
    return size + SM_CHUNK_CHECKSUM_BYTES;
}
