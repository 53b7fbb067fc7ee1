"""The README's two commands stay true: CI runs the second; this runs the first."""

import re
import shutil
import subprocess

import pytest

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(python3\.12 [^\n]+)\n```", text)


def test_readme_opens_with_two_commands():
    cmds = _commands()
    assert len(cmds) >= 3
    assert "innosim run" in cmds[0] and "pytest" in cmds[1]
    assert '-m "not slow"' in cmds[1] and "-m slow" in cmds[2]  # the fast suite, then the heavy one
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("## ")[0]
    assert cmds[0] in head and cmds[1] in head


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "grep -m1 -E '^python3\\.12 .*pytest' README.md" in ci
    assert (
        re.search(r"^python3\.12 .*pytest.*$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M).group(0)
        == _commands()[1]
    )


@pytest.mark.slow
def test_readme_run_command_on_a_fresh_copy(tmp_path):
    """Command one, on a copy of the tracked files, in a new venv: prints the baseline table."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    dest = tmp_path / "repo"
    for name in filter(None, files.split("\0")):
        src = ROOT / name
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(src.readlink())
        else:
            shutil.copy2(src, target)
    r = subprocess.run(["bash", "-c", _commands()[0]], cwd=dest, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (
        "innosim · baseline" in r.stdout and "高新技术企业" in r.stdout and "2025" in r.stdout and "target" in r.stdout
    )
