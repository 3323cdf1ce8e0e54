#include "reports/gnuplot.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/mman.h>
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
  // The script goes in a memory file that gnuplot opens by name: gnuplot
  // reads a script named on its command line through a buffer, but its
  // standard input a byte per read(2), which cost half of a figure set's
  // time. Written before gnuplot starts, so no write can meet a closed pipe.
  descriptor child_in(::memfd_create("mlesim-gnuplot-script", MFD_CLOEXEC));
  if (child_in.get() < 0) fail("cannot make a memory file for the script", errno);
  for (std::size_t written = 0; written < script.size();) {
    const ssize_t n = ::write(child_in.get(), script.data() + written, script.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write the script", n < 0 ? errno : EIO);
    written += static_cast<std::size_t>(n);
  }
  if (::lseek(child_in.get(), 0, SEEK_SET) != 0) fail("cannot rewind the script", errno);
  int output[2], errors[2];
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
  char program[] = "gnuplot", defaults[] = "-d", file[] = "/dev/stdin";
  char* argv[] = {program, defaults, file, nullptr};
  pid_t pid = 0;
  // posix_spawnp looks gnuplot up on this process's PATH.
  const int spawned = ::posix_spawnp(&pid, program, &actions, nullptr, argv, envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT) return std::nullopt;
  if (spawned != 0) fail("cannot start it", spawned);
  child_in.reset();
  child_out.reset();
  child_err.reset();

  // Drain both outputs at once: a large figure on stdout would otherwise
  // block gnuplot while mlesim waits on its stderr, or the other way round.
  for (int fd : {out_fd.get(), err_fd.get()}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string out, err;
  bool out_open = true, err_open = true;
  char buffer[65536];
  while (out_open || err_open) {
    pollfd fds[2];
    nfds_t count = 0;
    if (out_open) fds[count++] = {out_fd.get(), POLLIN, 0};
    if (err_open) fds[count++] = {err_fd.get(), POLLIN, 0};
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll", errno);
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      const bool is_out = fds[i].fd == out_fd.get();
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) (is_out ? out : err).append(buffer, static_cast<std::size_t>(n));
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) (is_out ? out_open : err_open) = false;
    }
  }
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
