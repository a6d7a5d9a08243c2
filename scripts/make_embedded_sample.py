#!/usr/bin/python3
"""Writes samples/: the small HDF5 files the repository carries, so that tests, examples and a
first `otae` run work without the shared data. Each file holds the first rows of one shared
sample, every dataset and attribute as in the source, plus provenance attributes.

Run from the repository root with the system Python (it needs h5py):
    /usr/bin/python3 scripts/make_embedded_sample.py [--source ../shared/data] [--output samples]
"""
import argparse
import os
import sys

import h5py

# (source file, sample file, rows): the first `rows` rows of every dataset of the source.
SAMPLES = [
    ("wjets.h5", "wjets_small.h5", 4000),
    ("qcdjets.h5", "qcdjets_small.h5", 2000),
    ("topjets.h5", "topjets_small.h5", 2000),
    ("zee.h5", "zee_small.h5", 10000),
    ("ttbar.h5", "ttbar_small.h5", 5000),
]

GZIP_LEVEL = 9  # the files live in git: spend the CPU once to keep the repository small


def copy_attributes(source, target):
    # The stored HDF5 type is kept (variable-length string arrays stay string arrays), so that
    # readers see the same attribute as in the source file.
    for key in source.attrs:
        target.attrs.create(key, source.attrs[key], dtype=source.attrs.get_id(key).dtype)


def create_without_times(path):
    # HDF5 stamps the root group with its creation time unless told not to on the file creation
    # property list; without the stamp, running the script twice gives identical bytes.
    properties = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    properties.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=properties))


def copy_head(source_path, target_path, rows):
    with h5py.File(source_path, "r") as source:
        total = int(next(iter(source.values())).shape[0])
        if any(d.shape[0] != total for d in source.values()):
            sys.exit(f"{source_path}: datasets differ in their number of rows")
        if rows > total:
            sys.exit(f"{source_path}: asked for {rows} rows, the file has {total}")
        partial = target_path + ".part"
        with create_without_times(partial) as target:
            copy_attributes(source, target)
            target.attrs["rows"] = rows  # the sample's own count; the source's is in source_rows
            target.attrs["source_file"] = os.path.basename(source_path)
            target.attrs["source_rows"] = f"0:{rows} of {total}"
            target.attrs["made_by"] = "scripts/make_embedded_sample.py"
            for name, dataset in source.items():
                chunks = (min(rows, dataset.chunks[0]),) + dataset.chunks[1:]
                copy = target.create_dataset(name, data=dataset[:rows], chunks=chunks, compression="gzip",
                                             compression_opts=GZIP_LEVEL, shuffle=True, track_times=False)
                copy_attributes(dataset, copy)
        os.replace(partial, target_path)  # never leave a half-written sample under its real name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="../shared/data", help="folder with the shared samples (default: beside the repository)")
    parser.add_argument("--output", default="samples", help="folder to write the small samples into")
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    for source_name, target_name, rows in SAMPLES:
        target = os.path.join(args.output, target_name)
        copy_head(os.path.join(args.source, source_name), target, rows)
        print(f"{target}: {rows} rows, {os.path.getsize(target) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
