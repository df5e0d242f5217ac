#pragma once
// Room on the host's own disk for the next test (docs/protocol.md 6, "The host's disk"). A test writes into the
// run's folder of the work dir its request, its log, its request times (8 bytes a request) and its result, and
// the spool keeps a copy until the store has it: an agent whose work dir has less room than that starts no more
// tests, instead of measuring what it could not record (or failing every test left in a few milliseconds).
#include <cstdint>
#include <optional>
#include <string>

namespace dli {

// The least free space a test may start with: a generous bound of what one test writes, not an estimate.
inline constexpr std::uintmax_t kTestRoomBytes = std::uintmax_t{16} << 20;

// Why `available` bytes are too few to start a test (nullopt when they are enough), e.g. "120 KiB free, a test
// needs 16 MiB".
std::optional<std::string> room_shortfall(std::uintmax_t available, std::uintmax_t needed = kTestRoomBytes);

// room_shortfall() of the file system holding `folder`; nullopt too when it cannot be asked (the writes then say).
std::optional<std::string> work_dir_room_problem(const std::string& folder, std::uintmax_t needed = kTestRoomBytes);

}  // namespace dli
