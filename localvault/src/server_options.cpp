#include "kv/localvault/server_options.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

#include "unique_fd.hpp"

namespace kv::localvault {

namespace {
constexpr const char* kUsage =
    R"(Usage: localvault [options]
A local Azure Key Vault (secrets) compatible HTTPS server with an OAuth2 token endpoint.

  --host HOST             address to listen on (default 127.0.0.1)
  --port N                port; 0 picks a free one (default 0)
  --ready-file FILE       write the vault URL and a newline to FILE once listening
  --cert FILE --key FILE  serve this PEM certificate and key instead of a generated one
  --cert-out FILE         write the served certificate (PEM) to FILE before the ready file
  --tenant ID             tenant of the token endpoint (default 00000000-0000-0000-0000-000000000000)
  --client-id ID          the one client allowed to get tokens (default localvault-client)
  --client-secret-file F  read its secret from F (mode 0600 or stricter)
  --client-secret S       its secret; visible to other users in ps, prefer the file or
                          LOCALVAULT_CLIENT_SECRET (generated and shown on stderr when none)
  --no-auth               accept requests without a bearer token
  --data FILE             keep the vault state in FILE across restarts (atomic writes)
  --backup-key FILE       backup encryption key: 32 raw bytes or 64 hex digits (default: per run)
  --recoverable-days N    soft-delete retention, 7-90 (default 90)
  --recovery-level S      recoveryLevel to report (default derived: Recoverable+Purgeable)
  --purge-protection      refuse purge with 403 (recovery level without +Purgeable)
  --delete-delay MS       "being deleted" window after DELETE (default 300)
  --recover-delay MS      "being recovered" window after recover (default 300)
  --purge-delay MS        window after purge in which restore/set answer 409 (default 300)
  --token-lifetime S      lifetime of issued tokens in seconds (default 3600)
  --threads N             worker threads for requests; idle connections need none (default 32)
  --idle-timeout S        close keep-alive connections idle for S seconds (default 240)
  --request-timeout S     answer 408 to a request not complete after S seconds (default 10)
  --max-connections N     open connections at most; more are closed at once (default 10000)
  --max-header-bytes N    larger request header sections get 431 (default 65536)
  --help                  show this text
  --version               show the version
)";

const std::set<std::string> kRecoveryLevels = {"Purgeable",
                                               "Recoverable+Purgeable",
                                               "Recoverable",
                                               "Recoverable+ProtectedSubscription",
                                               "CustomizedRecoverable+Purgeable",
                                               "CustomizedRecoverable",
                                               "CustomizedRecoverable+ProtectedSubscription"};

bool parse_int(const std::string& text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}
}  // namespace

std::string effective_recovery_level(const ServerOptions& o) {
  if (!o.recovery_level.empty()) return o.recovery_level;
  std::string base = o.recoverable_days == 90 ? "Recoverable" : "CustomizedRecoverable";
  return o.purge_protection ? base : base + "+Purgeable";
}

ParsedOptions parse_server_options(const std::vector<std::string>& args) {
  ParsedOptions parsed;
  ServerOptions& o = parsed.options;
  auto fail = [&](const std::string& message) {
    parsed.message = "localvault: " + message + "\nTry 'localvault --help'.\n";
    parsed.exit_code = 2;
    return parsed;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    auto flag = [&](bool& target) {
      if (inline_value) return false;
      target = true;
      return true;
    };
    auto next = [&](std::string& target) {
      if (inline_value) {
        target = value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      target = args[++i];
      return true;
    };
    auto number = [&](std::int64_t& target, std::int64_t lo, std::int64_t hi) -> std::string {
      std::string text;
      if (!next(text)) return arg + " needs a value";
      std::int64_t n = 0;
      if (!parse_int(text, n) || n < lo || n > hi)
        return arg + " must be an integer from " + std::to_string(lo) + " to " +
               std::to_string(hi) + ", got '" + text + "'";
      target = n;
      return {};
    };
    std::string error;
    std::int64_t n = 0;
    if (arg == "--help") {
      if (!flag(o.help)) error = "--help takes no value";
    } else if (arg == "--version") {
      if (!flag(o.version)) error = "--version takes no value";
    } else if (arg == "--no-auth") {
      if (!flag(o.no_auth)) error = "--no-auth takes no value";
    } else if (arg == "--purge-protection") {
      if (!flag(o.purge_protection)) error = "--purge-protection takes no value";
    } else if (arg == "--host" || arg == "--ready-file" || arg == "--cert" || arg == "--key" ||
               arg == "--cert-out" || arg == "--tenant" || arg == "--client-id" ||
               arg == "--data" || arg == "--backup-key" || arg == "--recovery-level" ||
               arg == "--client-secret" || arg == "--client-secret-file") {
      std::string text;
      if (!next(text) || text.empty()) {
        error = arg + " needs a non-empty value";
      } else if (arg == "--host") {
        o.host = text;
      } else if (arg == "--ready-file") {
        o.ready_file = text;
      } else if (arg == "--cert") {
        o.cert_file = text;
      } else if (arg == "--key") {
        o.key_file = text;
      } else if (arg == "--cert-out") {
        o.cert_out = text;
      } else if (arg == "--tenant") {
        o.tenant = text;
      } else if (arg == "--client-id") {
        o.client_id = text;
      } else if (arg == "--data") {
        o.data_file = text;
      } else if (arg == "--backup-key") {
        o.backup_key_file = text;
      } else if (arg == "--recovery-level") {
        o.recovery_level = text;
      } else if (arg == "--client-secret-file") {
        o.client_secret_file = text;
      } else {
        o.client_secret = text;
      }
    } else if (arg == "--port") {
      if ((error = number(n, 0, 65535)).empty()) o.port = static_cast<int>(n);
    } else if (arg == "--recoverable-days") {
      if ((error = number(n, 7, 90)).empty()) o.recoverable_days = static_cast<int>(n);
    } else if (arg == "--delete-delay") {
      error = number(o.delete_delay_ms, 0, 3600000);
    } else if (arg == "--recover-delay") {
      error = number(o.recover_delay_ms, 0, 3600000);
    } else if (arg == "--purge-delay") {
      error = number(o.purge_delay_ms, 0, 3600000);
    } else if (arg == "--token-lifetime") {
      error = number(o.token_lifetime_s, 1, 86400 * 7);
    } else if (arg == "--threads") {
      if ((error = number(n, 1, 1024)).empty()) o.threads = static_cast<int>(n);
    } else if (arg == "--idle-timeout") {
      if ((error = number(n, 1, 86400)).empty()) o.idle_timeout_s = static_cast<int>(n);
    } else if (arg == "--request-timeout") {
      if ((error = number(n, 1, 3600)).empty()) o.request_timeout_s = static_cast<int>(n);
    } else if (arg == "--max-connections") {
      if ((error = number(n, 1, 1000000)).empty()) o.max_connections = static_cast<int>(n);
    } else if (arg == "--max-header-bytes") {
      if ((error = number(n, 1024, 16 * 1024 * 1024)).empty())
        o.max_header_bytes = static_cast<int>(n);
    } else {
      error = "unknown option '" + arg + "'";
    }
    if (!error.empty()) return fail(error);
  }
  if (o.help) {
    parsed.message = kUsage;
    parsed.exit_code = 0;
    return parsed;
  }
  if (o.version) {
    parsed.message = "localvault 0.1.0\n";
    parsed.exit_code = 0;
    return parsed;
  }
  if (o.cert_file.empty() != o.key_file.empty())
    return fail("--cert and --key must be given together");
  if (o.client_secret && !o.client_secret_file.empty())
    return fail("--client-secret and --client-secret-file cannot be given together");
  if (!o.recovery_level.empty() && !kRecoveryLevels.count(o.recovery_level))
    return fail("--recovery-level '" + o.recovery_level +
                "' is not one of Purgeable, Recoverable+Purgeable, Recoverable, "
                "Recoverable+ProtectedSubscription, CustomizedRecoverable+Purgeable, "
                "CustomizedRecoverable, CustomizedRecoverable+ProtectedSubscription");
  if (o.purge_protection && o.recovery_level.find("Purgeable") != std::string::npos)
    return fail("--purge-protection contradicts --recovery-level " + o.recovery_level);
  if (o.recovery_level == "Purgeable") o.recoverable_days = 0;
  return parsed;
}

namespace {
std::string read_secret_file(const std::string& path) {
  const std::string what = "--client-secret-file " + path;
  detail::UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  int fd = file.get();
  if (fd < 0) throw std::runtime_error("cannot read " + what + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw std::runtime_error(what + " is not a regular file");
  // Checked on the open file, so that the file read is the file judged (O_NONBLOCK: a FIFO
  // given by mistake is refused here instead of blocking the start).
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error(what + " is accessible by group or others (mode " + mode +
                             "); make it private with: chmod 600 " + path);
  }
  constexpr std::size_t kMaxSecret = 4096;
  std::string content(kMaxSecret + 1, '\0');
  std::size_t size = 0;
  while (size < content.size()) {
    ssize_t n = ::read(fd, content.data() + size, content.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  if (size > kMaxSecret)
    throw std::runtime_error(what + " is larger than " + std::to_string(kMaxSecret) + " bytes");
  content.resize(size);
  // Editors and `echo` end the file with a newline that is not part of the secret.
  if (!content.empty() && content.back() == '\n') content.pop_back();
  if (!content.empty() && content.back() == '\r') content.pop_back();
  if (content.empty()) throw std::runtime_error(what + " is empty");
  return content;
}
}  // namespace

std::optional<std::string> resolve_client_secret(const ServerOptions& options,
                                                 const char* environment_value) {
  if (options.client_secret) return options.client_secret;
  if (!options.client_secret_file.empty()) return read_secret_file(options.client_secret_file);
  if (environment_value == nullptr) return std::nullopt;
  if (*environment_value == '\0')
    throw std::runtime_error(std::string(kClientSecretVariable) +
                             " is set but empty; unset it to have a secret generated");
  return std::string(environment_value);
}

}  // namespace kv::localvault
