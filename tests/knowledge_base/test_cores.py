"""The CPU limit of the process's control group, read from files laid out as Linux lays them out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge_base.cores import CORES, cpu_limit


def cgroups(tmp_path: Path, own: str, files: dict[str, str]) -> tuple[Path, Path]:
    own_file = tmp_path / "self-cgroup"
    own_file.write_text(own, encoding="ascii")
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n", encoding="ascii")
    return own_file, root


@pytest.mark.parametrize(
    ("quota", "expected"),
    [("200000 100000", 2), ("150000 100000", 2), ("50000 100000", 1), ("max 100000", None)],
)
def test_a_cgroup_v2_limit_counts_whole_cpus(
    tmp_path: Path, quota: str, expected: int | None
) -> None:
    own, root = cgroups(tmp_path, "0::/kubepods/pod1/c1\n", {"kubepods/pod1/c1/cpu.max": quota})
    assert cpu_limit(own, root) == expected


@pytest.mark.parametrize(("quota", "expected"), [("300000", 3), ("-1", None)])
def test_a_cgroup_v1_limit_is_read_from_the_cpu_controller(
    tmp_path: Path, quota: str, expected: int | None
) -> None:
    own, root = cgroups(
        tmp_path,
        "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n",
        {
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": quota,
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
        },
    )
    assert cpu_limit(own, root) == expected


def test_no_limit_where_the_files_are_missing_or_unreadable(tmp_path: Path) -> None:
    own, root = cgroups(tmp_path, "1:cpu:/\n0::/\n", {"cpu.max": "lots"})
    assert cpu_limit(own, root) is None
    assert cpu_limit(tmp_path / "absent", root) is None


def test_the_process_uses_at_least_one_core_and_no_more_than_it_may_run_on() -> None:
    assert 1 <= CORES <= len(os.sched_getaffinity(0))
