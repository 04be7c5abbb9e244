import type { CliCommand } from '../command.js';
import { readImageBytes } from '../../imaging/read-image-file.js';
import { parseImagesAndJson } from '../images-and-json.js';
import { withFaceService } from '../face-service-for-cli.js';

export const livenessCommand: CliCommand = {
  name: 'liveness',
  summary: 'multi-frame liveness of a burst of frames (blink or head turn with 3-D parallax, real motion, PAD scores)',
  usage: 'facekey liveness <frame1> <frame2> <frame3>… [--json]',
  async run(argv, io) {
    const { files, json } = parseImagesAndJson(argv, 'liveness needs the frames of one burst, in order');
    const frames = await Promise.all(files.map((file) => readImageBytes(file)));
    return withFaceService([], 1, async (service) => {
      const { liveness } = await service.assessBurst(frames);
      if (json) io.out(JSON.stringify(liveness, null, 2));
      else {
        const e = liveness.evidence;
        io.out(
          `${liveness.live ? 'LIVE' : 'NOT LIVE'}${liveness.reasons.length ? ` (${liveness.reasons.join(', ')})` : ''}: ${e.frames} frames, antispoof median ${e.antispoofMedian?.toFixed(2)}, liveness median ${e.livenessMedian?.toFixed(2)}, blink ${e.blinkDetected}, head turn ${e.headTurnDetected} (yaw range ${e.yawRangeDeg?.toFixed(1)}°), motion ${e.meanMotion?.toFixed(4)}, parallax ${e.parallax ? `${e.parallax.ratio.toFixed(2)}× (frames ${e.parallax.frames.join('–')})` : 'none'}`,
        );
      }
      return 0;
    });
  },
};
