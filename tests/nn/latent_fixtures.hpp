// The SciPy reference values of tests/fixtures/latents_scipy.json (made by
// tests/fixtures/make_latent_fixtures.py), shared by the latent-variable tests.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace otae::nn::testing {

inline const nlohmann::json& latent_fixtures() {
  static const nlohmann::json data = [] {
    const std::string path = std::string(OTAE_SOURCE_DIR) + "/tests/fixtures/latents_scipy.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path + "; run tests/fixtures/make_latent_fixtures.py");
    return nlohmann::json::parse(in);
  }();
  return data;
}

}  // namespace otae::nn::testing
