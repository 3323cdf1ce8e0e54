#include "reports/fit_report.hpp"

#include "reports/format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mlesim {
namespace {

std::string interval(const std::optional<double>& low, const std::optional<double>& high) {
  if (!low && !high) return "—";
  return fmt::format("[{}, {}]", low ? format::brief(low, 6) : "-inf", high ? format::brief(high, 6) : "inf");
}

nlohmann::json maybe_json(const std::optional<double>& x) { return x ? nlohmann::json(*x) : nlohmann::json(nullptr); }

}  // namespace

std::string fit_table(const data_fit& fit, const std::string& data_name) {
  std::string known;
  for (const auto& [name, value] : fit.known) known += fmt::format("{}{} = {}", known.empty() ? "" : ", ", name, value);
  // A figure that is not finite (where a fit that did not converge stopped)
  // prints as absent, never as nan or inf: format::brief.
  std::string out = fmt::format("{}{} fitted to {} (n = {}): log-likelihood {}, AIC {}, BIC {}\n", fit.family,
                                known.empty() ? "" : " (" + known + ", known)", data_name, fit.n,
                                format::brief(fit.log_likelihood, 10), format::brief(fit.aic, 10),
                                format::brief(fit.bic, 10));
  out += fit.converged ? fmt::format("converged ({} iterations)\n\n", fit.iterations)
                       : fmt::format("DID NOT CONVERGE after {} iterations: the figures are where it stopped\n\n",
                                     fit.iterations);
  const int percent = static_cast<int>(std::lround(fit.level * 100));
  out += fmt::format("{:<12} {:>16} {:>14} {:>32} {:>32}\n", "parameter", "estimate", "SE",
                     fmt::format("{}% Wald interval", percent), fmt::format("{}% profile interval", percent));
  for (const auto& p : fit.parameters)
    out += fmt::format("{:<12} {:>16} {:>14} {:>32} {:>32}\n", p.name, format::brief(p.estimate, 8),
                       p.fixed ? "fixed" : format::brief(p.se, 6), interval(p.wald_low, p.wald_high),
                       interval(p.profile_low, p.profile_high));
  for (const auto& note : fit.notes) out += "note: " + note + "\n";
  return out;
}

std::string fit_csv(const data_fit& fit) {
  std::string out = "name,estimate,se,wald_low,wald_high,profile_low,profile_high\n";
  for (const auto& p : fit.parameters)
    out += fmt::format("{},{},{},{},{},{},{}\n", p.name, format::exact(p.estimate), format::exact(p.se),
                       format::exact(p.wald_low), format::exact(p.wald_high), format::exact(p.profile_low),
                       format::exact(p.profile_high));
  return out;
}

std::string fit_json(const data_fit& fit) {
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& p : fit.parameters)
    parameters.push_back({{"name", p.name},
                          {"estimate", p.estimate},
                          {"fixed", p.fixed},
                          {"se", maybe_json(p.se)},
                          {"wald_low", maybe_json(p.wald_low)},
                          {"wald_high", maybe_json(p.wald_high)},
                          {"profile_low", maybe_json(p.profile_low)},
                          {"profile_high", maybe_json(p.profile_high)}});
  nlohmann::json out = {{"family", fit.family},   {"n", fit.n},
                              {"loglik", fit.log_likelihood}, {"aic", fit.aic},
                              {"bic", fit.bic},         {"converged", fit.converged},
                              {"iterations", fit.iterations}, {"level", fit.level},
                              {"notes", fit.notes},     {"parameters", parameters},
                              {"known", nlohmann::json::object()}};
  for (const auto& [name, value] : fit.known) out["known"][name] = value;
  return out.dump(2) + "\n";
}

}  // namespace mlesim
