/* Deflate codecs on a results file's chunks (issue 15 item 3): libdeflate
 * levels 1-2, ISA-L (igzip) levels 0-3 and zlib level 1, each on every
 * chunk as supplymix makes them (shuffled, one block a chunk), least CPU
 * time of five passes and the compressed size; every ISA-L stream is
 * inflated again by zlib and compared with its input.
 *
 * usage: bench/bench_outside_chunks.py RESULTS.h5 --dump CHUNKS.bin
 *        cc -O2 bench/bench_outside_codecs.c -o /tmp/codecs -ldeflate -lisal -lz
 *        /tmp/codecs CHUNKS.bin
 */
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

typedef struct chunks {
    size_t n, cap, raw;
    unsigned char **data;
    size_t *len;
} chunks;

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The dump: per chunk its length (u64, little-endian) and its bytes. */
static int load(const char *path, chunks *c)
{
    FILE *f = fopen(path, "rb");
    uint64_t len;
    if (!f)
        return 0;
    memset(c, 0, sizeof *c);
    while (fread(&len, sizeof len, 1, f) == 1) {
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 64;
            c->data = realloc(c->data, c->cap * sizeof *c->data);
            c->len = realloc(c->len, c->cap * sizeof *c->len);
        }
        c->data[c->n] = malloc(len);
        if (fread(c->data[c->n], 1, len, f) != len)
            break;
        c->len[c->n++] = len;
        c->raw += len;
    }
    fclose(f);
    return c->n > 0;
}

static size_t isal(int level, unsigned char *lbuf, size_t lsize, const unsigned char *in,
                   size_t n, unsigned char *out, size_t cap)
{
    struct isal_zstream s;
    isal_deflate_stateless_init(&s);
    s.level = (uint32_t)level;
    s.level_buf = lbuf;
    s.level_buf_size = (uint32_t)lsize;
    s.gzip_flag = IGZIP_ZLIB;
    s.end_of_stream = 1;
    s.next_in = (uint8_t *)in;
    s.avail_in = (uint32_t)n;
    s.next_out = out;
    s.avail_out = (uint32_t)cap;
    return isal_deflate_stateless(&s) == COMP_OK ? s.total_out : 0;
}

static size_t zlib1(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    uLongf len = cap;
    return compress2(out, &len, in, n, 1) == Z_OK ? len : 0;
}

int main(int argc, char **argv)
{
    chunks c;
    if (argc != 2 || !load(argv[1], &c)) {
        fprintf(stderr, "usage: %s CHUNKS.bin (from bench_outside_chunks.py --dump)\n", argv[0]);
        return 2;
    }
    size_t cap = 0;
    for (size_t i = 0; i < c.n; i++)
        cap = c.len[i] > cap ? c.len[i] : cap;
    cap = 2 * cap + 4096;
    unsigned char *out = malloc(cap), *back = malloc(cap);
    static const size_t lsize[4] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
                                    ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT};
    unsigned char *lbuf = malloc(ISAL_DEF_LVL3_DEFAULT > ISAL_DEF_LVL1_DEFAULT
                                     ? ISAL_DEF_LVL3_DEFAULT : ISAL_DEF_LVL1_DEFAULT);
    printf("%zu chunks, %.1f MB shuffled\n", c.n, (double)c.raw / 1e6);
    /* codec k: 0-1 libdeflate levels 1-2, 2-5 ISA-L levels 0-3, 6 zlib level 1 */
    static const char *name[7] = {"libdeflate 1", "libdeflate 2", "isa-l 0", "isa-l 1",
                                  "isa-l 2", "isa-l 3", "zlib 1"};
    for (int k = 0; k < 7; k++) {
        struct libdeflate_compressor *z = k < 2 ? libdeflate_alloc_compressor(k + 1) : NULL;
        double best = 1e30;
        size_t size = 0;
        int ok = 1;
        for (int pass = 0; pass < (k == 6 ? 2 : 5); pass++) {
            double t0 = cpu_s();
            size = 0;
            for (size_t i = 0; i < c.n; i++) {
                size_t s = k < 2   ? libdeflate_zlib_compress(z, c.data[i], c.len[i], out, cap)
                           : k < 6 ? isal(k - 2, lbuf, lsize[k - 2], c.data[i], c.len[i], out, cap)
                                   : zlib1(c.data[i], c.len[i], out, cap);
                uLongf blen = cap;
                if (pass == 0 && k >= 2 && k < 6 &&
                    (uncompress(back, &blen, out, s) != Z_OK || blen != c.len[i] ||
                     memcmp(back, c.data[i], blen) != 0))
                    ok = 0;
                size += s;
            }
            double t = cpu_s() - t0;
            best = t < best ? t : best;
        }
        printf("  %-12s %7.3f MB %7.1f ms CPU%s\n", name[k], (double)size / 1e6, 1e3 * best,
               ok ? "" : "  ROUND TRIP FAILED");
        if (z)
            libdeflate_free_compressor(z);
    }
    return 0;
}
