import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerFileModelLoader } from './file-model-loader.js';
import { tfWasmDir } from './package-paths.js';

let ready: Promise<typeof tf> | undefined;

/**
 * One tfjs instance per thread, on the WASM backend (tfjs-node cannot be installed offline).
 * Each worker thread is one inference lane, so WASM runs single-threaded: parallelism comes from
 * the worker pool, not from threads inside one inference.
 */
export function initTensorflow(): Promise<typeof tf> {
  ready ??= (async () => {
    setThreadsCount(1);
    setWasmPaths(tfWasmDir());
    registerFileModelLoader(tf);
    await tf.setBackend('wasm');
    await tf.ready();
    tf.enableProdMode();
    return tf;
  })();
  return ready;
}

export type Tf = typeof tf;
