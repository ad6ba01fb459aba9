// The termination registry: fixed-size, lock-free slots so that the signal handler needs nothing
// but async-signal-safe system calls (kill, waitpid, nanosleep, unlink, rmdir, raise).
#include "kv/harness/internal/termination.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>

namespace kv::harness {
namespace {

constexpr std::size_t kSlots = 64;
constexpr std::size_t kFilesPerSlot = 6;
constexpr std::size_t kPathBytes = 512;

enum SlotState : int { kFree = 0, kFilling = 1, kActive = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  pid_t pid = -1;
  std::size_t file_count = 0;
  char files[kFilesPerSlot][kPathBytes]{};
  char folder[kPathBytes]{};
};

std::array<Slot, kSlots> g_slots;

bool copy_path(char (&out)[kPathBytes], const std::string& path) {
  if (path.size() >= kPathBytes) return false;
  std::memcpy(out, path.c_str(), path.size() + 1);
  return true;
}

void pause_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void stop_child(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int waited = 0; waited < 3000; waited += 10) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return;
    pause_ms(10);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

extern "C" void on_termination(int signal_number) {
  const int saved_errno = errno;
  for (Slot& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) != kActive) continue;
    stop_child(slot.pid);
    for (std::size_t i = 0; i < slot.file_count; ++i) ::unlink(slot.files[i]);
    if (slot.folder[0] != '\0') ::rmdir(slot.folder);
  }
  errno = saved_errno;
  // End the way the signal would have ended us, so the parent sees the real cause.
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

}  // namespace

void install_termination_cleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_termination;
    sigemptyset(&action.sa_mask);
    // Block the other termination signals while cleaning up, so cleanup runs once.
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    sigaddset(&action.sa_mask, SIGHUP);
    action.sa_flags = 0;
    for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &action, nullptr);
  });
}

namespace detail {

int register_cleanup(pid_t pid, const std::vector<std::string>& files, const std::string& folder) {
  if (files.size() > kFilesPerSlot) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kFilling)) continue;
    Slot& slot = g_slots[i];
    slot.pid = pid;
    slot.file_count = 0;
    slot.folder[0] = '\0';
    bool ok = folder.empty() || copy_path(slot.folder, folder);
    for (const auto& f : files) {
      if (!ok) break;
      ok = copy_path(slot.files[slot.file_count++], f);
    }
    if (!ok) {
      slot.state.store(kFree, std::memory_order_release);
      return -1;
    }
    slot.state.store(kActive, std::memory_order_release);
    return static_cast<int>(i);
  }
  return -1;
}

void unregister_cleanup(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kSlots) return;
  g_slots[static_cast<std::size_t>(slot)].state.store(kFree, std::memory_order_release);
}

bool process_is_gone(pid_t pid) {
  if (pid <= 0) return false;
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace detail
}  // namespace kv::harness
