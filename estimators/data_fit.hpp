// Fitting one data set: estimates, standard errors from the observed
// information, Wald and profile-likelihood intervals, log-likelihood, AIC and
// BIC. What `mlesim fit` prints.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mlesim {

struct fitted_parameter {
  std::string name;
  double estimate = 0;
  bool fixed = false;  // held at a value given by the user, not estimated
  std::optional<double> se, wald_low, wald_high, profile_low, profile_high;
};

struct data_fit {
  std::string family;
  std::size_t n = 0;
  double log_likelihood = 0;
  double aic = 0, bic = 0;
  bool converged = false;
  int iterations = 0;
  double level = 0.95;
  std::vector<fitted_parameter> parameters;
  std::vector<std::pair<std::string, double>> known;  // the family's known constants, as given
  std::vector<std::string> notes;  // a boundary estimate, a parameter without SE, ...
  // Bad input, found while fitting; when set, nothing else is filled in.
  std::string data_problem;   // too few distinct values for the family
  std::string fixed_problem;  // a held value outside the parameter space
};

// Fits a family to data: `known` holds valid values of its known constants,
// `fixed` names its parameters, and x lies in the family's support (the
// caller checks all three). Without `profiles` the profile bounds are left
// out (a note says so): Wald intervals only. `fit_data` (sim/catalogue.hpp)
// finds a family's by name.
using data_fitter = std::function<data_fit(std::span<const double> known, const std::vector<double>& x,
                                           const std::vector<std::pair<std::string, double>>& fixed, double level,
                                           bool profiles)>;

// The built-in families' fitters, in the order of `builtin_families`.
std::vector<data_fitter> builtin_fitters();

// A regression model (estimators/regression.hpp) fitted to data: y on an
// intercept, when `intercept`, and the covariate columns named `names`. The
// model must be registered and y in its response's support (the caller
// checks). The standard errors come from the observed information; each
// profile holds one parameter and refits the others.
data_fit fit_regression_data(const std::string& model, const std::vector<double>& y,
                             const std::vector<std::vector<double>>& covariates, const std::vector<std::string>& names,
                             bool intercept, double level, bool profiles = true);

}  // namespace mlesim
