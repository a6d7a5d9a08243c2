// Datasets, splits and epoch orders: determinism by seed, disjointness, batches without copies,
// z and x drawn independently for unpaired training, and standardisation fitted on the
// training rows only.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/layouts.hpp"
#include "otae/data/jet_dataset.hpp"
#include "otae/data/preprocessing_standardisation.hpp"
#include "otae/data/split.hpp"

namespace otae::data {
namespace {

const std::string kSamples = std::string(OTAE_SOURCE_DIR) + "/samples/";

std::vector<int64_t> values_of(const at::Tensor& rows) {
  const at::Tensor r = rows.contiguous();
  return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
}

using otae::testing::message_of;

// Random-looking jets with a few padding rows per jet, HT around 500 GeV.
at::Tensor some_jets(int64_t n, int64_t m = 10) {
  at::Tensor jets = at::empty({n, m, 3});
  jets.select(2, 0).copy_(at::linspace(1.0, 100.0, n * m).reshape({n, m}));
  jets.select(2, 1).copy_(at::sin(at::arange(n * m, at::kFloat)).reshape({n, m}) * 0.5);
  jets.select(2, 2).copy_(at::cos(at::arange(n * m, at::kFloat) * 0.7).reshape({n, m}) * 3.0);
  jets.narrow(1, m - 2, 2).zero_();
  return jets;
}


TEST(SplitRows, IsDeterministicBySeed) {
  const auto options = SplitOptions().seed(7);
  const Split a = split_rows(1000, options), b = split_rows(1000, options);
  EXPECT_TRUE(at::equal(a.train, b.train));
  EXPECT_TRUE(at::equal(a.validation, b.validation));
  EXPECT_TRUE(at::equal(a.test, b.test));
  EXPECT_FALSE(at::equal(a.train, split_rows(1000, SplitOptions().seed(8)).train));
}

TEST(SplitRows, PartsAreDisjointSortedAndCoverEveryRow) {
  const Split s = split_rows(1001, SplitOptions().train(0.7).validation(0.2).test(0.1).seed(3));
  EXPECT_EQ(s.train.size(0), 701);
  EXPECT_EQ(s.validation.size(0), 200);
  EXPECT_EQ(s.test.size(0), 100);
  std::set<int64_t> seen;
  for (const at::Tensor& part : {s.train, s.validation, s.test}) {
    EXPECT_EQ(part.scalar_type(), at::kLong);
    EXPECT_TRUE(at::equal(part, std::get<0>(part.sort())));
    for (int64_t row : values_of(part)) EXPECT_TRUE(seen.insert(row).second) << "row " << row << " is in two parts";
  }
  EXPECT_EQ(seen.size(), 1001u);
  EXPECT_EQ(*seen.begin(), 0);
  EXPECT_EQ(*seen.rbegin(), 1000);
}

TEST(SplitRows, IsAShuffleNotASlice) {
  // The training rows spread over the whole file rather than being its first 80 %.
  const Split s = split_rows(10000);
  EXPECT_GT(s.test.to(at::kDouble).mean().item<double>(), 4000.0);
  EXPECT_LT(s.test.to(at::kDouble).mean().item<double>(), 6000.0);
  EXPECT_LT(s.train.min().item<int64_t>(), 50);
  EXPECT_GT(s.train.max().item<int64_t>(), 9950);
}

TEST(SplitRows, LeavesRowsOutWhenFractionsSumBelowOne) {
  const Split s = split_rows(1000, SplitOptions().train(0.1).validation(0.05).test(0.0));
  EXPECT_EQ(s.train.size(0), 100);
  EXPECT_EQ(s.validation.size(0), 50);
  EXPECT_EQ(s.test.size(0), 0);
}

TEST(SplitRows, RejectsBadFractionsEchoingThem) {
  EXPECT_NE(message_of([] { split_rows(100, SplitOptions().train(0.9).validation(0.2)); }).find("sum to 1.2"),
            std::string::npos);
  EXPECT_NE(message_of([] { split_rows(100, SplitOptions().validation(-0.1)); }).find("validation"), std::string::npos);
  EXPECT_THROW(split_rows(100, SplitOptions().test(NAN)), InvalidArgument);
  EXPECT_THROW(split_rows(100, SplitOptions().train(1.5)), InvalidArgument);
  EXPECT_NE(message_of([] { split_rows(0); }).find("no rows"), std::string::npos);
}


TEST(SeededPermutation, IsAPermutationPinnedByTheSeed) {
  const at::Tensor p = seeded_permutation(1000, 11);
  EXPECT_TRUE(at::equal(std::get<0>(p.sort()), at::arange(1000, at::kLong)));
  // Pinned: the same numbers on every platform and LibTorch version. The values come from a
  // separate Python implementation of the standard's MT19937-64, Lemire's bounded integers and
  // Fisher–Yates from the last element down.
  EXPECT_EQ(values_of(seeded_permutation(8, 42)), (std::vector<int64_t>{2, 1, 5, 3, 0, 7, 4, 6}));
  EXPECT_EQ(seeded_permutation(0, 1).numel(), 0);
  EXPECT_THROW(seeded_permutation(-1, 1), InvalidArgument);
}

TEST(EpochOrder, IsReproduciblePerEpochAndDiffersAcrossEpochs) {
  const at::Tensor rows = split_rows(5000, SplitOptions().seed(1)).train;
  const at::Tensor epoch3 = epoch_order(rows, 99, 3);
  EXPECT_TRUE(at::equal(epoch3, epoch_order(rows, 99, 3)));
  EXPECT_TRUE(at::equal(std::get<0>(epoch3.sort()), rows)) << "an epoch visits every training row once";
  for (int64_t other : {0, 1, 2, 4, 1000}) {
    const double same = (epoch_order(rows, 99, other) == epoch3).to(at::kDouble).mean().item<double>();
    EXPECT_LT(same, 0.01) << "epoch " << other << " repeats epoch 3's order";
  }
  EXPECT_FALSE(at::equal(epoch3, epoch_order(rows, 100, 3))) << "the seed must matter";
  EXPECT_FALSE(at::equal(epoch3, epoch_order(rows, 99, 3, /*stream=*/1))) << "the stream must matter";
}

TEST(EpochOrder, RejectsBadArguments) {
  EXPECT_THROW(epoch_order(at::arange(10, at::kInt), 0, 0), InvalidArgument);
  EXPECT_THROW(epoch_order(at::zeros({2, 2}, at::kLong), 0, 0), InvalidArgument);
  EXPECT_THROW(epoch_order(at::arange(10, at::kLong), 0, -1), InvalidArgument);
}

TEST(BatchSlices, CutTheOrderIntoViews) {
  const at::Tensor order = at::arange(10, at::kLong);
  const std::vector<at::Tensor> kept = batch_slices(order, 4);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[2].size(0), 2);
  EXPECT_EQ(kept[1].data_ptr<int64_t>(), order.data_ptr<int64_t>() + 4) << "a slice must not copy";
  EXPECT_EQ(batch_slices(order, 4, /*drop_last=*/true).size(), 2u);
  EXPECT_EQ(batch_slices(order, 5, true).size(), 2u);
  EXPECT_THROW(batch_slices(order, 0), InvalidArgument);
}

TEST(CheckRows, NamesTheRowOutOfRange) {
  EXPECT_NE(message_of([] { check_rows(at::tensor({1, 7}, at::kLong), 5, "batch"); }).find("row 7"), std::string::npos);
  EXPECT_THROW(check_rows(at::tensor({-1}, at::kLong), 5, "batch"), InvalidArgument);
  EXPECT_THROW(check_rows(at::empty({0}, at::kLong), 5, "batch"), InvalidArgument);
}


TEST(JetDataset, PreprocessesInPlaceWithoutACopy) {
  at::Tensor jets = some_jets(50);
  const void* storage = jets.data_ptr();
  const at::Tensor expected_ht = jets.select(2, 0).sum(1);
  const JetDataset dataset(jets);
  EXPECT_EQ(dataset.particles().data_ptr(), storage);
  EXPECT_EQ(dataset.size(), 50);
  EXPECT_EQ(dataset.particles_per_jet(), 10);
  EXPECT_TRUE(at::allclose(dataset.ht(), expected_ht));
  EXPECT_TRUE(at::allclose(dataset.particles().select(2, 0).sum(1), at::ones({50}), 0, 1e-6));
}

TEST(JetDataset, ConvertsOtherDtypesWithoutTouchingTheInput) {
  const at::Tensor jets = some_jets(5).to(at::kDouble);
  const at::Tensor before = jets.clone();
  const JetDataset dataset(jets);
  EXPECT_EQ(dataset.particles().scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(jets, before));
}

TEST(JetDataset, MeanHtGivesBetaInGeV) {
  const JetDataset dataset(some_jets(20));
  const at::Tensor rows = at::tensor({0, 5, 19}, at::kLong);
  EXPECT_NEAR(dataset.mean_ht(), dataset.ht().to(at::kDouble).mean().item<double>(), 1e-9);
  EXPECT_NEAR(dataset.mean_ht(rows), dataset.ht().index_select(0, rows).to(at::kDouble).mean().item<double>(), 1e-9);
  EXPECT_GT(dataset.mean_ht(at::tensor({19}, at::kLong)), dataset.mean_ht(at::tensor({0}, at::kLong)));
}

TEST(JetDataset, BatchesGatherRowsWithFeatures) {
  const JetDataset dataset(some_jets(30));
  const at::Tensor rows = at::tensor({29, 3, 3, 10}, at::kLong);
  const JetBatch batch = dataset.batch(rows);
  EXPECT_EQ(batch.particles.sizes(), (at::IntArrayRef{4, 10, 3}));
  EXPECT_EQ(batch.features.sizes(), (at::IntArrayRef{4, 10, 4}));
  EXPECT_TRUE(at::equal(batch.particles[0], dataset.particles()[29]));
  EXPECT_TRUE(at::equal(batch.particles[1], batch.particles[2]));
  EXPECT_FLOAT_EQ(batch.ht[3].item<float>(), dataset.ht()[10].item<float>());
  EXPECT_TRUE(at::equal(batch.features, network_features(batch.particles)));
  EXPECT_NE(batch.particles.data_ptr(), dataset.particles().data_ptr());
}

TEST(JetDataset, RejectsBadJetsAndRows) {
  at::Tensor jets = some_jets(6);
  jets[4].select(1, 0).zero_();
  EXPECT_NE(message_of([&] { JetDataset dataset(jets); }).find("jet 4 is empty"), std::string::npos);
  EXPECT_THROW(JetDataset(at::ones({6, 3})), InvalidArgument);
  const JetDataset dataset(some_jets(6));
  EXPECT_NE(message_of([&] { dataset.batch(at::tensor({0, 6}, at::kLong)); }).find("row 6"), std::string::npos);
  EXPECT_THROW(dataset.batch(at::tensor({0, 1}, at::kInt)), InvalidArgument);
}

TEST(JetDataset, LoadsTheEmbeddedWJets) {
  const JetDataset dataset = load_jet_dataset(kSamples + "wjets_small.h5");
  EXPECT_EQ(dataset.size(), 4000);
  EXPECT_EQ(dataset.particles_per_jet(), 50);
  EXPECT_GT(dataset.mean_ht(), 500.0);
  EXPECT_LT(dataset.mean_ht(), 700.0);
  EXPECT_THROW(load_jet_dataset(kSamples + "no_such_file.h5"), IoError);
}

TEST(JetDataset, AnEpochVisitsTheTrainingJetsOnce) {
  const JetDataset dataset(some_jets(103));
  const Split split = split_rows(dataset.size(), SplitOptions().seed(5));
  std::multiset<int64_t> visited;
  for (const at::Tensor& rows : batch_slices(epoch_order(split.train, 5, 0), 16))
    for (int64_t row : values_of(dataset.batch(rows).rows)) visited.insert(row);
  EXPECT_EQ(std::vector<int64_t>(visited.begin(), visited.end()), values_of(split.train));
}


at::Tensor some_events(int64_t n, int64_t objects, double offset = 0.0) {
  return at::arange(n * 4 * objects, at::kFloat).reshape({n, 4 * objects}) * 0.5 + offset;
}

TEST(EventPairs, ChecksShapesAndValues) {
  EXPECT_NO_THROW(EventPairs(some_events(10, 2), some_events(10, 6)));
  EXPECT_NE(message_of([] { EventPairs(some_events(10, 2), some_events(9, 2)); }).find("10 rows but x has 9"),
            std::string::npos);
  EXPECT_NE(message_of([] { EventPairs(at::ones({10, 7}), some_events(10, 2)); }).find("[10, 7]"), std::string::npos);
  at::Tensor x = some_events(10, 2);
  x[3][5] = NAN;
  EXPECT_NE(message_of([&] { EventPairs(some_events(10, 2), x); }).find("row 3, column 5"), std::string::npos);
}

TEST(EventPairs, PairedBatchesKeepEventsTogether) {
  const EventPairs pairs(some_events(10, 2), some_events(10, 2, 1000.0));
  const EventBatch batch = pairs.paired_batch(at::tensor({4, 1}, at::kLong));
  EXPECT_TRUE(at::equal(batch.z[0], pairs.z()[4]));
  EXPECT_TRUE(at::equal(batch.x[0], pairs.x()[4]));
  const EventBatch unpaired = pairs.unpaired_batch(at::tensor({4, 1}, at::kLong), at::tensor({0, 9}, at::kLong));
  EXPECT_TRUE(at::equal(unpaired.x[1], pairs.x()[9]));
  EXPECT_THROW(pairs.unpaired_batch(at::tensor({4, 1}, at::kLong), at::tensor({0}, at::kLong)), InvalidArgument);
}

// Rows at which an epoch hands the model z and x of the same event.
int64_t coincidences(const UnpairedEpoch& epoch) {
  int64_t same = 0;
  for (size_t b = 0; b < epoch.z_rows.size(); ++b) same += (epoch.z_rows[b] == epoch.x_rows[b]).sum().item<int64_t>();
  return same;
}

TEST(UnpairedEpoch, PairsZWithItsOwnXOnlyAsOftenAsChance) {
  // Two independent uniform orders of n rows agree at a Poisson(1) number of places per epoch,
  // whatever n is; reusing one order for both would agree at all n.
  const at::Tensor train = split_rows(2000, SplitOptions().seed(2)).train;
  const auto options = UnpairedEpochOptions().seed(17).batch_size(64);
  const int64_t epochs = 400;
  int64_t total = 0;
  for (int64_t e = 0; e < epochs; ++e) total += coincidences(unpaired_epoch(train, e, options));
  const double per_epoch = double(total) / double(epochs);
  EXPECT_NEAR(per_epoch, 1.0, 5.0 / std::sqrt(double(epochs))) << "mean coincidences per epoch";
}

TEST(UnpairedEpoch, ZAndXOrdersAreUncorrelated) {
  const at::Tensor train = at::arange(3000, at::kLong);
  const UnpairedEpoch epoch = unpaired_epoch(train, 0, UnpairedEpochOptions().seed(4).batch_size(1000));
  const at::Tensor z = at::cat(epoch.z_rows).to(at::kDouble), x = at::cat(epoch.x_rows).to(at::kDouble);
  const at::Tensor zc = z - z.mean(), xc = x - x.mean();
  const double correlation = ((zc * xc).sum() / (zc.norm() * xc.norm())).item<double>();
  EXPECT_LT(std::abs(correlation), 5.0 / std::sqrt(3000.0));
  EXPECT_TRUE(at::equal(std::get<0>(z.sort()), std::get<0>(x.sort()))) << "both visit every training row";
}

TEST(UnpairedEpoch, IsReproducibleAndChangesWithTheEpoch) {
  const at::Tensor train = at::arange(500, at::kLong);
  const auto options = UnpairedEpochOptions().seed(9).batch_size(100);
  const UnpairedEpoch a = unpaired_epoch(train, 2, options), b = unpaired_epoch(train, 2, options);
  const UnpairedEpoch c = unpaired_epoch(train, 3, options);
  ASSERT_EQ(a.z_rows.size(), 5u);
  EXPECT_TRUE(at::equal(at::cat(a.z_rows), at::cat(b.z_rows)));
  EXPECT_TRUE(at::equal(at::cat(a.x_rows), at::cat(b.x_rows)));
  EXPECT_FALSE(at::equal(at::cat(a.z_rows), at::cat(c.z_rows)));
  EXPECT_FALSE(at::equal(at::cat(a.x_rows), at::cat(c.x_rows)));
}

TEST(UnpairedEpoch, DisjointHalvesNeverShowBothSidesOfAnEvent) {
  const at::Tensor train = split_rows(1001, SplitOptions().seed(6)).train;
  const auto options = UnpairedEpochOptions().seed(3).batch_size(50).sampling(UnpairedSampling::kDisjointHalves);
  std::set<int64_t> z_seen, x_seen;
  for (int64_t e = 0; e < 5; ++e) {
    const UnpairedEpoch epoch = unpaired_epoch(train, e, options);
    for (const at::Tensor& rows : epoch.z_rows) for (int64_t r : values_of(rows)) z_seen.insert(r);
    for (const at::Tensor& rows : epoch.x_rows) for (int64_t r : values_of(rows)) x_seen.insert(r);
  }
  for (int64_t r : z_seen) EXPECT_EQ(x_seen.count(r), 0u) << "event " << r << " seen as z and as x";
  EXPECT_EQ(z_seen.size(), size_t(train.size(0) / 2));
  EXPECT_EQ(x_seen.size(), size_t(train.size(0) / 2));
}

TEST(UnpairedEpoch, RejectsTooFewRows) {
  EXPECT_THROW(unpaired_epoch(at::tensor({3}, at::kLong), 0), InvalidArgument);
  EXPECT_THROW(unpaired_epoch(at::arange(10, at::kLong), 0, UnpairedEpochOptions().batch_size(0)), InvalidArgument);
}


TEST(Standardisation, UsesTheTrainingRowsOnly) {
  // Validation rows are shifted by 1000: statistics over all rows would see it.
  at::manual_seed(1234);
  at::Tensor values = at::randn({400, 3}, at::TensorOptions().dtype(at::kDouble)) * 5.0 + 20.0;
  const Split split = split_rows(400, SplitOptions().seed(1));
  values.index_add_(0, split.validation, at::full({split.validation.size(0), 3}, 1000.0, at::kDouble));
  const Standardisation s = fit_standardisation(values, split.train);
  const at::Tensor training = values.index_select(0, split.train);
  for (int64_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(s.mean[j], training.select(1, j).mean().item<double>(), 1e-9);
    EXPECT_NEAR(s.std_dev[j], training.select(1, j).std(/*unbiased=*/false).item<double>(), 1e-9);
    EXPECT_LT(s.mean[j], 40.0);
  }
  const at::Tensor standardised = s.apply(training);
  EXPECT_TRUE(at::allclose(standardised.mean(0), at::zeros({3}, at::kDouble), 0, 1e-9));
  EXPECT_TRUE(at::allclose(standardised.std(0, false), at::ones({3}, at::kDouble), 0, 1e-9));
}

TEST(Standardisation, InvertsWhatItApplies) {
  const at::Tensor values = some_events(50, 2) * at::linspace(0.1, 3.0, 8);
  const Standardisation s = fit_standardisation(values, at::arange(50, at::kLong));
  const at::Tensor round_trip = s.invert(s.apply(values));
  EXPECT_EQ(round_trip.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::allclose(round_trip, values, 1e-6, 1e-4));
  EXPECT_TRUE(at::allclose(s.apply(values.unsqueeze(0)).squeeze(0), s.apply(values))) << "[..., D] broadcasts";
  EXPECT_THROW(s.apply(at::ones({4, 7})), InvalidArgument);
}

TEST(Standardisation, ShiftsAConstantColumnWithoutDividingByZero) {
  at::Tensor values = some_events(20, 1);
  values.select(1, 2).fill_(0.0f);  // the missing momentum's pz
  const Standardisation s = fit_standardisation(values, at::arange(20, at::kLong));
  EXPECT_EQ(s.std_dev[2], 1.0);
  EXPECT_TRUE(at::isfinite(s.apply(values)).all().item<bool>());
}

TEST(Standardisation, SurvivesTensorsAndJson) {
  const Standardisation s{{1.5, -2.0, 91.2}, {0.5, 3.0, 2.5}};
  const std::vector<at::Tensor> tensors = s.to_tensors();
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors[0].scalar_type(), at::kDouble);
  const Standardisation back = Standardisation::from_tensors(tensors[0], tensors[1]);
  EXPECT_EQ(back.mean, s.mean);
  EXPECT_EQ(back.std_dev, s.std_dev);
  const nlohmann::json json = {{"mean", s.mean}, {"std_dev", s.std_dev}};
  const Standardisation parsed{nlohmann::json::parse(json.dump())["mean"].get<std::vector<double>>(),
                               nlohmann::json::parse(json.dump())["std_dev"].get<std::vector<double>>()};
  EXPECT_EQ(parsed.mean, s.mean);
  EXPECT_EQ(parsed.std_dev, s.std_dev);
  EXPECT_THROW(Standardisation::from_tensors(tensors[0], at::zeros({3}, at::kDouble)), InvalidArgument);
  EXPECT_THROW(Standardisation::from_tensors(tensors[0], at::ones({2}, at::kDouble)), InvalidArgument);
}

TEST(Standardisation, RejectsNonFiniteTrainingValues) {
  at::Tensor values = some_events(10, 1);
  values[2][1] = NAN;
  EXPECT_THROW(fit_standardisation(values, at::arange(10, at::kLong)), InvalidArgument);
  EXPECT_NO_THROW(fit_standardisation(values, at::tensor({0, 1, 3}, at::kLong))) << "row 2 is not training";
  EXPECT_THROW(fit_standardisation(at::ones({10}), at::arange(10, at::kLong)), InvalidArgument);
}

TEST(EventPairs, LoadTheEmbeddedTtbarAndStandardiseIt) {
  const EventPairs pairs = load_event_pairs(kSamples + "ttbar_small.h5");
  ASSERT_EQ(pairs.size(), 5000);
  EXPECT_EQ(pairs.z().size(1), 24);
  const Split split = split_rows(pairs.size());
  const Standardisation x = fit_standardisation(pairs.x(), split.train);
  EXPECT_EQ(x.std_dev[6], 1.0) << "the missing momentum's pz is 0 in every event";
  EXPECT_GT(x.std_dev[4], 10.0) << "its px spreads over tens of GeV";
  EXPECT_TRUE(at::allclose(x.invert(x.apply(pairs.x())), pairs.x(), 1e-5, 1e-3));
}

/// An HDF5 file of events z or x [n, 8] whose rows are (row index, 0, …): each row says where it
/// came from.
std::string numbered_events(const std::string& name, const std::string& dataset, int64_t n) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  at::Tensor events = at::zeros({n, 8});
  events.select(1, 3) = at::arange(n, at::kFloat) + 1;  // E > 0, and E − 1 is the row
  write_arrays(path, {{dataset, events, {}, {{"objects", {"e-", "e+"}}}}});
  return path;
}

TEST(UnpairedSamples, CutTheLargerSampleToTheSmallerInFileOrder) {
  const std::string z_path = numbered_events("otae_unpaired_z.h5", "z", 50);
  const std::string x_path = numbered_events("otae_unpaired_x.h5", "x", 20);
  const UnpairedSamples samples = load_unpaired_events(z_path, x_path, 7);
  EXPECT_EQ(samples.z_in_file, 50);
  EXPECT_EQ(samples.x_in_file, 20);
  ASSERT_EQ(samples.events.size(), 20);
  EXPECT_TRUE(at::equal(samples.events.x().select(1, 3), at::arange(20, at::kFloat) + 1));  // untouched
  const at::Tensor z_rows = samples.events.z().select(1, 3) - 1;
  EXPECT_TRUE(at::equal(z_rows, std::get<0>(z_rows.sort())));                   // in file order
  EXPECT_EQ(std::get<0>(at::_unique(z_rows)).numel(), 20);                      // no row twice
  EXPECT_FALSE(at::equal(z_rows, at::arange(20, at::kFloat)));                  // a random choice, not the first
  EXPECT_TRUE(at::equal(load_unpaired_events(z_path, x_path, 7).events.z(), samples.events.z()));
  EXPECT_FALSE(at::equal(load_unpaired_events(z_path, x_path, 8).events.z(), samples.events.z()));
}

TEST(UnpairedSamples, ObjectNamesComeFromTheAttributeOrTheErrorNamesTheFile) {
  const std::string path = numbered_events("otae_unpaired_names.h5", "z", 4);
  EXPECT_EQ(event_object_names(path, "z"), (std::vector<std::string>{"e-", "e+"}));
  const std::string bare = (std::filesystem::temp_directory_path() / "otae_unpaired_bare.h5").string();
  write_arrays(bare, {{"x", at::ones({4, 8}), {}, {}}});
  const std::string message = message_of<IoError>([&] { event_object_names(bare, "x"); });
  EXPECT_NE(message.find(bare), std::string::npos) << message;
  EXPECT_NE(message.find("'x'"), std::string::npos) << message;
}

}  // namespace
}  // namespace otae::data
