"""Where a person's scenes are kept in their home, and which one a start opens.

Plain Python (no bpy): the entrypoint uses it to choose the scene before Blender starts, and
the add-on uses it to save and list versions.

~/.blender-lab/versions/<UTC time>.blend   a saved state at every stop (the newest few kept)
~/.blender-lab/autosave.blend              the running scene, every autosaveSeconds
~/.blender-lab/opened.json                 what this start opened, and why
"""

import json
import os
import re
import time

BASE = os.path.join(os.path.expanduser("~"), ".blender-lab")
VERSIONS = os.path.join(BASE, "versions")
AUTOSAVE = os.path.join(BASE, "autosave.blend")
LEGACY = os.path.join(BASE, "session.blend")  # where saves went before versions
OPENED = os.path.join(BASE, "opened.json")
VERSION_NAME = re.compile(r"^\d{8}T\d{6}\.\d{3}Z\.blend$")

_COMPRESSED = (b"\x28\xb5\x2f\xfd", b"\x1f\x8b")  # zstd, gzip


def problem(path):
    """Why a .blend file cannot be opened, or None when it looks whole."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(12)
            if head.startswith(_COMPRESSED):
                return None  # a compressed file cannot be checked cheaply; Blender will tell
            if not head.startswith(b"BLENDER"):
                return "not a Blender file"
            if size < 64:
                return "cut short"
            f.seek(-64, os.SEEK_END)
            if b"ENDB" not in f.read():
                return "cut short (it was being written when Blender stopped)"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


def new_version_path(now=None):
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z.blend"
    return os.path.join(VERSIONS, stamp)


def _entry(path, kind):
    st = os.stat(path)
    return {"name": os.path.basename(path), "kind": kind, "at": iso(st.st_mtime), "mtime": st.st_mtime, "bytes": st.st_size}


def versions():
    """Saved states, newest first."""
    try:
        names = [n for n in os.listdir(VERSIONS) if VERSION_NAME.match(n)]
    except FileNotFoundError:
        names = []
    found = []
    for name in names:
        try:
            found.append(_entry(os.path.join(VERSIONS, name), "save"))
        except OSError:
            pass
    return sorted(found, key=lambda v: v["mtime"], reverse=True)


def candidates():
    """Everything a start could open, newest first: saved versions, the autosave, an older save."""
    found = versions()
    for path, kind in ((AUTOSAVE, "autosave"), (LEGACY, "save")):
        if os.path.exists(path):
            found.append(_entry(path, kind))
    return sorted(found, key=lambda c: c["mtime"], reverse=True)


def path_of(entry):
    if entry["kind"] == "autosave":
        return AUTOSAVE
    if entry["name"] == os.path.basename(LEGACY):
        return LEGACY
    return os.path.join(VERSIONS, entry["name"])


def choose(requested=None):
    """The newest good state (or the requested version), with what was passed over and why."""
    skipped = []
    pool = candidates()
    if requested:
        chosen = [c for c in pool if c["kind"] == "save" and c["name"] == requested]
        if not chosen:
            skipped.append({"name": requested, "why": "no such saved version"})
        pool = chosen + [c for c in pool if c not in chosen]
    for entry in pool:
        why = problem(path_of(entry))
        if why is None:
            return {"path": path_of(entry), "name": entry["name"], "kind": entry["kind"], "at": entry["at"],
                    "requested": bool(requested) and entry["name"] == requested, "skipped": skipped}
        skipped.append({"name": entry["name"], "kind": entry["kind"], "at": entry["at"], "why": why})
    return {"path": None, "name": None, "kind": "none", "at": None, "requested": False, "skipped": skipped}


def choose_file(relative):
    """A .blend of the person's own (relative to the home) they asked to open, or why it cannot be."""
    home = os.path.expanduser("~")
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    if relative.startswith("/") or ".." in parts or not parts:
        return None, "not a path inside your home folder"
    path = home
    for part in parts:
        path = os.path.join(path, part)
        if os.path.islink(path):
            return None, "a link on the way; links are not followed"
    if not os.path.isfile(path):
        return None, "no such file"
    why = problem(path)
    if why is not None:
        return None, why
    return {"path": path, "name": "/".join(parts), "kind": "file", "at": iso(os.path.getmtime(path)), "requested": True, "skipped": []}, None


def prune(keep, protect=()):
    """Removes saved versions beyond the newest `keep`; one in `protect` stays whatever its age."""
    for entry in versions()[keep:]:
        if entry["name"] not in protect:
            try:
                os.remove(os.path.join(VERSIONS, entry["name"]))
            except OSError:
                pass


def record_opened(choice):
    os.makedirs(BASE, exist_ok=True)
    temporary = OPENED + ".partial"
    with open(temporary, "w") as f:
        json.dump(choice, f)
    os.replace(temporary, OPENED)


def read_opened():
    try:
        with open(OPENED) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
