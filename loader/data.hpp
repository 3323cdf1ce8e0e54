// Reading numeric columns of a CSV file (or standard input) for `mlesim
// fit` and fixed designs, with every problem named by line and column.
//
// The file is RFC 4180 CSV (libcsv, strict): fields separated by commas,
// optionally in double quotes (a quote inside doubled), records ending in LF
// or CRLF; a UTF-8 byte-order mark is skipped; blank lines are skipped.
// Numbers are decimal: an optional sign, digits with an optional point, an
// optional exponent (1, -2.5, .5, 3e-4). Hexadecimal, inf and nan are refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// Whether the first record names the columns.
enum class header_rule {
  detect,   // a header when none of its fields looks like a number (see data.hpp's top)
  present,  // always a header
  absent,   // always data
};

// A line longer than this, or a file larger than max_data_bytes, is refused
// rather than read on: /dev/zero or a binary file must not fill the memory.
inline constexpr std::size_t max_line_bytes = std::size_t{1} << 20;
inline constexpr std::size_t max_data_bytes = std::size_t{256} << 20;

struct data_column {
  std::string name;              // the header's name, or "column K"
  std::vector<double> values;
  std::vector<std::size_t> lines;  // the line each value came from, for messages
  std::size_t column = 1;          // 1-based
  bool named = false;              // the name came from a header
};

// `source` is a path or "-" for standard input. `column` is a header name or
// a 1-based index; without it the file must have one column. Throws input_error.
data_column read_column(const std::string& source, const std::optional<std::string>& column,
                        header_rule header = header_rule::detect);

// Several columns of one file, row by row, each named as `column` above; with
// no names, the file's only column.
std::vector<data_column> read_columns(const std::string& source, const std::vector<std::string>& columns,
                                      header_rule header = header_rule::detect);

// Every column of a file (not standard input).
std::vector<data_column> read_all_columns(const std::string& source, header_rule header = header_rule::detect);

// Text for a message: bytes a terminal would act on (control characters,
// bytes that are not UTF-8) written as \xNN.
std::string printable(std::string_view text);

// The whole of `text` as a decimal number; nothing when it is not one.
std::optional<double> parse_decimal(std::string_view text);

}  // namespace mlesim
