// Record-by-record reading of delimited text files, shared by every text importer and fast
// enough for logs of 10^7+ lines: the file is read in large blocks, each record is a view into
// the block split into field views (no allocation per line or field), and numbers are parsed
// with std::from_chars. Lines may end in "\n" or "\r\n"; blank lines are skipped; the last line
// may lack its line end. Quoting is not interpreted: a delimiter always separates fields.
//
// Every error is a DataError "<file>:<line>: <what>", e.g.
//   ratings.csv:3: expected 3 fields separated by ',', got 1 (the line contains a tab: wrong delimiter?)
//   train.txt:7: user id must be a non-negative integer, got 'u17'
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace graft::io {

// What separates the fields of a line: one character, a string such as "::", or (when empty)
// any run of spaces and tabs.
class Delimiter {
 public:
  static Delimiter whitespace() { return Delimiter(""); }
  static Delimiter character(char c) { return Delimiter(std::string(1, c)); }
  static Delimiter text(std::string s) { return Delimiter(std::move(s)); }

  // Appends the fields of `line` to `fields` (cleared first).
  void split(std::string_view line, std::vector<std::string_view>& fields) const;
  // For messages: "',' ", "'\t'", "'::'" or "spaces".
  std::string describe() const;

 private:
  explicit Delimiter(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// A value for an error message: quoted, cut to a readable length, control bytes escaped.
std::string quote_value(std::string_view value);

class TextReader {
 public:
  static constexpr size_t kAnyNumber = std::numeric_limits<size_t>::max();

  // Opens `path` for records of min_fields..max_fields fields. Throws DataError naming the file
  // when it is missing, a directory, unreadable or empty.
  TextReader(std::string path, Delimiter delimiter, size_t min_fields, size_t max_fields);
  TextReader(std::string path, Delimiter delimiter, size_t fields)
      : TextReader(std::move(path), std::move(delimiter), fields, fields) {}
  ~TextReader();
  TextReader(const TextReader&) = delete;
  TextReader& operator=(const TextReader&) = delete;

  // Moves to the next non-blank line and splits it; false at the end of the file. Throws when
  // the line has too few or too many fields, and at the end of a file without any record.
  bool next();
  // Reads the first non-blank line as column names (no field-count check).
  std::vector<std::string> read_header();

  // Changes the accepted number of fields, e.g. once a header has named the columns.
  void set_field_count(size_t min_fields, size_t max_fields);

  size_t size() const { return fields_.size(); }
  // The i-th field without surrounding spaces and tabs (i < size()).
  std::string_view field(size_t i) const;
  std::string_view line() const { return line_; }

  // The i-th field, checked; `name` says what it is in the error message.
  std::string_view text(size_t i, std::string_view name) const;  // non-empty
  int64_t id(size_t i, std::string_view name) const;             // non-negative integer
  int64_t integer(size_t i, std::string_view name) const;        // any integer
  double number(size_t i, std::string_view name) const;          // finite floating-point number

  const std::string& path() const { return path_; }
  int64_t line_number() const { return line_number_; }
  int64_t records() const { return records_; }  // records returned so far (header excluded)

  // Throws DataError "<file>:<line>: <what>" for the current line, noting when that line is an
  // unterminated last line (a likely truncated file).
  [[noreturn]] void fail(const std::string& what) const;

 private:
  bool next_line();
  bool refill();
  [[noreturn]] void fail_field_count() const;

  std::string path_;
  Delimiter delimiter_;
  size_t min_fields_, max_fields_;
  int fd_ = -1;
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes are buffer_[begin_, end_)
  bool eof_ = false;
  bool unterminated_ = false;  // the current line is the file's last and has no line end
  std::string_view line_;
  std::vector<std::string_view> fields_;
  int64_t line_number_ = 0;
  int64_t records_ = 0;
};

}  // namespace graft::io
