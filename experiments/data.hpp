// Reading one numeric column of a CSV file (or standard input) for `mlesim
// fit`, with every problem named by line and column.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mlesim {

struct data_column {
  std::string name;              // the header's name, or "column K"
  std::vector<double> values;
  std::vector<std::size_t> lines;  // the line each value came from, for messages
  std::size_t column = 1;          // 1-based
};

// `source` is a path or "-" for standard input. `column` is a header name or
// a 1-based index; without it the file must have one column. The first line
// is a header when any of its fields is not a number. Throws input_error.
data_column read_column(const std::string& source, const std::optional<std::string>& column);

// Several columns of one file, row by row, each named as `column` above; with
// no names, the file's only column.
std::vector<data_column> read_columns(const std::string& source, const std::vector<std::string>& columns);

// Every column of a file (not standard input).
std::vector<data_column> read_all_columns(const std::string& source);

}  // namespace mlesim
