// The embedded localvault launcher: where it looks, what it starts, and that nothing outlives it.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "kv/harness/internal/termination.hpp"
#include "kv/harness/localvault.hpp"
#include "test_paths.hpp"

using namespace kv::harness;
namespace fs = std::filesystem;

namespace {

// A process that no longer exists (or is a zombie nobody reaped) counts as gone.
bool gone(pid_t pid) {
  if (detail::process_is_gone(pid)) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

bool wait_until_gone(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (gone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return gone(pid);
}

pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

}  // namespace

TEST_CASE("localvault is found beside the build tree's executables, or where it is told",
          "[launcher]") {
  const std::string found = find_localvault();
  CHECK(fs::path(found).filename() == "localvault");
  CHECK(fs::path(found).parent_path().filename() == "localvault");
  CHECK(find_localvault(found) == found);
  CHECK_THROWS_WITH(find_localvault("/nonexistent/localvault"),
                    "localvault /nonexistent/localvault is not an executable file");
  ::setenv("KV_LOCALVAULT", "/nonexistent/lv", 1);
  CHECK_THROWS_WITH(find_localvault(), "KV_LOCALVAULT=/nonexistent/lv is not an executable file");
  ::unsetenv("KV_LOCALVAULT");
}

TEST_CASE("A started local vault listens on 127.0.0.1 and leaves nothing behind when stopped",
          "[launcher]") {
  LocalVault vault;
  CHECK(std::regex_match(vault.url(), std::regex("https://127\\.0\\.0\\.1:[0-9]+")));
  CHECK(vault.port() > 0);
  CHECK(vault.certificate_pem().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(vault.tenant_id().rfind("tenant-", 0) == 0);
  CHECK(vault.client_secret().size() > 30);
  const std::string folder = vault.folder();
  const pid_t pid = vault.pid();
  // The client secret travels in the environment: a command line is visible to every user.
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  const std::string args((std::istreambuf_iterator<char>(cmdline)),
                         std::istreambuf_iterator<char>());
  CHECK(args.find("localvault") != std::string::npos);
  CHECK(args.find(vault.client_secret()) == std::string::npos);
  CHECK(args.find("--client-secret") == std::string::npos);
  CHECK(fs::exists(folder));
  CHECK(fs::path(folder).filename().string().rfind(
            "kvharness-localvault-" + std::to_string(::getpid()) + "-", 0) == 0);
  CHECK(vault.stop() == 0);
  CHECK(vault.pid() == -1);
  CHECK_FALSE(fs::exists(folder));
  CHECK(wait_until_gone(pid, std::chrono::seconds(1)));
}

TEST_CASE("A local vault dies with the process that started it, even one killed with SIGKILL",
          "[launcher]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t parent = ::fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    ::close(fds[0]);
    try {
      LocalVault vault;
      const pid_t pid = vault.pid();
      if (::write(fds[1], &pid, sizeof pid) != sizeof pid) ::_exit(3);
      ::pause();
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_t vault_pid = -1;
  REQUIRE(::read(fds[0], &vault_pid, sizeof vault_pid) == sizeof vault_pid);
  ::close(fds[0]);
  CHECK_FALSE(gone(vault_pid));
  ::kill(parent, SIGKILL);
  int status = 0;
  ::waitpid(parent, &status, 0);
  CHECK(wait_until_gone(vault_pid, std::chrono::seconds(5)));
}

TEST_CASE("Folders left by a killed launcher are removed when the next local vault starts",
          "[launcher]") {
  const fs::path temp = fs::temp_directory_path();
  const fs::path stale = temp / ("kvharness-localvault-" + std::to_string(dead_pid()) + "-test1");
  const fs::path alive = temp / ("kvharness-localvault-" + std::to_string(::getpid()) + "-test2");
  fs::create_directories(stale);
  fs::create_directories(alive);
  kv::test::write_text(stale / "cert.pem", "left over");
  {
    LocalVault vault;
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(alive));  // its owner (this test) is still running
  }
  fs::remove_all(alive);
}

TEST_CASE("A localvault that exits before it is ready is reported with its stderr", "[launcher]") {
  kv::test::ScratchDir dir("early-exit");
  const fs::path fake = dir.path() / "localvault";
  kv::test::write_text(fake, "#!/bin/sh\necho 'cannot bind: address in use' >&2\nexit 3\n");
  fs::permissions(fake, fs::perms::owner_all);
  LocalVaultOptions options;
  options.executable = fake.string();
  CHECK_THROWS_WITH(LocalVault(options),
                    "localvault (" + fake.string() +
                        ") exited with status 3 before it was ready; its stderr ends with:\n"
                        "cannot bind: address in use");
}
