#include "graph_io/text_pieces.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "graph_io/errors.h"
#include "graph_io/files.h"

namespace graft::io {

namespace {

// How far a piece's last line is read ahead at a time.
constexpr uint64_t kReadAhead = uint64_t{1} << 16;

uint32_t crc32_of(const char* data, size_t bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (bytes > 0) {  // zlib takes uInt lengths
    const auto step = static_cast<uInt>(std::min<size_t>(bytes, uInt{1} << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), step);
    data += step;
    bytes -= step;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

PieceFile::PieceFile(std::string path, uint64_t records_begin, uint64_t piece_bytes)
    : path_(std::move(path)), records_begin_(records_begin), piece_bytes_(std::max<uint64_t>(piece_bytes, 1)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw DataError(path_ + ": cannot open for reading: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    throw DataError(path_ + ": cannot stat: " + std::strerror(errno));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  records_begin_ = std::min(records_begin_, size_);
  pieces_ = static_cast<size_t>((size_ - records_begin_ + piece_bytes_ - 1) / piece_bytes_);
  std::vector<char> header(records_begin_);
  try {
    read_at(header.data(), header.size(), 0);
  } catch (...) {
    ::close(fd_);
    throw;
  }
  header_crc_ = crc32_of(header.data(), header.size());
}

PieceFile::~PieceFile() { ::close(fd_); }

void PieceFile::read_at(char* out, uint64_t bytes, uint64_t offset) const {
  while (bytes > 0) {
    const ssize_t got = ::pread(fd_, out, bytes, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw DataError(path_ + ": read failed: " + std::strerror(errno));
    if (got == 0) throw DataError(path_ + ": the file got shorter while it was read");
    out += got;
    bytes -= static_cast<uint64_t>(got);
    offset += static_cast<uint64_t>(got);
  }
}

uint64_t PieceFile::range_bytes(size_t k) const {
  const uint64_t begin = records_begin_ + k * piece_bytes_;
  return std::min(piece_bytes_, size_ - begin);
}

uint32_t PieceFile::read(size_t k, TextPiece& piece) const {
  const uint64_t begin = records_begin_ + k * piece_bytes_;
  const uint64_t end = begin + range_bytes(k);
  // The byte before the range says whether a line starts right at its beginning.
  const uint64_t before = begin > records_begin_ ? 1 : 0;
  piece.text_begin = 0;
  piece.bytes.resize(end - begin + before);
  read_at(piece.bytes.data(), piece.bytes.size(), begin - before);
  const uint32_t crc = crc32_of(piece.bytes.data() + before, piece.bytes.size() - before);

  if (before) {
    const auto* newline = static_cast<const char*>(std::memchr(piece.bytes.data(), '\n', piece.bytes.size()));
    // No line starts in the range: it lies inside a line an earlier piece reads whole.
    if (!newline || newline == piece.bytes.data() + piece.bytes.size() - 1) {
      piece.text_begin = piece.bytes.size();
      return crc;
    }
    piece.text_begin = static_cast<size_t>(newline - piece.bytes.data()) + 1;
  }
  // Reads the rest of the last line, up to and with its line end or to the end of the file.
  for (uint64_t at = end; at < size_ && piece.bytes.back() != '\n';) {
    const uint64_t step = std::min(kReadAhead, size_ - at);
    const size_t old = piece.bytes.size();
    piece.bytes.resize(old + step);
    read_at(piece.bytes.data() + old, step, at);
    const auto* newline = static_cast<const char*>(std::memchr(piece.bytes.data() + old, '\n', step));
    if (newline) piece.bytes.resize(static_cast<size_t>(newline - piece.bytes.data()) + 1);
    at += step;
  }
  return crc;
}

SourceFile PieceFile::source(const std::vector<uint32_t>& piece_crcs) const {
  uLong crc = header_crc_;
  for (size_t k = 0; k < piece_crcs.size(); ++k) {
    crc = crc32_combine(crc, piece_crcs[k], static_cast<z_off_t>(range_bytes(k)));
  }
  return SourceFile{path_, size_, format_crc32(static_cast<uint32_t>(crc))};
}

}  // namespace graft::io
