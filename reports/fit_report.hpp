// `mlesim fit`'s output: pure functions from a fit to text.
#pragma once

#include "estimators/data_fit.hpp"

#include <string>

namespace mlesim {

std::string fit_table(const data_fit& fit, const std::string& data_name);
// One row per parameter: name,estimate,se,wald_low,wald_high,profile_low,profile_high.
std::string fit_csv(const data_fit& fit);
// One object: family, n, loglik, aic, bic, converged, iterations, level, notes, parameters.
std::string fit_json(const data_fit& fit);

}  // namespace mlesim
