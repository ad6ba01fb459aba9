#pragma once
// Starts the real localvault executable on 127.0.0.1, port 0, and stops it with SIGTERM.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace kv::localvault::testing {

/// Reads a whole file; empty when it does not exist.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// One running localvault process with its URL, certificate file and captured output.
class ServerProcess {
 public:
  /// Starts `exe` with `extra` arguments plus --port 0, --ready-file and --cert-out.
  ServerProcess(const std::string& exe, std::vector<std::string> extra) {
    static int counter = 0;
    dir_ = "/tmp/localvault-proc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    ::mkdir(dir_.c_str(), 0700);
    ready_ = dir_ + "/ready";
    cert_ = dir_ + "/cert.pem";
    out_ = dir_ + "/stdout";
    err_ = dir_ + "/stderr";
    std::vector<std::string> args = {exe,    "--port",     "0",  "--ready-file",
                                     ready_, "--cert-out", cert_};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + exe);
    // Poll for the ready file; the server writes it atomically once it listens.
    for (int i = 0; i < 1000 && url_.empty(); ++i) {
      std::string text = read_text(ready_);
      if (!text.empty() && text.back() == '\n') url_ = text.substr(0, text.size() - 1);
      int status = 0;
      if (url_.empty() && ::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("localvault exited early: " + read_text(err_));
      }
      if (url_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (url_.empty()) throw std::runtime_error("localvault did not become ready");
  }

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  ~ServerProcess() {
    stop();
    for (const std::string& f : {ready_, cert_, out_, err_}) std::remove(f.c_str());
    ::rmdir(dir_.c_str());
  }

  /// Sends SIGTERM and returns the exit status (or -1 when not exited normally).
  int stop() {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

  /// Kills the server with SIGKILL (no chance to clean up) and reaps it.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  /// The server's process id (-1 once stopped).
  pid_t pid() const { return pid_; }

  /// "https://127.0.0.1:PORT".
  const std::string& url() const { return url_; }
  /// The port from the URL.
  int port() const { return std::stoi(url_.substr(url_.rfind(':') + 1)); }
  /// Path of the PEM certificate the server wrote.
  const std::string& cert_file() const { return cert_; }
  /// What the server printed on stdout so far.
  std::string stdout_text() const { return read_text(out_); }
  /// What the server printed on stderr so far.
  std::string stderr_text() const { return read_text(err_); }

 private:
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string dir_, ready_, cert_, out_, err_, url_;
};

}  // namespace kv::localvault::testing
