// Record-by-record reading of delimited text files, shared by every text importer and fast
// enough for logs of 10^7+ lines: the file is read in large blocks, each record is a view into
// the block split into field views (no allocation per line or field), and numbers are parsed
// with std::from_chars. Lines may end in "\n" or "\r\n"; blank lines are skipped; the last line
// may lack its line end. Quoting is not interpreted (a delimiter always separates fields)
// unless a reader is told its quote character (set_quote): then a field that begins with it runs
// to the matching closing quote, may contain delimiters and line ends, and stands for its text
// with a doubled quote read as one (RFC 4180, as pandas and spreadsheets write tables).
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
#include <utility>
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
  // The first delimiter in `line` at or after `pos`: its position (npos when none) and length.
  std::pair<size_t, size_t> find(std::string_view line, size_t pos) const;
  bool is_whitespace() const { return text_.empty(); }
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
  // Reads the records of `text`: whole lines from the middle of the file `path` (which names it
  // in errors), the first of them line lines_before + 1. Text without records is no error here:
  // whether the whole file has any is for the caller to judge. `text` must outlive the reader.
  TextReader(std::string path, std::string_view text, int64_t lines_before, Delimiter delimiter, size_t min_fields,
             size_t max_fields);
  TextReader(const TextReader&) = delete;
  TextReader& operator=(const TextReader&) = delete;

  // Moves to the next non-blank line and splits it; false at the end of the file. Throws when
  // the line has too few or too many fields, and at the end of a file without any record.
  bool next();
  // Reads the first non-blank line as column names (no field-count check).
  std::vector<std::string> read_header();

  // Changes the accepted number of fields, e.g. once a header has named the columns.
  void set_field_count(size_t min_fields, size_t max_fields);
  // Interprets quoted fields from the next record (or header) on; see the top of this file.
  void set_quote(char quote) { quote_ = quote; }

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
  // The line the current record starts on (a quoted field may carry it over several lines).
  int64_t line_number() const { return record_line_; }
  int64_t records() const { return records_; }  // records returned so far (header excluded)
  // Line ends in the whole file, extrapolated from the first block: a hint for reserving memory.
  int64_t estimated_lines() const { return estimated_lines_; }
  // Bytes of the file before the first unread line: where the records after a header begin.
  int64_t offset() const { return bytes_read_ - static_cast<int64_t>(end_ - begin_); }

  // Throws DataError "<file>:<line>: <what>" for the current line, noting when that line is an
  // unterminated last line (a likely truncated file).
  [[noreturn]] void fail(const std::string& what) const;

 private:
  bool next_line();
  bool refill();
  void split_record();
  void split_quoted();
  [[noreturn]] void fail_field_count() const;

  std::string path_;
  Delimiter delimiter_;
  size_t min_fields_, max_fields_;
  // Closes the file when the reader goes, also when its constructor throws.
  struct FileDescriptor {
    int fd = -1;
    FileDescriptor() = default;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();
  };
  FileDescriptor file_;
  std::vector<char> buffer_;
  const char* text_ = nullptr;  // buffer_.data(), or the text of a reader of text in memory
  size_t begin_ = 0, end_ = 0;  // unread bytes are text_[begin_, end_)
  int64_t bytes_read_ = 0;      // from the file
  bool whole_file_ = true;      // false for text in memory, see its constructor
  bool eof_ = false;
  bool unterminated_ = false;  // the current line is the file's last and has no line end
  std::string_view line_;
  std::vector<std::string_view> fields_;
  int64_t line_number_ = 0;
  int64_t record_line_ = 0;
  char quote_ = '\0';       // '\0': no quoting
  std::string unquoted_;    // the fields of a record with quoted fields, which fields_ then view
  int64_t records_ = 0;
  int64_t estimated_lines_ = 0;
};

}  // namespace graft::io
