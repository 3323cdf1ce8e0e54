// Reports are written whole or not at all, and a run's reports together or
// not at all: each to a temporary file beside its target, then renamed over
// it under a commit journal that the next run into the folder completes if
// this one is killed mid-way.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

// The output folder cannot be used: one line naming it and the OS's reason.
class output_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws output_error naming the path and the OS's reason on any failure,
// leaving no file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// An output folder held for one run. The constructor creates the folder,
// takes an exclusive lock on its `.mlesim.lock` (a second run into the same
// folder is refused at once, not queued), test-writes a file so that a
// read-only or full folder is found before any simulation, completes the
// commit of a killed run (its journal `.mlesim-commit-PID`) and removes
// temporaries (`*.tmp-PID`) whose process is no longer alive.
class report_folder {
 public:
  explicit report_folder(std::filesystem::path dir);
  ~report_folder();
  report_folder(const report_folder&) = delete;
  report_folder& operator=(const report_folder&) = delete;

  // Writes every (file name, content) into the folder: all temporaries first,
  // then the journal, then the renames.
  void commit(const std::vector<std::pair<std::string, std::string>>& files);

  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

inline constexpr std::string_view lock_file_name = ".mlesim.lock";

}  // namespace mlesim
