import { CaptureError } from '../errors.js';
import type { ByteWindow } from './bytes.js';
import type { RecordSource } from './record.js';

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;

export function openPcapngSource(win: ByteWindow, name: string, _gzip: boolean): RecordSource {
  throw new CaptureError(name, 1, win.offsetOf(win.start), 'pcapng reading is not implemented yet', 'block');
}
