#include "kv/localvault/state_file.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "kv/localvault/atomic_file.hpp"

namespace kv::localvault {

std::optional<VaultState> load_state_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return state_from_json(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    throw std::runtime_error("data file " + path + " is not a localvault state: " + e.what());
  }
}

void save_state_file(const std::string& path, const VaultState& state) {
  write_file_atomically(path, state_to_json(state).dump(1) + "\n");
}

}  // namespace kv::localvault
