/* One chunk of a results variable in HDF5's own stored form, made without
 * HDF5: shuffle, deflate (zlib stream), then the Fletcher32 checksum, the
 * filter pipeline every chunked dataset of a results file declares
 * (docs/RESULTS.md). Solver threads encode their block's chunks in
 * parallel and the writer stores the bytes with H5Dwrite_chunk, so any
 * HDF5 reader (h5py, h5dump, netCDF) decodes and checks them. */
#ifndef SM_H5_CHUNK_H
#define SM_H5_CHUNK_H

#include <stddef.h>
#include <stdint.h>

/* A thread's deflate compressor (zlib streams at SM_H5_DEFLATE_LEVEL):
 * Intel's ISA-L (igzip) where the build found it, else libdeflate. Both
 * write the stream every zlib inflater reads; ISA-L's level 1 is four to
 * five times libdeflate's level 1 on these chunks, and smaller on
 * china_grid (bench/README.md, "Outside the simplex and compression"). */
typedef struct sm_chunk_coder sm_chunk_coder;

/* NULL when out of memory. */
sm_chunk_coder *sm_chunk_coder_new(void);
void sm_chunk_coder_free(sm_chunk_coder *z);

/* "isal" or "libdeflate": which compressor the build uses. */
const char *sm_chunk_coder_name(void);

/* Bytes the checksum adds after the compressed stream. */
#define SM_CHUNK_CHECKSUM_BYTES 4

/* HDF5's Fletcher32 (H5_checksum_fletcher32): 16-bit words taken most
 * significant byte first, an odd last byte as the high half of a word. */
uint32_t sm_fletcher32(const void *data, size_t len);

/* Largest encoded size of a chunk of `bytes` plain bytes. */
size_t sm_chunk_bound(sm_chunk_coder *z, size_t bytes);

/* Encode n elements of es bytes from plain into out (cap bytes, at least
 * sm_chunk_bound); scratch holds n * es bytes. Returns the encoded size,
 * 0 on failure. */
size_t sm_chunk_encode(sm_chunk_coder *z, const unsigned char *plain, size_t n,
                       size_t es, unsigned char *scratch, unsigned char *out, size_t cap);

#endif
