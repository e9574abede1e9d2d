"""What the installed llama.cpp build runs: its CPU features, and whether they are portable.

Machines of this kind differ (some have AVX-512 and AMX, some not); a build that uses AMX segfaults on
Q4_K weights, and one that uses AVX-512 dies with SIGILL where it is missing. ``scripts/install`` builds
llama-cpp-python with AVX2/FMA/F16C/BMI2 only and checks the result here:

    python -m rag.llm_build                   # the features, one per line
    python -m rag.llm_build --check-portable  # exit 1 naming the features no build here may use
"""

from __future__ import annotations

import re
import sys

#: Features a portable build must not have: absent from some machines of this kind, or known to crash.
NOT_PORTABLE = ("AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_INT8", "AVX_VNNI")


def system_info() -> str:
    """llama.cpp's own ``llama_print_system_info()`` line; '' when llama-cpp-python is not installed.

    Loading the shared library runs no model code, so this is safe even with a broken build."""
    try:
        import llama_cpp
    except ImportError:
        return ""
    info = llama_cpp.llama_print_system_info()
    return info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)


def features(info: str | None = None) -> dict[str, bool]:
    """``{"AVX2": True, "AMX_INT8": False, …}`` from the system-info line (``KEY = 1`` pairs)."""
    info = system_info() if info is None else info
    return {key: value == "1" for key, value in re.findall(r"\b([A-Z][A-Z0-9_]*) = ([01])\b", info)}


def unportable(found: dict[str, bool]) -> list[str]:
    return [name for name in NOT_PORTABLE if found.get(name)]


def llama_cpp_version() -> str:
    try:
        from importlib.metadata import version

        return version("llama_cpp_python")
    except Exception:  # not installed
        return ""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    info = system_info()
    if not info:
        print("llama-cpp-python is not installed", file=sys.stderr)
        return 1
    found = features(info)
    if "--check-portable" in args:
        bad = unportable(found)
        if bad:
            print(f"llama-cpp-python {llama_cpp_version()} was built with {', '.join(bad)}, which some machines "
                  "of this kind lack or crash on; rebuild it: rm -f .venv/.ragchat-llama-build && scripts/install",
                  file=sys.stderr)
            return 1
        print(f"llama-cpp-python {llama_cpp_version()}: portable build "
              f"({', '.join(k for k, v in found.items() if v) or 'no SIMD features'})")
        return 0
    for key, value in found.items():
        print(f"{key} = {int(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
