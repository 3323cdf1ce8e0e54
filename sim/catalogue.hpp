// The runtime catalogue of families: what the program knows of each family
// by name, with its type erased. It starts with the built-in families
// (estimators/builtin.hpp); a program of its own adds families with
// `register_family<F>()` (sim/register.hpp) before calling `mlesim::cli`,
// and a config's `[model.NAME]` tables add models written as a formula. The
// loader, the runner and `fit` find families here; the reports read what
// they need from the results (describe_models below), never from here.
#pragma once

#include "estimators/data_fit.hpp"
#include "estimators/family_info.hpp"
#include "sim/experiment.hpp"
#include "sim/runner.hpp"
#include "sim/study.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

struct invariance_result;

// One family, type-erased: its description, how to draw from it, how to run
// an experiment that fits it, the invariance check (regular families only)
// and the fit of a data set.
struct family_entry {
  family_info info;
  sample_drawer draw;
  std::function<std::unique_ptr<prepared_experiment>(const experiment_spec&)> prepare;
  std::function<invariance_result(const experiment_spec&, const std::string& estimand, std::uint64_t n,
                                  std::uint64_t max_replications)>
      invariance;  // empty for a family that is not regular
  data_fitter fit_data;
  std::shared_ptr<const void> owned;  // what `info` and `draw.context` refer to, if the entry owns it
};

class catalogue {
 public:
  // The built-in families, in the order of estimators/builtin.hpp.
  static catalogue with_builtins();

  // Adds a family; std::invalid_argument if its name is taken, empty or not
  // an identifier ([a-z_][a-z0-9_]*), if a part of its entry is missing, or
  // if it is not regular without saying why (info.irregularity), or regular
  // and says it.
  void add(family_entry entry);

  // Removes the families added after the first `size` (registrations_scope).
  void truncate(std::size_t size);

  const family_entry* find(std::string_view name) const;  // nullptr if unknown
  const std::deque<family_entry>& entries() const { return entries_; }

 private:
  std::deque<family_entry> entries_;  // a deque: entries stay where they are as families are added
};

// Takes back, when it ends, the families added to the catalogue in use
// while it lived: always, or with on_error_only only when an exception ends
// it. A config's load that fails takes back its models; `merge` compiles
// each study's models for that study alone, so that two studies may each
// have a model of one name.
class registrations_scope {
 public:
  explicit registrations_scope(bool on_error_only = false);
  ~registrations_scope();
  registrations_scope(const registrations_scope&) = delete;
  registrations_scope& operator=(const registrations_scope&) = delete;

 private:
  catalogue* catalogue_;
  std::size_t size_;
  int exceptions_;
  bool on_error_only_;
};

// The catalogue the program uses: the built-ins until `use_catalogue` names
// another. Registration is not thread-safe: register before running.
catalogue& families();
void use_catalogue(catalogue& c);

const family_info* find_family(std::string_view name);  // nullptr if unknown
const family_entry* find_family_entry(std::string_view name);
std::vector<family_info> family_catalog();  // every family's description, in catalogue order
std::string family_names();                 // "normal, exponential, ..."

// The result's descriptions of its models (sim/experiment.hpp's
// model_description), from the catalogue: the runner writes them so that the
// reports read them from the results. std::invalid_argument for a family or
// a regression model that is not known.
void describe_models(experiment_result& result);

// The family's fit of a data set (estimators/data_fit.hpp says what the
// caller checks); std::invalid_argument for an unknown family.
data_fit fit_data(const std::string& family, const std::vector<double>& known, const std::vector<double>& x,
                  const std::vector<std::pair<std::string, double>>& fixed, double level, bool profiles = true);

}  // namespace mlesim
