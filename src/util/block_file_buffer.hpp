#pragma once
// An output stream buffer over a file descriptor that writes whole buffers only (the last one excepted).
// std::filebuf hands any piece of a kilobyte or more straight to writev together with what it holds: a report
// written a row at a time became a system call a row at odd offsets. 32 KiB: at 100,000 results the collect's
// writing took the least time with 32-64 KiB writes; from 128 KiB on the kernel's page cache took half again as
// long (1.0 s of system time became 1.6-1.7 s, docs/benchmarks.md).
#include <cstddef>
#include <streambuf>
#include <vector>

namespace dli::util_detail {

class BlockFileBuffer : public std::streambuf {
 public:
  explicit BlockFileBuffer(int fd, std::size_t size = std::size_t{1} << 15);
  BlockFileBuffer(const BlockFileBuffer&) = delete;
  BlockFileBuffer& operator=(const BlockFileBuffer&) = delete;

  int error() const { return error_; }  // errno of the first write that failed; 0 while none has

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* data, std::streamsize size) override;
  int sync() override;

 private:
  bool drain();  // writes what the buffer holds; false (error_ set) when the file refused it

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

}  // namespace dli::util_detail
