"""python3 -m otae_report RUN [--out DIR] [--analysis DIR]: the figures (PNG + PDF) and index.html
of a run folder. Exit status 0 when drawn; 1, with one line naming the file, when an input is
missing or malformed; 3 when a Python package the drawing needs is missing."""
import argparse
import sys

REQUIRED = (("numpy", "python3-numpy"), ("scipy", "python3-scipy"), ("matplotlib", "python3-matplotlib"))


def main():
    parser = argparse.ArgumentParser(prog="otae report", description=__doc__.split("\n")[0].split(": ", 1)[1])
    parser.add_argument("run", metavar="RUN", help="run folder (VAE: otae vae train + analyze; OTUS: otae otus train)")
    parser.add_argument("--out", metavar="DIR", help="folder for the figures and index.html (default: RUN/report)")
    parser.add_argument("--analysis", metavar="DIR", help="analysis folder (default: RUN/analysis)")
    args = parser.parse_args()
    for module, package in REQUIRED:
        try:
            __import__(module)
        except ImportError:
            print(f"otae: error: otae report: the Python module {module} is missing (Debian: apt install {package})",
                  file=sys.stderr)
            return 3
    from .readers import ReportError
    from .report import build_report
    try:
        index = build_report(args.run, args.out, args.analysis)
    except ReportError as e:
        print(f"otae: error: {e}", file=sys.stderr)
        return 1
    print(f"otae report: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
