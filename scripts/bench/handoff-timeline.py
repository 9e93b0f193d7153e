#!/usr/bin/env python3
"""Where the hinted-handoff time of scripts/bench-convergence.sh goes, from the nodes' logs.

Usage: handoff-timeline.py HOLDER_LOG TARGET_LOG TARGET_ID

From the target's last start (the "===== <date> <time> starting <id>" line that scripts/cluster.sh
writes) it finds when the target served HTTP ("node up: serving HTTP"), and in the holder's log
when delivery to it resumed or started and when it finished. Prints one line of seconds after
the start; "-" where a line is missing. Log lines start with HH:MM:SS.mmm (same day assumed).
"""
import re
import sys

START = re.compile(r"^===== \S+ (\d\d):(\d\d):(\d\d) starting (\S+):")
STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) ")


def seconds(h, m, s, ms="0"):
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def stamped(path):
    with open(path, errors="replace") as log:
        for line in log:
            match = STAMP.match(line)
            yield (seconds(*match.groups()) if match else None), line


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    holder_log, target_log, target = sys.argv[1:]
    start = None
    serving = None
    for at, line in stamped(target_log):
        started = START.match(line)
        if started and started.group(4) == target:
            start, serving = seconds(*started.groups()[:3]), None
        elif start is not None and serving is None and at is not None and "node up: serving HTTP" in line:
            serving = at - start
    if start is None:
        sys.exit("no start of %s in %s" % (target, target_log))
    resumed = finished = None
    for at, line in stamped(holder_log):
        if at is None or at < start:
            continue
        if resumed is None and re.search(r"hint delivery to %s (resumed|started)" % re.escape(target), line):
            resumed = at - start
        if "hint delivery to %s finished" % target in line:
            finished = at - start
    show = lambda v: "-" if v is None else "%.1f" % v
    print("timeline %s (s after its start command, to 1 s): serving HTTP %s, delivery resumed %s, "
          "finished %s" % (target, show(serving), show(resumed), show(finished)))


if __name__ == "__main__":
    main()
