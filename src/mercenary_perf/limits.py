"""The limits a run with thousands of open connections meets on this machine, checked before it starts.

Every connection the generator holds is a file descriptor (``RLIMIT_NOFILE``), and every connection
from one address to one ``host:port`` needs a local port of its own (``ip_local_port_range``).
:func:`prepare_for_connections` raises the open-files soft limit up to the hard limit, in this process
only, and refuses with a message that says what to raise when either is too small. The listen
queue (``somaxconn``) caps the server's backlog; the generator opens its connections a few hundred
at a time, well below it, so it is reported, not required. The figures go in the run report.
"""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Any

PROC_SYS = Path("/proc/sys")
# Descriptors the generator uses besides its connections: event loop, its log, the dataset's
# database connection, Python's own files.
NOFILE_RESERVE = 256


class LimitError(RuntimeError):
    """A limit of this machine is too small for the run asked for; the message says which and how."""


def _read(path: Path) -> list[int] | None:
    try:
        return [int(v) for v in path.read_text().split()]
    except (OSError, ValueError):
        return None


def host_limits(proc_sys: Path = PROC_SYS) -> dict[str, Any]:
    """The kernel settings that matter for many loopback connections (None where unreadable)."""
    ports = _read(proc_sys / "net/ipv4/ip_local_port_range")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    one = {
        name: (values[0] if values else None)
        for name, values in (
            ("somaxconn", _read(proc_sys / "net/core/somaxconn")),
            ("tcp_max_syn_backlog", _read(proc_sys / "net/ipv4/tcp_max_syn_backlog")),
            ("tcp_tw_reuse", _read(proc_sys / "net/ipv4/tcp_tw_reuse")),
            ("fs_nr_open", _read(proc_sys / "fs/nr_open")),
        )
    }
    return {
        "nofile_soft": soft,
        "nofile_hard": hard,
        "ip_local_port_range": ports,
        "ephemeral_ports": ports[1] - ports[0] + 1 if ports and len(ports) == 2 else None,
        **one,
    }


def raise_nofile(needed: int) -> tuple[int, int]:
    """Raise this process's open-files soft limit to its hard limit (never lower it).

    Returns (soft, hard) afterwards; raises :class:`LimitError` when the hard limit is below
    ``needed``, since only a privileged parent (the shell's ``ulimit -Hn``, systemd's
    ``LimitNOFILE=``, docker's ``--ulimit nofile=``) can raise that.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, needed) if hard == resource.RLIM_INFINITY else hard
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass  # the check below says what is missing
    if soft < needed:
        raise LimitError(
            f"{needed} open files are needed but the limit is {soft} (hard limit {hard}): "
            f"raise the hard limit (ulimit -Hn {needed}, or LimitNOFILE= / --ulimit nofile=) "
            "or ask for fewer connections"
        )
    return soft, hard


def prepare_for_connections(connections: int, proc_sys: Path = PROC_SYS) -> dict[str, Any]:
    """Make room for ``connections`` open at once to one ``host:port``; the limits, as reported.

    Raises :class:`LimitError` when the open-files hard limit or the ephemeral port range is too small.
    """
    raise_nofile(connections + NOFILE_RESERVE)
    limits = host_limits(proc_sys)
    ports = limits["ephemeral_ports"]
    if ports is not None and connections > ports:
        raise LimitError(
            f"{connections} connections from one address to one port need as many local ports, but "
            f"net.ipv4.ip_local_port_range {limits['ip_local_port_range']} has {ports}: widen it "
            "(sysctl -w net.ipv4.ip_local_port_range='1024 65535') or ask for fewer connections"
        )
    return limits
