// Files written whole or not at all. Every writer in otae (HDF5 outputs, checkpoints, run-folder
// JSON, YAML and CSV) goes through write_atomically: the content is written to a temporary file
// beside the target, flushed to disk, then renamed onto it, so that a killed process leaves the
// old file or the new one, never half of one, and a crash just after a write cannot lose it.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace otae {

/// Calls write(temporary) with the path of a new, empty file beside `path` (reserved for this
/// call alone), flushes it to disk (fsync), then renames it onto `path`. If `write` throws or a
/// later step fails, the temporary is removed and `path` is left as it was. Throws IoError
/// naming `path` when its folder does not exist or cannot hold a new file, or when the flush or
/// the rename fails; rethrows what `write` throws.
void write_atomically(const std::string& path, const std::function<void(const std::string& temporary)>& write);

/// Writes `text` to `path` atomically. Throws IoError naming the file.
void write_text_file(const std::string& path, const std::string& text);

/// Writes `value` as indented JSON (two spaces, a final newline) to `path` atomically. Throws
/// IoError naming the file.
void write_json_file(const std::string& path, const nlohmann::json& value);

/// Reads a whole text file. Throws IoError naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

/// Reads a JSON file. Throws IoError naming the file when it cannot be read or is not JSON.
nlohmann::json read_json_file(const std::string& path);

/// Creates the folder `path` (and its parents) when missing. Throws IoError naming the folder.
void create_folder(const std::string& path);

}  // namespace otae
