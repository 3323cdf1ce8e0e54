// What an exception that ends a command means for its exit code: the user's
// input (2) and mlesim's own faults (3) never share a code, and neither is
// 0 or 1 (success, a property failed).
#include "app/cli.hpp"
#include "estimators/invariant.hpp"
#include "loader/config.hpp"
#include "reports/atomic_file.hpp"
#include "reports/gnuplot.hpp"
#include "sim/state.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <new>
#include <set>
#include <stdexcept>
#include <system_error>

using namespace mlesim;

TEST_CASE("exit codes: 0, 1, 2 and 3 are distinct") {
  const std::set<int> codes{exit_ok, exit_property_failed, exit_bad_input, exit_internal_error};
  CHECK(codes.size() == 4);
  CHECK(exit_bad_input == 2);
  CHECK(exit_internal_error == 3);
}

TEST_CASE("exit codes: the user's input exits 2 with its own message") {
  const auto f = classify_failure(std::make_exception_ptr(input_error("a.toml:3:1: unknown key 'sed'")));
  CHECK(f.exit_code == exit_bad_input);
  CHECK(f.message == "a.toml:3:1: unknown key 'sed'");
  CHECK(classify_failure(std::make_exception_ptr(state_error("s.state: truncated"))).exit_code == exit_bad_input);
  CHECK(classify_failure(std::make_exception_ptr(output_error("out: Permission denied"))).exit_code == exit_bad_input);
  const auto fs = classify_failure(std::make_exception_ptr(std::filesystem::filesystem_error(
      "cannot read", std::filesystem::path("x.csv"), std::make_error_code(std::errc::permission_denied))));
  CHECK(fs.exit_code == exit_bad_input);
  CHECK(fs.message.find("x.csv") != std::string::npos);
  CHECK(classify_failure(std::make_exception_ptr(gnuplot_error("gnuplot exited with status 3: broke"))).exit_code ==
        exit_bad_input);
}

TEST_CASE("exit codes: anything else is an internal error, exit 3, asking for a report") {
  for (const auto& error :
       {std::make_exception_ptr(std::logic_error("join_chunks: no chunks")),
        std::make_exception_ptr(std::invalid_argument("unknown family 'x'")),
        std::make_exception_ptr(std::runtime_error("Error in function boost::math::erfc_inv<double>: Overflow")),
        std::make_exception_ptr(std::bad_alloc()), std::make_exception_ptr(42)}) {
    const auto f = classify_failure(error);
    CAPTURE(f.message);
    CHECK(f.exit_code == exit_internal_error);
    CHECK(f.message.rfind("internal error: ", 0) == 0);
    CHECK(f.message.find("please report") != std::string::npos);
  }
  CHECK(classify_failure(std::make_exception_ptr(std::logic_error("join_chunks: no chunks"))).message.find("join_chunks: no chunks") != std::string::npos);
  CHECK(classify_failure(std::make_exception_ptr(std::bad_alloc())).message.find("out of memory") != std::string::npos);
}

TEST_CASE("exit codes: a broken invariant of mlesim's code is an internal error, in release builds too") {
  CHECK_NOTHROW(invariant(true, "holds"));
  std::exception_ptr broken;
  try {
    invariant(false, "the estimand is one of the family's");
  } catch (...) {
    broken = std::current_exception();
  }
  REQUIRE(broken);
  const auto f = classify_failure(broken);
  CHECK(f.exit_code == exit_internal_error);
  CHECK(f.message.find("invariant broken: the estimand is one of the family's") != std::string::npos);
}
