"""The llama.cpp build check: which features a build may not use on machines of this kind."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from rag.llm_build import features, unportable

NATIVE_SPR = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 | "
PORTABLE = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | OPENMP = 1 | "


def test_a_native_build_on_an_amx_machine_is_not_portable():
    found = features(NATIVE_SPR)
    assert found["AMX_INT8"] and found["AVX2"]
    assert unportable(found) == ["AVX512", "AVX512_VNNI", "AMX_INT8"]


def test_the_portable_flags_pass():
    assert unportable(features(PORTABLE)) == []
    assert features("AVX2 = 0 | FMA = 1")["AVX2"] is False


def test_the_installed_build_is_portable():
    """What scripts/install built (or was given): it must run on every machine of this kind."""
    out = subprocess.run([sys.executable, "-m", "rag.llm_build", "--check-portable"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "portable build" in out.stdout and "AVX2" in out.stdout and "AMX" not in out.stdout
