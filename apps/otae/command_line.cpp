// What every command of the face shares: refusing an output that would replace an input, and the
// one form of configuration overrides.
#include <filesystem>

#include "commands.hpp"
#include "otae/base/error.hpp"

namespace otae::cli {

void refuse_input_as_output(const std::string& output, std::initializer_list<std::string> inputs,
                            const std::string& option) {
  for (const std::string& input : inputs) {
    std::error_code error;  // a missing output (or input) cannot be the same file: nothing to refuse
    if (!input.empty() && std::filesystem::equivalent(output, input, error))
      throw InvalidArgument(option + " " + output + " is the input " + input +
                            " (the same file): writing it would replace the input; choose another output path");
  }
}

namespace {

/// A validator that accepts numbers for which `accepts` holds; `bound` says which ("> 0").
CLI::Validator numbers(const std::string& bound, bool (*accepts)(double)) {
  return CLI::Validator(
      [bound, accepts](std::string& text) {
        double value = 0;
        if (CLI::detail::lexical_cast(text, value) && accepts(value)) return std::string();
        return "must be " + bound + ", received " + text;
      },
      bound);
}

}  // namespace

CLI::Validator non_negative() {
  return numbers(">= 0", [](double v) { return v >= 0; });
}

CLI::Validator positive() {
  return numbers("> 0", [](double v) { return v > 0; });
}

CLI::Validator fraction() {
  return numbers("in [0, 1]", [](double v) { return v >= 0 && v <= 1; });
}

void add_config_overrides(CLI::App* command, std::vector<std::string>& overrides, const std::string& example) {
  // two options filling one list: each appends, so that neither replaces what the other read
  auto append = [&overrides](const std::vector<std::string>& given) {
    overrides.insert(overrides.end(), given.begin(), given.end());
  };
  command->add_option_function<std::vector<std::string>>(
      "overrides", append, "configuration overrides KEY=VALUE after the options, e.g. " + example + " (any dotted key of the YAML)");
  command->add_option_function<std::vector<std::string>>("--set", append,
                                                         "the same overrides as an option: --set KEY=VALUE (repeatable)");
}

}  // namespace otae::cli
