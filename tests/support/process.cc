#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace cadenza::test {
namespace {

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = other.Release();
    }
    return *this;
  }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

Pipe MakePipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
  }
  Pipe p;
  p.read = Fd(fds[0]);
  p.write = Fd(fds[1]);
  return p;
}

// Child side, between fork and exec: only async-signal-safe calls. Reports errno on `status_fd`
// and exits 127 if anything fails.
[[noreturn]] void ExecChild(char* const* argv, const char* working_dir, int stdin_fd,
                            int stdout_fd, int stderr_fd, int status_fd,
                            const RunOptions& options) {
  auto fail = [status_fd]() {
    const int error = errno;
    ssize_t ignored = ::write(status_fd, &error, sizeof error);
    (void)ignored;
    ::_exit(127);
  };
  // Its own process group, so a timeout kills whatever it started too.
  ::setpgid(0, 0);
  // The test program ignores SIGPIPE (below); the child gets the default back, as from a shell.
  ::signal(SIGPIPE, SIG_DFL);
  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(stderr_fd, 2) < 0) fail();
  if (working_dir != nullptr && ::chdir(working_dir) != 0) fail();
  if (options.address_space_limit_bytes > 0) {
    const rlimit limit{options.address_space_limit_bytes, options.address_space_limit_bytes};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) fail();
  }
  if (options.cpu_limit_seconds > 0) {
    const auto seconds = static_cast<rlim_t>(options.cpu_limit_seconds);
    const rlimit limit{seconds, seconds};
    if (::setrlimit(RLIMIT_CPU, &limit) != 0) fail();
  }
  ::execve(argv[0], argv, environ);
  fail();
  ::_exit(127);  // not reached
}

// Appends what is available on `fd` to `sink`; false at end of file.
bool Drain(int fd, std::string& sink) {
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      sink.append(buffer.data(), static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    return false;
  }
}

bool NeedsQuoting(const std::string& word) {
  if (word.empty()) return true;
  for (char c : word) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::strchr("-_./=:,+@%", c) != nullptr;
    if (!plain) return true;
  }
  return false;
}

}  // namespace

std::string RunResult::Describe() const {
  if (timed_out) return "timed out after " + std::to_string(seconds) + " s";
  if (signal != 0) {
    return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  }
  return "exit code " + std::to_string(exit_code);
}

std::string ShellCommandLine(const std::string& program, const std::vector<std::string>& args) {
  std::string line;
  auto add = [&line](const std::string& word) {
    if (!line.empty()) line += ' ';
    if (!NeedsQuoting(word)) {
      line += word;
      return;
    }
    line += '\'';
    for (char c : word) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  };
  add(program);
  for (const std::string& a : args) add(a);
  return line;
}

RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const RunOptions& options) {
  // A program that exits before reading all of its stdin must not kill the test with SIGPIPE;
  // the write then fails with EPIPE, which is handled below.
  static const bool sigpipe_ignored = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;

  // Everything the child needs is built before fork: it may not allocate afterwards.
  std::vector<std::string> storage = {program};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : storage) argv.push_back(word.data());
  argv.push_back(nullptr);
  const std::string working_dir = options.working_dir.string();

  Pipe out = MakePipe(), err = MakePipe(), status = MakePipe();
  Pipe in;
  Fd dev_null;
  if (options.stdin_bytes) {
    in = MakePipe();
  } else {
    dev_null = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0) throw std::runtime_error("cannot open /dev/null");
  }
  const int child_stdin = options.stdin_bytes ? in.read.get() : dev_null.get();

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ExecChild(argv.data(), working_dir.empty() ? nullptr : working_dir.c_str(), child_stdin,
              out.write.get(), err.write.get(), status.write.get(), options);
  }
  // Avoid a race with a kill before the child's own setpgid.
  ::setpgid(pid, pid);
  out.write.Close();
  err.write.Close();
  status.write.Close();
  in.read.Close();
  dev_null.Close();

  // exec succeeded if the status pipe closes (O_CLOEXEC) with nothing written.
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(status.read.get(), &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    int ignored = 0;
    ::waitpid(pid, &ignored, 0);
    throw std::runtime_error("cannot run " + program + ": " + std::strerror(exec_errno));
  }

  RunResult result;
  const std::string& input = options.stdin_bytes ? *options.stdin_bytes : std::string();
  size_t written = 0;
  if (options.stdin_bytes) {
    ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
    if (input.empty()) in.write.Close();
  }
  ::fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(err.read.get(), F_SETFL, O_NONBLOCK);

  const auto deadline = start + options.timeout;
  auto kill_on_timeout = [&]() {
    if (!result.timed_out && std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      result.timed_out = true;
    }
  };

  // Read both outputs (and feed stdin) until the program closes them.
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out.read.get(), POLLIN, 0});
    if (err_open) fds.push_back({err.read.get(), POLLIN, 0});
    if (in.write.get() >= 0) fds.push_back({in.write.get(), POLLOUT, 0});
    int wait_ms = -1;
    if (!result.timed_out) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()) + 1);
    }
    const int ready = ::poll(fds.data(), fds.size(), wait_ms);
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == out.read.get()) out_open = Drain(p.fd, result.out);
      if (p.fd == err.read.get()) err_open = Drain(p.fd, result.err);
      if (p.fd == in.write.get()) {
        const ssize_t n = ::write(p.fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        // Done, or the program closed its stdin (EPIPE): it reads no more.
        if (written == input.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          in.write.Close();
        }
      }
    }
    kill_on_timeout();
  }
  in.write.Close();

  // The outputs are closed; the program may still be running (it closed them itself).
  int wait_status = 0;
  rusage usage{};
  for (;;) {
    const pid_t done = ::wait4(pid, &wait_status, result.timed_out ? 0 : WNOHANG, &usage);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error("wait4 failed");
    kill_on_timeout();
    if (!result.timed_out) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.max_resident_kib = usage.ru_maxrss;
  if (WIFEXITED(wait_status) && !result.timed_out) result.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) result.signal = WTERMSIG(wait_status);
  return result;
}

}  // namespace cadenza::test
