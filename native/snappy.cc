// snappy — see snappy.h; the rules are documented once, in src/codec/snappy.ts.

#include "snappy.h"

#include <cstring>

namespace lsmkv {

namespace {

constexpr size_t kFragmentBytes = 65536;
constexpr int kMinTableBits = 8;
constexpr int kMaxTableBits = 14;
constexpr uint32_t kHashMul = 0x1e35a7bdu;
constexpr size_t kInputMargin = 15;
constexpr uint64_t kMaxExpansion = 22;

inline uint32_t Load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

inline uint32_t Hash(uint32_t word, int shift) { return (word * kHashMul) >> shift; }

inline uint8_t* PutLiteral(const uint8_t* src, size_t len, uint8_t* op) {
  uint32_t n = static_cast<uint32_t>(len - 1);
  if (n < 60) {
    *op++ = static_cast<uint8_t>(n << 2);
  } else {
    int extra = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    *op++ = static_cast<uint8_t>((59 + extra) << 2);
    for (int i = 0; i < extra; i++) *op++ = static_cast<uint8_t>(n >> (8 * i));
  }
  std::memcpy(op, src, len);
  return op + len;
}

inline uint8_t* PutCopy2(uint8_t* op, uint32_t offset, uint32_t len) {
  op[0] = static_cast<uint8_t>(((len - 1) << 2) | 2);
  op[1] = static_cast<uint8_t>(offset);
  op[2] = static_cast<uint8_t>(offset >> 8);
  return op + 3;
}

// REQUIRES: 1 <= offset < 65536, len >= 4.
inline uint8_t* PutCopy(uint8_t* op, uint32_t offset, size_t len) {
  while (len >= 68) {
    op = PutCopy2(op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = PutCopy2(op, offset, 60);
    len -= 60;
  }
  if (len <= 11 && offset < 2048) {
    op[0] = static_cast<uint8_t>(((offset >> 8) << 5) | ((len - 4) << 2) | 1);
    op[1] = static_cast<uint8_t>(offset);
    return op + 2;
  }
  return PutCopy2(op, offset, static_cast<uint32_t>(len));
}

// Compresses one fragment src[0, len) (len <= kFragmentBytes) to op; returns the new op.
uint8_t* CompressFragment(const uint8_t* src, size_t len, uint8_t* op, uint16_t* table) {
  int bits = kMinTableBits;
  while (bits < kMaxTableBits && (size_t{1} << bits) < len) bits++;
  const int shift = 32 - bits;
  std::memset(table, 0, sizeof(uint16_t) << bits);
  const uint8_t* end = src + len;
  const uint8_t* next_emit = src;
  if (len >= kInputMargin) {
    const uint8_t* ip_limit = end - kInputMargin;
    const uint8_t* ip = src + 1;
    uint32_t next_hash = Hash(Load32(ip), shift);
    for (;;) {
      uint32_t skip = 32;
      const uint8_t* next_ip = ip;
      const uint8_t* candidate;
      uint32_t word;
      do {
        ip = next_ip;
        uint32_t h = next_hash;
        next_ip = ip + (skip >> 5);
        skip++;
        if (next_ip > ip_limit) goto remainder;
        candidate = src + table[h];
        word = Load32(ip);
        next_hash = Hash(Load32(next_ip), shift);
        table[h] = static_cast<uint16_t>(ip - src);
      } while (word != Load32(candidate));
      op = PutLiteral(next_emit, static_cast<size_t>(ip - next_emit), op);
      for (;;) {
        const uint8_t* base = ip;
        const uint8_t* a = candidate + 4;
        ip += 4;
        while (ip < end && *ip == *a) {
          ip++;
          a++;
        }
        op = PutCopy(op, static_cast<uint32_t>(base - candidate), static_cast<size_t>(ip - base));
        next_emit = ip;
        if (ip >= ip_limit) goto remainder;
        table[Hash(Load32(ip - 1), shift)] = static_cast<uint16_t>(ip - 1 - src);
        word = Load32(ip);
        uint32_t h = Hash(word, shift);
        candidate = src + table[h];
        table[h] = static_cast<uint16_t>(ip - src);
        if (word != Load32(candidate)) break;
      }
      ip++;
      next_hash = Hash(Load32(ip), shift);
    }
  }
remainder:
  if (next_emit < end) op = PutLiteral(next_emit, static_cast<size_t>(end - next_emit), op);
  return op;
}

}  // namespace

size_t SnappyCompress(const uint8_t* in, size_t n, uint8_t* out, uint16_t* table) {
  uint8_t* op = out;
  uint64_t v = n;
  while (v >= 0x80) {
    *op++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *op++ = static_cast<uint8_t>(v);
  for (size_t p = 0; p < n; p += kFragmentBytes) {
    size_t len = n - p < kFragmentBytes ? n - p : kFragmentBytes;
    op = CompressFragment(in + p, len, op, table);
  }
  return static_cast<size_t>(op - out);
}

bool SnappyReadHeader(const uint8_t* in, size_t n, uint32_t* length, size_t* header_size) {
  uint64_t v = 0;
  for (size_t i = 0; i < 5; i++) {
    if (i >= n) return false;
    uint64_t b = in[i];
    v |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      if (v > 0xffffffffu || v > kMaxExpansion * (n - i - 1)) return false;
      *length = static_cast<uint32_t>(v);
      *header_size = i + 1;
      return true;
    }
  }
  return false;
}

bool SnappyUncompress(const uint8_t* in, size_t start, size_t n, uint8_t* out, uint32_t length) {
  const uint8_t* ip = in + start;
  const uint8_t* end = in + n;
  uint8_t* op = out;
  uint8_t* op_end = out + length;
  while (ip < end) {
    uint32_t tag = *ip++;
    uint32_t kind = tag & 3;
    uint64_t len;
    if (kind == 0) {
      len = tag >> 2;
      if (len >= 60) {
        size_t extra = static_cast<size_t>(len - 59);
        if (extra > static_cast<size_t>(end - ip)) return false;
        len = 0;
        for (size_t i = 0; i < extra; i++) len |= static_cast<uint64_t>(ip[i]) << (8 * i);
        ip += extra;
      }
      len += 1;
      if (len > static_cast<uint64_t>(end - ip) || len > static_cast<uint64_t>(op_end - op)) return false;
      std::memcpy(op, ip, static_cast<size_t>(len));
      ip += len;
      op += len;
      continue;
    }
    uint64_t offset;
    if (kind == 1) {
      if (ip >= end) return false;
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | *ip++;
    } else if (kind == 2) {
      if (end - ip < 2) return false;
      len = (tag >> 2) + 1;
      offset = static_cast<uint64_t>(ip[0]) | (static_cast<uint64_t>(ip[1]) << 8);
      ip += 2;
    } else {
      if (end - ip < 4) return false;
      len = (tag >> 2) + 1;
      offset = Load32(ip);
      ip += 4;
    }
    if (offset == 0 || offset > static_cast<uint64_t>(op - out) || len > static_cast<uint64_t>(op_end - op)) {
      return false;
    }
    const uint8_t* from = op - offset;
    if (offset >= len) {
      std::memcpy(op, from, static_cast<size_t>(len));
    } else {
      for (uint64_t i = 0; i < len; i++) op[i] = from[i];
    }
    op += len;
  }
  return op == op_end;
}

}  // namespace lsmkv
