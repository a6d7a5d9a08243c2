#include "otae/data/file_split.hpp"

#include <filesystem>
#include <sstream>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"

namespace otae::data {
namespace {

/// The provenance keys a file carries about the program that wrote it: stale in a part of it.
const std::vector<std::string> kProvenanceKeys = {"made_by", "command_line", "otae_version"};

// A dataset as read back, ready to be cut and rewritten.
struct StoredArray {
  std::string name;
  at::Tensor values;
  Attributes texts;
  ListAttributes lists;
};

// Text attributes without those that are lists (read_attributes renders lists as text too).
Attributes scalar_attributes(const std::string& path, const std::string& dataset, const ListAttributes& lists) {
  Attributes texts = read_attributes(path, dataset);
  for (const auto& [key, list] : lists) texts.erase(key);
  return texts;
}

std::vector<StoredArray> read_all(const std::string& path) {
  std::vector<StoredArray> arrays;
  for (const std::string& name : list_datasets(path)) {
    ListAttributes lists = read_list_attributes(path, name);
    arrays.push_back({name, read_array(path, name), scalar_attributes(path, name, lists), lists});
  }
  return arrays;
}

int64_t common_rows(const std::vector<StoredArray>& arrays, const std::string& path) {
  const StoredArray* first = nullptr;
  for (const StoredArray& array : arrays) {
    if (array.values.dim() == 0) continue;
    if (first == nullptr) first = &array;
    if (array.values.size(0) != first->values.size(0))
      throw IoError(path + ": dataset '" + array.name + "' has " + std::to_string(array.values.size(0)) +
                    " rows but '" + first->name + "' has " + std::to_string(first->values.size(0)) +
                    "; split needs datasets with one row per event");
  }
  if (first == nullptr) throw IoError(path + ": no dataset with rows to split");
  return first->values.size(0);
}

std::string default_prefix(const std::string& path) {
  const std::string suffix = ".h5";
  const bool has_suffix = path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  return has_suffix ? path.substr(0, path.size() - suffix.size()) : path;
}

std::string fractions_text(const SplitOptions& options) {
  std::ostringstream text;
  text << options.train() << "," << options.validation() << "," << options.test();
  return text.str();
}

void write_part(const std::vector<StoredArray>& arrays, const Attributes& texts, const ListAttributes& lists,
                const at::Tensor& rows, const SplitPart& part) {
  std::vector<NamedArray> cut;
  for (const StoredArray& array : arrays) {
    const at::Tensor values = array.values.dim() == 0 ? array.values : array.values.index_select(0, rows);
    cut.push_back({array.name, values, array.texts, array.lists});
  }
  Attributes file_texts = texts;
  file_texts["split_part"] = part.name;
  if (file_texts.count("rows")) file_texts["rows"] = std::to_string(part.rows);
  write_arrays(part.path, cut, file_texts, lists);
}

}  // namespace

std::vector<SplitPart> split_file(const std::string& path, const SplitOptions& options, const std::string& out_prefix,
                                  const Attributes& attributes) {
  options.validate();
  const std::vector<StoredArray> arrays = read_all(path);
  const Split split = split_rows(common_rows(arrays, path), options);
  const ListAttributes lists = read_list_attributes(path);
  Attributes texts = scalar_attributes(path, "", lists);
  for (const std::string& key : kProvenanceKeys) {
    if (const auto found = texts.find(key); found != texts.end()) {
      texts["source_" + key] = found->second;  // how the source was made, kept apart from how the part was
      texts.erase(found);
    }
  }
  for (const auto& [key, value] : attributes) texts[key] = value;
  texts["split_source"] = path;
  texts["split_seed"] = std::to_string(options.seed());
  texts["split_fractions"] = fractions_text(options);
  const std::string prefix = out_prefix.empty() ? default_prefix(path) : out_prefix;
  struct Part {
    const char* name;
    double fraction;
    const at::Tensor& rows;
  };
  std::vector<SplitPart> written;
  for (const Part& part : {Part{"train", options.train(), split.train},
                           Part{"validation", options.validation(), split.validation},
                           Part{"test", options.test(), split.test}}) {
    if (part.fraction == 0.0) continue;  // nothing asked for: no file, rather than an empty one
    written.push_back({part.name, prefix + "." + part.name + ".h5", part.rows.size(0)});
    std::error_code error;
    if (std::filesystem::equivalent(written.back().path, path, error))
      throw InvalidArgument(written.back().path + " is the file being split (" + path +
                            "): writing it would replace the input; choose another --out-prefix");
    write_part(arrays, texts, lists, part.rows, written.back());
  }
  return written;
}

}  // namespace otae::data
