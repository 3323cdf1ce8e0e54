// An invariant of mlesim's own code, checked in every build (release too):
// broken, it throws std::logic_error, which the program reports as an
// internal error (its own exit code), never as bad input and never silently
// in a build without assert().
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace mlesim {

inline void invariant(bool holds, std::string_view what) {
  if (!holds) throw std::logic_error("invariant broken: " + std::string(what));
}

}  // namespace mlesim
