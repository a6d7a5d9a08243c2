// The zip container is read from its central directory (the only reliable source of sizes:
// numpy writes its local headers with zip64 placeholders); deflated entries are inflated with
// zlib, which HDF5 already brings along.
#include "otae/data/npz.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>

#include "otae/base/error.hpp"
#include "text_file_checks.hpp"

namespace otae::data {
namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndLocator = 0x07064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint16_t kZip64Extra = 0x0001;
constexpr uint16_t kStored = 0, kDeflated = 8;
constexpr std::size_t kEndRecordSize = 22, kMaxComment = 65535;

using Bytes = std::vector<unsigned char>;

uint64_t little_endian(const unsigned char* p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

Bytes read_bytes(std::ifstream& in, uint64_t offset, uint64_t count, const std::string& path) {
  Bytes bytes(count);
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count));
  if (static_cast<uint64_t>(in.gcount()) != count)
    throw IoError(path + ": the archive is truncated (cannot read " + std::to_string(count) + " bytes at offset " +
                  std::to_string(offset) + ")");
  return bytes;
}

struct Entry {
  std::string name;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed_size = 0, size = 0, local_header_offset = 0;
};

// Sizes and offset saturated at 0xFFFFFFFF live in the zip64 extra field, in this order.
void apply_zip64_extra(Entry& entry, const unsigned char* extra, std::size_t length) {
  for (std::size_t at = 0; at + 4 <= length;) {
    const uint16_t id = little_endian(extra + at, 2), size = little_endian(extra + at + 2, 2);
    if (id == kZip64Extra) {
      const unsigned char* field = extra + at + 4;
      for (uint64_t* value : {&entry.size, &entry.compressed_size, &entry.local_header_offset})
        if (*value == 0xFFFFFFFFu && field + 8 <= extra + at + 4 + size) {
          *value = little_endian(field, 8);
          field += 8;
        }
    }
    at += 4 + size;
  }
}

// Offset and size of the central directory, from the end-of-central-directory record.
std::pair<uint64_t, uint64_t> find_directory(std::ifstream& in, const std::string& path) {
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  const uint64_t tail = std::min<uint64_t>(file_size, kEndRecordSize + kMaxComment);
  const Bytes end = read_bytes(in, file_size - tail, tail, path);
  for (std::size_t at = tail >= kEndRecordSize ? tail - kEndRecordSize + 1 : 0; at-- > 0;) {
    if (little_endian(&end[at], 4) != kEndOfDirectory) continue;
    uint64_t size = little_endian(&end[at + 12], 4), offset = little_endian(&end[at + 16], 4);
    if (offset == 0xFFFFFFFFu && at >= 20 && little_endian(&end[at - 20], 4) == kZip64EndLocator) {
      const Bytes record = read_bytes(in, little_endian(&end[at - 20 + 8], 8), 56, path);
      size = little_endian(&record[40], 8);
      offset = little_endian(&record[48], 8);
    }
    return {offset, size};
  }
  throw IoError(path + ": not an .npz (zip) archive, or a truncated one (no end-of-directory record)");
}

std::vector<Entry> read_directory(std::ifstream& in, const std::string& path) {
  const auto [offset, size] = find_directory(in, path);
  const Bytes directory = read_bytes(in, offset, size, path);
  std::vector<Entry> entries;
  for (std::size_t at = 0; at + 46 <= directory.size() && little_endian(&directory[at], 4) == kDirectoryEntry;) {
    const unsigned char* p = &directory[at];
    Entry entry;
    entry.method = little_endian(p + 10, 2);
    entry.crc = little_endian(p + 16, 4);
    entry.compressed_size = little_endian(p + 20, 4);
    entry.size = little_endian(p + 24, 4);
    entry.local_header_offset = little_endian(p + 42, 4);
    const std::size_t name_length = little_endian(p + 28, 2), extra_length = little_endian(p + 30, 2),
                      comment_length = little_endian(p + 32, 2);
    if (at + 46 + name_length + extra_length > directory.size()) break;
    entry.name.assign(reinterpret_cast<const char*>(p + 46), name_length);
    apply_zip64_extra(entry, p + 46 + name_length, extra_length);
    entries.push_back(entry);
    at += 46 + name_length + extra_length + comment_length;
  }
  return entries;
}

Bytes inflate_raw(const Bytes& compressed, uint64_t size, const std::string& where) {
  Bytes out(size);
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw IoError(where + ": zlib cannot start inflating");
  stream.next_in = const_cast<unsigned char*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(size);
  const int status = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  if (status != Z_STREAM_END || stream.total_out != size)
    throw IoError(where + ": the compressed data is corrupt (zlib: " + (stream.msg ? stream.msg : "wrong size") + ")");
  return out;
}

Bytes checked(Bytes bytes, const Entry& entry, const std::string& where) {
  if (crc32_z(0L, bytes.data(), bytes.size()) != entry.crc)
    throw IoError(where + ": the data is corrupt (CRC-32 mismatch)");
  return bytes;
}

Bytes entry_bytes(std::ifstream& in, const Entry& entry, const std::string& path, const std::string& where) {
  const Bytes header = read_bytes(in, entry.local_header_offset, 30, path);
  if (little_endian(header.data(), 4) != kLocalHeader) throw IoError(where + ": corrupt archive (bad local header)");
  const uint64_t data_offset =
      entry.local_header_offset + 30 + little_endian(&header[26], 2) + little_endian(&header[28], 2);
  const Bytes stored = read_bytes(in, data_offset, entry.compressed_size, path);
  if (entry.method == kStored) return checked(stored, entry, where);
  if (entry.method == kDeflated) {
    // One inflate call takes 32-bit counts; larger entries would need inflating in pieces.
    if (entry.compressed_size > 0xFFFFFFFFu || entry.size > 0xFFFFFFFFu)
      throw IoError(where + ": compressed entries above 4 GiB are not supported; save the array with numpy.savez");
    return checked(inflate_raw(stored, entry.size, where), entry, where);
  }
  throw IoError(where + ": compression method " + std::to_string(entry.method) +
                " is not supported (only stored and deflate, as numpy writes)");
}

// The dtype of an .npy 'descr' such as '<f4'; `swap` when its byte order is not the machine's.
at::ScalarType npy_dtype(const std::string& descr, bool& swap, const std::string& where) {
  static const std::map<std::string, at::ScalarType> kTypes = {
      {"f4", at::kFloat}, {"f8", at::kDouble}, {"i8", at::kLong}, {"i4", at::kInt}, {"i2", at::kShort},
      {"i1", at::kChar},  {"u1", at::kByte},   {"b1", at::kBool}};
  const auto found = descr.size() == 3 ? kTypes.find(descr.substr(1)) : kTypes.end();
  if (found == kTypes.end())
    throw IoError(where + ": dtype '" + descr + "' is not supported (float32/64, int8/16/32/64, uint8, bool)");
  swap = descr[0] == '>' && at::elementSize(found->second) > 1;
  return found->second;
}

struct NpyHeader {
  at::ScalarType dtype = at::kFloat;
  bool swap = false;     // stored in the other byte order
  bool fortran = false;  // stored with the first axis fastest
  std::vector<int64_t> sizes;
  std::size_t data_offset = 0;
};

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
NpyHeader parse_npy_header(const Bytes& bytes, const std::string& where) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    throw IoError(where + ": not an .npy array (no \\x93NUMPY magic)");
  const std::size_t length_bytes = bytes[6] == 1 ? 2 : 4, start = 8 + length_bytes;
  const std::size_t header_length = little_endian(&bytes[8], static_cast<int>(length_bytes));
  if (start + header_length > bytes.size()) throw IoError(where + ": the .npy header is truncated");
  const std::string text(reinterpret_cast<const char*>(&bytes[start]), header_length);
  std::smatch descr, order, shape;
  const bool parsed = std::regex_search(text, descr, std::regex("'descr':\\s*'([^']*)'")) &&
                      std::regex_search(text, order, std::regex("'fortran_order':\\s*(True|False)")) &&
                      std::regex_search(text, shape, std::regex("'shape':\\s*\\(([^)]*)\\)"));
  if (!parsed) throw IoError(where + ": the .npy header cannot be parsed: " + text);
  NpyHeader header;
  header.dtype = npy_dtype(descr[1], header.swap, where);
  header.fortran = order[1] == "True";
  const std::string dims = shape[1];
  const std::regex number("\\d+");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it)
    header.sizes.push_back(std::stoll(it->str()));
  header.data_offset = start + header_length;
  return header;
}

at::Tensor parse_npy(const Bytes& bytes, const std::string& where) {
  const NpyHeader header = parse_npy_header(bytes, where);
  std::vector<int64_t> stored_sizes(header.sizes);
  if (header.fortran) std::reverse(stored_sizes.begin(), stored_sizes.end());
  at::Tensor values = at::empty(stored_sizes, at::TensorOptions().dtype(header.dtype));
  const std::size_t width = values.element_size(), data_bytes = static_cast<std::size_t>(values.numel()) * width;
  if (header.data_offset + data_bytes > bytes.size())
    throw IoError(where + ": the array data is truncated (shape " + c10::str(at::IntArrayRef(header.sizes)) + ")");
  auto* out = static_cast<unsigned char*>(values.data_ptr());
  std::memcpy(out, &bytes[header.data_offset], data_bytes);
  if (header.swap)
    for (std::size_t i = 0; i < data_bytes; i += width) std::reverse(out + i, out + i + width);
  if (!header.fortran) return values;
  std::vector<int64_t> reversed_axes(header.sizes.size());
  for (std::size_t axis = 0; axis < reversed_axes.size(); ++axis)
    reversed_axes[axis] = static_cast<int64_t>(reversed_axes.size() - 1 - axis);
  return values.permute(reversed_axes).contiguous();
}

std::string array_name(const Entry& entry) {
  const std::string& name = entry.name;
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0 ? name.substr(0, name.size() - 4) : name;
}

}  // namespace

std::vector<std::string> list_npz_arrays(const std::string& path) {
  detail::require_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> names;
  for (const Entry& entry : read_directory(in, path)) names.push_back(array_name(entry));
  return names;
}

at::Tensor read_npz_array(const std::string& path, const std::string& name) {
  detail::require_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  const std::vector<Entry> entries = read_directory(in, path);
  const std::string where = path + ": array '" + name + "'";
  for (const Entry& entry : entries)
    if (array_name(entry) == name) return parse_npy(entry_bytes(in, entry, path, where), where);
  std::string known;
  for (const Entry& entry : entries) known += (known.empty() ? "" : ", ") + array_name(entry);
  throw IoError(where + ": no such array (the archive holds: " + (known.empty() ? "nothing" : known) + ")");
}

at::Tensor read_npy(const std::string& path) {
  detail::require_readable_file(path);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in.tellg();
  return parse_npy(read_bytes(in, 0, static_cast<uint64_t>(size), path), path);
}

}  // namespace otae::data
