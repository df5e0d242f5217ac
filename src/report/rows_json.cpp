#include "dli/report/rows_json.hpp"

#include <string>

#include "dli/protocol/json_writer.hpp"

namespace dli {

void stream_rows_json(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows) {
  std::string text = "{\"created_at\":";
  append_json_string(text, context.created_at);
  text += ",\"rows\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ReportRow& row = rows[i];
    text += i == 0 ? "{\"not_run_reason\":" : ",{\"not_run_reason\":";
    append_json_string(text, row.not_run_reason);
    text += ",\"result\":";
    if (row.result) {
      append_json(text, *row.result);
    } else {
      text += "null";
    }
    text += ",\"spec\":";
    append_json(text, row.spec);
    text += '}';
    out << text;  // one row at a time: the buffer stays one row long
    text.clear();
  }
  text += "],\"run_id\":";
  append_json_string(text, context.run_id);
  text += ",\"sweep_name\":";
  append_json_string(text, context.sweep_name);
  text += "}\n";
  out << text;
}

}  // namespace dli
