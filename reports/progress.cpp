#include "reports/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace mlesim {
namespace {

std::string label(const progress_snapshot& s) {
  if (s.sample_sizes.empty()) return s.experiment;
  const auto [low, high] = std::minmax_element(s.sample_sizes.begin(), s.sample_sizes.end());
  if (*low == *high) return fmt::format("{}, n = {}", s.experiment, *low);
  return fmt::format("{}, n = {} to {}", s.experiment, *low, *high);
}

// Rounded down: 100% only when every replication is done.
std::uint64_t percent(const progress_snapshot& s) { return s.total ? 100 * s.done / s.total : 0; }

std::string speed_and_time_left(const progress_snapshot& s) {
  if (!s.rate || !(*s.rate > 0)) return "";
  const double left = static_cast<double>(s.total - std::min(s.done, s.total)) / *s.rate;
  return fmt::format("{} reps/s, {} left", rate_text(*s.rate), duration_text(left));
}

}  // namespace

std::string duration_text(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  if (seconds < 10) return fmt::format("{:.1f} s", seconds);
  const auto whole = static_cast<std::uint64_t>(std::llround(seconds));
  if (whole < 60) return fmt::format("{} s", whole);
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, whole % 3600 / 60);
}

std::string rate_text(double per_second) {
  if (per_second < 1000) return fmt::format("{:.0f}", per_second);
  if (per_second < 1e6) return fmt::format("{:.1f}k", per_second / 1e3);
  return fmt::format("{:.2f}M", per_second / 1e6);
}

std::string progress_line(const progress_snapshot& s) {
  const std::string speed = speed_and_time_left(s);
  return fmt::format("{}: {} of {} replications ({}%){}", label(s), s.done, s.total, percent(s),
                     speed.empty() ? "" : ", " + speed);
}

std::string progress_bar(const progress_snapshot& s, std::size_t width) {
  const std::string speed = speed_and_time_left(s);
  const std::string prefix = label(s) + " [";
  // The speed and time left padded to one width, so the bar does not jump
  // as they grow or shrink.
  const std::string suffix = fmt::format("] {:3}%  {:<30}", percent(s), speed);
  // The last column stays empty: a terminal that wraps there would break
  // the carriage-return redraw.
  const std::size_t usable = width > 1 ? width - 1 : 0;
  constexpr std::size_t shortest_bar = 10;
  if (prefix.size() + suffix.size() + shortest_bar > usable) {
    std::string text = fmt::format("{}: {:3}%", label(s), percent(s));
    if (!speed.empty() && text.size() + 2 + speed.size() <= usable) text += "  " + speed;
    return text.substr(0, usable);
  }
  const std::size_t bar = usable - prefix.size() - suffix.size();
  const std::size_t filled = s.total ? static_cast<std::size_t>(static_cast<double>(bar) *
                                                                static_cast<double>(std::min(s.done, s.total)) /
                                                                static_cast<double>(s.total))
                                     : 0;
  return prefix + std::string(filled, '#') + std::string(bar - filled, '.') + suffix;
}

progress_meter::progress_meter(std::string experiment, std::vector<std::uint64_t> sample_sizes, options o)
    : experiment_(std::move(experiment)), sample_sizes_(std::move(sample_sizes)), options_(std::move(o)),
      start_(now()), exceptions_at_start_(std::uncaught_exceptions()),
      // A bar appears at the first report; a log line only after `every`.
      next_draw_(options_.style == progress_style::plain ? start_ + options_.every : start_) {}

progress_meter::~progress_meter() {
  if (options_.style == progress_style::bar && drawn_) {
    std::fputs("\r\033[K", options_.out);
    std::fflush(options_.out);
  }
  if (options_.style == progress_style::plain && std::uncaught_exceptions() == exceptions_at_start_) {
    const std::uint64_t total = total_.load();
    progress_snapshot s{experiment_, sample_sizes_, done_.load(), total, std::nullopt};
    std::fputs(fmt::format("mlesim: {}: done, {} replications in {}\n", label(s), s.done,
                           duration_text(now() - start_))
                   .c_str(),
               options_.out);
    std::fflush(options_.out);
  }
}

double progress_meter::now() const {
  if (options_.now) return options_.now();
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void progress_meter::operator()(std::uint64_t done, std::uint64_t total) {
  if (options_.style == progress_style::none) return;
  std::call_once(baseline_once_, [&] {
    baseline_time_ = now();
    baseline_done_ = done;
  });
  // Workers report out of order: keep the largest count seen.
  std::uint64_t seen = done_.load(std::memory_order_relaxed);
  while (seen < done && !done_.compare_exchange_weak(seen, done, std::memory_order_relaxed)) {
  }
  total_.store(total, std::memory_order_relaxed);
  const double t = now();
  double due = next_draw_.load(std::memory_order_relaxed);
  if (t < due) return;
  const double interval = options_.style == progress_style::bar ? 0.1 : options_.every;
  if (!next_draw_.compare_exchange_strong(due, t + interval)) return;  // another thread draws this one
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock) return;
  draw(t);
}

void progress_meter::draw(double t) {
  progress_snapshot s{experiment_, sample_sizes_, done_.load(), total_.load(), std::nullopt};
  if (t > baseline_time_ && s.done > baseline_done_)
    s.rate = static_cast<double>(s.done - baseline_done_) / (t - baseline_time_);
  if (options_.style == progress_style::bar)
    std::fputs(("\r\033[K" + progress_bar(s, options_.width)).c_str(), options_.out);
  else
    std::fputs(("mlesim: " + progress_line(s) + "\n").c_str(), options_.out);
  std::fflush(options_.out);
  drawn_ = true;
}

}  // namespace mlesim
