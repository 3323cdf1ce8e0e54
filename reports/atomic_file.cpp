#include "reports/atomic_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlesim {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& path, std::string_view what, int error) {
  throw output_error(fmt::format("{}: {}: {}", path.string(), what, std::strerror(error)));
}

// Writes `content` to a new file at `path` and flushes it to the disk, so that
// a rename after it never exposes a short file.
void write_durably(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail(path, "cannot create", errno);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(path.c_str());
      fail(path, "cannot write", error);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {  // a full disk may show only here
    const int error = errno;
    ::unlink(path.c_str());
    fail(path, "cannot write", error);
  }
}

void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string temporary_suffix(long pid) { return fmt::format(".tmp-{}", pid); }
std::string journal_name(long pid) { return fmt::format(".mlesim-commit-{}", pid); }

// The PID after the last `marker` in `name`, running to its end: "x.csv.tmp-123" -> 123.
std::optional<long> trailing_pid(std::string_view name, std::string_view marker) {
  const auto at = name.rfind(marker);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view digits = name.substr(at + marker.size());
  long pid = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 0) return std::nullopt;
  return pid;
}

bool alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

// Renames each listed file's temporary of `pid` over it.
void rename_all(const fs::path& dir, const std::vector<std::string>& names, long pid) {
  for (const auto& name : names) {
    const fs::path temporary = dir / (name + temporary_suffix(pid));
    if (::rename(temporary.c_str(), (dir / name).c_str()) != 0 && errno != ENOENT)
      fail(dir / name, "cannot write", errno);
  }
  sync_folder(dir);
}

// A dead run's journal: its renames are finished, then the journal goes.
// Stale temporaries of dead runs are removed.
void recover(const fs::path& dir) {
  std::error_code error;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir, error)) entries.push_back(entry.path());
  if (error) fail(dir, "cannot list the output folder", error.value());
  for (const auto& path : entries) {
    const std::string name = path.filename().string();
    // A journal is named .mlesim-commit-PID; its own temporary (.tmp-PID after
    // that) was never committed and goes with the other temporaries.
    const bool journal_file = name.starts_with(".mlesim-commit-") && name.find(".tmp-") == std::string::npos;
    const auto pid = journal_file ? trailing_pid(name, "-") : std::nullopt;
    if (!pid || alive(*pid)) continue;
    std::ifstream journal(path);
    std::vector<std::string> names;
    for (std::string line; std::getline(journal, line);)
      if (!line.empty() && line.find('/') == std::string::npos) names.push_back(line);
    rename_all(dir, names, *pid);
    ::unlink(path.c_str());
  }
  for (const auto& path : entries) {
    const auto pid = trailing_pid(path.filename().string(), ".tmp-");
    if (pid && !alive(*pid)) ::unlink(path.c_str());
  }
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view content) {
  fs::path temporary = path;
  temporary += temporary_suffix(::getpid());
  write_durably(temporary, content);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(path, "cannot write", error);
  }
}

report_folder::report_folder(fs::path dir) : dir_(std::move(dir)) {
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) fail(dir_, "cannot create the output folder", error.value());
  if (!fs::is_directory(dir_)) fail(dir_, "cannot use as the output folder", ENOTDIR);
  const fs::path lock = dir_ / lock_file_name;
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lock_fd_ < 0) fail(dir_, "cannot write in the output folder", errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int why = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (why == EWOULDBLOCK)
      throw output_error(fmt::format("{}: the output folder is in use by another mlesim run{}; wait for it or "
                                     "choose another folder with -o",
                                     dir_.string(), n > 0 ? fmt::format(" (pid {})", std::string(holder, static_cast<std::size_t>(n))) : ""));
    fail(dir_, "cannot lock the output folder", why);
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    const int why = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    fail(dir_, "cannot write in the output folder", why);
  }
  try {
    recover(dir_);
    // A probe the size of a small report: a read-only or full folder fails now,
    // not after the simulation.
    const fs::path probe = dir_ / fmt::format(".mlesim-probe{}", temporary_suffix(::getpid()));
    write_durably(probe, std::string(64 * 1024, '\n'));
    ::unlink(probe.c_str());
  } catch (...) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw;
  }
}

report_folder::~report_folder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock; the lock file stays, empty of meaning
}

void report_folder::commit(const std::vector<std::pair<std::string, std::string>>& files) {
  const long pid = ::getpid();
  std::vector<std::string> names;
  try {
    for (const auto& [name, content] : files) {
      write_durably(dir_ / (name + temporary_suffix(pid)), content);
      names.push_back(name);
    }
    std::string journal;
    for (const auto& name : names) journal += name + '\n';
    write_durably(dir_ / (journal_name(pid) + temporary_suffix(pid)), journal);
  } catch (...) {
    for (const auto& name : names) ::unlink((dir_ / (name + temporary_suffix(pid))).c_str());
    throw;
  }
  // From this rename on, the reports are committed: a kill before the last
  // rename below is completed by the next run into this folder.
  const fs::path journal = dir_ / journal_name(pid);
  if (::rename((dir_ / (journal_name(pid) + temporary_suffix(pid))).c_str(), journal.c_str()) != 0)
    fail(journal, "cannot write", errno);
  sync_folder(dir_);
  rename_all(dir_, names, pid);
  ::unlink(journal.c_str());
  sync_folder(dir_);
}

}  // namespace mlesim
