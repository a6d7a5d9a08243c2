// HDF5 round trips, attributes written by h5py, atomic writes and the errors of bad files.
#include "otae/data/hdf5.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>

#include "io_test_support.hpp"

namespace otae::data {
namespace {

using testing::copy_prefix;
using testing::expect_io_error;
using testing::ScratchFolder;
using testing::shared_data;

const std::string kExpectedJets = shared_data("hepmc/wjets_truth_20ev_expected.h5");

at::Tensor some_jets() {
  at::Tensor jets = at::rand({4, 6, 3}, at::kFloat);
  jets.select(2, 0).mul_(100.0);
  return jets;
}

// Writes a dataset with HDF5 directly, for layouts otae itself refuses to write.
void write_raw(const std::string& path, hid_t type, std::vector<hsize_t> dims, const void* data) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t dataset = H5Dcreate2(file, "particles", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(dataset);
  H5Sclose(space);
  H5Fclose(file);
}

TEST(Hdf5, RoundTripKeepsValuesDtypesAndAttributes) {
  const ScratchFolder folder;
  const std::string path = folder.file("round.h5");
  const at::Tensor jets = some_jets();
  const at::Tensor doubles = at::randn({7}, at::kDouble);
  const at::Tensor counts = at::arange(12, at::kLong).reshape({3, 4});
  const at::Tensor flags = at::arange(5, at::kInt);
  write_arrays(path,
               {{"particles", jets, {{"units", "GeV"}}, {{"columns", {"pt_GeV", "eta", "phi"}}}},
                {"group/doubles", doubles},
                {"counts", counts},
                {"flags", flags}},
               {{"generator", "Pythia 8.311"}, {"command_line", "otae data from-hepmc in.hepmc3 --out x.h5"}},
               {{"objects", {"e-", "e+"}}});

  EXPECT_TRUE(at::equal(read_array(path, "particles"), jets));
  EXPECT_TRUE(at::equal(read_array(path, "group/doubles"), doubles));
  EXPECT_TRUE(at::equal(read_array(path, "counts"), counts));
  EXPECT_EQ(read_array(path, "flags").scalar_type(), at::kInt);
  EXPECT_EQ(list_datasets(path), (std::vector<std::string>{"counts", "flags", "group/doubles", "particles"}));
  EXPECT_TRUE(has_dataset(path, "particles"));
  EXPECT_FALSE(has_dataset(path, "jet"));

  const Attributes root = read_attributes(path);
  EXPECT_EQ(root.at("generator"), "Pythia 8.311");
  EXPECT_EQ(root.at("command_line"), "otae data from-hepmc in.hepmc3 --out x.h5");
  EXPECT_EQ(root.at("objects"), "e-,e+");
  EXPECT_EQ(read_list_attributes(path).at("objects"), (std::vector<std::string>{"e-", "e+"}));
  EXPECT_EQ(read_list_attributes(path).count("generator"), 0u);
  EXPECT_EQ(read_attributes(path, "particles").at("units"), "GeV");
  EXPECT_EQ(read_list_attributes(path, "particles").at("columns"), (std::vector<std::string>{"pt_GeV", "eta", "phi"}));
}

TEST(Hdf5, EmptyAndScalarArraysRoundTrip) {
  const ScratchFolder folder;
  const std::string path = folder.file("empty.h5");
  write_arrays(path, {{"none", at::zeros({0, 50, 3}, at::kFloat)}, {"scalar", at::scalar_tensor(2.5, at::kDouble)}});
  EXPECT_EQ(read_array(path, "none").sizes(), (std::vector<int64_t>{0, 50, 3}));
  EXPECT_EQ(read_array(path, "scalar").item<double>(), 2.5);
}

TEST(Hdf5, ReadsAttributesWrittenByH5py) {
  EXPECT_EQ(read_attributes(kExpectedJets, "jet").at("columns"), "pt_GeV,eta,phi,mass_GeV,n_subjets");
  EXPECT_EQ(read_list_attributes(kExpectedJets, "particles").at("columns"),
            (std::vector<std::string>{"pt_GeV", "eta", "phi"}));
  EXPECT_EQ(read_attributes(shared_data("zee.h5")).at("rows"), "120000");
}

TEST(Hdf5, ReadsTheSharedJets) {
  const at::Tensor jets = read_jet_particles(kExpectedJets);
  EXPECT_EQ(jets.sizes(), (std::vector<int64_t>{20, 50, 3}));
  EXPECT_EQ(jets.scalar_type(), at::kFloat);
  EXPECT_NEAR(jets[0][0][0].item<float>(), 293.8121, 1e-3);
}

TEST(Hdf5, OverwritesAnExistingFileWhole) {
  const ScratchFolder folder;
  const std::string path = folder.file("jets.h5");
  write_arrays(path, {{"particles", some_jets()}, {"old", at::ones({3})}});
  write_arrays(path, {{"particles", some_jets()}});
  EXPECT_EQ(list_datasets(path), std::vector<std::string>{"particles"});
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"jets.h5"});
}

TEST(Hdf5, FailedWriteLeavesTheExistingFileUntouched) {
  const ScratchFolder folder;
  const std::string path = folder.file("jets.h5");
  const at::Tensor jets = some_jets();
  write_arrays(path, {{"particles", jets}});
  const auto bytes_before = std::filesystem::file_size(path);
  // The first dataset is valid, the second is not: nothing may reach `path`.
  expect_io_error([&] { write_arrays(path, {{"particles", some_jets()}, {"phase", at::ones({3}, at::kComplexFloat)}}); },
                  {path, "phase", "unsupported dtype complex64"});
  expect_io_error([&] { write_arrays(path, {{"particles", some_jets()}, {"particles", some_jets()}}); },
                  {path, "particles", "given twice"});
  expect_io_error([&] { write_arrays(path, {{"a", at::ones({2})}}, {{"k", "v"}}, {{"k", {"v"}}}); },
                  {path, "'k'", "both as text and as a list"});
  EXPECT_EQ(std::filesystem::file_size(path), bytes_before);
  EXPECT_TRUE(at::equal(read_array(path, "particles"), jets));
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"jets.h5"});
}

TEST(Hdf5, FailedRenameRemovesTheTemporaryFile) {
  const ScratchFolder folder;
  const std::string target = folder.file("occupied");
  std::filesystem::create_directories(target + "/inside");  // a rename cannot replace a non-empty folder
  expect_io_error([&] { write_arrays(target, {{"particles", some_jets()}}); }, {target, "cannot replace"});
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"occupied"});
}

TEST(Hdf5, WriteIntoMissingOrUnwritableFolderFails) {
  const ScratchFolder folder;
  const std::string missing = folder.file("no/such/folder/jets.h5");
  expect_io_error([&] { write_arrays(missing, {{"particles", some_jets()}}); }, {missing, "does not exist"});
  EXPECT_TRUE(folder.entries().empty());
  // /proc refuses new files even to root, unlike a chmod-ed folder.
  expect_io_error([&] { write_arrays("/proc/otae-jets.h5", {{"particles", some_jets()}}); },
                  {"/proc/otae-jets.h5", "cannot be written"});
  EXPECT_FALSE(std::filesystem::exists("/proc/otae-jets.h5"));
}

TEST(Hdf5, MissingFileAndDatasetAreNamed) {
  const ScratchFolder folder;
  const std::string nowhere = folder.file("nowhere.h5");
  expect_io_error([&] { read_array(nowhere, "particles"); }, {nowhere, "no such file"});
  expect_io_error([&] { has_dataset(nowhere, "particles"); }, {nowhere, "no such file"});
  expect_io_error([&] { read_array(kExpectedJets, "truth"); },
                  {kExpectedJets, "dataset 'truth'", "no such dataset", "jet, particles"});
  expect_io_error([&] { read_attributes(kExpectedJets, "truth"); }, {kExpectedJets, "'truth'", "no such dataset"});
}

TEST(Hdf5, TruncatedAndForeignFilesAreReported) {
  const ScratchFolder folder;
  const std::string truncated = folder.file("truncated.h5");
  copy_prefix(kExpectedJets, truncated, std::filesystem::file_size(kExpectedJets) / 2);
  expect_io_error([&] { read_array(truncated, "particles"); }, {truncated, "truncated or corrupt"});
  expect_io_error([&] { read_jet_particles(truncated); }, {truncated, "truncated or corrupt"});

  const std::string text = folder.file("text.h5");
  std::ofstream(text) << "pt,eta,phi\n1,2,3\n";
  expect_io_error([&] { read_array(text, "particles"); }, {text, "not an HDF5 file"});
  const std::string empty = folder.file("empty.h5");
  std::ofstream{empty};
  expect_io_error([&] { list_datasets(empty); }, {empty, "not an HDF5 file"});
}

TEST(Hdf5, UnsupportedStoredDtypeIsNamed) {
  const ScratchFolder folder;
  const std::string path = folder.file("uint16.h5");
  const std::vector<uint16_t> values(6, 7);
  write_raw(path, H5T_NATIVE_UINT16, {2, 3}, values.data());
  expect_io_error([&] { read_array(path, "particles"); }, {path, "'particles'", "dtype uint16"});
}

TEST(Hdf5, JetValidationNamesJetAndProblem) {
  const ScratchFolder folder;
  const std::string path = folder.file("jets.h5");
  const auto write_and_expect = [&](const at::Tensor& jets, const std::vector<std::string>& fragments) {
    write_arrays(path, {{"particles", jets}});
    std::vector<std::string> all = {path, "dataset 'particles'"};
    all.insert(all.end(), fragments.begin(), fragments.end());
    expect_io_error([&] { read_jet_particles(path); }, all);
  };
  write_and_expect(at::ones({4, 6}), {"shape [4, 6]", "expected [N, M, 3]"});
  write_and_expect(at::ones({4, 6, 4}), {"shape [4, 6, 4]"});
  write_and_expect(at::ones({4, 6, 3}, at::kLong), {"dtype int64", "expected float32 or float64"});

  at::Tensor nan_jets = some_jets();
  nan_jets[2][1][1] = std::nan("");
  write_and_expect(nan_jets, {"jet 2, particle 1", "eta is nan"});
  at::Tensor inf_jets = some_jets();
  inf_jets[3][0][2] = INFINITY;
  write_and_expect(inf_jets, {"jet 3, particle 0", "phi is inf"});
  at::Tensor negative = some_jets();
  negative[1][4][0] = -5.0;
  write_and_expect(negative, {"jet 1", "negative pT (-5 GeV)"});
  at::Tensor empty = some_jets();
  empty[3].select(1, 0).zero_();
  write_and_expect(empty, {"jet 3 is empty"});

  write_arrays(path, {{"particles", some_jets().to(at::kDouble)}});
  EXPECT_EQ(read_jet_particles(path).scalar_type(), at::kFloat);
}

}  // namespace
}  // namespace otae::data
