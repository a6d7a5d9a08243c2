// HDF5 I/O through the C API: datasets into tensors, attributes into text, and writes that go
// through write_atomically (base/files.hpp) so that readers never see a half-written file.
#include "otae/data/hdf5.hpp"

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"

namespace otae::data {
namespace {

// Target size of one compressed chunk: large enough for gzip to work well, small enough that
// reading a few rows does not inflate the whole file.
constexpr hsize_t kChunkBytes = hsize_t{1} << 20;
constexpr unsigned kGzipLevel = 4;

// Owns one HDF5 identifier and closes it with the matching H5?close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  ~Handle() { close(); }

  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now; a negative status means buffered data may not have reached the file.
  herr_t close() {
    const herr_t status = id_ >= 0 ? closer_(id_) : 0;
    id_ = -1;
    return status;
  }

 private:
  hid_t id_;
  Closer closer_;
};

// HDF5 prints its whole error stack to stderr by default; otae reports one line instead.
void silence_hdf5_errors() {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
}

// The most specific message on HDF5's error stack (e.g. "truncated file: eof = 9216, …").
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* error, void* data) -> herr_t {
        if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(data) = error->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? "no detail from HDF5" : reason;
}

[[noreturn]] void fail(const std::string& path, const std::string& dataset,
                       const std::string& problem) {
  std::string where = path;
  if (!dataset.empty()) where += ": dataset '" + dataset + "'";
  throw IoError(where + ": " + problem);
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) text += (i ? separator : "") + items[i];
  return text;
}

std::string shape_text(at::IntArrayRef shape) {
  std::vector<std::string> sizes;
  for (const int64_t n : shape) sizes.push_back(std::to_string(n));
  return "[" + join(sizes, ", ") + "]";
}

Handle open_for_reading(const std::string& path) {
  silence_hdf5_errors();
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) fail(path, "", "no such file");
  if (std::filesystem::is_directory(path, ignored)) fail(path, "", "is a directory, not an HDF5 file");
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) fail(path, "", "not an HDF5 file (no HDF5 signature found)");
  if (is_hdf5 < 0) fail(path, "", "cannot be read (HDF5: " + hdf5_reason() + ")");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) fail(path, "", "cannot be opened; the file is truncated or corrupt (HDF5: " + hdf5_reason() + ")");
  return Handle(file, H5Fclose);
}

std::vector<std::string> dataset_names(hid_t file, const std::string& path) {
  std::vector<std::string> names;
  const auto visit = [](hid_t group, const char* name, const H5L_info_t* info, void* data) -> herr_t {
    if (info->type != H5L_TYPE_HARD) return 0;
    const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
    if (object < 0) return -1;
    if (H5Iget_type(object) == H5I_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(name);
    H5Oclose(object);
    return 0;
  };
  if (H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &names) < 0)
    fail(path, "", "cannot list its datasets; the file is corrupt (HDF5: " + hdf5_reason() + ")");
  std::sort(names.begin(), names.end());
  return names;
}

Handle open_dataset(hid_t file, const std::string& path, const std::string& dataset) {
  const std::vector<std::string> names = dataset_names(file, path);
  if (std::find(names.begin(), names.end(), dataset) == names.end())
    fail(path, dataset, "no such dataset (the file holds: " + (names.empty() ? "nothing" : join(names, ", ")) + ")");
  const hid_t id = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  if (id < 0) fail(path, dataset, "cannot be opened (HDF5: " + hdf5_reason() + ")");
  return Handle(id, H5Dclose);
}

// A numpy-style name for an HDF5 type, for messages about unsupported dtypes.
std::string describe_type(hid_t type) {
  const std::size_t bits = 8 * H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT: return "float" + std::to_string(bits);
    case H5T_STRING: return "string";
    case H5T_ENUM: return "enum (e.g. numpy bool)";
    case H5T_COMPOUND: return "compound (e.g. complex or a record)";
    default: return "an HDF5 type that is not a number";
  }
}

// The tensor dtype that holds a stored dataset exactly.
at::ScalarType tensor_dtype(hid_t type, const std::string& path, const std::string& dataset) {
  const std::size_t size = H5Tget_size(type);
  const H5T_class_t type_class = H5Tget_class(type);
  if (type_class == H5T_FLOAT && size == 4) return at::kFloat;
  if (type_class == H5T_FLOAT && size == 8) return at::kDouble;
  if (type_class == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) != H5T_SGN_NONE;
    if (!is_signed && size == 1) return at::kByte;
    if (is_signed && size == 1) return at::kChar;
    if (is_signed && size == 2) return at::kShort;
    if (is_signed && size == 4) return at::kInt;
    if (is_signed && size == 8) return at::kLong;
  }
  fail(path, dataset, "has dtype " + describe_type(type) +
                          ", expected float32, float64, int64, int32, int16, int8 or uint8");
}

hid_t native_type(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat: return H5T_NATIVE_FLOAT;
    case at::kDouble: return H5T_NATIVE_DOUBLE;
    case at::kLong: return H5T_NATIVE_INT64;
    case at::kInt: return H5T_NATIVE_INT32;
    case at::kShort: return H5T_NATIVE_INT16;
    case at::kChar: return H5T_NATIVE_INT8;
    case at::kByte: return H5T_NATIVE_UINT8;
    default: return -1;
  }
}

std::vector<hsize_t> extent(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::vector<std::string> read_strings(hid_t attribute, hid_t type, std::size_t count) {
  std::vector<std::string> texts;
  if (H5Tis_variable_str(type) > 0) {
    Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory, H5T_VARIABLE);
    H5Tset_cset(memory, H5Tget_cset(type));
    std::vector<char*> buffer(std::max<std::size_t>(count, 1), nullptr);
    if (H5Aread(attribute, memory, buffer.data()) < 0) return {};
    for (std::size_t i = 0; i < count; ++i) texts.emplace_back(buffer[i] ? buffer[i] : "");
    Handle space(H5Aget_space(attribute), H5Sclose);
    H5Dvlen_reclaim(memory, space, H5P_DEFAULT, buffer.data());
    return texts;
  }
  const std::size_t width = H5Tget_size(type);
  std::vector<char> buffer(std::max<std::size_t>(count * width, 1), '\0');
  if (H5Aread(attribute, type, buffer.data()) < 0) return {};
  const bool space_padded = H5Tget_strpad(type) == H5T_STR_SPACEPAD;
  for (std::size_t i = 0; i < count; ++i) {
    std::string text(buffer.data() + i * width, width);
    text.resize(std::min(text.find('\0'), text.size()));
    if (space_padded) text.erase(text.find_last_not_of(' ') + 1);
    texts.push_back(text);
  }
  return texts;
}

std::vector<std::string> read_numbers(hid_t attribute, hid_t type, std::size_t count) {
  std::vector<std::string> texts;
  if (H5Tget_class(type) == H5T_INTEGER) {
    std::vector<long long> values(std::max<std::size_t>(count, 1));
    if (H5Aread(attribute, H5T_NATIVE_LLONG, values.data()) < 0) return {};
    for (std::size_t i = 0; i < count; ++i) texts.push_back(std::to_string(values[i]));
  } else {
    std::vector<double> values(std::max<std::size_t>(count, 1));
    if (H5Aread(attribute, H5T_NATIVE_DOUBLE, values.data()) < 0) return {};
    for (std::size_t i = 0; i < count; ++i) texts.push_back(shortest_decimal(values[i]));
  }
  return texts;
}

// One attribute as text, element by element; `is_list` when it is an array rather than a scalar.
struct AttributeText {
  std::vector<std::string> elements;
  bool is_list = false;
  bool readable = true;
};

AttributeText read_attribute(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attribute), H5Tclose);
  Handle space(H5Aget_space(attribute), H5Sclose);
  AttributeText text;
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  text.is_list = H5Sget_simple_extent_type(space) == H5S_SIMPLE;
  if (count <= 0 || H5Sget_simple_extent_type(space) == H5S_NULL) return text;
  const H5T_class_t type_class = H5Tget_class(type);
  if (type_class == H5T_STRING) {
    text.elements = read_strings(attribute, type, count);
  } else if (type_class == H5T_INTEGER || type_class == H5T_FLOAT) {
    text.elements = read_numbers(attribute, type, count);
  } else {
    text.elements = {"(" + describe_type(type) + ", not shown)"};
  }
  text.readable = !text.elements.empty();
  return text;
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  hsize_t index = 0;
  H5Aiterate2(
      object, H5_INDEX_NAME, H5_ITER_INC, &index,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &names);
  return names;
}

// Calls `take(name, text)` for each attribute of the root group or of `dataset`.
template <typename Take>
void for_each_attribute(const std::string& path, const std::string& dataset, Take take) {
  const Handle file = open_for_reading(path);
  const Handle object = dataset.empty() ? Handle(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose)
                                        : open_dataset(file, path, dataset);
  if (!object.valid()) fail(path, dataset, "cannot be opened (HDF5: " + hdf5_reason() + ")");
  for (const std::string& name : attribute_names(object)) {
    const AttributeText text = read_attribute(object, name);
    if (!text.readable) fail(path, dataset, "attribute '" + name + "' cannot be read (HDF5: " + hdf5_reason() + ")");
    take(name, text);
  }
}

void check_before_writing(const std::string& path, const std::vector<NamedArray>& arrays,
                          const Attributes& file_attributes, const ListAttributes& file_lists) {
  std::set<std::string> seen;
  for (const NamedArray& array : arrays) {
    if (array.name.empty()) fail(path, "", "a dataset to write has an empty name");
    if (!seen.insert(array.name).second) fail(path, array.name, "is given twice");
    if (!array.values.defined()) fail(path, array.name, "has no values (undefined tensor)");
    if (native_type(array.values.scalar_type()) < 0)
      fail(path, array.name, "has unsupported dtype " + dtype_name(array.values.scalar_type()) +
                                 "; write float32, float64, int64, int32, int16, int8 or uint8");
    for (const auto& [key, list] : array.list_attributes)
      if (array.attributes.count(key)) fail(path, array.name, "attribute '" + key + "' is given both as text and as a list");
  }
  for (const auto& [key, list] : file_lists)
    if (file_attributes.count(key)) fail(path, "", "attribute '" + key + "' is given both as text and as a list");
}

Handle utf8_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

// Writes a scalar string (`is_list` false, one element) or a 1-D array of strings.
bool write_string_attribute(hid_t object, const std::string& key,
                            const std::vector<std::string>& elements, bool is_list) {
  const Handle type = utf8_string_type();
  const hsize_t count = elements.size();
  const Handle space(is_list ? H5Screate_simple(1, &count, nullptr) : H5Screate(H5S_SCALAR), H5Sclose);
  const Handle attribute(H5Acreate2(object, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  std::vector<const char*> pointers(std::max<std::size_t>(elements.size(), 1), "");
  for (std::size_t i = 0; i < elements.size(); ++i) pointers[i] = elements[i].c_str();
  return attribute.valid() && H5Awrite(attribute, type, pointers.data()) >= 0;
}

void write_attributes(hid_t object, const Attributes& texts, const ListAttributes& lists,
                      const std::string& path, const std::string& dataset) {
  for (const auto& [key, value] : texts)
    if (!write_string_attribute(object, key, {value}, false))
      fail(path, dataset, "cannot write attribute '" + key + "' (HDF5: " + hdf5_reason() + ")");
  for (const auto& [key, list] : lists)
    if (!write_string_attribute(object, key, list, true))
      fail(path, dataset, "cannot write attribute '" + key + "' (HDF5: " + hdf5_reason() + ")");
}

// Chunked along the first axis with whole rows, shuffled, gzip-compressed. Scalars and empty
// arrays stay contiguous, because HDF5 cannot chunk them.
Handle creation_properties(const std::vector<hsize_t>& dims, std::size_t element_bytes) {
  Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  hsize_t row_bytes = element_bytes;
  for (std::size_t axis = 1; axis < dims.size(); ++axis) row_bytes *= dims[axis];
  const bool empty = std::find(dims.begin(), dims.end(), hsize_t{0}) != dims.end();
  if (dims.empty() || empty) return properties;
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::clamp<hsize_t>(kChunkBytes / std::max<hsize_t>(row_bytes, 1), 1, dims[0]);
  H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data());
  H5Pset_shuffle(properties);
  H5Pset_deflate(properties, kGzipLevel);
  return properties;
}

void write_dataset(hid_t file, const NamedArray& array, const std::string& path) {
  const at::Tensor values = array.values.cpu().contiguous();
  const std::vector<hsize_t> dims(values.sizes().begin(), values.sizes().end());
  const Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                                  : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     H5Sclose);
  const Handle links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(links, 1);
  const hid_t type = native_type(values.scalar_type());
  const Handle properties = creation_properties(dims, values.element_size());
  const Handle dataset(H5Dcreate2(file, array.name.c_str(), type, space, links, properties, H5P_DEFAULT), H5Dclose);
  if (!dataset.valid()) fail(path, array.name, "cannot be created (HDF5: " + hdf5_reason() + ")");
  if (values.numel() > 0 && H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data_ptr()) < 0)
    fail(path, array.name, "cannot be written (HDF5: " + hdf5_reason() + ")");
  write_attributes(dataset, array.attributes, array.list_attributes, path, array.name);
}

// Names the first NaN or ±inf of jets [N, M, 3] by jet, particle and column.
void check_finite_jets(const at::Tensor& jets, const std::string& path, const std::string& dataset) {
  const at::Tensor not_finite = at::logical_not(at::isfinite(jets));
  if (!not_finite.any().item<bool>()) return;
  const at::Tensor where = not_finite.nonzero()[0];
  const int64_t jet = where[0].item<int64_t>(), particle = where[1].item<int64_t>(), column = where[2].item<int64_t>();
  static const char* const kColumns[] = {"pT", "eta", "phi"};
  fail(path, dataset, "jet " + std::to_string(jet) + ", particle " + std::to_string(particle) + ": " +
                          kColumns[column] + " is " + shortest_decimal(jets[jet][particle][column].item<float>()) +
                          "; every value must be finite");
}

// pT [N, M]: no negative value, and at least one positive value per jet.
void check_jet_pt(const at::Tensor& pt, const std::string& path, const std::string& dataset) {
  const at::Tensor negative = (pt < 0).any(1);
  if (negative.any().item<bool>()) {
    const int64_t jet = negative.nonzero()[0][0].item<int64_t>();
    fail(path, dataset, "jet " + std::to_string(jet) + " has a negative pT (" +
                            shortest_decimal(pt[jet].min().item<float>()) + " GeV); pT must be >= 0");
  }
  const at::Tensor empty = at::logical_not((pt > 0).any(1));
  if (empty.any().item<bool>())
    fail(path, dataset, "jet " + std::to_string(empty.nonzero()[0][0].item<int64_t>()) +
                            " is empty (every pT is 0); drop it or regenerate the file");
}

}  // namespace

std::string dtype_name(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    case at::kComplexFloat: return "complex64";
    case at::kComplexDouble: return "complex128";
    default: return c10::toString(dtype);
  }
}

at::Tensor read_array(const std::string& path, const std::string& dataset) {
  const Handle file = open_for_reading(path);
  const Handle handle = open_dataset(file, path, dataset);
  const Handle type(H5Dget_type(handle), H5Tclose);
  const at::ScalarType dtype = tensor_dtype(type, path, dataset);
  const Handle space(H5Dget_space(handle), H5Sclose);
  if (H5Sget_simple_extent_type(space) == H5S_NULL) fail(path, dataset, "holds no data (null dataspace)");
  const std::vector<hsize_t> dims = extent(space);
  const std::vector<int64_t> shape(dims.begin(), dims.end());
  at::Tensor values = at::empty(shape, at::TensorOptions().dtype(dtype));
  if (values.numel() > 0 &&
      H5Dread(handle, native_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data_ptr()) < 0)
    fail(path, dataset, "cannot be read; the file is truncated or corrupt (HDF5: " + hdf5_reason() + ")");
  return values;
}

bool has_dataset(const std::string& path, const std::string& dataset) {
  const std::vector<std::string> names = list_datasets(path);
  return std::find(names.begin(), names.end(), dataset) != names.end();
}

std::vector<std::string> list_datasets(const std::string& path) {
  const Handle file = open_for_reading(path);
  return dataset_names(file, path);
}

Attributes read_attributes(const std::string& path, const std::string& dataset) {
  Attributes attributes;
  for_each_attribute(path, dataset, [&](const std::string& name, const AttributeText& text) {
    attributes[name] = join(text.elements, ",");
  });
  return attributes;
}

ListAttributes read_list_attributes(const std::string& path, const std::string& dataset) {
  ListAttributes lists;
  for_each_attribute(path, dataset, [&](const std::string& name, const AttributeText& text) {
    if (text.is_list) lists[name] = text.elements;
  });
  return lists;
}

void write_arrays(const std::string& path, const std::vector<NamedArray>& arrays,
                  const Attributes& file_attributes, const ListAttributes& file_list_attributes) {
  silence_hdf5_errors();
  check_before_writing(path, arrays, file_attributes, file_list_attributes);
  write_atomically(path, [&](const std::string& temporary) {
    Handle file(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) fail(path, "", "cannot be written (HDF5: " + hdf5_reason() + ")");
    for (const NamedArray& array : arrays) write_dataset(file, array, path);
    write_attributes(file, file_attributes, file_list_attributes, path, "");
    if (file.close() < 0) fail(path, "", "cannot be written (HDF5: " + hdf5_reason() + ")");
  });
}

at::Tensor read_jet_particles(const std::string& path, const std::string& dataset) {
  const at::Tensor stored = read_array(path, dataset);
  if (stored.dim() != 3 || stored.size(2) != 3)
    fail(path, dataset, "has shape " + shape_text(stored.sizes()) +
                            ", expected [N, M, 3] with columns (pT [GeV], eta, phi)");
  if (!at::isFloatingType(stored.scalar_type()))
    fail(path, dataset, "has dtype " + dtype_name(stored.scalar_type()) +
                            ", expected float32 or float64 jets (pT [GeV], eta, phi)");
  const at::Tensor jets = stored.to(at::kFloat);
  check_finite_jets(jets, path, dataset);
  check_jet_pt(jets.select(2, 0), path, dataset);
  return jets;
}

}  // namespace otae::data
