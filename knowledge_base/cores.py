"""How many cores this process can keep busy: the cores it may run on, within the CPU limit of its
control group (a container's `--cpus`, Kubernetes' `limits.cpu`). A container limited to two CPUs
on a 64-core host sees 64 cores; a thread per core there only queues for the quota."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Final

CGROUPS: Final = Path("/sys/fs/cgroup")
OWN_CGROUPS: Final = Path("/proc/self/cgroup")


def cpu_limit(own: Path = OWN_CGROUPS, root: Path = CGROUPS) -> int | None:
    """Whole CPUs the process's control group allows (a part of one counts as one), or None
    where there is no limit or none can be read. cgroup v2 keeps it in `cpu.max` ("150000
    100000": quota and period in microseconds, or "max"), v1 in `cpu.cfs_quota_us` (-1: none)
    and `cpu.cfs_period_us`."""
    try:
        lines = own.read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.count(":") < 2:
            continue
        _, controllers, path = line.split(":", 2)
        relative = path.lstrip("/")
        if controllers == "":
            quota_text, _, period_text = _read(root / relative / "cpu.max").partition(" ")
            if quota_text and quota_text != "max":
                return _whole(quota_text, period_text)
        elif "cpu" in controllers.split(","):
            for mount in (controllers, "cpu", "cpu,cpuacct"):
                quota_text = _read(root / mount / relative / "cpu.cfs_quota_us")
                if quota_text:
                    return _whole(quota_text, _read(root / mount / relative / "cpu.cfs_period_us"))
    return None


def usable_cores() -> int:
    """The cores the process may run on (its affinity), at most its control group's limit."""
    available = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    return min(available, cpu_limit() or available)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _whole(quota_text: str, period_text: str) -> int | None:
    try:
        quota, period = int(quota_text), int(period_text)
    except ValueError:
        return None
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


CORES: Final = usable_cores()
"""The cores this process can keep busy."""
