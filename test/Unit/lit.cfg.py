# -*- Python -*-
# GoogleTest unit tests, run by lit so that one command reports every test.
import os

import lit.formats

config.name = "QOPT-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.qopt_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
