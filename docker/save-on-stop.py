"""Run by the entrypoint on SIGTERM: asks the add-on to save the open scene before the container stops.

Skips the save when nothing changed since the last one (the panel saves before it stops a
container itself). Exits 0 when the scene is safe, 1 otherwise.
"""

import json
import os
import socket
import sys

TIMEOUT_S = float(os.environ.get("BLENDER_LAB_SAVE_TIMEOUT", "100"))


def request(sock, message):
    sock.sendall(json.dumps(message).encode("utf-8"))
    buffer = b""
    decoder = json.JSONDecoder()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the add-on closed the connection")
        buffer += chunk
        try:
            reply, _ = decoder.raw_decode(buffer.decode("utf-8"))
            return reply
        except ValueError:
            continue


try:
    with socket.create_connection(("127.0.0.1", 9876), timeout=TIMEOUT_S) as sock:
        if request(sock, {"type": "auth", "params": {"token": os.environ["BLENDER_LAB_SECRET"]}}).get("status") != "success":
            raise RuntimeError("the add-on refused the session secret")
        reply = request(sock, {"type": "save_session", "params": {"if_changed": True}})
except (OSError, RuntimeError, KeyError) as exc:
    print(f"[blender-lab] could not save the scene on stop: {exc}", flush=True)
    sys.exit(1)
if reply.get("status") != "success":
    print(f"[blender-lab] could not save the scene on stop: {reply.get('message')}", flush=True)
    sys.exit(1)
result = reply["result"]
if result.get("skipped"):
    print("[blender-lab] the scene was already saved", flush=True)
else:
    print(f"[blender-lab] saved the scene on stop ({result['objects']} objects, {result['bytes']} bytes)", flush=True)
