#include "sim/catalogue.hpp"

#include "estimators/builtin.hpp"
#include "estimators/regression.hpp"
#include "sim/invariance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <stdexcept>

namespace mlesim {

// The built-in families' parts, each made where its templates are
// instantiated (so that they compile apart), in the order of builtin_families.
std::vector<sample_drawer> builtin_drawers();  // sim/experiment.cpp
std::vector<std::function<std::unique_ptr<prepared_experiment>(const experiment_spec&)>> builtin_preparers();  // sim/study.cpp
std::vector<std::function<invariance_result(const experiment_spec&, const std::string&, std::uint64_t, std::uint64_t)>>
builtin_invariance_checks();  // sim/invariance.cpp

catalogue catalogue::with_builtins() {
  catalogue result;
  auto infos = builtin_infos();
  auto drawers = builtin_drawers();
  auto preparers = builtin_preparers();
  auto invariance = builtin_invariance_checks();
  auto fitters = builtin_fitters();
  for (std::size_t i = 0; i < infos.size(); ++i)
    result.add({std::move(infos[i]), drawers[i], std::move(preparers[i]), std::move(invariance[i]),
                std::move(fitters[i]), nullptr});
  return result;
}

void catalogue::add(family_entry entry) {
  const std::string_view name = entry.info.name;
  const bool identifier = !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
                          std::all_of(name.begin(), name.end(), [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                          });
  if (!identifier)
    throw std::invalid_argument(fmt::format("a family's name must be lower-case letters, digits and _, not '{}'", name));
  if (find(name)) throw std::invalid_argument(fmt::format("a family named '{}' is already registered", name));
  if (!entry.draw.draw || !entry.prepare || !entry.fit_data || !entry.info.check || !entry.info.check_known ||
      !entry.info.log_density || !entry.info.admits || !entry.info.support_start || !entry.info.quantile ||
      (entry.info.regular && !entry.invariance))
    throw std::invalid_argument(fmt::format("the family '{}' is missing a part of its catalogue entry", name));
  if (entry.info.regular == !entry.info.irregularity.empty())
    throw std::invalid_argument(fmt::format(
        "the family '{}': a family that is not regular says why (its irregularity), and a regular one does not",
        name));
  entries_.push_back(std::move(entry));
}

void catalogue::truncate(std::size_t size) {
  while (entries_.size() > size) entries_.pop_back();  // a deque: the entries kept stay where they are
}

registrations_scope::registrations_scope(bool on_error_only)
    : catalogue_(&families()),
      size_(families().entries().size()),
      exceptions_(std::uncaught_exceptions()),
      on_error_only_(on_error_only) {}

registrations_scope::~registrations_scope() {
  if (!on_error_only_ || std::uncaught_exceptions() > exceptions_) catalogue_->truncate(size_);
}

const family_entry* catalogue::find(std::string_view name) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.info.name == name; });
  return it == entries_.end() ? nullptr : &*it;
}

namespace {
catalogue*& active() {
  static catalogue builtins = catalogue::with_builtins();
  static catalogue* current = &builtins;
  return current;
}
}  // namespace

catalogue& families() { return *active(); }
void use_catalogue(catalogue& c) { active() = &c; }

const family_entry* find_family_entry(std::string_view name) { return families().find(name); }

const family_info* find_family(std::string_view name) {
  const family_entry* entry = families().find(name);
  return entry ? &entry->info : nullptr;
}

std::vector<family_info> family_catalog() {
  std::vector<family_info> result;
  for (const auto& e : families().entries()) result.push_back(e.info);
  return result;
}

std::string family_names() {
  std::vector<std::string_view> names;
  for (const auto& e : families().entries()) names.push_back(e.info.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

namespace {

model_description description_of(std::string_view family_name) {
  const family_info* f = find_family(family_name);
  if (!f) throw std::invalid_argument("unknown family '" + std::string(family_name) + "'");
  return {.name = std::string(f->name),
          .summary = std::string(f->summary),
          .parameters = {f->parameters.begin(), f->parameters.end()},
          .known = {f->known.begin(), f->known.end()},
          .regular = f->regular,
          .irregularity = std::string(f->irregularity),
          .method = f->closed_form ? "closed form" : "numeric (Newton)"};
}

}  // namespace

void describe_models(experiment_result& result) {
  const experiment_spec& spec = result.spec;
  result.covariates.clear();
  if (spec.regression) {
    const regression_spec& r = *spec.regression;
    const regression_model* model = find_regression(r.model);
    if (!model) throw std::invalid_argument("unknown regression model '" + r.model + "'");
    result.generating = {.name = std::string(model->name),
                         .summary = std::string(model->summary),
                         .parameters = regression_parameters(*model, r.columns),
                         .known = {},
                         .regular = true,
                         .irregularity = {},
                         .method = model->dispersion ? "least squares, sigma2 = RSS/n" : "Newton's method (IRLS)"};
    result.fitted = result.generating;
    for (const auto& c : r.covariates) result.covariates.push_back(description_of(c.family));
    return;
  }
  result.generating = description_of(spec.family);
  result.fitted = description_of(fitted_family(spec));
}

sample_drawer drawer_for(std::string_view family_name) {
  const family_entry* entry = families().find(family_name);
  if (!entry) throw std::invalid_argument("unknown family '" + std::string(family_name) + "'");
  return entry->draw;
}

data_fit fit_data(const std::string& family, const std::vector<double>& known, const std::vector<double>& x,
                  const std::vector<std::pair<std::string, double>>& fixed, double level, bool profiles) {
  const family_entry* entry = families().find(family);
  if (!entry) throw std::invalid_argument("unknown family '" + family + "'");
  return entry->fit_data(known, x, fixed, level, profiles);
}

}  // namespace mlesim
