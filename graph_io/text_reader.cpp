#include "graph_io/text_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "graph_io/errors.h"
#include "graph_io/files.h"

namespace graft::io {

namespace {

// Large enough to amortise read() calls, small enough that a block is still in the cache when
// it is parsed.
constexpr size_t kBlockSize = size_t{1} << 18;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string quote_value(std::string_view s) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += s.size() > kMaxShown ? "...'" : "'";
  return out;
}

namespace {

// The hint for a line with too few fields: another common delimiter it contains.
std::string other_delimiter_hint(std::string_view line, const Delimiter& expected) {
  static const std::pair<char, const char*> candidates[] = {
      {'\t', "a tab"}, {',', "','"}, {';', "';'"}, {'|', "'|'"}, {' ', "a space"}};
  for (const auto& [c, name] : candidates) {
    if (line.find(c) != std::string_view::npos && expected.describe() != Delimiter::character(c).describe()) {
      return std::string(" (the line contains ") + name + ": wrong delimiter?)";
    }
  }
  return "";
}

}  // namespace

void Delimiter::split(std::string_view line, std::vector<std::string_view>& fields) const {
  fields.clear();
  const char* p = line.data();
  const char* const end = p + line.size();
  if (text_.empty()) {
    while (p != end) {
      while (p != end && is_blank(*p)) ++p;
      const char* start = p;
      while (p != end && !is_blank(*p)) ++p;
      if (p != start) fields.emplace_back(start, static_cast<size_t>(p - start));
    }
  } else if (text_.size() == 1) {
    const char c = text_[0];
    for (;;) {
      const auto* q = static_cast<const char*>(std::memchr(p, c, static_cast<size_t>(end - p)));
      if (!q) break;
      fields.emplace_back(p, static_cast<size_t>(q - p));
      p = q + 1;
    }
    fields.emplace_back(p, static_cast<size_t>(end - p));
  } else {
    size_t pos = 0;
    for (size_t at; (at = line.find(text_, pos)) != std::string_view::npos; pos = at + text_.size()) {
      fields.push_back(line.substr(pos, at - pos));
    }
    fields.push_back(line.substr(pos));
  }
}

std::pair<size_t, size_t> Delimiter::find(std::string_view line, size_t pos) const {
  if (text_.empty()) {
    size_t at = pos;
    while (at < line.size() && !is_blank(line[at])) ++at;
    if (at == line.size()) return {std::string_view::npos, 0};
    size_t end = at;
    while (end < line.size() && is_blank(line[end])) ++end;
    return {at, end - at};
  }
  return {line.find(text_, pos), text_.size()};
}

std::string Delimiter::describe() const {
  if (text_.empty()) return "spaces or tabs";
  return quote_value(text_);
}

TextReader::TextReader(std::string path, Delimiter delimiter, size_t min_fields, size_t max_fields)
    : path_(std::move(path)), delimiter_(std::move(delimiter)), min_fields_(min_fields), max_fields_(max_fields) {
  require_readable_file(path_);
  file_.fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (file_.fd < 0) throw DataError(path_ + ": cannot open for reading: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(file_.fd, &st) != 0) throw DataError(path_ + ": cannot stat: " + std::strerror(errno));
  if (st.st_size == 0) throw_at_line(path_, 1, "the file is empty");
  // A small file gets a buffer just large enough to see its end in one read.
  const auto size = static_cast<size_t>(st.st_size);
  buffer_.resize(std::min(kBlockSize, size + 1));
  eof_ = !refill();
  const double line_ends_per_byte =
      static_cast<double>(std::count(buffer_.data(), buffer_.data() + end_, '\n')) / static_cast<double>(end_);
  // A line holds at least one character and its line end.
  estimated_lines_ = static_cast<int64_t>(std::min(std::ceil(line_ends_per_byte * static_cast<double>(size)),
                                                   static_cast<double>(size) / 2));
}

TextReader::TextReader(std::string path, std::string_view text, int64_t lines_before, Delimiter delimiter,
                       size_t min_fields, size_t max_fields)
    : path_(std::move(path)),
      delimiter_(std::move(delimiter)),
      min_fields_(min_fields),
      max_fields_(max_fields),
      text_(text.data()),
      end_(text.size()),
      whole_file_(false),
      line_number_(lines_before),
      record_line_(lines_before) {
  eof_ = true;
}

TextReader::FileDescriptor::~FileDescriptor() {
  if (fd >= 0) ::close(fd);
}

bool TextReader::refill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a line longer than a block
  text_ = buffer_.data();
  for (;;) {
    const ssize_t got = ::read(file_.fd, buffer_.data() + end_, buffer_.size() - end_);
    if (got > 0) {
      end_ += static_cast<size_t>(got);
      bytes_read_ += got;
      return true;
    }
    if (got == 0) return false;
    if (errno != EINTR) throw DataError(path_ + ": read failed: " + std::strerror(errno));
  }
}

bool TextReader::next_line() {
  for (;;) {
    const char* start = text_ + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (newline || eof_) {
      const char* stop = newline ? newline : text_ + end_;
      if (!newline && stop == start) return false;
      line_ = std::string_view(start, static_cast<size_t>(stop - start));
      if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
      begin_ = static_cast<size_t>(stop - text_) + (newline ? 1 : 0);
      unterminated_ = !newline;
      record_line_ = ++line_number_;
      return true;
    }
    eof_ = !refill();
  }
}

bool TextReader::next() {
  for (;;) {
    if (!next_line()) {
      if (records_ == 0 && whole_file_) fail("no records in the file (only blank lines or a header)");
      return false;
    }
    if (line_.empty()) continue;
    split_record();
    if (fields_.empty()) continue;  // a whitespace-only line when splitting on whitespace
    if (fields_.size() < min_fields_ || fields_.size() > max_fields_) fail_field_count();
    ++records_;
    return true;
  }
}

std::vector<std::string> TextReader::read_header() {
  do {
    if (!next_line()) fail("expected a header line, found only blank lines");
  } while (line_.empty());
  split_record();
  std::vector<std::string> names;
  names.reserve(fields_.size());
  for (std::string_view f : fields_) names.emplace_back(trim(f));
  return names;
}

void TextReader::split_record() {
  if (quote_ != '\0' && std::memchr(line_.data(), quote_, line_.size())) {
    split_quoted();
  } else {
    delimiter_.split(line_, fields_);
  }
}

// The slow path for records with quotes: the fields are copied, unquoted, into unquoted_ (a
// quoted field may continue over the next lines, which reading invalidates line_ for).
void TextReader::split_quoted() {
  const int64_t first_line = record_line_;
  unquoted_.clear();
  std::vector<std::pair<size_t, size_t>> bounds;
  std::string_view s = line_;
  size_t pos = 0;
  if (delimiter_.is_whitespace()) {
    while (pos < s.size() && is_blank(s[pos])) ++pos;
  }
  while (pos < s.size() || bounds.empty() || !delimiter_.is_whitespace()) {
    const size_t begin = unquoted_.size();
    if (pos < s.size() && s[pos] == quote_) {
      ++pos;
      for (;;) {
        const size_t q = s.find(quote_, pos);
        if (q == std::string_view::npos) {
          unquoted_.append(s.substr(pos));
          unquoted_ += '\n';
          if (!next_line()) {
            record_line_ = first_line;
            fail("a quoted field (" + std::string(1, quote_) + ") is not closed before the end of the file");
          }
          s = line_;
          pos = 0;
          continue;
        }
        unquoted_.append(s.substr(pos, q - pos));
        pos = q + 1;
        if (pos < s.size() && s[pos] == quote_) {
          unquoted_ += quote_;
          ++pos;
          continue;
        }
        break;
      }
    }
    const auto [at, length] = delimiter_.find(s, pos);
    unquoted_.append(s.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    bounds.emplace_back(begin, unquoted_.size());
    if (at == std::string_view::npos) break;
    pos = at + length;
  }
  record_line_ = first_line;
  fields_.clear();
  for (const auto& [begin, end] : bounds) fields_.emplace_back(unquoted_.data() + begin, end - begin);
}

void TextReader::fail_field_count() const {
  std::string expected = std::to_string(min_fields_);
  if (max_fields_ == kAnyNumber) {
    expected = "at least " + expected;
  } else if (max_fields_ != min_fields_) {
    expected += " to " + std::to_string(max_fields_);
  }
  std::string what = "expected " + expected + " fields separated by " + delimiter_.describe() + ", got " +
                     std::to_string(fields_.size());
  if (fields_.size() < min_fields_) what += other_delimiter_hint(line_, delimiter_);
  fail(what);
}

void TextReader::fail(const std::string& what) const {
  throw_at_line(path_, record_line_,
                unterminated_ ? what + " (the last line has no line end: is the file truncated?)" : what);
}

void TextReader::set_field_count(size_t min_fields, size_t max_fields) {
  min_fields_ = min_fields;
  max_fields_ = max_fields;
}

std::string_view TextReader::field(size_t i) const { return trim(fields_.at(i)); }

std::string_view TextReader::text(size_t i, std::string_view name) const {
  const std::string_view text = field(i);
  if (text.empty()) fail("missing " + std::string(name) + " (field " + std::to_string(i + 1) + ")");
  return text;
}

int64_t TextReader::integer(size_t i, std::string_view name) const {
  const std::string_view text = this->text(i, name);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) fail(std::string(name) + " out of range: " + quote_value(text));
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(std::string(name) + " must be an integer, got " + quote_value(text));
  }
  return value;
}

int64_t TextReader::id(size_t i, std::string_view name) const {
  const std::string_view text = this->text(i, name);
  int64_t value = -1;
  if (text.front() != '-') {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) fail(std::string(name) + " out of range: " + quote_value(text));
    if (ec != std::errc() || end != text.data() + text.size()) value = -1;
  }
  if (value < 0) fail(std::string(name) + " must be a non-negative integer, got " + quote_value(text));
  return value;
}

double TextReader::number(size_t i, std::string_view name) const {
  const std::string_view text = this->text(i, name);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    fail(std::string(name) + " must be a finite number, got " + quote_value(text));
  }
  return value;
}

}  // namespace graft::io
