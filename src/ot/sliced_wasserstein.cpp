// Sliced Wasserstein front (validation, directions, dispatch) and its two backends: the fused CPU
// kernel, which computes the gradient in the forward pass and hands it to an autograd Function,
// and the tensor version, which LibTorch's autograd differentiates on any device.
//
// Objects passed between stages, per chunk of Lc slices:
//   θ [Lc, D]                 unit directions
//   P_x = θ Xᵀ [Lc, B]        projections of x, one row per slice (P_y [Lc, B′] likewise)
//   (a_k, b_k, w_k), k < K    the quantile coupling of (B, B′); W₂²(slice l) = Σ_k w_k (P_x,l,(a_k) − P_y,l,(b_k))²
//   G_x [Lc, B]               ∂SW₂²/∂P_x, so that ∂SW₂²/∂X += G_xᵀ θ (G_y likewise)
#include "otae/ot/sliced_wasserstein.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "otae/base/error.hpp"
#include "otae/ot/one_dimensional.hpp"

namespace otae::ot {

at::Tensor random_directions(int64_t slices, int64_t dimension, uint64_t seed) {
  if (slices < 1 || dimension < 1) {
    throw InvalidArgument("random_directions: need slices >= 1 and dimension >= 1, received slices=" +
                          std::to_string(slices) + " dimension=" + std::to_string(dimension));
  }
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor gaussian = at::randn({slices, dimension}, generator, at::TensorOptions().dtype(at::kDouble));
  return gaussian / gaussian.norm(2, {1}, /*keepdim=*/true);
}

void SlicedWassersteinOptions::validate() const {
  if (slices_ < 1)
    throw InvalidArgument("sliced_wasserstein: slices must be >= 1, received slices=" + std::to_string(slices_));
  if (slices_per_chunk_ < 0) {
    throw InvalidArgument("sliced_wasserstein: slices_per_chunk must be >= 0 (0 = automatic), received " +
                          std::to_string(slices_per_chunk_));
  }
}

namespace {

[[noreturn]] void reject(const std::string& what) { throw InvalidArgument("sliced_wasserstein: " + what); }

/// Throws naming the first NaN/inf entry of a 2-D tensor, e.g. "x[17, 3] = nan".
void check_finite(const at::Tensor& t, const char* name) {
  const at::Tensor values = t.detach();
  if (at::isfinite(values).all().item<bool>()) return;
  const at::Tensor where = (~at::isfinite(values)).nonzero();
  const int64_t row = where[0][0].item<int64_t>(), column = where[0][1].item<int64_t>();
  std::ostringstream msg;
  msg << name << "[" << row << ", " << column << "] = " << values[row][column].item<double>()
      << "; every entry must be finite";
  reject(msg.str());
}

void check_sample(const at::Tensor& t, const char* name) {
  if (!t.defined()) reject(std::string(name) + " is an undefined tensor");
  std::ostringstream msg;
  if (t.dim() != 2) {
    msg << name << " must be [B, D], received shape " << t.sizes();
    reject(msg.str());
  }
  if (t.size(0) == 0 || t.size(1) == 0) {
    msg << name << " is empty, shape " << t.sizes();
    reject(msg.str());
  }
  if (t.size(0) > std::numeric_limits<int32_t>::max()) {
    msg << name << " has " << t.size(0) << " samples, more than the 2^31 - 1 the sort indices hold";
    reject(msg.str());
  }
  if (t.scalar_type() != at::kFloat && t.scalar_type() != at::kDouble) {
    msg << name << " must be float32 or float64, received dtype " << t.scalar_type();
    reject(msg.str());
  }
  check_finite(t, name);
}

/// The directions the caller gave, checked, or fresh ones from the seed; in x's dtype and device.
at::Tensor resolve_directions(const SlicedWassersteinOptions& options, const at::Tensor& x) {
  const int64_t dimension = x.size(1);
  at::Tensor theta;
  if (options.directions().defined()) {
    const at::Tensor& given = options.directions();
    std::ostringstream msg;
    if (given.dim() != 2 || given.size(0) < 1 || given.size(1) != dimension) {
      msg << "directions must be [L, D] with L >= 1 and D = " << dimension << " (the samples' dimension), received shape "
          << given.sizes();
      reject(msg.str());
    }
    if (!at::isFloatingType(given.scalar_type())) {
      msg << "directions must be floating point, received dtype " << given.scalar_type();
      reject(msg.str());
    }
    check_finite(given, "directions");
    theta = given.detach().to(at::kDouble);
    const at::Tensor norm_error = (theta.norm(2, {1}) - 1.0).abs();
    const auto worst = std::get<1>(norm_error.max(0)).item<int64_t>();
    if (norm_error[worst].item<double>() > 1e-4) {
      msg << "directions row " << worst << " has norm " << theta[worst].norm().item<double>()
          << "; rows must be unit vectors: normalise them, or leave directions unset to draw them from the seed";
      reject(msg.str());
    }
  } else {
    theta = random_directions(options.slices(), dimension, options.seed());
  }
  return theta.to(x.options()).contiguous();
}

/// Quantile-coupling arrays on the device of the tensor backend; defined only for B ≠ B′.
struct CouplingTensors {
  at::Tensor index_a, index_b, weight;
};

/// Tensor backend: per chunk, project (matrix product), sort every slice (at::sort along the
/// sample axis), gather the coupled quantiles and sum the weighted squared gaps; autograd
/// differentiates through the gathers and the sort's permutation.
at::Tensor sliced_wasserstein_tensor(const at::Tensor& x, const at::Tensor& y, const at::Tensor& theta,
                                     int64_t slices_per_chunk) {
  const int64_t n_x = x.size(0), n_y = y.size(0), slices = theta.size(0);
  CouplingTensors coupling;
  if (n_x != n_y) {
    const QuantileCoupling plan = quantile_coupling(n_x, n_y);
    coupling.index_a = at::tensor(plan.index_a, at::kLong).to(x.device());
    coupling.index_b = at::tensor(plan.index_b, at::kLong).to(x.device());
    coupling.weight = at::tensor(plan.weight, at::kDouble).to(x.options());
  }
  at::Tensor total = at::zeros({}, x.options());
  for (int64_t first = 0; first < slices; first += slices_per_chunk) {
    const at::Tensor chunk = theta.narrow(0, first, std::min(slices_per_chunk, slices - first));
    const at::Tensor sorted_x = std::get<0>(at::sort(at::mm(chunk, x.t()), 1));
    const at::Tensor sorted_y = std::get<0>(at::sort(at::mm(chunk, y.t()), 1));
    if (n_x == n_y) {
      total = total + (sorted_x - sorted_y).pow(2).sum();
    } else {
      const at::Tensor gap = sorted_x.index_select(1, coupling.index_a) - sorted_y.index_select(1, coupling.index_b);
      total = total + (gap.pow(2) * coupling.weight).sum();
    }
  }
  return n_x == n_y ? total / static_cast<double>(slices * n_x) : total / static_cast<double>(slices);
}

/// What the fused kernel hands to autograd: SW₂² and its gradients (undefined when not requested).
struct FusedOutputs {
  at::Tensor value, grad_x, grad_y;
};

/// Unsigned integers ordered as the floating-point values they encode (IEEE 754: flip every bit of
/// a negative value, set the sign bit of a positive one), so that a radix sort sorts the values.
template <typename scalar_t>
struct OrderedBits;
template <>
struct OrderedBits<float> {
  using type = uint32_t;
};
template <>
struct OrderedBits<double> {
  using type = uint64_t;
};

/// One slice's projections sorted by an LSD radix sort on their ordered bits (11-bit digits, one
/// counting sweep for all digits, digits shared by every value skipped): about 20× faster than
/// std::sort on (value, index) pairs at B = 20,000, and the sort dominates the fused kernel.
/// Scratch reused by one thread across slices.
template <typename scalar_t>
class SortedSlice {
  using Key = typename OrderedBits<scalar_t>::type;
  static constexpr int kDigitBits = 11;
  static constexpr Key kDigitMask = (Key{1} << kDigitBits) - 1;
  static constexpr int kDigits = (8 * sizeof(Key) + kDigitBits - 1) / kDigitBits;
  static constexpr Key kSign = Key{1} << (8 * sizeof(Key) - 1);

 public:
  void sort(const scalar_t* projection, int64_t n) {
    items_.resize(n);
    buffer_.resize(n);
    counts_.assign(static_cast<size_t>(kDigits) << kDigitBits, 0);
    for (int64_t i = 0; i < n; ++i) {
      Key bits;
      std::memcpy(&bits, projection + i, sizeof bits);
      const Key key = (bits & kSign) ? ~bits : (bits | kSign);
      items_[i] = {key, static_cast<int32_t>(i)};
      for (int d = 0; d < kDigits; ++d) ++counts_[(d << kDigitBits) + ((key >> (d * kDigitBits)) & kDigitMask)];
    }
    for (int d = 0; d < kDigits; ++d) {
      int64_t* count = counts_.data() + (d << kDigitBits);
      const int shift = d * kDigitBits;
      if (count[(items_[0].key >> shift) & kDigitMask] == n) continue;
      int64_t start = 0;  // counts → first position of each digit's bucket
      for (Key digit = 0; digit <= kDigitMask; ++digit) {
        const int64_t bucket = count[digit];
        count[digit] = start;
        start += bucket;
      }
      for (const Item& item : items_) buffer_[count[(item.key >> shift) & kDigitMask]++] = item;
      items_.swap(buffer_);
    }
  }

  /// The value of rank r (0 = smallest) and the sample it belongs to.
  scalar_t value(int64_t r) const {
    const Key key = items_[r].key;
    const Key bits = (key & kSign) ? (key ^ kSign) : ~key;
    scalar_t v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  int32_t sample(int64_t r) const { return items_[r].sample; }

 private:
  struct Item {
    Key key;
    int32_t sample;
  };
  std::vector<Item> items_, buffer_;
  std::vector<int64_t> counts_;
};

/// One slice of equal-size samples: W₂² = (1/B) Σᵢ gapᵢ², and (when wanted) each sample's slope
/// 2 gap/(B L) written at its place in sample order.
template <typename scalar_t>
double equal_size_slice(const SortedSlice<scalar_t>& sorted_x, const SortedSlice<scalar_t>& sorted_y, int64_t n,
                        double inverse_slices, scalar_t* gx, scalar_t* gy) {
  const double inverse_n = 1.0 / static_cast<double>(n);
  const double slope_scale = 2.0 * inverse_n * inverse_slices;
  double cost = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double gap = static_cast<double>(sorted_x.value(i)) - static_cast<double>(sorted_y.value(i));
    cost += gap * gap;
    if (gx) gx[sorted_x.sample(i)] = static_cast<scalar_t>(slope_scale * gap);
    if (gy) gy[sorted_y.sample(i)] = static_cast<scalar_t>(-slope_scale * gap);
  }
  return cost * inverse_n;
}

/// One slice of unequal samples through the quantile coupling: W₂² = Σ_k w_k gap_k², slopes
/// 2 w_k gap_k / L added to the samples of each piece.
template <typename scalar_t>
double coupled_slice(const SortedSlice<scalar_t>& sorted_x, const SortedSlice<scalar_t>& sorted_y,
                     const QuantileCoupling& coupling, double inverse_slices, scalar_t* gx, scalar_t* gy) {
  double cost = 0.0;
  for (size_t k = 0; k < coupling.weight.size(); ++k) {
    const int64_t a = coupling.index_a[k], b = coupling.index_b[k];
    const double gap = static_cast<double>(sorted_x.value(a)) - static_cast<double>(sorted_y.value(b));
    const double w = coupling.weight[k];
    cost += w * gap * gap;
    const double slope = 2.0 * w * gap * inverse_slices;
    if (gx) gx[sorted_x.sample(a)] += static_cast<scalar_t>(slope);
    if (gy) gy[sorted_y.sample(b)] -= static_cast<scalar_t>(slope);
  }
  return cost;
}

/// Fused CPU backend. W₂²(l) = Σ_k w_k gap_k² with gap_k = P_x,l,(a_k) − P_y,l,(b_k), so
/// ∂W₂²(l)/∂P_x,l,i = Σ_{k: x-rank of i is a_k} 2 w_k gap_k (and minus that for y); these are
/// scattered back to sample order in G, and ∂SW₂²/∂X = (1/L) Σ_l G_x,l θ_l = (1/L) G_xᵀ θ.
/// Slice costs are summed in slice order after the parallel loop, so the value does not depend
/// on the number of threads.
template <typename scalar_t>
FusedOutputs sliced_wasserstein_fused(const at::Tensor& x, const at::Tensor& y, const at::Tensor& theta,
                                      int64_t slices_per_chunk, bool need_grad_x, bool need_grad_y) {
  const int64_t n_x = x.size(0), n_y = y.size(0), slices = theta.size(0);
  const bool equal_sizes = n_x == n_y;
  const QuantileCoupling coupling = equal_sizes ? QuantileCoupling{} : quantile_coupling(n_x, n_y);
  const double inverse_slices = 1.0 / static_cast<double>(slices);  // folded into the slopes

  FusedOutputs out;
  if (need_grad_x) out.grad_x = at::zeros_like(x, at::MemoryFormat::Contiguous);
  if (need_grad_y) out.grad_y = at::zeros_like(y, at::MemoryFormat::Contiguous);
  std::vector<double> slice_cost(slices, 0.0);

  for (int64_t first = 0; first < slices; first += slices_per_chunk) {
    const int64_t count = std::min(slices_per_chunk, slices - first);
    const at::Tensor chunk = theta.narrow(0, first, count);
    const at::Tensor projection_x = at::mm(chunk, x.t()).contiguous();  // [Lc, B]
    const at::Tensor projection_y = at::mm(chunk, y.t()).contiguous();  // [Lc, B′]
    const at::Tensor slope_x = need_grad_x ? at::zeros_like(projection_x) : at::Tensor();
    const at::Tensor slope_y = need_grad_y ? at::zeros_like(projection_y) : at::Tensor();
    const scalar_t* px = projection_x.data_ptr<scalar_t>();
    const scalar_t* py = projection_y.data_ptr<scalar_t>();
    scalar_t* gx = need_grad_x ? slope_x.data_ptr<scalar_t>() : nullptr;
    scalar_t* gy = need_grad_y ? slope_y.data_ptr<scalar_t>() : nullptr;

    at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      SortedSlice<scalar_t> sorted_x, sorted_y;
      for (int64_t l = begin; l < end; ++l) {
        sorted_x.sort(px + l * n_x, n_x);
        sorted_y.sort(py + l * n_y, n_y);
        scalar_t* gxl = gx ? gx + l * n_x : nullptr;
        scalar_t* gyl = gy ? gy + l * n_y : nullptr;
        slice_cost[first + l] = equal_sizes
                                    ? equal_size_slice(sorted_x, sorted_y, n_x, inverse_slices, gxl, gyl)
                                    : coupled_slice(sorted_x, sorted_y, coupling, inverse_slices, gxl, gyl);
      }
    });

    if (need_grad_x) out.grad_x.addmm_(slope_x.t(), chunk);
    if (need_grad_y) out.grad_y.addmm_(slope_y.t(), chunk);
  }

  double total = 0.0;
  for (double c : slice_cost) total += c;
  out.value = at::scalar_tensor(total * inverse_slices, x.options());
  return out;
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// Forward runs the fused kernel, which already has the gradients; backward scales them.
struct FusedSlicedWasserstein : public torch::autograd::Function<FusedSlicedWasserstein> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& y,
                               const at::Tensor& theta, int64_t slices_per_chunk, bool need_grad_x,
                               bool need_grad_y) {
    FusedOutputs out;
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "sliced_wasserstein_fused", [&] {
      out = sliced_wasserstein_fused<scalar_t>(x, y, theta, slices_per_chunk, need_grad_x, need_grad_y);
    });
    ctx->save_for_backward({out.grad_x, out.grad_y});
    return {out.value};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    if (at::GradMode::is_enabled()) {
      reject("the fused backend gives first derivatives only; differentiating its gradient (create_graph) needs "
             "SlicedWassersteinBackend::kTensor");
    }
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& grad_value = grad_outputs[0];
    variable_list grads(6);
    if (saved[0].defined()) grads[0] = saved[0] * grad_value;
    if (saved[1].defined()) grads[1] = saved[1] * grad_value;
    return grads;
  }
};

}  // namespace

SlicedWassersteinResult sliced_wasserstein(const at::Tensor& x, const at::Tensor& y,
                                           const SlicedWassersteinOptions& options) {
  options.validate();
  check_sample(x, "x");
  check_sample(y, "y");
  std::ostringstream msg;
  if (x.size(1) != y.size(1)) {
    msg << "x and y must share the dimension D, received x " << x.sizes() << " and y " << y.sizes();
    reject(msg.str());
  }
  if (x.scalar_type() != y.scalar_type()) {
    msg << "x and y must share one dtype, received " << x.scalar_type() << " and " << y.scalar_type();
    reject(msg.str());
  }
  if (x.device() != y.device()) {
    msg << "x and y must be on one device, received " << x.device() << " and " << y.device();
    reject(msg.str());
  }

  SlicedWassersteinResult result;
  result.directions = resolve_directions(options, x);
  const int64_t slices = result.directions.size(0);
  const int64_t largest = std::max(x.size(0), y.size(0));
  constexpr int64_t kChunkValues = int64_t{1} << 22;  // projected values per sample set and chunk
  const int64_t slices_per_chunk = std::clamp<int64_t>(
      options.slices_per_chunk() > 0 ? options.slices_per_chunk() : (kChunkValues + largest - 1) / largest, 1, slices);

  SlicedWassersteinBackend backend = options.backend();
  if (backend == SlicedWassersteinBackend::kAuto)
    backend = x.device().is_cpu() ? SlicedWassersteinBackend::kFused : SlicedWassersteinBackend::kTensor;
  if (backend == SlicedWassersteinBackend::kFused) {
    if (!x.device().is_cpu()) {
      msg << "the fused backend runs on CPU tensors, received device " << x.device()
          << "; use SlicedWassersteinBackend::kTensor";
      reject(msg.str());
    }
    const bool grad_mode = at::GradMode::is_enabled();
    result.sw2_squared = FusedSlicedWasserstein::apply(x, y, result.directions, slices_per_chunk,
                                                       grad_mode && x.requires_grad(),
                                                       grad_mode && y.requires_grad())[0];
  } else {
    result.sw2_squared = sliced_wasserstein_tensor(x, y, result.directions, slices_per_chunk);
  }
  result.sw2 = result.sw2_squared.sqrt();
  return result;
}

}  // namespace otae::ot
