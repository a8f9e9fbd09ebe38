"""Splits a byte stream into requests.

Two wire formats share one port, chosen per request by its first byte:
- raw JSON with no delimiter (blender-mcp's original format): a request ends where its
  top-level object closes;
- a 4-byte big-endian length prefix (blender-mcp's later format): first byte 0x00.
Replies use the format of the request they answer.
"""

import re

MAX_REQUEST_BYTES = 16 * 1024 * 1024

RAW = "raw"
PREFIXED = "prefixed"

_OUTSIDE_STRING = re.compile(rb'[{}\[\]"]')
_INSIDE_STRING = re.compile(rb'["\\]')
_WHITESPACE = b" \t\r\n"


class FramingError(Exception):
    """The stream cannot be resynchronised; the connection must be closed."""


class Frame:
    __slots__ = ("payload", "fmt")

    def __init__(self, payload, fmt):
        self.payload = payload
        self.fmt = fmt


class RequestReader:
    """Accumulates bytes and yields complete request frames.

    Scanning is incremental, so a large request arriving in many packets costs linear time.
    """

    def __init__(self, max_bytes=MAX_REQUEST_BYTES):
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._reset_scan()

    def _reset_scan(self):
        self._pos = 0
        self._depth = 0
        self._in_string = False
        self._started = False

    def feed(self, data):
        """Adds bytes; returns the list of complete frames now available."""
        self._buf += data
        frames = []
        while True:
            frame = self._next_frame()
            if frame is None:
                break
            frames.append(frame)
        if len(self._buf) > self.max_bytes:
            raise FramingError(f"Request too large: over {_size(self.max_bytes)}")
        return frames

    def _next_frame(self):
        buf = self._buf
        if not self._started:
            start = 0
            while start < len(buf) and buf[start] in _WHITESPACE:
                start += 1
            del buf[:start]
            if not buf:
                return None
            first = buf[0]
            if first == 0:
                return self._next_prefixed()
            if first != ord("{"):
                raise FramingError("Malformed request: expected a JSON object starting with '{'")
            self._started = True
            self._pos = 0
        return self._scan_raw()

    def _next_prefixed(self):
        buf = self._buf
        if len(buf) < 4:
            return None
        length = int.from_bytes(buf[:4], "big")
        if length > self.max_bytes:
            raise FramingError(f"Request too large: over {_size(self.max_bytes)}")
        if len(buf) < 4 + length:
            return None
        payload = bytes(buf[4:4 + length])
        del buf[:4 + length]
        return Frame(payload, PREFIXED)

    def _scan_raw(self):
        buf = self._buf
        pos = self._pos
        while True:
            if self._in_string:
                m = _INSIDE_STRING.search(buf, pos)
                if m is None:
                    self._pos = len(buf)
                    return None
                pos = m.start()
                if buf[pos] == 0x5C:  # backslash escapes the next byte
                    if pos + 1 >= len(buf):
                        self._pos = pos
                        return None
                    pos += 2
                    continue
                self._in_string = False
                pos += 1
                continue
            m = _OUTSIDE_STRING.search(buf, pos)
            if m is None:
                self._pos = len(buf)
                return None
            pos = m.start()
            ch = buf[pos]
            pos += 1
            if ch == 0x22:
                self._in_string = True
            elif ch in (0x7B, 0x5B):
                self._depth += 1
            else:
                self._depth -= 1
                if self._depth == 0:
                    payload = bytes(buf[:pos])
                    del buf[:pos]
                    self._reset_scan()
                    return Frame(payload, RAW)


def _size(n):
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes before authenticating"


def encode_reply(data, fmt):
    if fmt == PREFIXED:
        return len(data).to_bytes(4, "big") + data
    return data
