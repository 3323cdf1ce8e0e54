// Models written as a formula (estimators/formula.hpp) in the runtime
// catalogue: a config's `[model.NAME]` table (loader/config.cpp), a state's
// or results file's settings (sim/state.cpp) and `fit --models` register
// them here, and from then on NAME is a family like any other.
#pragma once

#include "estimators/formula.hpp"
#include "sim/catalogue.hpp"

namespace mlesim {

// Compiles the model and adds it to the program's catalogue. The same
// definition registered again is the entry already there; a different
// family under a taken name throws std::invalid_argument; a formula that
// cannot be a model throws formula_error.
const family_entry& register_formula(const formula_spec& spec);

// The definition behind a formula model's entry; nullptr for a family that
// is not a formula model.
const formula_spec* formula_of(std::string_view family_name);
// Its compiled definition; nullptr likewise.
std::shared_ptr<const formula_definition> formula_definition_of(std::string_view family_name);

// Registration (and compiling, since GiNaC is not thread-safe) runs on one
// thread, before anything runs; lookups may then run on any.

}  // namespace mlesim
