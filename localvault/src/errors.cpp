#include "kv/localvault/errors.hpp"

#include <cerrno>
#include <system_error>

#include <nlohmann/json.hpp>

namespace kv::localvault::errors {

std::string shortened(std::string_view text, std::size_t limit) {
  return text.size() <= limit ? std::string(text) : std::string(text.substr(0, limit)) + "...";
}

CoreResponse make(int status, std::string_view code, std::string_view message,
                  std::string_view inner_code) {
  nlohmann::ordered_json error;
  error["code"] = code;
  error["message"] = message;
  if (!inner_code.empty()) error["innererror"] = {{"code", inner_code}};
  CoreResponse response;
  response.status = status;
  response.body = nlohmann::ordered_json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.headers["Content-Type"] = "application/json; charset=utf-8";
  return response;
}

CoreResponse secret_not_found(std::string_view what) {
  return make(404, "SecretNotFound",
              "A secret with (name/id) " + std::string(what) +
                  " was not found in this key vault. If you recently deleted this secret you may "
                  "be able to recover it using the correct recovery command. For help resolving "
                  "this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
}

CoreResponse deleted_secret_not_found(std::string_view name) {
  return make(404, "SecretNotFound", "Deleted Secret not found: " + std::string(name));
}

CoreResponse secret_disabled() {
  return make(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
              "SecretDisabled");
}

CoreResponse deleted_but_recoverable(std::string_view name) {
  return make(409, "Conflict",
              "Secret " + std::string(name) +
                  " is currently in a deleted but recoverable state, and its name cannot be "
                  "reused; in this state, the secret can only be recovered or purged.",
              "ObjectIsDeletedButRecoverable");
}

namespace {
// 409: secret `name` is in the middle of `what` ("deleted", "recovered") and cannot be re-created.
CoreResponse busy(std::string_view name, std::string_view what, const char* code) {
  return make(409, "Conflict",
              "Secret " + std::string(name) + " is currently being " + std::string(what) +
                  " and cannot be re-created; retry later.",
              code);
}
}  // namespace

CoreResponse being_deleted_recreate(std::string_view name) {
  return busy(name, "deleted", "ObjectIsBeingDeleted");
}

CoreResponse being_deleted() {
  return make(409, "Conflict", "Secret is currently being deleted.", "ObjectIsBeingDeleted");
}

CoreResponse being_recovered(std::string_view name) {
  return busy(name, "recovered", "ObjectIsBeingRecovered");
}

CoreResponse purge_protected() {
  return make(403, "Forbidden",
              "Operation \"purge\" is not allowed because purge protection is enabled for this "
              "vault. Key Vault service will automatically purge it after the retention period "
              "has passed.\r\nVault: localvault;location=local");
}

CoreResponse restore_conflict(std::string_view versioned_id) {
  return make(409, "Conflict",
              "There was a conflict restoring the secret '" + std::string(versioned_id) +
                  "'. This can happen if either: a second secret with the same name was created "
                  "after the first secret was deleted; thus trying to restore a secret whose name "
                  "is already in use. To fix this, rename the second secret to something else so "
                  "that the restore works. The second probable cause of this exception is when "
                  "multiple operations are performed in parallel against the secret. To avoid "
                  "this error, perform operations against a secret in a sequential manner.");
}

CoreResponse malformed_backup(std::string_view message) {
  return make(400, "Malformed backup blob", message);
}

CoreResponse bad_parameter(std::string_view message) {
  return make(400, "BadParameter", message);
}

CoreResponse method_not_allowed(std::string_view method) {
  return make(405, "MethodNotAllowed", "HTTP " + std::string(method) + " not allowed");
}

CoreResponse unknown_path() {
  return make(404, "NotFound", "The requested path does not name a Key Vault secrets resource.");
}

CoreResponse body_too_large(std::size_t limit) {
  return make(413, "RequestEntityTooLarge",
              "The request body is larger than the limit of " + std::to_string(limit) + " bytes.");
}

CoreResponse not_saved(const std::exception& cause) {
  bool no_space = false;
  if (const auto* system = dynamic_cast<const std::system_error*>(&cause))
    no_space = system->code() == std::errc::no_space_on_device ||
               system->code() == std::error_code(EDQUOT, std::generic_category());
  return make(no_space ? 507 : 500, no_space ? "InsufficientStorage" : "InternalServerError",
              "The change was not made: localvault could not save its state (" +
                  std::string(cause.what()) + ").");
}

CoreResponse unauthorized(std::string_view message) {
  return make(401, "Unauthorized", message);
}

}  // namespace kv::localvault::errors
