// The pure parts of publishing a site to a store: the root page that points at a version, which versions a publish
// removes, and the versions' names.
#include <regex>

#include <gtest/gtest.h>

#include "dli/integrator/site_upload.hpp"

namespace dli {
namespace {

TEST(SiteUpload, ThePointerPageSendsTheReaderToTheVersionAndKeepsMarkupAsText) {
  EXPECT_EQ(site_pointer_page("Lab <night>", "versions/v20261130T101500Z-42"),
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Lab &lt;night&gt;</title>\n"
            "<meta http-equiv=\"refresh\" content=\"0; url=versions/v20261130T101500Z-42/index.html\">\n</head>\n"
            "<body>\n<p><a href=\"versions/v20261130T101500Z-42/index.html\">Lab &lt;night&gt;: the latest published "
            "results</a></p>\n</body>\n</html>\n");
}

TEST(SiteUpload, APublishKeepsItsVersionAndTheNewestOtherAndRemovesTheRest) {
  EXPECT_EQ(versions_to_prune({"v20261128T010000Z-7", "v20261130T010000Z-9", "v20261129T010000Z-8"},
                              "v20261130T010000Z-9"),
            (std::vector<std::string>{"v20261128T010000Z-7"}));
  EXPECT_EQ(versions_to_prune({"v20261130T010000Z-9"}, "v20261130T010000Z-9"), std::vector<std::string>{});
  EXPECT_EQ(versions_to_prune({"v20261129T010000Z-8", "v20261130T010000Z-9"}, "v20261130T010000Z-9"),
            std::vector<std::string>{});
  // The current one missing from the listing (a server slow to show it): the newest other is still kept.
  EXPECT_EQ(versions_to_prune({"v20261128T010000Z-7", "v20261129T010000Z-8"}, "v20261130T010000Z-9"),
            (std::vector<std::string>{"v20261128T010000Z-7"}));
}

TEST(SiteUpload, VersionNamesSortByTimeAndAreValidStoreKeys) {
  EXPECT_TRUE(std::regex_match(site_version_name(), std::regex("v[0-9]{8}T[0-9]{6}Z-[0-9]+")));
}

}  // namespace
}  // namespace dli
