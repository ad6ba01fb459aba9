#pragma once
// Key Vault error responses, with the service's codes and message texts.

#include <exception>
#include <string>
#include <string_view>

#include "kv/localvault/http_message.hpp"

namespace kv::localvault::errors {

/// `text` cut to `limit` bytes plus "..." when longer, so that hostile input quoted in a
/// message stays short.
std::string shortened(std::string_view text, std::size_t limit = 160);

/// {"error":{"code","message"[,"innererror":{"code"}]}} with the given status.
CoreResponse make(int status, std::string_view code, std::string_view message,
                  std::string_view inner_code = {});

/// 404 SecretNotFound, "A secret with (name/id) {what} was not found in this key vault. ...".
CoreResponse secret_not_found(std::string_view what);

/// 404 SecretNotFound, "Deleted Secret not found: {name}" (deletion pending or purged).
CoreResponse deleted_secret_not_found(std::string_view name);

/// 403 Forbidden/SecretDisabled for reading a disabled secret.
CoreResponse secret_disabled();

/// 409 Conflict/ObjectIsDeletedButRecoverable for reusing a soft-deleted name.
CoreResponse deleted_but_recoverable(std::string_view name);

/// 409 Conflict/ObjectIsBeingDeleted for re-creating a name whose deletion is pending.
CoreResponse being_deleted_recreate(std::string_view name);

/// 409 Conflict/ObjectIsBeingDeleted, "Secret is currently being deleted." (purge, recover).
CoreResponse being_deleted();

/// 409 Conflict/ObjectIsBeingRecovered for touching a name whose recovery is pending.
CoreResponse being_recovered(std::string_view name);

/// 403 Forbidden for purging in a vault with purge protection.
CoreResponse purge_protected();

/// 409 Conflict for restoring onto a name in use (or whose purge has not settled).
CoreResponse restore_conflict(std::string_view versioned_id);

/// 400 "Malformed backup blob" with the given message.
CoreResponse malformed_backup(std::string_view message);

/// 400 BadParameter with the given message.
CoreResponse bad_parameter(std::string_view message);

/// 405 MethodNotAllowed, "HTTP {method} not allowed".
CoreResponse method_not_allowed(std::string_view method);

/// 404 NotFound for a path that names no vault resource.
CoreResponse unknown_path();

/// 413 for a body above the configured cap.
CoreResponse body_too_large(std::size_t limit);

/// 507 InsufficientStorage (for ENOSPC/EDQUOT) or 500 InternalServerError: the change could not be
/// persisted and was not made; the message carries the cause.
CoreResponse not_saved(const std::exception& cause);

/// 401 Unauthorized with the given message (the caller adds WWW-Authenticate).
CoreResponse unauthorized(std::string_view message);

/// The 401 message for a request without a bearer token.
inline constexpr std::string_view kMissingToken =
    "AKV10000: Request is missing a Bearer or PoP token.";

}  // namespace kv::localvault::errors
