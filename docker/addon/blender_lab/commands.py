"""Commands of the add-on protocol. Each runs on Blender's main thread and returns plain data."""

import base64
import contextlib
import io
import os
import re
import tempfile
import traceback

import bpy
import lab_scenes
import mathutils

from . import assets, saving
from .errors import CommandError

MAX_LISTED_OBJECTS = 100


def _vec(v, digits=4):
    return [round(float(c), digits) for c in v]


def ping(params):
    return {"pong": True, "blender_version": bpy.app.version_string}


def get_scene_info(params):
    scene = bpy.context.scene
    objects = list(scene.objects)
    return {
        "name": scene.name,
        "object_count": len(objects),
        "objects": [
            {"name": obj.name, "type": obj.type, "location": _vec(obj.location, 2)}
            for obj in objects[:MAX_LISTED_OBJECTS]
        ],
        "materials_count": len(bpy.data.materials),
    }


def get_object_info(params):
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise CommandError("get_object_info needs a string 'name'")
    obj = bpy.data.objects.get(name)
    if obj is None:
        raise CommandError(f"Object not found: {name}")
    info = {
        "name": obj.name,
        "type": obj.type,
        "location": _vec(obj.location),
        "rotation": _vec(obj.rotation_euler),
        "scale": _vec(obj.scale),
        "visible": obj.visible_get(),
        "materials": [slot.material.name for slot in obj.material_slots if slot.material],
    }
    if obj.type == "MESH" and obj.data is not None:
        corners = [obj.matrix_world @ mathutils.Vector(c) for c in obj.bound_box]
        info["world_bounding_box"] = [
            _vec((min(c[i] for c in corners) for i in range(3))),
            _vec((max(c[i] for c in corners) for i in range(3))),
        ]
        mesh = obj.data
        info["mesh"] = {
            "vertices": len(mesh.vertices),
            "edges": len(mesh.edges),
            "polygons": len(mesh.polygons),
        }
    return info


def execute_code(params):
    code = params.get("code")
    if not isinstance(code, str):
        raise CommandError("execute_code needs a string 'code'")
    namespace = {"bpy": bpy, "__name__": "__blender_lab__"}
    saving.changes.mark()  # code may change data that no depsgraph update reports
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<execute_code>", "exec"), namespace)
    except SystemExit as exc:
        raise CommandError(f"SystemExit: code called exit({exc.code}); Blender keeps running") from None
    except BaseException as exc:
        raise CommandError(_describe_user_error(exc)) from None
    return {"executed": True, "result": out.getvalue()}


def _describe_user_error(exc):
    """'NameError: name 'x' is not defined (line 3)': the user's line, not our frames."""
    lineno = exc.lineno if isinstance(exc, SyntaxError) else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<execute_code>":
            lineno = frame.lineno
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{text} (line {lineno})" if lineno else text


def _find_view3d():
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                for region in area.regions:
                    if region.type == "WINDOW":
                        return window, area, region
    return None


def get_viewport_screenshot(params):
    max_size = params.get("max_size", 800)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or not 16 <= max_size <= 4096:
        raise CommandError("max_size must be an integer from 16 to 4096")
    found = _find_view3d()
    if found is None:
        raise CommandError("No 3D viewport is open")
    window, area, region = found
    fd, path = tempfile.mkstemp(suffix=".png", prefix="blender-lab-shot-")
    os.close(fd)
    image = None
    try:
        with bpy.context.temp_override(window=window, area=area, region=region):
            bpy.ops.screen.screenshot_area(filepath=path)
        image = bpy.data.images.load(path, check_existing=False)
        width, height = image.size
        if max(width, height) > max_size:
            scale = max_size / max(width, height)
            width, height = max(1, int(width * scale)), max(1, int(height * scale))
            image.scale(width, height)
            image.filepath_raw = path
            image.file_format = "PNG"
            image.save()
        with open(path, "rb") as f:
            data = f.read()
        return {
            "width": width,
            "height": height,
            "format": "png",
            "image_base64": base64.b64encode(data).decode("ascii"),
        }
    finally:
        if image is not None:
            bpy.data.images.remove(image)
        with contextlib.suppress(OSError):
            os.remove(path)


def save_session(params):
    """Saves the open scene as a new version in the person's volume; the next start reopens the newest."""
    if_changed = params.get("if_changed", False)
    protect = params.get("protect", [])
    if not isinstance(if_changed, bool):
        raise CommandError("if_changed must be true or false")
    if not isinstance(protect, list) or not all(isinstance(n, str) for n in protect):
        raise CommandError("protect must be a list of version names")
    return saving.save_version(_versions_kept(), protect=protect, if_changed=if_changed)


def scenes(params):
    """What this start opened (and why), the saved versions, and the autosave."""
    autosave = None
    if os.path.exists(lab_scenes.AUTOSAVE):
        st = os.stat(lab_scenes.AUTOSAVE)
        autosave = {"at": lab_scenes.iso(st.st_mtime), "bytes": st.st_size}
    return {
        "opened": lab_scenes.read_opened(),
        "versions": [{k: v[k] for k in ("name", "at", "bytes")} for v in lab_scenes.versions()],
        "autosave": autosave,
    }


def render(params):
    """Renders the scene's camera view to a PNG in the person's home (path relative to it)."""
    relative = params.get("path")
    if not isinstance(relative, str) or not re.fullmatch(r"renders/[A-Za-z0-9._-]{1,200}\.png", relative) or ".." in relative:
        raise CommandError("path must be renders/<name>.png")
    scene = bpy.context.scene
    if scene.camera is None:
        raise CommandError("The scene has no camera to render from: add one (Add > Camera) and try again")
    target = os.path.join(os.path.expanduser("~"), relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    settings = scene.render
    before = (settings.filepath, settings.image_settings.file_format)
    settings.filepath = target
    settings.image_settings.file_format = "PNG"
    try:
        bpy.ops.render.render(write_still=True)
    finally:
        settings.filepath, settings.image_settings.file_format = before
    if not os.path.exists(target):
        raise CommandError("Blender finished rendering but wrote no image")
    scale = settings.resolution_percentage / 100
    return {"path": relative, "width": max(1, int(settings.resolution_x * scale)), "height": max(1, int(settings.resolution_y * scale))}


def _versions_kept():
    try:
        return max(1, int(os.environ.get("BLENDER_LAB_VERSIONS_KEPT", "5")))
    except ValueError:
        return 5


COMMANDS = {
    "ping": ping,
    "get_scene_info": get_scene_info,
    "get_object_info": get_object_info,
    "execute_code": execute_code,
    "get_viewport_screenshot": get_viewport_screenshot,
    "save_session": save_session,
    "scenes": scenes,
    "render": render,
    "download_polyhaven_asset": assets.download_polyhaven_asset,
    "set_texture": assets.set_texture,
    "download_sketchfab_model": assets.download_sketchfab_model,
    "import_generated_asset": assets.import_generated_asset,
    "import_generated_asset_hunyuan": assets.import_generated_asset_hunyuan,
}


def dispatch(command, params):
    handler = COMMANDS.get(command)
    if handler is None:
        raise CommandError(f"Unknown command type: {command}")
    return handler(params)
