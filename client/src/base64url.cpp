// base64url encoding and tolerant decoding. Backup blobs are several kilobytes and pass through
// here twice per backup/restore, so both directions work on whole groups of 3 bytes / 4 chars.
#include "kv/base64url.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

namespace kv {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

// The sextet of every byte; both the URL-safe and the standard alphabet are accepted.
constexpr std::array<std::uint8_t, 256> make_sextets() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  table['+'] = 62;
  table['/'] = 63;
  return table;
}
constexpr std::array<std::uint8_t, 256> kSextets = make_sextets();

// A character's sextet already shifted to its place in a 4-character group, or kBad: a group's
// 24 bits are then four lookups or'ed together, and one test finds any invalid character.
constexpr std::uint32_t kBad = 0x80000000U;
constexpr std::array<std::uint32_t, 256> make_placed(int shift) {
  std::array<std::uint32_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = kSextets[c] == kInvalid ? kBad : std::uint32_t{kSextets[c]} << shift;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kPlaced0 = make_placed(18);
constexpr std::array<std::uint32_t, 256> kPlaced1 = make_placed(12);
constexpr std::array<std::uint32_t, 256> kPlaced2 = make_placed(6);
constexpr std::array<std::uint32_t, 256> kPlaced3 = make_placed(0);

// The two characters of every 12-bit value: three bytes encode with two lookups.
constexpr std::array<char, 8192> make_pairs() {
  std::array<char, 8192> table{};
  for (int v = 0; v < 4096; ++v) {
    table[2 * v] = kAlphabet[v >> 6];
    table[2 * v + 1] = kAlphabet[v & 63];
  }
  return table;
}
constexpr std::array<char, 8192> kPairs = make_pairs();

[[noreturn]] void bad_character(std::string_view text, std::size_t from) {
  std::size_t at = from;
  while (kSextets[static_cast<unsigned char>(text[at])] != kInvalid) ++at;
  throw std::runtime_error("invalid base64url: unexpected character at offset " +
                           std::to_string(at));
}
}  // namespace

std::string base64url_encode(const std::vector<std::uint8_t>& data) {
  const std::size_t n = data.size();
  std::string out((n * 4 + 2) / 3, '\0');
  char* o = out.data();
  const std::uint8_t* in = data.data();
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3, o += 4) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    std::memcpy(o, &kPairs[2 * (v >> 12)], 2);
    std::memcpy(o + 2, &kPairs[2 * (v & 0xFFF)], 2);
  }
  const std::size_t rest = n - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    o[0] = kAlphabet[(v >> 18) & 63];
    o[1] = kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    o[0] = kAlphabet[(v >> 18) & 63];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::vector<std::uint8_t> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) {
    throw std::runtime_error("invalid base64url: length " + std::to_string(text.size()) +
                             " cannot be decoded");
  }
  const std::size_t full = text.size() / 4;
  const std::size_t rest = text.size() % 4;  // 0, 2 or 3 characters: 0, 1 or 2 more bytes
  std::vector<std::uint8_t> out(full * 3 + (rest == 0 ? 0 : rest - 1));
  std::uint8_t* o = out.data();
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t g = 0; g < full; ++g, in += 4, o += 3) {
    const std::uint32_t v = kPlaced0[in[0]] | kPlaced1[in[1]] | kPlaced2[in[2]] | kPlaced3[in[3]];
    if (v & kBad) bad_character(text, g * 4);
    o[0] = static_cast<std::uint8_t>(v >> 16);
    o[1] = static_cast<std::uint8_t>(v >> 8);
    o[2] = static_cast<std::uint8_t>(v);
  }
  if (rest > 0) {
    std::uint32_t v = kPlaced0[in[0]] | kPlaced1[in[1]] | (rest == 3 ? kPlaced2[in[2]] : 0);
    if (v & kBad) bad_character(text, full * 4);
    o[0] = static_cast<std::uint8_t>(v >> 16);
    if (rest == 3) o[1] = static_cast<std::uint8_t>(v >> 8);
  }
  return out;
}

}  // namespace kv
