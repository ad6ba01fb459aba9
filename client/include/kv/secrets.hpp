// Umbrella header of the kvharness Key Vault secrets client.
#pragma once

#include "kv/clock.hpp"
#include "kv/credentials.hpp"
#include "kv/curl_transport.hpp"
#include "kv/errors.hpp"
#include "kv/http.hpp"
#include "kv/models.hpp"
#include "kv/secret_client.hpp"
#include "kv/transport.hpp"
#include "kv/url.hpp"
