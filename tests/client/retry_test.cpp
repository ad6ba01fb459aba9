// The retry stage: which responses are retried, how long it waits, and when it gives up.
#include <catch2/catch.hpp>

#include "scripted_transport.hpp"

using kvtest::ClientFixture;
using namespace std::chrono_literals;

namespace {
// With fixed_random(0.5) the jitter factor is 0.8 + 0.5 * 0.5 = 1.05.
constexpr std::chrono::milliseconds kFirstBackoff{840};
}  // namespace

TEST_CASE("A 503 without a retry hint is retried after RetryDelay with jitter") {
  ClientFixture f;
  f.transport->respond(503, "");
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  auto result = f.client().GetSecret("s");
  CHECK(result.Value.Value == "x");
  CHECK(f.transport->requests().size() == 2);
  CHECK(f.clock->slept() == kFirstBackoff);
}

TEST_CASE("Every attempt of a retried request carries the same client request id") {
  ClientFixture f;
  f.options.Random = kvtest::fixed_random(0.25);
  f.transport->respond(500, "");
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  auto requests = f.transport->requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].headers.get("x-ms-client-request-id") ==
        requests[1].headers.get("x-ms-client-request-id"));
}

TEST_CASE("A 429 with retry-after-ms waits exactly that long") {
  ClientFixture f;
  f.transport->respond(429, "", {{"retry-after-ms", "1500"}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  CHECK(f.clock->slept() == 1500ms);
}

TEST_CASE("A 429 with x-ms-retry-after-ms waits exactly that long") {
  ClientFixture f;
  f.transport->respond(429, "", {{"x-ms-retry-after-ms", "250"}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  CHECK(f.clock->slept() == 250ms);
}

TEST_CASE("A 503 with Retry-After in seconds waits that many seconds") {
  ClientFixture f;
  f.transport->respond(503, "", {{"Retry-After", "7"}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  CHECK(f.clock->slept() == 7s);
}

TEST_CASE("A 429 with Retry-After as an HTTP date waits until that date on the injected clock") {
  ClientFixture f;  // the ManualClock starts at 1700000000 = Tue, 14 Nov 2023 22:13:20 GMT
  f.transport->respond(429, "", {{"Retry-After", "Tue, 14 Nov 2023 22:13:23 GMT"}});
  f.transport->respond(429, "", {{"Retry-After", "Mon, 13 Nov 2023 00:00:00 GMT"}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  CHECK(f.clock->slept() == 3s);  // a date in the past means no wait
}

TEST_CASE("An unreadable Retry-After falls back to the exponential back-off") {
  ClientFixture f;
  f.transport->respond(503, "", {{"Retry-After", "soon"}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  CHECK(f.clock->slept() == kFirstBackoff);
}

TEST_CASE("A connection reset is retried") {
  ClientFixture f;
  f.transport->fail(56, "Recv failure: Connection reset by peer");
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  CHECK(f.client().GetSecret("s").Value.Value == "x");
  CHECK(f.transport->requests().size() == 2);
  CHECK(f.clock->slept() == kFirstBackoff);
}

TEST_CASE("After MaxRetries the last response is returned as a RequestFailedException") {
  ClientFixture f;
  for (int i = 0; i < 4; ++i) f.transport->respond(503, "");
  CHECK_THROWS_AS(f.client().GetSecret("s"), kv::RequestFailedException);
  CHECK(f.transport->requests().size() == 4);
  // Back-off doubles per attempt: 840 + 1680 + 3360.
  CHECK(f.clock->slept() == 5880ms);
}

TEST_CASE("After MaxRetries the last transport error is rethrown") {
  ClientFixture f;
  f.options.Retry.MaxRetries = 2;
  f.transport->fail(7, "Failed to connect (first)");
  f.transport->fail(7, "Failed to connect (second)");
  f.transport->fail(28, "Operation timed out");
  try {
    f.client().GetSecret("s");
    FAIL("no exception");
  } catch (const kv::http::TransportError& e) {
    CHECK(e.code() == 28);
    CHECK(e.detail() == "Operation timed out");
    CHECK(std::string(e.what()) ==
          "GET https://myvault.vault.azure.net/secrets/s?api-version=7.5 failed: transport error "
          "28: Operation timed out");
  }
  CHECK(f.transport->requests().size() == 3);
  CHECK(f.clock->slept() == 840ms + 1680ms);
}

TEST_CASE("One back-off never exceeds MaxRetryDelay") {
  ClientFixture f;
  f.options.Random = kvtest::fixed_random(0.99);  // jitter 1.295
  f.options.Retry.RetryDelay = 1000ms;
  f.options.Retry.MaxRetryDelay = 1500ms;
  f.options.Retry.MaxRetries = 2;
  for (int i = 0; i < 3; ++i) f.transport->respond(502, "");
  CHECK_THROWS_AS(f.client().GetSecret("s"), kv::RequestFailedException);
  CHECK(f.clock->slept() == 1295ms + 1500ms);
}

TEST_CASE("Statuses outside RetryOptions::StatusCodes are not retried") {
  ClientFixture f;
  f.transport->respond(409, "");
  CHECK_THROWS_AS(f.client().GetSecret("s"), kv::RequestFailedException);
  CHECK(f.transport->requests().size() == 1);

  ClientFixture g;
  g.options.Retry.StatusCodes = {418};
  g.transport->respond(503, "");
  CHECK_THROWS_AS(g.client().GetSecret("s"), kv::RequestFailedException);
  CHECK(g.transport->requests().size() == 1);
  CHECK(g.clock->slept() == 0ms);
}
