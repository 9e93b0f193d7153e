#!/usr/bin/env python3
"""Whether a node's own replica holds keys <prefix>1..<prefix><keys> with value 'value-<i>'.

Asks POST /internal/get over one keep-alive connection (one process, not one curl + python per key:
that cost seconds per poll and was counted as convergence time by bench-convergence.sh).

  keys-present.py PORT PREFIX KEYS            # 200 random keys + the first and the last
  keys-present.py PORT PREFIX KEYS --all      # every key; prints how many are missing
Exit status 0 when every checked key is there with its value, 1 otherwise, 2 on a connection error.
"""
import base64
import http.client
import json
import random
import sys


def main():
    port, prefix, keys = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    check_all = "--all" in sys.argv[4:]
    indexes = list(range(1, keys + 1)) if check_all else \
        random.sample(range(1, keys + 1), min(200, keys)) + [1, keys]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    missing = 0
    try:
        for i in indexes:
            body = json.dumps({"key": f"{prefix}{i}"})
            conn.request("POST", "/internal/get", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                missing += 1
            else:
                d = json.loads(data)
                ok = d["found"] and base64.b64decode(d["record"]["value"]).decode() == f"value-{i}"
                missing += 0 if ok else 1
            if missing and not check_all:
                return 1
    except (OSError, http.client.HTTPException):
        return 2
    if check_all:
        print(f"{missing} of {len(indexes)} keys missing")
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
