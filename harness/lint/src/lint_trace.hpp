// Internals of lint: a fixture's entries read as secrets operations, the places findings point
// at, and the checks, each in its own file (lint_shape.cpp, lint_lifecycle.cpp, lint_sequence.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"

namespace kv::harness::detail {

/// One entry of a fixture read as a Key Vault secrets operation.
struct TraceStep {
  std::size_t index = 0;
  const Entry* entry = nullptr;
  std::string_view op;  ///< classify_operation's name; "Unknown" and "GetToken" are not judged.
  int status = 0;
  std::string name;                ///< The secret name in the request path, decoded; "" when none.
  std::string key;                 ///< `name` in lower case: Key Vault names are case-insensitive.
  std::string version;             ///< An explicit version in the path; "" for the latest.
  std::string collection;          ///< For list operations: the lower-case path ("/secrets", ...).
  bool next_page = false;          ///< A list request that carries $skiptoken.
  bool response_bytes = false;     ///< The response has a body of any kind.
  const Json* response = nullptr;  ///< The response body when it is a JSON object.
  const Json* request = nullptr;   ///< The request body when it is a JSON object.
  bool success() const { return status >= 200 && status < 300; }
};

/// Every entry of `fixture`, in order.
std::vector<TraceStep> read_trace(const Fixture& fixture);

/// ASCII lower case, for names and versions (Key Vault compares them case-insensitively).
std::string to_lower(std::string_view text);

/// True for the statuses that say something about the secret: 2xx, 403, 404 and 409. A 401
/// challenge, a 429 or a 5xx (retried) and a 400 (bad request) do not.
bool informative(int status);

/// The innererror code of an error body, or "".
std::string inner_error(const Json* body);

/// Unix seconds in an attribute: an integer or a numeric string (the C++ SDK reads both).
std::optional<std::int64_t> seconds_at(const Json& object, std::string_view key);

/// The parts of an identifier URL ("https://v/secrets/name/version"); `valid` is false for
/// sanitized or foreign identifiers ("Sanitized", a path that is not /collection/name[/version]).
struct IdParts {
  bool valid = false;
  std::string collection;
  std::string name;
  std::string version;
};
IdParts parse_id(const Json& value);

/// A place in the fixture file. In legacy recordings the response body is a string, so a place
/// inside it is the BODY's pointer plus the pointer inside the embedded JSON text (`inner`).
struct Place {
  std::string where;
  std::string inner;
};

/// The findings of one fixture and the places they point at.
class LintReport {
 public:
  LintReport(const Fixture& fixture, std::string file);

  Place status(std::size_t entry) const;
  Place uri(std::size_t entry) const;
  Place request(std::size_t entry, std::string_view inner = {}) const;
  Place response(std::size_t entry, std::string_view inner = {}) const;

  /// Adds a finding of rule `id` (its severity is the rule's) about entry `entry`.
  void add(std::size_t entry, const Place& place, const char* id, std::string expected,
           std::string found, std::string hint = {});
  /// The findings, in entry order.
  std::vector<Diagnostic> take();

 private:
  std::string entry_pointer(std::size_t entry) const;

  bool legacy_;
  std::string file_;
  std::vector<std::pair<std::size_t, Diagnostic>> found_;
};

/// "GetSecret \"name\"" or the bare operation name, for messages.
std::string describe_step(const TraceStep& step);

/// Response shapes, identifiers, attribute values and the dates inside one bundle.
void check_shapes(const std::vector<TraceStep>& trace, LintReport& report);
/// The life cycle of each secret name, versions the trace showed, restores.
void check_lifecycle(const std::vector<TraceStep>& trace, LintReport& report);
/// Paging (nextLink), poll sequences and dates across the trace.
void check_sequences(const std::vector<TraceStep>& trace, LintReport& report);

}  // namespace kv::harness::detail
