// The .npz reader on archives numpy wrote (stored and deflated), the writer read back by it, and
// the EnergyFlow conversion.
#include "otae/data/npz.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "io_test_support.hpp"
#include "npz_fixtures.hpp"
#include "otae/data/external_jets.hpp"

namespace otae::data {
namespace {

using testing::expect_io_error;
using testing::ScratchFolder;

std::string write_file(const ScratchFolder& folder, const std::string& name, const std::string& bytes) {
  const std::string path = folder.file(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

at::Tensor expected_energyflow_x() {
  at::Tensor x = at::zeros({2, 3, 4}, at::kDouble);
  x[0][0] = at::tensor({120.5, 0.1, 6.2, 211.0}, at::kDouble);
  x[0][1] = at::tensor({30.25, -0.2, 0.3, 22.0}, at::kDouble);
  x[1][0] = at::tensor({80.0, 1.0, 3.0, -321.0}, at::kDouble);
  x[1][1] = at::tensor({40.0, 1.1, 3.1, 2112.0}, at::kDouble);
  x[1][2] = at::tensor({10.0, 0.9, 2.9, 11.0}, at::kDouble);
  return x;
}

TEST(Npz, ReadsStoredAndDeflatedArchives) {
  const ScratchFolder folder;
  for (const std::string* bytes : {&testing::kEnergyFlowStored, &testing::kEnergyFlowDeflated}) {
    const std::string path = write_file(folder, "ef.npz", *bytes);
    EXPECT_EQ(list_npz_arrays(path), (std::vector<std::string>{"X", "y"}));
    const at::Tensor x = read_npz_array(path, "X");
    EXPECT_EQ(x.scalar_type(), at::kDouble);
    EXPECT_TRUE(at::equal(x, expected_energyflow_x()));
    EXPECT_TRUE(at::equal(read_npz_array(path, "y"), at::tensor({1.0, 0.0}, at::kDouble)));
  }
}

TEST(Npz, ReadsFortranOrderBigEndianAndBool) {
  const ScratchFolder folder;
  const std::string path = write_file(folder, "layouts.npz", testing::kLayouts);
  EXPECT_TRUE(at::equal(read_npz_array(path, "fortran"), at::arange(6, at::kFloat).reshape({2, 3})));
  EXPECT_TRUE(at::equal(read_npz_array(path, "big_endian"), at::arange(4, at::kInt)));
  EXPECT_TRUE(at::equal(read_npz_array(path, "flags"), at::tensor({1, 0}, at::kByte).to(at::kBool)));
}

TEST(Npz, BadArchivesAreNamed) {
  const ScratchFolder folder;
  const std::string path = write_file(folder, "ef.npz", testing::kEnergyFlowDeflated);
  expect_io_error([&] { read_npz_array(path, "Z"); }, {path, "array 'Z'", "no such array", "X, y"});
  const std::string cut = write_file(folder, "cut.npz", testing::kEnergyFlowDeflated.substr(0, 300));
  expect_io_error([&] { read_npz_array(cut, "X"); }, {cut, "truncated"});
  // Flip bytes inside X's compressed data: zlib must notice.
  std::string corrupt_bytes = testing::kEnergyFlowDeflated;
  for (std::size_t i = 60; i < 90; ++i) corrupt_bytes[i] = static_cast<char>(~corrupt_bytes[i]);
  const std::string corrupt = write_file(folder, "corrupt.npz", corrupt_bytes);
  expect_io_error([&] { read_npz_array(corrupt, "X"); }, {corrupt, "array 'X'"});
  expect_io_error([&] { read_npz_array(folder.file("none.npz"), "X"); }, {"none.npz", "no such file"});
}

TEST(Npz, WrittenArraysReadBackWithTheirDtypesAndShapes) {
  const ScratchFolder folder;
  const std::string path = folder.file("out.npz");
  const at::Tensor x = at::randn({3, 4, 2}, at::kFloat), counts = at::arange(5, at::kLong);
  const at::Tensor flags = at::tensor({1, 0, 1}, at::kByte).to(at::kBool), scalar = at::tensor(2.5, at::kDouble);
  write_npz(path, {{"x", x}, {"counts", counts}, {"flags", flags}, {"scalar", scalar}, {"empty", at::zeros({0, 3})}});
  EXPECT_EQ(list_npz_arrays(path), (std::vector<std::string>{"x", "counts", "flags", "scalar", "empty"}));
  EXPECT_TRUE(at::equal(read_npz_array(path, "x"), x));
  EXPECT_TRUE(at::equal(read_npz_array(path, "counts"), counts));
  EXPECT_TRUE(at::equal(read_npz_array(path, "flags"), flags));
  EXPECT_TRUE(at::equal(read_npz_array(path, "scalar"), scalar));
  EXPECT_EQ(read_npz_array(path, "empty").sizes(), (std::vector<int64_t>{0, 3}));
  // a transposed (non-contiguous) tensor is written in C order as it reads
  write_npz(path, {{"t", x.select(2, 0).t()}});
  EXPECT_TRUE(at::equal(read_npz_array(path, "t"), x.select(2, 0).t()));
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"out.npz"});  // no temporary left behind
}

TEST(Npz, WriterRefusesBadNamesAndDtypesAndLeavesTheOldFile) {
  const ScratchFolder folder;
  const std::string path = folder.file("out.npz");
  write_npz(path, {{"kept", at::ones({2})}});
  expect_io_error([&] { write_npz(path, {{"a", at::ones({2})}, {"a", at::ones({2})}}); }, {path, "array 'a'", "twice"});
  expect_io_error([&] { write_npz(path, {{"", at::ones({2})}}); }, {path, "empty name"});
  expect_io_error([&] { write_npz(path, {{"c", at::ones({2}, at::kComplexFloat)}}); }, {path, "array 'c'", "dtype"});
  expect_io_error([&] { write_npz(folder.file("none/out.npz"), {{"a", at::ones({2})}}); }, {"none/out.npz", "folder"});
  EXPECT_EQ(list_npz_arrays(path), std::vector<std::string>{"kept"});
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"out.npz"});
}

TEST(EnergyFlow, ConvertsRapidityWithPdgMassesAndSorts) {
  const ScratchFolder folder;
  const std::string path = write_file(folder, "ef.npz", testing::kEnergyFlowDeflated);
  const JetTable jets = read_energyflow_npz(path, {"pt", "y", "phi", "pid"});
  ASSERT_EQ(jets.particles.sizes(), (std::vector<int64_t>{2, 3, 3}));
  // Jet 0: a pion at y = 0.1 has η = asinh(mT sinh(y) / pT), slightly above y; φ 6.2 → 6.2 − 2π.
  const double mt = std::sqrt(120.5 * 120.5 + 0.13957 * 0.13957);
  EXPECT_NEAR(jets.particles[0][0][1].item<float>(), std::asinh(mt * std::sinh(0.1) / 120.5), 1e-6);
  EXPECT_NEAR(jets.particles[0][0][2].item<float>(), 6.2 - 2 * M_PI, 1e-6);
  EXPECT_FLOAT_EQ(jets.particles[0][1][1].item<float>(), -0.2f);  // a photon: η = y
  EXPECT_EQ(jets.particles[0][2][0].item<float>(), 0.0f);         // padding stays zero
  EXPECT_EQ(jets.jet[0][4].item<float>(), 2.0f);
  EXPECT_EQ(jets.jet[1][4].item<float>(), 3.0f);
  EXPECT_GT(jets.jet[1][3].item<float>(), 0.0f);  // three particles at different angles: massive
  // Declaring the features in another order reads other numbers: nothing is assumed.
  expect_io_error([&] { read_energyflow_npz(path, {"pt", "y", "phi"}); }, {path, "3 features per particle"});
  EXPECT_THROW(read_energyflow_npz(path, {"pt", "y", "phi", "charge"}), ConfigError);
  EXPECT_THROW(read_energyflow_npz(path, {"pt", "y", "phi", "-"}), ConfigError);  // y needs pid or mass
}

}  // namespace
}  // namespace otae::data
