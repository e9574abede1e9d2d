"""``ragchat doctor``: what runs here, checked for real — versions, the CPU and what the llama.cpp build
uses of it, the model process (started and asked), and the store."""

from __future__ import annotations

import platform
import re
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rag.errors import RagchatError
from rag.settings import Settings

PACKAGES = ("ragchat", "llama_cpp_python", "chromadb", "langchain-core", "langchain-openai", "gradio",
            "onnxruntime", "sentence-transformers")


def cpu_flags() -> dict[str, bool]:
    """The host CPU's features that decide which llama.cpp builds run here (Linux /proc/cpuinfo)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    flags = set(re.search(r"^flags\s*:(.*)$", text, re.M).group(1).split()) if "flags" in text else set()
    return {name: name in flags for name in ("avx2", "fma", "f16c", "bmi2", "avx512f", "avx512_vnni", "amx_tile",
                                             "amx_int8")}


def cpu_model() -> str:
    try:
        match = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
    except OSError:
        return platform.processor()
    return match.group(1).strip() if match else platform.processor()


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = ""
    return found


def check_model(settings: Settings) -> dict:
    """Start the configured model (a process for ``local``), ask it, and say how that went."""
    from rag.backends import backend_label, check_backend, make_chat_model

    report: dict = {"backend": backend_label(settings.llm)}
    try:
        model = make_chat_model(settings.llm)
        started = time.perf_counter()
        check_backend(model, timeout=5.0)
        report["ok"], report["ready_s"] = True, round(time.perf_counter() - started, 2)
        server = getattr(model, "server", None)
        if server is not None:
            report["process"] = server.status()
    except RagchatError as exc:
        report["ok"], report["error"] = False, str(exc)
    return report


def check_store(settings: Settings) -> dict:
    from ingest.embedder import embedder_spec
    from ingest.store import Store

    report: dict = {"collection": settings.collection, "where": settings.chroma_url or str(settings.data_dir)}
    try:
        store = Store(settings, *embedder_spec(settings.embedder), create=False)
        try:
            docs = store.documents()
            report["ok"], report["documents"] = True, sum(1 for m in docs.values() if m.get("state") == "done")
            report["chunks"] = sum(int(m.get("chunks", 0)) for m in docs.values())
        finally:
            store.close()
    except RagchatError as exc:
        report["ok"], report["error"] = False, str(exc)
    return report


def diagnose(settings: Settings) -> dict:
    from rag.llm_build import features, system_info, unportable

    info = system_info()
    build = features(info)
    return {
        "versions": versions(),
        "cpu": {"model": cpu_model(), "flags": cpu_flags()},
        "llama_cpp_build": {"features": build, "portable": not unportable(build), "not_portable": unportable(build),
                            "system_info": info.strip()},
        "model": check_model(settings),
        "store": check_store(settings),
    }


def render(report: dict) -> str:
    """The report as a few readable lines."""
    lines = ["Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items() if v)]
    cpu = report["cpu"]
    have = [k for k, v in cpu["flags"].items() if v]
    lines.append(f"CPU: {cpu['model']} ({', '.join(have) or 'no flags read'})")
    build = report["llama_cpp_build"]
    on = [k for k, v in build["features"].items() if v]
    verdict = "portable" if build["portable"] else f"NOT portable: uses {', '.join(build['not_portable'])}"
    lines.append(f"llama.cpp build: {verdict}; uses {', '.join(on) or 'nothing it reports'}"
                 f"{'' if build['features'].get('AMX_INT8') else '; no AMX'}")
    model = report["model"]
    if model["ok"]:
        process = model.get("process")
        where = f", process {process['pid']} at {process['url']} (log {process['log']})" if process else ""
        lines.append(f"Model: {model['backend']} answers (ready in {model['ready_s']} s{where})")
    else:
        lines.append(f"Model: {model['backend']} FAILS: {model['error']}")
    store = report["store"]
    if store["ok"]:
        lines.append(f"Store: collection {store['collection']!r} at {store['where']}: {store['documents']} "
                     f"documents, {store['chunks']} chunks")
    else:
        lines.append(f"Store: {store['error']}")
    return "\n".join(lines)
