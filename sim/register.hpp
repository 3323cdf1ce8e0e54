// Registering a family of one's own: a program built against the installed
// library (docs/library.md) describes its family as a type that models the
// `family` concept (estimators/family.hpp), registers it, and then has `run`,
// `verify`, `fit` and `models` for it through mlesim::cli (app/cli.hpp):
//
//   int main(int argc, char** argv) {
//     mlesim::register_family<my_family>();
//     return mlesim::cli(argc, argv);
//   }
//
// This header instantiates everything the program runs for the family: the
// simulation (sim/simulate.hpp), the sampler, the invariance check and the
// fit of data.
#pragma once

#include "estimators/data_fit_family.hpp"
#include "estimators/describe.hpp"
#include "sim/catalogue.hpp"
#include "sim/invariance.hpp"
#include "sim/simulate.hpp"

#include <memory>

namespace mlesim {

// F's entry in the catalogue.
template <family F>
family_entry make_entry() {
  static_assert(!F::regular || regular_family<F>,
                "a regular family needs fisher_information and observed_information");
  return family_entry{
      .info = describe<F>(),
      .draw = sample_drawer{&draw_sample<F>, nullptr},
      .prepare = [](const experiment_spec& spec) -> std::unique_ptr<prepared_experiment> {
        return std::make_unique<family_study<F>>(spec);
      },
      .invariance = invariance_check<F>(),
      .fit_data = &fitting::fit_family_data<F>,
      .owned = nullptr,
  };
}

// Adds F to the catalogue (by default the program's); std::invalid_argument
// if a family of that name is already there.
template <family F>
void register_family(catalogue& into = families()) {
  into.add(make_entry<F>());
}

}  // namespace mlesim
