/**
 * The `cap` native module, loaded on demand with a dynamic import so that nothing outside live
 * capture ever needs libpcap. Only the parts wirescope uses are typed.
 */
import { LibpcapUnavailableError } from './errors.js';

export interface CapDeviceAddress {
  addr?: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: CapDeviceAddress[];
  flags?: string;
}

/** One libpcap handle. `open` returns the link type as a name or "Unknown linktype N". */
export interface CapHandle {
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
  removeAllListeners(event?: string): this;
}

export interface CapModule {
  Cap: {
    new (): CapHandle;
    deviceList(): CapDevice[];
  };
}

let loaded: Promise<CapModule> | null = null;

/** Loads `cap` once; rejects with LibpcapUnavailableError when it is absent or fails to link. */
export function loadCap(): Promise<CapModule> {
  loaded ??= importCap();
  return loaded;
}

async function importCap(): Promise<CapModule> {
  // A variable specifier keeps TypeScript from resolving the optional module at build time.
  const specifier = process.env.WIRESCOPE_CAP_MODULE ?? 'cap';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (err) {
    loaded = null;
    throw new LibpcapUnavailableError(firstLine(err));
  }
  const capModule = (mod as { default?: unknown }).default ?? mod;
  if (!isCapModule(capModule)) {
    loaded = null;
    throw new LibpcapUnavailableError(`module "${specifier}" does not look like cap`);
  }
  return capModule;
}

function isCapModule(m: unknown): m is CapModule {
  if (typeof m !== 'object' || m === null) return false;
  const cap = (m as { Cap?: unknown }).Cap;
  return typeof cap === 'function' && typeof (cap as { deviceList?: unknown }).deviceList === 'function';
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
