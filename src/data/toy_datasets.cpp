#include "otae/data/toy_datasets.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "otae/base/error.hpp"
#include "seeded_random.hpp"

namespace otae::data {

namespace {

constexpr uint64_t kToyPurpose = 4;
const std::string kPrefix = "toy:";

using detail::SeededRandom;

// One toy: its parameters' rules, its dimension and how one point is drawn.
struct ToyKind {
  const char* name;
  const char* parameter_help;
  std::vector<double> default_parameters;  // empty: parameters are required
  size_t min_parameters, max_parameters;
  int64_t default_count;
  // Empty string when the parameters are usable, else what is wrong with them.
  std::string (*check)(const std::vector<double>& parameters);
  int64_t (*dimension)(const std::vector<double>& parameters);
  void (*draw)(const std::vector<double>& parameters, SeededRandom& random, float* point);
};

std::string all_positive(const std::vector<double>& sigmas) {
  for (double sigma : sigmas)
    if (!(std::isfinite(sigma) && sigma > 0)) return "every sigma must be positive, received " + std::to_string(sigma);
  return "";
}

void draw_gaussian(const std::vector<double>& sigmas, SeededRandom& random, float* point) {
  for (size_t j = 0; j < sigmas.size(); ++j) point[j] = float(sigmas[j] * random.normal());
}

const std::vector<double> kGaussian11Sigmas = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.1};

const std::vector<ToyKind>& toy_kinds() {
  static const std::vector<ToyKind> kinds = {
      {"gaussian", "sigma1,...,sigmad (at least one)", {}, 1, SIZE_MAX, 100000, all_positive,
       [](const std::vector<double>& sigmas) { return int64_t(sigmas.size()); }, draw_gaussian},
      {"gaussian11", "no parameters", {}, 0, 0, 500000, [](const std::vector<double>&) { return std::string(); },
       [](const std::vector<double>&) { return int64_t(11); },
       [](const std::vector<double>&, SeededRandom& random, float* point) {
         draw_gaussian(kGaussian11Sigmas, random, point);
       }},
      {"bananas", "curvature a, noise s", {0.5, 0.1}, 2, 2, 100000,
       [](const std::vector<double>& p) {
         return std::isfinite(p[0]) && std::isfinite(p[1]) && p[1] >= 0
                    ? std::string()
                    : "the curvature must be finite and the noise non-negative";
       },
       [](const std::vector<double>&) { return int64_t(2); },
       [](const std::vector<double>& p, SeededRandom& random, float* point) {
         const double t = random.normal(), noise = random.normal();
         point[0] = float(t);
         point[1] = float(p[0] * (t * t - 1.0) + p[1] * noise);
       }},
      {"circle", "radius R, radial noise s", {1.0, 0.05}, 2, 2, 100000,
       [](const std::vector<double>& p) {
         return std::isfinite(p[0]) && p[0] > 0 && std::isfinite(p[1]) && p[1] >= 0
                    ? std::string()
                    : "the radius must be positive and the noise non-negative";
       },
       [](const std::vector<double>&) { return int64_t(2); },
       [](const std::vector<double>& p, SeededRandom& random, float* point) {
         const double theta = physics::kTwoPi * random.uniform() - physics::kPi;
         const double r = p[0] + p[1] * random.normal();
         point[0] = float(r * std::cos(theta));
         point[1] = float(r * std::sin(theta));
       }},
  };
  return kinds;
}

[[noreturn]] void throw_spec_error(const std::string& spec, const std::string& problem) {
  throw ConfigError("toy spec '" + spec + "': " + problem +
                    " (grammar: toy:NAME[:p1,p2,...][?n=COUNT&seed=SEED])");
}

const ToyKind& find_kind(const std::string& name, const std::string& spec) {
  for (const ToyKind& kind : toy_kinds())
    if (name == kind.name) return kind;
  std::string known;
  for (const ToyKind& kind : toy_kinds()) known += (known.empty() ? "" : ", ") + std::string(kind.name);
  throw_spec_error(spec, "unknown toy '" + name + "'; known toys: " + known);
}

std::vector<std::string> split_on(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

double parse_number(const std::string& text, const std::string& spec) {
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
    throw_spec_error(spec, "'" + text + "' is not a number");
  return value;
}

uint64_t parse_unsigned(const std::string& key, const std::string& text, const std::string& spec) {
  errno = 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || end != text.c_str() + text.size() || errno == ERANGE)
    throw_spec_error(spec, key + "=" + text + " is not a non-negative integer");
  return value;
}

void apply_query(const std::string& query, const std::string& spec, ToySpec& toy) {
  for (const std::string& item : split_on(query, '&')) {
    const size_t equals = item.find('=');
    const std::string key = item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    if (key == "n") {
      const uint64_t count = parse_unsigned(key, value, spec);
      if (count < 1 || count > uint64_t(INT64_MAX)) throw_spec_error(spec, "n must be at least 1");
      toy.count = int64_t(count);
    } else if (key == "seed") {
      toy.seed = parse_unsigned(key, value, spec);
    } else {
      throw_spec_error(spec, "unknown option '" + key + "'; the options are n and seed");
    }
  }
}

void check_parameters(const ToyKind& kind, const std::vector<double>& parameters, const std::string& spec) {
  if (parameters.size() < kind.min_parameters || parameters.size() > kind.max_parameters)
    throw_spec_error(spec, "toy '" + std::string(kind.name) + "' takes " + kind.parameter_help + ", received " +
                               std::to_string(parameters.size()) + " parameters");
  const std::string problem = kind.check(parameters);
  if (!problem.empty()) throw_spec_error(spec, problem);
}

}  // namespace

std::vector<std::string> toy_names() {
  std::vector<std::string> names;
  for (const ToyKind& kind : toy_kinds()) names.emplace_back(kind.name);
  return names;
}

bool is_toy_spec(const std::string& source) { return source.compare(0, kPrefix.size(), kPrefix) == 0; }

ToySpec parse_toy_spec(const std::string& spec) {
  if (!is_toy_spec(spec)) throw_spec_error(spec, "a toy spec starts with 'toy:'");
  const size_t question = spec.find('?');
  const std::string body = spec.substr(kPrefix.size(), question - kPrefix.size());
  const size_t colon = body.find(':');

  ToySpec toy;
  toy.name = body.substr(0, colon);
  const ToyKind& kind = find_kind(toy.name, spec);
  if (colon != std::string::npos)
    for (const std::string& item : split_on(body.substr(colon + 1), ',')) toy.parameters.push_back(parse_number(item, spec));
  else
    toy.parameters = kind.default_parameters;
  check_parameters(kind, toy.parameters, spec);
  toy.count = kind.default_count;
  if (question != std::string::npos) apply_query(spec.substr(question + 1), spec, toy);
  return toy;
}

at::Tensor make_toy(const ToySpec& spec) {
  const std::string shown = kPrefix + spec.name;
  const ToyKind& kind = find_kind(spec.name, shown);
  check_parameters(kind, spec.parameters, shown);
  if (spec.count < 1) throw_spec_error(shown, "n must be at least 1, received " + std::to_string(spec.count));

  const int64_t dimension = kind.dimension(spec.parameters);
  at::Tensor points = at::empty({spec.count, dimension}, at::kFloat);
  float* out = points.data_ptr<float>();
  SeededRandom random(derive_seed(spec.seed, {kToyPurpose}));
  for (int64_t i = 0; i < spec.count; ++i) kind.draw(spec.parameters, random, out + i * dimension);
  return points;
}

at::Tensor make_toy(const std::string& spec) { return make_toy(parse_toy_spec(spec)); }

}  // namespace otae::data
