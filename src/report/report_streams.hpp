#pragma once
// Private to the report writers: each stream's threads and statistics as the CSV and the page show them
// (docs/results-csv.md, docs/methodology.md "Threads and requests in flight").
#include <string>

#include "dli/protocol/test_result.hpp"

namespace dli::report {

// "2;2": the threads each stream's framework reported in its own thread, in stream order ("?" for one that could not
// tell). Empty when the result predates the field.
std::string stream_threads_text(const Measurement& m);

// "1.234;1.250": each stream's median request time in ms, 3 decimals, in stream order; empty with one stream.
std::string stream_medians_text(const Measurement& m);

// stream_imbalance() in percent, 1 decimal ("37.5"); empty with fewer than two streams.
std::string stream_imbalance_text(const Measurement& m);

// For the page's tooltip: "\nstreams: threads 2, 2; medians 1.234, 1.250 ms (imbalance 1.3 %)", and a line per
// verdict note; empty with one stream and no note.
std::string streams_tooltip(const Measurement& m);

}  // namespace dli::report
