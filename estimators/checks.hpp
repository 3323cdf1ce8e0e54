// Parameter-space checks for every family, with one message style, after
// Boost.Math's: "rate is -2, but must be > 0".
#pragma once

#include <fmt/format.h>

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

// The first failed check's message, or empty when all hold.
template <class... Messages>
std::string first_failure(Messages... messages) {
  std::string result;
  ((result.empty() ? void(result = std::move(messages)) : void()), ...);
  return result;
}

}  // namespace mlesim::checks
