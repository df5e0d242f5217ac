// One test's latency distribution: the bars, ticks and marks dli decides, and the element the page's script draws.
#include "dli/report/distribution_plot.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

TEST(LatencyDistribution, MergesBucketsIntoBarsThatAddUpToAllRequestsWithTheMedianAndP99) {
  std::vector<double> times;
  for (int i = 0; i < 90; ++i) times.push_back(0.010);  // 90 requests of 10 ms
  for (int i = 0; i < 10; ++i) times.push_back(0.040);  // and a tail of 40 ms
  const Histogram histogram = make_histogram(times);
  ASSERT_EQ(histogram.buckets.size(), 2u);
  const std::int32_t first = histogram.buckets.front().index, last = histogram.buckets.back().index;
  ASSERT_EQ(last - first, 70);  // growth 1.02: 40 ms is 70 buckets above 10 ms

  const auto plot = latency_distribution(histogram, "one test", 40);
  ASSERT_TRUE(plot);
  EXPECT_EQ(plot->title, "one test");
  // 71 buckets into at most 40 bars: two buckets a bar, 36 bars; the first holds 90 %, the last 10 %.
  ASSERT_EQ(plot->percents.size(), 36u);
  EXPECT_DOUBLE_EQ(plot->percents.front(), 90);
  EXPECT_DOUBLE_EQ(plot->percents.back(), 10);
  for (std::size_t i = 1; i + 1 < plot->percents.size(); ++i) EXPECT_EQ(plot->percents[i], 0) << i;
  EXPECT_EQ(plot->y_ticks, (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_DOUBLE_EQ(plot->low_ms, histogram_lower_bound(first) * 1e3);
  EXPECT_DOUBLE_EQ(plot->high_ms, histogram_lower_bound(first + 72) * 1e3);  // the last bar's upper bound
  EXPECT_EQ(plot->tick_every, 7);
  EXPECT_DOUBLE_EQ(plot->median_ms, histogram_percentile(histogram, 50) * 1e3);
  EXPECT_DOUBLE_EQ(plot->p99_ms, histogram_percentile(histogram, 99) * 1e3);
  EXPECT_GT(plot->median_ms, 9.9);
  EXPECT_LT(plot->median_ms, 10.3);
  EXPECT_GT(plot->p99_ms, 39.5);
  EXPECT_LT(plot->p99_ms, 41);

  EXPECT_EQ(latency_distribution(histogram, "one bar a bucket", 100)->percents.size(), 71u);
  EXPECT_FALSE(latency_distribution(Histogram{}, "empty"));
}

TEST(LatencyDistribution, FigureCarriesItsNumbersAsThePlotsWriteThemAndItsTitleAsText) {
  DistributionPlot plot;
  plot.title = "it's <b>&\"";
  plot.low_ms = 9.068612345;
  plot.high_ms = 28.03811;
  plot.percents = {12.91081234, 0, 87.0891877};
  plot.y_ticks = {0, 50, 100};
  plot.tick_every = 1;
  plot.median_ms = 10.5;
  plot.p99_ms = 0.0000123;
  EXPECT_EQ(distribution_figure(plot),
            "<figure class=\"dist\" data-plot='{\"title\":\"it&#39;s &lt;b>&amp;\\\"\",\"low_ms\":9.0686,"
            "\"high_ms\":28.0381,\"percents\":[12.9108,0,87.0892],\"y_ticks\":[0,50,100],\"tick_every\":1,"
            "\"median_ms\":10.5,\"p99_ms\":1.2e-05}'></figure>\n");
}

TEST(LatencyDistribution, ScriptDrawsEveryFigureAsAPlotAndSetsTextAsText) {
  const std::string script = distribution_script();
  EXPECT_NE(script.find("figure.dist[data-plot]"), std::string::npos);
  EXPECT_NE(script.find("'class':'plot'"), std::string::npos);
  EXPECT_NE(script.find("textContent"), std::string::npos);
  EXPECT_EQ(script.find("innerHTML"), std::string::npos) << "text never goes in as markup";
  EXPECT_EQ(script.find("</script"), std::string::npos) << "it is inlined in a <script> element";
}

}  // namespace
}  // namespace dli
