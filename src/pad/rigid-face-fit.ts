import type { Point2 } from '../analysis/face-analysis.js';
import { solveSymmetric } from './symmetric-eigen.js';

/**
 * A rigid 3-D face seen by a weak-perspective camera: the reference frame's mesh (x, y and depth) is
 * rotated, uniformly scaled and shifted, then projected orthographically onto the other frame's image
 * (7 unknowns: 3 rotation, scale, 2 shift, counting a fixed depth scale). A head that turns moves its
 * landmarks this way, nose against cheeks (parallax); a flat picture cannot, unless it only shifts,
 * rotates in plane or changes size, which both this model and a homography describe.
 * Fitted by Levenberg–Marquardt from a 2-D similarity (Procrustes) start, then refitted on the points
 * within the best `keepFraction` of errors, exactly as the homography is, so the two compete fairly.
 */
export interface Point3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface RigidFit {
  /** Root mean square reprojection error over the kept points, in the target's pixels. */
  readonly rmsError: number;
  readonly errors: number[];
  /** Rotation of the face between the frames as yaw (about the image's vertical) and pitch, degrees. */
  readonly yawDeg: number;
  readonly pitchDeg: number;
  readonly rollDeg: number;
  readonly scale: number;
}

type Matrix = number[][];

export function fitRigidFace(shape: readonly Point3[], target: readonly Point2[], keepFraction = 0.9): RigidFit {
  const count = Math.min(shape.length, target.length);
  const all = Array.from({ length: count }, (_, i) => i);
  const first = fitOn(shape, target, all, null);
  const keep = Math.max(4, Math.round(count * keepFraction));
  const kept = [...all].sort((i, j) => first.errors[i]! - first.errors[j]!).slice(0, keep);
  const fit = fitOn(shape, target, kept, first.state);
  const sorted = [...fit.errors].sort((a, b) => a - b).slice(0, keep);
  const rmsError = Math.sqrt(sorted.reduce((s, e) => s + e * e, 0) / sorted.length);
  const r = fit.state.rotation;
  return {
    rmsError,
    errors: fit.errors,
    yawDeg: (Math.asin(clamp(r[0]![2]!)) * 180) / Math.PI,
    pitchDeg: (Math.asin(clamp(-r[1]![2]!)) * 180) / Math.PI,
    rollDeg: (Math.atan2(r[1]![0]!, r[0]![0]!) * 180) / Math.PI,
    scale: fit.state.scale,
  };
}

interface State {
  readonly rotation: Matrix;
  readonly scale: number;
  readonly tx: number;
  readonly ty: number;
}

function fitOn(
  shape: readonly Point3[],
  target: readonly Point2[],
  indices: readonly number[],
  start: State | null,
): { state: State; errors: number[] } {
  const c3 = centroid3(shape, indices);
  const centred = shape.map((p) => ({ x: p.x - c3.x, y: p.y - c3.y, z: p.z - c3.z }));
  let state = start ?? procrustesStart(centred, target, indices);
  let lambda = 1e-3;
  let cost = residualCost(state, centred, target, indices);
  for (let iteration = 0; iteration < 30; iteration += 1) {
    const { jtj, jtr } = normalEquations(state, centred, target, indices);
    let improved = false;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const damped = jtj.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + 1e-12 : v)));
      const step = solveSymmetric(
        damped,
        jtr.map((v) => -v),
      );
      const candidate = update(state, step);
      const candidateCost = residualCost(candidate, centred, target, indices);
      if (candidateCost < cost) {
        const gain = cost - candidateCost;
        state = candidate;
        cost = candidateCost;
        lambda = Math.max(lambda / 3, 1e-9);
        improved = gain > cost * 1e-10;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  const errors = centred.map((p, i) => {
    const q = project(state, p);
    return Math.hypot(q.x - target[i]!.x, q.y - target[i]!.y);
  });
  return { state, errors };
}

function project(state: State, p: Point3): Point2 {
  const r = state.rotation;
  return {
    x: state.scale * (r[0]![0]! * p.x + r[0]![1]! * p.y + r[0]![2]! * p.z) + state.tx,
    y: state.scale * (r[1]![0]! * p.x + r[1]![1]! * p.y + r[1]![2]! * p.z) + state.ty,
  };
}

function residualCost(state: State, shape: readonly Point3[], target: readonly Point2[], indices: readonly number[]): number {
  let cost = 0;
  for (const i of indices) {
    const q = project(state, shape[i]!);
    cost += (q.x - target[i]!.x) ** 2 + (q.y - target[i]!.y) ** 2;
  }
  return cost;
}

/** Parameters of a step: small rotation ω (3), log-scale, shift (2). */
function update(state: State, step: readonly number[]): State {
  const [wx, wy, wz, ds, dx, dy] = step as [number, number, number, number, number, number];
  return {
    rotation: matmul(rodrigues(wx, wy, wz), state.rotation),
    scale: state.scale * Math.exp(ds),
    tx: state.tx + dx,
    ty: state.ty + dy,
  };
}

/** Analytic Jacobian of the projected points with respect to the step parameters, at step 0. */
function normalEquations(
  state: State,
  shape: readonly Point3[],
  target: readonly Point2[],
  indices: readonly number[],
): { jtj: Matrix; jtr: number[] } {
  const jtj = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
  const jtr = new Array<number>(6).fill(0);
  const r = state.rotation;
  const s = state.scale;
  for (const i of indices) {
    const p = shape[i]!;
    // Rotated point q = R p; d(ω × q)/dω = −[q]×.
    const qx = r[0]![0]! * p.x + r[0]![1]! * p.y + r[0]![2]! * p.z;
    const qy = r[1]![0]! * p.x + r[1]![1]! * p.y + r[1]![2]! * p.z;
    const qz = r[2]![0]! * p.x + r[2]![1]! * p.y + r[2]![2]! * p.z;
    // u = s·(ω × q)_x… : (ω × q)_x = wy qz − wz qy, (ω × q)_y = wz qx − wx qz.
    const ju = [0, s * qz, -s * qy, s * qx, 1, 0];
    const jv = [-s * qz, 0, s * qx, s * qy, 0, 1];
    const ru = s * qx + state.tx - target[i]!.x;
    const rv = s * qy + state.ty - target[i]!.y;
    for (let a = 0; a < 6; a += 1) {
      jtr[a]! += ju[a]! * ru + jv[a]! * rv;
      for (let b = 0; b < 6; b += 1) jtj[a]![b]! += ju[a]! * ju[b]! + jv[a]! * jv[b]!;
    }
  }
  return { jtj, jtr };
}

/** Closed-form 2-D similarity (rotation in plane, scale, shift) from the x, y of the shape. */
function procrustesStart(shape: readonly Point3[], target: readonly Point2[], indices: readonly number[]): State {
  let tx = 0;
  let ty = 0;
  for (const i of indices) {
    tx += target[i]!.x;
    ty += target[i]!.y;
  }
  tx /= indices.length;
  ty /= indices.length;
  let a = 0;
  let b = 0;
  let norm = 0;
  for (const i of indices) {
    const p = shape[i]!;
    const u = target[i]!.x - tx;
    const v = target[i]!.y - ty;
    a += p.x * u + p.y * v;
    b += p.x * v - p.y * u;
    norm += p.x * p.x + p.y * p.y;
  }
  const angle = Math.atan2(b, a);
  const scale = norm > 0 ? Math.hypot(a, b) / norm : 1;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return {
    rotation: [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ],
    scale: scale > 0 ? scale : 1,
    tx,
    ty,
  };
}

function rodrigues(wx: number, wy: number, wz: number): Matrix {
  const theta = Math.hypot(wx, wy, wz);
  if (theta < 1e-15)
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  const [x, y, z] = [wx / theta, wy / theta, wz / theta];
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const t = 1 - c;
  return [
    [c + x * x * t, x * y * t - z * s, x * z * t + y * s],
    [y * x * t + z * s, c + y * y * t, y * z * t - x * s],
    [z * x * t - y * s, z * y * t + x * s, c + z * z * t],
  ];
}

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => [0, 1, 2].map((c) => row[0]! * b[0]![c]! + row[1]! * b[1]![c]! + row[2]! * b[2]![c]!));
}

function centroid3(points: readonly Point3[], indices: readonly number[]): Point3 {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const i of indices) {
    x += points[i]!.x;
    y += points[i]!.y;
    z += points[i]!.z;
  }
  return { x: x / indices.length, y: y / indices.length, z: z / indices.length };
}

function clamp(v: number): number {
  return Math.max(-1, Math.min(1, v));
}
