// base64url: every tail length both ways, both alphabets, padding, and the errors.
#include <catch2/catch.hpp>
#include <kv/base64url.hpp>
#include <string>
#include <vector>

namespace {
std::vector<std::uint8_t> bytes(const std::string& text) {
  return {text.begin(), text.end()};
}
}  // namespace

TEST_CASE("base64url encodes without padding and decodes what it encoded") {
  struct Row {
    std::string raw;
    std::string encoded;
  };
  const std::vector<Row> rows = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff\xbf", "-_-_"},
  };
  for (const auto& row : rows) {
    INFO(row.encoded);
    CHECK(kv::base64url_encode(bytes(row.raw)) == row.encoded);
    CHECK(kv::base64url_decode(row.encoded) == bytes(row.raw));
  }
}

TEST_CASE("base64url decodes padding and the standard alphabet too") {
  CHECK(kv::base64url_decode("Zg==") == bytes("f"));
  CHECK(kv::base64url_decode("Zm8=") == bytes("fo"));
  CHECK(kv::base64url_decode("+/+/") == bytes("\xfb\xff\xbf"));
}

TEST_CASE("A long blob survives the round trip with every byte value") {
  std::vector<std::uint8_t> blob;
  for (int i = 0; i < 7000; ++i) blob.push_back(static_cast<std::uint8_t>(i * 7 + i / 256));
  for (std::size_t cut : {7000u, 6999u, 6998u}) {
    std::vector<std::uint8_t> part(blob.begin(), blob.begin() + static_cast<long>(cut));
    CHECK(kv::base64url_decode(kv::base64url_encode(part)) == part);
  }
}

TEST_CASE("Invalid base64url names the offending offset or the impossible length") {
  struct Row {
    std::string text;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"Zm9v*mFy", "invalid base64url: unexpected character at offset 4"},
      {"Zm9vYmF*", "invalid base64url: unexpected character at offset 7"},
      {"Zm9vY*", "invalid base64url: unexpected character at offset 5"},
      {"Z=9v", "invalid base64url: unexpected character at offset 1"},
      {"Zm 9", "invalid base64url: unexpected character at offset 2"},
      {"Zm9vY", "invalid base64url: length 5 cannot be decoded"},
      {"Z===", "invalid base64url: length 1 cannot be decoded"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK_THROWS_WITH(kv::base64url_decode(row.text), row.message);
  }
}
