"""The add-on's TCP server: authentication, framing and the hand-off to Blender's main thread.

Socket threads only read, parse and write; every command runs on Blender's main thread,
one at a time, through a queue drained by a bpy.app.timers callback.
"""

import base64
import hashlib
import hmac
import json
import os
import queue
import socket
import threading
import time
import traceback

from .errors import CommandError
from .framing import MAX_REQUEST_BYTES, FramingError, RequestReader, encode_reply

# The whole handshake (connect to authenticated) must fit in this, however the bytes trickle in.
AUTH_DEADLINE_S = 5.0
# Before authenticating a client may send only this much: an auth request is tiny.
PRE_AUTH_MAX_BYTES = 4096
REQUEST_TIMEOUT_S = 600.0
# Anyone on the machine can reach the port. Authenticated clients and clients still in their
# handshake have separate caps, and a new handshake evicts the oldest pending one when its
# pool is full, so strangers can neither exhaust threads nor keep the panel out.
MAX_CLIENTS = 32
MAX_PENDING = 32
# A short accept queue drops connections under a burst; their retries then arrive after later
# ones (the panel's among them) and, being newer, would evict the panel from the pending pool.
ACCEPT_BACKLOG = 512


# What a challenge-response proof is computed over, besides the nonce: a proof for this protocol
# is never also a valid MAC for anything else keyed with the secret.
PROOF_CONTEXT = b"blender-lab-auth:"


def proof_for(secret, nonce):
    return hmac.new(secret, PROOF_CONTEXT + nonce.encode("ascii"), hashlib.sha256).hexdigest()


def _error(message):
    return {"status": "error", "message": message}


class _Job:
    __slots__ = ("command", "params", "done", "response")

    def __init__(self, command, params):
        self.command = command
        self.params = params
        self.done = threading.Event()
        self.response = None


class Server:
    def __init__(self, secret, dispatch, host="0.0.0.0", port=9876, log=print):
        if not secret:
            raise ValueError("a session secret is required")
        self._secret = secret.encode("utf-8")
        self._dispatch = dispatch
        self._host = host
        self._port = port
        self._log = log
        self._jobs = queue.Queue()
        self._lock = threading.Lock()
        self._pending = []  # connections still in their handshake, oldest first
        self._authenticated = 0
        self._sock = None
        self._running = False

    # --- lifecycle -------------------------------------------------------------------------

    def start(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        sock.listen(ACCEPT_BACKLOG)
        self._sock = sock
        self._running = True
        threading.Thread(target=self._accept_loop, name="blender-lab-accept", daemon=True).start()
        self._log(f"[blender-lab] add-on listening on {self._host}:{self._port}")

    def stop(self):
        self._running = False
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    # --- main thread -----------------------------------------------------------------------

    def run_pending(self):
        """Runs queued commands; called on Blender's main thread by a timer."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            try:
                job.response = {"status": "success", "result": self._dispatch(job.command, job.params)}
            except CommandError as exc:
                job.response = _error(str(exc))
            except BaseException as exc:  # a command must never take Blender down
                job.response = _error(_describe(exc))
                traceback.print_exc()
            finally:
                job.done.set()

    # --- socket threads --------------------------------------------------------------------

    def _accept_loop(self):
        # Nothing a client does may end this loop: out of file descriptors or threads (the
        # container's process limit), it drops that connection, waits a moment and goes on.
        while self._running:
            sock = self._sock
            if sock is None:
                return
            try:
                conn, _addr = sock.accept()
            except OSError as exc:
                if not self._running or sock.fileno() < 0:
                    return
                self._log(f"[blender-lab] accepting a connection failed ({exc}); going on")
                time.sleep(0.1)
                continue
            try:
                with self._lock:
                    evicted = self._pending.pop(0) if len(self._pending) >= MAX_PENDING else None
                    self._pending.append(conn)
                if evicted is not None:
                    _shut(evicted)  # its thread sees the closed socket and ends
                threading.Thread(target=self._serve, args=(conn,), name="blender-lab-client", daemon=True).start()
            except BaseException as exc:  # noqa: BLE001 - the loop must outlive any one connection
                self._leave_handshake(conn)
                _shut(conn)
                try:
                    conn.close()
                except OSError:
                    pass
                self._log(f"[blender-lab] serving a connection failed ({exc}); going on")
                time.sleep(0.1)

    def _leave_handshake(self, conn):
        with self._lock:
            if conn in self._pending:
                self._pending.remove(conn)

    def _admit(self, conn):
        """Moves a connection that authenticated into the authenticated pool, if it has room."""
        with self._lock:
            if conn in self._pending:
                self._pending.remove(conn)
            if self._authenticated >= MAX_CLIENTS:
                return False
            self._authenticated += 1
            return True

    def _serve(self, conn):
        reader = RequestReader(max_bytes=PRE_AUTH_MAX_BYTES)
        authenticated = False
        nonce = None  # the challenge this connection was given, once it asked for one
        deadline = time.monotonic() + AUTH_DEADLINE_S
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                if not authenticated:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return
                    conn.settimeout(left)
                try:
                    data = conn.recv(1 << 16)
                except socket.timeout:
                    return
                if not data:
                    return
                try:
                    frames = reader.feed(data)
                except FramingError as exc:
                    self._send(conn, _error(str(exc)), "raw")
                    _linger(conn)
                    return
                for frame in frames:
                    request = _parse(frame.payload)
                    if isinstance(request, str):
                        if not authenticated:
                            self._send(conn, _error("Authentication required"), frame.fmt)
                            return
                        self._send(conn, _error(request), frame.fmt)
                        continue
                    if not authenticated:
                        if request.get("type") == "auth_challenge" and nonce is None:
                            # The secret need not cross the network: the client proves it knows it.
                            nonce = base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")
                            self._send(conn, {"status": "success", "result": {"nonce": nonce}}, frame.fmt)
                            continue
                        if not self._authenticates(request, nonce):
                            self._send(conn, _error("Authentication failed"), frame.fmt)
                            return
                        if not self._admit(conn):
                            self._send(conn, _error(f"Too many connections (limit {MAX_CLIENTS})"), frame.fmt)
                            return
                        authenticated = True
                        reader.max_bytes = MAX_REQUEST_BYTES
                        conn.settimeout(None)  # an authenticated client may stay as long as it likes
                        self._send(conn, {"status": "success", "result": {"authenticated": True}}, frame.fmt)
                        continue
                    self._send(conn, self._run(request), frame.fmt)
        except (ConnectionError, OSError):
            return  # the client went away (or was evicted); nothing to answer
        finally:
            if authenticated:
                with self._lock:
                    self._authenticated -= 1
            else:
                self._leave_handshake(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _authenticates(self, request, nonce):
        """The secret itself (`token`), or, after a challenge, `proof`: HMAC-SHA256(secret, context + nonce)."""
        if request.get("type") != "auth":
            return False
        params = request.get("params")
        if not isinstance(params, dict):
            return False
        proof = params.get("proof")
        if nonce is not None and isinstance(proof, str):
            return hmac.compare_digest(proof.encode("ascii", "replace"), proof_for(self._secret, nonce).encode("ascii"))
        token = params.get("token")
        if not isinstance(token, str):
            return False
        return hmac.compare_digest(token.encode("utf-8"), self._secret)

    def _run(self, request):
        command = request.get("type")
        params = request.get("params", {})
        if not isinstance(command, str) or not command:
            return _error("Request needs a string 'type'")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            return _error("'params' must be an object")
        if command == "auth":
            return {"status": "success", "result": {"authenticated": True}}
        job = _Job(command, params)
        self._jobs.put(job)
        if not job.done.wait(REQUEST_TIMEOUT_S):
            return _error(f"Blender did not finish '{command}' within {int(REQUEST_TIMEOUT_S)} s")
        return job.response

    def _send(self, conn, response, fmt):
        try:
            data = json.dumps(response).encode("utf-8")
        except (TypeError, ValueError) as exc:
            data = json.dumps(_error(f"Result could not be encoded as JSON: {exc}")).encode("utf-8")
        conn.sendall(encode_reply(data, fmt))


def _shut(conn):
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _linger(conn, seconds=2.0):
    """Closes our side after a final reply, reading off what the client is still sending.

    Closing with unread input would reset the connection, and the reset can destroy the
    reply before the client reads it.
    """
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(seconds)
        while conn.recv(1 << 16):
            pass
    except OSError:
        pass


def _parse(payload):
    """Returns the request dict, or an error message string."""
    try:
        request = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        return "Malformed request: not UTF-8"
    except ValueError as exc:
        return f"Malformed JSON: {exc}"
    if not isinstance(request, dict):
        return "Malformed request: expected a JSON object"
    return request


def _describe(exc):
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
