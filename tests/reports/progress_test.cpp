#include "reports/progress.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace mlesim;

namespace {

// What a meter wrote into a temporary file.
std::string contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  for (int c; (c = std::fgetc(file)) != EOF;) text += static_cast<char>(c);
  return text;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("progress: durations and rates read at a glance") {
  CHECK(duration_text(4.04) == "4.0 s");
  CHECK(duration_text(42.4) == "42 s");
  CHECK(duration_text(125) == "2 min 05 s");
  CHECK(duration_text(3720) == "1 h 02 min");
  CHECK(rate_text(950) == "950");
  CHECK(rate_text(12345) == "12.3k");
  CHECK(rate_text(1250000) == "1.25M");
}

TEST_CASE("progress: a line names the experiment, its sizes, the count, the rate and the time left") {
  CHECK(progress_line({"normal", {100}, 45000, 100000, 12300}) ==
        "normal, n = 100: 45000 of 100000 replications (45%), 12.3k reps/s, 4.5 s left");
  CHECK(progress_line({"normal", {100, 10, 1000}, 999, 1000, std::nullopt}) ==
        "normal, n = 10 to 1000: 999 of 1000 replications (99%)");
}

TEST_CASE("progress: a bar fills the width but its last column, and shrinks to text when narrow") {
  const progress_snapshot s{"normal", {100}, 50, 100, 10};
  // 17 + 20 + 38 = 75 columns of 76, the speed padded to 30.
  CHECK(progress_bar(s, 76) ==
        "normal, n = 100 [##########..........]  50%  10 reps/s, 5.0 s left" + std::string(9, ' '));
  CHECK(progress_bar({"normal", {100}, 50, 100, std::nullopt}, 76) ==
        "normal, n = 100 [##########..........]  50%  " + std::string(30, ' '));
  CHECK(progress_bar(s, 40) == "normal, n = 100:  50%");
}

TEST_CASE("progress: plain prints a line every `every` seconds and a last one at the end") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file);
  double t = 0;
  {
    progress_meter meter("x", {5}, {.style = progress_style::plain, .every = 10, .out = file, .now = [&] { return t; }});
    for (const auto& [time, done] : std::vector<std::pair<double, std::uint64_t>>{
             {1, 10}, {5, 20}, {10.5, 50}, {12, 60}, {31, 100}}) {
      t = time;
      meter(done, 100);
    }
    t = 32;
  }
  // The rate counts from the first report: (50 - 10) / (10.5 - 1) = 4.2 a second.
  CHECK(contents(file) ==
        "mlesim: x, n = 5: 50 of 100 replications (50%), 4 reps/s, 12 s left\n"
        "mlesim: x, n = 5: 100 of 100 replications (100%), 3 reps/s, 0.0 s left\n"
        "mlesim: x, n = 5: done, 100 replications in 32 s\n");
  std::fclose(file);
}

TEST_CASE("progress: a bar redraws at most 10 times a second and is erased at the end") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file);
  double t = 0;
  {
    progress_meter meter("x", {5}, {.style = progress_style::bar, .out = file, .now = [&] { return t; }});
    for (const double time : {0.0, 0.05, 0.1, 0.15, 0.3}) {
      t = time;
      meter(static_cast<std::uint64_t>(time * 100), 100);
    }
  }
  const std::string text = contents(file);
  CHECK(count(text, "\r\033[K") == 4);  // drawn at 0, 0.1 and 0.3; erased once
  CHECK(text.find('\n') == std::string::npos);
  std::fclose(file);
}

TEST_CASE("progress: an error unwinding through a plain meter does not claim the run is done") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file);
  try {
    progress_meter meter("x", {5}, {.style = progress_style::plain, .out = file});
    throw std::runtime_error("stop");
  } catch (const std::runtime_error&) {
  }
  CHECK(contents(file).empty());
  std::fclose(file);
}

TEST_CASE("progress: many threads reporting at once draw whole lines, at most 10 a second") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file);
  const auto start = std::chrono::steady_clock::now();
  {
    progress_meter meter("x", {5}, {.style = progress_style::bar, .out = file});
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&] {
        for (std::uint64_t done = 1; done <= 20000; ++done) meter(done, 20000);
      });
    for (auto& thread : threads) thread.join();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string text = contents(file);
  const std::size_t draws = count(text, "\r\033[K") - 1;
  CHECK(draws >= 1);
  CHECK(static_cast<double>(draws) <= seconds * 10 + 1);
  CHECK(count(text, "x, n = 5 [") == draws);
  std::fclose(file);
}
