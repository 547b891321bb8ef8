// Calendar dates in interaction files ("2019-02-28"), read as whole days since 1970-01-01 (UTC,
// proleptic Gregorian calendar): the `time` unit of every date-stamped import (xmarket, csv with
// a date time column). Days order interactions like the dates do; a day has no finer order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "graph_io/text_reader.h"

namespace graft::io {

// "YYYY-MM-DD" (exactly four, two and two digits, a real day: no month 13, no 30 February) as
// days since 1970-01-01 (negative before); nullopt for anything else.
std::optional<int64_t> parse_date(std::string_view text);

// The i-th field of the current record as a date (parse_date); a DataError "<file>:<line>: <name>
// must be a date YYYY-MM-DD, got '...'" otherwise.
int64_t date_field(const TextReader& in, size_t i, std::string_view name);

}  // namespace graft::io
