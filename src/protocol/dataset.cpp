// Loading (CSV, folder of Netpbm images) and packing of labelled datasets. Formats: docs/datasets.md (sources) and
// docs/runners.md section 5 (the packed file). Everything read from outside is checked, sizes before allocation.
#include "dli/protocol/dataset.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace dli {

namespace {

constexpr char kMagic[] = "DLIDATA1";
constexpr std::size_t kMagicBytes = 8;
constexpr std::size_t kMaxCharsPerCsvValue = 32;  // "-1.17549435082228750797e-38" is 27
constexpr std::size_t kMaxLabelsLineChars = 4096;

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Values in one sample; throws unless shape is [C, H, W] of positive sizes within the limits and classes is usable.
std::int64_t checked_sample_size(const std::vector<std::int64_t>& shape, int classes, const std::string& where) {
  if (shape.size() != 3) fail(where + ": shape " + shape_text(shape) + ", expected [C, H, W]");
  std::int64_t values = 1;
  for (const auto size : shape) {
    // Checked one factor at a time, so the product cannot overflow.
    if (size < 1 || size > kMaxValuesPerSample || values > kMaxValuesPerSample / size) {
      fail(where + ": shape " + shape_text(shape) + ", expected positive sizes with at most " +
           std::to_string(kMaxValuesPerSample) + " values in all");
    }
    values *= size;
  }
  if (classes < 1 || classes > kMaxClasses) {
    fail(where + ": " + std::to_string(classes) + " classes, expected 1 to " + std::to_string(kMaxClasses));
  }
  return values;
}

void check_dataset_size(std::int64_t count, std::int64_t per_sample, const std::string& where) {
  if (count > kMaxDatasetValues / per_sample) {
    fail(where + ": more than " + std::to_string(kMaxDatasetValues) + " values in all (" + std::to_string(count) +
         " samples of " + std::to_string(per_sample) + ")");
  }
}

std::string label_range_error(long long label, int classes) {
  return "label " + std::to_string(label) + " outside [0, " + std::to_string(classes) + ")";
}

std::string cannot_read(const std::string& path) {
  return path + ": cannot read (" + std::strerror(errno) + ")";
}

// One line without its end, at most `max_chars` long; false at the end of the input. Bounded, unlike getline, so a
// binary file named as a CSV cannot make one huge string.
bool read_line(std::istream& in, std::string& line, std::size_t max_chars, const std::string& where) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  for (;;) {
    const auto c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) return !line.empty();
    if (c == '\n') return true;
    if (line.size() == max_chars) fail(where + ": line longer than " + std::to_string(max_chars) + " characters");
    line.push_back(static_cast<char>(c));
  }
}

bool parse_int(std::string_view text, long long& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

bool parse_finite_float(std::string_view text, float& value) {
  const char* const last = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), last, value);
  if (text.empty() || end != last) return false;
  if (error == std::errc::result_out_of_range) {
    // Too small for float32 ("1e-50", written from float64 data) is a value near 0, not an error: take the
    // nearest float32 by way of double. Too large stays refused.
    double wide = 0;
    const auto [wide_end, wide_error] = std::from_chars(text.data(), last, wide);
    if (wide_error != std::errc() || wide_end != last || !(std::fabs(wide) < 1.0)) return false;
    value = static_cast<float>(wide);
    return true;
  }
  return error == std::errc() && std::isfinite(value);
}

// --- Netpbm ---------------------------------------------------------------------------------------------------

// Header numbers: whitespace and "# ..." comments before each, then decimal digits.
unsigned long read_header_number(std::istream& in, const std::string& where) {
  int c = in.get();
  for (;;) {
    if (c == '#') {
      while (c != '\n' && c != '\r' && c != EOF) c = in.get();
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      c = in.get();
    } else {
      break;
    }
  }
  if (c < '0' || c > '9') fail(where + ": malformed Netpbm header");
  unsigned long value = 0;
  for (int digits = 0; c >= '0' && c <= '9'; c = in.get()) {
    if (++digits > 9) fail(where + ": malformed Netpbm header (number too long)");
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  // The single whitespace character after the last number separates the header from the raster.
  if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') {
    fail(where + ": malformed Netpbm header");
  }
  return value;
}

// Appends one image's values, planar (NCHW), value = pixel / maxval.
void append_netpbm(const std::string& path, const std::vector<std::int64_t>& shape, std::vector<float>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(cannot_read(path));
  char magic[2] = {};
  in.read(magic, 2);
  const std::string kind(magic, static_cast<std::size_t>(in.gcount()));
  if (kind != "P5" && kind != "P6") fail(path + ": not a binary Netpbm image (P5 grey or P6 RGB)");
  const std::size_t channels = kind == "P5" ? 1 : 3;
  const unsigned long width = read_header_number(in, path);
  const unsigned long height = read_header_number(in, path);
  const unsigned long maxval = read_header_number(in, path);
  if (static_cast<std::int64_t>(channels) != shape[0]) {
    fail(path + ": " + (channels == 1 ? "grey (P5)" : "RGB (P6)") + " image, expected " + std::to_string(shape[0]) +
         " channel" + (shape[0] == 1 ? "" : "s") + " (shape " + shape_text(shape) + ")");
  }
  if (static_cast<std::int64_t>(width) != shape[2] || static_cast<std::int64_t>(height) != shape[1]) {
    fail(path + ": " + std::to_string(width) + "x" + std::to_string(height) + " image, expected " +
         std::to_string(shape[2]) + "x" + std::to_string(shape[1]) + " (width x height)");
  }
  if (maxval < 1 || maxval > 65535) fail(path + ": maxval " + std::to_string(maxval) + " outside 1..65535");

  const std::size_t pixels = width * height;
  const std::size_t bytes_per_value = maxval > 255 ? 2 : 1;  // 16-bit values are big-endian
  std::string raster(pixels * channels * bytes_per_value, '\0');
  in.read(raster.data(), static_cast<std::streamsize>(raster.size()));
  if (static_cast<std::size_t>(in.gcount()) != raster.size()) {
    fail(path + ": image data ends after " + std::to_string(in.gcount()) + " of " + std::to_string(raster.size()) +
         " bytes");
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    fail(path + ": data after the image (one image a file)");
  }
  const std::size_t first = out.size();
  out.resize(first + pixels * channels);
  const auto* data = reinterpret_cast<const unsigned char*>(raster.data());
  const float scale = static_cast<float>(maxval);
  for (std::size_t i = 0; i < pixels * channels; ++i) {
    const unsigned long value = bytes_per_value == 1 ? data[i] : (data[2 * i] << 8) | data[2 * i + 1];
    if (value > maxval) {
      fail(path + ": pixel value " + std::to_string(value) + " above maxval " + std::to_string(maxval));
    }
    // Interleaved RGBRGB... to planar RR..GG..BB..
    const std::size_t pixel = i / channels, channel = i % channels;
    out[first + channel * pixels + pixel] = static_cast<float>(value) / scale;
  }
}

// --- little-endian bytes ----------------------------------------------------------------------------------------

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint32_t get_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// A JSON integer as int64; one beyond int64 (nlohmann keeps those unsigned) saturates, so range checks refuse it.
std::optional<std::int64_t> json_integer(const nlohmann::json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return INT64_MAX;
  }
  return value.get<std::int64_t>();
}

std::int64_t header_integer(const nlohmann::json& header, const char* key, std::int64_t min, std::int64_t max) {
  const std::string where = std::string("packed dataset: header field \"") + key + "\"";
  if (!header.contains(key)) fail(where + " is missing");
  const auto value = json_integer(header.at(key));
  if (!value) fail(where + " is not an integer");
  if (*value < min || *value > max) {
    fail(where + " " + header.at(key).dump() + " outside " + std::to_string(min) + ".." + std::to_string(max));
  }
  return *value;
}

// Sizes only; checked_sample_size judges them.
std::vector<std::int64_t> header_shape(const nlohmann::json& header) {
  const std::string where = "packed dataset: header field \"shape\"";
  if (!header.contains("shape") || !header.at("shape").is_array()) fail(where + " is not an array [C, H, W]");
  std::vector<std::int64_t> shape;
  for (const auto& size : header.at("shape")) {
    const auto value = json_integer(size);
    if (!value) fail(where + " " + header.at("shape").dump() + " holds a non-integer");
    shape.push_back(*value);
  }
  return shape;
}

}  // namespace

bool Dataset::operator==(const Dataset& other) const {
  return shape == other.shape && classes == other.classes && samples == other.samples && labels == other.labels;
}

Dataset load_dataset_csv(const std::string& path, std::vector<std::int64_t> shape, int classes) {
  const std::int64_t per_sample = checked_sample_size(shape, classes, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(cannot_read(path));
  Dataset dataset{std::move(shape), classes, {}, {}};
  const std::size_t max_line = static_cast<std::size_t>(per_sample + 1) * kMaxCharsPerCsvValue;
  std::string line;
  for (long long number = 1; read_line(in, line, max_line, path + ":" + std::to_string(number)); ++number) {
    const std::string where = path + ":" + std::to_string(number);
    if (trim(line).empty()) continue;
    check_dataset_size(static_cast<std::int64_t>(dataset.count()) + 1, per_sample, where);
    std::vector<std::string_view> fields;
    std::string_view rest(line);
    for (auto comma = rest.find(','); comma != std::string_view::npos; comma = rest.find(',')) {
      fields.push_back(trim(rest.substr(0, comma)));
      rest.remove_prefix(comma + 1);
    }
    fields.push_back(trim(rest));
    if (static_cast<std::int64_t>(fields.size()) != per_sample + 1) {
      fail(where + ": " + std::to_string(static_cast<long long>(fields.size()) - 1) + " values and a label, expected " +
           std::to_string(per_sample) + " values (shape " + shape_text(dataset.shape) + ") and a label");
    }
    for (std::size_t i = 0; i + 1 < fields.size(); ++i) {
      float value = 0;
      if (!parse_finite_float(fields[i], value)) {
        fail(where + ": value " + std::to_string(i + 1) + " \"" + std::string(fields[i]) + "\" is not a finite number");
      }
      dataset.samples.push_back(value);
    }
    long long label = 0;
    if (!parse_int(fields.back(), label)) fail(where + ": label \"" + std::string(fields.back()) + "\" is not an integer");
    if (label < 0 || label >= classes) fail(where + ": " + label_range_error(label, classes));
    dataset.labels.push_back(static_cast<std::int32_t>(label));
  }
  if (in.bad()) fail(cannot_read(path));
  if (dataset.count() == 0) fail(path + ": no samples");
  return dataset;
}

Dataset load_dataset_folder(const std::string& path, std::vector<std::int64_t> shape, int classes) {
  const std::int64_t per_sample = checked_sample_size(shape, classes, path);
  const std::string labels_path = (std::filesystem::path(path) / "labels.txt").string();
  std::ifstream in(labels_path, std::ios::binary);
  if (!in) fail(cannot_read(labels_path));

  // labels.txt first, whole: its length fixes the dataset's size, checked before any image is read.
  struct Entry {
    std::string file;
    std::int32_t label;
  };
  std::vector<Entry> entries;
  std::string line;
  for (long long number = 1; read_line(in, line, kMaxLabelsLineChars, labels_path + ":" + std::to_string(number));
       ++number) {
    const std::string where = labels_path + ":" + std::to_string(number);
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const auto space = text.find_last_of(" \t");
    if (space == std::string_view::npos) fail(where + ": expected \"<file name> <label>\"");
    const std::string file(trim(text.substr(0, space)));
    const std::string_view label_text = text.substr(space + 1);
    // The images are the folder's own: no way out of it.
    const std::filesystem::path relative(file);
    if (relative.is_absolute() || std::find(relative.begin(), relative.end(), "..") != relative.end()) {
      fail(where + ": file name \"" + file + "\" must be relative to the folder, without \"..\"");
    }
    long long label = 0;
    if (!parse_int(label_text, label)) fail(where + ": label \"" + std::string(label_text) + "\" is not an integer");
    if (label < 0 || label >= classes) fail(where + ": " + label_range_error(label, classes));
    check_dataset_size(static_cast<std::int64_t>(entries.size()) + 1, per_sample, where);
    entries.push_back({file, static_cast<std::int32_t>(label)});
  }
  if (in.bad()) fail(cannot_read(labels_path));
  if (entries.empty()) fail(labels_path + ": no samples");

  Dataset dataset{std::move(shape), classes, {}, {}};
  dataset.samples.reserve(entries.size() * static_cast<std::size_t>(per_sample));
  dataset.labels.reserve(entries.size());
  for (const auto& entry : entries) {
    append_netpbm((std::filesystem::path(path) / entry.file).string(), dataset.shape, dataset.samples);
    dataset.labels.push_back(entry.label);
  }
  return dataset;
}

Dataset load_dataset(const std::string& path, std::vector<std::int64_t> shape, int classes) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return load_dataset_folder(path, std::move(shape), classes);
  if (!std::filesystem::exists(path, error)) fail(path + ": no such file or folder");
  if (std::filesystem::path(path).extension() != ".csv") fail(path + ": expected a folder or a .csv file");
  return load_dataset_csv(path, std::move(shape), classes);
}

std::string pack_dataset(const Dataset& dataset) {
  const std::string where = "dataset to pack";
  const std::int64_t per_sample = checked_sample_size(dataset.shape, dataset.classes, where);
  const auto count = static_cast<std::int64_t>(dataset.count());
  if (count == 0) fail(where + ": no samples");
  check_dataset_size(count, per_sample, where);
  if (static_cast<std::int64_t>(dataset.samples.size()) != count * per_sample) {
    fail(where + ": " + std::to_string(dataset.samples.size()) + " values for " + std::to_string(count) +
         " samples of " + std::to_string(per_sample));
  }
  for (std::size_t i = 0; i < dataset.labels.size(); ++i) {
    if (dataset.labels[i] < 0 || dataset.labels[i] >= dataset.classes) {
      fail(where + ": sample " + std::to_string(i) + ": " + label_range_error(dataset.labels[i], dataset.classes));
    }
  }
  // Written by hand rather than by a JSON library: the bytes are hashed, so their spelling must never change.
  const std::string header = "{\"count\": " + std::to_string(count) + ", \"shape\": " + shape_text(dataset.shape) +
                             ", \"classes\": " + std::to_string(dataset.classes) + "}";
  std::string bytes;
  bytes.reserve(kMagicBytes + 4 + header.size() + static_cast<std::size_t>(count * (per_sample + 1)) * 4);
  bytes.append(kMagic, kMagicBytes);
  put_u32(bytes, static_cast<std::uint32_t>(header.size()));
  bytes += header;
  for (const float value : dataset.samples) {
    if (!std::isfinite(value)) fail(where + ": a sample value is not finite");
    std::uint32_t word = 0;
    std::memcpy(&word, &value, sizeof word);
    put_u32(bytes, word);
  }
  for (const std::int32_t label : dataset.labels) put_u32(bytes, static_cast<std::uint32_t>(label));
  return bytes;
}

Dataset unpack_dataset(const std::string& bytes) {
  if (bytes.size() < kMagicBytes + 4) {
    fail("packed dataset: " + std::to_string(bytes.size()) + " bytes, too short for its magic and header length");
  }
  if (bytes.compare(0, kMagicBytes, kMagic) != 0) fail("packed dataset: the magic is not DLIDATA1");
  const std::uint32_t header_bytes = get_u32(bytes, kMagicBytes);
  if (header_bytes < 2 || header_bytes > kMaxPackedHeaderBytes) {
    fail("packed dataset: header length " + std::to_string(header_bytes) + " outside 2.." +
         std::to_string(kMaxPackedHeaderBytes));
  }
  const std::size_t data_at = kMagicBytes + 4 + header_bytes;
  if (data_at > bytes.size()) {
    fail("packed dataset: header of " + std::to_string(header_bytes) + " bytes runs past the end");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + kMagicBytes + 4, bytes.begin() + static_cast<long>(data_at));
  } catch (const nlohmann::json::exception& error) {
    fail(std::string("packed dataset: header is not JSON: ") + error.what());
  }
  if (!header.is_object()) fail("packed dataset: header is not a JSON object");
  // Unknown header fields are ignored: adding an optional one must not break older readers (runners.md 6).
  Dataset dataset;
  dataset.shape = header_shape(header);
  dataset.classes = static_cast<int>(header_integer(header, "classes", 1, kMaxClasses));
  const std::int64_t per_sample = checked_sample_size(dataset.shape, dataset.classes, "packed dataset");
  const std::int64_t count = header_integer(header, "count", 1, kMaxDatasetValues);
  check_dataset_size(count, per_sample, "packed dataset");
  const std::size_t expected = static_cast<std::size_t>(count * per_sample + count) * 4;
  if (bytes.size() - data_at != expected) {
    fail("packed dataset: " + std::to_string(bytes.size() - data_at) + " bytes after the header, expected " +
         std::to_string(expected) + " (" + std::to_string(count) + " samples of shape " + shape_text(dataset.shape) +
         " as float32, then " + std::to_string(count) + " int32 labels)");
  }
  dataset.samples.resize(static_cast<std::size_t>(count * per_sample));
  std::size_t at = data_at;
  for (std::size_t i = 0; i < dataset.samples.size(); ++i, at += 4) {
    const std::uint32_t word = get_u32(bytes, at);
    std::memcpy(&dataset.samples[i], &word, sizeof word);
    if (!std::isfinite(dataset.samples[i])) {
      fail("packed dataset: value " + std::to_string(i % per_sample) + " of sample " +
           std::to_string(i / per_sample) + " is not finite");
    }
  }
  dataset.labels.resize(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < dataset.labels.size(); ++i, at += 4) {
    dataset.labels[i] = static_cast<std::int32_t>(get_u32(bytes, at));
    if (dataset.labels[i] < 0 || dataset.labels[i] >= dataset.classes) {
      fail("packed dataset: sample " + std::to_string(i) + ": " + label_range_error(dataset.labels[i], dataset.classes));
    }
  }
  return dataset;
}

}  // namespace dli
