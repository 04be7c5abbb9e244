/**
 * Score-level fusion folded into one template: concatenating unit vectors scaled by √α_i makes the
 * dot product of two fused templates Σ α_i·cos_i. Affine per-engine score normalization
 * (z-scores) only shifts and rescales that sum, so it is absorbed into α and the threshold; the
 * fused template then works everywhere a plain template does, 1:N indexes included.
 */
export function fuseVectors(parts: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (parts.length !== weights.length) throw new RangeError('one weight per fused vector');
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  parts.forEach((part, i) => {
    let norm = 0;
    for (const x of part) norm += x * x;
    const scale = Math.sqrt(weights[i]! / total) / (Math.sqrt(norm) || 1);
    for (let k = 0; k < part.length; k++) out[offset + k] = part[k]! * scale;
    offset += part.length;
  });
  return out;
}
