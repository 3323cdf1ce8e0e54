#include "sim/experiment.hpp"

#include "estimators/registry.hpp"
#include "sim/regression.hpp"
#include "sim/simulate.hpp"

#include <stdexcept>

namespace mlesim {

sample_drawer drawer_for(std::string_view family_name) {
  sample_drawer draw = nullptr;
  visit_family(family_name, [&]<class G>() { draw = &draw_sample<G>; });
  if (!draw) throw std::invalid_argument("unknown family '" + std::string(family_name) + "'");
  return draw;
}

experiment_result simulate(const experiment_spec& spec, const progress_callback& progress) {
  if (spec.regression) return simulate_regression(spec, progress);
  experiment_result result;
  const bool found =
      visit_family(fitted_family(spec), [&]<class F>() { result = simulate_as<F>(spec, progress); });
  if (!found) throw std::invalid_argument("unknown family '" + fitted_family(spec) + "'");
  return result;
}

}  // namespace mlesim
