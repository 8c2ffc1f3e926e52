"""Writing the bundle: interrupts, leftovers, symlinks, the drift check, and errors.

"Unchanged" is checked with hash_tree over the whole temporary folder: every
path, mode, symlink target and sha256 of file contents before and after.
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from obsgen.bundle import write
from obsgen.bundle.build import MARKER_FILE, MARKER_TEXT
from obsgen.bundle.drift import compare_bundle
from obsgen.bundle.interrupt import Interrupted
from obsgen.bundle.write import write_bundle
from obsgen.errors import OutputError
from tests.support.bundle import read_tree
from tests.support.obsgen_cli import (
    TIMEOUT_SECONDS,
    build_example_bundle,
    describe,
    run_obsgen,
)
from tests.support.paths import EXAMPLE_CONFIG, REPO_ROOT
from tests.support.tree_hash import hash_tree
from tests.support.write_many_files import many_files
from tests.test_build_cli import assert_clean_error

LEFTOVER_RE = re.compile(r"^\.bundle\.(new|old)-")
INTERRUPTED_LINE = "error: interrupted; the previous bundle is unchanged"


def new_files(text: str = "new") -> dict[str, bytes]:
    return {
        MARKER_FILE: MARKER_TEXT,
        "README.md": f"# {text}\n".encode(),
        "prometheus/rules/a.rules.yaml": f"groups: [] # {text}\n".encode(),
    }


def copy_bundle(bundle: Path, out_dir: Path) -> Path:
    """Copy a built bundle to `out_dir`, modes included; return `out_dir`."""
    shutil.copytree(bundle, out_dir, symlinks=True)
    return out_dir


def leftovers(folder: Path) -> list[str]:
    return sorted(
        path.name for path in folder.iterdir() if LEFTOVER_RE.match(path.name)
    )


@pytest.fixture
def previous_bundle(tmp_path: Path) -> Path:
    """Return a folder `bundle` written by write_bundle, beside nothing else."""
    out_dir = tmp_path / "bundle"
    write_bundle(new_files("previous"), out_dir)
    return out_dir


@pytest.fixture
def default_signal_handlers() -> Iterator[None]:
    """Assert that SIGINT raises KeyboardInterrupt and SIGTERM and SIGHUP kill.

    The in-process tests send these signals to the pytest process itself; with
    any other handler the test would kill pytest or prove nothing.
    """
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    for signum in (signal.SIGTERM, signal.SIGHUP):
        assert signal.getsignal(signum) == signal.SIG_DFL
    yield
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    for signum in (signal.SIGTERM, signal.SIGHUP):
        assert signal.getsignal(signum) == signal.SIG_DFL


def signal_after_rename(
    monkeypatch: pytest.MonkeyPatch, call: int, signum: int
) -> list[tuple[str, str]]:
    """Patch os.rename to raise `signum` in this process after its `call`th call."""
    real_rename = os.rename
    calls: list[tuple[str, str]] = []

    def rename(source: str, destination: str) -> None:
        real_rename(source, destination)
        calls.append((str(source), str(destination)))
        if len(calls) == call:
            signal.raise_signal(signum)

    monkeypatch.setattr(os, "rename", rename)
    return calls


# Interrupts inside the process, at exact steps of the swap.


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_between_renames_restores(
    previous_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
    default_signal_handlers: None,
    signum: int,
) -> None:
    before = hash_tree(previous_bundle.parent)
    renames = signal_after_rename(monkeypatch, 1, signum)

    with pytest.raises(KeyboardInterrupt) as raised:
        write_bundle(new_files(), previous_bundle)

    source, retired = renames[0]
    assert source == str(previous_bundle)
    assert Path(retired).name == f".bundle.old-{os.getpid()}"
    assert renames[1:] == [(retired, str(previous_bundle))], "no restore"
    assert hash_tree(previous_bundle.parent) == before
    assert not (isinstance(raised.value, Interrupted) and raised.value.bundle_replaced)


def test_signal_after_swap_keeps_new(
    previous_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
    default_signal_handlers: None,
) -> None:
    expected = new_files()
    signal_after_rename(monkeypatch, 2, signal.SIGTERM)

    with pytest.raises(KeyboardInterrupt) as raised:
        write_bundle(expected, previous_bundle)

    assert isinstance(raised.value, Interrupted)
    assert raised.value.bundle_replaced
    assert raised.value.signum == signal.SIGTERM
    assert not compare_bundle(expected, previous_bundle)
    assert leftovers(previous_bundle.parent) == []


def test_first_build_interrupted_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_signal_handlers: None
) -> None:
    real_chmod = os.chmod

    def chmod(path: Path, mode: int) -> None:
        real_chmod(path, mode)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "chmod", chmod)

    with pytest.raises(KeyboardInterrupt):
        write_bundle(new_files(), tmp_path / "bundle")

    assert list(tmp_path.iterdir()) == []


def test_first_build_signal_after_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_signal_handlers: None
) -> None:
    # A first build has no previous bundle, so its one rename is the swap.
    signal_after_rename(monkeypatch, 1, signal.SIGINT)

    with pytest.raises(KeyboardInterrupt) as raised:
        write_bundle(new_files(), tmp_path / "bundle")

    assert isinstance(raised.value, Interrupted)
    assert raised.value.bundle_replaced
    assert not compare_bundle(new_files(), tmp_path / "bundle")
    assert leftovers(tmp_path) == []


def test_signal_while_writing_files(
    previous_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
    default_signal_handlers: None,
) -> None:
    before = hash_tree(previous_bundle.parent)
    real_write_bytes = Path.write_bytes
    written: list[Path] = []

    def write_bytes(path: Path, data: bytes) -> int:
        written.append(path)
        if len(written) == 2:
            signal.raise_signal(signal.SIGTERM)
        return real_write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)

    with pytest.raises(KeyboardInterrupt) as raised:
        write_bundle(new_files(), previous_bundle)

    assert isinstance(raised.value, Interrupted)
    assert len(written) == 2
    assert hash_tree(previous_bundle.parent) == before


def test_error_between_renames_restores(
    previous_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = hash_tree(previous_bundle.parent)
    real_rename = os.rename
    calls = []

    def rename(source: str, destination: str) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(source))
        real_rename(source, destination)

    monkeypatch.setattr(os, "rename", rename)

    with pytest.raises(OutputError) as raised:
        write_bundle(new_files(), previous_bundle)

    assert "No space left on device" in raised.value.message
    assert "previous bundle is unchanged" in (raised.value.hint or "")
    assert hash_tree(previous_bundle.parent) == before


def test_memory_error_between_renames_restores(
    previous_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = hash_tree(previous_bundle.parent)
    real_rename = os.rename
    calls = []

    def rename(source: str, destination: str) -> None:
        calls.append(source)
        real_rename(source, destination)
        if len(calls) == 1:
            raise MemoryError

    monkeypatch.setattr(os, "rename", rename)

    with pytest.raises(MemoryError):
        write_bundle(new_files(), previous_bundle)

    assert hash_tree(previous_bundle.parent) == before


# Interrupts of the real command line, in a subprocess.


def run_signalling_build(
    signal_name: str, call: int, out_dir: Path
) -> subprocess.CompletedProcess[str]:
    """Run `obsgen build` that sends itself `signal_name` after rename number `call`."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.signal_at_rename",
            signal_name,
            str(call),
            "build",
            "--config",
            str(EXAMPLE_CONFIG),
            "--out",
            str(out_dir),
        ],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


@pytest.mark.parametrize(
    ("signal_name", "exit_code"),
    [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)],
)
def test_cli_signal_between_renames(
    tmp_path: Path, example_bundle: Path, signal_name: str, exit_code: int
) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    (out_dir / "README.md").write_text("an older index\n")
    before = hash_tree(tmp_path)

    result = run_signalling_build(signal_name, 1, out_dir)

    assert result.returncode == exit_code, describe(result)
    assert result.stderr == INTERRUPTED_LINE + "\n", describe(result)
    assert result.stdout == ""
    assert hash_tree(tmp_path) == before


def test_cli_signal_after_swap(tmp_path: Path, example_bundle: Path) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    (out_dir / "README.md").write_text("an older index\n")

    result = run_signalling_build("SIGINT", 2, out_dir)

    assert result.returncode == 130, describe(result)
    assert result.stderr == (
        f"error: interrupted after the new bundle was written to {out_dir}\n"
    ), describe(result)
    assert hash_tree(out_dir) == hash_tree(example_bundle)
    assert leftovers(tmp_path) == []


def test_cli_sigkill_between_renames(tmp_path: Path, example_bundle: Path) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    previous = hash_tree(out_dir)

    killed = run_signalling_build("SIGKILL", 1, out_dir)
    bundle_after_kill = out_dir.exists()
    stranded = leftovers(tmp_path)
    retired = [name for name in stranded if ".old-" in name]
    retired_tree = hash_tree(tmp_path / retired[0]) if retired else None
    rebuilt = build_example_bundle(out_dir)

    assert killed.returncode == -signal.SIGKILL, describe(killed)
    assert len(retired) == 1, stranded
    assert not bundle_after_kill
    assert retired_tree == previous, "the previous bundle must be in .old-PID"
    assert "warning:" not in rebuilt.stderr
    assert leftovers(tmp_path) == []
    assert hash_tree(out_dir) == previous


def test_cli_keyboard_interrupt_in_definition(
    tmp_path: Path, example_bundle: Path
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "rules" / "stop.py").write_text("raise KeyboardInterrupt\n")
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    before = hash_tree(tmp_path)

    result = run_obsgen(
        "build",
        "--config",
        EXAMPLE_CONFIG,
        "--rules",
        tmp_path / "rules",
        "--dashboards",
        tmp_path / "dashboards",
        "--out",
        out_dir,
    )

    assert result.returncode == 130, describe(result)
    assert result.stderr == INTERRUPTED_LINE + "\n", describe(result)
    assert "Aborted" not in result.stderr
    assert hash_tree(tmp_path) == before


# Signals at random moments of a long write, in a subprocess.


def start_writer(out_dir: Path, file_count: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.write_many_files",
            str(out_dir),
            str(file_count),
        ],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    assert first_line == "writing\n", first_line + process.stderr.read()
    return process


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, stdout, stderr


WRITER_FILE_COUNT = 1000
RANDOM_RUNS = 5


def calibrate_write_seconds(tmp_path: Path) -> float:
    process = start_writer(tmp_path / "calibration" / "bundle", WRITER_FILE_COUNT)
    returncode, stdout, stderr = finish(process)
    assert returncode == 0, stderr
    shutil.rmtree(tmp_path / "calibration")
    return float(stdout.split()[-1])


def test_sigterm_at_random_moments(tmp_path: Path, example_bundle: Path) -> None:
    seed = random.randrange(2**32)
    delays = random.Random(seed).random
    write_seconds = calibrate_write_seconds(tmp_path)
    new_tree = many_files(WRITER_FILE_COUNT)
    outcomes = []

    for _ in range(RANDOM_RUNS):
        out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
        before = hash_tree(tmp_path)
        process = start_writer(out_dir, WRITER_FILE_COUNT)
        time.sleep(delays() * write_seconds * 1.2)
        process.send_signal(signal.SIGTERM)
        returncode, stdout, stderr = finish(process)
        outcomes.append(returncode)
        context = f"seed {seed}, exit {returncode}\n{stdout}{stderr}"

        assert returncode in (0, 143, -signal.SIGTERM), context
        assert leftovers(tmp_path) == [], context
        # `wrote` then -15: the signal landed after the write, before exit.
        if returncode == 0 or "replaced" in stdout or "wrote" in stdout:
            assert not compare_bundle(new_tree, out_dir), context
        else:
            assert hash_tree(tmp_path) == before, context
        shutil.rmtree(out_dir)

    print(f"SIGTERM outcomes (seed {seed}, write {write_seconds:.2f}s): {outcomes}")
    assert 143 in outcomes, f"no SIGTERM landed inside the write: {outcomes}"


def test_sigkill_then_next_build_cleans(tmp_path: Path, example_bundle: Path) -> None:
    seed = random.randrange(2**32)
    delays = random.Random(seed).random
    write_seconds = calibrate_write_seconds(tmp_path)
    example_files = read_tree(example_bundle)
    stranded_counts = []

    for _ in range(RANDOM_RUNS):
        out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
        process = start_writer(out_dir, WRITER_FILE_COUNT)
        time.sleep(delays() * write_seconds * 1.2)
        process.kill()
        returncode, stdout, stderr = finish(process)
        stranded = leftovers(tmp_path)
        stranded_counts.append(len(stranded))
        context = f"seed {seed}, exit {returncode}, left {stranded}\n{stderr}"
        retired = [tmp_path / name for name in stranded if ".old-" in name]
        previous = out_dir if out_dir.exists() else retired[0]
        done = returncode == 0 or not compare_bundle(
            many_files(WRITER_FILE_COUNT), out_dir
        )

        assert returncode in (0, -signal.SIGKILL), context
        assert done or hash_tree(previous) == hash_tree(example_bundle), context
        warnings = write_bundle(example_files, out_dir)
        assert warnings == [], context
        assert leftovers(tmp_path) == [], context
        assert hash_tree(out_dir) == hash_tree(example_bundle), context
        shutil.rmtree(out_dir)

    print(f"SIGKILL leftovers per run (seed {seed}): {stranded_counts}")
    assert any(stranded_counts), "no SIGKILL landed inside the write"


# Leftovers, the lock, and folders that cannot be removed.


def test_leftovers_removed_by_exact_name(tmp_path: Path, example_bundle: Path) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    removed = [".bundle.new-abcd_123", ".bundle.old-4242"]
    untouched_folders = [
        ".bundle.new-abc",
        ".bundle.new-abcd12345",
        ".bundle.old-12x",
        ".bundle.new-ABCDEFGH",
        ".other.new-abcdefgh",
        "bundle.old-1",
    ]
    for name in removed + untouched_folders:
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "file").write_text(name)
    (tmp_path / ".bundle.new-filefile").write_text("a file, not a folder\n")
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "keep").write_text("keep\n")
    (tmp_path / ".bundle.old-1").symlink_to("target")
    untouched = {
        name: fingerprint
        for name, fingerprint in hash_tree(tmp_path).items()
        if not name.startswith(("bundle/", ".bundle.new-abcd_123", ".bundle.old-4242"))
        and name != "bundle"
    }

    result = build_example_bundle(out_dir)

    assert "warning:" not in result.stderr
    for name in removed:
        assert not (tmp_path / name).exists(), name
    after = hash_tree(tmp_path)
    assert {name: after.get(name) for name in untouched} == untouched


def test_busy_lock_keeps_leftovers(
    previous_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = previous_bundle.parent
    (parent / ".bundle.new-abcdefgh").mkdir()
    before = hash_tree(parent)
    monkeypatch.setattr(write, "LOCK_TIMEOUT_SECONDS", 0.3)
    descriptor = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as raised:
            write_bundle(new_files(), previous_bundle)
    finally:
        os.close(descriptor)

    assert "another obsgen build" in raised.value.message
    assert str(parent) in raised.value.message
    assert hash_tree(parent) == before


def test_parallel_writes_take_turns(tmp_path: Path) -> None:
    out_dir = tmp_path / "bundle"
    command = [
        sys.executable,
        "-m",
        "tests.support.write_many_files",
        str(out_dir),
        str(WRITER_FILE_COUNT),
    ]
    processes = [
        subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]

    results = [finish(process) for process in processes]

    for returncode, stdout, stderr in results:
        assert returncode == 0, stdout + stderr
    assert not compare_bundle(many_files(WRITER_FILE_COUNT), out_dir)
    assert leftovers(tmp_path) == []


@pytest.fixture
def immutable() -> Iterator[Callable[[Path], None]]:
    """Return a function that sets the immutable attribute; clear it afterwards."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.fail("chattr (e2fsprogs) is not installed", pytrace=False)
    marked: list[Path] = []

    def mark(path: Path) -> None:
        subprocess.run([chattr, "+i", str(path)], check=True, timeout=10)
        marked.append(path)

    yield mark
    for path in marked:
        clear(path)


def clear(path: Path) -> None:
    """Clear the immutable attribute of `path`, wherever it has moved to."""
    chattr = shutil.which("chattr") or "chattr"
    subprocess.run([chattr, "-i", str(path)], check=False, timeout=10)


def test_unremovable_old_bundle_warns_once(
    tmp_path: Path, example_bundle: Path, immutable: Callable[[Path], None]
) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    (out_dir / "README.md").write_text("an older index\n")
    immutable(out_dir / "README.md")

    result = build_example_bundle(out_dir)
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    stranded = leftovers(tmp_path)
    retired = tmp_path / stranded[0]
    next_warnings = write_bundle(read_tree(example_bundle), out_dir)
    clear(retired / "README.md")
    last_warnings = write_bundle(read_tree(example_bundle), out_dir)

    assert len(warnings) == 1, describe(result)
    assert len(stranded) == 1, stranded
    assert ".old-" in stranded[0]
    assert f"previous bundle's folder {retired}: " in warnings[0], warnings
    assert "remove it by hand" in warnings[0]
    assert hash_tree(out_dir) == hash_tree(example_bundle)
    assert len(next_warnings) == 1, next_warnings
    assert f"leftover folder of a stopped build {retired}: " in next_warnings[0]
    assert last_warnings == []
    assert leftovers(tmp_path) == []


# Symlinks as the output folder.


def test_symlink_out_replaces_target(tmp_path: Path, example_bundle: Path) -> None:
    shared = tmp_path / "shared"
    target = copy_bundle(example_bundle, shared / "payments")
    link = tmp_path / "repo" / "monitoring"
    (target / "README.md").write_text("an older index\n")
    link.parent.mkdir()
    link.symlink_to(target)

    result = build_example_bundle(link)
    check = run_obsgen("build", "--config", EXAMPLE_CONFIG, "--out", link, "--check")

    assert f" files to {link}: " in result.stderr, describe(result)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert hash_tree(target) == hash_tree(example_bundle)
    assert sorted(path.name for path in link.parent.iterdir()) == ["monitoring"]
    assert sorted(path.name for path in shared.iterdir()) == ["payments"]
    assert check.returncode == 0, describe(check)


def test_symlinked_parent_replaces_target(tmp_path: Path, example_bundle: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to("real")

    build_example_bundle(tmp_path / "alias" / "bundle")

    assert hash_tree(tmp_path / "real" / "bundle") == hash_tree(example_bundle)
    assert sorted(path.name for path in (tmp_path / "real").iterdir()) == ["bundle"]


@pytest.mark.parametrize(
    ("target", "reason"),
    [("missing-folder", "No such file or directory"), ("link", "Too many levels")],
)
def test_broken_symlink_out_rejected(
    tmp_path: Path, example_bundle: Path, target: str, reason: str
) -> None:
    link = tmp_path / "link"
    link.symlink_to(target)
    copy_bundle(example_bundle, tmp_path / "bundle")
    before = hash_tree(tmp_path)

    result = run_obsgen("build", "--config", EXAMPLE_CONFIG, "--out", link / "sub")

    assert_clean_error(result, 4)
    assert f"symlink {link} -> {target}" in result.stderr, describe(result)
    assert reason in result.stderr, describe(result)
    assert hash_tree(tmp_path) == before


# Output paths that cannot hold a bundle.


def test_out_below_regular_file(tmp_path: Path, example_bundle: Path) -> None:
    copy_bundle(example_bundle, tmp_path / "bundle")
    (tmp_path / "afile").write_text("not a folder\n")
    before = hash_tree(tmp_path)

    result = run_obsgen(
        "build", "--config", EXAMPLE_CONFIG, "--out", tmp_path / "afile" / "sub"
    )

    assert_clean_error(result, 4)
    assert f"{tmp_path / 'afile'} is a file, not a folder" in result.stderr
    assert hash_tree(tmp_path) == before


@pytest.mark.parametrize("out", ["/proc/obsgen-bundle", "/proc/sys/obsgen"])
def test_out_below_proc(tmp_path: Path, out: str) -> None:
    result = run_obsgen("build", "--config", EXAMPLE_CONFIG, "--out", out)

    assert_clean_error(result, 4)
    assert f"output path {out} is below /proc" in result.stderr, describe(result)
    assert not Path(out).exists()


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_empty_out_is_usage_error(
    tmp_path: Path, example_bundle: Path, check: list[str]
) -> None:
    # The working folder is a bundle: an empty path taken as "." would replace it.
    copy_bundle(example_bundle, tmp_path / "bundle")
    before = hash_tree(tmp_path)

    result = run_obsgen(
        "build",
        "--config",
        EXAMPLE_CONFIG,
        "--rules",
        REPO_ROOT / "rules",
        "--dashboards",
        REPO_ROOT / "dashboards",
        "--out",
        "",
        *check,
        cwd=tmp_path / "bundle",
        env={"PYTHONPATH": str(REPO_ROOT)},
    )

    assert_clean_error(result, 2)
    assert "error: the --out path is empty" in result.stderr
    assert "Usage:" not in result.stderr
    assert hash_tree(tmp_path) == before


# The drift check on bundles with odd files.


def replace_with_dangling_symlink(path: Path) -> None:
    path.unlink()
    path.symlink_to("no-such-file")


def replace_with_folder_symlink(path: Path) -> None:
    path.unlink()
    path.symlink_to("prometheus")


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize(
    "replace",
    [
        replace_with_dangling_symlink,
        replace_with_folder_symlink,
        replace_with_fifo,
        replace_with_folder,
    ],
)
def test_check_reports_odd_file_changed(
    tmp_path: Path, example_bundle: Path, replace
) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    replace(out_dir / "README.md")
    before = hash_tree(tmp_path)

    result = run_obsgen(
        "build", "--config", EXAMPLE_CONFIG, "--out", out_dir, "--check"
    )

    assert result.returncode == 1, describe(result)
    assert f"changed: {out_dir / 'README.md'}\n" in result.stderr, describe(result)
    assert "error:" not in result.stderr, describe(result)
    assert hash_tree(tmp_path) == before


def test_check_reports_unexpected_symlink(tmp_path: Path, example_bundle: Path) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    (out_dir / "prometheus" / "linked").symlink_to("..")

    result = run_obsgen(
        "build", "--config", EXAMPLE_CONFIG, "--out", out_dir, "--check"
    )

    assert result.returncode == 1, describe(result)
    assert result.stderr.count("unexpected:") == 1, describe(result)
    assert f"unexpected: {out_dir / 'prometheus' / 'linked'}\n" in result.stderr


def run_without_file_permission_override(
    *args: str | os.PathLike[str],
) -> subprocess.CompletedProcess[str]:
    """Run obsgen as root without CAP_DAC_OVERRIDE, so file modes apply to it."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is not installed", pytrace=False)
    capabilities = "-dac_override,-dac_read_search"
    return subprocess.run(
        [
            setpriv,
            f"--bounding-set={capabilities}",
            f"--inh-caps={capabilities}",
            sys.executable,
            "-m",
            "obsgen",
            *map(str, args),
        ],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


@pytest.mark.parametrize("unreadable", ["README.md", "prometheus"])
def test_check_unreadable_is_clear_error(
    tmp_path: Path, example_bundle: Path, unreadable: str
) -> None:
    out_dir = copy_bundle(example_bundle, tmp_path / "bundle")
    path = out_dir / unreadable
    path.chmod(0)
    before = hash_tree(tmp_path)

    result = run_without_file_permission_override(
        "build", "--config", EXAMPLE_CONFIG, "--out", out_dir, "--check"
    )

    assert_clean_error(result, 4)
    assert f"{path}: Permission denied" in result.stderr, describe(result)
    assert hash_tree(tmp_path) == before


def test_interrupted_obsgen_test_exits_130() -> None:
    # Every command, not only build, reports Ctrl-C as exit 130, never as 1.
    process = subprocess.Popen(
        [sys.executable, "-m", "obsgen", "test"],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert stderr.strip().endswith("error: interrupted")
    assert "Traceback" not in stderr
