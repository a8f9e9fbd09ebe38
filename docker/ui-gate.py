"""The UI port's front door (container port 3000): noVNC's files, and the screen for the secret.

Anyone on the machine can reach the published port. websockify starts a process for every
connection before it looks at the token, so a few hundred idle connections would use up the
container's process limit and take Blender's own threads with them. This gate, one process and
one thread, reads each request's head first (within 30 s, at most 8 KiB): the screen's WebSocket
goes on to websockify (on 127.0.0.1 only) only with the session's secret, and at most a few at
once; noVNC's files are served here. Connections still sending their head are capped too, the
oldest closed first, so strangers holding connections open cannot keep the panel out.
"""

import asyncio
import hmac
import mimetypes
import os
import sys
import urllib.parse

WEB_ROOT = os.path.realpath("/usr/share/novnc")
BACKEND = ("127.0.0.1", 3001)
# Long enough for a connection a browser opens ahead of its request (it may wait seconds before
# using it); the cap on waiting connections, not this, is what keeps strangers from using them up.
HEAD_DEADLINE_S = 30.0
HEAD_MAX_BYTES = 8192
MAX_PENDING = 64
MAX_STREAMS = 8
TYPES = {".js": "text/javascript", ".html": "text/html; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".json": "application/json"}

pending = []  # writers of connections still sending their head, oldest first
streams = 0


def reply(writer, status, text, body=b"", content_type="text/plain; charset=utf-8", head_only=False):
    headers = [
        f"HTTP/1.1 {status} {text}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Cache-Control: no-store",
        "X-Content-Type-Options: nosniff",
    ]
    writer.write(("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else body))


def static_file(path):
    """The file under noVNC's folder that `path` names, or None: no `..`, no links out."""
    relative = urllib.parse.unquote(path).lstrip("/") or "vnc.html"
    full = os.path.realpath(os.path.join(WEB_ROOT, relative))
    if not full.startswith(WEB_ROOT + os.sep) or not os.path.isfile(full):
        return None
    return full


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        close(writer)


def close(writer):
    try:
        writer.close()
    except OSError:
        pass


async def stream_screen(head, reader, writer):
    global streams
    if streams >= MAX_STREAMS:
        reply(writer, 503, "Service Unavailable", b"too many screens open at once\n")
        return
    streams += 1
    try:
        up_reader, up_writer = await asyncio.open_connection(*BACKEND)
        up_writer.write(head)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
    except OSError:
        reply(writer, 502, "Bad Gateway", b"the screen is not up yet\n")
    finally:
        streams -= 1


async def handle(reader, writer, secret):
    pending.append(writer)
    if len(pending) > MAX_PENDING:
        oldest = pending.pop(0)
        oldest.transport.abort()
    try:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_DEADLINE_S)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            return
        finally:
            if writer in pending:
                pending.remove(writer)
        try:
            method, target, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        except ValueError:
            reply(writer, 400, "Bad Request")
            return
        url = urllib.parse.urlsplit(target)
        if url.path == "/websockify":
            token = urllib.parse.parse_qs(url.query).get("token", [""])[0].encode("utf-8", "replace")
            if not hmac.compare_digest(token, secret):
                reply(writer, 403, "Forbidden", b"wrong or missing token\n")
                return
            await stream_screen(head, reader, writer)
            return
        if method not in ("GET", "HEAD"):
            reply(writer, 405, "Method Not Allowed")
            return
        file = static_file(url.path)
        if file is None:
            reply(writer, 404, "Not Found")
            return
        with open(file, "rb") as f:
            body = f.read()
        kind = TYPES.get(os.path.splitext(file)[1]) or mimetypes.guess_type(file)[0] or "application/octet-stream"
        reply(writer, 200, "OK", body, kind, head_only=method == "HEAD")
        await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        close(writer)


async def main(port, secret_file):
    with open(secret_file, "rb") as f:
        secret = f.read().strip()
    server = await asyncio.start_server(lambda r, w: handle(r, w, secret), "0.0.0.0", port, limit=HEAD_MAX_BYTES, backlog=512)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
