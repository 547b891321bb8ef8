// Reading one large text file on every core. The file's records (from `records_begin`, past any
// header) are cut into pieces of `piece_bytes`; a piece holds the lines that start in its byte
// range, the last of them read whole even where it runs into the next range. Pieces are read
// and parsed on worker threads and handed back in file order, with at most one piece per core
// in flight (plus the one being merged), so memory stays bounded however large the file is.
// The file's size and CRC-32 (as describe_file gives them) come from the same reads.
#pragma once

#include <cstdint>
#include <chrono>
#include <cstdio>
#include <deque>
#include <future>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// The whole lines that start in one byte range of a file.
struct TextPiece {
  std::vector<char> bytes;  // the range from one byte before it, then the rest of its last line
  size_t text_begin = 0;    // where its first line starts in `bytes`
  std::string_view text() const { return {bytes.data() + text_begin, bytes.size() - text_begin}; }
};

class PieceFile {
 public:
  // Throws DataError naming the file when it cannot be opened or read.
  PieceFile(std::string path, uint64_t records_begin, uint64_t piece_bytes);
  PieceFile(const PieceFile&) = delete;
  PieceFile& operator=(const PieceFile&) = delete;
  ~PieceFile();

  size_t pieces() const { return pieces_; }
  // Reads piece k into `piece` (any thread); returns the CRC-32 of its byte range.
  uint32_t read(size_t k, TextPiece& piece) const;
  uint64_t range_bytes(size_t k) const;
  // The file's size and CRC-32 from the CRC-32s of all its pieces in order.
  SourceFile source(const std::vector<uint32_t>& piece_crcs) const;

 private:
  void read_at(char* out, uint64_t bytes, uint64_t offset) const;

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0, records_begin_ = 0, piece_bytes_ = 1;
  size_t pieces_ = 0;
  uint32_t header_crc_ = 0;  // of the bytes before records_begin
};

// Parses the pieces of `path` on worker threads and merges them on the calling thread in file
// order; returns the file's size and checksum. A Parsed is default-constructible and holds its
// piece as member `piece`. make_parser() runs on the calling thread when a piece is dispatched,
// so the parser it returns may copy what the merges have built so far; parser(parsed) then
// parses parsed.piece into parsed on a worker, and merge(parsed) runs on the calling thread.
// Merged Parseds are handed to later pieces, so that their buffers keep their memory rather
// than fault in fresh pages for every piece. The first exception in file order propagates once
// the pieces in flight are done.
template <typename Parsed, typename MakeParser, typename Merge>
SourceFile parse_in_pieces(const std::string& path, uint64_t records_begin, uint64_t piece_bytes, size_t threads,
                           MakeParser make_parser, Merge merge) {
  const PieceFile file(path, records_begin, piece_bytes);
  auto parse_piece = [&file](size_t k, Parsed parsed, auto parser) {
    const uint32_t crc = file.read(k, parsed.piece);
    parser(parsed);
    return std::make_pair(crc, std::move(parsed));
  };
  std::deque<std::future<std::pair<uint32_t, Parsed>>> in_flight;
  std::vector<Parsed> spare;
  std::vector<uint32_t> crcs;
  size_t next = 0;
  auto dispatch = [&] {
    Parsed recycled;
    if (!spare.empty()) {
      recycled = std::move(spare.back());
      spare.pop_back();
    }
    in_flight.push_back(std::async(std::launch::async, parse_piece, next++, std::move(recycled), make_parser()));
  };
  while (next < file.pieces() && in_flight.size() < threads) dispatch();
  while (!in_flight.empty()) {
    auto [crc, parsed] = in_flight.front().get();
    in_flight.pop_front();
    crcs.push_back(crc);
    merge(parsed);
    spare.push_back(std::move(parsed));
    if (next < file.pieces()) dispatch();
  }
  return file.source(crcs);
}

}  // namespace graft::io
