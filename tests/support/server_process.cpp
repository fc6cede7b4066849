#include "support/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

#ifndef FFF_BINARY_PATH
#error "FFF_BINARY_PATH must name the fff binary (set by tests/CMakeLists.txt)"
#endif

namespace fff::testing {
namespace {

std::filesystem::path make_work_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/fff-server-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(" + pattern + ") failed: " + std::strerror(errno));
  }
  return pattern;
}

std::vector<std::string> child_environment(const ServerOptions& options,
                                           const std::filesystem::path& work_dir) {
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(entry.substr(0, eq));
    if (name.rfind("FFF_", 0) == 0) continue;  // the test decides every FFF_ setting
    vars.emplace_back(std::move(name), std::string(entry.substr(eq + 1)));
  }
  auto set = [&](const std::string& name, const std::string& value) {
    for (auto& [n, v] : vars) {
      if (n == name) {
        v = value;
        return;
      }
    }
    vars.emplace_back(name, value);
  };
  set("FFF_LOG_LEVEL", "info");
  set("FFF_DATA_DIR", (work_dir / "data").string());
  for (const auto& [name, value] : options.env) set(name, value);

  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [n, v] : vars) out.push_back(n + "=" + v);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void write_all(int fd, const char* text) {
  std::size_t len = std::strlen(text);
  while (len > 0) {
    ssize_t n = ::write(fd, text, len);
    if (n <= 0) return;
    text += n;
    len -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string ExitStatus::describe() const {
  std::string out;
  if (exited) {
    out = "exited with code " + std::to_string(code);
  } else if (signal != 0) {
    out = "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  } else {
    out = "still running";
  }
  if (timed_out) out += " after not ending in time (SIGKILL sent)";
  return out;
}

ServerProcess::ServerProcess(ServerOptions options) {
  work_dir_ = make_work_dir();
  std::vector<std::string> argv_strings;
  argv_strings.push_back(FFF_BINARY_PATH);
  for (const auto& a : options.args) argv_strings.push_back(a);
  std::vector<std::string> env_strings = child_environment(options, work_dir_);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  std::string cwd = work_dir_.string();

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    std::filesystem::remove_all(work_dir_);
    throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
  }

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    std::filesystem::remove_all(work_dir_);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to execve.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    if (::chdir(cwd.c_str()) != 0) {
      write_all(2, "server_process: chdir to the work directory failed\n");
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    // errno in decimal, without strerror (not async-signal-safe).
    char digits[16];
    char* end = digits + sizeof digits;
    char* p = end;
    *--p = '\0';
    *--p = '\n';
    for (int e = errno; p > digits + 1 && (e > 0 || p == end - 2); e /= 10) {
      *--p = static_cast<char>('0' + e % 10);
    }
    write_all(2, "server_process: execve of " FFF_BINARY_PATH " failed, errno ");
    write_all(2, p);
    ::_exit(127);
  }

  pid_ = pid;
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  stdout_fd_ = out_pipe[0];
  stderr_fd_ = err_pipe[0];
  reader_ = std::thread([this] { read_output(); });

  auto line = wait_for_log({"\"msg\":\"listening\""}, options.start_timeout);
  std::string problem;
  if (!line) {
    bool output_closed;
    {
      std::lock_guard lock(mu_);
      output_closed = output_done_;
    }
    // Closed pipes mean the child is exiting: give it a moment to become reapable.
    ExitStatus s = wait(std::chrono::milliseconds(output_closed ? 5000 : 0));
    problem = s.timed_out && !output_closed
                  ? "did not log \"msg\":\"listening\" within " +
                        std::to_string(options.start_timeout.count()) + " ms"
                  : "exited before listening: " + s.describe();
  } else {
    const std::string key = "\"address\":\"";
    std::size_t at = line->find(key);
    std::size_t end = at == std::string::npos ? at : line->find('"', at + key.size());
    std::string address =
        end == std::string::npos ? "" : line->substr(at + key.size(), end - at - key.size());
    std::size_t colon = address.rfind(':');
    int port = colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
    if (address.rfind("127.0.0.1:", 0) != 0 || port <= 0 || port > 65535) {
      problem = "cannot take 127.0.0.1:PORT from the \"address\" of the listening line: " + *line;
    } else {
      port_ = static_cast<uint16_t>(port);
    }
  }
  if (!problem.empty()) {
    if (running()) {
      ::kill(pid_, SIGKILL);
      reap(true);
    }
    join_reader();
    std::string message = "fff server (" + std::string(FFF_BINARY_PATH) + " serve) " + problem +
                          "\n---- output ----\n" + output();
    ::close(stdout_fd_);
    ::close(stderr_fd_);
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
    throw std::runtime_error(message);
  }
}

ServerProcess::~ServerProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  join_reader();
  ::close(stdout_fd_);
  ::close(stderr_fd_);
  // `make test` keeps every server's output so that scripts/check_secret_leaks.sh can look for
  // the passwords and tokens the tests used in it.
  if (const char* dir = std::getenv("FFF_TEST_SERVER_LOG_DIR"); dir && *dir) {
    std::error_code made;
    std::filesystem::create_directories(dir, made);
    std::ofstream(std::filesystem::path(dir) / ("server-" + std::to_string(pid_) + ".log"))
        << output();
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- output of fff server pid " << pid_ << " ("
              << (status_ ? status_->describe() : std::string("?")) << ") ----\n"
              << output() << "---- end of server output ----\n";
  }
  std::error_code ec;
  std::filesystem::remove_all(work_dir_, ec);
}

void ServerProcess::read_output() {
  std::string partial[2];
  pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
  int open_count = 2;
  auto emit = [this](int stream, std::string line) {
    std::lock_guard lock(mu_);
    if (stream == 0) {
      output_ += line + "\n";
      lines_.push_back(std::move(line));
    } else {
      output_ += "stderr| " + line + "\n";
    }
  };
  while (open_count > 0) {
    int r = ::poll(fds, 2, 1000);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char chunk[8192];
      ssize_t n = ::read(fds[i].fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (!partial[i].empty()) emit(i, std::exchange(partial[i], {}));
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      partial[i].append(chunk, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = partial[i].find('\n')) != std::string::npos) {
        emit(i, partial[i].substr(0, nl));
        partial[i].erase(0, nl + 1);
      }
    }
    cv_.notify_all();
  }
  std::lock_guard lock(mu_);
  output_done_ = true;
  cv_.notify_all();
}

void ServerProcess::join_reader() {
  if (!reader_.joinable()) return;
  // The child is gone, so the pipes reach EOF unless a grandchild still holds them.
  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [this] { return output_done_; })) {
      lock.unlock();
      std::cerr << "server_process: output pipes of pid " << pid_
                << " still open 10 s after it ended; a grandchild process holds them\n";
      std::abort();
    }
  }
  reader_.join();
}

std::vector<std::string> ServerProcess::log_lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

std::optional<std::string> ServerProcess::wait_for_log(const std::vector<std::string>& needles,
                                                       std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t checked = 0;
  std::unique_lock lock(mu_);
  for (;;) {
    for (; checked < lines_.size(); ++checked) {
      const std::string& line = lines_[checked];
      bool all = true;
      for (const auto& n : needles) all = all && line.find(n) != std::string::npos;
      if (all) return line;
    }
    if (output_done_) return std::nullopt;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && checked == lines_.size()) {
      return std::nullopt;
    }
  }
}

bool ServerProcess::reap(bool block) {
  if (status_) return true;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  ExitStatus s;
  if (WIFEXITED(raw)) {
    s.exited = true;
    s.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  status_ = s;
  return true;
}

bool ServerProcess::running() {
  return pid_ > 0 && !reap(false);
}

void ServerProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

ExitStatus ServerProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Polling waitpid is the portable way to wait for a child with a deadline.
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      reap(true);
      status_->timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  join_reader();
  return *status_;
}

ExitStatus ServerProcess::stop(int sig, std::chrono::milliseconds timeout) {
  signal(sig);
  return wait(timeout);
}

}  // namespace fff::testing
