// OTUS evaluation: invariant masses of hand-made events, the tt̄ jet assignment, and the metrics
// of a small trained run: layout, floor and identity as computed by hand, determinism.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "otae/analysis/generative_metrics.hpp"
#include "otae/analysis/otus_evaluation.hpp"
#include "otae/analysis/otus_observables.hpp"
#include "otae/analysis/otus_runs.hpp"
#include "otae/base/files.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/layouts.hpp"
#include "otae/base/error.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/split.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/train/config_file.hpp"

namespace {

namespace analysis = otae::analysis;
namespace train = otae::train;
namespace data = otae::data;

/// Massless four-vector (px, py, pz, E) from (pT, η, φ).
std::vector<double> massless(double pt, double eta, double phi) {
  return {pt * std::cos(phi), pt * std::sin(phi), pt * std::sinh(eta), pt * std::cosh(eta)};
}

at::Tensor event_of(const std::vector<std::vector<double>>& objects) {
  std::vector<double> row;
  for (const auto& o : objects) row.insert(row.end(), o.begin(), o.end());
  return at::tensor(row, at::kDouble).view({1, -1});
}

const analysis::EventObservable& find(const std::vector<analysis::EventObservable>& all, const std::string& name) {
  for (const auto& o : all)
    if (o.name == name) return o;
  throw std::runtime_error("no observable " + name);
}

TEST(OtusObservables, BackToBackElectronsMakeTheirSummedEnergy) {
  const at::Tensor event = event_of({massless(45, 0.3, 0.1), massless(45, -0.3, 0.1 + M_PI)});
  const auto observables = analysis::event_observables({"e-", "e+"});
  ASSERT_EQ(observables.size(), 9u);
  // m² = 2 pT² (cosh Δη − cos Δφ) for massless objects
  const double expected = std::sqrt(2 * 45.0 * 45.0 * (std::cosh(0.6) + 1.0));
  EXPECT_NEAR(find(observables, "M_ee").compute(event).item<double>(), expected, 1e-9);
  EXPECT_NEAR(find(observables, "e+_px").compute(event).item<double>(), 45 * std::cos(0.1 + M_PI), 1e-9);
  EXPECT_THROW(analysis::invariant_mass(event, {2}), otae::InvalidArgument);
}

TEST(OtusObservables, TtbarDetectorAssignmentFindsTheW) {
  // jets 2 and 4 (indices 1, 3) form an 80.4 GeV pair; jet 3 (index 2) completes the top
  const double pt_w = 80.4 / 2;  // back-to-back at η = 0: m = 2 pT
  const auto j_a = massless(pt_w, 0.0, 0.0), j_b = massless(pt_w, 0.0, M_PI);
  const auto j_top = massless(60, 1.0, 1.0), j_lep = massless(50, -1.5, -2.0);
  const auto electron = massless(40, 0.5, 2.5), met = std::vector<double>{30, -10, 0, std::sqrt(1000.0)};
  const at::Tensor event = event_of({electron, met, j_lep, j_a, j_top, j_b});
  const auto observables = analysis::event_observables({"e-", "MET", "jet1", "jet2", "jet3", "jet4"});
  EXPECT_NEAR(find(observables, "M_W_had").compute(event).item<double>(), 80.4, 1e-9);
  const double t_had = analysis::invariant_mass(event, {3, 4, 5}).item<double>();
  const double t_wrong = analysis::invariant_mass(event, {2, 3, 5}).item<double>();
  const double expected = std::abs(t_had - 172.5) <= std::abs(t_wrong - 172.5) ? t_had : t_wrong;
  EXPECT_NEAR(find(observables, "M_t_had").compute(event).item<double>(), expected, 1e-9);
  EXPECT_NEAR(find(observables, "M_W_lep").compute(event).item<double>(),
              analysis::invariant_mass(event, {0, 1}).item<double>(), 1e-9);
  EXPECT_NEAR(find(observables, "M_tt").compute(event).item<double>(),
              analysis::invariant_mass(event, {0, 1, 2, 3, 4, 5}).item<double>(), 1e-9);
}

TEST(OtusObservables, JetsOfAnEventAreACloudOfPtEtaPhi) {
  const at::Tensor event = event_of({massless(40, 0.5, 2.5), std::vector<double>{30, -10, 0, std::sqrt(1000.0)},
                                     massless(120, -1.2, 3.0), massless(60, 0.4, -2.0)});
  const std::vector<std::string> objects = {"e-", "MET", "jet1", "jet2"};
  const std::vector<int64_t> jets = analysis::jet_object_indices(objects);
  EXPECT_EQ(jets, (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(analysis::jet_object_indices({"e-", "e+"}).empty());
  const at::Tensor cloud = analysis::object_clouds(event, jets);
  ASSERT_EQ(cloud.sizes(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(cloud.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::allclose(cloud[0][0], at::tensor({120.0f, -1.2f, 3.0f}), 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(cloud[0][1], at::tensor({60.0f, 0.4f, -2.0f}), 1e-5, 1e-5));
  EXPECT_THROW(analysis::object_clouds(event, {4}), otae::InvalidArgument);
}

// Known answers: an unfolder that returns z + 1 GeV in px has no width and a mean of 1 GeV there;
// one that returns x is the identity; the mean of two draws x ± d is x.
TEST(OtusEvaluation, PerEventUnfoldingAgainstTheIdentity) {
  at::manual_seed(2);
  const at::Tensor z = at::randn({4000, 8}, at::kDouble) * 30 + 60;
  const at::Tensor x = z + at::randn({4000, 8}, at::kDouble) * 2.0;
  at::Tensor shifted = z.clone();
  shifted.select(1, 0).add_(1.0);
  const auto table = analysis::per_event_unfolding(z, x, {shifted}, {"e-", "e+"});
  ASSERT_EQ(table.size(), 9u);
  EXPECT_EQ(table[0].name, "e-_px");
  EXPECT_NEAR(table[0].model.mean, 1.0, 1e-9);
  EXPECT_NEAR(table[0].model.width, 0.0, 1e-9);
  // the identity's width of a N(0, 2²) difference: half the 16–84 % interval ≈ 2 (σ of the estimate ≈ 0.04)
  EXPECT_NEAR(table[0].identity.width, 2.0, 0.12);
  const at::Tensor d = at::randn({4000, 8}, at::kDouble) * 5.0;
  const auto same = analysis::per_event_unfolding(z, x, {x + d, x - d}, {"e-", "e+"});
  for (size_t i = 0; i < 8; ++i)  // the components, linear in the event (M_ee is not: E[M(z̃)] ≠ M(E[z̃]))
    EXPECT_NEAR(same[i].model.width, same[i].identity.width, 1e-9) << i;
  EXPECT_NEAR(same[0].width_difference_error, 0.0, 1e-9);  // the same widths on every resample
  // the error of width(model) − width(identity) for a model twice as wide: bootstrap over 4,000 events
  // against 1,000, ~1/√N; and independent of nothing but the seed
  const at::Tensor wide = z + (x - z) * 2.0;
  const double error_4000 = analysis::per_event_unfolding(z, x, {wide}, {"e-", "e+"})[0].width_difference_error;
  const double error_1000 = analysis::per_event_unfolding(z.narrow(0, 0, 1000), x.narrow(0, 0, 1000),
                                                          {wide.narrow(0, 0, 1000)}, {"e-", "e+"})[0].width_difference_error;
  EXPECT_GT(error_4000, 0.01);
  EXPECT_NEAR(error_1000 / error_4000, 2.0, 0.5);
  EXPECT_EQ(analysis::per_event_unfolding(z, x, {wide}, {"e-", "e+"})[0].width_difference_error, error_4000);
  EXPECT_THROW(analysis::per_event_unfolding(z, x, {x}, {"e-", "e+"}, 1), otae::InvalidArgument);
  EXPECT_THROW(analysis::per_event_unfolding(z, x, {}, {"e-", "e+"}), otae::InvalidArgument);
  EXPECT_THROW(analysis::per_event_unfolding(z, x.narrow(1, 0, 4), {x}, {"e-", "e+"}), otae::InvalidArgument);
}

TEST(OtusEvaluation, SmallRunAgainstFloorAndIdentity) {
  const std::string sample = std::string(OTAE_SOURCE_DIR) + "/samples/zee_small.h5";
  const data::EventPairs events = data::load_event_pairs(sample);
  YAML::Node tree = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/zee_quick.yaml");
  train::apply_overrides(tree, {"phases.0.epochs=1", "phases.1.epochs=1", "training.threads=1", "loss.slices=20",
                                "data.max_train_events=2000"});
  const auto folder = (std::filesystem::temp_directory_path() / "otae_test_otus_evaluation").string();
  std::filesystem::remove_all(folder);
  train::OtusModel model = train::train_otus(train::parse_otus_config(tree), events, sample, folder,
                                             train::OtusTrainOptions().show_progress(false));
  const at::Tensor rows = data::split_rows(events.size(), model.config.split).test.narrow(0, 0, 2000);
  const auto options = analysis::OtusEvaluationOptions().slices(100).seed(3).histogram_bins(20).transfer_bins(5);
  const analysis::OtusEvaluation e = analysis::evaluate_otus(model, events, rows, {"e-", "e+"}, {"e-", "e+"}, options);
  const auto& m = e.metrics;
  EXPECT_EQ(m.half_events, 1000);
  // the identity simulator compares x_B with z_A: recompute one of its KS values by hand
  const analysis::ObservableComparison& mass = m.detector_observables.back();
  ASSERT_EQ(mass.name, "M_ee");
  const double ks_identity = otae::ot::kolmogorov_smirnov(analysis::invariant_mass(e.x_b, {0, 1}),
                                                          analysis::invariant_mass(e.z_a, {0, 1})).statistic;
  ASSERT_TRUE(mass.comparisons.at("identity").has_value());
  EXPECT_DOUBLE_EQ(mass.comparisons.at("identity")->ks, ks_identity);
  const analysis::SlicedWassersteinTasks& sw = m.sliced_wasserstein_gev2;
  for (const auto* figures : {&sw.unfolding, &sw.reconstruction, &sw.simulation})
    for (double value : {figures->model, figures->floor, figures->identity}) EXPECT_TRUE(std::isfinite(value));
  ASSERT_TRUE(m.transfer_function.has_value());
  EXPECT_EQ(m.transfer_function->curves.size(), 10u);  // e-, e+ × (E, pT, eta, phi, E by |eta|)
  EXPECT_EQ(m.transfer_function->summary.bins, 10 * 5);
  // the mass response in 10 quantile windows of M(z), every one trained (no parton mass window)
  ASSERT_TRUE(m.mass_response.has_value());
  EXPECT_EQ(m.mass_response->windows.size(), 10u);
  EXPECT_EQ(m.mass_response->untrained_windows, 0);
  EXPECT_GT(m.mass_response->windows[5].truth.width, 0.1);  // GeV
  // the verdicts carry the table's numbers, and every figure has one
  const auto& verdicts = m.verdicts.rows;
  // SW 2 units × 3; KS of 9 observables × 3 comparisons; per-event unfolding width of 9 observables
  EXPECT_EQ(verdicts.size(), 6u + 3u * 9u + 9u);
  ASSERT_EQ(m.unfolding_per_event.size(), 9u);
  EXPECT_EQ(m.unfolding_per_event.back().name, "M_ee");
  EXPECT_GT(m.unfolding_per_event.back().identity.width, 0.3);  // x − z of M_ee [GeV]
  const auto mass_row = std::find_if(verdicts.begin(), verdicts.end(),
                                     [](const analysis::OtusVerdictRow& r) { return r.figure == "KS M_ee simulation"; });
  ASSERT_NE(mass_row, verdicts.end());
  EXPECT_DOUBLE_EQ(mass_row->identity, ks_identity);
  EXPECT_EQ(mass.histogram_edges.size(), 21u);
  EXPECT_FALSE(m.jetnet.has_value());  // Z→ee: no jets on the detector side
  // metrics.json's layout: the typed metrics written under the keys the Python readers use
  const nlohmann::json json = analysis::to_json(m);
  EXPECT_TRUE(json["jetnet"].is_null());
  EXPECT_EQ(json["events"]["half"].get<int64_t>(), 1000);
  EXPECT_DOUBLE_EQ(json["observables"]["detector"].back()["comparisons"]["identity"]["ks"].get<double>(), ks_identity);
  EXPECT_EQ(json["transfer_function"]["summary"]["bins"].get<int64_t>(), 10 * 5);
  EXPECT_EQ(json["mass_response"]["windows"].size(), 10u);
  EXPECT_EQ(json["verdicts"]["rows"].size(), verdicts.size());
  EXPECT_EQ(json["unfolding_per_event"].size(), 9u);
  const analysis::OtusEvaluation again = analysis::evaluate_otus(model, events, rows, {"e-", "e+"}, {"e-", "e+"}, options);
  EXPECT_EQ(analysis::to_json(again.metrics).dump(), json.dump());
  EXPECT_THROW(analysis::evaluate_otus(model, events, rows, {"e-"}, {"e-", "e+"}, options), otae::InvalidArgument);
}

TEST(OtusEvaluation, TtbarJetsAreScoredWithJetNetsMetricsBesideTheFloor) {
  const std::string sample = std::string(OTAE_SOURCE_DIR) + "/samples/ttbar_small.h5";
  const data::EventPairs events = data::load_event_pairs(sample);
  YAML::Node tree = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/ttbar_quick.yaml");
  train::apply_overrides(tree, {"phases.0.epochs=1", "phases.1.epochs=1", "training.threads=1", "loss.slices=20",
                                "data.max_train_events=1000"});
  const auto folder = (std::filesystem::temp_directory_path() / "otae_test_otus_ttbar_jetnet").string();
  std::filesystem::remove_all(folder);
  train::OtusModel model = train::train_otus(train::parse_otus_config(tree), events, sample, folder,
                                             train::OtusTrainOptions().show_progress(false));
  const at::Tensor rows = data::split_rows(events.size(), model.config.split).test.narrow(0, 0, 1000);
  const std::vector<std::string> z_objects = data::event_object_names(sample, "z");
  const std::vector<std::string> x_objects = data::event_object_names(sample, "x");
  const auto options = analysis::OtusEvaluationOptions().slices(50).seed(3).histogram_bins(20).transfer_bins(5);
  const analysis::OtusEvaluation e = analysis::evaluate_otus(model, events, rows, z_objects, x_objects, options);
  ASSERT_TRUE(e.metrics.jetnet.has_value());
  const analysis::OtusJetNet& jetnet = *e.metrics.jetnet;
  EXPECT_EQ(jetnet.objects, (std::vector<std::string>{"jet1", "jet2", "jet3", "jet4"}));
  EXPECT_EQ(jetnet.events, 500);
  ASSERT_TRUE(jetnet.simulation.has_value());
  ASSERT_TRUE(jetnet.floor.has_value());
  for (const auto& [sample_name, metrics] : {std::pair{"simulation", *jetnet.simulation}, std::pair{"floor", *jetnet.floor}})
    for (const auto& [metric, value] : {std::pair{"w1m", metrics.w1m}, std::pair{"w1p_mean", metrics.w1p_mean},
                                        std::pair{"w1efp_mean", metrics.w1efp_mean}, std::pair{"fpd", metrics.fpd},
                                        std::pair{"kpd", metrics.kpd}}) {
      EXPECT_TRUE(std::isfinite(value.value)) << sample_name << " " << metric;
      EXPECT_TRUE(std::isfinite(value.error)) << sample_name << " " << metric;
    }
  // the floor is x_A's jets against x_B's, as generative_metrics computes it on the clouds
  const std::vector<int64_t> jets = {2, 3, 4, 5};
  const analysis::GenerativeMetrics floor = analysis::generative_metrics(
      analysis::jetnet_features(analysis::object_clouds(e.x_b, jets), "x_B"),
      analysis::jetnet_features(analysis::object_clouds(e.x_a, jets), "x_A"),
      analysis::GenerativeMetricsOptions::scaled_to(500).seed(3));
  EXPECT_DOUBLE_EQ(jetnet.floor->fpd.value, floor.fpd.value);
  EXPECT_DOUBLE_EQ(jetnet.floor->w1m.value, floor.w1m.value);
  EXPECT_DOUBLE_EQ(analysis::to_json(e.metrics)["jetnet"]["floor"]["fpd"]["value"].get<double>(), floor.fpd.value);
  // a decoder trained for one epoch is further from x_B's jets than x_A is
  EXPECT_GT(jetnet.simulation->fpd.value, jetnet.floor->fpd.value);
  // the console's table: one line per metric, the simulation beside the floor
  const std::string table = analysis::format_otus_jetnet(jetnet);
  char fpd_line[128];
  std::snprintf(fpd_line, sizeof fpd_line, "%.4g ± %.2g", floor.fpd.value, floor.fpd.error);
  EXPECT_NE(table.find("jet1, jet2, jet3, jet4"), std::string::npos) << table;
  EXPECT_NE(table.find(fpd_line), std::string::npos) << table;
  for (const char* label : {"W1M", "W1P mean", "W1EFP mean", "FPD", "KPD"})
    EXPECT_NE(table.find(std::string("\n  ") + label + " "), std::string::npos) << label << "\n" << table;
  // 3 events in B are too few to scale the metrics' samples to: no entry, not an error
  const analysis::OtusEvaluation few =
      analysis::evaluate_otus(model, events, rows.narrow(0, 0, 6), z_objects, x_objects, options);
  EXPECT_FALSE(few.metrics.jetnet.has_value());
}

/// The tiny run of the tests below, trained from files as `otae otus train` does.
train::OtusRunFiles tiny_run(const std::string& folder) {
  std::filesystem::remove_all(folder);
  return {std::string(OTAE_SOURCE_DIR) + "/configs/otus/zee_quick.yaml",
          {"phases.0.epochs=1", "phases.1.epochs=1", "training.threads=1", "loss.slices=20",
           "data.max_train_events=1000"},
          std::string(OTAE_SOURCE_DIR) + "/samples/zee_small.h5",
          "",
          folder};
}

TEST(OtusRunEvaluation, WritesMetricsAndSamplesAsEvaluateOtusComputesThem) {
  const auto folder = (std::filesystem::temp_directory_path() / "otae_test_otus_run_evaluation").string();
  const train::OtusRunFiles files = tiny_run(folder);
  train::OtusModel model = train::train_otus_run(files, train::OtusTrainOptions().show_progress(false));
  EXPECT_EQ(model.run.data, std::filesystem::absolute(files.data).string());
  const auto evaluation = analysis::OtusEvaluationOptions().slices(50).histogram_bins(20).transfer_bins(5).unfolding_draws(2);
  const analysis::OtusRunEvaluation written = analysis::evaluate_otus_run(
      folder, files.data, analysis::OtusRunEvaluationOptions().evaluation(evaluation).provenance({{"who", "test"}}));
  EXPECT_EQ(written.folder, folder + "/evaluation");
  // the training file: its test split (50 % of 10,000 rows)
  const data::EventPairs events = data::load_event_pairs(files.data);
  const at::Tensor test = data::split_rows(events.size(), model.config.split).test;
  EXPECT_EQ(written.metrics.test_events, test.size(0));
  const analysis::OtusEvaluation direct =
      analysis::evaluate_otus(model, events, test, {"e-", "e+"}, {"e-", "e+"}, evaluation);
  const nlohmann::json written_json = analysis::to_json(written);
  EXPECT_EQ(written_json["sliced_wasserstein"].dump(), analysis::to_json(direct.metrics)["sliced_wasserstein"].dump());
  EXPECT_EQ(written_json["provenance"]["who"], "test");
  EXPECT_EQ(written_json["checkpoint"], "final");
  const auto on_disk = nlohmann::json::parse(otae::read_text_file(folder + "/evaluation/metrics.json"));
  EXPECT_EQ(on_disk.dump(), written_json.dump());
  const at::Tensor simulated = data::read_array(folder + "/evaluation/samples.h5", "x_tilde_prime");
  EXPECT_TRUE(at::equal(simulated, direct.simulated));
  EXPECT_EQ(data::event_object_names(folder + "/evaluation/samples.h5", "z_tilde"),
            (std::vector<std::string>{"e-", "e+"}));
  // every row when asked
  const auto all_rows = analysis::evaluate_otus_run(
      folder, files.data,
      analysis::OtusRunEvaluationOptions().evaluation(evaluation).rows(analysis::HeldOutRows::kAll).folder(folder + "/all"));
  EXPECT_EQ(all_rows.metrics.test_events, events.size());
}

TEST(OtusSweep, TrainsAndEvaluatesOneRunPerValue) {
  const auto folder = (std::filesystem::temp_directory_path() / "otae_test_otus_sweep").string();
  std::filesystem::remove_all(folder);
  train::OtusRunFiles base = tiny_run(folder + "/unused");
  int evaluated = 0;
  const nlohmann::json sweep = analysis::otus_sweep(
      folder, base,
      analysis::OtusSweepOptions()
          .parameters({"phases.0.weights.latent"})
          .values({"0.5", "2"})
          .label("lambda")
          .slices(20)
          .training(train::OtusTrainOptions().show_progress(false))
          .on_run([&](const analysis::OtusRunEvaluation& run) {
            ++evaluated;
            EXPECT_TRUE(std::filesystem::exists(run.folder + "/metrics.json"));
          }));
  EXPECT_EQ(evaluated, 2);
  ASSERT_EQ(sweep["runs"].size(), 2u);
  EXPECT_EQ(sweep["runs"][1]["run"], "latent_2");
  EXPECT_DOUBLE_EQ(sweep["runs"][0]["value"].get<double>(), 0.5);
  EXPECT_EQ(sweep["label"], "lambda");
  const train::OtusModel second = train::load_otus_model(folder + "/latent_2");
  EXPECT_DOUBLE_EQ(second.config.phases[0].weights.latent(), 2.0);
  EXPECT_EQ(nlohmann::json::parse(otae::read_text_file(folder + "/sweep.json")).dump(), sweep.dump());
  EXPECT_THROW(analysis::otus_sweep(folder, base, analysis::OtusSweepOptions().parameters({"seed"}).values({"x1"})),
               otae::ConfigError);
}

}  // namespace
