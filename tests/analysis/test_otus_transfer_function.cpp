// The transfer function against a detector of known resolution: a scalar energy response
// 1 + σ(E)·n with σ(E) = 0.1/√(E/GeV) and the direction kept. The truth's widths must be σ(E), a
// learnt detector drawn from the same law must agree in every bin, a wider one or the identity
// in none of the energy bins; the bootstrap error of a mean must be σ/√n.
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "otae/analysis/otus_transfer_function.hpp"
#include "otae/base/error.hpp"

namespace {

namespace analysis = otae::analysis;

constexpr int64_t kEvents = 40000;
constexpr int64_t kBins = 10;

double resolution(double energy) { return 0.1 / std::sqrt(energy); }

struct Sample {
  at::Tensor z, energy;
};

/// One massless electron per event, E uniform in 20–200 GeV, isotropic direction.
Sample partons(uint64_t seed) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor energy = 20 + 180 * at::rand({kEvents}, g, f64);
  const at::Tensor cos_theta = 2 * at::rand({kEvents}, g, f64) - 1, phi = 2 * M_PI * at::rand({kEvents}, g, f64);
  const at::Tensor sin_theta = (1 - cos_theta.pow(2)).sqrt();
  const at::Tensor z = at::stack({energy * sin_theta * phi.cos(), energy * sin_theta * phi.sin(), energy * cos_theta, energy}, 1);
  return {z, energy};
}

/// z with every four-vector scaled by 1 + scale·σ(E)·n.
at::Tensor detector(const Sample& s, double scale, uint64_t seed) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor n = at::randn({kEvents}, g, at::TensorOptions().dtype(at::kDouble));
  return s.z * (1 + scale * 0.1 / s.energy.sqrt() * n).unsqueeze(1);
}

nlohmann::json run(const Sample& s, const at::Tensor& x, const at::Tensor& learnt) {
  return analysis::transfer_function(s.z, x, learnt, at::ones({kEvents}, at::kBool), {"e-"}, {"e-"},
                                     analysis::TransferFunctionOptions().bins(kBins).seed(4));
}

const nlohmann::json& curve(const nlohmann::json& t, const std::string& variable) {
  for (const auto& c : t["curves"])
    if (c["variable"] == variable) return c;
  throw std::runtime_error("no curve " + variable);
}

TEST(OtusTransferFunction, KnownResolutionAgreesWithItselfOnly) {
  const Sample s = partons(1);
  const at::Tensor x = detector(s, 1.0, 2);
  const nlohmann::json same = run(s, x, detector(s, 1.0, 3));
  ASSERT_EQ(same["curves"].size(), 4u);  // E, pT, eta, phi of the one object
  const auto& e = curve(same, "E");
  for (int64_t b = 0; b < kBins; ++b) {
    const double centre = e["z_bin_centres"][b].get<double>();
    const auto& truth = e["true"][b];
    // bins span up to 18 GeV: σ(E) changes by up to 10 % across one
    EXPECT_NEAR(truth["width"].get<double>(), resolution(centre), 0.1 * resolution(centre)) << "bin " << b;
    EXPECT_NEAR(truth["mean"].get<double>(), 1.0, 4 * truth["mean_error"].get<double>()) << "bin " << b;
    const double n = truth["count"].get<double>();
    EXPECT_NEAR(truth["mean_error"].get<double>(), resolution(centre) / std::sqrt(n), 0.3 * resolution(centre) / std::sqrt(n));
    EXPECT_GT(truth["width_error"].get<double>(), 0.0);
    EXPECT_LT(truth["q025"].get<double>(), truth["q16"].get<double>());
    EXPECT_LT(truth["q84"].get<double>(), truth["q975"].get<double>());
  }
  EXPECT_EQ(same["summary"]["bins"].get<int64_t>(), 4 * kBins);
  EXPECT_EQ(same["summary"]["agrees"].get<int64_t>(), 4 * kBins);  // angles: both exactly kept

  const nlohmann::json wider = run(s, x, detector(s, 1.5, 3));
  EXPECT_EQ(wider["summary"]["by_variable"]["E"]["width_agrees"].get<int64_t>(), 0);
  EXPECT_EQ(wider["summary"]["by_variable"]["pT"]["agrees"].get<int64_t>(), 0);
  EXPECT_EQ(wider["summary"]["by_variable"]["eta"]["agrees"].get<int64_t>(), kBins);
  const nlohmann::json identity = run(s, x, s.z);
  EXPECT_EQ(identity["summary"]["by_variable"]["E"]["agrees"].get<int64_t>(), 0);
  EXPECT_EQ(run(s, x, detector(s, 1.0, 3)).dump(), same.dump());  // seeded bootstrap
}

TEST(OtusTransferFunction, RejectsMismatchedShapes) {
  const Sample s = partons(1);
  EXPECT_THROW(analysis::transfer_function(s.z, s.z, s.z.narrow(0, 0, 10), at::ones({kEvents}, at::kBool), {"e-"}, {"e-"}),
               otae::InvalidArgument);
  EXPECT_THROW(analysis::transfer_function(s.z, s.z, s.z, at::ones({kEvents}, at::kBool), {"e-", "e+"}, {"e-"}),
               otae::InvalidArgument);
}

}  // namespace
