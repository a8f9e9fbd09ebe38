import { z } from 'zod';

/** The add-on protocol's commands: what each takes and what it answers (validated on arrival). */

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const pingResult = z.object({ pong: z.literal(true), blender_version: z.string() });

export const sceneInfoResult = z.object({
  name: z.string(),
  object_count: z.number().int().nonnegative(),
  objects: z.array(z.object({ name: z.string(), type: z.string(), location: vec3 })),
  materials_count: z.number().int().nonnegative(),
});

export const objectInfoResult = z.object({
  name: z.string(),
  type: z.string(),
  location: vec3,
  rotation: vec3,
  scale: vec3,
  visible: z.boolean(),
  materials: z.array(z.string()),
  world_bounding_box: z.tuple([vec3, vec3]).optional(),
  mesh: z
    .object({ vertices: z.number().int(), edges: z.number().int(), polygons: z.number().int() })
    .optional(),
});

export const executeCodeResult = z.object({ executed: z.literal(true), result: z.string() });

export const screenshotResult = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  format: z.literal('png'),
  image_base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
});

export const saveSessionResult = z.object({
  saved: z.literal(true),
  /** Nothing changed since the last saved version, so none was written. */
  skipped: z.boolean(),
  path: z.string(),
  bytes: z.number().int(),
  objects: z.number().int(),
});

const savedState = z.object({ name: z.string(), at: z.string(), bytes: z.number().int().nonnegative() });

/** What a start opened: the newest good state, or the version asked for; and what it passed over. */
export const openedScene = z.object({
  path: z.string().nullable(),
  name: z.string().nullable(),
  kind: z.enum(['save', 'autosave', 'file', 'none']),
  at: z.string().nullable(),
  requested: z.boolean(),
  skipped: z.array(z.object({ name: z.string(), kind: z.string().optional(), at: z.string().optional(), why: z.string() })),
});

export const scenesResult = z.object({
  opened: openedScene.nullable(),
  versions: z.array(savedState),
  autosave: z.object({ at: z.string(), bytes: z.number().int().nonnegative() }).nullable(),
});

export const blenderCommands = {
  ping: { params: z.object({}).strict(), result: pingResult },
  get_scene_info: { params: z.object({}).strict(), result: sceneInfoResult },
  get_object_info: { params: z.object({ name: z.string().min(1).max(1024) }).strict(), result: objectInfoResult },
  execute_code: { params: z.object({ code: z.string().max(1024 * 1024) }).strict(), result: executeCodeResult },
  get_viewport_screenshot: {
    params: z.object({ max_size: z.number().int().min(16).max(4096).optional() }).strict(),
    result: screenshotResult,
  },
  save_session: {
    params: z.object({ if_changed: z.boolean().optional(), protect: z.array(z.string()).optional() }).strict(),
    result: saveSessionResult,
  },
  scenes: { params: z.object({}).strict(), result: scenesResult },
  render: {
    params: z.object({ path: z.string().regex(/^renders\/[A-Za-z0-9._-]{1,200}\.png$/) }).strict(),
    result: z.object({ path: z.string(), width: z.number().int().positive(), height: z.number().int().positive() }),
  },
  /** From the lab's shared cache, which the panel filled (`cache_entry`, relative to it). */
  download_polyhaven_asset: {
    params: z
      .object({
        asset_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,127}$/),
        asset_type: z.enum(['hdris', 'textures', 'models']),
        resolution: z.string(),
        file_format: z.string(),
        cache_entry: z.string().max(400),
        /** A texture: also given to every selected object. */
        apply_to_selected: z.boolean().optional(),
      })
      .strict(),
    result: z.object({
      success: z.literal(true),
      message: z.string(),
      image_name: z.string().optional(),
      material: z.string().optional(),
      maps: z.array(z.string()).optional(),
      imported_objects: z.array(z.string()).optional(),
      applied_to: z.array(z.string()).optional(),
    }),
  },
  /** From a folder of the person's home the panel unpacked the model's glTF archive into; the add-on removes it. */
  download_sketchfab_model: {
    params: z
      .object({
        uid: z.string().regex(/^[a-f0-9]{32}$/),
        target_size: z.number().positive().max(10_000),
        import_dir: z.string().regex(/^\.cache\/blender-lab\/sketchfab\/[a-f0-9]{32}-[a-f0-9]{8}$/),
      })
      .strict(),
    result: z.object({ success: z.literal(true), message: z.string(), imported_objects: z.array(z.string()), dimensions: z.tuple([z.number(), z.number(), z.number()]) }),
  },
  /** A model Hyper3D Rodin generated, which the panel fetched into a file of the person's home; the add-on removes it. */
  import_generated_asset: {
    params: z
      .object({
        name: z.string().min(1).max(200),
        task_uuid: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
        import_file: z.string().regex(/^\.cache\/blender-lab\/generated\/[A-Za-z0-9-]{8,64}\.glb$/),
      })
      .strict(),
    result: z.object({
      succeed: z.literal(true),
      name: z.string(),
      type: z.string(),
      location: z.tuple([z.number(), z.number(), z.number()]),
      rotation: z.tuple([z.number(), z.number(), z.number()]),
      scale: z.tuple([z.number(), z.number(), z.number()]),
      world_bounding_box: z.tuple([z.tuple([z.number(), z.number(), z.number()]), z.tuple([z.number(), z.number(), z.number()])]).optional(),
    }),
  },
  /** A model Hunyuan3D generated (an OBJ with its materials), which the panel unpacked into a folder of the person's home; the add-on removes it. */
  import_generated_asset_hunyuan: {
    params: z.object({ name: z.string().min(1).max(200), import_dir: z.string().regex(/^\.cache\/blender-lab\/hunyuan\/[a-f0-9]{16}$/) }).strict(),
    result: z.object({
      succeed: z.literal(true),
      name: z.string(),
      type: z.string(),
      location: z.tuple([z.number(), z.number(), z.number()]),
      world_bounding_box: z.tuple([z.tuple([z.number(), z.number(), z.number()]), z.tuple([z.number(), z.number(), z.number()])]).optional(),
    }),
  },
  set_texture: {
    params: z.object({ object_name: z.string().min(1).max(1024), texture_id: z.string().min(1).max(200) }).strict(),
    result: z.object({ success: z.literal(true), message: z.string(), material: z.string() }),
  },
} as const;

export type BlenderCommand = keyof typeof blenderCommands;
export type BlenderParams<C extends BlenderCommand> = z.input<(typeof blenderCommands)[C]['params']>;
export type BlenderResult<C extends BlenderCommand> = z.output<(typeof blenderCommands)[C]['result']>;

export type SceneInfo = BlenderResult<'get_scene_info'>;
export type ObjectInfo = BlenderResult<'get_object_info'>;
export type Screenshot = BlenderResult<'get_viewport_screenshot'>;
export type OpenedScene = z.output<typeof openedScene>;
export type SavedStates = BlenderResult<'scenes'>;

/** One reply of the add-on, before the result is checked against its command's schema. */
export const addonReply = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), result: z.unknown() }),
  z.object({ status: z.literal('error'), message: z.string() }),
]);
