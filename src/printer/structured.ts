/** --json and --layers output (filled in once the codec's views are wired up). */
import type { CaptureRecord } from '../capture/record.js';
import type { PrintOptions } from './options.js';

export function jsonFormatter(_opts: PrintOptions): (rec: CaptureRecord) => string {
  return (rec) => JSON.stringify({ index: rec.index, caplen: rec.capLen, len: rec.origLen }) + '\n';
}

export function layersFormatter(_opts: PrintOptions): (rec: CaptureRecord) => string {
  return (rec) => `packet ${rec.index}\n`;
}
