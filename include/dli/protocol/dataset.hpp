#pragma once
// Labelled datasets for accuracy tests: loaded from the sources a sweep names (docs/datasets.md), packed into the one
// file a runner reads (docs/runners.md section 5). Every function checks what it reads and throws
// std::runtime_error naming the file, the line and what was expected.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dli {

struct Dataset {
  std::vector<std::int64_t> shape;  // one sample: [C, H, W]
  int classes = 0;                  // labels lie in [0, classes)
  std::vector<float> samples;       // count() x C x H x W, NCHW, sample after sample
  std::vector<std::int32_t> labels;

  std::size_t count() const { return labels.size(); }
  bool operator==(const Dataset& other) const;
};

// Limits, checked before anything of that size is allocated (docs/datasets.md).
inline constexpr std::int64_t kMaxValuesPerSample = 10'000'000;
inline constexpr std::int64_t kMaxDatasetValues = 1'000'000'000;  // 4 GB of float32
inline constexpr int kMaxClasses = 1'000'000;
inline constexpr std::uint32_t kMaxPackedHeaderBytes = 4096;

// A CSV file: one sample a line, C x H x W numbers then the integer label; no header.
Dataset load_dataset_csv(const std::string& path, std::vector<std::int64_t> shape, int classes);
// A folder: labels.txt ("<file name> <label>" lines) and binary Netpbm images (P5 grey, P6 RGB).
Dataset load_dataset_folder(const std::string& path, std::vector<std::int64_t> shape, int classes);
// A folder is read as a folder, a .csv file as CSV; anything else is refused.
Dataset load_dataset(const std::string& path, std::vector<std::int64_t> shape, int classes);

// The packed file's bytes: magic DLIDATA1, header length, JSON header, float32 samples, int32 labels, little-endian.
// Deterministic (the file is stored under its SHA-256). Throws on an inconsistent Dataset.
std::string pack_dataset(const Dataset& dataset);
Dataset unpack_dataset(const std::string& bytes);

}  // namespace dli
