import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

let registered = false;

/**
 * tfjs in Node without tfjs-node has no `file://` IO handler, and Node's fetch refuses file URLs.
 * This router lets graph models load straight from the model folders of installed npm packages,
 * so nothing is ever fetched over the network.
 */
export function registerFileModelLoader(tf: Tf): void {
  if (registered) return;
  registered = true;
  // tfjs's IORouter type omits the `null` that routers return for URLs they do not handle.
  const router = (url: string | string[]): tfTypes.io.IOHandler | null => {
    const first = Array.isArray(url) ? url[0] : url;
    if (typeof first !== 'string' || !first.startsWith('file://')) return null;
    const modelJsonPath = fileURLToPath(first);
    return {
      load: async () => {
        const modelJson = JSON.parse(await fs.promises.readFile(modelJsonPath, 'utf8'));
        return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
          const specs: tfTypes.io.WeightsManifestEntry[] = [];
          const chunks: Buffer[] = [];
          for (const group of manifest) {
            specs.push(...group.weights);
            for (const shard of group.paths) {
              chunks.push(await fs.promises.readFile(path.join(path.dirname(modelJsonPath), shard)));
            }
          }
          const all = Buffer.concat(chunks);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
        });
      },
    };
  };
  tf.io.registerLoadRouter(router as Parameters<Tf['io']['registerLoadRouter']>[0]);
}
