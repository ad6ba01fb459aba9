// Value types at the transport seam: headers, URLs and percent-encoding.
#include <catch2/catch.hpp>

#include "kv/http.hpp"
#include "kv/transport.hpp"
#include "kv/url.hpp"

using kv::Url;
using kv::http::Headers;

TEST_CASE("Header names compare case-insensitively and keep their order and casing") {
  Headers headers{{"Content-Type", "application/json"}, {"x-ms-request-id", "1"}};
  CHECK(headers.get("content-type") == "application/json");
  CHECK(headers.get("X-MS-REQUEST-ID") == "1");
  CHECK_FALSE(headers.get("Accept").has_value());
  CHECK(headers.find("accept") == nullptr);

  headers.add("Set-Cookie", "a");
  headers.add("set-cookie", "b");
  CHECK(headers.size() == 4);
  CHECK(headers.get("SET-COOKIE") == "a");

  headers.set("CONTENT-TYPE", "text/plain");
  CHECK(headers.begin()->first == "CONTENT-TYPE");  // replaced in place
  CHECK(headers.begin()->second == "text/plain");

  headers.set("set-cookie", "c");
  CHECK(headers.size() == 3);
  CHECK(headers.get("Set-Cookie") == "c");

  CHECK(headers.erase("X-Ms-Request-Id") == 1);
  CHECK(headers.erase("missing") == 0);
  CHECK(headers == Headers{{"CONTENT-TYPE", "text/plain"}, {"set-cookie", "c"}});
}

TEST_CASE("iequals and reason phrases") {
  CHECK(kv::http::iequals("WWW-Authenticate", "www-authenticate"));
  CHECK_FALSE(kv::http::iequals("abc", "abd"));
  CHECK_FALSE(kv::http::iequals("abc", "abcd"));
  CHECK(kv::http::reason_phrase(204) == "No Content");
  CHECK(kv::http::reason_phrase(429) == "Too Many Requests");
  CHECK(kv::http::reason_phrase(299).empty());
}

TEST_CASE("Body bytes convert to and from text") {
  auto bytes = kv::http::to_bytes("h\xc3\xa9");
  CHECK(bytes.size() == 3);
  CHECK(kv::http::as_text(bytes) == "h\xc3\xa9");
  kv::http::Request request{"PUT", "https://h/", {}, kv::http::to_bytes("{}")};
  CHECK(request.body_text() == "{}");
}

TEST_CASE("URLs parse into scheme, host, port, path and decoded query") {
  struct Case {
    const char* text;
    const char* scheme;
    const char* host;
    int port;
    int effective_port;
    const char* path;
  };
  const Case cases[] = {
      {"https://v.vault.azure.net", "https", "v.vault.azure.net", 0, 443, "/"},
      {"HTTPS://v.vault.azure.net:443/secrets/x", "https", "v.vault.azure.net", 443, 443,
       "/secrets/x"},
      {"http://127.0.0.1:8080/a/b/?q=1", "http", "127.0.0.1", 8080, 8080, "/a/b/"},
      {"http://[::1]:9/x#frag", "http", "::1", 9, 9, "/x"},
      {"http://localhost?x", "http", "localhost", 0, 80, "/"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    Url url(c.text);
    CHECK(url.scheme() == c.scheme);
    CHECK(url.host() == c.host);
    CHECK(url.port() == c.port);
    CHECK(url.effective_port() == c.effective_port);
    CHECK(url.path() == c.path);
  }
}

TEST_CASE("Malformed URLs are rejected with the URL and the reason") {
  const std::pair<const char*, const char*> cases[] = {
      {"vault.azure.net/x", "expected scheme://host"},
      {"ftp://host/", "scheme must be http or https"},
      {"https:///path", "empty host"},
      {"https://host:/", "empty port"},
      {"https://host:99999/", "port must be 1-65535"},
      {"https://host:8a/", "port must be a number"},
      {"https://user@host/", "user info is not supported"},
      {"https://[::1/", "unterminated IPv6 address"},
      {"https://1]:.0.L.1:8443/",
       "a host with ':', '[' or ']' must be an IPv6 address in brackets"},
      {"https://a:b:443/", "a host with ':', '[' or ']' must be an IPv6 address in brackets"},
      {"http://[*[x]/", "an address in brackets must be an IPv6 address"},
      {"http://[host]/", "an address in brackets must be an IPv6 address"},
  };
  for (const auto& [text, why] : cases) {
    CHECK_THROWS_MATCHES(Url(text), std::invalid_argument,
                         Catch::Message(std::string("malformed URL '") + text + "': " + why));
  }
}

TEST_CASE("Query parameters are decoded in order, '+' is kept, and re-encoded by str()") {
  Url url(
      "https://v.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=eyJ+a/b%3D&maxresults=1");
  REQUIRE(url.query().size() == 3);
  CHECK(url.query()[0] == Url::QueryParam{"api-version", "7.2"});
  CHECK(*url.query_value("$skiptoken") == "eyJ+a/b=");
  CHECK(url.query_value("missing") == nullptr);

  url.set_query("api-version", "7.5");
  url.remove_query("maxresults");
  url.set_query("new", "a b");
  CHECK(url.str() ==
        "https://v.vault.azure.net:443/"
        "secrets?api-version=7.5&%24skiptoken=eyJ%2Ba%2Fb%3D&new=a%20b");
  CHECK(url.authority_url() == "https://v.vault.azure.net:443");

  Url ipv6("http://[::1]:8443/");
  CHECK(ipv6.authority_url() == "http://[::1]:8443");
}

TEST_CASE("Path segments are the non-empty parts of the path, percent-decoded") {
  CHECK(Url("https://h/secrets/a%20b/%2F?x=1").path_segments() ==
        std::vector<std::string>{"secrets", "a b", "/"});
  CHECK(Url("https://h//secrets//x/").path_segments() == std::vector<std::string>{"secrets", "x"});
  CHECK(Url("https://h").path_segments().empty());
}

TEST_CASE("set_query replaces every duplicate of a parameter") {
  Url url("https://h/?a=1&b=2&a=3");
  url.set_query("a", "9");
  CHECK(url.str() == "https://h/?a=9&b=2");
}

TEST_CASE("Percent-encoding keeps only unreserved characters, and decoding tolerates bad escapes") {
  CHECK(kv::url_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(kv::url_encode("a b/+=&%\xc3\xa9") == "a%20b%2F%2B%3D%26%25%C3%A9");
  CHECK(kv::url_decode("a%20b%2f%C3%A9") == "a b/\xc3\xa9");
  CHECK(kv::url_decode("a+b") == "a+b");
  CHECK(kv::form_decode("a+b") == "a b");
  CHECK(kv::url_decode("a+b") == "a+b");
  CHECK(kv::url_decode("100%") == "100%");
  CHECK(kv::url_decode("%zz%4") == "%zz%4");
}

TEST_CASE("TransportError carries the code, detail, method and URL") {
  kv::http::TransportError error(6, "Could not resolve host: nowhere", "GET", "https://nowhere/");
  CHECK(error.code() == 6);
  CHECK(error.detail() == "Could not resolve host: nowhere");
  CHECK(error.method() == "GET");
  CHECK(error.url() == "https://nowhere/");
  CHECK(std::string(error.what()) ==
        "GET https://nowhere/ failed: transport error 6: Could not resolve host: nowhere");
}
