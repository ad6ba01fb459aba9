// Fuzzes localvault's request core: VaultService::handle over a script of requests, so that state
// transitions (set, delete, windows, purge, restore...) are reached, with a fake clock and a store
// that can be told to fail. Input format (readable; seeds are in fuzz/corpus/):
//
//   [@purgeable | @protected | @noauth]          optional first lines: vault options
//   METHOD TARGET                                 one request...
//   Name: value                                   ...headers ("{token}" becomes a valid token)
//                                                 (TARGET "{next}": the last list's nextLink)
//   X-Fuzz-Advance-Ms: N                          moves the clock before the request
//   X-Fuzz-Fail-Persist: ENOSPC | EIO             the store fails this request's change
//                                                 (empty line)
//   body                                          up to a line "===" that starts the next one
//                                                 ("{backup}": the last backup blob received)
//
// Besides crashes and sanitizer reports, it aborts when an invariant breaks: a 500 that no store
// failure caused, a JSON content type with a body that is not JSON, a failed change that left the
// state changed, or a state that its own file format cannot load back. With KV_FUZZ_TRACE=1 in
// the environment each request and its status are printed (for reading a reproduced input).
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz_support.hpp"
#include "kv/localvault/vault_service.hpp"

using namespace kv::localvault;
using kv::fuzz::broken;

namespace {
RandomSource counting_random() {
  auto counter = std::make_shared<std::uint64_t>(0);
  return [counter](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i)
      out[i] = static_cast<unsigned char>((*counter)++ * 31 + i);
  };
}

// Keeps what it persisted (as the file would hold it) and fails when told to.
class ScriptedStore : public StateStore {
 public:
  void persist(const VaultState& state) override {
    ++calls;
    if (fail_with != 0) throw std::system_error(fail_with, std::generic_category(), "fuzz store");
    saved = state;
  }
  int fail_with = 0;
  int calls = 0;
  VaultState saved;
};

struct Step {
  CoreRequest request;
  std::int64_t advance_ms = 0;
  int fail_with = 0;
};

std::string_view next_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  return line;
}

void replace_all(std::string& s, std::string_view what, const std::string& with) {
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}

// What earlier answers handed out, for later requests to use.
struct Memory {
  std::string token;
  std::string backup;  // the value of the last backup answer
  std::string next;    // path and query of the last nextLink
};

Step parse_step(std::string_view chunk, const Memory& memory) {
  Step step;
  std::string_view first = next_line(chunk);
  std::size_t space = first.find(' ');
  step.request.method = std::string(first.substr(0, space));
  std::string_view target =
      space == std::string_view::npos ? std::string_view{} : first.substr(space + 1);
  split_target(target == "{next}" ? std::string_view(memory.next) : target, step.request);
  while (!chunk.empty()) {
    std::string_view line = next_line(chunk);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::string value(colon == std::string_view::npos ? std::string_view{}
                                                      : line.substr(colon + 1));
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "X-Fuzz-Advance-Ms") {
      step.advance_ms = std::strtoll(value.c_str(), nullptr, 10);
      if (step.advance_ms < 0 || step.advance_ms > 400LL * 86400 * 1000) step.advance_ms = 0;
    } else if (name == "X-Fuzz-Fail-Persist") {
      step.fail_with = value == "ENOSPC" ? ENOSPC : EIO;
    } else {
      replace_all(value, "{token}", memory.token);
      step.request.headers[name] = value;
    }
  }
  step.request.body = std::string(chunk);
  replace_all(step.request.body, "{backup}", memory.backup);
  return step;
}

void remember(const CoreRequest& request, const CoreResponse& response, Memory& memory) {
  if (response.status != 200) return;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return;
  if (request.path.size() > 7 && request.path.compare(request.path.size() - 7, 7, "/backup") == 0 &&
      body.contains("value") && body["value"].is_string())
    memory.backup = body["value"];
  if (body.contains("nextLink") && body["nextLink"].is_string()) {
    std::string link = body["nextLink"];
    std::size_t path =
        link.find('/', link.find("//") == std::string::npos ? 0 : link.find("//") + 2);
    memory.next = path == std::string::npos ? std::string() : link.substr(path);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  VaultOptions options;
  AuthOptions auth;
  auth.tenant = "fuzz-tenant";
  auth.client_id = "fuzz-client";
  auth.client_secret = "fuzz-client-secret";
  while (!input.empty() && input.front() == '@') {
    std::string_view flag = next_line(input);
    if (flag == "@purgeable") options.recovery_level = "Purgeable";
    if (flag == "@protected") options.recovery_level = "Recoverable";
    if (flag == "@noauth") auth.enabled = false;
  }
  std::int64_t now_ms = 1'700'000'000'000;
  TokenService tokens(auth, std::string(32, 's'));
  Memory memory;
  memory.token = tokens.sign("https://vault.azure.net", now_ms / 1000);
  auto store = std::make_shared<ScriptedStore>();
  VaultService service(options, std::move(tokens), BackupCodec(std::string(32, 'k')),
                       counting_random(), VaultState{}, store);

  static const bool trace = std::getenv("KV_FUZZ_TRACE") != nullptr;
  constexpr std::string_view kSeparator = "\n===\n";
  for (int count = 0; count < 64 && !input.empty(); ++count) {
    std::size_t end = input.find(kSeparator);
    Step step = parse_step(input.substr(0, end), memory);
    input =
        end == std::string_view::npos ? std::string_view{} : input.substr(end + kSeparator.size());
    now_ms += step.advance_ms;
    store->fail_with = step.fail_with;
    nlohmann::json before;
    if (step.fail_with != 0) before = state_to_json(service.state());
    CoreResponse response = service.handle(step.request, now_ms);
    if (trace)
      std::fprintf(stderr, "%s %s -> %d %.200s\n", step.request.method.c_str(),
                   step.request.path.c_str(), response.status, response.body.c_str());

    if (response.status < 200 || response.status > 599)
      broken("status out of range", std::to_string(response.status));
    bool store_failed = step.fail_with != 0 && store->calls > 0 && !response.state_changed &&
                        (response.status == 500 || response.status == 507);
    if (response.status == 500 && !store_failed)
      broken("500 for client input",
             step.request.method + " " + step.request.path + "\n" + response.body);
    auto type = response.headers.find("Content-Type");
    if (type != response.headers.end() && type->second.rfind("application/json", 0) == 0 &&
        !nlohmann::json::accept(response.body))
      broken("JSON content type without a JSON body", response.body);
    if (store_failed && state_to_json(service.state()) != before)
      broken("a change the store refused is still in memory", response.body);
    store->calls = 0;
    remember(step.request, response, memory);
  }
  // What was persisted is the state in memory, and the state file format reads it back.
  nlohmann::json now = state_to_json(service.state());
  if (state_to_json(store->saved) != now) broken("persisted state differs from memory", now.dump());
  if (state_to_json(state_from_json(now)) != now)
    broken("state file does not round-trip", now.dump());
  return 0;
}
