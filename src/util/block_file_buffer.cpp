#include "block_file_buffer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dli::util_detail {

BlockFileBuffer::BlockFileBuffer(int fd, std::size_t size) : fd_(fd), buffer_(size) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

bool BlockFileBuffer::drain() {
  if (error_ != 0) return false;
  const char* from = pbase();
  while (from < pptr()) {
    const ssize_t written = ::write(fd_, from, static_cast<std::size_t>(pptr() - from));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      error_ = written < 0 ? errno : EIO;
      return false;
    }
    from += written;
  }
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return true;
}

BlockFileBuffer::int_type BlockFileBuffer::overflow(int_type c) {
  if (!drain()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

std::streamsize BlockFileBuffer::xsputn(const char* data, std::streamsize size) {
  std::streamsize done = 0;
  while (done < size) {
    if (pptr() == epptr() && !drain()) break;
    const std::streamsize step = std::min<std::streamsize>(size - done, epptr() - pptr());
    std::memcpy(pptr(), data + done, static_cast<std::size_t>(step));
    pbump(static_cast<int>(step));
    done += step;
  }
  return done;
}

int BlockFileBuffer::sync() { return drain() ? 0 : -1; }

}  // namespace dli::util_detail
