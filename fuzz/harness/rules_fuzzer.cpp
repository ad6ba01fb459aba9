// Fuzzes the rules reader (Rules::parse) and the rules it builds: every regex rewrite runs on a
// path, a body and a header taken from the input's last line. Input: the rules JSON, then
// optionally a line "===" and a text to rewrite.
// Aborts when rules that parsed do not parse again from their own JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "kv/harness/rules.hpp"
#include "kv/harness/sanitizer.hpp"

using namespace kv::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find("\n===\n");
  const std::string_view text = input.substr(0, split);
  const std::string sample =
      split == std::string_view::npos ? "/secrets/a/" : std::string(input.substr(split + 5));
  Rules rules;
  try {
    rules = Rules::parse(text, {"fuzz.json", ""});
  } catch (const RulesError&) {
    return 0;
  }
  try {
    (void)Rules::from_json(
        Json{{"match", rules.match.to_json()}, {"sanitize", rules.sanitize.to_json()}},
        {"again.json", ""});
  } catch (const RulesError& e) {
    kv::fuzz::broken("rules read back from their own JSON", e.what());
  }
  (void)rules.match.normalise_path(sample);
  SanitizerOptions options;
  options.rules = rules.sanitize;
  options.secrets = {"fuzz-secret"};
  const Sanitizer sanitizer(options);
  Entry entry;
  entry.request_method = "POST";
  entry.request_uri = "https://fakevault.vault.azure.net" + sample;
  entry.request_headers.add("X-Sample", sample);
  entry.request_body = Body::from_bytes(kv::http::to_bytes(sample), "text/plain");
  entry.response_body =
      Body::from_bytes(kv::http::to_bytes("{\"value\":\"" + sample + "\"}"), "application/json");
  sanitizer.sanitize(entry);
  (void)sanitizer.scrub(sample);
  return 0;
}
