#!/usr/bin/env python3
"""TEST STAND-IN ONLY - not Mini Dynamo.

A fake node for exercising scripts/cluster.sh and scripts/smoke.sh without the
Java build. It takes the real node's arguments (--id, --config, --data-dir,
[--listen]), reads its own http/remote address from the config line that names
it, answers GET /health with {"node":"<id>","status":"ok"}, keeps /kv/<key> in
memory (a value written to any fake node is visible on all of them through a
shared file under the data dir's parent, good enough for smoke.sh), and listens
on its remote port so the script's port-busy check sees it.

Knobs (env): FAKE_START_DELAY=seconds before binding, FAKE_IGNORE_TERM=1 to
ignore SIGTERM (tests the SIGKILL escalation), FAKE_EXIT_AT_START=1 to die
immediately (tests the startup failure path).
"""
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time


def arg(name, default=None):
    argv = sys.argv[1:]
    return argv[argv.index(name) + 1] if name in argv else default


node_id = arg("--id")
config = arg("--config")
data_dir = arg("--data-dir")
if not (node_id and config and data_dir):
    sys.exit("usage: fake-node.py --id ID --config FILE --data-dir DIR [--listen host:port]")

line = next(l for l in open(config) if re.search(r'id *= *"%s"' % re.escape(node_id), l))
http_addr = arg("--listen") or re.search(r'http *= *"([^"]*)"', line).group(1)
remote_addr = re.search(r'remote *= *"([^"]*)"', line).group(1)

print(f"fake node {node_id}: pid {os.getpid()} http {http_addr} remote {remote_addr}", flush=True)
if os.environ.get("FAKE_EXIT_AT_START"):
    print("fake node: failing at startup as asked (FAKE_EXIT_AT_START)", flush=True)
    sys.exit(3)
time.sleep(float(os.environ.get("FAKE_START_DELAY", "0")))

os.makedirs(data_dir, exist_ok=True)
store_dir = os.path.join(os.path.dirname(os.path.abspath(data_dir)), "fake-shared-store")
os.makedirs(store_dir, exist_ok=True)


class Handler(http.server.BaseHTTPRequestHandler):
    def _send(self, code, body=b"", ctype="application/octet-stream"):
        self.send_response(code)
        if body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _path(self):
        return os.path.join(store_dir, self.path[len("/kv/"):].replace("/", "%2F"))

    def do_GET(self):
        if self.path == "/health":
            self._send(200, json.dumps({"node": node_id, "status": "ok"}).encode(), "application/json")
        elif self.path.startswith("/kv/"):
            try:
                self._send(200, open(self._path(), "rb").read())
            except FileNotFoundError:
                self._send(404)
        else:
            self._send(404)

    def do_PUT(self):
        if not self.path.startswith("/kv/"):
            return self._send(404)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(self._path(), "wb") as f:
            f.write(body)
        self._send(204)

    def do_DELETE(self):
        try:
            os.remove(self._path())
        except FileNotFoundError:
            pass
        self._send(204)

    def log_message(self, fmt, *args):
        print(f"{node_id}: " + fmt % args, flush=True)


host, port = http_addr.rsplit(":", 1)
server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
rhost, rport = remote_addr.rsplit(":", 1)
remote = socket.create_server((rhost, int(rport)))


def on_term(signum, frame):
    if os.environ.get("FAKE_IGNORE_TERM"):
        print(f"fake node {node_id}: SIGTERM ignored (FAKE_IGNORE_TERM)", flush=True)
        return
    print(f"fake node {node_id}: SIGTERM, shutting down", flush=True)
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, on_term)
server.serve_forever()
remote.close()
print(f"fake node {node_id}: stopped", flush=True)
