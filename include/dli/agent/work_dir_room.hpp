#pragma once
// Whether the host's own disk can take the next test (docs/protocol.md 6, "The host's disk"). A test writes into
// the run's folder of the work dir its request, its log, its request times (8 bytes a request) and its result, and
// the spool keeps a copy until the store has it: an agent whose work dir cannot take that starts no more tests,
// instead of measuring what it could not record (or failing every test left in a few milliseconds).
#include <cstdint>
#include <optional>
#include <string>

namespace dli {

// The least free space a test may start with: a generous bound of what one test writes, not an estimate.
inline constexpr std::uintmax_t kTestRoomBytes = std::uintmax_t{16} << 20;

// Why `available` bytes are too few to start a test (nullopt when they are enough), e.g. "120 KiB free, a test
// needs 16 MiB".
std::optional<std::string> room_shortfall(std::uintmax_t available, std::uintmax_t needed = kTestRoomBytes);

// Why `folder` cannot take another test: room_shortfall() of its file system and, with `probe_writing`, a small
// file that cannot be written there (a file system remounted read-only, failing I/O), e.g. "a file cannot be
// written there (Read-only file system)". Nullopt when it can, and when its file system cannot be asked (the
// writes themselves then say). The probe costs a file's creation: for after a failure, not before every test.
std::optional<std::string> work_dir_problem(const std::string& folder, bool probe_writing,
                                            std::uintmax_t needed = kTestRoomBytes);

}  // namespace dli
