#include "app/cli.hpp"

#include "sim/catalogue.hpp"
#include "estimators/regression.hpp"
#include "loader/config.hpp"
#include "mlesim_build.hpp"
#include "reports/atomic_file.hpp"
#include "reports/csv.hpp"
#include "reports/markdown.hpp"
#include "reports/verdicts.hpp"
#include "reports/fit_report.hpp"
#include "reports/gnuplot.hpp"
#include "reports/junit.hpp"
#include "reports/progress.hpp"
#include "reports/report_set.hpp"
#include "reports/results_json.hpp"
#include "estimators/data_fit.hpp"
#include "loader/data.hpp"
#include "app/mpi.hpp"
#include "sim/experiment.hpp"
#include "sim/precision.hpp"
#include "sim/state.hpp"
#include "sim/study.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <mutex>
#include <new>
#include <set>
#include <malloc.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace mlesim {
namespace {

std::string build_description() { return fmt::format("mlesim {} ({})", MLESIM_VERSION, MLESIM_BUILD); }

std::string duration_text(double seconds) {
  if (seconds < 120) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

struct run_flags {
  std::vector<std::string> configs;
  std::string output = "results";
  unsigned threads = 0;
  std::optional<std::string> seed;
  std::optional<std::string> reps;
  std::optional<std::string> shard;  // "K/N": run the K-th of N parts and write its state, no report
  bool checkpoint = false;           // keep finished chunks in DIR/<experiment>.checkpoint.state
  bool resume = false;               // start from that checkpoint
  double checkpoint_every = 5;       // seconds between checkpoint writes, at most
  bool mpi = false;                  // share the chunks among MPI ranks; rank 0 writes the reports
  std::optional<std::string> junit;  // verify: also write the checks as JUnit XML here
  std::string progress = "auto";     // auto (a bar at a terminal, else nothing), bar, plain or none
  double progress_every = 10;        // seconds between plain progress lines
  bool quiet = false;                // nothing on stdout or stderr but errors
  bool force = false;                // grids of more than default_max_conditions conditions
};

// A decimal number in [low, high], for a flag that takes a double:
// CLI::Range lets NaN through (every comparison with NaN is false).
CLI::Validator number_in(double low, double high) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(value >= low && value <= high))
          return fmt::format("Value {} not in range {} to {}", printable(text), low, high);
        return {};
      },
      fmt::format("FLOAT in [{} - {}]", low, high));
}

// Set once MPI is initialized with several ranks: an error then ends every
// rank (mpi::abort), and only rank 0 speaks.
std::optional<mpi::world> mpi_world;

// "K/N" with 1 <= K <= N <= max_shards.
std::pair<std::uint32_t, std::uint32_t> shard_flag(const std::string& text) {
  const auto slash = text.find('/');
  const auto number = [&](std::string_view part) -> std::uint32_t {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size()) return 0;
    return value;
  };
  const std::uint32_t k = slash == std::string::npos ? 0 : number(std::string_view(text).substr(0, slash));
  const std::uint32_t n = slash == std::string::npos ? 0 : number(std::string_view(text).substr(slash + 1));
  if (k < 1 || n < 1 || k > n || n > max_shards)
    throw input_error(fmt::format("--shard is '{}', but must be K/N with 1 <= K <= N <= {}", text, max_shards));
  return {k, n};
}

// Runs an experiment's missing chunks, keeping every finished chunk in a
// checkpoint state in the output folder, written atomically at most every
// `every` seconds (and once at the end), then summarizes from the chunks.
std::vector<experiment_result> run_with_checkpoint(const prepared_study& study,
                                                   const std::vector<experiment_spec>& conditions,
                                                   const std::filesystem::path& file, bool resume, double every,
                                                   const progress_callback& progress) {
  experiment_state state{.settings = settings_json(conditions)};
  if (resume && std::filesystem::exists(file)) {
    experiment_state saved = read_state(file);
    const auto changes = settings_differences(saved.settings, state.settings);
    if (!changes.empty())
      throw input_error(fmt::format("{}: cannot resume: the experiment's settings changed since the checkpoint:\n  {}",
                                    file.string(), fmt::join(changes, "\n  ")));
    if (saved.shards != 1) throw state_error(fmt::format("{}: a shard's state, not a checkpoint", file.string()));
    state.chunks = std::move(saved.chunks);
  }
  const std::map<chunk_id, std::string> before = state.chunks;  // read while others are added
  std::mutex mutex;
  auto last_write = std::chrono::steady_clock::now();
  bool wrote_any = false;
  run_hooks hooks{.progress = progress};
  hooks.saved = [&](chunk_id id) -> std::optional<accumulator_set> {
    const auto it = before.find(id);
    if (it == before.end()) return std::nullopt;
    return decode_chunk(it->second, study, id, file.string());
  };
  hooks.computed = [&](chunk_id id, const accumulator_set& accumulators) {
    std::string bytes = encode_chunk(accumulators);
    std::lock_guard lock(mutex);
    state.chunks.emplace(id, std::move(bytes));
    wrote_any = true;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_write).count() >= every) {
      write_file_atomically(file, encode_state(state));
      last_write = now;
    }
  };
  auto results = run_all(study, hooks);
  if (wrote_any) write_file_atomically(file, encode_state(state));
  return results;
}

// An integer flag read as the config reads the same key: decimal digits, in
// [low, high], every problem one line naming the flag and the value.
std::uint64_t integer_flag(std::string_view flag, const std::string& text, std::int64_t low, std::int64_t high) {
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(begin, end, value);
  const bool digits = !text.empty() && std::all_of(text.begin() + (text.front() == '-' ? 1 : 0), text.end(),
                                                   [](unsigned char c) { return std::isdigit(c); });
  if (!digits || text == "-" || (error != std::errc() && error != std::errc::result_out_of_range) || stop != end)
    throw input_error(fmt::format("{} must be an integer, got '{}'", flag, printable(text)));
  if (error == std::errc::result_out_of_range || value < low || value > high)
    throw input_error(fmt::format("{} is {}, but must be in [{}, {}]", flag, text, low, high));
  return static_cast<std::uint64_t>(value);
}

// The progress a run shows on stderr: --progress, where `auto` is a bar when
// stderr is a terminal (a person watches) and nothing otherwise (a log or a
// pipe, which a bar's carriage returns would litter).
progress_meter::options progress_options(const run_flags& flags) {
  progress_meter::options o;
  const std::string& style = flags.quiet ? "none" : flags.progress;
  if (style == "bar" || (style == "auto" && ::isatty(2))) o.style = progress_style::bar;
  else if (style == "plain") o.style = progress_style::plain;
  o.every = flags.progress_every;
  winsize size{};
  if (::ioctl(2, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) o.width = size.ws_col;
  return o;
}

// The report files an experiment writes (reports/report_set.hpp) and, for
// verify, NAME.checks.csv.
std::vector<std::string> report_names(const experiment_config& config, bool judge) {
  std::vector<std::string> files =
      experiment_report_names(config.spec.name, config.spec.estimands, config.conditions.size());
  if (judge) files.push_back(config.spec.name + ".checks.csv");
  return files;
}

constexpr std::string_view figures_skipped_message =
    "mlesim: gnuplot was not found on PATH: figures skipped (the reports say so; Debian: apt-get install "
    "gnuplot-nox, then `mlesim report DIR` draws them)\n";

// The experiments' files and the folder's index (index_files), committed
// together, each named on `out`; the line about skipped figures on stderr
// unless `quiet`. What run, merge and report end with.
void commit_with_index(report_folder& folder, std::vector<std::pair<std::string, std::string>>& reports,
                       bool figures_skipped, bool quiet, std::ostream& out) {
  const auto index = index_files(folder.path(), reports);
  reports.insert(reports.end(), index.begin(), index.end());
  if (figures_skipped && !quiet) std::cerr << figures_skipped_message;
  folder.commit(reports);
  for (const auto& [name, content] : reports) out << fmt::format("wrote {}\n", (folder.path() / name).string());
}

// --junit FILE: its folder is made and test-written before any simulation,
// as the output folder is. In the output folder it must not be one of the
// reports, and is then committed with them.
std::optional<std::filesystem::path> junit_path(const run_flags& flags, const std::vector<experiment_config>& configs) {
  if (!flags.junit) return std::nullopt;
  const std::filesystem::path file(*flags.junit);
  if (file.filename().empty() || std::filesystem::is_directory(file))
    throw input_error(fmt::format("--junit {}: name a file, not a folder", *flags.junit));
  const auto folder = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  if (std::filesystem::weakly_canonical(folder) == std::filesystem::weakly_canonical(flags.output)) {
    const std::string name = file.filename().string();
    if (name == lock_file_name) throw input_error(fmt::format("--junit {}: the output folder's lock file", *flags.junit));
    if (name == index_markdown_name || name == index_html_name)
      throw input_error(fmt::format("--junit {}: the output folder's index, which every run rewrites; name another file",
                                    *flags.junit));
    for (const auto& config : configs)
      for (const auto& report : report_names(config, true))
        if (report == name || checkpoint_file_name(config.spec.name) == name)
          throw input_error(fmt::format("--junit {}: experiment '{}' writes {} there; name another file",
                                        *flags.junit, config.spec.name, name));
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw output_error(fmt::format("--junit {}: cannot create {}: {}", *flags.junit, folder.string(), error.message()));
  const auto probe = folder / fmt::format(".mlesim-probe-{}", ::getpid());
  write_file_atomically(probe, std::string(64 * 1024, '\n'));
  std::filesystem::remove(probe);
  return file;
}

std::vector<experiment_config> load_all(const run_flags& flags, bool judge) {
  std::vector<experiment_config> configs;
  // Each output file's owner, so that two experiments writing one file (a
  // and a again, or a's a.checks.csv and a.checks's) are refused by name.
  std::map<std::string, std::pair<std::string, std::string>> owners;
  const std::uint64_t seed = flags.seed ? integer_flag("--seed", *flags.seed, 0, max_seed) : 0;
  const std::uint64_t reps = flags.reps ? integer_flag("--reps", *flags.reps, min_replications, max_replications) : 0;
  for (const auto& file : flags.configs) {
    experiment_config config =
        load_experiment(file, {.max_conditions = flags.force ? forced_max_conditions : default_max_conditions});
    for (auto* spec : [&] {
           std::vector<experiment_spec*> all{&config.spec};
           for (auto& c : config.conditions) all.push_back(&c);
           return all;
         }()) {
      if (flags.seed) spec->seed = seed;
      if (flags.reps) spec->replications = reps;  // a target config's maximum
    }
    for (const auto& output : report_names(config, judge)) {
      // Folded to lower case: on a case-insensitive file system (macOS,
      // Windows) A.csv and a.csv are one file.
      std::string folded = output;
      std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) { return std::tolower(c); });
      const auto [it, fresh] = owners.emplace(folded, std::pair(file, config.spec.name));
      if (!fresh)
        throw input_error(fmt::format("{}: experiment '{}' would write {}, as experiment '{}' of {} does{}: one "
                                      "would overwrite the other's report; rename one",
                                      file, config.spec.name, output, it->second.second, it->second.first,
                                      it->second.second == config.spec.name ? "" : " (on a case-insensitive file system)"));
    }
    configs.push_back(std::move(config));
  }
  return configs;
}

// `run`, and `verify` (judge = true): the same runs, then the checks.
int run_command(const run_flags& flags, bool judge) {
  // Every config is read and checked before any runs: a typo in the last one
  // costs nothing and leaves no report behind.
  if (flags.mpi) {
    if (!mpi::available())
      throw input_error("--mpi: this mlesim was built without MPI (install libopenmpi-dev and rebuild)");
    if (flags.shard || flags.checkpoint || flags.resume)
      throw input_error("--mpi does not go with --shard, --checkpoint or --resume");
    mpi_world = mpi::init();
  }
  const auto configs = load_all(flags, judge);
  if (judge)
    for (const auto& config : configs)
      if (config.checks.empty())
        throw input_error(fmt::format("{}: declares no [[check]]: nothing to verify", config.file.string()));
  const bool speaks = !mpi_world || mpi_world->rank == 0;  // rank 0 alone writes and prints
  std::optional<std::pair<std::uint32_t, std::uint32_t>> shard;
  if (flags.shard) {
    shard = shard_flag(*flags.shard);
    if (judge) throw input_error("--shard goes with `run`: run every shard, `mlesim merge` the states, then judge");
    if (flags.checkpoint || flags.resume) throw input_error("--shard and --checkpoint/--resume do not go together");
  }
  // Locked and test-written now: an unusable folder costs no simulation.
  std::optional<report_folder> folder;
  if (shard) {
    // Shards of one study may write into one folder at once (a SLURM array):
    // no lock, each its own files, each written atomically. A folder that
    // cannot take them fails now, not after the simulation.
    std::error_code error;
    std::filesystem::create_directories(flags.output, error);
    if (error) throw output_error(fmt::format("{}: cannot create the output folder: {}", flags.output, error.message()));
    const auto probe = std::filesystem::path(flags.output) / fmt::format(".mlesim-probe-{}", ::getpid());
    write_file_atomically(probe, std::string(64 * 1024, '\n'));
    std::filesystem::remove(probe);
  } else if (speaks) {
    folder.emplace(flags.output);
  }
  const auto junit = speaks ? junit_path(flags, configs) : std::nullopt;
  // --quiet: the console tables and "wrote" lines go nowhere; errors still
  // reach stderr (fail()).
  std::ostream discard(nullptr);
  std::ostream& out = flags.quiet ? discard : std::cout;
  const progress_meter::options progress_settings = speaks ? progress_options(flags) : progress_meter::options{};

  std::optional<tbb::global_control> limit;
  if (flags.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, flags.threads);
  const std::string build = build_description();
  bool all_passed = true;
  std::vector<std::filesystem::path> checkpoints;
  // Reports are written once every experiment has run: a failure or a kill
  // in the last one leaves none of the earlier ones' reports either.
  std::vector<std::pair<std::string, std::string>> reports;
  std::vector<verified_experiment> verified;  // for --junit
  bool figures_skipped = false;
  // What only computing can find (no pseudo-true value at a condition) is
  // the config's fault too: found for every experiment before any runs,
  // said with its file, exit 2, and no report of any experiment.
  std::vector<prepared_study> studies;
  for (const auto& config : configs) {
    try {
      studies.push_back(prepare(config.conditions));
    } catch (const std::runtime_error& e) {
      throw input_error(fmt::format("{}: {}", config.file.string(), e.what()));
    }
  }
  for (std::size_t x = 0; x < configs.size(); ++x) {
    const experiment_config& config = configs[x];
    const prepared_study& study = studies[x];
    const auto start = std::chrono::steady_clock::now();
    std::vector<experiment_result> results;
    {
      // A grid's bar names how many conditions run at once; a shard's and a
      // rank's count its own chunks.
      const std::string what = config.conditions.size() > 1
                                   ? fmt::format("{} ({} conditions)", config.spec.name, config.conditions.size())
                                   : config.spec.name;
      progress_meter meter(shard ? fmt::format("{}, shard {} of {}", what, shard->first, shard->second)
                           : mpi_world ? fmt::format("{}, rank 0 of {}", what, mpi_world->size)
                                       : what,
                           config.spec.sample_sizes, progress_settings);
      const progress_callback progress = [&](std::uint64_t done, std::uint64_t total) { meter(done, total); };
      if (shard) {
        // A part of the study: its chunks' state, no report.
        const experiment_state state = run_to_state(study, shard_chunks(config.conditions, shard->first, shard->second),
                                                    shard->first, shard->second, progress);
        reports.emplace_back(shard_file_name(config.spec.name, shard->first, shard->second), encode_state(state));
        out << fmt::format("{}: shard {} of {}, {} chunks{}\n", config.spec.name, shard->first, shard->second,
                           state.chunks.size(),
                           config.spec.targets.empty()
                               ? ""
                               : " (to max_replications: shards cannot see each other's figures; merge stops "
                                 "each row where one run would)");
        continue;
      }
      if (flags.checkpoint || flags.resume) {
        const auto file = folder->path() / checkpoint_file_name(config.spec.name);
        results = run_with_checkpoint(study, config.conditions, file, flags.resume, flags.checkpoint_every, progress);
        checkpoints.push_back(file);
      } else if (mpi_world) {
        // Rank 0 decides each round (with targets, from the fold before it)
        // and folds every rank's share of it in the fixed order.
        results = mpi::run_study(study, speaks ? progress : progress_callback{});
        if (!speaks) continue;
      } else {
        results = run_all(study, progress);
      }
    }
    std::optional<verification> verdicts;
    if (judge) verdicts = verify(results, config.checks, config.false_failure_rate);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    experiment_reports files = experiment_report_files(results, build, verdicts ? verdict_markdown(*verdicts) : "");
    figures_skipped = figures_skipped || files.figures_skipped;
    reports.insert(reports.end(), files.files.begin(), files.files.end());
    out << console_summary(results);
    if (verdicts) {
      reports.emplace_back(config.spec.name + ".checks.csv", verdict_csv(config.spec.name, *verdicts));
      out << verdict_console(*verdicts);
      all_passed = all_passed && verdicts->all_passed;
      verified.push_back({config.spec.name, config.file.string(), config.spec.seed, config.spec.replications, *verdicts});
    }
    out << fmt::format("  {:.3f} s\n\n", seconds) << std::flush;  // a person or a pipe sees each experiment end
  }
  if (shard) {
    for (const auto& [name, content] : reports) {
      write_file_atomically(std::filesystem::path(flags.output) / name, content);
      out << fmt::format("wrote {}\n", (std::filesystem::path(flags.output) / name).string());
    }
  } else if (speaks) {
    // A JUnit file in the output folder is committed with the reports; one
    // elsewhere (a CI's own folder) is written atomically after them, so a
    // CI never reads a verdict whose reports are missing.
    const bool junit_inside = junit && std::filesystem::weakly_canonical(junit->parent_path().empty() ? "." : junit->parent_path()) ==
                                           std::filesystem::weakly_canonical(folder->path());
    if (junit_inside) reports.emplace_back(junit->filename().string(), junit_xml(verified));
    commit_with_index(*folder, reports, figures_skipped, flags.quiet, out);
    if (junit && !junit_inside) {
      write_file_atomically(*junit, junit_xml(verified));
      out << fmt::format("wrote {}\n", junit->string());
    }
  }
  // The reports hold everything now: a finished run's checkpoints go.
  for (const auto& file : checkpoints) std::filesystem::remove(file);
  if (mpi_world) mpi::finalize();
  return all_passed ? exit_ok : exit_property_failed;
}

// `merge`: the states of every shard of one or more studies, checked to be
// whole and of one study each, joined in the fixed tree: the reports a
// single run writes, byte for byte.
int merge_command(const std::vector<std::string>& files, const std::string& output) {
  struct study {
    std::string settings;
    std::uint32_t shards = 0;
    std::map<std::uint32_t, std::string> shard_files;  // K -> file
    std::map<chunk_id, std::pair<std::string, std::string>> chunks;  // -> (bytes, file)
  };
  std::map<std::string, study> studies;  // by experiment name
  std::map<std::filesystem::path, std::string> seen;
  for (const auto& file : files) {
    const auto canonical = std::filesystem::weakly_canonical(file);
    if (const auto [it, fresh] = seen.emplace(canonical, file); !fresh)
      throw input_error(fmt::format("{}: given twice (as {} too)", file, it->second));
    experiment_state state = read_state(file);
    // Its models are compiled study by study below.
    const std::vector<experiment_spec> conditions = conditions_from_settings(state.settings, file, family_check::named);
    const std::string& experiment_name = conditions.front().name;
    study& s = studies[experiment_name];
    if (s.settings.empty()) {
      s.settings = state.settings;
      s.shards = state.shards;
    } else if (s.settings != state.settings) {
      throw input_error(fmt::format(
          "{}: a state of another study named '{}' than {}:\n  {}", file, experiment_name, s.shard_files.begin()->second,
          fmt::join(settings_differences(s.settings, state.settings), "\n  ")));
    } else if (s.shards != state.shards) {
      throw input_error(fmt::format("{}: shard {} of {}, but {} is of {} shards", file, state.shard, state.shards,
                                    s.shard_files.begin()->second, s.shards));
    }
    if (const auto [it, fresh] = s.shard_files.emplace(state.shard, file); !fresh)
      throw input_error(fmt::format("{}: shard {} of {} again (as {})", file, state.shard, state.shards, it->second));
    for (auto& [id, bytes] : state.chunks)
      if (const auto [it, fresh] = s.chunks.emplace(id, std::pair(std::move(bytes), file)); !fresh)
        throw input_error(fmt::format("{}: {} is in {} too", file, describe_chunk(conditions, id), it->second.second));
  }

  std::vector<std::pair<std::string, std::string>> reports;
  const std::string build = build_description();
  bool figures_skipped = false;
  for (const auto& [name, s] : studies) {
    // The count and the first few names: N may be 65536.
    constexpr std::size_t named = 5;
    std::vector<std::string> missing;
    const std::size_t count = s.shards - s.shard_files.size();
    for (std::uint32_t k = 1; k <= s.shards && missing.size() < named; ++k)
      if (!s.shard_files.contains(k)) missing.push_back(shard_file_name(name, k, s.shards));
    if (count > 0)
      throw input_error(fmt::format("{}: missing {} of {} shards: {}{}", name, count, s.shards, fmt::join(missing, ", "),
                                    count > named ? fmt::format(" and {} more", count - named) : ""));
    // This study's models, for this study alone: another may have a model
    // of the same name.
    const registrations_scope models_of_this_study;
    const std::vector<experiment_spec> conditions = conditions_from_settings(s.settings, s.shard_files.begin()->second);
    const prepared_study experiment = prepare(conditions);
    for (const chunk_id& id : all_chunks(conditions))
      if (!s.chunks.contains(id))
        throw input_error(fmt::format("{}: {} is in none of the states (an unfinished checkpoint?)", name,
                                      describe_chunk(conditions, id)));
    if (s.chunks.size() != all_chunks(conditions).size())
      throw input_error(fmt::format("{}: the states hold chunks this study does not have", name));
    const std::vector<experiment_result> results = summarize_encoded(experiment, s.chunks, name);
    experiment_reports files = experiment_report_files(results, build, "");
    figures_skipped = figures_skipped || files.figures_skipped;
    reports.insert(reports.end(), files.files.begin(), files.files.end());
    std::cout << console_summary(results) << '\n';
  }
  report_folder folder(output);
  commit_with_index(folder, reports, figures_skipped, false, std::cout);
  return exit_ok;
}

// `report DIR`: every experiment's reports, figures and pages redrawn from
// the DIR/<experiment>.results.json its run left, and DIR's index, without
// rerunning: the bytes that run wrote, given the same gnuplot.
int report_command(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error))
    throw input_error(fmt::format("{}: not a folder{}", dir, error ? ": " + error.message() : ""));
  report_folder folder(dir);  // locked: no run changes it meanwhile
  std::vector<std::filesystem::path> files;
  std::set<std::string> drawn;
  constexpr std::string_view suffix = ".results.json";
  for (const auto& entry : std::filesystem::directory_iterator(folder.path())) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix) && entry.is_regular_file()) {
      files.push_back(entry.path());
      drawn.insert(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw input_error(fmt::format("{}: holds no results file (<experiment>.results.json) to draw reports from; "
                                  "run the experiments with this mlesim first", dir));
  std::vector<std::pair<std::string, std::string>> reports;
  bool figures_skipped = false;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw input_error(fmt::format("{}: cannot read it", file.string()));
    saved_results saved;
    try {
      saved = read_results_json(text.str(), file.string());
    } catch (const results_error& e) {
      throw input_error(e.what());
    }
    const std::string& name = saved.conditions.front().spec.name;
    if (name + std::string(suffix) != file.filename().string())
      throw input_error(fmt::format("{}: holds the results of experiment '{}'; its name must be {}{}", file.string(),
                                    name, name, suffix));
    experiment_reports made = experiment_report_files(saved.conditions, saved.build, saved.verdicts);
    figures_skipped = figures_skipped || made.figures_skipped;
    reports.insert(reports.end(), made.files.begin(), made.files.end());
  }
  for (const auto& entry : std::filesystem::directory_iterator(folder.path())) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".csv") && !name.ends_with(".checks.csv") &&
        std::filesystem::exists(folder.path() / (name.substr(0, name.size() - 4) + ".md")) &&
        !drawn.contains(name.substr(0, name.size() - 4)))
      std::cerr << fmt::format("mlesim: {}: no {}{} beside it (an older mlesim's run): its reports are left as "
                               "they are\n", (folder.path() / name).string(), name.substr(0, name.size() - 4), suffix);
  }
  commit_with_index(folder, reports, figures_skipped, false, std::cout);
  return exit_ok;
}

// `plan`: a pilot of each row (condition and n), and from the MCSE formulas
// the replications each target needs, with the time they would take.
int plan_command(const run_flags& flags, std::uint64_t pilot) {
  const auto configs = load_all(flags, false);
  std::optional<tbb::global_control> limit;
  if (flags.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, flags.threads);
  const unsigned threads =
      flags.threads > 0 ? flags.threads : static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
  double all_seconds = 0;
  for (const auto& config : configs) {
    // The pilot: the first `pilot` replications of every row, on the run's
    // own streams, with no targets.
    std::vector<experiment_spec> pilots = config.conditions;
    for (auto& spec : pilots) {
      spec.targets.clear();
      spec.replications = std::min<std::uint64_t>(pilot, config.spec.replications);
    }
    std::vector<mcse_target> targets = config.spec.targets;
    const bool chosen = !targets.empty();
    if (!chosen) targets = {{"bias", 0}, {"coverage", 0}};  // what the fixed count will give
    const prepared_study study = [&] {
      try {
        return prepare(pilots);
      } catch (const std::runtime_error& e) {
        throw input_error(fmt::format("{}: {}", config.file.string(), e.what()));
      }
    }();
    const auto start = std::chrono::steady_clock::now();
    const auto results = run_all(study);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const std::uint64_t most = config.spec.replications, length = chunk_length(most);
    std::cout << fmt::format("{} ({}): a pilot of {} replications per row took {:.2f} s on {} threads\n",
                             config.spec.name, config.file.string(), pilots.front().replications, seconds, threads);
    if (chosen)
      std::cout << fmt::format("  targets: {}; at most {} replications per row, in chunks of {}\n",
                               fmt::join([&] {
                                 std::vector<std::string> t;
                                 for (const auto& x : targets) t.push_back(fmt::format("{}_mcse <= {}", x.measure, x.mcse));
                                 return t;
                               }(), ", "),
                               most, length);
    else
      std::cout << fmt::format("  no target_mcse: the MCSEs that replications = {} gives\n", most);
    std::string header = fmt::format("  {:>9}  {:<24} {:>9}  {:<12}", "condition", "values", "n", "estimand");
    for (const auto& t : targets)
      header += chosen ? fmt::format(" {:>22}", t.measure + " needs") : fmt::format(" {:>22}", t.measure + "_mcse");
    std::cout << header << (chosen ? fmt::format(" {:>14}\n", "row runs") : "\n");
    double pilot_work = 0, planned_work = 0;
    std::uint64_t planned_reps = 0;
    for (std::size_t c = 0; c < results.size(); ++c) {
      const auto& result = results[c];
      const std::size_t estimands = result.spec.estimands.size();
      for (std::size_t size = 0; size < result.spec.sample_sizes.size(); ++size) {
        const std::uint64_t n = result.spec.sample_sizes[size];
        double row_needs = 0;
        bool unknown = false;
        for (std::size_t e = 0; e < estimands; ++e) {
          const estimand_result& row = result.rows[size * estimands + e];
          std::string line = fmt::format("  {:>9}  {:<24} {:>9}  {:<12}", c + 1,
                                         result.spec.condition.empty() ? "-" : condition_label(result.spec), n,
                                         row.estimand);
          for (const auto& t : targets) {
            if (chosen) {
              const target_reading reading = read_target(row.m, t);
              if (reading.needed) {
                row_needs = std::max(row_needs, *reading.needed);
                line += fmt::format(" {:>22}", static_cast<std::uint64_t>(std::ceil(*reading.needed)));
              } else {
                unknown = true;
                line += fmt::format(" {:>22}", "no figure");
              }
            } else {
              // The MCSE falls as 1/sqrt(R): the pilot's, scaled to the run's count.
              const target_reading reading = read_target(row.m, {t.measure, 1.0});
              line += reading.needed ? fmt::format(" {:>22.3g}", std::sqrt(*reading.needed / static_cast<double>(most)))
                                     : fmt::format(" {:>22}", "no figure");
            }
          }
          if (chosen && e + 1 == estimands) {
            const std::uint64_t chunks = unknown ? chunk_count(most)
                                                 : std::min(chunk_count(most), static_cast<std::uint64_t>(std::ceil(
                                                                                   row_needs / static_cast<double>(length))));
            const std::uint64_t runs = replications_of(most, std::max<std::uint64_t>(chunks, 1));
            line += fmt::format(" {:>14}", fmt::format("{}{}", runs, unknown || row_needs > static_cast<double>(most) ? " (max)" : ""));
            planned_reps += runs;
            planned_work += static_cast<double>(runs) * static_cast<double>(n);
          }
          std::cout << line << '\n';
        }
        if (!chosen) {
          planned_reps += most;
          planned_work += static_cast<double>(most) * static_cast<double>(n);
        }
        pilot_work += static_cast<double>(result.rows[size * estimands].m.reps) * static_cast<double>(n);
      }
    }
    // The time grows with replications times n (draws and fits are linear in n).
    const double estimate = pilot_work > 0 ? seconds * planned_work / pilot_work : 0;
    all_seconds += estimate;
    std::cout << fmt::format("  in all: {} replications over {} rows, about {} on {} threads\n\n", planned_reps,
                             results.size() * config.spec.sample_sizes.size(), duration_text(estimate), threads);
  }
  if (configs.size() > 1) std::cout << fmt::format("every config: about {}\n", duration_text(all_seconds));
  return exit_ok;
}

struct fit_flags {
  std::string model;
  std::string file;
  std::optional<std::string> column;
  std::vector<std::string> fixed;
  std::vector<std::string> known;
  std::optional<std::string> response;
  std::vector<std::string> covariates;
  bool no_intercept = false;
  std::optional<bool> header;  // --header / --no-header; by default detected (see experiments/data.hpp)
  double level = 0.95;
  std::string format = "table";
  bool no_profile = false;  // Wald intervals only
  std::vector<std::string> model_files;  // configs whose [model.NAME] tables define formula models
};

header_rule header_of(const fit_flags& flags) {
  return !flags.header ? header_rule::detect : *flags.header ? header_rule::present : header_rule::absent;
}

// NAME=VALUE with a finite number, as --fixed and --known take it.
std::pair<std::string, double> name_and_value(const std::string& flag, const std::string& item) {
  const auto equals = item.find('=');
  char* end = nullptr;
  const double value = equals == std::string::npos ? NAN : std::strtod(item.c_str() + equals + 1, &end);
  if (equals == std::string::npos || end != item.c_str() + item.size() || !std::isfinite(value))
    throw input_error(fmt::format("{} {}: write NAME=VALUE with a finite number", flag, item));
  return {item.substr(0, equals), value};
}

// The family's known constants from --known, in the family's order.
std::vector<double> known_constants(const family_info& family, const std::vector<std::string>& items) {
  std::vector<double> known(family.known.size(), NAN);
  for (const auto& item : items) {
    const auto [name, value] = name_and_value("--known", item);
    const auto it = std::find(family.known.begin(), family.known.end(), name);
    if (it == family.known.end())
      throw input_error(family.known.empty()
                            ? fmt::format("--known {}: {} has no known constants", item, family.name)
                            : fmt::format("--known {}: {} has no known constant '{}' (it has {})", item, family.name,
                                          name, fmt::join(family.known, ", ")));
    double& slot = known[static_cast<std::size_t>(it - family.known.begin())];
    if (!std::isnan(slot)) throw input_error(fmt::format("--known {}: {} is given twice", item, name));
    slot = value;
  }
  for (std::size_t i = 0; i < known.size(); ++i)
    if (std::isnan(known[i]))
      throw input_error(fmt::format("--model {}: give its known {} with --known {}=VALUE", family.name,
                                    family.known[i], family.known[i]));
  if (const std::string problem = family.check_known(known); !problem.empty())
    throw input_error(fmt::format("--known: {}", problem));
  return known;
}

// Prints the fit; exit 1 if it did not converge.
int report_fit(const fit_flags& flags, const data_fit& result, const std::string& what) {
  if (flags.format == "json") std::cout << fit_json(result);
  else if (flags.format == "csv") std::cout << fit_csv(result);
  else std::cout << fit_table(result, what);
  if (!result.converged) {
    std::cerr << fmt::format("mlesim: the {} fit of {} did not converge after {} iterations{}\n", result.family, what,
                             result.iterations, result.notes.empty() ? "" : ": " + result.notes.back());
    return exit_property_failed;
  }
  return exit_ok;
}

int fit_regression_command(const fit_flags& flags, const regression_model& model) {
  if (!flags.response)
    throw input_error(fmt::format("--model {}: name the response column with --response", model.name));
  if (flags.column || !flags.fixed.empty() || !flags.known.empty())
    throw input_error(fmt::format("--model {}: a regression takes --response and --covariates, not --column, --fixed "
                                  "or --known", model.name));
  std::vector<std::string> names{*flags.response};
  names.insert(names.end(), flags.covariates.begin(), flags.covariates.end());
  for (std::size_t i = 0; i < names.size(); ++i)
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) != names.begin() + static_cast<std::ptrdiff_t>(i))
      throw input_error(fmt::format("--covariates: column '{}' is named twice (or is the response)", names[i]));
  const std::vector<data_column> columns = read_columns(flags.file, names, header_of(flags));
  const std::string where = flags.file == "-" ? "<stdin>" : flags.file;
  const data_column& y = columns.front();
  for (std::size_t i = 0; i < y.values.size(); ++i)
    if (!in_support(model.response, y.values[i]))
      throw input_error(fmt::format("{}:{}:{}: {} is not a possible response of the {} model: {}", where, y.lines[i],
                                    y.column, y.values[i], model.name, model.summary));
  std::vector<std::vector<double>> covariates;
  std::vector<std::string> covariate_names;
  for (std::size_t c = 1; c < columns.size(); ++c) {
    covariates.push_back(columns[c].values);
    covariate_names.push_back(columns[c].name);
  }
  const data_fit result = fit_regression_data(std::string(model.name), y.values, covariates, covariate_names,
                                              !flags.no_intercept, flags.level, !flags.no_profile);
  if (!result.data_problem.empty()) throw input_error(fmt::format("{}: {}", where, result.data_problem));
  return report_fit(flags, result, fmt::format("{} on {} of {}", y.name,
                                               covariate_names.empty() ? "an intercept"
                                                                       : fmt::format("{}", fmt::join(covariate_names, ", ")),
                                               where));
}

int fit_command(const fit_flags& flags) {
  // Buffers up to 32 MiB (a column of 10^6 values, a design matrix) from the
  // heap, and kept there when freed for the next one, instead of mapped anew
  // and faulted in page by page each time: a fit of 10^6 rows touched 270 MB
  // of fresh pages (69 000 faults, about a third of its time on a VM).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  for (const auto& file : flags.model_files) load_models(file);
  if (const regression_model* model = find_regression(flags.model)) return fit_regression_command(flags, *model);
  const family_info* family = find_family(flags.model);
  if (!family)
    throw input_error(fmt::format("--model {}: not a known family or regression model (families: {}; regression "
                                  "models: {})", flags.model, family_names(), regression_names()));
  if (flags.response || !flags.covariates.empty() || flags.no_intercept)
    throw input_error(fmt::format("--model {}: --response, --covariates and --no-intercept are for regression models",
                                  family->name));
  const std::vector<double> known = known_constants(*family, flags.known);
  const data_column data = read_column(flags.file, flags.column, header_of(flags));
  const std::string where = flags.file == "-" ? "<stdin>" : flags.file;
  for (std::size_t i = 0; i < data.values.size(); ++i)
    if (!family->admits(known, data.values[i]))
      throw input_error(fmt::format("{}:{}:{}: {} is outside the support of the {} family{}: {}", where,
                                    data.lines[i], data.column, data.values[i], family->name,
                                    family->known.empty() ? "" : " with these known constants", family->summary));
  if (data.values.size() < family->min_sample_size)
    throw input_error(fmt::format("{}: {} observation(s), but the {} MLE needs at least {}", where, data.values.size(),
                                  family->name, family->min_sample_size));

  std::vector<std::pair<std::string, double>> fixed;
  for (const auto& item : flags.fixed) {
    const auto [name, value] = name_and_value("--fixed", item);
    if (std::find(family->parameters.begin(), family->parameters.end(), name) == family->parameters.end()) {
      const bool is_known = std::find(family->known.begin(), family->known.end(), name) != family->known.end();
      throw input_error(is_known ? fmt::format("--fixed {}: {} is a known constant of {}; give it with --known", item,
                                               name, family->name)
                                 : fmt::format("--fixed {}: {} has no parameter '{}' (parameters: {})", item,
                                               family->name, name, fmt::join(family->parameters, ", ")));
    }
    if (std::any_of(fixed.begin(), fixed.end(), [&](const auto& held) { return held.first == name; }))
      throw input_error(fmt::format("--fixed {}: {} is given twice", item, name));
    fixed.emplace_back(name, value);
  }

  const data_fit result = fit_data(std::string(family->name), known, data.values, fixed, flags.level, !flags.no_profile);
  if (!result.data_problem.empty()) throw input_error(fmt::format("{}: {}", where, result.data_problem));
  if (!result.fixed_problem.empty()) throw input_error("--fixed " + result.fixed_problem);
  return report_fit(flags, result, fmt::format("{} of {}", data.name, where));
}

int models_command() {
  std::cout << fmt::format("{:<18} {:<18} {:<14} {:<44} {:<12} {}\n", "family", "parameters", "known",
                           "reparametrizations", "estimator", "regularity");
  for (const auto& f : family_catalog()) {
    std::string reparametrizations;
    for (const auto& [name, formula] : f.reparametrizations)
      reparametrizations += fmt::format("{}{} = {}", reparametrizations.empty() ? "" : ", ", name, formula);
    std::cout << fmt::format("{:<18} {:<18} {:<14} {:<44} {:<12} {}\n", f.name, fmt::format("{}", fmt::join(f.parameters, ", ")),
                             f.known.empty() ? "-" : fmt::format("{}", fmt::join(f.known, ", ")),
                             reparametrizations.empty() ? "-" : reparametrizations,
                             f.closed_form ? "closed form" : "numeric", f.regular ? "regular" : "non-regular");
  }
  std::cout << fmt::format("\n{:<20} {:<38} {:<16} {}\n", "regression model", "y given x", "parameters", "estimator");
  for (const auto& m : regression_catalog())
    std::cout << fmt::format("{:<20} {:<38} {:<16} {}\n", m.name, m.summary,
                             m.dispersion ? "beta..., sigma2" : "beta...",
                             m.dispersion ? "least squares" : "Newton (IRLS)");
  return exit_ok;
}

}  // namespace

failure classify_failure(std::exception_ptr error) {
  const auto internal = [](std::string_view what) {
    return failure{exit_internal_error,
                   fmt::format("internal error: {} (please report this, with the command line and its files)", what)};
  };
  try {
    std::rethrow_exception(error);
  } catch (const input_error& e) {
    return {exit_bad_input, e.what()};
  } catch (const state_error& e) {
    return {exit_bad_input, e.what()};
  } catch (const output_error& e) {
    return {exit_bad_input, e.what()};
  } catch (const std::filesystem::filesystem_error& e) {
    return {exit_bad_input, e.what()};
  } catch (const gnuplot_error& e) {
    return {exit_bad_input, e.what()};
  } catch (const std::bad_alloc&) {
    return internal("out of memory (std::bad_alloc)");
  } catch (const std::exception& e) {
    return internal(e.what());
  } catch (...) {
    return internal("an exception of unknown type");
  }
}

namespace {

// One line on stderr (from rank 0 alone under MPI, where every rank then
// ends with the same code).
int fail(const failure& f) {
  if (!mpi_world || mpi_world->rank == 0) std::cerr << "mlesim: " << f.message << std::endl;
  if (mpi_world && mpi_world->size > 1) mpi::abort(f.exit_code);
  return f.exit_code;
}

}  // namespace

int cli(int argc, char** argv, catalogue& known) {
  // The program's catalogue is `known` while the command runs, and what it
  // was before once it returns (a caller's catalogue may not outlive it).
  struct restore {
    catalogue& previous;
    ~restore() { use_catalogue(previous); }
  } guard{families()};
  use_catalogue(known);
  CLI::App app{"mlesim: Monte Carlo checks of what maximum likelihood theory promises"};
  app.require_subcommand(1);
  app.set_version_flag("--version", build_description());

  run_flags flags;
  auto* run = app.add_subcommand("run", "Run experiments; write DIR/<experiment>.csv and .md");
  auto* verify_command = app.add_subcommand(
      "verify", "Run experiments, then judge their [[check]]s; exit 0 all pass, 1 a property failed");
  for (auto* command : {run, verify_command}) {
    command->add_option("configs", flags.configs, "Experiment config files (TOML)")->required()->check(CLI::ExistingFile);
    command->add_option("-o,--output", flags.output, "Directory for the reports")->capture_default_str();
    command->add_option("--threads", flags.threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::Range(1u, 4096u));
    command->add_option("--seed", flags.seed, fmt::format("Override every config's seed (0 to {})", max_seed));
    command->add_option("--reps", flags.reps,
                        fmt::format("Override every config's replications ({} to {})", min_replications, max_replications));
    command->add_flag("--checkpoint", flags.checkpoint,
                      "Keep finished chunks in DIR/<experiment>.checkpoint.state, so a killed run can --resume");
    command->add_flag("--resume", flags.resume,
                      "Run only what DIR's checkpoints lack (refused if a config changed); implies --checkpoint");
    command->add_option("--checkpoint-every", flags.checkpoint_every, "Seconds between checkpoint writes, at most")
        ->check(number_in(0.0, 86400.0))->capture_default_str();
    auto* progress = command->add_option("--progress", flags.progress,
                                         "Progress on stderr: auto (a bar when stderr is a terminal, else none), bar, "
                                         "plain (a line every --progress-every seconds, for logs) or none")
                         ->check(CLI::IsMember({"auto", "bar", "plain", "none"}))
                         ->capture_default_str();
    command->add_option("--progress-every", flags.progress_every, "Seconds between --progress plain lines")
        ->check(number_in(0.0, 86400.0))
        ->capture_default_str();
    command->add_flag("-q,--quiet", flags.quiet, "Print nothing but errors (no tables, no progress); exit codes as ever")
        ->excludes(progress);
  }
  verify_command->add_option("--junit", flags.junit,
                             "Also write the checks as JUnit XML to FILE (a test case per check and sample size), "
                             "for a CI's test report");
  run->add_flag("--mpi", flags.mpi,
                "Under mpirun: share the chunks among the ranks (each with its threads); rank 0 writes the reports");
  run->add_option("--shard", flags.shard,
                  "K/N: run the K-th of N parts, write DIR/<experiment>.shard-K-of-N.state and no report");
  for (auto* command : {run, verify_command})
    command->add_flag("--force", flags.force,
                      fmt::format("Run a grid of more than {} conditions (up to {})", default_max_conditions,
                                  forced_max_conditions));
  std::uint64_t pilot = 200;
  auto* plan = app.add_subcommand(
      "plan", "A pilot run, then the replications each target_mcse needs per condition and n, and the time");
  plan->add_option("configs", flags.configs, "Experiment config files (TOML)")->required()->check(CLI::ExistingFile);
  plan->add_option("--pilot", pilot, "Replications per row in the pilot")->check(CLI::Range(16, 1'000'000))
      ->capture_default_str();
  plan->add_option("--threads", flags.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 4096u));
  plan->add_option("--seed", flags.seed, fmt::format("Override every config's seed (0 to {})", max_seed));
  plan->add_flag("--force", flags.force, "Plan a grid of more than the usual number of conditions");
  std::vector<std::string> merge_files;
  std::string merge_output = "results";
  auto* merge = app.add_subcommand("merge", "Join shards' states into the reports one run writes, byte for byte");
  merge->add_option("states", merge_files, "State files (.state) of every shard")->required()->check(CLI::ExistingFile);
  merge->add_option("-o,--output", merge_output, "Directory for the reports")->capture_default_str();
  std::string report_dir;
  auto* report = app.add_subcommand(
      "report", "Redraw DIR's reports, figures, pages and index from its results files, without rerunning");
  report->add_option("dir", report_dir, "An output folder of run, verify or merge")->required();
  auto* models = app.add_subcommand("models", "List every family and regression model: parameters, estimator");
  std::vector<std::string> listed_model_files;
  models->add_option("--models", listed_model_files, "A config whose [model.NAME] tables to list too (repeatable)");
  fit_flags fit;
  auto* fit_subcommand = app.add_subcommand("fit", "Fit one data set: estimates, SEs, Wald and profile intervals");
  fit_subcommand->add_option("--model", fit.model, "The family or regression model (see `mlesim models`)")->required();
  fit_subcommand->add_option("file", fit.file, "A CSV file, or - for standard input")->required();
  fit_subcommand->add_option("--models", fit.model_files,
                             "A config whose [model.NAME] tables define formula models to fit (repeatable)");
  fit_subcommand->add_option("--column", fit.column, "The column's header name or 1-based number");
  fit_subcommand->add_option("--fixed", fit.fixed, "NAME=VALUE: hold a parameter at a value (repeatable)");
  fit_subcommand->add_option("--known", fit.known,
                             "NAME=VALUE: a known constant of the family, such as the binomial's trials (repeatable)");
  fit_subcommand->add_option("--response", fit.response, "Regression: the response's column (header name or number)");
  fit_subcommand->add_option("--covariates", fit.covariates, "Regression: the covariates' columns, A,B,...")
      ->delimiter(',');
  fit_subcommand->add_flag("--no-intercept", fit.no_intercept, "Regression: no intercept column");
  auto* header_flag = fit_subcommand->add_flag_callback("--header", [&] { fit.header = true; },
                                                        "The first line names the columns");
  auto* no_header_flag = fit_subcommand->add_flag_callback(
      "--no-header", [&] { fit.header = false; },
      "The first line is data (default: a header when none of its fields looks like a number)");
  header_flag->excludes(no_header_flag);
  fit_subcommand->add_option("--level", fit.level, "Level of the intervals")->check(number_in(1e-9, 1 - 1e-9))
      ->capture_default_str();
  fit_subcommand->add_option("--format", fit.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();
  fit_subcommand->add_flag("--no-profile", fit.no_profile,
                           "Wald intervals only: leave out the profile-likelihood intervals (empty, with a note)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_bad_input;
  }

  try {
    if (*run) return run_command(flags, false);
    if (*verify_command) return run_command(flags, true);
    if (*merge) return merge_command(merge_files, merge_output);
    if (*plan) return plan_command(flags, pilot);
    if (*report) return report_command(report_dir);
    if (*models) {
      for (const auto& file : listed_model_files) load_models(file);
      return models_command();
    }
    if (*fit_subcommand) return fit_command(fit);
  } catch (...) {
    return fail(classify_failure(std::current_exception()));
  }
  return exit_bad_input;
}

}  // namespace mlesim
