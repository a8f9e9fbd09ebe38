"""Assets the panel fetched into the lab's shared cache (mounted read-only), added to the scene.

The panel downloads, checks every name and size, and writes the cache; Blender only reads it.
A cache entry is complete once its manifest.json is there, written last.
"""

import json
import os
import re

import bpy
import mathutils

from .errors import CommandError

CACHE = "/var/cache/blender-lab/assets"
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}$")
ENTRY = re.compile(r"^polyhaven/(hdris|textures|models)/[a-z0-9][a-z0-9_-]{0,127}/[1-9]\d?k-[a-z]{2,5}-[a-f0-9]{16}$")
MAX_MANIFEST_BYTES = 64 * 1024
COLOR_MAPS = ("diff", "diffuse", "color", "albedo", "col")


def _inside(entry_dir, name):
    """The cache file `name` of an entry, refused if it leads anywhere else (a link, `..`)."""
    path = os.path.realpath(os.path.join(entry_dir, name))
    if not path.startswith(os.path.realpath(entry_dir) + os.sep) or not os.path.isfile(path):
        raise CommandError(f"The cached file {name!r} is not where the asset's manifest says")
    return path


def _manifest(params):
    asset_id = params.get("asset_id")
    asset_type = params.get("asset_type")
    entry = params.get("cache_entry")
    if not isinstance(asset_id, str) or not ID.match(asset_id):
        raise CommandError("asset_id must be a PolyHaven asset id")
    if not isinstance(entry, str) or not ENTRY.match(entry) or f"/{asset_type}/{asset_id}/" not in f"/{entry}/":
        raise CommandError("This asset is not in the lab's cache: add it through the panel's Assets view or its AI-client tools")
    entry_dir = os.path.join(CACHE, entry)
    manifest_path = os.path.join(entry_dir, "manifest.json")
    try:
        if os.path.getsize(manifest_path) > MAX_MANIFEST_BYTES:
            raise CommandError("The cached asset's manifest is too large")
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as exc:
        raise CommandError(f"The cached asset cannot be read ({exc.__class__.__name__}); add it again") from None
    if manifest.get("asset_id") != asset_id or manifest.get("asset_type") != asset_type:
        raise CommandError("The cached asset is not the one asked for")
    return entry_dir, manifest


def _world_from(image):
    world = bpy.context.scene.world or bpy.data.worlds.new("World")
    bpy.context.scene.world = world
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    nodes.clear()
    coords = nodes.new("ShaderNodeTexCoord")
    mapping = nodes.new("ShaderNodeMapping")
    env = nodes.new("ShaderNodeTexEnvironment")
    env.image = image
    background = nodes.new("ShaderNodeBackground")
    output = nodes.new("ShaderNodeOutputWorld")
    for node, x in ((coords, -800), (mapping, -600), (env, -400), (background, -200), (output, 0)):
        node.location = (x, 0)
    links.new(coords.outputs["Generated"], mapping.inputs["Vector"])
    links.new(mapping.outputs["Vector"], env.inputs["Vector"])
    links.new(env.outputs["Color"], background.inputs["Color"])
    links.new(background.outputs["Background"], output.inputs["Surface"])
    return world


def _load_image(path, name, colour):
    image = bpy.data.images.load(path, check_existing=False)
    image.name = name
    for space in (("sRGB",) if colour else ("Non-Color",)):
        try:
            image.colorspace_settings.name = space
        except TypeError:
            pass
    # Into the .blend: the person's scene keeps its pictures whatever becomes of the cache.
    image.pack()
    return image


def _material_from(asset_id, maps):
    material = bpy.data.materials.new(name=asset_id)
    material.use_nodes = True
    nodes, links = material.node_tree.nodes, material.node_tree.links
    nodes.clear()
    output = nodes.new("ShaderNodeOutputMaterial")
    output.location = (300, 0)
    shader = nodes.new("ShaderNodeBsdfPrincipled")
    links.new(shader.outputs[0], output.inputs[0])
    coords = nodes.new("ShaderNodeTexCoord")
    coords.location = (-800, 0)
    mapping = nodes.new("ShaderNodeMapping")
    mapping.location = (-600, 0)
    mapping.vector_type = "TEXTURE"
    links.new(coords.outputs["UV"], mapping.inputs["Vector"])
    y = 300
    for name, image in maps.items():
        key = name.lower()
        node = nodes.new("ShaderNodeTexImage")
        node.location = (-400, y)
        node.image = image
        links.new(mapping.outputs["Vector"], node.inputs["Vector"])
        if key in COLOR_MAPS:
            links.new(node.outputs["Color"], shader.inputs["Base Color"])
        elif key.startswith("rough"):
            links.new(node.outputs["Color"], shader.inputs["Roughness"])
        elif key.startswith("metal"):
            links.new(node.outputs["Color"], shader.inputs["Metallic"])
        elif key.startswith("nor"):
            normal = nodes.new("ShaderNodeNormalMap")
            normal.location = (-200, y)
            links.new(node.outputs["Color"], normal.inputs["Color"])
            links.new(normal.outputs["Normal"], shader.inputs["Normal"])
        elif key in ("disp", "displacement", "height"):
            displacement = nodes.new("ShaderNodeDisplacement")
            displacement.location = (-200, y - 200)
            links.new(node.outputs["Color"], displacement.inputs["Height"])
            links.new(displacement.outputs["Displacement"], output.inputs["Displacement"])
        y -= 250
    return material


def _numpy_for_gltf():
    """Blender 3.4's glTF importer still says np.bool, which the NumPy of this image no longer has."""
    import numpy

    if "bool" not in numpy.__dict__:
        numpy.bool = bool


def _import_model(path, file_format):
    before = set(bpy.data.objects)
    images_before = set(bpy.data.images)
    if file_format == "gltf":
        _numpy_for_gltf()
        bpy.ops.import_scene.gltf(filepath=path)
    elif file_format == "fbx":
        bpy.ops.import_scene.fbx(filepath=path)
    else:
        with bpy.data.libraries.load(path, link=False) as (source, target):
            target.objects = source.objects
        for obj in target.objects:
            if obj is not None:
                bpy.context.collection.objects.link(obj)
    for image in set(bpy.data.images) - images_before:
        if image.source == "FILE" and not image.packed_file:
            image.pack()  # the model's pictures stay with the scene, not in the cache
    return sorted(obj.name for obj in set(bpy.data.objects) - before)


def download_polyhaven_asset(params):
    entry_dir, manifest = _manifest(params)
    asset_id, asset_type = manifest["asset_id"], manifest["asset_type"]
    if asset_type == "hdris":
        image = _load_image(_inside(entry_dir, manifest["main"]), asset_id, colour=False)
        _world_from(image)
        return {"success": True, "message": f"HDRI {asset_id} is the world now", "image_name": image.name}
    if asset_type == "textures":
        maps = {name: _load_image(_inside(entry_dir, file), f"{asset_id}_{name}", colour=name.lower() in COLOR_MAPS) for name, file in manifest["maps"].items()}
        material = _material_from(asset_id, maps)
        result = {"success": True, "message": f"Texture {asset_id} imported as material {material.name}", "material": material.name, "maps": sorted(maps)}
        if params.get("apply_to_selected") is True:
            applied = [obj.name for obj in bpy.context.view_layer.objects if obj.select_get() and _give(obj, material)]
            result["applied_to"] = sorted(applied)
            result["message"] += f", given to {', '.join(sorted(applied))}" if applied else " (no selected object takes a material)"
        return result
    imported = _import_model(_inside(entry_dir, manifest["main"]), manifest["file_format"])
    return {"success": True, "message": f"Model {asset_id} added to the scene", "imported_objects": imported}


def set_texture(params):
    """Gives an object the material a PolyHaven texture was imported as."""
    name, texture_id = params.get("object_name"), params.get("texture_id")
    obj = bpy.data.objects.get(name) if isinstance(name, str) else None
    if obj is None:
        raise CommandError(f"There is no object named {name!r}")
    if obj.type not in ("MESH", "CURVE", "SURFACE", "META", "FONT"):
        raise CommandError(f"{name} is a {obj.type.lower()}, which takes no material")
    material = bpy.data.materials.get(texture_id) if isinstance(texture_id, str) else None
    if material is None:
        raise CommandError(f"There is no texture {texture_id!r} in this scene: add it with download_polyhaven_asset first")
    _give(obj, material)
    return {"success": True, "message": f"{name} now has the material {material.name}", "material": material.name}


def _give(obj, material):
    """Makes `material` the object's first; False for an object that takes none (a camera, a light)."""
    if obj.type not in ("MESH", "CURVE", "SURFACE", "META", "FONT"):
        return False
    if obj.data.materials:
        obj.data.materials[0] = material
    else:
        obj.data.materials.append(material)
    return True


HOME = "/home/blender"
SKETCHFAB_DIR = re.compile(r"^\.cache/blender-lab/sketchfab/[a-f0-9]{32}-[a-f0-9]{8}$")


def _bounds(meshes):
    corners = [obj.matrix_world @ mathutils.Vector(c) for obj in meshes for c in obj.bound_box]
    low = [min(c[i] for c in corners) for i in range(3)]
    high = [max(c[i] for c in corners) for i in range(3)]
    return low, high


def _unpacked(folder, suffixes, kind):
    """The files of a folder the panel unpacked, with one of `suffixes`, shallowest first; refused if the folder is not the panel's."""
    if os.path.realpath(folder) != folder or not os.path.isdir(folder):
        raise CommandError("The unpacked model is not where the panel put it")
    found = sorted((os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs if f.lower().endswith(suffixes)), key=lambda p: (p.count("/"), p))
    if not found:
        raise CommandError(f"The model holds no {kind}")
    return found


def _named(mesh, name):
    """An imported mesh named as asked, and where it is, as blender-mcp's import commands answer."""
    if isinstance(name, str) and name:
        mesh.name = name
        mesh.data.name = name
    low, high = _bounds([mesh])
    return {
        "succeed": True,
        "name": mesh.name,
        "type": mesh.type,
        "location": [round(v, 4) for v in mesh.location],
        "rotation": [round(v, 4) for v in mesh.rotation_euler],
        "scale": [round(v, 4) for v in mesh.scale],
        "world_bounding_box": [[round(v, 4) for v in low], [round(v, 4) for v in high]],
    }


def download_sketchfab_model(params):
    """Imports the glTF the panel unpacked into the person's home, scaled so its largest side is target_size; the folder is removed."""
    import shutil

    uid, target_size, import_dir = params.get("uid"), params.get("target_size"), params.get("import_dir")
    if not isinstance(import_dir, str) or not SKETCHFAB_DIR.match(import_dir) or not import_dir.rsplit("/", 1)[-1].startswith(f"{uid}-"):
        raise CommandError("This model was not unpacked by the panel: add it through the Assets view or its AI-client tools")
    folder = os.path.join(HOME, import_dir)
    try:
        found = _unpacked(folder, (".gltf", ".glb"), "glTF")
        _numpy_for_gltf()
        imported = _import_model(_inside(folder, found[0]), "gltf")
        objects = [bpy.data.objects[name] for name in imported]
        roots = [obj for obj in objects if obj.parent is None or obj.parent not in objects]
        meshes = [obj for obj in objects if obj.type == "MESH"]
        dimensions = [0.0, 0.0, 0.0]
        if meshes:
            low, high = _bounds(meshes)
            largest = max(h - l for h, l in zip(high, low))
            if largest > 0 and isinstance(target_size, (int, float)) and target_size > 0:
                factor = target_size / largest
                for root in roots:
                    root.scale = root.scale * factor
                bpy.context.view_layer.update()
                low, high = _bounds(meshes)
            dimensions = [round(h - l, 4) for h, l in zip(high, low)]
        return {"success": True, "message": f"Model {uid} added to the scene", "imported_objects": imported, "dimensions": dimensions}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


GENERATED_FILE = re.compile(r"^\.cache/blender-lab/generated/([A-Za-z0-9-]{8,64})\.glb$")


def import_generated_asset(params):
    """Imports the model a generator made (fetched by the panel into the home) as one object named `name`; the file is removed."""
    name, task, relative = params.get("name"), params.get("task_uuid"), params.get("import_file")
    match = GENERATED_FILE.match(relative) if isinstance(relative, str) else None
    if not match or match.group(1) != task:
        raise CommandError("This model was not fetched by the panel: import it through the Assets view or its AI-client tools")
    path = os.path.join(HOME, relative)
    try:
        if os.path.realpath(path) != path or not os.path.isfile(path):
            raise CommandError("The generated model is not where the panel put it")
        _numpy_for_gltf()
        objects = [bpy.data.objects[n] for n in _import_model(path, "gltf")]
        meshes = [obj for obj in objects if obj.type == "MESH"]
        if len(meshes) != 1:
            raise CommandError(f"The generated model has {len(meshes)} meshes, not the one expected")
        mesh = meshes[0]
        # A generator's glTF is often an empty with the mesh under it: the mesh alone is kept, where it stood.
        placed = mesh.matrix_world.copy()
        mesh.parent = None
        mesh.matrix_world = placed
        for obj in objects:
            if obj is not mesh:
                bpy.data.objects.remove(obj, do_unlink=True)
        return _named(mesh, name)
    finally:
        try:
            os.remove(path)
        except OSError:
            pass


HUNYUAN_DIR = re.compile(r"^\.cache/blender-lab/hunyuan/[a-f0-9]{16}$")


def import_generated_asset_hunyuan(params):
    """Imports the OBJ Hunyuan3D made (unpacked by the panel into the home) as an object named `name`; the folder is removed."""
    import shutil

    name, import_dir = params.get("name"), params.get("import_dir")
    if not isinstance(import_dir, str) or not HUNYUAN_DIR.match(import_dir):
        raise CommandError("This model was not unpacked by the panel: import it through its AI-client tools")
    folder = os.path.join(HOME, import_dir)
    try:
        found = _unpacked(folder, (".obj",), "OBJ")
        path = _inside(folder, found[0])
        before = set(bpy.data.objects)
        images_before = set(bpy.data.images)
        if hasattr(bpy.ops.wm, "obj_import"):
            bpy.ops.wm.obj_import(filepath=path)
        else:
            bpy.ops.import_scene.obj(filepath=path)
        for image in set(bpy.data.images) - images_before:
            if image.source == "FILE" and not image.packed_file:
                image.pack()  # the textures stay with the scene once the folder is gone
        meshes = sorted((obj for obj in set(bpy.data.objects) - before if obj.type == "MESH"), key=lambda o: o.name)
        if not meshes:
            raise CommandError("No mesh came out of the model")
        mesh = meshes[0]
        return _named(mesh, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
