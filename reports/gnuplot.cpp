#include "reports/gnuplot.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

extern char** environ;

namespace mlesim {
namespace {

// Never in a figure: the SVG holds numbers, markup and the figures' own
// titles, which are made of names the configs restrict and fixed words.
constexpr std::string_view marker = "@@mlesim-end-of-figure@@";

class descriptor {
 public:
  descriptor() = default;
  explicit descriptor(int fd) : fd_(fd) {}
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  ~descriptor() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void fail(const std::string& what, int error) {
  throw gnuplot_error(fmt::format("gnuplot: {}: {}", what, std::strerror(error)));
}

// The child's environment: the C locale (a decimal point, whatever the
// user's), and PATH; nothing else of the user's reaches a figure.
std::vector<std::string> child_environment() {
  std::vector<std::string> env{"LC_ALL=C"};
  if (const char* path = std::getenv("PATH")) env.push_back(std::string("PATH=") + path);
  return env;
}

// Splits gnuplot's standard output into the SVG documents the markers end.
std::vector<std::string> split_figures(const std::string& out, std::size_t figures) {
  std::vector<std::string> svgs;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = out.find(marker, start);
    if (end == std::string::npos) break;
    std::string piece = out.substr(start, end - start);
    const std::size_t first = piece.find("<?xml");
    const std::size_t last = piece.rfind("</svg>");
    if (first == std::string::npos || last == std::string::npos || last < first)
      throw gnuplot_error(fmt::format("gnuplot: figure {} is not an SVG document", svgs.size() + 1));
    svgs.push_back(piece.substr(first, last + 6 - first) + "\n");
    start = end + marker.size();
    if (start < out.size() && out[start] == '\n') ++start;
  }
  if (svgs.size() != figures)
    throw gnuplot_error(fmt::format("gnuplot: drew {} figures of {}", svgs.size(), figures));
  return svgs;
}

}  // namespace

std::string gnuplot_end_of_figure() { return fmt::format("set output\nset print '-'\nprint '{}'\nset print\n", marker); }

std::optional<std::vector<std::string>> run_gnuplot(std::string_view script, std::size_t figures) {
  // A socket for the script, so that a gnuplot that stops reading early
  // gives EPIPE (send's MSG_NOSIGNAL), not a SIGPIPE that would end mlesim.
  int input[2], output[2], errors[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input) != 0) fail("cannot make a socket", errno);
  descriptor child_in(input[0]), script_fd(input[1]);
  if (::pipe2(output, O_CLOEXEC) != 0) fail("cannot make a pipe", errno);
  descriptor out_fd(output[0]), child_out(output[1]);
  if (::pipe2(errors, O_CLOEXEC) != 0) fail("cannot make a pipe", errno);
  descriptor err_fd(errors[0]), child_err(errors[1]);

  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, child_in.get(), 0);
  ::posix_spawn_file_actions_adddup2(&actions, child_out.get(), 1);
  ::posix_spawn_file_actions_adddup2(&actions, child_err.get(), 2);
  std::vector<std::string> env = child_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  char program[] = "gnuplot", defaults[] = "-d";
  char* argv[] = {program, defaults, nullptr};
  pid_t pid = 0;
  // posix_spawnp looks gnuplot up on this process's PATH.
  const int spawned = ::posix_spawnp(&pid, program, &actions, nullptr, argv, envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT) return std::nullopt;
  if (spawned != 0) fail("cannot start it", spawned);
  child_in.reset();
  child_out.reset();
  child_err.reset();

  // Feed the script and drain both outputs at once: a large figure on stdout
  // would otherwise block gnuplot while mlesim blocks writing the script.
  for (int fd : {script_fd.get(), out_fd.get(), err_fd.get()}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string out, err;
  std::size_t written = 0;
  bool out_open = true, err_open = true;
  if (script.empty()) script_fd.reset();
  char buffer[65536];
  while (out_open || err_open) {
    pollfd fds[3];
    nfds_t count = 0;
    if (script_fd.get() >= 0) fds[count++] = {script_fd.get(), POLLOUT, 0};
    if (out_open) fds[count++] = {out_fd.get(), POLLIN, 0};
    if (err_open) fds[count++] = {err_fd.get(), POLLIN, 0};
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll", errno);
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == script_fd.get()) {
        const ssize_t n = ::send(script_fd.get(), script.data() + written, script.size() - written, MSG_NOSIGNAL);
        if (n > 0) written += static_cast<std::size_t>(n);
        // EPIPE: gnuplot stopped reading (it failed); its exit status says why.
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == script.size()) script_fd.reset();
      } else {
        const bool is_out = fds[i].fd == out_fd.get();
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) (is_out ? out : err).append(buffer, static_cast<std::size_t>(n));
        else if (n == 0 || (errno != EAGAIN && errno != EINTR)) (is_out ? out_open : err_open) = false;
      }
    }
  }
  script_fd.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail("waitpid", errno);
  if (WIFSIGNALED(status))
    throw gnuplot_error(fmt::format("gnuplot was killed by signal {}: {}", WTERMSIG(status), err));
  if (WEXITSTATUS(status) != 0)
    throw gnuplot_error(fmt::format("gnuplot exited with status {}: {}", WEXITSTATUS(status), err));
  // A key too wide for the figure is left out, with only a warning: a figure
  // whose series cannot be told apart is not drawn.
  if (err.find("difficulty fitting plot titles into key") != std::string::npos)
    throw gnuplot_error(fmt::format("gnuplot could not fit a figure's key: {}", err));
  return split_figures(out, figures);
}

}  // namespace mlesim
