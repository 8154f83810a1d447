// snappy — the raw snappy format (docs/FORMAT.md "Block trailer", compression 1): compressor and decompressor,
// the native twin of src/codec/snappy.ts. Written from the format description (varint uncompressed length, then
// literal / copy-1 / copy-2 / copy-4 elements); the element layout, the compression rules and the rejection
// rules are documented in snappy.ts and pinned there: Compress gives byte-identical output to snappyCompressInto,
// and Uncompress accepts and rejects exactly the streams snappyUncompressInto does (test/codec/snappy.test.ts,
// fuzz/snappy.fuzz.ts).
//
// Uncompress never reads outside [in, in + n) nor writes outside [out, out + length) whatever the input.
// No N-API here (so the functions can be fuzzed or reused on their own). No state; safe from any thread.

#ifndef LSMKV_NATIVE_SNAPPY_H_
#define LSMKV_NATIVE_SNAPPY_H_

#include <cstddef>
#include <cstdint>

namespace lsmkv {

// Entries of the per-call hash table Compress needs (uint16 each): 2^14.
constexpr size_t kSnappyTableEntries = 1u << 14;

// The largest compressed size of n input bytes: 32 + n + n / 6.
inline uint64_t SnappyMaxCompressedLength(uint64_t n) { return 32 + n + n / 6; }

// Compresses in[0, n) into out; returns the compressed size.
// REQUIRES: out has SnappyMaxCompressedLength(n) bytes; table has kSnappyTableEntries entries; n < 2^32.
size_t SnappyCompress(const uint8_t* in, size_t n, uint8_t* out, uint16_t* table);

// Reads the stream header of in[0, n): the uncompressed length and the offset of the first element.
// False for a damaged header (longer than 5 bytes, >= 2^32, or more than 22 output bytes per remaining input byte).
bool SnappyReadHeader(const uint8_t* in, size_t n, uint32_t* length, size_t* header_size);

// Decompresses the elements in[start, n) into out[0, length). False for a damaged stream (out holds garbage).
// REQUIRES: out has `length` bytes; start <= n.
bool SnappyUncompress(const uint8_t* in, size_t start, size_t n, uint8_t* out, uint32_t length);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_SNAPPY_H_
