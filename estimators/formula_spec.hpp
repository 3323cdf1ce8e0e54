// A model written as a formula, as a config's [model.NAME] table gives it
// (README, "Models written as a formula"); estimators/formula.hpp compiles it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlesim {

struct formula_spec {
  std::string name;
  // Name and kind ("real", "positive" or "unit"), in declaration order.
  std::vector<std::pair<std::string, std::string>> parameters;
  std::string support;  // "real", "positive", "nonnegative", "unit" or "counts"
  std::string log_density;
  std::string draw;  // may be empty: the model then fits data but draws none
  // Where a fit of data starts Newton, one value per parameter; empty: the
  // kinds' defaults (1 for positive, 0 for real, 0.5 for unit).
  std::vector<double> start{};

  bool operator==(const formula_spec&) const = default;
};

// Where Newton starts without a `start`: 1 for a positive parameter, 0.5 for
// a unit one, 0 for a real one (or for a kind compile_formula refuses).
inline std::vector<double> default_start(const formula_spec& spec) {
  std::vector<double> start;
  for (const auto& [name, kind] : spec.parameters) start.push_back(kind == "positive" ? 1.0 : kind == "unit" ? 0.5 : 0.0);
  return start;
}

}  // namespace mlesim
