// Reading CSV data for `mlesim fit` and fixed designs: every line read or an
// error naming it; each case carries its file's text and the answer.
#include "loader/config.hpp"
#include "loader/data.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace mlesim;

namespace {

// The file's text, written to a fresh file whose path is returned.
std::string file_with(const std::string& text) {
  static int count = 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("mlesim-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count) + ".csv");
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

std::vector<double> values_of(const std::string& text, const std::optional<std::string>& column = std::nullopt,
                              header_rule header = header_rule::detect) {
  return read_column(file_with(text), column, header).values;
}

// The message reading the text gets; fails the test if it is read.
std::string error_of(const std::string& text, const std::optional<std::string>& column = std::nullopt,
                     header_rule header = header_rule::detect) {
  try {
    read_column(file_with(text), column, header);
  } catch (const input_error& e) {
    return e.what();
  }
  FAIL("read bad data without an error");
  return {};
}

}  // namespace

TEST_CASE("data: a first line with an empty field is data, never a dropped header") {
  // Before: "1.2," was taken for a header (an empty field is not a number), so
  // n was 3 of 4. Now the first line is data, and its extra field is an error.
  CHECK(values_of("1.2,\n3.4,\n5.6,\n7.8,\n", "1") == std::vector<double>{1.2, 3.4, 5.6, 7.8});
  CHECK(error_of("1.2,\n3.4\n5.6\n7.8\n", "1").find(":2: 1 fields, but the first line has 2") != std::string::npos);
  CHECK(error_of("1.2,,3\n4,5,6\n", "2").find(":1:2: the field is empty, not a number") != std::string::npos);
}

TEST_CASE("data: a UTF-8 byte-order mark is skipped") {
  CHECK(values_of("\xEF\xBB\xBF" "1.5\n2\n3\n4\n") == std::vector<double>{1.5, 2, 3, 4});
  const auto columns = read_columns(file_with("\xEF\xBB\xBFx,y\r\n1,2\r\n3,4\r\n"), {"x"});
  CHECK(columns[0].name == "x");
  CHECK(columns[0].named);
  CHECK(columns[0].values == std::vector<double>{1, 3});
  CHECK(error_of("\xFF\xFE" "1\n").find(":1: the file is UTF-16") != std::string::npos);
}

TEST_CASE("data: a header is detected when none of its fields looks like a number") {
  const auto named = read_column(file_with("column 1\n1\n2\n"), std::nullopt);
  CHECK(named.named);
  CHECK(named.name == "column 1");
  CHECK(named.values == std::vector<double>{1, 2});
  // A hex or inf first line looks like a number: data, refused, not a header.
  CHECK(error_of("0x10\n2\n3\n").find(":1:1: '0x10' is not a decimal number (write 16)") != std::string::npos);
  CHECK(error_of("inf\n2\n3\n").find(":1:1: inf is not a finite number") != std::string::npos);
  CHECK(error_of("nan\n2\n3\n").find(":1:1: nan is not a finite number") != std::string::npos);
  // R's write.csv header: an empty name first.
  CHECK(read_columns(file_with("\"\",\"x\"\n\"1\",2.5\n\"2\",3.5\n"), {"x"})[0].values == std::vector<double>{2.5, 3.5});
}

TEST_CASE("data: --header and --no-header say what the first line is") {
  CHECK(values_of("1\n2\n3\n", std::nullopt, header_rule::present) == std::vector<double>{2, 3});
  CHECK(read_column(file_with("1\n2\n3\n"), std::nullopt, header_rule::present).name == "1");
  CHECK(values_of("1\n2\n3\n", std::nullopt, header_rule::absent) == std::vector<double>{1, 2, 3});
  CHECK(error_of("x\n2\n3\n", std::nullopt, header_rule::absent).find(":1:1: 'x' is not a number") !=
        std::string::npos);
}

TEST_CASE("data: RFC 4180 quoting, CRLF and blank lines") {
  const auto columns = read_columns(file_with("\"a,b\",\"c \"\"q\"\"\"\r\n\"1.5\",2\r\n\r\n3,\"4\"\r\n"), {"a,b", "c \"q\""});
  CHECK(columns[0].values == std::vector<double>{1.5, 3});
  CHECK(columns[1].values == std::vector<double>{2, 4});
  CHECK(columns[1].lines == std::vector<std::size_t>{2, 4});
  CHECK(error_of("x\n1\n2\"3\n").find(":3: malformed CSV quoting") != std::string::npos);
  CHECK(error_of("x\n1\n\"2\n").find(":3: a quoted field is not closed by the end of the file") != std::string::npos);
}

// The reader keeps each record's strings from line to line (no allocation
// per field): a record begun after a bare CR inside a line, a quoted field
// over two lines, and a line with fewer fields than the last keep their own
// fields, never the last record's.
TEST_CASE("data: records read in reused storage keep their own fields") {
  const auto two = read_columns(file_with("1,2\r3,4"), {"1", "2"}, header_rule::absent);
  CHECK(two[0].values == std::vector<double>{1, 3});
  CHECK(two[1].values == std::vector<double>{2, 4});
  const auto quoted = read_columns(file_with("a,b\n11,\"22\n\"\n33,44\n"), {"a"});
  CHECK(quoted[0].values == std::vector<double>{11, 33});
  CHECK(error_of("a,b\n11,22\n33\n44,55\n", "1").find(":3: 1 fields, but the first line has 2") != std::string::npos);
}

TEST_CASE("data: only decimal numbers are read") {
  CHECK(values_of("x\n+1\n-2.5\n.5\n3.\n1e3\n-4E-2\n") == std::vector<double>{1, -2.5, 0.5, 3, 1000, -0.04});
  CHECK(error_of("x\n1\n0x1p3\n").find(":3:1: '0x1p3' is not a decimal number (write 8)") != std::string::npos);
  CHECK(error_of("x\n1\n-Infinity\n").find(":3:1: -Infinity is not a finite number") != std::string::npos);
  CHECK(error_of("x\n1\n1e400\n").find(":3:1: 1e400 is outside the range of a double") != std::string::npos);
  CHECK(error_of("x\n1\n1,5\n").find(":3: 2 fields, but the first line has 1") != std::string::npos);
  CHECK(parse_decimal("12") == 12);
  CHECK_FALSE(parse_decimal("1_000"));
  CHECK_FALSE(parse_decimal("."));
  CHECK_FALSE(parse_decimal("e5"));
}

TEST_CASE("data: control bytes are shown escaped, never echoed") {
  const auto message = error_of("1\n\x01\x1b[31m\n3\n");
  CHECK(message.find(":2:1: '\\x01\\x1b[31m' is not a number") != std::string::npos);
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(error_of(std::string("a\0b\n1\n", 6)).find(":1:1: the header 'a\\x00b' holds control bytes") !=
        std::string::npos);
  CHECK(printable("caf\xC3\xA9 \xC2\x9B \xFF") == "caf\xC3\xA9 \\xc2\\x9b \\xff");
}

TEST_CASE("data: line and file sizes are bounded") {
  CHECK(error_of(std::string(max_line_bytes + 10, '1')).find(":1: line longer than 1 MiB") != std::string::npos);
  if (std::filesystem::exists("/dev/zero")) {
    try {
      read_column("/dev/zero", std::nullopt);
      FAIL("read /dev/zero");
    } catch (const input_error& e) {
      CHECK(std::string(e.what()) == "/dev/zero:1: line longer than 1 MiB: is this a text CSV file?");
    }
  }
}

TEST_CASE("data: a column named twice in the header must be chosen by number") {
  CHECK(error_of("x,x\n1,2\n", "x").find("the header names column 'x' twice (columns 1 and 2)") != std::string::npos);
  CHECK(values_of("x,x\n1,2\n", "2") == std::vector<double>{2});
}
