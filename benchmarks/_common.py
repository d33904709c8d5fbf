"""What the benchmark scripts share: corpora, measuring a command in a fresh process, the machine, the docs.

Every measurement runs in a fresh child process (imports included), and reports its wall time and its peak
resident memory (from the kernel's accounting of that child, ``os.wait4``). Corpora are made by ``jpmg synth`` once
and kept in ``$JPMG_BENCH_DIR`` (default: the system's temporary folder), so that every tool reads the same files.
Results go into ``docs/benchmarks.md`` between the markers of each benchmark, with the machine and the date.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PYTHON = sys.executable
SIZES = {"1e3": 1_000, "1e4": 10_000, "1e5": 100_000, "1e6": 1_000_000}
SEED = 1
#: Share of eligible resources the corpora break (jpmg synth --violations), so that detection is measured too.
RATE = 0.002

sys.path.insert(0, str(ROOT / "src"))
#: The machine's load when the benchmark started (other work running beside it skews the figures).
_LOAD_AT_START = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def bench_dir() -> Path:
    folder = Path(os.environ.get("JPMG_BENCH_DIR", Path(tempfile.gettempdir()) / "jpmg-benchmarks"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def corpus(size: str, rate: float = RATE, suffix: str = ".nt") -> Path:
    """The synthetic corpus of about ``size`` triples (made once, then reused)."""
    from jpmg.synth import generate

    path = bench_dir() / f"synth-{size}-seed{SEED}-rate{rate}{suffix}"
    if not path.exists() or (rate > 0 and not path.with_name(path.name + ".expected.json").exists()):
        generate(path, SIZES[size], seed=SEED, rate=rate)
    return path


def with_ontology(data: Path) -> Path:
    """The corpus with the project's ontology prepended (what validators without an ontology option are given)."""
    path = data.with_name(data.stem + "-with-ontology.ttl")
    if not path.exists():
        with open(path, "w", encoding="utf-8") as out:
            out.write((ROOT / "ontology" / "jpmg.ttl").read_text(encoding="utf-8"))
            out.write("\n")
            with open(data, encoding="utf-8") as source:
                shutil.copyfileobj(source, out)
    return path


def triples(path: Path) -> int:
    """The number of triples of a corpus, counted in a child process: the benchmark process must stay small, since
    a child's peak memory as the kernel reports it starts from the memory of the process it was forked from."""
    program = (
        "import sys, pyoxigraph as ox; s = ox.Store(); "
        "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES if sys.argv[1].endswith('.nt') "
        "else ox.RdfFormat.TURTLE); print(len(s))"
    )
    return int(subprocess.run([PYTHON, "-c", program, str(path)], capture_output=True, text=True, check=True).stdout)


@dataclass
class Run:
    """One measured child process."""

    command: list[str]
    seconds: float
    peak_mb: float
    exit_code: int | None  # None: killed at the time limit
    stdout: str
    stderr: str

    @property
    def finished(self) -> bool:
        return self.exit_code is not None


def measure(command: list[str], timeout: float, cwd: Path = ROOT, env: dict | None = None) -> Run:
    """Run ``command`` in a fresh process; wall time and peak RSS of that process (children included).

    The size limits of ``jpmg.parsing`` are lifted (``JPMG_MAX_FILE_MB=0``): the 1e6 corpus is larger than what the
    rdflib-based commands accept by default, and the benchmark measures what happens instead of refusing.
    """
    env = dict(os.environ if env is None else env, JPMG_MAX_FILE_MB="0")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - read after the child ends, closed with it below
    err = tempfile.TemporaryFile()  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True)
    exit_code: int | None = None
    peak_kb = 0
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            seconds = time.perf_counter() - started
            exit_code = os.waitstatus_to_exitcode(status)
            peak_kb = usage.ru_maxrss
            break
        if time.perf_counter() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            peak_kb = usage.ru_maxrss
            break
        time.sleep(0.01)
    process.returncode = exit_code if exit_code is not None else -9
    out.seek(0)
    err.seek(0)
    run = Run(
        command,
        seconds,
        peak_kb / 1024,
        exit_code,
        out.read().decode(errors="replace"),
        err.read().decode("utf-8", "replace"),
    )
    out.close()
    err.close()
    return run


def machine() -> str:
    """nproc, memory, CPU model, OS, Python and the versions of the libraries measured."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown memory"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, AttributeError):
        pass
    versions = []
    for name in ("pyoxigraph", "rdflib", "pyshacl", "owlrl", "pyrudof"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name} {metadata.version(name)}")
    java = jena_classpath()
    if java:
        versions.append("Apache Jena SHACL " + _jena_version())
    load = _LOAD_AT_START
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {', '.join(versions)}; load average {load:.2f} at the start"
    )


def _jena_version() -> str:
    jars = sorted(Path("/usr/share/java").glob("jena-shacl-*.jar"))
    return jars[-1].stem.rsplit("-", 1)[-1] if jars else "(unknown version)"


def jena_classpath() -> str | None:
    """The class path for Debian's Jena (``libapache-jena-java``), or None when it is not installed.

    The jars are listed one by one (``/usr/share/java/*`` brings two SLF4J bindings and fails), after a folder with
    copies of the Xerces message files, which the package keeps under ``org/apache/jena/ext/xerces/`` where its
    classes do not look for them.
    """
    java = Path("/usr/share/java")
    if not (java / "jena-shacl.jar").exists() or shutil.which("java") is None:
        return None
    fix = bench_dir() / "jena-xerces-messages"
    if not (fix / "xerces").exists():
        import zipfile

        with zipfile.ZipFile(java / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                    target = fix / "xerces" / name[len("org/apache/jena/ext/xerces/") :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = (
        "jena-cmds",
        "jena-shacl",
        "jena-arq",
        "jena-core",
        "jena-base",
        "jena-iri",
        "jena-dboe-base",
        "jena-dboe-index",
        "jena-dboe-storage",
        "jena-dboe-trans-data",
        "jena-dboe-transaction",
        "jena-tdb",
        "jena-tdb2",
        "jena-rdfconnection",
        "commons-lang3",
        "commons-io",
        "commons-codec",
        "commons-compress",
        "commons-csv",
        "commons-cli",
        "dexx.collection",
        "guava",
        "jsonld-java",
        "jackson-core",
        "jackson-databind",
        "jackson-annotations",
        "httpclient",
        "httpcore",
        "slf4j-api",
        "slf4j-simple",
        "gson",
        "titanium-json-ld",
        "jakarta.json-api",
        "thrift",
        "protobuf",
    )
    return ":".join([str(fix)] + [str(java / f"{jar}.jar") for jar in jars if (java / f"{jar}.jar").exists()])


def has_pyrudof() -> bool:
    return subprocess.run([PYTHON, "-c", "import pyrudof"], capture_output=True).returncode == 0


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated sizes (default: all: 1e3,...,1e6)")
    parser.add_argument("--timeout", type=float, default=900, help="time limit of one measurement, in seconds")
    parser.add_argument("--no-doc", action="store_true", help="print the table only; leave docs/benchmarks.md")
    parser.add_argument("--baselines", default="all", help="comma-separated baselines to run, or 'none'")
    args = parser.parse_args()
    args.sizes = [s for s in args.sizes.split(",") if s]
    unknown = set(args.sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown sizes {sorted(unknown)}; choose among {', '.join(SIZES)}")
    return args


def seconds(value: float | None, finished: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} s" if finished else f"> {value:.0f} s"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def update_doc(name: str, body: str) -> None:
    """Replace the section of benchmark ``name`` in docs/benchmarks.md (or append it)."""
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    section = (
        f"<!-- benchmark:{name} -->\n_Measured {stamp} on {machine()}._\n\n{body.strip()}\n<!-- /benchmark:{name} -->"
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- benchmark:{re.escape(name)} -->.*?<!-- /benchmark:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    tmp = DOC.with_name(DOC.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, DOC)
