#include "kv/localvault/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <memory>
#include <system_error>

#include "unique_fd.hpp"

namespace kv::localvault {

namespace {
using detail::UniqueFd;

struct DirClose {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

[[noreturn]] void fail(int error, const std::string& what, const std::string& path) {
  throw std::system_error(error, std::generic_category(), what + " " + path);
}

// Removes the temp file, keeping the errno of the failure that made it necessary.
[[noreturn]] void fail_and_unlink(const std::string& what, const std::string& temp) {
  int error = errno;
  ::unlink(temp.c_str());
  fail(error, what, temp);
}

std::string folder_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string temp_prefix(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
}
}  // namespace

void write_file_atomically(const std::string& path, std::string_view content) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    // A leftover of the same name (a killed writer with a reused pid) may have any mode and owner:
    // start from a new file that only this user can read.
    ::unlink(temp.c_str());
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail(errno, "cannot create", temp);
    std::size_t done = 0;
    while (done < content.size()) {
      ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_and_unlink("cannot write", temp);
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail_and_unlink("cannot flush", temp);
    if (fd.close_now() != 0) fail_and_unlink("cannot close", temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    fail(error, "cannot rename " + temp + " into", path);
  }
  // The rename is durable only once the folder entry is on disk. The new content is already in
  // place, so a failure here cannot be undone and is not reported.
  UniqueFd dfd(::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
}

std::vector<std::string> remove_stale_temp_files(const std::string& path) {
  std::vector<std::string> removed;
  std::string folder = folder_of(path);
  std::string prefix = temp_prefix(path);
  std::unique_ptr<DIR, DirClose> dir(::opendir(folder.c_str()));
  if (!dir) return removed;
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name.substr(0, prefix.size()) != prefix) continue;
    std::string_view digits = name.substr(prefix.size());
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || pid <= 0)
      continue;
    // Only a writer that no longer runs has abandoned its file (EPERM: alive, another user's).
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::string full = path.find('/') == std::string::npos ? std::string(name)
                       : folder == "/"                     ? "/" + std::string(name)
                                                           : folder + "/" + std::string(name);
    if (::unlink(full.c_str()) == 0) removed.push_back(full);
  }
  return removed;
}

}  // namespace kv::localvault
