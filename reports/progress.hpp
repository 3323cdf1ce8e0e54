// Progress of a run on stderr, for a person at a terminal (a bar redrawn in
// place) or for a log (a line every ~10 s). Never on stdout or in a report:
// what a run prints and writes is the same with or without it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mlesim {

enum class progress_style { none, bar, plain };

// What one line of progress shows; a pure function of it gives the text.
struct progress_snapshot {
  std::string experiment;
  std::vector<std::uint64_t> sample_sizes;  // all run at once: one is "the" size only when it is alone
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::optional<double> rate;  // replications per second, once measured
};

// "4 s", "2 min 05 s", "1 h 02 min".
std::string duration_text(double seconds);
// "950", "12.3k", "1.25M".
std::string rate_text(double per_second);
// "normal, n = 100: 45000 of 100000 replications (45%), 12.3k reps/s, 4 s left"
std::string progress_line(const progress_snapshot& s);
// The same as a bar at most `width` columns wide, ASCII only (experiment
// names are), so that a carriage return redraws it in place.
std::string progress_bar(const progress_snapshot& s, std::size_t width);

// Called from the runner's worker threads with (done, total): cheap and
// thread-safe. A call that is not due to draw costs a clock read and two
// atomic loads; the one that is due claims the draw by a compare-and-swap
// on the next draw time, so the meter never makes a worker wait.
class progress_meter {
 public:
  using clock = std::function<double()>;  // seconds; a test's own, else steady_clock
  struct options {
    progress_style style = progress_style::none;
    double every = 10;          // seconds between lines (plain); a bar redraws at most 10 times a second
    std::size_t width = 80;     // the terminal's columns (bar)
    std::FILE* out = stderr;
    clock now{};
  };

  progress_meter(std::string experiment, std::vector<std::uint64_t> sample_sizes, options o);
  // A bar is erased; plain ends with a line saying how long the run took
  // (not when an exception unwinds through it: the error says the rest).
  ~progress_meter();
  progress_meter(const progress_meter&) = delete;
  progress_meter& operator=(const progress_meter&) = delete;

  void operator()(std::uint64_t done, std::uint64_t total);

 private:
  double now() const;
  void draw(double t);

  std::string experiment_;
  std::vector<std::uint64_t> sample_sizes_;
  options options_;
  double start_;
  int exceptions_at_start_;
  std::atomic<std::uint64_t> done_{0}, total_{0};
  std::atomic<double> next_draw_;
  std::once_flag baseline_once_;
  // A resumed run starts with its checkpoint's replications done: the rate
  // counts from the first report, so they do not inflate it.
  double baseline_time_ = 0;
  std::uint64_t baseline_done_ = 0;
  std::mutex draw_mutex_;  // held only by the drawing thread (try-locked)
  bool drawn_ = false;
};

}  // namespace mlesim
