// Datasets for accuracy tests: the packed file byte for byte (docs/runners.md section 5), the two source formats
// (docs/datasets.md) on small files written here, every refusal, and the digits held-out split in both formats.
#include "dli/protocol/dataset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using dli::testing::TempDir;

// The message of the std::runtime_error `action` throws; fails the test when it throws nothing.
std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no std::runtime_error thrown";
  return "";
}

std::string u32le(std::uint32_t value) {
  std::string bytes;
  for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>((value >> shift) & 0xff));
  return bytes;
}

Dataset tiny() { return Dataset{{1, 1, 2}, 3, {1.0f, -2.5f, 0.5f, 0.0f}, {2, 0}}; }

// A packed file from its parts, to make malformed ones.
std::string packed(const std::string& header, const std::string& data, const std::string& magic = "DLIDATA1") {
  return magic + u32le(static_cast<std::uint32_t>(header.size())) + header + data;
}

// --- packing ----------------------------------------------------------------------------------------------------

TEST(PackDataset, ExactBytes) {
  const std::string header = R"({"count": 2, "shape": [1, 1, 2], "classes": 3})";
  const std::string expected = std::string("DLIDATA1") + std::string("\x2e\x00\x00\x00", 4) + header +
                               std::string("\x00\x00\x80\x3f"   // 1.0f
                                           "\x00\x00\x20\xc0"   // -2.5f
                                           "\x00\x00\x00\x3f"   // 0.5f
                                           "\x00\x00\x00\x00"   // 0.0f
                                           "\x02\x00\x00\x00"   // label 2
                                           "\x00\x00\x00\x00",  // label 0
                                           24);
  ASSERT_EQ(header.size(), 0x2eu);
  EXPECT_EQ(pack_dataset(tiny()), expected);
}

TEST(PackDataset, RoundTrip) {
  Dataset dataset{{3, 4, 5}, 1000, {}, {}};
  for (int i = 0; i < 7 * 60; ++i) dataset.samples.push_back(static_cast<float>((i * 7919) % 1000) / 997.0f - 0.3f);
  for (int i = 0; i < 7; ++i) dataset.labels.push_back(i * 142);
  const Dataset back = unpack_dataset(pack_dataset(dataset));
  EXPECT_EQ(back, dataset);
  EXPECT_EQ(back.count(), 7u);
  EXPECT_EQ(pack_dataset(back), pack_dataset(dataset));
}

TEST(PackDataset, InconsistentDatasetsAreRefused) {
  Dataset no_samples{{1, 1, 2}, 3, {}, {}};
  EXPECT_THAT(error_of([&] { pack_dataset(no_samples); }), HasSubstr("no samples"));
  Dataset short_values = tiny();
  short_values.samples.pop_back();
  EXPECT_THAT(error_of([&] { pack_dataset(short_values); }), HasSubstr("3 values for 2 samples of 2"));
  Dataset bad_label = tiny();
  bad_label.labels[1] = 3;
  EXPECT_THAT(error_of([&] { pack_dataset(bad_label); }), HasSubstr("sample 1: label 3 outside [0, 3)"));
  Dataset flat = tiny();
  flat.shape = {2};
  EXPECT_THAT(error_of([&] { pack_dataset(flat); }), HasSubstr("shape [2], expected [C, H, W]"));
  Dataset no_classes = tiny();
  no_classes.classes = 0;
  EXPECT_THAT(error_of([&] { pack_dataset(no_classes); }), HasSubstr("0 classes"));
  Dataset not_finite = tiny();
  not_finite.samples[2] = std::nanf("");
  EXPECT_THAT(error_of([&] { pack_dataset(not_finite); }), HasSubstr("not finite"));
}

// --- unpacking --------------------------------------------------------------------------------------------------

const std::string kTinyHeader = R"({"count": 2, "shape": [1, 1, 2], "classes": 3})";
const std::string kTinyData = pack_dataset(tiny()).substr(12 + kTinyHeader.size());

TEST(UnpackDataset, AcceptsAnyJsonSpellingAndUnknownFields) {
  EXPECT_EQ(unpack_dataset(packed(R"({"classes":3,"shape":[1,1,2],"count":2,"source":"x.csv"})", kTinyData)), tiny());
}

TEST(UnpackDataset, RefusesWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"DLIDATA1\x01", "too short for its magic and header length"},
      {packed(kTinyHeader, kTinyData, "DLIDATA2"), "the magic is not DLIDATA1"},
      {"DLIDATA1" + u32le(0), "header length 0 outside 2..4096"},
      {"DLIDATA1" + u32le(5000) + std::string(5000, ' '), "header length 5000 outside 2..4096"},
      {"DLIDATA1" + u32le(100) + kTinyHeader, "header of 100 bytes runs past the end"},
      {packed("{\"count\": 2,", kTinyData), "header is not JSON"},
      {packed("[1, 2]", kTinyData), "header is not a JSON object"},
      {packed(R"({"shape": [1, 1, 2], "classes": 3})", kTinyData), "\"count\" is missing"},
      {packed(R"({"count": 0, "shape": [1, 1, 2], "classes": 3})", ""), "\"count\" 0 outside 1.."},
      {packed(R"({"count": 2.0, "shape": [1, 1, 2], "classes": 3})", kTinyData), "\"count\" is not an integer"},
      {packed(R"({"count": 18446744073709551615, "shape": [1, 1, 2], "classes": 3})", kTinyData), "outside 1.."},
      {packed(R"({"count": 600000000, "shape": [1, 1, 2], "classes": 3})", kTinyData),
       "more than 1000000000 values in all"},
      {packed(R"({"count": 2, "shape": [1, 2], "classes": 3})", kTinyData), "shape [1, 2], expected [C, H, W]"},
      {packed(R"({"count": 2, "shape": "1x1x2", "classes": 3})", kTinyData), "is not an array"},
      {packed(R"({"count": 2, "shape": [1, 1, "2"], "classes": 3})", kTinyData), "holds a non-integer"},
      {packed(R"({"count": 2, "shape": [1, 0, 2], "classes": 3})", kTinyData), "expected positive sizes"},
      {packed(R"({"count": 2, "shape": [10000, 10000, 2], "classes": 3})", kTinyData), "expected positive sizes"},
      {packed(R"({"count": 2, "shape": [1, 1, 2], "classes": 0})", kTinyData), "\"classes\" 0 outside 1..1000000"},
      {packed(kTinyHeader, kTinyData.substr(1)), "23 bytes after the header, expected 24"},
      {packed(kTinyHeader, kTinyData + "x"), "25 bytes after the header, expected 24"},
      {packed(kTinyHeader, kTinyData.substr(0, 16) + u32le(3) + u32le(0)), "sample 0: label 3 outside [0, 3)"},
      {packed(kTinyHeader, kTinyData.substr(0, 16) + u32le(2) + u32le(0xffffffffu)),
       "sample 1: label -1 outside [0, 3)"},
      {packed(kTinyHeader, u32le(0) + u32le(0x7fc00000u) + kTinyData.substr(8)), "value 1 of sample 0 is not finite"},
  };
  for (const auto& [bytes, message] : cases) {
    EXPECT_THAT(error_of([&] { unpack_dataset(bytes); }), HasSubstr(message)) << message;
  }
}

// --- CSV --------------------------------------------------------------------------------------------------------

TEST(LoadDatasetCsv, ValuesThenLabel) {
  TempDir dir;
  const auto path = dir.write("d.csv", "0,0.5,1e-3,-2,1\r\n\n 0.25 , 1 ,0,1e-50, 0 \n1,1,1,1,2");
  const Dataset dataset = load_dataset_csv(path, {1, 2, 2}, 3);
  // 1e-50 is below float32's smallest value: it becomes 0 rather than an error.
  EXPECT_EQ(dataset, (Dataset{{1, 2, 2}, 3, {0, 0.5f, 1e-3f, -2, 0.25f, 1, 0, 0, 1, 1, 1, 1}, {1, 0, 2}}));
}

TEST(LoadDatasetCsv, RefusesWhatIsWrong) {
  TempDir dir;
  auto error_for = [&](const std::string& content, std::vector<std::int64_t> shape = {1, 1, 2}) {
    const auto path = dir.write("d.csv", content);
    return error_of([&] { load_dataset_csv(path, shape, 3); });
  };
  const std::string file = dir.str("d.csv");
  EXPECT_EQ(error_for("0,0,1\n0,0\n"), file + ":2: 1 values and a label, expected 2 values (shape [1, 1, 2]) and a label");
  EXPECT_THAT(error_for("0,0,0,1\n"), HasSubstr(":1: 3 values and a label, expected 2"));
  EXPECT_EQ(error_for("0,x,1\n"), file + ":1: value 2 \"x\" is not a finite number");
  EXPECT_THAT(error_for("0,,1\n"), HasSubstr(":1: value 2 \"\" is not a finite number"));
  EXPECT_THAT(error_for("0,inf,1\n"), HasSubstr("is not a finite number"));
  EXPECT_THAT(error_for("0,1e99,1\n"), HasSubstr("is not a finite number"));
  EXPECT_THAT(error_for("0,+1,1\n"), HasSubstr(":1: value 2 \"+1\" is not a finite number"));
  EXPECT_THAT(error_for("0,0x1p3,1\n"), HasSubstr("is not a finite number"));
  EXPECT_EQ(error_for("0,0,1\n\n0,0,3\n"), file + ":3: label 3 outside [0, 3)");
  EXPECT_THAT(error_for("0,0,-1\n"), HasSubstr(":1: label -1 outside [0, 3)"));
  EXPECT_THAT(error_for("0,0,1.0\n"), HasSubstr(":1: label \"1.0\" is not an integer"));
  EXPECT_EQ(error_for("\n \n"), file + ": no samples");
  EXPECT_EQ(error_for(""), file + ": no samples");
  EXPECT_THAT(error_for(std::string(200, '\x01')), HasSubstr(":1: line longer than 96 characters"));
  EXPECT_THAT(error_for("0\n", {1, 2}), HasSubstr("shape [1, 2], expected [C, H, W]"));
  EXPECT_THAT(error_for("0\n", {1, 10000, 10000}), HasSubstr("at most 10000000 values"));
  EXPECT_THAT(error_of([&] { load_dataset_csv(dir.str("missing.csv"), {1, 1, 2}, 3); }),
              HasSubstr("missing.csv: cannot read (No such file or directory)"));
  EXPECT_THAT(error_of([&] { load_dataset_csv(dir.write("e.csv", "0,0,0\n"), {1, 1, 2}, 0); }),
              HasSubstr("0 classes, expected 1 to 1000000"));
}

// --- folders of Netpbm images -----------------------------------------------------------------------------------

std::string netpbm(const std::string& magic, int width, int height, int maxval, const std::vector<int>& values,
                   const std::string& comment = "") {
  std::string file = magic + "\n" + comment + std::to_string(width) + " " + std::to_string(height) + "\n" +
                     std::to_string(maxval) + "\n";
  for (const int value : values) {
    if (maxval > 255) file.push_back(static_cast<char>(value >> 8));
    file.push_back(static_cast<char>(value & 0xff));
  }
  return file;
}

TEST(LoadDatasetFolder, GreyImages8And16Bit) {
  TempDir dir;
  dir.write("labels.txt", "# file label\n\na.pgm 2\r\n  sub/b c.pgm\t0  \n");
  dir.write("a.pgm", netpbm("P5", 3, 2, 255, {0, 51, 255, 102, 0, 255}, "# made by hand\n"));
  dir.write("sub/b c.pgm", netpbm("P5", 3, 2, 1000, {0, 1000, 500, 250, 1, 999}));
  const Dataset dataset = load_dataset_folder(dir.str(), {1, 2, 3}, 3);
  EXPECT_EQ(dataset.shape, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(dataset.classes, 3);
  EXPECT_EQ(dataset.labels, (std::vector<std::int32_t>{2, 0}));
  EXPECT_EQ(dataset.samples, (std::vector<float>{0, 51 / 255.0f, 1, 102 / 255.0f, 0, 1,  //
                                                 0, 1, 0.5f, 0.25f, 1 / 1000.0f, 999 / 1000.0f}));
}

TEST(LoadDatasetFolder, RgbImagesArePlanar) {
  TempDir dir;
  dir.write("labels.txt", "rgb.ppm 1\n");
  // Two pixels (width 2, height 1): (R, G, B) = (10, 20, 30) then (40, 50, 60), maxval 100.
  dir.write("rgb.ppm", netpbm("P6", 2, 1, 100, {10, 20, 30, 40, 50, 60}));
  const Dataset dataset = load_dataset_folder(dir.str(), {3, 1, 2}, 2);
  EXPECT_EQ(dataset.samples, (std::vector<float>{0.1f, 0.4f, 0.2f, 0.5f, 0.3f, 0.6f}));
  EXPECT_EQ(dataset.labels, (std::vector<std::int32_t>{1}));
}

TEST(LoadDatasetFolder, RefusesWhatIsWrong) {
  TempDir dir;
  const std::string labels = dir.str("labels.txt");
  auto error_for = [&](const std::string& image, const std::string& label_lines = "img_3.pgm 1\n",
                       std::vector<std::int64_t> shape = {1, 8, 8}) {
    dir.write("labels.txt", label_lines);
    dir.write("img_3.pgm", image);
    return error_of([&] { load_dataset_folder(dir.str(), shape, 10); });
  };
  const std::string good = netpbm("P5", 8, 8, 16, std::vector<int>(64, 16));
  const std::string image = dir.str("img_3.pgm");
  EXPECT_EQ(error_for(good, "# a comment\nimg_3.pgm 1\n\nimg_3.pgm 9\nimg_3.pgm 11\n"),
            labels + ":5: label 11 outside [0, 10)");
  EXPECT_EQ(error_for(good, "img_3.pgm\n"), labels + ":1: expected \"<file name> <label>\"");
  EXPECT_EQ(error_for(good, "img_3.pgm one\n"), labels + ":1: label \"one\" is not an integer");
  EXPECT_THAT(error_for(good, "/etc/passwd 1\n"), HasSubstr(":1: file name \"/etc/passwd\" must be relative"));
  EXPECT_THAT(error_for(good, "../x/img_3.pgm 1\n"), HasSubstr("must be relative to the folder, without \"..\""));
  EXPECT_EQ(error_for(good, "# nothing\n\n"), labels + ": no samples");
  EXPECT_THAT(error_for(good, "missing.pgm 1\n"), HasSubstr("missing.pgm: cannot read (No such file or directory)"));
  EXPECT_EQ(error_for(netpbm("P5", 8, 7, 255, std::vector<int>(56, 0))),
            image + ": 8x7 image, expected 8x8 (width x height)");
  EXPECT_EQ(error_for(netpbm("P6", 8, 8, 255, std::vector<int>(192, 0))),
            image + ": RGB (P6) image, expected 1 channel (shape [1, 8, 8])");
  EXPECT_EQ(error_for(good, "img_3.pgm 1\n", {3, 8, 8}), image + ": grey (P5) image, expected 3 channels (shape [3, 8, 8])");
  EXPECT_EQ(error_for("P2\n8 8\n255\n0 0 0\n"), image + ": not a binary Netpbm image (P5 grey or P6 RGB)");
  EXPECT_EQ(error_for("P5\n8 eight\n255\n"), image + ": malformed Netpbm header");
  EXPECT_EQ(error_for("P5\n8 8\n255"), image + ": malformed Netpbm header");
  EXPECT_EQ(error_for(netpbm("P5", 8, 8, 0, {})), image + ": maxval 0 outside 1..65535");
  EXPECT_EQ(error_for(netpbm("P5", 8, 8, 70000, {})), image + ": maxval 70000 outside 1..65535");
  EXPECT_EQ(error_for(good.substr(0, good.size() - 3)), image + ": image data ends after 61 of 64 bytes");
  EXPECT_EQ(error_for(good + "\n"), image + ": data after the image (one image a file)");
  std::vector<int> too_bright(64, 0);
  too_bright[5] = 17;
  EXPECT_EQ(error_for(netpbm("P5", 8, 8, 16, too_bright)), image + ": pixel value 17 above maxval 16");
  EXPECT_THAT(error_of([&] { load_dataset_folder(dir.str("nowhere"), {1, 8, 8}, 10); }),
              HasSubstr("labels.txt: cannot read (No such file or directory)"));
}

TEST(LoadDatasetFolder, SizeLimitCheckedBeforeAnyImageIsRead) {
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 101; ++i) lines += "none.pgm 0\n";  // 101 x 10^7 values > 10^9; the images do not exist
  dir.write("labels.txt", lines);
  EXPECT_EQ(error_of([&] { load_dataset_folder(dir.str(), {1, 1000, 10000}, 1); }),
            dir.str("labels.txt") + ":101: more than 1000000000 values in all (101 samples of 10000000)");
}

// --- choosing the loader ----------------------------------------------------------------------------------------

TEST(LoadDataset, FolderOrCsv) {
  TempDir dir;
  dir.write("set/labels.txt", "a.pgm 1\n");
  dir.write("set/a.pgm", netpbm("P5", 1, 1, 255, {255}));
  dir.write("set.csv", "0.5,1\n");
  EXPECT_EQ(load_dataset(dir.str("set"), {1, 1, 1}, 2), (Dataset{{1, 1, 1}, 2, {1.0f}, {1}}));
  EXPECT_EQ(load_dataset(dir.str("set.csv"), {1, 1, 1}, 2), (Dataset{{1, 1, 1}, 2, {0.5f}, {1}}));
  dir.write("set.txt", "0.5,1\n");
  EXPECT_EQ(error_of([&] { load_dataset(dir.str("set.txt"), {1, 1, 1}, 2); }),
            dir.str("set.txt") + ": expected a folder or a .csv file");
  EXPECT_EQ(error_of([&] { load_dataset(dir.str("none"), {1, 1, 1}, 2); }), dir.str("none") + ": no such file or folder");
}

// --- the digits held-out split, written in both formats by scripts/make_models.py --------------------------------

TEST(DigitsDataset, CsvAndFolderAreTheSameSamples) {
  const fs::path models = DLI_MODELS_DIR;
  ASSERT_TRUE(fs::is_directory(models / "digits_test")) << "run scripts/make_models.py";
  const Dataset from_csv = load_dataset((models / "digits_test.csv").string(), {1, 8, 8}, 10);
  const Dataset from_folder = load_dataset((models / "digits_test").string(), {1, 8, 8}, 10);
  EXPECT_EQ(from_csv, from_folder);
  EXPECT_GT(from_csv.count(), 300u);
  EXPECT_EQ(pack_dataset(from_csv), pack_dataset(from_folder));
  EXPECT_EQ(unpack_dataset(pack_dataset(from_folder)), from_csv);
}

}  // namespace
}  // namespace dli
