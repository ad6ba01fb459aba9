#include "kv/localvault/backup_codec.hpp"

#include <cctype>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "kv/localvault/encoding.hpp"

namespace kv::localvault {

namespace {
// The magic names the format so that a blob from another format or version is told apart from
// a damaged one, as the service does ("invalid or corrupt version" vs "corrupt").
constexpr std::string_view kMagic = "LocalVaultSecretBackupV1";
constexpr std::string_view kCorrupt = "Backup blob is corrupt.";
constexpr std::string_view kBadVersion = "Backup blob contains invalid or corrupt version.";
constexpr std::size_t kSealOverhead = 12 + 16;
}  // namespace

BackupCodec::BackupCodec(std::string key) : key_(std::move(key)) {
  if (key_.size() != 32) throw std::invalid_argument("backup key must be 32 bytes");
}

std::string BackupCodec::seal(const SecretRecord& record, const RandomSource& random) const {
  nlohmann::json plain{{"name", record.name}, {"versions", versions_to_json(record.versions)}};
  std::string sealed = aes_gcm_seal(key_, random_bytes(random, 12), plain.dump(), kMagic);
  // The decoded blob is text without whitespace, as the service's is: the official C++ sample
  // writes the decoded bytes to a file with << and reads them back with >>.
  return base64url_encode(std::string(kMagic) + base64url_encode(sealed));
}

std::variant<BackupContents, std::string> BackupCodec::open(std::string_view blob) const {
  std::optional<std::string> raw = base64url_decode(blob);
  if (!raw || raw->size() < kMagic.size()) return std::string(kCorrupt);
  if (std::string_view(*raw).substr(0, kMagic.size()) != kMagic) return std::string(kBadVersion);
  std::optional<std::string> sealed =
      base64url_decode(std::string_view(*raw).substr(kMagic.size()));
  if (!sealed || sealed->size() < kSealOverhead) return std::string(kCorrupt);
  std::optional<std::string> plain = aes_gcm_open(key_, *sealed, kMagic);
  if (!plain) return std::string(kCorrupt);
  try {
    nlohmann::json json = nlohmann::json::parse(*plain);
    BackupContents contents{json.at("name").get<std::string>(),
                            versions_from_json(json.at("versions"))};
    if (contents.versions.empty() || !is_valid_secret_name(contents.name))
      return std::string(kCorrupt);
    return contents;
  } catch (const std::exception&) {
    // Authenticated but unreadable means a key shared with a different build; still corrupt.
    return std::string(kCorrupt);
  }
}

std::string read_backup_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read backup key file " + path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.size() == 32) return content;
  std::string hex;
  for (char c : content)
    if (!std::isspace(static_cast<unsigned char>(c))) hex.push_back(c);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() == 64) {
    std::string key;
    for (std::size_t i = 0; i < 64; i += 2) {
      int hi = nibble(hex[i]);
      int lo = nibble(hex[i + 1]);
      if (hi < 0 || lo < 0) break;
      key.push_back(static_cast<char>(hi * 16 + lo));
    }
    if (key.size() == 32) return key;
  }
  throw std::runtime_error("backup key file " + path +
                           " must hold 32 raw bytes or 64 hex digits (found " +
                           std::to_string(content.size()) + " bytes)");
}

}  // namespace kv::localvault
