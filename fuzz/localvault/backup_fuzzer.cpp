// Fuzzes localvault's backup codec: opening arbitrary blobs (as text and as base64url of raw
// bytes), opening authenticated blobs whose plaintext is arbitrary JSON, and the seal -> open
// round trip of arbitrary records, which must reproduce every valid record exactly.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_support.hpp"
#include "kv/localvault/backup_codec.hpp"
#include "kv/localvault/encoding.hpp"

using namespace kv::localvault;
using kv::fuzz::broken;

namespace {
const std::string kKey(32, 'k');
constexpr std::string_view kMagic = "LocalVaultSecretBackupV1";

RandomSource fixed_random() {
  return [](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(i * 13 + 1);
  };
}

std::optional<std::int64_t> maybe_time(FuzzedDataProvider& in) {
  if (!in.ConsumeBool()) return std::nullopt;
  return in.ConsumeIntegral<std::int64_t>();
}

SecretRecord fuzzed_record(FuzzedDataProvider& in) {
  SecretRecord record;
  record.name = in.ConsumeRandomLengthString(140);
  int versions = in.ConsumeIntegralInRange(0, 4);
  for (int i = 0; i < versions; ++i) {
    SecretVersion v;
    v.version = in.ConsumeBool() ? hex_encode(in.ConsumeBytesAsString(16))
                                 : in.ConsumeRandomLengthString(40);
    v.value = in.ConsumeRandomLengthString(256);
    if (in.ConsumeBool()) v.content_type = in.ConsumeRandomLengthString(32);
    v.attributes.enabled = in.ConsumeBool();
    v.attributes.nbf = maybe_time(in);
    v.attributes.exp = maybe_time(in);
    v.attributes.created =
        in.ConsumeIntegralInRange<std::int64_t>(-70'000'000'000, 300'000'000'000);
    v.attributes.updated = in.ConsumeIntegral<std::int64_t>();
    if (in.ConsumeBool()) {
      Tags tags;
      int count = in.ConsumeIntegralInRange(0, 3);
      for (int t = 0; t < count; ++t)
        tags[in.ConsumeRandomLengthString(16)] = in.ConsumeRandomLengthString(16);
      v.tags = std::move(tags);
    }
    record.versions.push_back(std::move(v));
  }
  return record;
}

bool valid_utf8_json_strings(const SecretRecord& record) {
  // JSON cannot carry invalid UTF-8: such records are refused when sealing.
  try {
    (void)versions_to_json(record.versions).dump();
    (void)nlohmann::json(record.name).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool valid_record(const SecretRecord& r) {
  if (!is_valid_secret_name(r.name) || r.versions.empty()) return false;
  for (const SecretVersion& v : r.versions) {
    if (!is_valid_version_id(v.version)) return false;
    for (std::optional<std::int64_t> t :
         {v.attributes.nbf, v.attributes.exp, std::optional<std::int64_t>(v.attributes.created),
          std::optional<std::int64_t>(v.attributes.updated)})
      if (t && !is_valid_unix_time(*t)) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  BackupCodec codec(kKey);
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0:
      (void)codec.open(in.ConsumeRemainingBytesAsString());
      break;
    case 1:
      (void)codec.open(base64url_encode(in.ConsumeRemainingBytesAsString()));
      break;
    case 2: {
      // Authenticated, so decoding reaches the JSON of the contents.
      std::string plain = in.ConsumeRemainingBytesAsString();
      std::string sealed = aes_gcm_seal(kKey, std::string(12, 'n'), plain, kMagic);
      auto opened = codec.open(base64url_encode(std::string(kMagic) + sealed));
      if (auto* contents = std::get_if<BackupContents>(&opened)) {
        SecretRecord record{contents->name, contents->versions, false, 0, std::nullopt};
        if (!valid_record(record)) broken("an invalid backup was accepted", plain);
      }
      break;
    }
    default: {
      SecretRecord record = fuzzed_record(in);
      if (!valid_utf8_json_strings(record)) break;
      auto opened = codec.open(codec.seal(record, fixed_random()));
      auto* contents = std::get_if<BackupContents>(&opened);
      if (valid_record(record) != (contents != nullptr))
        broken("round trip accepted an invalid record or refused a valid one", record.name);
      if (contents && (contents->name != record.name ||
                       versions_to_json(contents->versions) != versions_to_json(record.versions)))
        broken("round trip changed the record", record.name);
    }
  }
  return 0;
}
