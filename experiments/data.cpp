#include "experiments/data.hpp"

#include "experiments/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

namespace mlesim {
namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) fields.push_back(std::move(field)), field.clear();
    else field += c;
  }
  fields.push_back(std::move(field));
  for (auto& f : fields) {  // trim
    const auto first = f.find_first_not_of(" \t\r");
    const auto last = f.find_last_not_of(" \t\r");
    f = first == std::string::npos ? std::string() : f.substr(first, last - first + 1);
  }
  return fields;
}

// The whole field as a double (strtod accepts "nan" and "inf", which are
// then refused by name); nothing if it is not a number.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<data_column> read_columns(const std::string& source, const std::vector<std::string>& columns) {
  std::ifstream file;
  if (source != "-") {
    file.open(source);
    if (!file) throw input_error(fmt::format("{}: cannot open the data file", source));
  }
  std::istream& in = source == "-" ? std::cin : file;
  const std::string where = source == "-" ? "<stdin>" : source;

  std::vector<data_column> out(std::max<std::size_t>(columns.size(), 1));
  std::vector<std::string> header;
  std::size_t line_number = 0, width = 0;
  bool first = true;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    auto fields = split_fields(line);
    if (first) {
      first = false;
      width = fields.size();
      const bool is_header = std::any_of(fields.begin(), fields.end(), [](const auto& f) { return !parse_number(f); });
      if (is_header) header = fields;
      // Which columns.
      for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto index = parse_number(columns[c]);
        if (index && *index >= 1 && *index == std::floor(*index) && *index <= static_cast<double>(width)) {
          out[c].column = static_cast<std::size_t>(*index);
        } else {
          const auto it = std::find(header.begin(), header.end(), columns[c]);
          if (it == header.end())
            throw input_error(fmt::format("{}: no column '{}' ({})", where, columns[c],
                                          header.empty() ? fmt::format("no header; give a number from 1 to {}", width)
                                                         : fmt::format("columns: {}", fmt::join(header, ", "))));
          out[c].column = static_cast<std::size_t>(it - header.begin()) + 1;
        }
      }
      if (columns.empty() && width > 1) {
        throw input_error(fmt::format("{}: {} columns; choose one with --column ({})", where, width,
                                      header.empty() ? fmt::format("1 to {}", width) : fmt::format("{}", fmt::join(header, ", "))));
      }
      for (auto& c : out) c.name = header.empty() ? fmt::format("column {}", c.column) : header[c.column - 1];
      if (is_header) continue;
    }
    if (fields.size() != width)
      throw input_error(fmt::format("{}:{}: {} fields, but the first line has {}", where, line_number, fields.size(), width));
    for (auto& c : out) {
      const std::string& text = fields[c.column - 1];
      const auto value = parse_number(text);
      if (!value) throw input_error(fmt::format("{}:{}:{}: '{}' is not a number", where, line_number, c.column, text));
      if (!std::isfinite(*value))
        throw input_error(fmt::format("{}:{}:{}: {} is not a finite number", where, line_number, c.column, text));
      c.values.push_back(*value);
      c.lines.push_back(line_number);
    }
  }
  if (in.bad()) throw input_error(fmt::format("{}: cannot read", where));
  if (out.front().values.empty()) throw input_error(fmt::format("{}: no data", where));
  return out;
}

std::vector<data_column> read_all_columns(const std::string& source) {
  std::ifstream file(source);
  if (!file) throw input_error(fmt::format("{}: cannot open the data file", source));
  std::string line;
  while (std::getline(file, line) && line.find_first_not_of(" \t\r") == std::string::npos) {
  }
  std::vector<std::string> numbers;
  for (std::size_t c = 1; c <= split_fields(line).size(); ++c) numbers.push_back(std::to_string(c));
  return read_columns(source, numbers);
}

data_column read_column(const std::string& source, const std::optional<std::string>& column) {
  return read_columns(source, column ? std::vector<std::string>{*column} : std::vector<std::string>{}).front();
}

}  // namespace mlesim
