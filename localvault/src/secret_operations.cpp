// The twelve secrets operations and the soft-delete life cycle (reference state table).
#include <algorithm>
#include <optional>

#include "kv/localvault/encoding.hpp"
#include "kv/localvault/errors.hpp"
#include "kv/localvault/vault_service.hpp"
#include "request_body.hpp"
#include "vault_call.hpp"

namespace kv::localvault {

namespace {
CoreResponse json_response(const nlohmann::ordered_json& body) {
  CoreResponse response;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.headers["Content-Type"] = "application/json; charset=utf-8";
  return response;
}

CoreResponse changed(CoreResponse response) {
  response.state_changed = true;
  return response;
}

// The answer of an operation that needs secret `name` in phase `wanted` when it is in `phase`
// instead (nothing when it is the wanted one): a secret being deleted or being recovered says so,
// any other is not found.
std::optional<CoreResponse> unless_in(Phase wanted, Phase phase, const std::string& name) {
  if (phase == wanted) return std::nullopt;
  if (phase == Phase::Deleting) return errors::being_deleted();
  if (phase == Phase::Recovering) return errors::being_recovered(name);
  return errors::secret_not_found(name);
}

std::string skiptoken(const std::string& marker) {
  nlohmann::ordered_json token{{"NextMarker", marker}, {"TargetLocation", 0}};
  return base64url_encode(token.dump());
}

// One page of `keys` (already in service order) after the call's marker.
template <typename Key, typename Render>
CoreResponse page(const VaultService::Call& call, const std::vector<Key>& keys, Render render) {
  auto start = keys.begin();
  if (call.skip_marker)
    start = std::upper_bound(keys.begin(), keys.end(), *call.skip_marker,
                             [](const std::string& m, const Key& k) { return m < k.first; });
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  auto it = start;
  for (; it != keys.end() && items.size() < static_cast<std::size_t>(call.max_results); ++it)
    items.push_back(render(*it));
  nlohmann::ordered_json body;
  body["value"] = std::move(items);
  if (it != keys.end()) {
    std::string link = call.base_url + call.list_path + "?api-version=" + call.api_version +
                       "&$skiptoken=" + skiptoken(std::prev(it)->first);
    if (call.max_results_given) link += "&maxresults=" + std::to_string(call.max_results);
    body["nextLink"] = link;
  } else {
    body["nextLink"] = nullptr;
  }
  return json_response(body);
}
}  // namespace

CoreResponse VaultService::set_secret(Call& call, const std::string& name,
                                      const std::string& body) {
  switch (phase_of(name, call.now_ms)) {
    case Phase::Deleting:
    case Phase::Purging:
      return errors::being_deleted_recreate(name);
    case Phase::Deleted:
      return errors::deleted_but_recoverable(name);
    case Phase::Recovering:
      return errors::being_recovered(name);
    case Phase::Absent:
    case Phase::Active:
      break;
  }
  auto parsed = detail::parse_set_body(body);
  if (auto* error = std::get_if<std::string>(&parsed)) return errors::bad_parameter(*error);
  detail::SetBody& set = std::get<detail::SetBody>(parsed);
  std::string key = name_key(name);
  remember(call, key);
  SecretRecord& record = state_.secrets[key];
  if (record.versions.empty()) {
    record.name = name;
    state_.purged_at_ms.erase(key);
  }
  SecretVersion version;
  version.version = hex_encode(random_bytes(random_, 16));
  version.value = std::move(set.value);
  version.attributes.created = version.attributes.updated = call.now_s;
  detail::apply_changes(set.properties, version);
  record.versions.push_back(std::move(version));
  return changed(json_response(render_bundle(record, record.versions.back(), call.render, true)));
}

CoreResponse VaultService::get_secret(Call& call, const std::string& name,
                                      const std::string& version) {
  std::string what = version.empty() ? name : name + "/" + version;
  if (phase_of(name, call.now_ms) != Phase::Active) return errors::secret_not_found(what);
  const SecretRecord& record = state_.secrets.at(name_key(name));
  const SecretVersion* found = &record.versions.back();
  if (!version.empty()) {
    auto it = std::find_if(record.versions.begin(), record.versions.end(),
                           [&](const SecretVersion& v) { return v.version == version; });
    if (it == record.versions.end()) return errors::secret_not_found(what);
    found = &*it;
  }
  if (!found->attributes.enabled) return errors::secret_disabled();
  return json_response(render_bundle(record, *found, call.render, true));
}

CoreResponse VaultService::update_secret(Call& call, const std::string& name,
                                         const std::string& version, const std::string& body) {
  std::string what = version.empty() ? name : name + "/" + version;
  if (phase_of(name, call.now_ms) != Phase::Active) return errors::secret_not_found(what);
  SecretRecord& record = state_.secrets.at(name_key(name));
  SecretVersion* found = &record.versions.back();
  if (!version.empty()) {
    auto it = std::find_if(record.versions.begin(), record.versions.end(),
                           [&](const SecretVersion& v) { return v.version == version; });
    if (it == record.versions.end()) return errors::secret_not_found(what);
    found = &*it;
  }
  auto parsed = detail::parse_update_body(body);
  if (auto* error = std::get_if<std::string>(&parsed)) return errors::bad_parameter(*error);
  remember(call, name_key(name));
  detail::apply_changes(std::get<detail::PropertyChanges>(parsed), *found);
  found->attributes.updated = call.now_s;
  return changed(json_response(render_bundle(record, *found, call.render, false)));
}

CoreResponse VaultService::list_secrets(Call& call) {
  std::vector<std::pair<std::string, const SecretRecord*>> keys;
  for (const auto& [key, record] : state_.secrets)
    if (phase_of(record.name, call.now_ms) == Phase::Active) keys.emplace_back(key, &record);
  return page(call, keys, [&](const auto& entry) {
    return render_item(*entry.second, entry.second->versions.back(), call.render, false);
  });
}

CoreResponse VaultService::list_versions(Call& call, const std::string& name) {
  // Unknown (or not active) names list as empty, as the service answers 200 with no items.
  std::vector<std::pair<std::string, const SecretVersion*>> keys;
  const SecretRecord* record = nullptr;
  if (phase_of(name, call.now_ms) == Phase::Active) {
    record = &state_.secrets.at(name_key(name));
    for (const SecretVersion& v : record->versions) keys.emplace_back(v.version, &v);
    std::sort(keys.begin(), keys.end());
  }
  return page(call, keys, [&](const auto& entry) {
    return render_item(*record, *entry.second, call.render, true);
  });
}

CoreResponse VaultService::list_deleted(Call& call) {
  std::vector<std::pair<std::string, const SecretRecord*>> keys;
  for (const auto& [key, record] : state_.secrets)
    if (phase_of(record.name, call.now_ms) == Phase::Deleted) keys.emplace_back(key, &record);
  return page(call, keys,
              [&](const auto& entry) { return render_deleted(*entry.second, call.render, true); });
}

CoreResponse VaultService::delete_secret(Call& call, const std::string& name) {
  if (auto refused = unless_in(Phase::Active, phase_of(name, call.now_ms), name)) return *refused;
  std::string key = name_key(name);
  remember(call, key);
  SecretRecord& record = state_.secrets.at(key);
  if (options_.recovery_level == "Purgeable") {
    // Without soft delete the deletion is immediate and final, and the answer has no recoveryId.
    nlohmann::ordered_json body = render_bundle(record, record.versions.back(), call.render, false);
    state_.secrets.erase(key);
    return changed(json_response(body));
  }
  record.deleted = true;
  record.deleted_at_ms = call.now_ms;
  record.recovered_at_ms.reset();
  return changed(json_response(render_deleted(record, call.render, false)));
}

CoreResponse VaultService::get_deleted(Call& call, const std::string& name) {
  switch (phase_of(name, call.now_ms)) {
    case Phase::Deleted:
      break;
    case Phase::Deleting:
    case Phase::Purging:
    case Phase::Recovering:
      return errors::deleted_secret_not_found(name);
    default:
      if (state_.purged_at_ms.count(name_key(name))) return errors::deleted_secret_not_found(name);
      return errors::secret_not_found(name);
  }
  const SecretRecord& record = state_.secrets.at(name_key(name));
  if (!record.versions.back().attributes.enabled) return errors::secret_disabled();
  return json_response(render_deleted(record, call.render, false));
}

CoreResponse VaultService::purge_deleted(Call& call, const std::string& name) {
  const Phase phase = phase_of(name, call.now_ms);
  if (phase == Phase::Purging) return errors::deleted_secret_not_found(name);
  if (auto refused = unless_in(Phase::Deleted, phase, name)) return *refused;
  if (options_.recovery_level.find("Purgeable") == std::string::npos)
    return errors::purge_protected();
  std::string key = name_key(name);
  remember(call, key);
  state_.secrets.erase(key);
  state_.purged_at_ms[key] = call.now_ms;
  CoreResponse response;
  response.status = 204;
  return changed(response);
}

CoreResponse VaultService::recover_deleted(Call& call, const std::string& name) {
  if (auto refused = unless_in(Phase::Deleted, phase_of(name, call.now_ms), name)) return *refused;
  remember(call, name_key(name));
  SecretRecord& record = state_.secrets.at(name_key(name));
  record.deleted = false;
  record.recovered_at_ms = call.now_ms;
  return changed(json_response(render_bundle(record, record.versions.back(), call.render, false)));
}

CoreResponse VaultService::backup_secret(Call& call, const std::string& name) {
  if (phase_of(name, call.now_ms) != Phase::Active) return errors::secret_not_found(name);
  const SecretRecord& record = state_.secrets.at(name_key(name));
  return json_response(nlohmann::ordered_json{{"value", backups_.seal(record, random_)}});
}

CoreResponse VaultService::restore_secret(Call& call, const std::string& body) {
  std::string error;
  auto blob = detail::parse_restore_body(body, error);
  if (!error.empty()) return errors::bad_parameter(error);
  auto opened = backups_.open(std::get<std::string>(blob));
  if (auto* message = std::get_if<std::string>(&opened)) return errors::malformed_backup(*message);
  BackupContents& contents = std::get<BackupContents>(opened);
  std::string versioned_id =
      call.base_url + "/secrets/" + contents.name + "/" + contents.versions.back().version;
  switch (phase_of(contents.name, call.now_ms)) {
    case Phase::Absent:
      break;
    case Phase::Deleting:
    case Phase::Deleted:
      return errors::deleted_but_recoverable(contents.name);
    case Phase::Recovering:
      return errors::being_recovered(contents.name);
    case Phase::Active:
    case Phase::Purging:
      return errors::restore_conflict(versioned_id);
  }
  std::string key = name_key(contents.name);
  remember(call, key);
  state_.purged_at_ms.erase(key);
  SecretRecord& record = state_.secrets[key];
  record = SecretRecord{};
  record.name = contents.name;
  record.versions = std::move(contents.versions);
  return changed(json_response(render_bundle(record, record.versions.back(), call.render, false)));
}

}  // namespace kv::localvault
