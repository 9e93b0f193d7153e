#!/usr/bin/env python3
"""What a durable replicated write pays on this machine, measured in two loops that do nothing else.

  fsync:     append 2 KiB to a file in DIR and fdatasync it, 2,000 times (a journal's group commit)
  wake-up:   two processes hand a byte back and forth over pipes, 10,000 round trips (each
             round trip is two sleeps and two wake-ups, as between a node's threads and processes)

Prints one line per loop: wall and CPU microseconds per operation, and the CPU steal meanwhile.
On a shared virtual machine both vary by 2x within minutes, and between machines of one kind
(docs/benchmarks.md, session 9). Mini Dynamo pays both on every write, so compare benchmark runs
only where the probes agree.

Usage: machine-probe.py DIR   (a directory on the disk the nodes write to; a file is created
and removed there)
"""
import os
import sys
import time


def cpu_times():
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return sum(fields), fields[7]


def steal_since(before):
    total, steal = cpu_times()
    return 100.0 * (steal - before[1]) / max(1, total - before[0])


def own_cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def fsync_loop(directory, n=2000):
    path = os.path.join(directory, "machine-probe-%d.bin" % os.getpid())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    try:
        block = b"x" * 2048
        stolen, cpu, start = cpu_times(), own_cpu(), time.monotonic()
        for _ in range(n):
            os.write(fd, block)
            os.fdatasync(fd)
        wall = time.monotonic() - start
        return wall / n * 1e6, (own_cpu() - cpu) / n * 1e6, steal_since(stolen)
    finally:
        os.close(fd)
        os.unlink(path)


def wakeup_loop(n=10000):
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    stolen, cpu, start = cpu_times(), own_cpu(), time.monotonic()
    pid = os.fork()
    if pid == 0:
        for _ in range(n):
            os.read(to_child_r, 1)
            os.write(to_parent_w, b"x")
        os._exit(0)
    for _ in range(n):
        os.write(to_child_w, b"x")
        os.read(to_parent_r, 1)
    os.waitpid(pid, 0)
    wall = time.monotonic() - start
    for fd in (to_child_r, to_child_w, to_parent_r, to_parent_w):
        os.close(fd)
    return wall / n * 1e6, (own_cpu() - cpu) / n * 1e6, steal_since(stolen)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit(__doc__)
    wall, cpu, steal = fsync_loop(sys.argv[1])
    print("probe fsync: %.0f us wall, %.0f us cpu per 2 KiB append + fdatasync (steal %.1f %%)"
          % (wall, cpu, steal))
    wall, cpu, steal = wakeup_loop()
    print("probe wake-up: %.1f us wall, %.1f us cpu per pipe round trip between two processes"
          " (steal %.1f %%)" % (wall, cpu, steal))


if __name__ == "__main__":
    main()
