// The VAE configuration: the shipped files, dotted overrides, unknown keys and bad values (a range
// error naming key, value and range), and the written configuration reading back to the same run.
#include <gtest/gtest.h>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/train/vae_config.hpp"

namespace otae::train {
namespace {

const std::string kConfigs = std::string(OTAE_SOURCE_DIR) + "/configs/vae/";

constexpr auto error_of = &otae::testing::message_of<ConfigError>;

TEST(VaeConfig, PaperYamlSpellsOutTheDefaults) {
  EXPECT_EQ(to_yaml(load_vae_config(kConfigs + "paper.yaml")), to_yaml(VaeConfig{}));
}

TEST(VaeConfig, QuickYamlIsSmallAndShort) {
  const VaeConfig quick = load_vae_config(kConfigs + "quick.yaml");
  EXPECT_LE(quick.model.latent_dim(), 32);
  for (int64_t w : quick.model.particle_widths()) EXPECT_LE(w, 128);
  EXPECT_LE(beta_schedule(quick.schedule).size(), 12u);
  EXPECT_EQ(quick.train.batch_size(), 100);
}

TEST(VaeConfig, OverridesTakeDottedKeysAndYamlValues) {
  const VaeConfig c = parse_vae_config("train: {batch_size: 64}\n",
                                       {"train.batch_size=50", "model.jet_widths=[32, 16]", "schedule.zigzag.legs=0",
                                        "data.source=toy:gaussian:2,1", "loss.sinkhorn.position_gradient=frozen_plan"});
  EXPECT_EQ(c.train.batch_size(), 50);
  EXPECT_EQ(c.model.jet_widths(), (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(c.schedule.zigzag_legs(), 0);
  EXPECT_EQ(c.data.source(), "toy:gaussian:2,1");
  EXPECT_EQ(c.sinkhorn.position_gradient(), ot::PositionGradient::kFrozenPlan);
  EXPECT_EQ(c.train.max_epochs(), 50);  // untouched keys keep the paper's values
}

TEST(VaeConfig, UnknownKeysAreNamed) {
  EXPECT_NE(error_of([] { parse_vae_config("train:\n  batchsize: 5\n"); }).find("'train.batchsize'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("", {"schedule.zigzag.leg=3"}); }).find("'schedule.zigzag.leg'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("optimiser: adam\n"); }).find("'optimiser'"), std::string::npos);
}

TEST(VaeConfig, BadValuesAreNamed) {
  EXPECT_NE(error_of([] { parse_vae_config("", {"train.batch_size=many"}); }).find("train.batch_size"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("", {"train.batch_size=0"}); }).find("train.batch_size"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("", {"model.latent_dim=0"}); }).find("latent_dim"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("", {"data.split.train=0.95"}); }).find("data.split"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("model: [1, 2]\n"); }).find("'model'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("train: {seed: [1}\n"); }).find("line"), std::string::npos);
  EXPECT_THROW(parse_vae_config("", {"no_equals_sign"}), ConfigError);
  EXPECT_THROW(load_vae_config(kConfigs + "missing.yaml"), IoError);
}

TEST(VaeConfig, RangeErrorsNameTheKeyTheValueAndTheRange) {
  EXPECT_EQ(error_of([] { parse_vae_config("", {"train.max_epochs=0"}); }),
            "configuration key 'train.max_epochs' must be >= 1, received 0");
  VaeConfig config;  // built in code: validate checks it against the same table
  config.data.max_rows(-3);
  EXPECT_EQ(error_of([&] { config.validate(); }), "configuration key 'data.max_rows' must be >= 0, received -3");
}

TEST(VaeConfig, WrittenConfigurationReadsBackBitForBit) {
  VaeConfig c = parse_vae_config("", {"train.reduce_lr.factor=0.1234567890123456789", "schedule.grid.log10_step=0.3",
                                      "model.vector.encoder_widths=[3]"});
  c.data.source("runs/a file: with # odd [characters].h5");
  const VaeConfig again = parse_vae_config(to_yaml(c));
  EXPECT_EQ(to_yaml(again), to_yaml(c));
  EXPECT_EQ(again.reduce_lr.factor(), c.reduce_lr.factor());
  EXPECT_EQ(again.data.source(), c.data.source());
}

TEST(VaeConfig, BinaryAndCircularLatentsReadBackAndAreChecked) {
  const VaeConfig c = parse_vae_config(
      "", {"model.binary.priors=[5e-4, 0.005, 0.05, 0.5]", "model.latent_dim=4", "loss.binary_kl.anneal_steps=3"});
  EXPECT_EQ(c.model.binary_priors(), (std::vector<double>{5e-4, 0.005, 0.05, 0.5}));
  EXPECT_EQ(c.model.emd_vae().decoder().latent_dim(), 8);
  EXPECT_EQ(parse_vae_config(to_yaml(c)).model.binary_priors(), c.model.binary_priors());
  EXPECT_EQ(parse_vae_config(to_yaml(c)).binary_kl.anneal_steps(), 3);
  EXPECT_NE(error_of([] { parse_vae_config("", {"model.binary.priors=[0.5, 1]"}); }).find("model.binary"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("", {"model.binary.priors=0.5"}); }).find("a list of numbers"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_vae_config("", {"loss.binary_kl.weight=-1"}); }).find("loss.binary_kl"),
            std::string::npos);
  EXPECT_EQ(load_vae_config(kConfigs + "top_qcd.yaml").model.binary_priors().size(), 1u);
  const VaeConfig circular = parse_vae_config("", {"model.circular.dims=2", "model.latent_dim=3"});
  EXPECT_EQ(circular.model.emd_vae().decoder().latent_dim(), 3 + 2 * 2);
  EXPECT_EQ(circular.model.dense_vae(2).mixed_latents().circular_dim(), 2);
  EXPECT_NE(error_of([] { parse_vae_config("", {"model.circular.dims=-1"}); }).find("model.circular"),
            std::string::npos);
  EXPECT_EQ(load_vae_config(kConfigs + "circle.yaml").model.circular_dim(), 1);
}

}  // namespace
}  // namespace otae::train
