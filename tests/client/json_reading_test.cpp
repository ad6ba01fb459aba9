// Reading the service's answers: exactly the JSON nlohmann/json accepts is accepted, every
// rejection says where (with nlohmann/json's byte numbering), and shape errors name the same
// field whatever the member order.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scripted_transport.hpp"

using kvtest::ClientFixture;

namespace {

const std::string kPrefix =
    "GET https://myvault.vault.azure.net/secrets/s?api-version=7.5 -> 200: ";

// What GetSecret makes of `body`: "ok", or the message of the error it throws.
std::string get_secret_with_body(const std::string& body) {
  ClientFixture f;
  f.transport->respond(200, body);
  try {
    f.client().GetSecret("s");
    return "ok";
  } catch (const std::exception& e) {
    return e.what();
  }
}

// What nlohmann/json says of `body`: "ok", or the message the client must give for it.
std::string nlohmann_verdict(const std::string& body) {
  try {
    const auto parsed = nlohmann::json::parse(body);
    static_cast<void>(parsed);
    return "ok";
  } catch (const nlohmann::json::parse_error& e) {
    return kPrefix + "response body is not valid JSON (parse error at byte " +
           std::to_string(e.byte) + ")";
  }
}

std::string nested(int depth) {
  return R"({"deep":)" + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "}";
}

}  // namespace

TEST_CASE("Bodies nlohmann/json accepts are read, and those it rejects fail at the same byte") {
  const std::vector<std::string> bodies = {
      // accepted
      "{}",
      " \t\r\n{ \"id\" : \"https://v/secrets/s/1\" , \"value\" : \"x\" } \n",
      "\xEF\xBB\xBF{\"value\":\"after a byte order mark\"}",
      R"({"value":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00\u0000z"})",
      "{\"value\":\"raw \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF \xF4\x8F\xBF\xBF\"}",
      R"({"unknown":[1,-0,0.5,1.5e10,1E+2,-1e-2,1e-400,true,false,null,{"a":[[],{}]}],"value":"v"})",
      R"({"attributes":{"created":18446744073709551615,"updated":-9223372036854775808}})",
      R"({"attributes":{"created":18446744073709551616,"updated":-9223372036854775809}})",
      R"({"attributes":{"created":1e-400,"updated":-2e-324,"nbf":0.000e99999999999}})",
      R"({"attributes":{"created":1.7976931348623157e308}})",
      R"({"tags":{"a":"1","b":null},"tags":{"c":"3"}})",
      nested(10000),
      // rejected
      "",
      "   ",
      "{",
      R"({"a"})",
      R"({"a":})",
      R"({"a":1,})",
      R"({"a":[1,]})",
      R"({"a":[,1]})",
      "{,}",
      R"({"a":1}x)",
      R"({"a":1}{})",
      R"({"a":1 "b":2})",
      "{'a':1}",
      R"({"a":tru})",
      R"({"a":nul})",
      R"({"a":truex})",
      R"({"a":01})",
      R"({"a":1.})",
      R"({"a":.5})",
      R"({"a":+1})",
      R"({"a":-})",
      R"({"a":1e})",
      R"({"a":1e+})",
      "{\"a\":\"\x01\"}",
      "{\"a\":\"tab\tinside\"}",
      R"({"a":"\q"})",
      R"({"a":"\u12"})",
      R"({"a":"\u12G4"})",
      R"({"a":"\ud800"})",
      R"({"a":"\udc00"})",
      R"({"a":"\ud800\u0041"})",
      "{\"a\":\"\xC0\x80\"}",
      "{\"a\":\"\xC1\xBF\"}",
      "{\"a\":\"\xE0\x80\x80\"}",
      "{\"a\":\"\xED\xA0\x80\"}",
      "{\"a\":\"\xF0\x80\x80\x80\"}",
      "{\"a\":\"\xF4\x90\x80\x80\"}",
      "{\"a\":\"\xF5\x80\x80\x80\"}",
      "{\"a\":\"\xE2\x82\"}",
      "{\"a\":\"\xFF\"}",
      "{\"a\":\"\x80\"}",
      "{\"a\":\"unterminated",
      "{\"value\":\"0123456789abcdef0123456789abcdef",
      "/* comment */ {}",
      "\xEF\xBB{}",
      "\xEF\xBB\xBF",
      std::string("{\"a\":1}\0", 8),
      std::string("{\"a\":1} \0 not JSON", 18),
      std::string("\0{}", 3),
      std::string("{\"a\":\0}", 7),
      std::string("{\"a\":\"nul\0inside\"}", 18),
      nested(10000).substr(0, 15000),
  };
  for (const auto& body : bodies) {
    INFO("body: " << body.substr(0, 80));
    const std::string expected = nlohmann_verdict(body);
    const std::string actual = get_secret_with_body(body);
    if (expected == "ok") {
      CHECK(actual.find("not valid JSON") == std::string::npos);
      CHECK(actual.find("response body is empty") == std::string::npos);
    } else if (body.empty()) {
      CHECK(actual == kPrefix + "response body is empty");
    } else {
      CHECK(actual == expected);
    }
  }
}

TEST_CASE("A number too large for a double is reported as invalid JSON at the number") {
  CHECK(get_secret_with_body(R"({"attributes":{"created":1e999}})") ==
        kPrefix + "response body is not valid JSON (parse error at byte 26)");
  CHECK(get_secret_with_body(R"({"attributes":{"created":-1.7976931348623159e308}})") ==
        kPrefix + "response body is not valid JSON (parse error at byte 26)");
  CHECK(get_secret_with_body(R"({"attributes":{"created":0.01e311}})") ==
        kPrefix + "response body is not valid JSON (parse error at byte 26)");
}

TEST_CASE("Times beyond what a time point holds are an error naming the field") {
  CHECK(
      get_secret_with_body(R"({"attributes":{"updated":-9223372036854775808}})") ==
      kPrefix +
          "field 'attributes.updated': -9223372036854775808 seconds is out of the range of times");
  CHECK(get_secret_with_body(R"({"attributes":{"exp":9223372037}})") ==
        kPrefix + "field 'attributes.exp': 9223372037 seconds is out of the range of times");
  CHECK(get_secret_with_body(R"({"attributes":{"nbf":1e300}})") ==
        kPrefix + "field 'attributes.nbf': number out of range");
  CHECK(get_secret_with_body(R"({"attributes":{"nbf":9223372036}})") == "ok");
}

TEST_CASE("A number too small for a double reads as zero") {
  ClientFixture f;
  f.transport->respond(200, R"({"attributes":{"created":1e-400,"updated":-25e-330}})");
  auto p = f.client().GetSecret("s").Value.Properties;
  CHECK(p.CreatedOn == kvtest::at(0));
  CHECK(p.UpdatedOn == kvtest::at(0));
}

TEST_CASE("Shape errors name the first wrong field in a fixed order, whatever the member order") {
  struct Row {
    std::string body;
    std::string message;
  };
  const std::vector<Row> rows = {
      {R"({"attributes":{"enabled":"yes"},"contentType":5})",
       "field 'contentType': expected a string, found number"},
      {R"({"contentType":5,"attributes":{"enabled":"yes"}})",
       "field 'contentType': expected a string, found number"},
      {R"({"value":7,"id":[]})", "field 'id': expected a string, found array"},
      {R"({"tags":{"b":1,"a":true}})", "field 'tags.a': expected a string, found boolean"},
      {R"({"tags":[]})", "field 'tags': expected an object, found array"},
      {R"({"attributes":"x"})", "field 'attributes': expected an object, found string"},
      {R"({"attributes":{"nbf":"soon"}})",
       "field 'attributes.nbf': expected a number, found \"soon\""},
      {R"({"attributes":{"exp":{}}})",
       "field 'attributes.exp': expected a number or numeric string, found object"},
      {R"({"managed":"true"})", "field 'managed': expected a boolean, found string"},
      {R"({"value":{"nested":"x"}})", "field 'value': expected a string, found object"},
      {R"("just a string")", "expected a JSON object, found string"},
      {"[1,2]", "expected a JSON object, found array"},
      {"null", "expected a JSON object, found null"},
      {"12", "expected a JSON object, found number"},
      // A syntax error anywhere wins over a shape error before it.
      {R"({"value":7,"id":)", "response body is not valid JSON (parse error at byte 17)"},
  };
  for (const auto& row : rows) {
    INFO("body: " << row.body);
    CHECK(get_secret_with_body(row.body) == kPrefix + row.message);
  }
}

TEST_CASE("Of two members with the same name the last one counts, as in a parsed document") {
  ClientFixture f;
  f.transport->respond(
      200,
      R"({"value":5,"value":"second","attributes":{"enabled":"no"},"attributes":{"enabled":false},"tags":{"x":1},"tags":{"y":"2"}})");
  auto secret = f.client().GetSecret("s").Value;
  CHECK(secret.Value == "second");
  CHECK(secret.Properties.Enabled == false);
  CHECK(secret.Properties.Tags == std::map<std::string, std::string>{{"y", "2"}});
}

TEST_CASE("Escaped member names and values are decoded before they are matched and stored") {
  ClientFixture f;
  f.transport->respond(
      200,
      R"({"\u0076alue":"line\nbreak \"quoted\" \u00e9","i\u0064":"https://myvault.vault.azure.net/secrets/s/v\u0031","tags":{"k\u00e9y":"v\/1"}})");
  auto secret = f.client().GetSecret("s").Value;
  CHECK(secret.Value == "line\nbreak \"quoted\" \xC3\xA9");
  CHECK(secret.Properties.Version == "v1");
  CHECK(secret.Properties.Tags == std::map<std::string, std::string>{{"k\xC3\xA9y", "v/1"}});
}

TEST_CASE("Numbers are read as nlohmann/json reads them: integers, unsigned, fractions, strings") {
  ClientFixture f;
  f.transport->respond(
      200,
      R"({"attributes":{"created":1629853317,"updated":"1629853318","nbf":1629853319.9,"exp":-5,"recoverableDays":7.0}})");
  auto p = f.client().GetSecret("s").Value.Properties;
  CHECK(p.CreatedOn == kvtest::at(1629853317));
  CHECK(p.UpdatedOn == kvtest::at(1629853318));
  CHECK(p.NotBefore == kvtest::at(1629853319));
  CHECK(p.ExpiresOn == kvtest::at(-5));
  CHECK(p.RecoverableDays == 7);
}

TEST_CASE("A list page with a bad item names its index; a bad nextLink is named too") {
  ClientFixture f;
  f.transport->respond(200, R"({"value":[{"id":"https://v/secrets/a"},{"id":1}],"nextLink":null})");
  f.transport->respond(200, R"({"value":[],"nextLink":7})");
  f.transport->respond(200, R"({"value":{},"nextLink":null})");
  f.transport->respond(200,
                       R"({"value":[{"id":"https://v/secrets/a"}],"value":[],"nextLink":"n"})");
  auto client = f.client();
  const std::string prefix = "GET https://myvault.vault.azure.net/secrets?api-version=7.5 -> 200: ";
  CHECK_THROWS_WITH(
      client.GetPropertiesOfSecrets(),
      prefix + "list response: value[1]: field 'id': expected a string, found number");
  CHECK_THROWS_WITH(client.GetPropertiesOfSecrets(),
                    prefix + "list response: 'nextLink' is not a string");
  CHECK_THROWS_WITH(client.GetPropertiesOfSecrets(),
                    prefix + "list response: 'value' is not an array");
  auto page = client.GetPropertiesOfSecrets();
  CHECK(page.Items.empty());
  CHECK(page.NextPageToken == std::optional<std::string>("n"));
}

TEST_CASE("Every byte position of a long string is checked and decoded as nlohmann/json does") {
  const std::vector<std::string> specials = {
      "\\n", "\\u00e9", "\xC3\xA9", "\xE2\x82\xAC",    "\x01", "\x7F", "\xC3",
      "\"",  "\\\"",    "\\",       "\xF0\x9F\x98\x80"};
  for (const auto& special : specials) {
    for (std::size_t at = 0; at < 20; ++at) {
      const std::string body =
          R"({"value":")" + std::string(at, 'a') + special + std::string(20, 'b') + R"("})";
      INFO("special " << special << " at " << at);
      const std::string expected = nlohmann_verdict(body);
      if (expected != "ok") {
        CHECK(get_secret_with_body(body) == expected);
        continue;
      }
      ClientFixture f;
      f.transport->respond(200, body);
      CHECK(f.client().GetSecret("s").Value.Value ==
            nlohmann::json::parse(body)["value"].get<std::string>());
    }
  }
}
