import sharp from 'sharp';
import type { FaceAnalysis } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import { decodeImage } from '../../imaging/decode-image.js';

/** Every frame goes through a JPEG round trip (quality 90), as a camera's frames would. */
export async function cameraRoundTrip(image: RgbImage): Promise<Uint8Array> {
  const jpeg = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return new Uint8Array(jpeg);
}

export type FrameAnalyzer = (image: RgbImage) => Promise<FaceAnalysis[]>;

/**
 * The largest face of each frame and the decoded frames (for tracking), or null when some frame shows
 * no face (the burst cannot be judged).
 */
export async function analyseBurstFrames(
  frames: readonly Uint8Array[],
  analyse: FrameAnalyzer,
): Promise<{ analyses: FaceAnalysis[]; images: RgbImage[] } | null> {
  const analyses: FaceAnalysis[] = [];
  const images: RgbImage[] = [];
  for (const bytes of frames) {
    const decoded = await decodeImage(bytes);
    const faces = await analyse(decoded.image);
    if (faces.length === 0) return null;
    analyses.push(faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a)));
    images.push(decoded.image);
  }
  return { analyses, images };
}
