// args — see args.h.

#include "args.h"

#include <cmath>

namespace lsmkv {

namespace {

// A typed array of element type T (JS type `type`): its data and element count, or `mismatch`.
template <typename T>
ArgStatus GetTypedArray(const Napi::Value& value, napi_typedarray_type type, ArgStatus mismatch, const T** data,
                        size_t* size) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) return mismatch;
  Napi::TypedArrayOf<T> array = value.As<Napi::TypedArrayOf<T>>();
  *data = array.Data();
  *size = array.ElementLength();
  return ArgStatus::kOk;
}

}  // namespace

ArgStatus GetBytes(const Napi::Value& value, ByteSpan* out) {
  return GetTypedArray<uint8_t>(value, napi_uint8_array, ArgStatus::kNotUint8Array, &out->data, &out->size);
}

ArgStatus GetOffsets(const Napi::Value& value, OffsetSpan* out) {
  return GetTypedArray<uint32_t>(value, napi_uint32_array, ArgStatus::kNotUint32Array, &out->data, &out->size);
}

ArgStatus GetInteger(const Napi::Value& value, double min, double max, ArgStatus out_of_range, uint32_t* out) {
  if (!value.IsNumber()) return ArgStatus::kNotInteger;
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d) return ArgStatus::kNotInteger;
  if (d < min || d > max) return out_of_range;
  *out = static_cast<uint32_t>(d);
  return ArgStatus::kOk;
}

ArgStatus GetNumber(const Napi::Value& value, double min, double max, ArgStatus out_of_range, double* out) {
  if (!value.IsNumber()) return ArgStatus::kNotNumber;
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) return ArgStatus::kNotNumber;
  if (d < min || d > max) return out_of_range;
  *out = d;
  return ArgStatus::kOk;
}

ArgStatus CheckOffsets(const OffsetSpan& offsets, uint32_t count, const ByteSpan& bytes) {
  if (offsets.size < static_cast<size_t>(count) + 1) return ArgStatus::kOffsetsTooShort;
  for (uint32_t i = 0; i < count; i++) {
    if (offsets.data[i + 1] < offsets.data[i]) return ArgStatus::kBadOffsets;
  }
  if (offsets.data[count] > bytes.size) return ArgStatus::kBadOffsets;
  return ArgStatus::kOk;
}

}  // namespace lsmkv
