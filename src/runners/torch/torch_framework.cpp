// The "libtorch" framework of dli-run-torch: TorchScript models (torch::jit::load) on the CPU or a CUDA device,
// one torch::jit::Module per session. The only translation unit that includes <torch/script.h> (~13 s, ~750 MB to
// compile): keep it that way.
#include "torch_framework.hpp"
#include "dli/protocol/runner_catalogue.hpp"
#include "dli/protocol/thread_share.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

// Set by CMake (src/runners/torch/CMakeLists.txt): DLI_TORCH_WITH_CUDA, 1 or 0, whether the libtorch found has CUDA
// (only to explain a refusal); DLI_TORCH_CUDA_EXTRAS when its CUDA headers are used too: then each session runs on
// its own CUDA stream and details() names the GPU. Without the extras the CUDA path still works through torch's
// generic API, on the device's default stream.
#ifndef DLI_TORCH_CUDA_EXTRAS
#define DLI_TORCH_CUDA_EXTRAS 0
#endif
#if DLI_TORCH_CUDA_EXTRAS
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace dli::runner {
namespace {

namespace fs = std::filesystem;

constexpr const char* kName = "libtorch";
constexpr const char* kFormat = "torchscript";

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  const auto first = text.find_first_not_of(" \n");
  return first == std::string::npos ? std::string() : text.substr(first);
}

// An error's message in one line, without libtorch's C++ backtrace. The TorchScript interpreter puts the script's
// traceback first and the original error last ("RuntimeError: Given groups=1, ..."): that line is the reason.
std::string one_line(const std::string& text) {
  std::string first, last_error;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = trim(text.substr(start, end - start));
    if (first.empty()) first = line;
    const std::size_t error = line.find("Error: ");
    if (error != std::string::npos && error < 40 && line.find(' ') > error) last_error = line;
    start = end + 1;
  }
  if (text.find("TorchScript interpreter") != std::string::npos && !last_error.empty()) return last_error;
  return first.empty() ? std::string("unknown libtorch error") : first;
}

std::string message_of(const c10::Error& error) { return one_line(error.what_without_backtrace()); }

// ---- parameters and device -------------------------------------------------------------------------------------

// inter_op_threads by the runner catalogue's rule (an integer from 1 to 1024; "2" and "2.0" alike), the one the
// planner checked, so a test the planner accepted is never refused here for its spelling.
int parse_inter_op_threads(const std::map<std::string, std::string>& params) {
  try {
    const auto inter_op = CheckedParams(kName, params).number("inter_op_threads");
    return inter_op ? static_cast<int>(*inter_op) : 1;
  } catch (const std::invalid_argument& error) {
    throw std::runtime_error(std::string(kName) + ": " + error.what());
  }
}

// "cpu", "cuda" (device 0) or "cuda:N". What libtorch here cannot run on is Unsupported, with the reason.
torch::Device parse_device(const std::string& text) {
  if (text == "cpu") return torch::Device(torch::kCPU);
  long index = 0;
  if (text != "cuda") {
    const std::string prefix = "cuda:";
    const std::string digits = text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : std::string();
    if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string::npos) {
      throw Unsupported(std::string(kName) + ": device '" + text + "' is not one libtorch runs on (cpu, cuda, cuda:N)");
    }
    index = std::stol(digits);
  }
  if (!torch::cuda::is_available()) {
#if defined(DLI_TORCH_WITH_CUDA) && DLI_TORCH_WITH_CUDA
    const char* why = " (no usable CUDA device or driver on this host)";
#elif defined(DLI_TORCH_WITH_CUDA)
    const char* why = " (this runner is built against a libtorch without CUDA)";
#else
    const char* why = "";
#endif
    throw Unsupported(std::string(kName) + ": device '" + text +
                      "' needs CUDA, and torch::cuda::is_available() is false here" + why);
  }
  const auto count = static_cast<long>(torch::cuda::device_count());
  if (index >= count) {
    throw Unsupported(std::string(kName) + ": device '" + text + "' does not exist here (" + std::to_string(count) +
                      " CUDA device" + (count == 1 ? "" : "s") + ")");
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string device_text(const torch::Device& device) {
  return device.is_cuda() ? "cuda:" + std::to_string(device.index()) : std::string("cpu");
}

std::string device_name(const torch::Device& device) {
#if DLI_TORCH_CUDA_EXTRAS
  if (device.is_cuda()) return at::cuda::getDeviceProperties(device.index())->name;
#endif
  (void)device;
  return {};
}

// ---- BLAS threads ----------------------------------------------------------------------------------------------

struct BlasState {
  std::string name = "unknown";   // "openblas (pthreads)", "mkl", or the library's file name
  std::string threads = "unknown";
  std::string library;            // the file the process's sgemm_ comes from, symlinks resolved
};

// Debian's libtorch calls whatever libblas.so.3 the alternatives system points to: OpenBLAS when
// libopenblas0-pthread is installed, the reference BLAS otherwise. Its convolutions mostly run in oneDNN; BLAS serves
// the Linear layers and the convolutions torch sends down its im2col + GEMM path (mobilenet_v2 b1 at 2 threads on a
// 2-core Debian 12 machine: 35 ms with OpenBLAS, 62-72 ms with the reference BLAS). OpenBLAS runs its own thread
// pool, sized to the machine, inside whichever of torch's intra-op threads calls it: pinned to 1 thread here, so
// the test's `threads` is the number of threads computing (unpinned, the same test's median was 38-70 ms on a busy
// machine instead of 35-36). OPENBLAS_NUM_THREADS cannot do this from inside the process: OpenBLAS reads it in its
// load-time constructor, which has run before main(); openblas_set_num_threads() applies it now, and the value is
// read back for details(). With MKL (PyTorch's own x86 builds) at::set_num_threads() sets MKL's threads itself.
BlasState pin_blas_threads() {
  BlasState state;
  if (void* sgemm = ::dlsym(RTLD_DEFAULT, "sgemm_")) {
    Dl_info info{};
    if (::dladdr(sgemm, &info) != 0 && info.dli_fname != nullptr) {
      std::error_code error;
      const fs::path resolved = fs::canonical(info.dli_fname, error);
      state.library = error ? std::string(info.dli_fname) : resolved.string();
    }
  }
  using SetThreads = void (*)(int);
  using GetInt = int (*)();
  const auto set_threads = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  const auto get_threads = reinterpret_cast<GetInt>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  const auto get_parallel = reinterpret_cast<GetInt>(::dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (set_threads != nullptr) {
    set_threads(1);
    state.name = "openblas";
    if (get_parallel != nullptr) {
      const int parallel = get_parallel();  // 0 sequential, 1 pthreads, 2 OpenMP
      state.name += parallel == 0 ? " (sequential)" : parallel == 1 ? " (pthreads)" : " (openmp)";
    }
    state.threads = get_threads != nullptr ? std::to_string(get_threads()) : "1";
  } else if (at::hasMKL()) {
    state.name = "mkl";
    state.threads = "intra_op_threads (set by at::set_num_threads)";
  } else if (!state.library.empty()) {
    state.name = fs::path(state.library).filename().string();
    state.threads = "not set (no openblas_set_num_threads)";
  }
  return state;
}

// ---- process-wide thread settings ------------------------------------------------------------------------------

// libtorch sizes its inter-op pool once per process, before any inter-op work, and refuses a second setting.
// configure() may run several times in one process (tests): the same value again is fine, another is refused.
void apply_inter_op_threads(int threads) {
  static std::mutex mutex;
  static int applied = 0;
  const std::lock_guard<std::mutex> lock(mutex);
  if (applied == threads) return;
  if (applied != 0) {
    throw Unsupported(std::string(kName) + ": inter_op_threads is already " + std::to_string(applied) +
                      " in this process and libtorch sets it once; cannot make it " + std::to_string(threads));
  }
  try {
    at::set_num_interop_threads(threads);
  } catch (const c10::Error& error) {
    throw Unsupported(std::string(kName) + ": libtorch refused inter_op_threads=" + std::to_string(threads) + ": " +
                      message_of(error));
  }
  if (at::get_num_interop_threads() != threads) {
    throw Unsupported(std::string(kName) + ": asked for " + std::to_string(threads) +
                      " inter-op threads, libtorch has " + std::to_string(at::get_num_interop_threads()));
  }
  applied = threads;
}

void apply_intra_op_threads(int threads) {
  try {
    at::set_num_threads(threads);
  } catch (const c10::Error& error) {
    throw Unsupported(std::string(kName) + ": libtorch refused threads=" + std::to_string(threads) + ": " +
                      message_of(error));
  }
  if (at::get_num_threads() != threads) {
    throw Unsupported(std::string(kName) + ": asked for " + std::to_string(threads) +
                      " intra-op threads, libtorch runs " + std::to_string(at::get_num_threads()));
  }
}

// at::set_num_threads() records the count process-wide but applies it (OpenMP's per-thread setting) to the calling
// thread only; other threads pick it up at their first at::parallel_for. A session's thread applies it itself
// before its first request, so no kernel (oneDNN's included) ever runs with OpenMP's default there.
void apply_intra_op_threads_to_this_thread() {
  thread_local bool applied = false;
  if (!applied) {
    at::init_num_threads();
    applied = true;
  }
}

// ---- sessions --------------------------------------------------------------------------------------------------

// The first tensor of a model's output: a tensor, or the first one inside a tuple or list.
torch::Tensor first_tensor(const torch::IValue& value) {
  if (value.isTensor()) return value.toTensor();
  if (value.isTuple()) {
    for (const auto& element : value.toTupleRef().elements()) {
      if (element.isTensor() || element.isTuple() || element.isList()) return first_tensor(element);
    }
  } else if (value.isList()) {
    for (const auto& element : value.toListRef()) {
      if (element.isTensor() || element.isTuple() || element.isList()) return first_tensor(element);
    }
  }
  throw std::runtime_error(std::string(kName) + ": the model's output holds no tensor (" + value.tagKind() + ")");
}

std::vector<std::int64_t> input_sizes(const TestSpec& spec) {
  if (spec.batch < 1) throw std::runtime_error(std::string(kName) + ": batch must be at least 1");
  if (spec.model.input_shape.empty()) throw std::runtime_error(std::string(kName) + ": the input shape is empty");
  std::vector<std::int64_t> sizes = {spec.batch};
  std::int64_t count = spec.batch;
  for (const auto dim : spec.model.input_shape) {
    if (dim < 1 || dim > INT_MAX) {
      throw std::runtime_error(std::string(kName) + ": input dimensions must be from 1 to INT_MAX");
    }
    if (count > LLONG_MAX / 4 / dim) throw std::runtime_error(std::string(kName) + ": input tensor too large");
    count *= dim;
    sizes.push_back(dim);
  }
  return sizes;
}

class TorchSession : public Session {
 public:
  TorchSession(torch::jit::Module module, torch::Device device, std::vector<std::int64_t> sizes)
      : module_(std::move(module)), device_(device), sizes_(std::move(sizes)) {
    count_ = 1;
    for (const auto size : sizes_) count_ *= static_cast<std::size_t>(size);
    const c10::InferenceMode inference;
    // Allocated once: every request copies the caller's input into it (onto the device for CUDA).
    input_ = torch::empty(sizes_, torch::TensorOptions().dtype(torch::kFloat).device(device_));
#if DLI_TORCH_CUDA_EXTRAS
    // Its own stream, so that sessions running at once (async mode) do not queue behind each other's work.
    if (device_.is_cuda()) stream_.emplace(c10::cuda::getStreamFromPool(false, device_.index()));
#endif
  }

  void infer(const float* input, std::size_t count) override {
    if (count != count_) throw std::invalid_argument(std::string(kName) + ": input has the wrong number of floats");
    apply_intra_op_threads_to_this_thread();
    try {
      const c10::InferenceMode inference;
#if DLI_TORCH_CUDA_EXTRAS
      std::optional<c10::cuda::CUDAStreamGuard> on_stream;
      if (stream_) on_stream.emplace(*stream_);
#endif
      // torch::from_blob wraps the caller's buffer without copying (it only reads it). Feeding that to the model
      // would leave out the copy a real application makes into the framework, so it is copied into the session's
      // preallocated tensor: memcpy on the CPU; on CUDA a host-to-device copy from pageable memory.
      input_.copy_(torch::from_blob(const_cast<float*>(input), sizes_, torch::kFloat));
      output_ = first_tensor(module_.forward({input_}));
      if (device_.is_cuda()) {
        // Back to the host, into a tensor kept from the previous request (allocated by the first one only), then
        // wait for the device: the clock stops once the output is on the host.
        if (!host_output_.defined() || host_output_.sizes() != output_.sizes() ||
            host_output_.scalar_type() != output_.scalar_type()) {
          host_output_ = torch::empty(output_.sizes(), output_.options().device(torch::kCPU));
        }
        host_output_.copy_(output_);
#if DLI_TORCH_CUDA_EXTRAS
        if (stream_) {
          stream_->synchronize();
        } else {
          torch::cuda::synchronize(device_.index());
        }
#else
        torch::cuda::synchronize(device_.index());
#endif
      }
    } catch (const c10::Error& error) {
      throw std::runtime_error(std::string(kName) + ": inference failed: " + message_of(error));
    } catch (const std::exception& error) {  // the TorchScript interpreter rethrows errors as std::runtime_error
      throw std::runtime_error(std::string(kName) + ": inference failed: " + one_line(error.what()));
    }
  }

  // What libtorch reports in the calling thread, once its setting is applied there: OpenMP's count is per thread.
  int threads_in_this_thread() override {
    apply_intra_op_threads_to_this_thread();
    return at::get_num_threads();
  }

  std::vector<float> last_output() const override {
    const torch::Tensor& output = device_.is_cuda() ? host_output_ : output_;
    if (!output.defined()) return {};
    const c10::InferenceMode inference;
    const torch::Tensor flat = output.to(torch::kCPU, torch::kFloat).contiguous().reshape({-1});
    const float* begin = flat.data_ptr<float>();
    return std::vector<float>(begin, begin + flat.numel());
  }

 private:
  torch::jit::Module module_;
  torch::Device device_;
  std::vector<std::int64_t> sizes_;  // batch, then the input shape
  std::size_t count_ = 0;
  torch::Tensor input_;
  torch::Tensor output_;       // the first output of the last request, where the model left it
  torch::Tensor host_output_;  // CUDA: its copy on the host
#if DLI_TORCH_CUDA_EXTRAS
  std::optional<c10::cuda::CUDAStream> stream_;
#endif
};

// ---- the framework ---------------------------------------------------------------------------------------------

class TorchFramework : public Framework {
 public:
  Capabilities describe() override {
    Capabilities capabilities;
    capabilities.framework = kName;
    capabilities.version = std::string("libtorch ") + TORCH_VERSION;
    capabilities.formats = {kFormat};
    capabilities.devices = {"cpu"};
    if (torch::cuda::is_available()) {
      const auto count = torch::cuda::device_count();
      for (std::size_t i = 0; i < count; ++i) capabilities.devices.push_back("cuda:" + std::to_string(i));
    }
    return capabilities;
  }

  void configure(const TestSpec& spec) override {
    if (spec.threads < 1) throw std::runtime_error(std::string(kName) + ": threads must be at least 1");
    const int inter_op = parse_inter_op_threads(spec.params);
    const torch::Device device = parse_device(spec.device);  // refused before any thread pool is touched
    blas_ = pin_blas_threads();
    apply_inter_op_threads(inter_op);
    // Each request in flight gets its share of `threads` (docs/methodology.md); the catalogue has refused a share
    // above 1 with several requests in flight, which this process-wide setting could not give each of them.
    const int share = thread_share(spec);
    apply_intra_op_threads(share);
    intra_op_threads_ = share;
    inter_op_threads_ = inter_op;
    device_ = device;
  }

  std::unique_ptr<Session> load(const ModelFiles& files, const TestSpec& spec) override {
    parse_inter_op_threads(spec.params);
    if (spec.model.format != kFormat) {
      throw Unsupported(std::string(kName) + ": cannot load format '" + spec.model.format + "' (it loads " + kFormat +
                        ")");
    }
    const torch::Device device = parse_device(spec.device);
    const std::vector<std::int64_t> sizes = input_sizes(spec);
    std::error_code error;
    if (!fs::is_regular_file(files.model_path, error)) {
      throw std::runtime_error(std::string(kName) + ": model file not found: " + files.model_path);
    }
    try {
      // The device is the map location: a model traced on the CPU keeps its constants there otherwise, and
      // module.to(device) does not move them.
      torch::jit::Module module = torch::jit::load(files.model_path, device);
      module.eval();
      device_ = device;
      return std::make_unique<TorchSession>(std::move(module), device, sizes);
    } catch (const c10::Error& failure) {
      throw std::runtime_error(std::string(kName) + ": cannot load " + files.model_path + ": " + message_of(failure));
    } catch (const std::exception& failure) {
      throw std::runtime_error(std::string(kName) + ": cannot load " + files.model_path + ": " + one_line(failure.what()));
    }
  }

  std::vector<std::pair<std::string, std::string>> details() override {
    std::vector<std::pair<std::string, std::string>> result = {
        {"intra_op_threads", std::to_string(intra_op_threads_)},
        {"inter_op_threads", std::to_string(inter_op_threads_)},
        {"blas", blas_.name},
        {"blas_threads", blas_.threads},
    };
    if (!blas_.library.empty()) result.emplace_back("blas_library", blas_.library);
    result.emplace_back("device", device_text(device_));
    if (device_.is_cuda()) {
      const std::string name = device_name(device_);
      if (!name.empty()) result.emplace_back("device_name", name);
      result.emplace_back("input_memory", "pageable");
    } else {
      result.emplace_back("input_memory", "host");
    }
    return result;
  }

 private:
  BlasState blas_;
  int intra_op_threads_ = 0;
  int inter_op_threads_ = 0;
  torch::Device device_{torch::kCPU};
};

}  // namespace

std::unique_ptr<Framework> make_torch_framework() { return std::make_unique<TorchFramework>(); }

}  // namespace dli::runner
