"""The national-scale benchmark (issue 7): ``python -m bench`` / ``make bench``.

Builds a national data set on the configured database, measures every hot
path that exists in the code base (a path whose code has not landed yet is
reported as "not available"), and writes the figures with the targets to
``bench/RESULTS.md``. Nothing here is imported by the application.
"""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(REPO, "bench")
DATA_DIR = os.path.join(BENCH_DIR, "data")
DEFAULT_REGIONS = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "wilayah_kemendagri_2025.csv"))
DEFAULT_RESULTS = os.path.join(BENCH_DIR, "RESULTS.md")
