// Fuzzes the scenario parser (parse_scenario: JSON with comments, every field validated, the
// variables ordered by use). Input: the scenario text.
// Aborts when a refused file has no diagnostic, or a diagnostic names no file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)kv::scenario::parse_scenario(text, "fuzz.json");
  } catch (const kv::scenario::ScenarioFileError& e) {
    if (e.diagnostics().empty()) kv::fuzz::broken("a refused scenario says why", "");
    for (const auto& d : e.diagnostics()) {
      if (d.file != "fuzz.json") kv::fuzz::broken("a diagnostic names the file", d.message());
    }
  }
  return 0;
}
