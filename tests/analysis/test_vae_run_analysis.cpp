// `analyze_vae_run` on runs trained in the test: the analysis folder's layout on a tiny jet run
// (every phase's checkpoints in order, the KL spectrum of the held-out rows and only those), the
// known D1/D2 of the linear VAE on a Gaussian (Collins 2021, appendix A.3) read out through it,
// and one-line errors for a folder that holds no run and for data that does not fit the model.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "otae/analysis/kl_spectrum.hpp"
#include "otae/analysis/vae_run_analysis.hpp"
#include "otae/base/error.hpp"
#include "otae/data/split.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_trainer.hpp"
#include "../support/temporary_folder.hpp"
#include "../support/tiny_jet_runs.hpp"

namespace otae::analysis {
namespace {

namespace fs = std::filesystem;

using otae::testing::TemporaryFolder;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return nlohmann::json::parse(in);
}

const std::string kJets = otae::testing::kSmallWJets;
using otae::testing::tiny_jet_config;

class JetRunAnalysis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = new TemporaryFolder("analysis_jets");
    train::train_vae(tiny_jet_config(), run_->path());
    summary_ = analyze_vae_run(run_->path(), *run_ / "analysis", options());
  }
  static void TearDownTestSuite() { delete run_; }

  /// The 100 test rows of the run, then 20 of the rows beyond its data.max_rows.
  static VaeAnalysisOptions options() {
    return VaeAnalysisOptions().max_rows(120).correlation_points(40).threads(1).traversal_steps({1, 3});
  }

  static TemporaryFolder* run_;
  static nlohmann::json summary_;
};

TemporaryFolder* JetRunAnalysis::run_ = nullptr;
nlohmann::json JetRunAnalysis::summary_;

TEST_F(JetRunAnalysis, WritesTheLayout) {
  const std::string folder = *run_ / "analysis";
  EXPECT_EQ(read_json(folder + "/summary.json"), summary_);
  for (const char* name : {"summary.json", "kl_spectrum.csv", "dimensionalities.json", "correlation_dimension.json",
                           "traversal_step001.json", "traversal_step003.json"})
    EXPECT_GT(fs::file_size(fs::path(folder) / name), 0u) << name;
  EXPECT_EQ(summary_["kind"], "jets");
  EXPECT_EQ(summary_["rows"], 120);
  EXPECT_EQ(summary_["latent_dim"], 4);
  EXPECT_EQ(summary_["beta_unit"], "GeV");
  EXPECT_NEAR(summary_["energy_scale_GeV"].get<double>(), 550.0, 40.0);
  EXPECT_EQ(summary_["traversals"], nlohmann::json::array({"traversal_step001.json", "traversal_step003.json"}));

  // every kept step, priming then production, in training order
  const auto& checkpoints = summary_["checkpoints"];
  ASSERT_EQ(checkpoints.size(), 4u);
  const std::vector<std::string> phases = {"priming", "priming", "production", "production"};
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(checkpoints[k]["step"], k);
    EXPECT_EQ(checkpoints[k]["phase"], phases[k]);
    const double beta_hat = std::pow(10.0, k % 2 == 0 ? -1.5 : -1.0);
    EXPECT_NEAR(checkpoints[k]["beta_hat"].get<double>(), beta_hat, 1e-12);
    EXPECT_NEAR(checkpoints[k]["beta"].get<double>(), beta_hat * summary_["energy_scale_GeV"].get<double>(), 1e-9);
    EXPECT_GT(checkpoints[k]["distortion"].get<double>(), 0.0);
    EXPECT_GT(checkpoints[k]["distortion_error"].get<double>(), 0.0);
  }
  // one CSV row per checkpoint and direction
  std::ifstream csv(folder + "/kl_spectrum.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,phase,beta_hat,beta,direction,kl,kl_error");
  int64_t rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  EXPECT_EQ(rows, 4 * 4);

  const nlohmann::json dims = read_json(folder + "/dimensionalities.json");
  EXPECT_EQ(dims["beta_unit"], "GeV");
  ASSERT_EQ(dims["points"].size(), 2u);  // one difference inside each phase
  EXPECT_EQ(dims["points"][0]["from"], 0);
  EXPECT_EQ(dims["points"][1]["from"], 2);

  const nlohmann::json dcorr = read_json(folder + "/correlation_dimension.json");
  EXPECT_EQ(dcorr["points"], 40);
  EXPECT_EQ(dcorr["pairs"], 40 * 39 / 2);
  EXPECT_EQ(dcorr["method"], "exact_emd");

  const nlohmann::json traversal = read_json(folder + "/traversal_step003.json");
  EXPECT_EQ(traversal["phase"], "production");
  EXPECT_EQ(traversal["kind"], "jets");
  ASSERT_EQ(traversal["directions"].size(), 2u);
  EXPECT_EQ(traversal["decoded"].size(), 9u);
  EXPECT_EQ(traversal["decoded"][0].size(), 9u);
  EXPECT_EQ(traversal["decoded"][0][0].size(), 50u);
  EXPECT_EQ(traversal["encoded_means"].size(), 120u);
  ASSERT_EQ(traversal["emds"].size(), 2u);
  EXPECT_EQ(traversal["emds"][0].size(), 8u);
}

TEST_F(JetRunAnalysis, ScoresDecodedAndPriorJetsAgainstTheFloor) {
  // all 120 held-out jets (metrics_jets 2000 by default); a network trained for ten steps decodes
  // jets that JetNet's metrics tell from the truth far beyond the floor of two halves of it
  const auto& metrics = summary_["generative_metrics"];
  ASSERT_FALSE(metrics.is_null());
  EXPECT_EQ(metrics["jets"], 120);
  const auto& floor = metrics["floor"];
  for (const auto& checkpoint : summary_["checkpoints"]) {
    for (const char* sample : {"decoded", "generated"}) {
      const auto& m = checkpoint["generative_metrics"][sample];
      ASSERT_FALSE(m.is_null()) << sample;
      EXPECT_GT(m["fpd"]["value"].get<double>(),
                floor["fpd"]["value"].get<double>() + 3 * floor["fpd"]["error"].get<double>())
          << sample << " step " << checkpoint["step"];
      EXPECT_EQ(m["w1p"].size(), 3u);
      EXPECT_EQ(m["w1efp"].size(), 5u);
    }
  }
}

TEST(MixedLatentRunAnalysis, ScoresJetsDecodedFromEveryBlocksPrior) {
  // a binary and a circular latent beside the Gaussian ones: the prior draws take each block from
  // its own prior (nn::sample_prior), so "generated" is scored at every checkpoint
  TemporaryFolder run("analysis_mixed_latents");
  train::train_vae(tiny_jet_config({"model.binary={priors: [0.5], temperature: 0.3}", "model.circular={dims: 1}",
                                    "schedule.priming.enabled=false"}),
                   run.path());
  const nlohmann::json summary =
      analyze_vae_run(run.path(), run / "analysis",
                      VaeAnalysisOptions().max_rows(60).correlation_points(0).threads(1).traversal_steps({1}));
  ASSERT_EQ(summary["generative_metrics"]["jets"], 60);
  ASSERT_EQ(summary["checkpoints"].size(), 2u);
  for (const auto& checkpoint : summary["checkpoints"]) {
    const auto& generated = checkpoint["generative_metrics"]["generated"];
    ASSERT_TRUE(generated.is_object()) << "step " << checkpoint["step"];
    for (const char* metric : {"w1m", "w1p_mean", "w1efp_mean", "fpd", "kpd"})
      EXPECT_TRUE(std::isfinite(generated[metric]["value"].get<double>())) << metric;
  }
}

TEST_F(JetRunAnalysis, KlSpectrumIsThatOfTheHeldOutRows) {
  const train::VaeConfig config = tiny_jet_config();
  const train::VaeData all = train::VaeData::load(train::VaeDataOptions(config.data).max_rows(0));
  const data::Split split = data::split_rows(400, config.split);
  const at::Tensor held_out = at::cat({split.test, at::arange(400, 420, at::kLong)});
  // the held-out rows share none with the training or validation rows
  for (const at::Tensor& seen : {split.train, split.validation})
    EXPECT_FALSE(at::isin(held_out, seen).any().item<bool>());

  for (int64_t step = 0; step < 4; ++step) {
    train::TrainedVae trained = train::load_trained_vae(run_->path(), "step:" + std::to_string(step));
    const nn::GaussianPosterior posterior = train::encode_rows(*trained.model, all).gaussian;
    const auto spectrum_of = [&](const at::Tensor& rows) {
      return kl_spectrum(posterior.mean.index_select(0, rows), posterior.log_variance.index_select(0, rows));
    };
    const KlSpectrum expected = spectrum_of(held_out);
    const auto& written = summary_["checkpoints"][step];
    const auto kl = written["kl_per_dim"].get<std::vector<double>>();
    const auto kl_error = written["kl_per_dim_error"].get<std::vector<double>>();
    double total = 0;
    for (int64_t i = 0; i < 4; ++i) {
      EXPECT_NEAR(kl[i], expected.kl[i].item<double>(), 1e-6 * (1 + kl[i])) << "step " << step << ", direction " << i;
      EXPECT_NEAR(kl_error[i], expected.kl_error[i].item<double>(), 1e-6 * (1 + kl_error[i]));
      total += kl[i];
    }
    // the total is the model's rate, KL per row as training computes it (float32)
    EXPECT_NEAR(written["kl"].get<double>(), total, 1e-6 * (1 + total));
    // the training rows give other numbers: the comparison above can tell them apart
    EXPECT_GT(std::abs(spectrum_of(split.train).kl.sum().item<double>() - total), 1e-4);
  }
}

/// The linear VAE of the paper's appendix on σ̄ = (2, 1, 0.5, 0.25), with a test split to analyse:
/// β_m = 0.25 · 2^(−5/4) · √2^m, m = 0…10 (0.105 … 3.36), two grid points on each side of every σ̄ᵢ.
train::VaeConfig linear_vae_config() {
  const double log10_first = std::log10(0.25) - 1.25 * std::log10(2.0);
  return train::parse_vae_config(
      "", {"data.source=toy:gaussian:2,1,0.5,0.25?n=40000&seed=1",
           "data.split={train: 0.5, validation: 0.25, test: 0.25}", "model.latent_dim=4", "train.threads=1",
           "train.batch_size=500", "train.steps_per_epoch=100", "train.max_epochs=40",
           "train.validation_batch_size=10000", "train.reduce_lr.patience=2", "train.reduce_lr.min_delta=1e-5",
           "train.early_stopping.patience=4", "schedule.priming.enabled=false", "schedule.zigzag.legs=0",
           "schedule.production.learning_rate=0.01", "schedule.grid.points=11",
           "schedule.grid.log10_first=" + std::to_string(log10_first),
           "schedule.grid.log10_step=" + std::to_string(0.5 * std::log10(2.0))});
}

int active_directions(double beta) {
  const std::vector<double> sigma = {2.0, 1.0, 0.5, 0.25};
  return static_cast<int>(std::count_if(sigma.begin(), sigma.end(), [beta](double s) { return s > beta; }));
}

// At the optimum KLᵢ = max(0, ln(σ̄ᵢ/β)) and Dᵢ = min(β², σ̄ᵢ²), so between neighbours with the
// same n directions active D1 = D2 = n exactly. The trained model reaches the optimum's KL to
// ~0.05 nats per direction (the appendix test's tolerance); over Δln β = ln √2 that is up to
// ±0.15 in D1 when the two neighbours err in opposite directions, and the held-out rows add the
// reported statistical error σ. Hence |D − n| < 0.2 + 3σ.
TEST(LinearVaeRunAnalysis, DimensionalitiesCountTheActiveDirections) {
  TemporaryFolder run("analysis_linear_vae");
  train::train_vae(linear_vae_config(), run.path());
  const nlohmann::json summary =
      analyze_vae_run(run.path(), run / "analysis", VaeAnalysisOptions().correlation_points(2000).threads(1));
  EXPECT_EQ(summary["kind"], "vectors");
  EXPECT_EQ(summary["rows"], 10000);
  EXPECT_EQ(summary["energy_scale_GeV"], 1.0);
  const auto& checkpoints = summary["checkpoints"];
  ASSERT_EQ(checkpoints.size(), 11u);
  const nlohmann::json dims = read_json(run / "analysis/dimensionalities.json");
  ASSERT_EQ(dims["points"].size(), 10u);
  std::vector<int> counts_checked;
  for (const auto& point : dims["points"]) {
    const double beta_from = checkpoints[point["from"].get<size_t>()]["beta"];
    const double beta_to = checkpoints[point["to"].get<size_t>()]["beta"];
    const int n = active_directions(beta_from);
    std::printf("beta %.3f -> %.3f: D1 = %.3f +- %.3f, D2 = %.3f +- %.3f (active %d)\n", beta_from, beta_to,
                point["d1"].get<double>(), point["d1_error"].get<double>(), point["d2"].get<double>(),
                point["d2_error"].get<double>(), n);
    if (n != active_directions(beta_to)) continue;
    EXPECT_NEAR(point["d1"].get<double>(), n, 0.2 + 3 * point["d1_error"].get<double>()) << "beta " << beta_from;
    EXPECT_NEAR(point["d2"].get<double>(), n, 0.2 + 3 * point["d2_error"].get<double>()) << "beta " << beta_from;
    counts_checked.push_back(n);
  }
  std::sort(counts_checked.begin(), counts_checked.end());
  counts_checked.erase(std::unique(counts_checked.begin(), counts_checked.end()), counts_checked.end());
  EXPECT_EQ(counts_checked, (std::vector<int>{0, 1, 2, 3, 4}));
  // by default every production checkpoint with an informative direction gets a traversal (9: all
  // but those above β = 2, where every direction has collapsed), and the largest β, the collapsed end
  EXPECT_EQ(summary["traversals"].size(), 10u);
  EXPECT_TRUE(summary["latent_physics"].empty());  // toy vectors have no physics table
  const nlohmann::json dcorr = read_json(run / "analysis/correlation_dimension.json");
  EXPECT_EQ(dcorr["method"], "euclidean");
}

TEST(VaeRunAnalysisErrors, NamesTheFolderWithoutARun) {
  TemporaryFolder empty("analysis_empty");
  fs::create_directories(empty.path());
  try {
    analyze_vae_run(empty.path(), empty / "analysis");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(empty.path()), std::string::npos) << e.what();
  }
}

TEST(VaeRunAnalysisErrors, NamesDataThatDoesNotFitTheModel) {
  TemporaryFolder run("analysis_toy");
  train::train_vae(train::parse_vae_config("", {"data.source=toy:gaussian:1,0.5?n=400&seed=2", "model.latent_dim=2",
                                                "train.threads=1", "train.steps_per_epoch=2", "train.max_epochs=1",
                                                "schedule.grid.points=1", "schedule.zigzag.legs=0",
                                                "schedule.priming.enabled=false"}),
                   run.path());
  try {
    analyze_vae_run(run.path(), run / "analysis", VaeAnalysisOptions().data(kJets));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(kJets), std::string::npos) << e.what();
  }
  EXPECT_THROW(analyze_vae_run(run.path(), run / "analysis", VaeAnalysisOptions().traversal_directions(4)),
               InvalidArgument);
  // a toy with another seed is held out entirely and analysed
  const nlohmann::json summary = analyze_vae_run(
      run.path(), run / "analysis", VaeAnalysisOptions().data("toy:gaussian:1,0.5?n=300&seed=9").correlation_points(0));
  EXPECT_EQ(summary["rows"], 300);
  EXPECT_TRUE(summary["correlation_dimension"].is_null());
  EXPECT_EQ(summary["traversals"].size(), 1u);
}

}  // namespace
}  // namespace otae::analysis
