# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QOPT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "consumer", "Unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qopt_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qopt_src_root", config.qopt_src_root))
config.substitutions.append(("%qopt_obj_root", config.qopt_obj_root))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))

config.substitutions.append(("%python3", config.python3))
config.substitutions.append(("%qopt_tools_dir", config.qopt_tools_dir))
config.substitutions.append(("%mlir_runner_utils",
    os.path.join(config.mlir_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(("%mlir_c_runner_utils",
    os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so")))

# Optional references: tests comparing against them declare REQUIRES.
import subprocess
for module in ["torch", "onnx", "numpy"]:
    if subprocess.call([config.python3, "-c", "import " + module],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
        config.available_features.add(module)

# The host CPU's int8 instructions, for tests that run what it has and
# only compile the rest.
cpu_flags = set()
if os.path.exists("/proc/cpuinfo"):
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("flags"):
                cpu_flags = set(line.split(":", 1)[1].split())
                break
if "avx512_vnni" in cpu_flags:
    config.available_features.add("host-avx512-vnni")

# AArch64 code: Debian's cross toolchain links it, qemu runs it (the test
# command installs both; scripts/setup.sh).
import shutil
for tool, subst in [("aarch64-linux-gnu-gcc", "%aarch64_cc"),
                    ("qemu-aarch64", "%qemu_aarch64")]:
    path = shutil.which(tool)
    if not path:
        lit_config.fatal(tool + " not found: run scripts/setup.sh")
    config.substitutions.append(
        (subst, path + (" -L /usr/aarch64-linux-gnu" if "qemu" in tool else "")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.qopt_tools_dir, config.llvm_tools_dir]
qopt_extra_args = ["--verify-roundtrip"] if config.verify_roundtrip else []
tools = [
    ToolSubst("qopt", extra_args=qopt_extra_args, unresolved="fatal"),
    "mlir-opt",
    "not",
    "mlir-runner",
    "mlir-translate",
    "llc",
    "llvm-readelf",
    "llvm-objdump",
    ToolSubst("qopt-import", unresolved="fatal"),
    ToolSubst("qopt-run", unresolved="fatal"),
    ToolSubst("qopt-report", unresolved="fatal"),
    ToolSubst("qopt-compile", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
