#pragma once
// results.json of a run (docs/site.md), row by row: what nlohmann would write of the whole document, byte for
// byte, without the document in memory and without to_json's trees (protocol/json_writer.hpp), so that a run of
// 100,000 results costs one row's memory and seconds rather than minutes (docs/benchmarks.md, dli_collect_bench).
#include <ostream>
#include <vector>

#include "dli/report/report.hpp"

namespace dli {

// {"created_at", "rows": [{"not_run_reason", "result" or null, "spec"}], "run_id", "sweep_name"}: keys sorted,
// as nlohmann writes them; one line, ending with a newline.
void stream_rows_json(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows);

}  // namespace dli
