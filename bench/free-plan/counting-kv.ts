// A KV namespace that counts its calls and otherwise is the real one: same arguments, same
// answers. A bulk get (an array of keys) is one call billed per key.
import { kvOps } from "./counters";

export function countingKv(real: KVNamespace, namespace: string): KVNamespace {
  const kv = real as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrapper = {
    get(...args: unknown[]) {
      const ops = kvOps(namespace);
      if (Array.isArray(args[0])) {
        ops.bulkGet++;
        ops.bulkGetKeys += args[0].length;
      } else ops.get++;
      return kv.get!.apply(real, args);
    },
    getWithMetadata(...args: unknown[]) {
      const ops = kvOps(namespace);
      if (Array.isArray(args[0])) {
        ops.bulkGetWithMetadata++;
        ops.bulkGetWithMetadataKeys += args[0].length;
      } else ops.getWithMetadata++;
      return kv.getWithMetadata!.apply(real, args);
    },
    put(...args: unknown[]) {
      kvOps(namespace).put++;
      return kv.put!.apply(real, args);
    },
    delete(...args: unknown[]) {
      kvOps(namespace).delete++;
      return kv.delete!.apply(real, args);
    },
    list(...args: unknown[]) {
      kvOps(namespace).list++;
      return kv.list!.apply(real, args);
    },
  };
  return wrapper as unknown as KVNamespace;
}
