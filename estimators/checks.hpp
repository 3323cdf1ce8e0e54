// Parameter-space checks for every family, with one message style, after
// Boost.Math's: "rate is -2, but must be > 0".
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

namespace mlesim::checks {

inline std::string positive(std::string_view name, double value) {
  if (std::isfinite(value) && value > 0) return {};
  return fmt::format("{} is {}, but must be > 0", name, value);
}

inline std::string finite(std::string_view name, double value) {
  if (std::isfinite(value)) return {};
  return fmt::format("{} is {}, but must be finite", name, value);
}

inline std::string open_unit(std::string_view name, double value) {
  if (value > 0 && value < 1) return {};
  return fmt::format("{} is {}, but must be in (0, 1)", name, value);
}

// The ranges double precision supports. A scale-type parameter (a scale, a
// rate, a variance, a location's size) beyond 1e60 either way puts some
// figure out of range: the Fisher information goes as 1/scale^2, the
// Cramér–Rao bound of a reparametrization as gradient^2, and the Monte Carlo
// standard errors of the MSE and of the variance use the errors' fourth
// powers, which overflow past 1e77 and underflow below 1e-77.
inline constexpr double scale_low = 1e-60, scale_high = 1e60;
// A location more than 1e10 scales from 0 leaves its data a resolution of
// 2e-6 scales (the spacing of doubles near it): coarser, and the scale's
// estimate measures rounding.
inline constexpr double location_per_scale = 1e10;

inline std::string within(std::string_view name, double value, double low, double high) {
  if (value >= low && value <= high) return {};
  return fmt::format("{} is {}, but must be in [{:g}, {:g}] for double precision", name, value, low, high);
}

// > 0, then within [low, high]: a value <= 0 is outside the parameter
// space, one beyond the range outside what double precision supports.
inline std::string positive_within(std::string_view name, double value, double low = scale_low,
                                   double high = scale_high) {
  if (auto message = positive(name, value); !message.empty()) return message;
  return within(name, value, low, high);
}

// A probability in (0, 1) and at least `low`: below it, the bound of its
// log-odds, 1 / (p^2 n) ... in the gradient's square, overflows.
inline std::string unit_within(std::string_view name, double value, double low = scale_low) {
  if (auto message = open_unit(name, value); !message.empty()) return message;
  if (value >= low) return {};
  return fmt::format("{} is {}, but must be in [{:g}, 1) for double precision", name, value, low);
}

// A location: finite, at most 1e60 in size and at most 1e10 times `scale`
// (the standard deviation, or the scale parameter) from 0.
inline std::string location_within(std::string_view name, double value, double scale) {
  if (auto message = finite(name, value); !message.empty()) return message;
  const double bound = std::min(scale_high, location_per_scale * scale);
  if (std::abs(value) <= bound) return {};
  return fmt::format("{} is {}, but must be in [-{:g}, {:g}] for double precision (at most {:g} scales from 0)",
                     name, value, bound, bound, location_per_scale);
}

// The first failed check's message, or empty when all hold.
template <class... Messages>
std::string first_failure(Messages... messages) {
  std::string result;
  ((result.empty() ? void(result = std::move(messages)) : void()), ...);
  return result;
}

}  // namespace mlesim::checks
