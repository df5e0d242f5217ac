#pragma once
// Private to the run page: its script, which renders the speed table from the page's data block a page of rows at a
// time (docs/site.md, "The run page's data"): sorting by any column, filters by text, host, framework, model and
// mode, paging. Inline, so the page stays self-contained.
namespace dli::report {

const char* page_script();

}  // namespace dli::report
