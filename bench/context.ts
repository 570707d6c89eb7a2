/** What bench/run.ts hands to every bench module. */
export interface BenchContext {
  /** Folder for generated data (git-ignored). */
  dataDir: string;
  /** A >= 1,000,000-packet mixed TCP/UDP IPv4/IPv6 Ethernet capture (pcap, microseconds). */
  bigPcap: string;
  /** A >= 1 GB capture. Made on demand by `ensureGigCapture()`; large, so only the read bench asks. */
  ensureGigCapture(): Promise<string>;
  /** A 1,000,000-connection SYN-flood capture, made on demand. */
  ensureFloodCapture(): Promise<string>;
  /** Is this external tool on PATH? */
  has(tool: 'tcpdump' | 'tshark' | 'capinfos'): boolean;
  log(line: string): void;
}
