// `mlesim verify`'s judgements as JUnit XML, the format CI servers (Jenkins,
// GitLab, GitHub's report actions) show as a test report: a pure function
// from verifications to text.
#pragma once

#include "sim/verify.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace mlesim {

// One experiment's verification and what names it in the report.
struct verified_experiment {
  std::string name;    // the experiment: a <testsuite>, and the classname of its cases
  std::string config;  // the config file it came from
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  verification verdicts;
};

// Whether one test of a check fails the check: an absent figure always does;
// otherwise a rejection does when the check expects the property to hold,
// and its absence does when the check expects it to fail. A check fails
// exactly when one of its tests does (see verify), so the report's failures
// are nonzero exactly when verify exits 1.
bool test_failed(const check_verdict& verdict, const check_test& test);

// A failed test's one-line reason: the figure ± its Monte Carlo SE, the
// target and margin, the raw and Holm-adjusted p-values; or why no figure.
std::string failure_message(const check_verdict& verdict, const check_test& test, double false_failure_rate);

// <testsuites> with one <testsuite> per experiment and one <testcase> per
// check and sample size (a consistency check: one for all its sizes). No
// times or host names: like the other reports, the file is the same bytes
// for the same results, whatever the machine or the number of threads.
// Valid against reports/junit.xsd.
std::string junit_xml(std::span<const verified_experiment> experiments);

}  // namespace mlesim
