// The readings of /proc that say how busy a host was around a test (include/dli/agent/host_load.hpp), and the
// warnings a result carries (include/dli/protocol/test_environment.hpp).
#include "dli/agent/host_load.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace dli {
namespace {

TEST(HostLoad, CpuTicksCountIdleAndIowaitAsNotBusy) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto ticks = parse_cpu_ticks("cpu  100 20 30 1000 50 5 7 3 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
  ASSERT_TRUE(ticks);
  EXPECT_EQ(ticks->busy, 100 + 20 + 30 + 5 + 7 + 3);
  EXPECT_EQ(ticks->total, 165 + 1000 + 50);
  EXPECT_FALSE(parse_cpu_ticks("intr 1 2 3\n"));
  EXPECT_FALSE(parse_cpu_ticks(""));
}

TEST(HostLoad, ProcessTicksReadNamesWithSpacesAndParentheses) {
  const auto plain = parse_process_ticks("123 (bash) S 1 123 123 0 -1 4194560 500 0 0 0 40 2 0 0 20 0 1 0 99");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name, "bash");
  EXPECT_EQ(plain->ticks, 42);
  EXPECT_EQ(plain->start, 99);
  const auto odd = parse_process_ticks("7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 300 11 0 0 20 0 1 0 5");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->name, "a) b (c");
  EXPECT_EQ(odd->ticks, 311);
  EXPECT_EQ(odd->start, 5);
  EXPECT_FALSE(parse_process_ticks("9 (cut short) S 1 2"));
  EXPECT_FALSE(parse_process_ticks("garbage"));
}

TEST(HostLoad, LoadMemoryAndSwap) {
  EXPECT_DOUBLE_EQ(parse_load_1m("0.73 0.61 0.50 2/93 4318\n"), 0.73);
  EXPECT_DOUBLE_EQ(parse_load_1m(""), -1);
  const MemoryReading memory =
      parse_meminfo("MemTotal:  24000000 kB\nMemAvailable:  22000000 kB\nSwapTotal:  1000 kB\nSwapFree:  400 kB\n");
  EXPECT_EQ(memory.available_kb, 22000000);
  EXPECT_EQ(memory.swap_used_kb, 600);
  EXPECT_EQ(parse_meminfo("MemTotal: 5 kB\n").swap_used_kb, -1);
  EXPECT_EQ(parse_swapped_pages("nr_free_pages 10\npswpin 7\npswpout 5\n"), 12);
  EXPECT_EQ(parse_swapped_pages("nr_free_pages 10\n"), -1);
}

TEST(HostLoad, OneGovernorMixedOrUnknown) {
  EXPECT_EQ(combined_governor({"performance", "performance"}), "performance");
  EXPECT_EQ(combined_governor({"performance", "powersave"}), "mixed");
  EXPECT_EQ(combined_governor({"", ""}), "");
  EXPECT_EQ(combined_governor({}), "");
}

TEST(HostLoad, OtherProcessesShareLeavesOutTheTestAndTheAgent) {
  const CpuTicks before{1000, 5000};
  const CpuTicks after{1000 + 150, 5000 + 400};  // 2 CPUs x 2 s at 100 ticks/s
  EXPECT_DOUBLE_EQ(other_cpu_share(before, after, 130), 20.0 / 400);
  EXPECT_DOUBLE_EQ(other_cpu_share(before, after, 200), 0.0);  // rounding: never below nothing
  EXPECT_DOUBLE_EQ(other_cpu_share(before, before, 0), -1);
}

TEST(HostLoad, BusiestProcessesByTicksUsedMeanwhile) {
  // {name, ticks, start}
  const std::map<int, ProcessTicks> before{{1, {"init", 50, 1}},          {10, {"cc1plus", 100, 900}},
                                           {11, {"vim", 7, 800}},         {12, {"dli-agent", 5, 950}},
                                           {13, {"old", 9, 300}},         {14, {"kworker/0:1-events", 90000, 2}}};
  const std::map<int, ProcessTicks> after{{1, {"init", 50, 1}},          {10, {"cc1plus", 400, 900}},
                                          {11, {"vim", 9, 800}},          {12, {"dli-agent", 90, 950}},
                                          {13, {"new", 4, 990}},          {20, {"make", 30, 995}},
                                          {14, {"kworker/0:1-mm_percpu_wq", 90002, 2}}};
  const auto busiest = busiest_processes(before, after, {12}, 100.0, 3);
  ASSERT_EQ(busiest.size(), 3u);
  EXPECT_EQ(busiest[0].name, "cc1plus");
  EXPECT_DOUBLE_EQ(busiest[0].cpu_seconds, 3.0);
  EXPECT_EQ(busiest[1].name, "make");  // started meanwhile: all its ticks
  EXPECT_DOUBLE_EQ(busiest[1].cpu_seconds, 0.3);
  EXPECT_EQ(busiest[2].name, "new");  // a reused pid (a later start) is another process
  EXPECT_DOUBLE_EQ(busiest[2].cpu_seconds, 0.04);
  // A kernel worker renamed by its current work is the same thread: only its 2 ticks meanwhile, not its lifetime.
  const auto all = busiest_processes(before, after, {12}, 100.0, 10);
  const auto worker = std::find_if(all.begin(), all.end(), [](const BusyProcess& p) { return p.pid == 14; });
  ASSERT_NE(worker, all.end());
  EXPECT_DOUBLE_EQ(worker->cpu_seconds, 0.02);
}

TEST(TestEnvironment, WarningsForGovernorBuildBusyAndSwap) {
  TestEnvironment quiet;
  quiet.governor = "performance";
  quiet.build_type = "Release";
  quiet.other_cpu_share = 0.01;
  EXPECT_EQ(environment_warnings(quiet), std::vector<std::string>{});
  quiet.governor = "";  // no cpufreq (a VM): nothing known, nothing claimed
  EXPECT_EQ(environment_warnings(quiet), std::vector<std::string>{});

  TestEnvironment noisy = quiet;
  noisy.governor = "powersave";
  noisy.build_type = "Debug";
  noisy.other_cpu_share = 0.25;
  noisy.busiest = {{10, "cc1plus", 3.0}, {20, "make", 0.25}};
  noisy.swapped_pages = 12;
  EXPECT_EQ(environment_warnings(noisy),
            (std::vector<std::string>{
                "CPU frequency governor is 'powersave', not 'performance'",
                "dli build type is 'Debug', not 'Release'",
                "host busy: other processes used 25% of its CPU time during the test: cc1plus (3.0 s), make (0.2 s)",
                "swap used: 12 pages swapped during the test"}));
  noisy.other_cpu_share = kBusyShare;  // at the bound: not busy
  EXPECT_EQ(environment_warnings(noisy).size(), 3u);
}

}  // namespace
}  // namespace dli
