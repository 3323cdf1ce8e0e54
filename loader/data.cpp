#include "loader/data.hpp"

#include "loader/config.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

namespace mlesim {

std::string printable(std::string_view text) {
  std::string out;
  const auto escape = [&](unsigned char c) { out += fmt::format("\\x{:02x}", c); };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) escape(c);
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence outside the C1 controls (U+0080..U+009F) is kept.
    const std::size_t length = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (valid && length == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) valid = false;
    if (!valid) {
      escape(c);
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

namespace {

enum class number_kind { decimal, out_of_range, not_decimal, not_number };

// Decimal syntax: [+-] digits [. digits] [(e|E) [+-] digits], a digit on
// either side of the point. Nothing else that strtod would take (hex, inf,
// nan), since a CSV column of data is written in decimal.
number_kind classify(std::string_view text, double& value) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t mantissa = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa += digits();
  }
  bool decimal = mantissa > 0;
  if (decimal && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    decimal = digits() > 0;
  }
  if (decimal && i == text.size()) {
    std::string_view body = text.front() == '+' ? text.substr(1) : text;
    const auto result = std::from_chars(body.data(), body.data() + body.size(), value);
    return result.ec == std::errc() ? number_kind::decimal : number_kind::out_of_range;
  }
  // What strtod would still read as a number: so that it is never taken for a header.
  const std::string copy(text);
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() ? number_kind::not_decimal : number_kind::not_number;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// One record of the file: its fields and the line it starts on.
struct record {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

// Reads `in` line by line into libcsv (strict RFC 4180), handing each
// complete record to `on_record`; bounds line and file sizes.
class csv_reader {
 public:
  csv_reader(std::istream& in, std::string where) : in_(in), where_(std::move(where)) {
    if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
      throw std::bad_alloc();
  }
  ~csv_reader() { csv_free(&parser_); }
  csv_reader(const csv_reader&) = delete;
  csv_reader& operator=(const csv_reader&) = delete;

  void read(const std::function<void(record&)>& on_record) {
    std::string line;
    std::size_t total = 0;
    char buffer[1 << 16];
    bool at_end = false;
    while (!at_end) {
      in_.read(buffer, sizeof buffer);
      const auto got = static_cast<std::size_t>(in_.gcount());
      at_end = got == 0;
      total += got;
      if (total > max_data_bytes)
        throw input_error(fmt::format("{}: larger than {} MiB; mlesim fit reads a data set that fits in memory",
                                      where_, max_data_bytes >> 20));
      std::size_t start = 0;
      for (std::size_t i = 0; i < got; ++i) {
        if (buffer[i] != '\n') continue;
        line.append(buffer + start, i + 1 - start);
        start = i + 1;
        feed(line, on_record);
        line.clear();
      }
      line.append(buffer + start, got - start);
      if (line.size() > max_line_bytes)
        throw input_error(fmt::format("{}:{}: line longer than {} MiB: is this a text CSV file?", where_,
                                      line_number_ + 1, max_line_bytes >> 20));
    }
    if (in_.bad()) throw input_error(fmt::format("{}: cannot read: {}", where_, std::strerror(errno)));
    if (!line.empty()) feed(line, on_record);
    if (csv_fini(&parser_, on_field, on_row, this) != 0)
      throw input_error(fmt::format("{}:{}: a quoted field is not closed by the end of the file", where_,
                                    pending_line_));
    deliver(on_record);
  }

 private:
  void feed(std::string& line, const std::function<void(record&)>& on_record) {
    ++line_number_;
    if (line_number_ == 1) {
      if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte-order mark (Excel)
      else if (line.starts_with("\xFF\xFE") || line.starts_with("\xFE\xFF"))
        throw input_error(fmt::format("{}:1: the file is UTF-16; save it as UTF-8 CSV", where_));
    }
    if (parser_.pstate == 0) pending_line_ = line_number_;  // a record starts on this line
    const std::size_t parsed = csv_parse(&parser_, line.data(), line.size(), on_field, on_row, this);
    if (parsed != line.size())
      throw input_error(fmt::format("{}:{}: malformed CSV quoting at byte {} (a quote inside an unquoted field, or "
                                    "text after a closing quote): {}", where_, line_number_, parsed + 1,
                                    printable(trim(std::string_view(line).substr(0, std::min<std::size_t>(line.size(), 80))))));
    deliver(on_record);
  }

  void deliver(const std::function<void(record&)>& on_record) {
    if (ready_count_ == 0) return;
    for (std::size_t i = 0; i < ready_count_; ++i) on_record(ready_[i]);
    // A record begun after the last complete one (a bare CR ends a record
    // inside a line: "1,2\r3,4") has its fields so far in the next slot: to
    // the first, where the next field goes.
    if (field_count_ > 0) std::swap(ready_[0], ready_[ready_count_]);
    ready_count_ = 0;
  }

  // The record being read: the next slot of ready_. The slots are kept from
  // line to line, so that a field's string reuses its storage instead of
  // allocating (10^6 lines of three 18-digit numbers: 3·10^6 allocations).
  record& current() {
    if (ready_count_ == ready_.size()) ready_.emplace_back();
    return ready_[ready_count_];
  }
  static void on_field(void* text, std::size_t length, void* self) {
    auto& reader = *static_cast<csv_reader*>(self);
    record& r = reader.current();
    if (reader.field_count_ == r.fields.size()) r.fields.emplace_back();
    r.fields[reader.field_count_++].assign(text ? static_cast<const char*>(text) : "", text ? length : 0);
  }
  static void on_row(int, void* self) {
    auto& reader = *static_cast<csv_reader*>(self);
    record& r = reader.current();
    r.fields.resize(reader.field_count_);
    reader.field_count_ = 0;
    r.line = reader.pending_line_;
    // A line of spaces is one empty field: blank, skipped like an empty line.
    const bool blank = r.fields.size() == 1 && trim(r.fields[0]).empty();
    if (!blank) ++reader.ready_count_;
  }

  std::istream& in_;
  std::string where_;
  csv_parser parser_{};
  std::size_t line_number_ = 0;
  std::size_t pending_line_ = 1;
  std::vector<record> ready_;  // records read, the first ready_count_ of them complete
  std::size_t ready_count_ = 0, field_count_ = 0;  // field_count_: fields of the record being read
};

// The number in field `column` (1-based) of a data record, or a located error.
double field_value(const record& r, std::size_t column, const std::string& where) {
  const std::string_view text = trim(r.fields[column - 1]);
  double value = 0;
  switch (classify(text, value)) {
    case number_kind::decimal:
      return value;
    case number_kind::out_of_range:
      throw input_error(fmt::format("{}:{}:{}: {} is outside the range of a double", where, r.line, column, text));
    case number_kind::not_decimal:
      if (!std::isfinite(value))
        throw input_error(fmt::format("{}:{}:{}: {} is not a finite number", where, r.line, column, printable(text)));
      throw input_error(fmt::format("{}:{}:{}: '{}' is not a decimal number (write {})", where, r.line, column,
                                    printable(text), value));
    case number_kind::not_number:
      break;
  }
  if (text.empty()) throw input_error(fmt::format("{}:{}:{}: the field is empty, not a number", where, r.line, column));
  throw input_error(fmt::format("{}:{}:{}: '{}' is not a number", where, r.line, column, printable(text)));
}

bool looks_like_number(std::string_view text) {
  double ignored = 0;
  return classify(trim(text), ignored) != number_kind::not_number;
}

// Reads `source`; `columns` as read_columns takes them, or every column when `all`.
std::vector<data_column> read_table(const std::string& source, const std::vector<std::string>& columns, bool all,
                                    header_rule rule) {
  std::ifstream file;
  if (source != "-") {
    file.open(source, std::ios::binary);
    if (!file) throw input_error(fmt::format("{}: cannot open the data file: {}", source, std::strerror(errno)));
  }
  std::istream& in = source == "-" ? std::cin : file;
  const std::string where = source == "-" ? "<stdin>" : source;

  std::vector<data_column> out;
  std::size_t width = 0;
  bool first = true;
  csv_reader reader(in, where);
  reader.read([&](record& r) {
    if (first) {
      first = false;
      width = r.fields.size();
      const bool is_header =
          rule == header_rule::present ||
          (rule == header_rule::detect && std::none_of(r.fields.begin(), r.fields.end(), looks_like_number));
      std::vector<std::string> header;
      if (is_header) {
        for (std::size_t c = 0; c < width; ++c) {
          const std::string name(trim(r.fields[c]));
          if (std::any_of(name.begin(), name.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; }))
            throw input_error(fmt::format("{}:{}:{}: the header '{}' holds control bytes: is this a text CSV file?",
                                          where, r.line, c + 1, printable(name)));
          header.push_back(name);
        }
      }
      const auto listing = [&] {
        return header.empty() ? fmt::format("no header; give a number from 1 to {}", width)
                              : fmt::format("columns: {}", printable(fmt::format("{}", fmt::join(header, ", "))));
      };
      std::vector<std::size_t> chosen;
      if (all) {
        for (std::size_t c = 1; c <= width; ++c) chosen.push_back(c);
      } else if (columns.empty()) {
        if (width > 1)
          throw input_error(fmt::format("{}: {} columns; choose one with --column ({})", where, width,
                                        header.empty() ? fmt::format("1 to {}", width)
                                                       : printable(fmt::format("{}", fmt::join(header, ", ")))));
        chosen.push_back(1);
      }
      for (const auto& name : columns) {
        if (all) break;
        double index = 0;
        if (classify(name, index) == number_kind::decimal && index >= 1 && index == std::floor(index) &&
            index <= static_cast<double>(width)) {
          chosen.push_back(static_cast<std::size_t>(index));
          continue;
        }
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
          throw input_error(fmt::format("{}: no column '{}' ({})", where, printable(name), listing()));
        if (const auto again = std::find(it + 1, header.end(), name); again != header.end())
          throw input_error(fmt::format("{}: the header names column '{}' twice (columns {} and {}); give its number",
                                        where, printable(name), it - header.begin() + 1, again - header.begin() + 1));
        chosen.push_back(static_cast<std::size_t>(it - header.begin()) + 1);
      }
      for (auto c : chosen) {
        data_column column;
        column.column = c;
        column.named = is_header;
        column.name = is_header ? header[c - 1] : fmt::format("column {}", c);
        out.push_back(std::move(column));
      }
      if (is_header) return;
    }
    if (r.fields.size() != width)
      throw input_error(fmt::format("{}:{}: {} fields, but the first line has {}", where, r.line, r.fields.size(), width));
    for (auto& c : out) {
      c.values.push_back(field_value(r, c.column, where));
      c.lines.push_back(r.line);
    }
  });
  if (out.empty() || out.front().values.empty()) throw input_error(fmt::format("{}: no data", where));
  return out;
}

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  double value = 0;
  if (classify(text, value) != number_kind::decimal) return std::nullopt;
  return value;
}

std::vector<data_column> read_columns(const std::string& source, const std::vector<std::string>& columns,
                                      header_rule header) {
  return read_table(source, columns, false, header);
}

std::vector<data_column> read_all_columns(const std::string& source, header_rule header) {
  return read_table(source, {}, true, header);
}

data_column read_column(const std::string& source, const std::optional<std::string>& column, header_rule header) {
  return read_columns(source, column ? std::vector<std::string>{*column} : std::vector<std::string>{}, header).front();
}

}  // namespace mlesim
