// args — see args.h.

#include "args.h"

#include <cmath>

namespace lsmkv {

namespace {

// A typed array of element type T (JS type `type`): its data and element count, or `mismatch`.
// One napi_get_typedarray_info call: it fails (without throwing) for anything that is not a typed array.
template <typename T>
ArgStatus GetTypedArray(const Napi::Value& value, napi_typedarray_type type, ArgStatus mismatch, const T** data,
                        size_t* size) {
  napi_typedarray_type actual;
  size_t length = 0;
  void* bytes = nullptr;
  napi_status status =
      napi_get_typedarray_info(value.Env(), value, &actual, &length, &bytes, nullptr, nullptr);
  if (status != napi_ok || actual != type) return mismatch;
  *data = static_cast<const T*>(bytes);
  *size = length;
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
  double d;
  if (napi_get_value_double(value.Env(), value, &d) != napi_ok) return ArgStatus::kNotInteger;
  if (!std::isfinite(d) || std::floor(d) != d) return ArgStatus::kNotInteger;
  if (d < min || d > max) return out_of_range;
  *out = static_cast<uint32_t>(d);
  return ArgStatus::kOk;
}

ArgStatus GetNumber(const Napi::Value& value, double min, double max, ArgStatus out_of_range, double* out) {
  double d;
  if (napi_get_value_double(value.Env(), value, &d) != napi_ok) return ArgStatus::kNotNumber;
  if (!std::isfinite(d)) return ArgStatus::kNotNumber;
  if (d < min || d > max) return out_of_range;
  *out = d;
  return ArgStatus::kOk;
}

ArgStatus GetInputAndOutput(const Napi::CallbackInfo& info, ByteSpan* in, ByteSpan* out) {
  if (info.Length() != 2) return ArgStatus::kWrongArgumentCount;
  ArgStatus s = GetBytes(info[0], in);
  return s == ArgStatus::kOk ? GetBytes(info[1], out) : s;
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
