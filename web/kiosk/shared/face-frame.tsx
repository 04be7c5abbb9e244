/**
 * The guidance drawn over the camera picture: a frame around each face the engine found, green when
 * it is the one face and the quality rules have nothing to say, amber while they do (the words under
 * the picture say what). The SVG's viewBox is the camera frame and `slice` crops it as the video's
 * `object-fit: cover` does, and it is mirrored as the video is, so the frame sits on the face.
 */
export interface FramedFaces {
  /** The camera frame's size, in which the boxes are given. */
  readonly width: number;
  readonly height: number;
  readonly boxes: ReadonlyArray<{ readonly x: number; readonly y: number; readonly width: number; readonly height: number }>;
  /** One face and no guidance reason. */
  readonly good: boolean;
}

export function FaceFrame({ framed }: { framed: FramedFaces | undefined }) {
  if (!framed || framed.boxes.length === 0) return null;
  return (
    <svg
      class="face-frame"
      viewBox={`0 0 ${framed.width} ${framed.height}`}
      preserveAspectRatio="xMidYMid slice"
      aria-hidden="true"
      data-testid="face-frame"
      data-good={framed.good ? 'true' : 'false'}
    >
      {framed.boxes.map((box, i) => (
        <rect
          key={i}
          x={box.x}
          y={box.y}
          width={box.width}
          height={box.height}
          rx={Math.min(box.width, box.height) / 8}
          class={framed.good ? 'good' : 'adjust'}
        />
      ))}
    </svg>
  );
}
