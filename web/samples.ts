// Sample pictures for the demo, drawn here from simple shapes (no photographs, nothing downloaded).
// `npm run build:web` renders them to PNG files under samples/; the page decodes them like an upload.
// Deterministic: the same code always gives the same pixels.

export interface SampleImage { id: string; label: string; width: number; height: number; rgba: Uint8ClampedArray }

type RGB = [number, number, number];
/** A scene: colour at (x, y) in picture units (y from 0 at the top to 1 at the bottom, x scaled by the same unit). */
type Scene = (x: number, y: number, aspect: number) => RGB;

export const SAMPLE_LIST: readonly { id: string; label: string }[] = [
  { id: 'person', label: 'Person (drawn figure)' },
  { id: 'landscape', label: 'Landscape (no person)' },
  { id: 'room', label: 'Room with objects (no person)' },
  { id: 'pattern', label: 'Test pattern' },
];

const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
/** Coverage of a shape from its signed distance (negative inside), with a soft edge of `w`. */
const cover = (d: number, w = 0.004) => clamp01(0.5 - d / w);
const circle = (x: number, y: number, cx: number, cy: number, r: number) => Math.hypot(x - cx, y - cy) - r;
function box(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r = 0): number {
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hx = (x1 - x0) / 2 - r, hy = (y1 - y0) / 2 - r;
  const qx = Math.abs(x - cx) - hx, qy = Math.abs(y - cy) - hy;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
function capsule(x: number, y: number, ax: number, ay: number, bx: number, by: number, r: number): number {
  const px = x - ax, py = y - ay, vx = bx - ax, vy = by - ay;
  const h = clamp01((px * vx + py * vy) / (vx * vx + vy * vy));
  return Math.hypot(px - vx * h, py - vy * h) - r;
}
/** Small deterministic texture noise in [-1, 1]. */
function noise(x: number, y: number): number {
  const s = Math.sin(x * 12.9898 * 97 + y * 78.233 * 89) * 43758.5453;
  return (s - Math.floor(s)) * 2 - 1;
}

const person: Scene = (x, y, aspect) => {
  const cx = aspect / 2;
  const wall = mix([214, 200, 176], [188, 172, 150], y);
  let c: RGB = y > 0.78 ? mix([132, 104, 80], [98, 76, 58], (y - 0.78) / 0.22) : wall;
  // shadow on the floor
  c = mix(c, [70, 56, 44], 0.5 * cover(Math.hypot((x - cx) / 2.2, y - 0.955) - 0.04, 0.03));
  const skin: RGB = [224, 172, 138], shirt: RGB = [52, 98, 168], trousers: RGB = [44, 46, 60], hair: RGB = [58, 40, 30];
  const legs = Math.min(capsule(x, y, cx - 0.045, 0.6, cx - 0.06, 0.93, 0.035), capsule(x, y, cx + 0.045, 0.6, cx + 0.06, 0.93, 0.035));
  c = mix(c, trousers, cover(legs));
  const arms = Math.min(capsule(x, y, cx - 0.1, 0.36, cx - 0.16, 0.6, 0.026), capsule(x, y, cx + 0.1, 0.36, cx + 0.17, 0.58, 0.026));
  c = mix(c, shirt, cover(arms));
  c = mix(c, skin, cover(Math.min(circle(x, y, cx - 0.165, 0.62, 0.027), circle(x, y, cx + 0.175, 0.6, 0.027))));
  c = mix(c, shirt, cover(box(x, y, cx - 0.11, 0.32, cx + 0.11, 0.64, 0.04)));
  c = mix(c, skin, cover(box(x, y, cx - 0.025, 0.26, cx + 0.025, 0.34)));
  c = mix(c, skin, cover(Math.hypot((x - cx) / 0.85, y - 0.21) - 0.075));
  c = mix(c, hair, cover(Math.max(Math.hypot((x - cx) / 0.85, y - 0.2) - 0.08, y - 0.19)));
  const eyes = Math.min(circle(x, y, cx - 0.025, 0.215, 0.008), circle(x, y, cx + 0.025, 0.215, 0.008));
  c = mix(c, [30, 30, 34], cover(eyes, 0.003));
  c = mix(c, [150, 80, 70], cover(box(x, y, cx - 0.02, 0.245, cx + 0.02, 0.252), 0.003));
  return c;
};

const landscape: Scene = (x, y, aspect) => {
  let c: RGB = mix([86, 140, 214], [196, 224, 244], clamp01(y / 0.6));
  c = mix(c, [255, 236, 150], cover(circle(x, y, aspect * 0.78, 0.2, 0.08)));
  const far = 0.55 + 0.06 * Math.sin(x * 5.1 + 0.7) + 0.03 * Math.sin(x * 13.3);
  c = mix(c, [104, 138, 120], cover(far - y, 0.006));
  const near = 0.7 + 0.05 * Math.sin(x * 3.3 + 2.1);
  c = mix(c, mix([92, 156, 72], [58, 112, 48], clamp01((y - near) / 0.3)), cover(near - y, 0.006));
  const tx = aspect * 0.24;
  c = mix(c, [96, 66, 40], cover(box(x, y, tx - 0.018, 0.5, tx + 0.018, 0.76)));
  c = mix(c, [48, 110, 52], cover(Math.min(circle(x, y, tx, 0.44, 0.1), circle(x, y, tx - 0.07, 0.5, 0.07), circle(x, y, tx + 0.07, 0.5, 0.07))));
  return c;
};

const room: Scene = (x, y, aspect) => {
  let c: RGB = mix([226, 226, 218], [196, 198, 192], y);
  // window
  c = mix(c, [150, 190, 230], cover(box(x, y, aspect * 0.58, 0.1, aspect * 0.9, 0.48, 0.01)));
  c = mix(c, [240, 240, 236], cover(Math.min(box(x, y, aspect * 0.735, 0.1, aspect * 0.745, 0.48), box(x, y, aspect * 0.58, 0.285, aspect * 0.9, 0.295))));
  // table
  c = mix(c, [140, 92, 56], cover(box(x, y, 0.08, 0.64, aspect - 0.08, 0.7, 0.01)));
  c = mix(c, [112, 72, 44], cover(Math.min(box(x, y, 0.14, 0.7, 0.18, 1.1), box(x, y, aspect - 0.18, 0.7, aspect - 0.14, 1.1))));
  // mug
  c = mix(c, [200, 60, 50], cover(Math.min(box(x, y, 0.3, 0.5, 0.4, 0.64, 0.01), Math.abs(circle(x, y, 0.41, 0.57, 0.035)) - 0.01)));
  // books
  c = mix(c, [50, 120, 90], cover(box(x, y, 0.55, 0.6, 0.85, 0.64, 0.004)));
  c = mix(c, [210, 170, 60], cover(box(x, y, 0.57, 0.56, 0.83, 0.6, 0.004)));
  c = mix(c, [80, 70, 150], cover(box(x, y, 0.6, 0.52, 0.8, 0.56, 0.004)));
  // lamp
  c = mix(c, [60, 60, 64], cover(Math.min(box(x, y, 1.0, 0.62, 1.1, 0.64), capsule(x, y, 1.05, 0.62, 1.05, 0.42, 0.008))));
  c = mix(c, [250, 220, 130], cover(Math.max(box(x, y, 0.98, 0.32, 1.12, 0.42), -(y - 0.32) * 1.4 + Math.abs(x - 1.05) - 0.07)));
  return c;
};

const pattern: Scene = (x, y, aspect) => {
  const bars: RGB[] = [[235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16], [235, 16, 235], [235, 16, 16], [16, 16, 235], [16, 16, 16]];
  if (y < 0.6) return bars[Math.min(7, Math.floor((x / aspect) * 8))];
  if (y < 0.8) { const v = Math.round((x / aspect) * 255); return [v, v, v]; }
  const check = (Math.floor((x / aspect) * 16) + Math.floor(y * 20)) % 2;
  return check ? [250, 250, 250] : [20, 20, 20];
};

const SCENES: Record<string, Scene> = { person, landscape, room, pattern };

/** Renders a sample at width x height with 3x3 supersampling and a little sensor-like noise. */
export function renderSample(id: string, width = 160, height = 120): SampleImage {
  const scene = SCENES[id];
  const meta = SAMPLE_LIST.find((s) => s.id === id);
  if (!scene || !meta) throw new Error(`unknown sample '${id}'`);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const aspect = width / height;
  const S = 3;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const acc = [0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = scene((px + (sx + 0.5) / S) / height, (py + (sy + 0.5) / S) / height, aspect);
          acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2];
        }
      }
      const n = id === 'pattern' ? 0 : 4 * noise(px / width, py / height);
      const o = (py * width + px) * 4;
      rgba[o] = acc[0] / (S * S) + n;
      rgba[o + 1] = acc[1] / (S * S) + n;
      rgba[o + 2] = acc[2] / (S * S) + n;
      rgba[o + 3] = 255;
    }
  }
  return { id, label: meta.label, width, height, rgba };
}
