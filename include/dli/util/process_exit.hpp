#pragma once
// How dli's programs end: the standard streams flushed, then the process ends without running static destructors.
// The libraries' own clean-ups at exit (the TLS and Kerberos stacks libcurl loads, BLAS's thread pool) cost an agent
// about 7 ms of CPU at its end, on the sweep's critical path, and free nothing that the kernel does not. Callers
// flush their logs first (spdlog::shutdown()).
namespace dli {

[[noreturn]] void exit_now(int code);

}  // namespace dli
