import sharp from 'sharp';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { fnmrAt, thresholdForFmr } from './verification-rates.js';

export interface DetPoint {
  readonly threshold: number;
  readonly fmr: number;
  readonly fnmr: number;
}

export interface DetCurve {
  readonly label: string;
  readonly points: readonly DetPoint[];
}

export interface DetPlotOptions {
  readonly title?: string;
  /** Pixel size of the whole image. */
  readonly width?: number;
  readonly height?: number;
  /** Left end of the FMR axis; the axis always ends at 1. */
  readonly minFmr?: number;
  /** Bottom end of the FNMR axis; the axis always ends at 1. */
  readonly minFnmr?: number;
}

/**
 * Operating points of a detection error trade-off curve, at FMR targets spaced evenly in log10 from
 * one impostor (1/n) to 1 — the range the data can actually support. Targets that land on the same
 * threshold (ties, or more targets than distinct impostor scores) yield a single point.
 */
export function detCurvePoints(genuineSorted: Float64Array, impostorSorted: Float64Array, maxPoints = 400): DetPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new InvalidArgument(`maxPoints must be an integer >= 2, got ${maxPoints}`);
  const lowestLog = -Math.log10(impostorSorted.length);
  const points: DetPoint[] = [];
  for (let i = 0; i < maxPoints; i++) {
    // The last target is exactly 1, not 10^(~0) which could round just below it.
    const target = i === maxPoints - 1 ? 1 : 10 ** (lowestLog * (1 - i / (maxPoints - 1)));
    const { threshold, achievedFmr } = thresholdForFmr(impostorSorted, target);
    if (points.length > 0 && points[points.length - 1]!.threshold === threshold) continue;
    points.push({ threshold, fmr: achievedFmr, fnmr: fnmrAt(genuineSorted, threshold) });
  }
  return points;
}

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
const CURVE_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A power of ten as 10 with a raised exponent; tspan offsets render in librsvg, unlike some Unicode superscripts in whatever font is installed. */
function decadeLabel(exponent: number): string {
  return exponent === 0 ? '1' : `10<tspan dy="-7" font-size="10">${exponent}</tspan>`;
}

function requireAxisMinimum(value: number, what: string): number {
  if (!(value > 0 && value < 1)) throw new InvalidArgument(`${what} must be in (0, 1), got ${value}`);
  return value;
}

/**
 * A DET plot as a self-contained SVG: FMR (x) and FNMR (y) both on log10 axes, as in NIST FRVT
 * reports, with decade grid lines, one polyline per curve and a legend. Rates of 0 (or below the
 * axis minimum) are drawn on the axis minimum rather than dropped, so a curve never silently ends.
 * Only the generic sans-serif family is named, so the rasteriser needs no particular font.
 */
export function renderDetSvg(curves: readonly DetCurve[], options: DetPlotOptions = {}): string {
  const width = options.width ?? 800;
  const height = options.height ?? 600;
  const minFmr = requireAxisMinimum(options.minFmr ?? 1e-6, 'minFmr');
  const minFnmr = requireAxisMinimum(options.minFnmr ?? 1e-4, 'minFnmr');
  const plot = { left: 90, top: options.title ? 50 : 20, right: width - 30, bottom: height - 70 };
  if (plot.right - plot.left < 100 || plot.bottom - plot.top < 100) throw new InvalidArgument(`plot size ${width}x${height} is too small`);
  const logMinFmr = Math.log10(minFmr);
  const logMinFnmr = Math.log10(minFnmr);
  const xOf = (fmr: number): number =>
    plot.left + ((Math.log10(Math.max(fmr, minFmr)) - logMinFmr) / -logMinFmr) * (plot.right - plot.left);
  const yOf = (fnmr: number): number =>
    plot.bottom - ((Math.log10(Math.max(fnmr, minFnmr)) - logMinFnmr) / -logMinFnmr) * (plot.bottom - plot.top);
  const px = (v: number): string => v.toFixed(2);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<defs><clipPath id="plot-area"><rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}"/></clipPath></defs>`,
  ];

  const grid = (lowestLog: number, draw: (value: number, isDecade: boolean) => void): void => {
    for (let decade = Math.floor(lowestLog); decade <= 0; decade++) {
      for (let step = 1; step <= (decade === 0 ? 1 : 9); step++) {
        const value = step * 10 ** decade;
        if (Math.log10(value) >= lowestLog - 1e-9) draw(value, step === 1);
      }
    }
  };
  // Decades get a darker line and a label; the steps between them a faint line only.
  const gridLine = (x1: number | string, y1: number | string, x2: number | string, y2: number | string, isDecade: boolean): string =>
    `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${isDecade ? '#bbbbbb' : '#eeeeee'}" stroke-width="1"/>`;
  const decadeText = (x: number | string, y: number | string, anchor: 'middle' | 'end', value: number): string =>
    `<text x="${x}" y="${y}" font-size="14" text-anchor="${anchor}" fill="#222222">${decadeLabel(Math.round(Math.log10(value)))}</text>`;
  grid(logMinFmr, (fmr, isDecade) => {
    const x = px(xOf(fmr));
    parts.push(gridLine(x, plot.top, x, plot.bottom, isDecade));
    if (isDecade) parts.push(decadeText(x, plot.bottom + 22, 'middle', fmr));
  });
  grid(logMinFnmr, (fnmr, isDecade) => {
    const y = px(yOf(fnmr));
    parts.push(gridLine(plot.left, y, plot.right, y, isDecade));
    if (isDecade) parts.push(decadeText(plot.left - 8, px(yOf(fnmr) + 5), 'end', fnmr));
  });
  parts.push(
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#333333" stroke-width="1"/>`,
  );

  curves.forEach((curve, c) => {
    const points = curve.points.map((p) => `${px(xOf(p.fmr))},${px(yOf(p.fnmr))}`).join(' ');
    const colour = CURVE_COLOURS[c % CURVE_COLOURS.length]!;
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" clip-path="url(#plot-area)"/>`,
    );
  });

  // DET curves fall from top-left to bottom-right, so the bottom-left corner is the emptiest place for the legend.
  if (curves.length > 0) {
    const rowHeight = 20;
    const longestLabel = Math.max(...curves.map((curve) => curve.label.length));
    const boxWidth = 44 + longestLabel * 7.5;
    const boxHeight = curves.length * rowHeight + 10;
    const boxLeft = plot.left + 10;
    const boxTop = plot.bottom - 10 - boxHeight;
    parts.push(
      `<rect x="${boxLeft}" y="${boxTop}" width="${px(boxWidth)}" height="${boxHeight}" fill="#ffffff" fill-opacity="0.9" stroke="#999999"/>`,
    );
    curves.forEach((curve, c) => {
      const rowY = boxTop + 5 + rowHeight * c + rowHeight / 2;
      const colour = CURVE_COLOURS[c % CURVE_COLOURS.length]!;
      parts.push(`<line x1="${boxLeft + 8}" y1="${rowY}" x2="${boxLeft + 32}" y2="${rowY}" stroke="${colour}" stroke-width="3"/>`);
      parts.push(`<text x="${boxLeft + 38}" y="${rowY + 5}" font-size="13" fill="#222222">${escapeXml(curve.label)}</text>`);
    });
  }

  const plotMiddleX = px((plot.left + plot.right) / 2);
  const plotMiddleY = px((plot.top + plot.bottom) / 2);
  parts.push(
    `<text x="${plotMiddleX}" y="${height - 20}" font-size="15" text-anchor="middle" fill="#222222">False match rate (FMR)</text>`,
  );
  parts.push(
    `<text x="25" y="${plotMiddleY}" font-size="15" text-anchor="middle" fill="#222222" transform="rotate(-90 25 ${plotMiddleY})">False non-match rate (FNMR)</text>`,
  );
  if (options.title) {
    parts.push(
      `<text x="${px(width / 2)}" y="30" font-size="18" font-weight="bold" text-anchor="middle" fill="#111111">${escapeXml(options.title)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Rasterises a DET SVG (from renderDetSvg) to a PNG file at the SVG's own pixel size. */
export async function renderDetPng(svg: string, file: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(file);
}
