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

struct libdeflate_compressor;

/* Bytes the checksum adds after the compressed stream. */
#define SM_CHUNK_CHECKSUM_BYTES 4

/* HDF5's Fletcher32 (H5_checksum_fletcher32): 16-bit words taken most
 * significant byte first, an odd last byte as the high half of a word. */
uint32_t sm_fletcher32(const void *data, size_t len);

/* Largest encoded size of a chunk of `bytes` plain bytes. */
size_t sm_chunk_bound(struct libdeflate_compressor *z, size_t bytes);

/* Encode n elements of es bytes from plain into out (cap bytes, at least
 * sm_chunk_bound); scratch holds n * es bytes. Returns the encoded size,
 * 0 on failure. */
size_t sm_chunk_encode(struct libdeflate_compressor *z, const unsigned char *plain, size_t n,
                       size_t es, unsigned char *scratch, unsigned char *out, size_t cap);

#endif
