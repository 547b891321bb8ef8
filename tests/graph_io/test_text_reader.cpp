#include "graph_io/text_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph_io/errors.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;
using graft::testing::TempDir;

// Every record of `path` as its fields, read with `delimiter` and any number of fields.
std::vector<std::vector<std::string>> read_all(const std::string& path, const Delimiter& delimiter) {
  TextReader in(path, delimiter, 1, TextReader::kAnyNumber);
  std::vector<std::vector<std::string>> records;
  while (in.next()) {
    records.emplace_back();
    for (size_t i = 0; i < in.size(); ++i) records.back().emplace_back(in.field(i));
  }
  return records;
}

using Records = std::vector<std::vector<std::string>>;

TEST(Delimiter, SplitsOnOneCharacterKeepingEmptyFields) {
  std::vector<std::string_view> fields;
  Delimiter::character(',').split("a,,b,", fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"a", "", "b", ""}));
}

TEST(Delimiter, SplitsOnAString) {
  std::vector<std::string_view> fields;
  Delimiter::text("::").split("1::Toy Story: the film::Animation|Comedy", fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"1", "Toy Story: the film", "Animation|Comedy"}));
}

TEST(Delimiter, SplitsOnRunsOfBlanks) {
  std::vector<std::string_view> fields;
  Delimiter::whitespace().split("  7 \t 8  9 ", fields);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"7", "8", "9"}));
}

TEST(Delimiter, DescribesItselfForMessages) {
  EXPECT_EQ(Delimiter::character('\t').describe(), "'\\t'");
  EXPECT_EQ(Delimiter::text("::").describe(), "'::'");
  EXPECT_EQ(Delimiter::whitespace().describe(), "spaces or tabs");
}

TEST(QuoteValue, EscapesControlBytesAndCutsLongValues) {
  EXPECT_EQ(quote_value(std::string_view("a\x01\tb", 4)), "'a\\x01\\tb'");
  EXPECT_EQ(quote_value(std::string(50, 'x')), "'" + std::string(40, 'x') + "...'");
}

TEST(TextReader, HandlesCrlfBlankLinesAndAMissingFinalNewline) {
  TempDir dir;
  const std::string path = dir.write("a.csv", "1,2\r\n\r\n3,4\n\n5,6");
  TextReader in(path, Delimiter::character(','), 2);
  std::vector<int64_t> lines, values;
  while (in.next()) {
    lines.push_back(in.line_number());
    values.push_back(in.id(0, "a"));
    values.push_back(in.id(1, "b"));
  }
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(values, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(in.records(), 3);
}

TEST(TextReader, ReadsLinesAcrossBlockBoundariesAndLongerThanABlock) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 60000; ++i) text += std::to_string(i) + "," + std::to_string(2 * i) + "\n";
  const std::string long_field(700000, 'z');
  text += "x," + long_field + "\n";
  const Records records = read_all(dir.write("big.csv", text), Delimiter::character(','));
  ASSERT_EQ(records.size(), 60001u);
  for (int i = 0; i < 60000; ++i) {
    ASSERT_EQ(records[i], (std::vector<std::string>{std::to_string(i), std::to_string(2 * i)})) << "record " << i;
  }
  EXPECT_EQ(records.back()[1], long_field);
}

TEST(TextReader, EstimatesTheLineCountFromTheFirstBlock) {
  TempDir dir;
  TextReader small(dir.write("small.csv", "1,2\n3,4\n5,6"), Delimiter::character(','), 2);
  EXPECT_EQ(small.estimated_lines(), 2);  // the whole file is one block: exact newline count
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "1234567,89\n";  // 11 bytes a line, 1.1 MB
  TextReader big(dir.write("big.csv", text), Delimiter::character(','), 2);
  EXPECT_NEAR(static_cast<double>(big.estimated_lines()), 100000.0, 1.0);
}

TEST(TextReader, TrimsBlanksAroundFields) {
  TempDir dir;
  EXPECT_EQ(read_all(dir.write("a.csv", " u1 , 7 \n"), Delimiter::character(',')),
            (Records{{"u1", "7"}}));
}

TEST(TextReader, ReadsAHeaderThenRecords) {
  TempDir dir;
  TextReader in(dir.write("h.csv", "\nuser , item\n1,2\n"), Delimiter::character(','), 2);
  EXPECT_EQ(in.read_header(), (std::vector<std::string>{"user", "item"}));
  ASSERT_TRUE(in.next());
  EXPECT_EQ(in.line_number(), 3);
  EXPECT_FALSE(in.next());
  EXPECT_EQ(in.records(), 1);
}

// Records with their start lines, read with quote character '"'.
std::pair<Records, std::vector<int64_t>> read_quoted(const std::string& path, const Delimiter& delimiter) {
  TextReader in(path, delimiter, 1, TextReader::kAnyNumber);
  in.set_quote('"');
  std::pair<Records, std::vector<int64_t>> out;
  while (in.next()) {
    out.first.emplace_back();
    for (size_t i = 0; i < in.size(); ++i) out.first.back().emplace_back(in.field(i));
    out.second.push_back(in.line_number());
  }
  return out;
}

TEST(TextReader, QuotedFieldsHoldDelimitersLineEndsAndDoubledQuotes) {
  TempDir dir;
  const std::string path = dir.write("q.tsv",
                                     "a\t\"x\ty\"\tc\n"           // a tab inside quotes
                                     "\"two\nlines\"\tb\tc\r\n"  // a line end inside quotes
                                     "\"say \"\"hi\"\"\"\t5\" tall\t\"\"\n"  // doubled quotes; a quote inside a field
                                     "plain\tb\tc\n");
  const auto [records, lines] = read_quoted(path, Delimiter::character('\t'));
  EXPECT_EQ(records, (Records{{"a", "x\ty", "c"}, {"two\nlines", "b", "c"}, {"say \"hi\"", "5\" tall", ""},
                              {"plain", "b", "c"}}));
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 4, 5}));
  // Without a quote character the quotes are plain text.
  EXPECT_EQ(read_all(dir.write("p.csv", "\"a,b\",c\n"), Delimiter::character(',')),
            (Records{{"\"a", "b\"", "c"}}));
  EXPECT_EQ(read_quoted(dir.write("w.txt", "  \"a b\"  c \n"), Delimiter::whitespace()).first, (Records{{"a b", "c"}}));
}

TEST(TextReaderErrors, UnclosedQuoteNamesTheLineItStartsOn) {
  TempDir dir;
  const std::string path = dir.write("open.tsv", "a\tb\n\"c\td\ne\tf\n");
  TextReader in(path, Delimiter::character('\t'), 2);
  in.set_quote('"');
  ASSERT_TRUE(in.next());
  expect_error<DataError>([&] { in.next(); }, {path + ":2: a quoted field (\") is not closed before the end of the file"});
}

TEST(TextReader, ParsesNumbers) {
  TempDir dir;
  TextReader in(dir.write("n.csv", "42,-7,2.5,1e3\n"), Delimiter::character(','), 4);
  ASSERT_TRUE(in.next());
  EXPECT_EQ(in.id(0, "id"), 42);
  EXPECT_EQ(in.integer(1, "time"), -7);
  EXPECT_EQ(in.number(2, "rating"), 2.5);
  EXPECT_EQ(in.number(3, "rating"), 1000.0);
}

TEST(TextReaderErrors, EmptyFile) {
  TempDir dir;
  const std::string path = dir.write("empty.csv", "");
  expect_error<DataError>([&] { TextReader(path, Delimiter::character(','), 2); },
                          {path + ":1:", "the file is empty"});
}

TEST(TextReaderErrors, OnlyBlankLines) {
  TempDir dir;
  const std::string path = dir.write("blank.csv", "\n\r\n\n");
  TextReader in(path, Delimiter::character(','), 2);
  expect_error<DataError>([&] { in.next(); }, {path + ":3:", "no records"});
}

TEST(TextReaderErrors, DirectoryGivenForAFile) {
  TempDir dir;
  expect_error<DataError>([&] { TextReader(dir.path().string(), Delimiter::character(','), 2); },
                          {dir.path().string(), "is a directory"});
}

TEST(TextReaderErrors, MissingFile) {
  TempDir dir;
  expect_error<DataError>([&] { TextReader(dir.file("nope.csv"), Delimiter::character(','), 2); },
                          {"nope.csv", "no such file"});
}

TEST(TextReaderErrors, WrongDelimiterNamesTheExpectedOneAndTheOneFound) {
  TempDir dir;
  const std::string path = dir.write("tabs.csv", "1,2,3\n4\t5\t6\n");
  TextReader in(path, Delimiter::character(','), 3);
  ASSERT_TRUE(in.next());
  expect_error<DataError>([&] { in.next(); }, {path + ":2: expected 3 fields separated by ',', got 1",
                                               "the line contains a tab: wrong delimiter?"});
}

TEST(TextReaderErrors, TooManyFields) {
  TempDir dir;
  const std::string path = dir.write("wide.txt", "1\t2\t3\n");
  TextReader in(path, Delimiter::character('\t'), 2);
  expect_error<DataError>([&] { in.next(); }, {path + ":1: expected 2 fields separated by '\\t', got 3"});
}

TEST(TextReaderErrors, TooFewOfAVariableNumberOfFields) {
  TempDir dir;
  const std::string path = dir.write("short.csv", "1,2\n");
  TextReader in(path, Delimiter::character(','), 3, TextReader::kAnyNumber);
  expect_error<DataError>([&] { in.next(); }, {path + ":1: expected at least 3 fields separated by ',', got 2"});
}

TEST(TextReaderErrors, TruncatedLastRecord) {
  TempDir dir;
  const std::string path = dir.write("cut.csv", "1,2,3\n4,5");
  TextReader in(path, Delimiter::character(','), 3);
  ASSERT_TRUE(in.next());
  expect_error<DataError>([&] { in.next(); }, {path + ":2: expected 3 fields", "got 2", "truncated"});
}

TEST(TextReaderErrors, NonNumericId) {
  TempDir dir;
  const std::string path = dir.write("ids.csv", "1,2\n3,4\nu7,5\n");
  TextReader in(path, Delimiter::character(','), 2);
  in.next();
  in.next();
  in.next();
  expect_error<DataError>([&] { in.id(0, "user id"); },
                          {path + ":3: user id must be a non-negative integer, got 'u7'"});
}

TEST(TextReaderErrors, BadNumbers) {
  TempDir dir;
  const std::string path = dir.write("n.csv", "-1,99999999999999999999,nan,,4x\n");
  TextReader in(path, Delimiter::character(','), 5);
  ASSERT_TRUE(in.next());
  expect_error<DataError>([&] { in.id(0, "item id"); }, {":1: item id must be a non-negative integer, got '-1'"});
  expect_error<DataError>([&] { in.integer(1, "time"); }, {":1: time out of range: '99999999999999999999'"});
  expect_error<DataError>([&] { in.number(2, "rating"); }, {":1: rating must be a finite number, got 'nan'"});
  expect_error<DataError>([&] { in.text(3, "category"); }, {":1: missing category (field 4)"});
  expect_error<DataError>([&] { in.integer(4, "time"); }, {":1: time must be an integer, got '4x'"});
}

}  // namespace
}  // namespace graft::io
