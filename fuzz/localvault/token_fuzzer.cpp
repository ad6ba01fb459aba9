// Fuzzes localvault's token endpoint (form parsing, v1 and v2) and its bearer-token check.
// Input: four lines, then the form body:
//   v1 | v2                       which token endpoint
//   TENANT                        the tenant of the path
//   AUTHORIZATION                 a header value for the bearer check
//   HOST                          the vault host for the bearer check
//   grant_type=...&client_id=...  the rest: the form ("{secret}" becomes the configured secret)
// Aborts when the configured client secret appears in any answer, or when a token the endpoint
// issued for https://vault.azure.net is not accepted by the check.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_support.hpp"
#include "kv/localvault/token_service.hpp"

using namespace kv::localvault;
using kv::fuzz::broken;

namespace {
constexpr const char* kSecret = "fuzz-client-secret-value";

RandomSource fixed_random() {
  return [](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(i * 7);
  };
}

// Looks in the decoded strings of a JSON answer: an escape such as "\u001f" before "uzz-..." must
// not read as the secret.
bool mentions_secret(const nlohmann::json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().find(kSecret) != std::string::npos;
  if (j.is_structured())
    for (const auto& item : j.items())
      if (item.key().find(kSecret) != std::string::npos || mentions_secret(item.value()))
        return true;
  return false;
}

bool mentions_secret(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? body.find(kSecret) != std::string::npos : mentions_secret(j);
}

std::string next_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string line(text.substr(0, end));
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  return line;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  AuthOptions auth;
  auth.tenant = "fuzz-tenant";
  auth.client_id = "fuzz-client";
  auth.client_secret = kSecret;
  TokenService tokens(auth, std::string(32, 't'));
  const std::int64_t now_s = 1'700'000'000;
  const bool v1 = next_line(in) == "v1";
  std::string tenant = next_line(in);
  std::string authorization = next_line(in);
  std::string host = next_line(in);
  CoreRequest request;
  request.method = "POST";
  request.body = std::string(in);
  for (std::size_t at = request.body.find("{secret}"); at != std::string::npos;
       at = request.body.find("{secret}", at + 1))
    request.body.replace(at, 8, kSecret);

  CoreResponse issued = tokens.issue(request, tenant, now_s, fixed_random(),
                                     v1 ? IdentityVersion::V1 : IdentityVersion::V2);
  // The secret may be echoed only where the request itself put it somewhere else than the
  // client_secret field (a client id or scope that holds it is echoed like any other).
  bool secret_elsewhere = tenant.find(kSecret) != std::string::npos;
  for (const auto& [name, value] : parse_query(request.body))
    if (name != "client_secret" &&
        (name.find(kSecret) != std::string::npos || value.find(kSecret) != std::string::npos))
      secret_elsewhere = true;
  if (!secret_elsewhere && mentions_secret(issued.body)) broken("secret echoed", issued.body);
  if (issued.status == 200) {
    // A token for the vault audience must pass the vault's own check.
    std::map<std::string, std::string> form = parse_query(request.body);
    std::string audience = v1 ? form["resource"] : form["scope"];
    if (!v1 && audience.size() >= 9) audience.resize(audience.size() - 9);  // "/.default"
    if (!audience.empty() && audience.back() == '/') audience.pop_back();
    if (audience == "https://vault.azure.net") {
      std::string token = nlohmann::json::parse(issued.body).at("access_token");
      if (auto refusal = tokens.verify("Bearer " + token, "fuzz.vault.test", now_s))
        broken("an issued token is refused", *refusal);
    }
  }
  std::optional<std::string> refusal = tokens.verify(authorization, host, now_s);
  if (refusal && refusal->find(kSecret) != std::string::npos) broken("secret echoed", *refusal);
  return 0;
}
