// tests/support/server_process: runs the real `fff serve` binary (FFF_BINARY_PATH) as a child
// process on an ephemeral loopback port, with a fresh temporary working and data directory and a
// controlled environment, and collects everything it prints so tests can assert on log lines.
//
//   ServerProcess server({.env = {{"FFF_TEST_ROUTES", "1"}, {"FFF_DATABASE_URL", db.url()}}});
//   HttpConnection conn(server.port());
//   ...
//   EXPECT_EQ(server.stop(SIGTERM).describe(), "exited with code 0");
//
// The child is killed (SIGKILL) if the test process dies, through PR_SET_PDEATHSIG. That signal is
// tied to the *thread* that started the child: start servers from the test's own thread, not from
// a helper thread that ends before the server should.
//
// Not thread-safe except where noted: one test thread owns a ServerProcess.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fff::testing {

struct ExitStatus {
  bool exited = false;     // ended through exit(); `code` is valid
  int code = -1;           // exit code
  int signal = 0;          // the signal that ended it, when !exited
  bool timed_out = false;  // did not end in time and was killed with SIGKILL

  bool clean() const { return exited && code == 0 && !timed_out; }
  // "exited with code 0", "killed by signal 9 (timed out, killed)", ...
  std::string describe() const;
};

struct ServerOptions {
  // Applied over the test process's environment, from which every FFF_* variable is removed first.
  // Unless given here: FFF_LOG_LEVEL=info and FFF_DATA_DIR=<work dir>/data.
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0"};
  std::chrono::milliseconds start_timeout{30000};
};

class ServerProcess {
 public:
  // Starts the server and waits for its `"msg":"listening"` log line, from which it takes the
  // port. Throws std::runtime_error, carrying everything the child printed, if the child cannot
  // start, exits early, or does not report listening within options.start_timeout.
  explicit ServerProcess(ServerOptions options = {});
  // Kills the child if it still runs, removes the work directory, and prints the child's output
  // to stderr if the current test has failed. With FFF_TEST_SERVER_LOG_DIR set, the output is
  // also kept there as server-<pid>.log.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& work_dir() const { return work_dir_; }

  // Complete stdout lines so far. Thread-safe.
  std::vector<std::string> log_lines() const;
  // stdout and stderr so far, for failure messages. Thread-safe.
  std::string output() const;
  // Waits until some stdout line contains every one of `needles`, and returns the first such line.
  std::optional<std::string> wait_for_log(const std::vector<std::string>& needles,
                                          std::chrono::milliseconds timeout);

  // True until the child has been reaped.
  bool running();
  // Sends `sig` to the child (if it is still running).
  void signal(int sig);
  // Waits for the child to end; after `timeout` it is killed with SIGKILL (timed_out is set).
  ExitStatus wait(std::chrono::milliseconds timeout);
  // signal(sig) then wait(timeout).
  ExitStatus stop(int sig = SIGTERM,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

 private:
  void read_output();
  bool reap(bool block);
  void join_reader();

  std::filesystem::path work_dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<ExitStatus> status_;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::thread reader_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;  // guarded by mu_
  std::string output_;              // guarded by mu_
  bool output_done_ = false;        // guarded by mu_
};

}  // namespace fff::testing
