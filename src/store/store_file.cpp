// file:// store. Every write goes to a temporary file in the destination folder, is flushed to disk, then renamed
// over the key: rename(2) within one filesystem is atomic, so a reader (another process, another host on a shared
// mount) sees the old object or the new one, never a mix.
#include "store_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace dli {

Status check_store_key(const std::string& key) {
  auto bad = [&key](const char* why) { return Error{fmt::format("invalid store key '{}': {}", key, why)}; };
  if (key.empty()) return bad("empty");
  if (key.find('\0') != std::string::npos) return bad("contains a NUL byte");
  if (key.front() == '/') return bad("must be relative (no leading '/')");
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(key.find('/', start), key.size());
    const std::string segment = key.substr(start, end - start);
    if (segment.empty()) return bad("empty path segment");
    if (segment == "." || segment == "..") return bad("'.' and '..' segments are not allowed");
    if (segment.front() == '.') return bad("segments must not start with '.' (reserved for temporary files)");
    if (end == key.size()) return {};
    start = end + 1;
  }
}

namespace {

constexpr std::size_t kCopyBufferBytes = 1 << 20;

std::string errno_text(int code) { return std::strerror(code); }

// What a failed call tells callers: the store has no room (ENOSPC, EDQUOT: retrying soon will not help) or refuses
// this user (EACCES, EPERM, EROFS); anything else only its message says.
ErrorKind kind_of_errno(int code) {
  switch (code) {
    case ENOSPC:
    case EDQUOT:
      return ErrorKind::kNoSpace;
    case EACCES:
    case EPERM:
    case EROFS:
      return ErrorKind::kDenied;
    default:
      return ErrorKind::kOther;
  }
}

Error errno_error(std::string message, int code) { return Error{std::move(message), false, kind_of_errno(code)}; }

// Why filling a temporary failed: errno, and what was being done when it is not the write itself.
struct FillFailure {
  int code = 0;         // 0: no failure
  std::string doing;    // "reading /x/model.onnx"; empty: writing into the store
  bool ok() const { return code == 0; }
};

// Closes a descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now, reporting the error (on NFS a failed write may only surface here).
  int close_checked() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// errno 0 on success.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t wrote = ::write(fd, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return 0;
}

// Copies `from` to `to` until end of file. Returns {errno, which side failed}.
std::pair<int, bool> copy_fd(int from, int to) {
  std::vector<char> buffer(kCopyBufferBytes);
  for (;;) {
    const ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return {errno, true};
    }
    if (got == 0) return {0, false};
    if (const int code = write_all(to, buffer.data(), static_cast<std::size_t>(got)); code != 0) return {code, false};
  }
}

std::string temporary_name_for(const std::filesystem::path& final_path) {
  static std::atomic<unsigned> counter{0};
  thread_local std::mt19937 random{std::random_device{}()};
  // Starts with '.': list() skips it and no valid key can name it.
  return fmt::format(".{}.tmp.{}.{:08x}{:x}", final_path.filename().string(), ::getpid(), random(),
                     counter.fetch_add(1));
}

// Best effort: makes the rename itself durable. A failure here does not undo the (already visible) publish.
void sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Writes through `fill` into a fresh temporary next to `final_path`, flushes it and renames it over `final_path`.
// Errors carry the kind of the failed call's errno (kNoSpace, kDenied); a failure reading the source is kOther.
Status publish_atomically(const std::filesystem::path& final_path, const std::string& what,
                          const std::function<FillFailure(int fd)>& fill) {
  const std::filesystem::path folder = final_path.parent_path();
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return errno_error(
        fmt::format("cannot write {}: cannot create folder {}: {}", what, folder.string(), error.message()),
        error.category() == std::system_category() || error.category() == std::generic_category() ? error.value()
                                                                                                   : 0);
  }

  const std::filesystem::path temporary = folder / temporary_name_for(final_path);
  Fd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!out.valid()) {
    const int code = errno;
    return errno_error(fmt::format("cannot write {}: {}", what, errno_text(code)), code);
  }

  FillFailure failure = fill(out.get());
  std::string step = failure.doing;
  auto failed = [&failure, &step](const char* call) {
    failure.code = errno;
    step = call;
  };
  if (failure.ok() && ::fsync(out.get()) != 0) failed("fsync");
  if (out.close_checked() != 0 && failure.ok()) failed("close");  // NFS and quotas may report only here
  if (failure.ok() && ::rename(temporary.c_str(), final_path.c_str()) != 0) failed("rename");
  if (!failure.ok()) {
    ::unlink(temporary.c_str());
    const std::string reason = step.empty() ? errno_text(failure.code) : step + ": " + errno_text(failure.code);
    const std::string message = fmt::format("cannot write {}: {}", what, reason);
    // A source that cannot be read is no refusal of the store's.
    return failure.doing.empty() ? errno_error(message, failure.code) : Error{message};
  }
  sync_folder(folder);
  return {};
}

class FileStore : public Store {
 public:
  explicit FileStore(std::string root) : root_(std::move(root)) {}

  Result<std::string> get(const std::string& key) override {
    if (auto valid = check_store_key(key); !valid) return valid.error();
    std::size_t size = 0;
    auto opened = open_object(key, &size);
    if (!opened) return opened.error();
    Fd in(opened.value());
    // Read straight into the string, sized by open_object's fstat: a collect reads 100,000 of these, and every
    // system call and copy counts. The last read, which finds the end, needs the one byte more.
    std::string data(size + 1, '\0');
    std::size_t got_total = 0;
    for (;;) {
      if (got_total == data.size()) data.resize(data.size() * 2 + 4096);  // grew since the fstat
      const ssize_t got = ::read(in.get(), data.data() + got_total, data.size() - got_total);
      if (got < 0) {
        if (errno == EINTR) continue;
        const int code = errno;
        return errno_error(fmt::format("cannot read {}: {}", key, errno_text(code)), code);
      }
      if (got == 0) {
        data.resize(got_total);
        return data;
      }
      got_total += static_cast<std::size_t>(got);
    }
  }

  Status put(const std::string& key, std::string_view data) override {
    if (auto valid = check_store_key(key); !valid) return valid;
    return publish_atomically(path_of(key), key, [data](int fd) {
      return FillFailure{write_all(fd, data.data(), data.size()), ""};
    });
  }

  Status put_file(const std::string& key, const std::string& local_path) override {
    if (auto valid = check_store_key(key); !valid) return valid;
    Fd in(::open(local_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return Error{fmt::format("cannot upload {} to {}: {}", local_path, key, errno_text(errno))};
    return publish_atomically(path_of(key), key, [&](int fd) {
      const auto [code, reading] = copy_fd(in.get(), fd);
      return FillFailure{code, reading ? "reading " + local_path : ""};
    });
  }

  Status get_file(const std::string& key, const std::string& local_path) override {
    if (auto valid = check_store_key(key); !valid) return valid;
    auto opened = open_object(key);
    if (!opened) return opened.error();
    Fd in(opened.value());
    // The local copy is published atomically too: an interrupted download never looks complete.
    Status copied = publish_atomically(std::filesystem::absolute(local_path), local_path, [&](int fd) {
      const auto [code, reading] = copy_fd(in.get(), fd);
      return FillFailure{code, reading ? "reading " + key : ""};
    });
    // A full or read-only local disk is no refusal of the store's.
    if (!copied) {
      return Error{copied.error().message, false,
                   copied.error().kind == ErrorKind::kNoSpace ? ErrorKind::kLocalNoSpace : ErrorKind::kOther};
    }
    return copied;
  }

  Result<bool> exists(const std::string& key) override {
    if (auto valid = check_store_key(key); !valid) return valid.error();
    struct stat info {};
    if (::stat(path_of(key).c_str(), &info) == 0) return S_ISREG(info.st_mode);
    const int code = errno;
    if (code == ENOENT || code == ENOTDIR) return false;
    return errno_error(fmt::format("cannot check {}: {}", key, errno_text(code)), code);
  }

  Result<std::vector<std::string>> list(const std::string& folder) override {
    if (!folder.empty()) {
      if (auto valid = check_store_key(folder); !valid) return valid.error();
    }
    const std::string path = folder.empty() ? root_ : path_of(folder);
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) {
      const int code = errno;
      if (code == ENOENT) return std::vector<std::string>{};
      return errno_error(
          fmt::format("cannot list {}: {}", folder.empty() ? "the store's root" : folder, errno_text(code)), code);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);  // also skips ".", ".." and temporaries
    }
    const int code = errno;
    ::closedir(dir);
    if (code != 0) return errno_error(fmt::format("cannot list {}: {}", folder, errno_text(code)), code);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status remove(const std::string& key) override {
    if (auto valid = check_store_key(key); !valid) return valid;
    // Removing what is already gone succeeds: callers want the key absent, however that came about.
    if (::unlink(path_of(key).c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
      const int code = errno;
      return errno_error(fmt::format("cannot remove {}: {}", key, errno_text(code)), code);
    }
    return {};
  }

  Status remove_folder(const std::string& folder) override {
    if (auto valid = check_store_key(folder); !valid) return valid;
    if (::rmdir(path_of(folder).c_str()) != 0 && errno != ENOENT) {
      const int code = errno;
      return errno_error(fmt::format("cannot remove the folder {}: {}", folder, errno_text(code)), code);
    }
    return {};
  }

  bool concurrent_gets() const override { return true; }  // each get opens its own descriptor; nothing is shared

  std::string describe() const override { return "file://" + root_; }

 private:
  std::string path_of(const std::string& key) const { return root_ == "/" ? "/" + key : root_ + "/" + key; }

  // `size`, when asked for: the object's size when opened.
  Result<int> open_object(const std::string& key, std::size_t* size = nullptr) {
    const int fd = ::open(path_of(key).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int code = errno;
      if (code == ENOENT || code == ENOTDIR) return Error{"not found: " + key, false, ErrorKind::kNotFound};
      return errno_error(fmt::format("cannot read {}: {}", key, errno_text(code)), code);
    }
    struct stat info {};
    if (::fstat(fd, &info) == 0 && !S_ISREG(info.st_mode)) {
      ::close(fd);
      return Error{fmt::format("cannot read {}: not an object (a folder?)", key)};
    }
    if (size != nullptr && info.st_size > 0) *size = static_cast<std::size_t>(info.st_size);
    return fd;
  }

  std::string root_;
};

}  // namespace

std::unique_ptr<Store> make_file_store(const std::string& root) {
  std::string trimmed = root;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  return std::make_unique<FileStore>(std::move(trimmed));
}

}  // namespace dli
