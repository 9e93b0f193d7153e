#!/usr/bin/env python3
"""Per node, where the CPU of a system-wide `perf record -g` went, by Mini Dynamo component.

Reads `perf script -F pid,tid,comm,ip,sym` on standard input (Java frames resolved through the
nodes' /tmp/perf-<pid>.map, see java-profile.sh). Each sample is charged to:
  - the component of its innermost (leaf-most) frame that belongs to a known component (so the
    writer's `fdatasync` counts as the journal writer, and a wake-up, LockSupport.unpark, as the
    thread pool whoever calls it: LockSupport is the innermost known frame); samples of the JIT
    compiler and GC threads go to "jit" and "gc"; samples with no known frame to the component
    their thread's name says (journal writer, scheduler), else to "park/unpark (caller unknown)"
    when they are in the JVM's park or unpark (whose libc frames often lose the Java frames above
    them), else to "unattributed";
  - the first kernel entry point in its stack that a request's work goes through (futex,
    fdatasync, socket reads and writes, epoll), or "user/other".

Usage: java-profile.py --hz RATE [--requests N] PID=LABEL ...   (RATE: perf's samples per second
and CPU; N: requests served during the recording, for microseconds of CPU per request)
"""
import collections
import re
import sys

# (component, substrings of a frame's symbol), tried in this order on each frame
COMPONENTS = [
    ("journal writer", ["GroupCommitWriter", "SegmentLog"]),
    ("journal actor", ["SegmentJournal", "AsyncWriteJournal", "JournalIndex"]),
    ("persistence (typed)", ["persistence.typed"]),
    ("partition log", ["PartitionLog", "PartitionState", "WriteBatcher", "MerkleTree"]),
    ("router, local reads", ["ReplicaRouter", "CommittedReads"]),
    ("coordinators", ["io.minidynamo.coordinator"]),
    ("http routes", ["io.minidynamo.http", "pekko.http"]),
    ("artery", ["remote.artery"]),
    ("tcp (pekko io)", ["pekko.io.", "stream.impl.io"]),
    ("streams", ["pekko.stream"]),
    ("serialization", ["erializ"]),
    ("scheduler", ["Scheduler"]),
    ("thread pool", ["ForkJoinPool", "ForkJoinTask", "ThreadPoolExecutor", "LockSupport"]),
    ("mailbox", ["dispatch.Mailbox", "MessageQueue"]),
]
KERNEL = [
    ("fdatasync", ["fdatasync", "ext4_sync_file"]),
    ("futex", ["futex"]),
    ("tcp send", ["tcp_sendmsg"]),
    ("tcp receive", ["tcp_recvmsg"]),
    ("epoll", ["epoll"]),
    ("file write", ["vfs_write", "do_writev"]),
    ("page fault", ["asm_exc_page_fault"]),
]
# threads whose own name says what they do, for samples with no known frame (kernel names are
# cut to 15 characters)
THREADS = [("mini-dynamo-jou", "journal writer"), ("mini-dynamo-sch", "scheduler")]
# the JVM's park and unpark (libc's condition variables) often lose the Java frames above them
PARKING = ["pthread_cond_", "__futex_abstimed_wait", "Parker::", "Unsafe_Park", "Unsafe_Unpark"]
HEADER = re.compile(r"^(.*?)\s+(\d+)/(\d+)\s*$")


def classify(comm, frames):
    if comm.startswith(("C1 CompilerThre", "C2 CompilerThre")):
        component = "jit"
    elif comm.startswith("GC Thread"):
        component = "gc"
    else:
        component = next((name for frame in frames for name, keys in COMPONENTS
                          if any(k in frame for k in keys)), None)
    if component is None:
        component = next((name for prefix, name in THREADS if comm.startswith(prefix)), None)
    if component is None:
        parking = any(k in frame for frame in frames for k in PARKING)
        component = "park/unpark (caller unknown)" if parking else "unattributed"
    kernel = next(
        (name for name, keys in KERNEL if any(k in frame for frame in frames for k in keys)),
        "user/other")
    return component, kernel


def main(argv):
    if len(argv) < 2 or argv[0] != "--hz":
        sys.exit(__doc__)
    rate_hz = int(argv[1])
    argv = argv[2:]
    requests = None
    if len(argv) >= 2 and argv[0] == "--requests":
        requests = int(argv[1])
        argv = argv[2:]
    labels = dict(arg.split("=", 1) for arg in argv)
    total = 0
    per_node = collections.Counter()
    components = collections.defaultdict(collections.Counter)
    kernels = collections.defaultdict(collections.Counter)
    header, frames = None, []

    def flush():
        nonlocal total
        if header is None:
            return
        total += 1
        comm, pid = header
        label = labels.get(pid)
        if label is None:
            return
        per_node[label] += 1
        component, kernel = classify(comm, frames)
        components[label][component] += 1
        kernels[label][kernel] += 1

    for line in sys.stdin:
        if line[:1].isspace():
            parts = line.split(None, 1)
            if len(parts) == 2:
                frames.append(parts[1].strip())
            continue
        match = HEADER.match(line)
        if match:
            flush()
            header, frames = (match.group(1), match.group(2)), []
    flush()

    print(f"samples: {total} (all CPUs)")
    for label in sorted(per_node):
        n = per_node[label]
        line = f"\n== {label}: {100.0 * n / max(total, 1):.1f} % of all samples"
        if requests:
            line += f", {n / requests * 1e6 / rate_hz:.0f} us of CPU per request"
        print(line)
        for title, counter in (("component", components[label]), ("kernel entry", kernels[label])):
            print(f"  {title:13}" + ", ".join(
                f"{name} {100.0 * count / n:.0f} %" for name, count in counter.most_common(12)))


if __name__ == "__main__":
    main(sys.argv[1:])
