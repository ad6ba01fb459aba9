// Temp file + fsync + rename: the only way kvharness writes a file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kv/harness/files.hpp"
#include "kv/harness/internal/termination.hpp"

namespace kv::harness {

namespace {

namespace fs = std::filesystem;

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  /// Closes now, reporting the error close() may carry (delayed write failures).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw std::runtime_error("cannot write " + path + ": " + what + ": " + std::strerror(error));
}

// "<name>.tmp.<pid>.<n>" -> pid, or -1 when `file` is not a temporary of `name`.
pid_t temporary_owner(const std::string& file, const std::string& name) {
  const std::string prefix = name + ".tmp.";
  if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) return -1;
  const std::string rest = file.substr(prefix.size());
  const auto dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos) return -1;
  if (!std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(dot),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  try {
    return static_cast<pid_t>(std::stol(rest.substr(0, dot)));
  } catch (const std::exception&) {
    return -1;
  }
}

void remove_stale_temporaries(const fs::path& folder, const std::string& name) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t owner = temporary_owner(it->path().filename().string(), name);
    if (owner > 0 && detail::process_is_gone(owner)) fs::remove(it->path(), ec);
  }
}

}  // namespace

std::vector<std::string> temporary_files_in(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    const auto tmp = file.find(".tmp.");
    if (tmp != std::string::npos && temporary_owner(file, file.substr(0, tmp)) > 0) {
      out.push_back(it->path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": read failed: " + std::strerror(errno));
  return buffer.str();
}

void write_file_atomically(const std::string& path, std::string_view content) {
  static std::atomic<unsigned> counter{0};
  const fs::path target(path);
  fs::path folder = target.parent_path();
  if (folder.empty()) folder = ".";
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) fail("cannot create folder " + folder.string(), path, ec.value());
  remove_stale_temporaries(folder, target.filename().string());

  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) fail("cannot create " + temp, path, errno);
  const int slot = detail::register_cleanup(-1, {temp}, "");
  auto discard = [&](const std::string& what, int error) {
    ::unlink(temp.c_str());
    detail::unregister_cleanup(slot);
    fail(what, path, error);
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      discard("write failed", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  // The final file gets the usual permissions (0666 less the umask), as any created file would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd.get(), 0666 & ~mask) != 0) discard("chmod failed", errno);
  if (::fsync(fd.get()) != 0) discard("fsync failed", errno);
  if (fd.close() != 0) discard("close failed", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) discard("rename failed", errno);
  detail::unregister_cleanup(slot);
  // Make the rename itself durable.
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
}

}  // namespace kv::harness
