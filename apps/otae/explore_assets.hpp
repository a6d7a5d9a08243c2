// The files of the `otae explore` page (apps/otae/explore/), compiled into the program by
// cmake/otae_embed_files.cmake.
#pragma once

#include <string>
#include <vector>

namespace otae::cli {

struct ExploreAsset {
  const char* path;          ///< "/index.html", "/explore.js", …
  const char* content_type;  ///< "text/html; charset=utf-8", …
  const char* text;
};

const std::vector<ExploreAsset>& explore_assets();

}  // namespace otae::cli
