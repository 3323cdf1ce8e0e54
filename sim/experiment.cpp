#include "sim/experiment.hpp"

#include "estimators/registry.hpp"
#include "sim/regression.hpp"
#include "sim/runner.hpp"
#include "sim/study.hpp"

#include <stdexcept>

namespace mlesim {

sample_drawer drawer_for(std::string_view family_name) {
  sample_drawer draw = nullptr;
  visit_family(family_name, [&]<class G>() { draw = &draw_sample<G>; });
  if (!draw) throw std::invalid_argument("unknown family '" + std::string(family_name) + "'");
  return draw;
}

experiment_result simulate(const experiment_spec& spec, const progress_callback& progress) {
  return run_all(*prepare(spec), progress);
}

}  // namespace mlesim
