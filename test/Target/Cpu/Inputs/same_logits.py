"""Exits non-zero unless the raw float32 file argv[1] holds exactly the
values of the .npy array argv[2], bit for bit."""
import sys

import numpy as np

actual = np.fromfile(sys.argv[1], np.float32)
expected = np.load(sys.argv[2]).astype(np.float32).ravel()
if actual.shape != expected.shape:
    sys.exit(f"{sys.argv[1]}: {actual.size} values, expected {expected.size}")
differ = np.flatnonzero(actual.view(np.int32) != expected.view(np.int32))
if differ.size:
    i = differ[0]
    sys.exit(f"{sys.argv[1]}: {differ.size} values differ from {sys.argv[2]}, "
             f"first at {i}: {actual[i]!r} vs {expected[i]!r}")
