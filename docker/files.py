"""The panel's Files view, run inside the person's container: list, check, delete, rename, place.

Paths are relative to the home and arrive already checked by the panel; they are checked again
here, where the file system is: no component may be a link, so nothing leads out of the home.
Prints one JSON object: the answer, or {"error", "code"}.
"""

import datetime
import json
import os
import shutil
import stat
import sys

HOME = "/home/blender"
MAX_ENTRIES = 5000


class Refused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "link"
    return "folder" if stat.S_ISDIR(mode) else "file"


def resolve(relative, must_exist=True):
    """The absolute path of `relative`, refusing `..`, absolute paths and links on the way."""
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    if relative.startswith("/") or ".." in parts:
        raise Refused("INVALID_INPUT", f'"{relative}" leads out of your home folder')
    path = HOME
    for i, part in enumerate(parts):
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if must_exist or i < len(parts) - 1:
                raise Refused("NOT_FOUND", f'"{"/".join(parts[: i + 1])}" does not exist') from None
            return path
        if stat.S_ISLNK(st.st_mode):
            raise Refused("INVALID_INPUT", f'"{"/".join(parts[: i + 1])}" is a link; links are not followed, they may lead out of your home folder')
    return path


def cmd_list(relative):
    path = resolve(relative)
    if not os.path.isdir(path):
        raise Refused("INVALID_INPUT", f'"{relative}" is a file, not a folder')
    entries = []
    with os.scandir(path) as it:
        for entry in it:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append({"name": entry.name, "kind": _kind(st.st_mode), "bytes": st.st_size if stat.S_ISREG(st.st_mode) else 0, "modifiedAt": _iso(st.st_mtime)})
            if len(entries) >= MAX_ENTRIES:
                break
    entries.sort(key=lambda e: (e["kind"] != "folder", e["name"].lower()))
    return {"path": relative, "entries": entries}


def cmd_stat(relative):
    st = os.lstat(resolve(relative))
    return {"kind": _kind(st.st_mode), "bytes": st.st_size}


def cmd_delete(relative):
    path = resolve(relative)
    if path == HOME:
        raise Refused("INVALID_INPUT", "Your home folder itself cannot be deleted")
    if os.path.isdir(path):
        shutil.rmtree(path)  # links inside are removed, never followed
    else:
        os.remove(path)
    return {"deleted": relative}


def cmd_rename(relative, new_name):
    path = resolve(relative)
    if path == HOME:
        raise Refused("INVALID_INPUT", "Your home folder itself cannot be renamed")
    target = os.path.join(os.path.dirname(path), new_name)
    if os.path.lexists(target):
        raise Refused("CONFLICT", f'"{new_name}" already exists here')
    os.rename(path, target)
    return {"renamed": relative, "to": new_name}


def cmd_place(partial_relative, final_relative):
    """Moves a finished upload over its final name in one step, so a cut upload never replaces a file."""
    partial = resolve(partial_relative)
    final = resolve(final_relative, must_exist=False)
    if os.path.isdir(final):
        os.remove(partial)
        raise Refused("CONFLICT", f'"{final_relative}" is a folder; a file cannot replace it')
    os.replace(partial, final)
    return {"placed": final_relative, "bytes": os.path.getsize(final)}


def cmd_discard(relative):
    try:
        os.remove(resolve(relative))
    except (Refused, OSError):
        pass
    return {"discarded": relative}


COMMANDS = {"list": cmd_list, "stat": cmd_stat, "delete": cmd_delete, "rename": cmd_rename, "place": cmd_place, "discard": cmd_discard}


def main(argv):
    try:
        command = COMMANDS.get(argv[0] if argv else "")
        if command is None:
            raise Refused("INVALID_INPUT", "unknown files command")
        print(json.dumps(command(*argv[1:])))
    except Refused as exc:
        print(json.dumps({"error": str(exc), "code": exc.code}))
    except PermissionError as exc:
        print(json.dumps({"error": f"Not allowed: {exc.strerror}", "code": "FORBIDDEN"}))
    except OSError as exc:
        print(json.dumps({"error": exc.strerror or str(exc), "code": "INTERNAL"}))


if __name__ == "__main__":
    main(sys.argv[1:])
