// Dates as days since 1970-01-01: exact values across leap rules and eras, and what is refused.
#include "graph_io/dates.h"

#include <gtest/gtest.h>

namespace graft::io {
namespace {

TEST(ParseDate, CountsDaysSince1970) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_EQ(parse_date("1969-12-31"), -1);
  EXPECT_EQ(parse_date("2000-02-29"), 11016);  // divisible by 400: a leap year
  EXPECT_EQ(parse_date("2000-03-01"), 11017);
  EXPECT_EQ(parse_date("2019-02-28"), 17955);
  EXPECT_EQ(parse_date("2020-02-29"), 18321);
  EXPECT_EQ(parse_date("1600-03-01"), -135080);
  EXPECT_EQ(parse_date("0001-01-01"), -719162);
  EXPECT_EQ(parse_date("9999-12-31"), 2932896);
}

TEST(ParseDate, RefusesWhatIsNotARealDay) {
  for (const char* text : {"2019-13-01", "2019-00-10", "2019-02-29", "2019-02-30", "1900-02-29", "2019-04-31",
                           "2019-01-00", "2019-1-01", "2019-01-1", "19-01-01", "2019/01/01", "2019-01-01 ",
                           "+019-01-01", "2019-0a-01", "yesterday", "", "1546300800"}) {
    EXPECT_EQ(parse_date(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace graft::io
