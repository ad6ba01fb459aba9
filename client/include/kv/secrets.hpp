// Umbrella header of the kvharness Key Vault secrets client.
#pragma once

#include "kv/base64url.hpp"
#include "kv/clock.hpp"
#include "kv/credentials.hpp"
#include "kv/curl_transport.hpp"
#include "kv/errors.hpp"
#include "kv/http.hpp"
#include "kv/models.hpp"
#include "kv/nullable.hpp"
#include "kv/secret_client.hpp"
#include "kv/transport.hpp"
#include "kv/url.hpp"

/// The spelling of the Azure SDK for C++ samples, so that their snippets compile unchanged.
/// Only this umbrella header declares it; include the individual headers to avoid it.
namespace Azure::Identity {
using ClientSecretCredential = ::kv::ClientSecretCredential;
}  // namespace Azure::Identity
