/* Chunks in HDF5's stored form (see h5_chunk.h). */
#include "h5_chunk.h"

#include "h5_util.h"

#include <stdlib.h>
#include <string.h>
/* GCC and clang compile an AVX2 function into any x86-64 build and say at
 * run time whether the CPU has it. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SM_SHUFFLE_AVX2 1
#endif
#ifdef SM_WITH_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <libdeflate.h>
#endif

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

#ifdef SM_WITH_ISAL
/* ISA-L has levels 0 to 3. */
#define SM_ISAL_LEVEL (SM_H5_DEFLATE_LEVEL < 3 ? SM_H5_DEFLATE_LEVEL : 3)
#if SM_ISAL_LEVEL == 0
#define SM_ISAL_LEVEL_BUF ISAL_DEF_LVL0_DEFAULT
#elif SM_ISAL_LEVEL == 1
#define SM_ISAL_LEVEL_BUF ISAL_DEF_LVL1_DEFAULT
#elif SM_ISAL_LEVEL == 2
#define SM_ISAL_LEVEL_BUF ISAL_DEF_LVL2_DEFAULT
#else
#define SM_ISAL_LEVEL_BUF ISAL_DEF_LVL3_DEFAULT
#endif

struct sm_chunk_coder {
    struct isal_zstream s;
    uint8_t level_buf[SM_ISAL_LEVEL_BUF];
};

const char *sm_chunk_coder_name(void)
{
    return "isal";
}

sm_chunk_coder *sm_chunk_coder_new(void)
{
    return malloc(sizeof(sm_chunk_coder));
}

void sm_chunk_coder_free(sm_chunk_coder *z)
{
    free(z);
}

/* Stored blocks at worst (ISA-L falls back to them when compressing does
 * not pay): 5 bytes per 65,535, the zlib header and trailer, and room to
 * spare. */
size_t sm_chunk_bound(sm_chunk_coder *z, size_t bytes)
{
    (void)z;
    return bytes + 5 * (bytes / 65535 + 2) + ISAL_DEF_MAX_HDR_SIZE + 16 + SM_CHUNK_CHECKSUM_BYTES;
}

static size_t compress(sm_chunk_coder *z, const unsigned char *in, size_t len, unsigned char *out,
                       size_t cap)
{
    if (len > UINT32_MAX || cap > UINT32_MAX)
        return 0;
    struct isal_zstream *s = &z->s;
    isal_deflate_stateless_init(s);
    s->level = SM_ISAL_LEVEL;
    s->level_buf = z->level_buf;
    s->level_buf_size = sizeof z->level_buf;
    s->gzip_flag = IGZIP_ZLIB;
    s->end_of_stream = 1;
    s->next_in = (uint8_t *)in;
    s->avail_in = (uint32_t)len;
    s->next_out = out;
    s->avail_out = (uint32_t)cap;
    return isal_deflate_stateless(s) == COMP_OK ? s->total_out : 0;
}
#else
struct sm_chunk_coder {
    struct libdeflate_compressor *c;
};

const char *sm_chunk_coder_name(void)
{
    return "libdeflate";
}

sm_chunk_coder *sm_chunk_coder_new(void)
{
    sm_chunk_coder *z = malloc(sizeof *z);
    if (z && !(z->c = libdeflate_alloc_compressor(SM_H5_DEFLATE_LEVEL))) {
        free(z);
        z = NULL;
    }
    return z;
}

void sm_chunk_coder_free(sm_chunk_coder *z)
{
    if (z)
        libdeflate_free_compressor(z->c);
    free(z);
}

size_t sm_chunk_bound(sm_chunk_coder *z, size_t bytes)
{
    return libdeflate_zlib_compress_bound(z->c, bytes) + SM_CHUNK_CHECKSUM_BYTES;
}

static size_t compress(sm_chunk_coder *z, const unsigned char *in, size_t len, unsigned char *out,
                       size_t cap)
{
    return libdeflate_zlib_compress(z->c, in, len, out, cap);
}
#endif

/* Eight 8-byte elements x[e] (byte j at bits 8j, as a little-endian load
 * puts it) into x[j] holding byte j of each element e at bits 8e: an 8x8
 * byte transpose in three rounds of swaps (bytes, pairs, quads). */
static void transpose8x8(uint64_t x[8])
{
    for (int e = 0; e < 8; e += 2) {
        uint64_t t = ((x[e] >> 8) ^ x[e + 1]) & 0x00FF00FF00FF00FFull;
        x[e + 1] ^= t;
        x[e] ^= t << 8;
    }
    for (int e = 0; e < 6; e = e == 1 ? 4 : e + 1) { /* rows 0, 1, 4, 5 */
        uint64_t t = ((x[e] >> 16) ^ x[e + 2]) & 0x0000FFFF0000FFFFull;
        x[e + 2] ^= t;
        x[e] ^= t << 16;
    }
    for (int e = 0; e < 4; e++) {
        uint64_t t = ((x[e] >> 32) ^ x[e + 4]) & 0x00000000FFFFFFFFull;
        x[e + 4] ^= t;
        x[e] ^= t << 32;
    }
}

#ifdef SM_SHUFFLE_AVX2
/* The shuffle of 8-byte elements, 32 at a time in AVX2 registers: per
 * 128-bit lane, pair two elements' bytes by byte index; three rounds of
 * unpacks (16-, 32-, 64-bit units) leave register j holding byte j of all
 * 32 elements, in the order 0 1 4 5 ... 28 29 | 2 3 ... 30 31 by 16-bit
 * units across the lanes, which one permute and one byte shuffle put in
 * element order for a single 32-byte store. About 2.4x the transpose in
 * general registers on 1.3 MB chunks (bench/README.md, session 25).
 * Returns the elements done (a multiple of 32). */
__attribute__((target("avx2"))) static size_t shuffle8_avx2(unsigned char *out,
                                                           const unsigned char *in, size_t n)
{
    const __m256i pair = _mm256_setr_epi8(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15,
                                          0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    const __m256i order = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15,
                                           0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    size_t e = 0;
    for (; e + 32 <= n; e += 32) {
        __m256i a[8], b[8], c[8];
        for (int k = 0; k < 8; k++)
            a[k] = _mm256_shuffle_epi8(
                _mm256_loadu_si256((const __m256i *)(const void *)(in + 8 * e + 32 * (size_t)k)),
                pair);
        for (int k = 0; k < 8; k += 2) {
            b[k] = _mm256_unpacklo_epi16(a[k], a[k + 1]);
            b[k + 1] = _mm256_unpackhi_epi16(a[k], a[k + 1]);
        }
        for (int k = 0; k < 8; k += 4)
            for (int h = 0; h < 2; h++) {
                c[k + 2 * h] = _mm256_unpacklo_epi32(b[k + h], b[k + 2 + h]);
                c[k + 2 * h + 1] = _mm256_unpackhi_epi32(b[k + h], b[k + 2 + h]);
            }
        for (int h = 0; h < 4; h++) {
            __m256i lo = _mm256_unpacklo_epi64(c[h], c[4 + h]);
            __m256i hi = _mm256_unpackhi_epi64(c[h], c[4 + h]);
            lo = _mm256_shuffle_epi8(_mm256_permute4x64_epi64(lo, _MM_SHUFFLE(3, 1, 2, 0)), order);
            hi = _mm256_shuffle_epi8(_mm256_permute4x64_epi64(hi, _MM_SHUFFLE(3, 1, 2, 0)), order);
            _mm256_storeu_si256((__m256i *)(void *)(out + (size_t)(2 * h) * n + e), lo);
            _mm256_storeu_si256((__m256i *)(void *)(out + (size_t)(2 * h + 1) * n + e), hi);
        }
    }
    return e;
}
#endif

/* HDF5's shuffle filter: byte j of element e goes to position j * n + e.
 * 8-byte elements go 32 at a time through AVX2 registers where the CPU
 * has them, then eight at a time through a transpose in general
 * registers, several times faster than byte by byte (bench/README.md). */
static void shuffle(unsigned char *out, const unsigned char *in, size_t n, size_t es)
{
    size_t e = 0;
#ifdef SM_SHUFFLE_AVX2
    if (es == 8 && __builtin_cpu_supports("avx2"))
        e = shuffle8_avx2(out, in, n);
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (es == 8)
        for (; e + 8 <= n; e += 8) {
            uint64_t x[8];
            memcpy(x, in + e * 8, sizeof x);
            transpose8x8(x);
            for (size_t j = 0; j < 8; j++)
                memcpy(out + j * n + e, &x[j], 8);
        }
#endif
    for (; e < n; e++)
        for (size_t j = 0; j < es; j++)
            out[j * n + e] = in[e * es + j];
}

size_t sm_chunk_encode(sm_chunk_coder *z, const unsigned char *plain, size_t n,
                       size_t es, unsigned char *scratch, unsigned char *out, size_t cap)
{
    const unsigned char *in = plain;
    if (es > 1) { /* HDF5 skips the shuffle of one-byte elements */
        shuffle(scratch, plain, n, es);
        in = scratch;
    }
    if (cap < SM_CHUNK_CHECKSUM_BYTES)
        return 0;
    size_t size = compress(z, in, n * es, out, cap - SM_CHUNK_CHECKSUM_BYTES);
    if (size == 0)
        return 0;
    /* The checksum of the compressed bytes, little-endian, as HDF5's
     * Fletcher32 filter (last in the pipeline) appends it. */
    uint32_t sum = sm_fletcher32(out, size);
    for (int i = 0; i < SM_CHUNK_CHECKSUM_BYTES; i++)
        out[size + (size_t)i] = (unsigned char)(sum >> (8 * i));
    return size + SM_CHUNK_CHECKSUM_BYTES;
}
