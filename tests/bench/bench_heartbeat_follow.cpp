// Store traffic of the integrator's poll as the fleet grows (docs/benchmarks.md): a simulated fleet whose every
// host beats between two polls (the worst case), followed the way the integrator follows a run. Before protocol 3
// a poll read one document per host; now it lists the status folder once and reads at most kReadsPerPoll moved
// documents. Counters: store operations per poll, and that figure divided by the number of hosts.
#include <benchmark/benchmark.h>

#include "dli/integrator/heartbeat_follow.hpp"
#include "support/counting_store.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace dli;

void BM_IntegratorPollStoreOperations(benchmark::State& state) {
  const int host_count = static_cast<int>(state.range(0));
  testing::TempDir dir;
  auto store = std::move(open_store("file://" + dir.str("store"))).value();
  std::vector<FollowedHost> hosts(static_cast<std::size_t>(host_count));
  std::vector<FollowedHost*> pointers;
  std::vector<StatusWriter> writers;
  for (int i = 0; i < host_count; ++i) {
    hosts[static_cast<std::size_t>(i)].name = "host-" + std::to_string(i);
    pointers.push_back(&hosts[static_cast<std::size_t>(i)]);
    writers.emplace_back(*store, "r", hosts[static_cast<std::size_t>(i)].name);
  }
  HostStatus beat;
  beat.state = HostState::kRunning;
  long operations = 0, polls = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < host_count; ++i) {
      beat.host = hosts[static_cast<std::size_t>(i)].name;
      ++beat.done;
      (void)writers[static_cast<std::size_t>(i)].write(beat);
    }
    state.ResumeTiming();
    testing::CountingStore counted(*store);
    StatusBoard board(counted, "r");
    auto listing = board.scan();
    const auto now = SteadyClock::now();
    take_listing(listing.value(), pointers, now);
    read_moved(board, pointers, now);
    operations += counted.operations;
    ++polls;
  }
  state.counters["store_ops_per_poll"] = static_cast<double>(operations) / static_cast<double>(polls);
  state.counters["ops_per_poll_per_host"] =
      static_cast<double>(operations) / static_cast<double>(polls) / static_cast<double>(host_count);
  state.counters["before_protocol_3"] = host_count;  // one status read per host and poll
}
BENCHMARK(BM_IntegratorPollStoreOperations)->Arg(10)->Arg(100)->Arg(1000)->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace
