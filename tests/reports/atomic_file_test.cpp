// The output folder: checked before a run, locked for it, committed whole,
// and left clean by the next run after a kill.
#include "reports/atomic_file.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace mlesim;
namespace fs = std::filesystem;

namespace {

// A PID above Linux's largest pid_max (2^22): never a live process.
constexpr long dead_pid = 4194305;

fs::path fresh_folder() {
  static int count = 0;
  const auto dir = fs::temp_directory_path() /
                   ("mlesim-atomic-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
  fs::remove_all(dir);
  return dir;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string error_of(const fs::path& dir) {
  try {
    report_folder folder(dir);
  } catch (const output_error& e) {
    return e.what();
  }
  FAIL("the folder was accepted");
  return {};
}

}  // namespace

TEST_CASE("atomic_file: a run's reports are committed together") {
  const auto dir = fresh_folder();
  {
    report_folder folder(dir);
    folder.commit({{"a.csv", "1\n"}, {"a.md", "# a\n"}});
  }
  CHECK(read(dir / "a.csv") == "1\n");
  CHECK(read(dir / "a.md") == "# a\n");
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    CHECK((name == "a.csv" || name == "a.md" || name == std::string(lock_file_name)));
  }
  fs::remove_all(dir);
}

TEST_CASE("atomic_file: an output path that cannot be a folder is refused with the OS's reason") {
  const auto dir = fresh_folder();
  fs::create_directories(dir);
  write(dir / "file", "x");
  CHECK(error_of(dir / "file") == (dir / "file").string() + ": cannot create the output folder: Not a directory");
  CHECK(error_of(dir / "file" / "sub") ==
        (dir / "file" / "sub").string() + ": cannot create the output folder: Not a directory");
  if (::geteuid() != 0) {  // root writes through permissions
    fs::create_directories(dir / "ro");
    fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    CHECK(error_of(dir / "ro") == (dir / "ro").string() + ": cannot write in the output folder: Permission denied");
    fs::permissions(dir / "ro", fs::perms::owner_all);
  }
  fs::remove_all(dir);
}

TEST_CASE("atomic_file: a second run into a held folder is refused at once") {
  const auto dir = fresh_folder();
  report_folder first(dir);
  // flock locks belong to the open file description: a second open, as from another process, conflicts.
  const std::string message = error_of(dir);
  CHECK(message.find(dir.string() + ": the output folder is in use by another mlesim run (pid " +
                     std::to_string(::getpid()) + ")") == 0);
  fs::remove_all(dir);
}

TEST_CASE("atomic_file: a killed run's commit is completed and dead runs' temporaries removed") {
  const auto dir = fresh_folder();
  fs::create_directories(dir);
  const std::string dead = std::to_string(dead_pid);
  // Killed after its journal: a.csv renamed, a.md not yet.
  write(dir / "a.csv", "new csv\n");
  write(dir / "a.md", "old md\n");
  write(dir / ("a.md.tmp-" + dead), "new md\n");
  write(dir / (".mlesim-commit-" + dead), "a.csv\na.md\n");
  // Killed before its journal: temporaries only, never committed.
  write(dir / ("b.csv.tmp-" + dead), "half\n");
  write(dir / (".mlesim-commit-" + dead + ".tmp-" + dead), "b.csv\n");
  // A live process's temporary stays.
  const std::string live = "c.csv.tmp-" + std::to_string(::getpid());
  write(dir / live, "mine\n");
  { report_folder folder(dir); }
  CHECK(read(dir / "a.md") == "new md\n");
  CHECK(read(dir / "a.csv") == "new csv\n");
  CHECK_FALSE(fs::exists(dir / "b.csv"));
  CHECK_FALSE(fs::exists(dir / ("b.csv.tmp-" + dead)));
  CHECK_FALSE(fs::exists(dir / ("a.md.tmp-" + dead)));
  CHECK_FALSE(fs::exists(dir / (".mlesim-commit-" + dead)));
  CHECK_FALSE(fs::exists(dir / (".mlesim-commit-" + dead + ".tmp-" + dead)));
  CHECK(fs::exists(dir / live));
  fs::remove_all(dir);
}

TEST_CASE("atomic_file: a single file is written whole, with the OS's reason on failure") {
  const auto dir = fresh_folder();
  fs::create_directories(dir);
  write_file_atomically(dir / "x.txt", "abc");
  CHECK(read(dir / "x.txt") == "abc");
  try {
    write_file_atomically(dir / "missing" / "x.txt", "abc");
    FAIL("wrote into a missing folder");
  } catch (const output_error& e) {
    CHECK(std::string(e.what()).find(": cannot create: No such file or directory") != std::string::npos);
  }
  fs::remove_all(dir);
}
