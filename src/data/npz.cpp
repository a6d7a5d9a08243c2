// The zip container is read and written with libzip (stored and deflated entries, zip64 for large
// arrays, the CRC checked); the .npy format inside is parsed and written here.
#include "otae/data/npz.hpp"

#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/data/hdf5.hpp"
#include "text_file_checks.hpp"

namespace otae::data {
namespace {

using Bytes = std::vector<unsigned char>;

uint64_t little_endian(const unsigned char* p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

/// libzip's text for one of its error codes.
std::string zip_reason(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string reason = zip_error_strerror(&error);
  zip_error_fini(&error);
  return reason;
}

using Archive = std::unique_ptr<zip_t, decltype(&zip_discard)>;

/// Opens an .npz archive for reading. Throws IoError naming the file when it is missing or not
/// a (complete) zip archive.
Archive open_archive(const std::string& path) {
  detail::require_readable_file(path);
  int code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (archive == nullptr)
    throw IoError(path + ": not an .npz (zip) archive, or a truncated one (libzip: " + zip_reason(code) + ")");
  return Archive(archive, &zip_discard);
}

/// The entry names, in archive order.
std::vector<std::string> entry_names(zip_t* archive, const std::string& path) {
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* name = zip_get_name(archive, static_cast<zip_uint64_t>(i), 0);
    if (name == nullptr) throw IoError(path + ": corrupt archive (libzip: " + zip_strerror(archive) + ")");
    names.emplace_back(name);
  }
  return names;
}

/// The uncompressed bytes of entry `index`, their CRC-32 checked by libzip.
Bytes entry_bytes(zip_t* archive, zip_uint64_t index, const std::string& where) {
  zip_stat_t stat;
  if (zip_stat_index(archive, index, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE))
    throw IoError(where + ": corrupt archive (libzip: " + zip_strerror(archive) + ")");
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen_index(archive, index, 0), &zip_fclose);
  if (!file) throw IoError(where + ": cannot be read (libzip: " + zip_strerror(archive) + ")");
  Bytes bytes(stat.size);
  const auto fail = [&](const std::string& reason) {
    throw IoError(where + ": the data is corrupt or truncated (libzip: " + reason + ")");
  };
  for (zip_uint64_t done = 0; done < stat.size;) {
    const zip_int64_t read = zip_fread(file.get(), bytes.data() + done, stat.size - done);
    if (read < 0) fail(zip_file_strerror(file.get()));
    if (read == 0) fail("the entry ends early");
    done += static_cast<zip_uint64_t>(read);
  }
  // libzip compares the CRC-32 when a read reaches the end of the entry, so read once more.
  unsigned char beyond = 0;
  const zip_int64_t rest = zip_fread(file.get(), &beyond, 1);
  if (rest < 0) fail(zip_file_strerror(file.get()));
  if (rest > 0) fail("the entry is longer than its stated size");
  return bytes;
}

// The dtypes of .npy files that otae reads and writes, by numpy's type code ('f4' of '<f4').
const std::map<std::string, at::ScalarType>& npy_types() {
  static const std::map<std::string, at::ScalarType> kTypes = {
      {"f4", at::kFloat}, {"f8", at::kDouble}, {"i8", at::kLong}, {"i4", at::kInt}, {"i2", at::kShort},
      {"i1", at::kChar},  {"u1", at::kByte},   {"b1", at::kBool}};
  return kTypes;
}

const char* const kSupportedDtypes = "float32/64, int8/16/32/64, uint8, bool";

// The dtype of an .npy 'descr' such as '<f4'; `swap` when its byte order is not the machine's.
at::ScalarType npy_dtype(const std::string& descr, bool& swap, const std::string& where) {
  const auto found = descr.size() == 3 ? npy_types().find(descr.substr(1)) : npy_types().end();
  if (found == npy_types().end())
    throw IoError(where + ": dtype '" + descr + "' is not supported (" + kSupportedDtypes + ")");
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

// numpy's 'descr' of a dtype: '<f4' (little-endian, as the machines otae runs on), or '|u1' for
// single bytes, which have no byte order.
std::string npy_descr(at::ScalarType dtype, const std::string& where) {
  for (const auto& [code, type] : npy_types())
    if (type == dtype) return (at::elementSize(dtype) == 1 ? "|" : "<") + code;
  throw IoError(where + ": dtype " + dtype_name(dtype) + " cannot be written (" + kSupportedDtypes + ")");
}

// An .npy file (format 1.0) of a CPU tensor: the header dict, padded with spaces to a multiple of
// 64 bytes as numpy pads it (so that the data is aligned) and ended by '\n', then the data in C order.
Bytes npy_bytes(const at::Tensor& values, const std::string& where) {
  const at::Tensor data = values.contiguous();
  std::string shape;
  for (int64_t axis = 0; axis < data.dim(); ++axis) shape += (axis ? ", " : "") + std::to_string(data.size(axis));
  if (data.dim() == 1) shape += ",";  // a Python tuple of one
  std::string header =
      "{'descr': '" + npy_descr(data.scalar_type(), where) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  constexpr std::size_t kPreamble = 10;  // magic, version, header length
  header.append((64 - (kPreamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  Bytes bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(header.size() & 0xff),
                 static_cast<unsigned char>(header.size() >> 8)};
  bytes.insert(bytes.end(), header.begin(), header.end());
  const auto* first = static_cast<const unsigned char*>(data.data_ptr());
  bytes.insert(bytes.end(), first, first + data.numel() * data.element_size());
  return bytes;
}

// Adds `bytes` as the deflated entry `name`; the archive reads them when it is closed.
void add_entry(zip_t* archive, const std::string& name, const Bytes& bytes, const std::string& where) {
  zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
  const zip_int64_t index = source == nullptr ? -1 : zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0 && source != nullptr) zip_source_free(source);  // not taken by the archive
  if (index < 0 || zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 0) != 0)
    throw IoError(where + ": cannot be added to the archive (libzip: " + zip_strerror(archive) + ")");
}

std::string array_name(const std::string& entry) {
  return entry.size() > 4 && entry.compare(entry.size() - 4, 4, ".npy") == 0 ? entry.substr(0, entry.size() - 4) : entry;
}

}  // namespace

std::vector<std::string> list_npz_arrays(const std::string& path) {
  const Archive archive = open_archive(path);
  std::vector<std::string> names;
  for (const std::string& entry : entry_names(archive.get(), path)) names.push_back(array_name(entry));
  return names;
}

at::Tensor read_npz_array(const std::string& path, const std::string& name) {
  const Archive archive = open_archive(path);
  const std::vector<std::string> entries = entry_names(archive.get(), path);
  const std::string where = path + ": array '" + name + "'";
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (array_name(entries[i]) == name) return parse_npy(entry_bytes(archive.get(), i, where), where);
  std::string known;
  for (const std::string& entry : entries) known += (known.empty() ? "" : ", ") + array_name(entry);
  throw IoError(where + ": no such array (the archive holds: " + (known.empty() ? "nothing" : known) + ")");
}

at::Tensor read_npy(const std::string& path) {
  detail::require_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  const Bytes bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw IoError(path + ": cannot be read");
  return parse_npy(bytes, path);
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& arrays) {
  std::vector<Bytes> contents;  // kept until zip_close has read them
  std::set<std::string> names;
  for (const auto& [name, values] : arrays) {
    const std::string where = path + ": array '" + name + "'";
    if (name.empty()) throw IoError(path + ": an array has an empty name");
    if (!names.insert(name).second) throw IoError(where + ": the name is given twice");
    contents.push_back(npy_bytes(values.cpu(), where));
  }
  write_atomically(path, [&](const std::string& temporary) {
    int code = 0;
    Archive archive(zip_open(temporary.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code), &zip_discard);
    if (!archive) throw IoError(path + ": cannot be written (libzip: " + zip_reason(code) + ")");
    for (std::size_t i = 0; i < arrays.size(); ++i)
      add_entry(archive.get(), arrays[i].first + ".npy", contents[i], path + ": array '" + arrays[i].first + "'");
    if (zip_close(archive.get()) != 0)
      throw IoError(path + ": cannot be written (libzip: " + zip_strerror(archive.get()) + ")");
    archive.release();  // zip_close freed it
  });
}

}  // namespace otae::data
