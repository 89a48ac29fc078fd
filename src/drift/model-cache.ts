/** One SchemaModel per schema path and schema set (models are pure functions of the files). */
import type { JsonSchema } from "../contract/schemas.js";
import { schemaModel, type SchemaModel } from "./schema-model.js";

export type ModelOf = (schemaPath: string) => SchemaModel;

const caches = new WeakMap<ReadonlyMap<string, JsonSchema>, Map<string, SchemaModel>>();

export function modelsOf(files: ReadonlyMap<string, JsonSchema>): ModelOf {
  let cache = caches.get(files);
  if (!cache) {
    cache = new Map();
    caches.set(files, cache);
  }
  const c = cache;
  return (schemaPath) => {
    let m = c.get(schemaPath);
    if (!m) {
      m = schemaModel(files, schemaPath);
      c.set(schemaPath, m);
    }
    return m;
  };
}
