/**
 * The unit every source (capture file or live interface) hands downstream.
 *
 * A record is a view: `buf`/`offset`/`capLen` point into a buffer the source owns and will
 * reuse. Records in a batch stay valid until the consumer asks for the next batch; anything
 * kept longer must be `copy()`-ed. Sources reuse record objects from batch to batch, so the
 * per-packet path allocates nothing.
 */
export class CaptureRecord {
  /** 1-based record number within the source (tcpdump's `-#` number). */
  index = 0;
  /** Interface id (pcapng IDB index; 0 for pcap and live). */
  interfaceId = 0;
  /** LINKTYPE_* value of the interface this record came from (FCS bits stripped). */
  linkType = 0;
  /** Seconds since the epoch. May exceed 2^32 (pcapng); always an integer. */
  tsSec = 0;
  /**
   * Nanoseconds within the second, 0..999_999_999. A corrupt pcap may store a fraction of a
   * second or more; it is handed through as stored (scaled to ns), as libpcap does for tcpdump.
   */
  tsNsec = 0;
  /** Bytes present in `buf` starting at `offset`. */
  capLen = 0;
  /** Length of the packet on the wire. */
  origLen = 0;
  buf: Buffer = EMPTY;
  offset = 0;

  /** Fewer bytes were captured than were on the wire (snaplen cut the packet). */
  get truncated(): boolean {
    return this.capLen < this.origLen;
  }

  /** The captured bytes as a Buffer view (allocates a view object; not for the hot path). */
  get data(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.capLen);
  }

  /** An independent record whose bytes survive the source's buffer reuse. */
  copy(): CaptureRecord {
    const r = new CaptureRecord();
    r.index = this.index;
    r.interfaceId = this.interfaceId;
    r.linkType = this.linkType;
    r.tsSec = this.tsSec;
    r.tsNsec = this.tsNsec;
    r.capLen = this.capLen;
    r.origLen = this.origLen;
    r.buf = Buffer.from(this.data);
    r.offset = 0;
    return r;
  }
}

const EMPTY = Buffer.alloc(0);

/** What a source knows about its interfaces; pcapng may add interfaces as it goes. */
export interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** Timestamp resolution as a power: units per second = base ** exp (pcapng if_tsresol). */
  tsresol?: { base: 2 | 10; exp: number };
  tsoffset?: bigint;
  fcsLen?: number;
}

export interface SourceInfo {
  /** What was opened: a path, "-" for stdin, or an interface name. */
  name: string;
  format: 'pcap' | 'pcapng' | 'live';
  /** True when the file stores nanosecond timestamps (pcap magic 0xa1b23c4d). */
  nanosecond: boolean;
  bigEndian: boolean;
  gzip: boolean;
  /** Interfaces seen so far; index = interfaceId. pcap and live have exactly one. */
  interfaces: InterfaceInfo[];
  /** pcap only: the file header as stored, so a writer can reproduce it exactly. */
  pcap?: PcapHeaderInfo;
}

/** The classic pcap file header fields, as read. */
export interface PcapHeaderInfo {
  /** 0xa1b2c3d4 (usec), 0xa1b23c4d (nsec) or 0xa1b2cd34 (modified pcap, 24-byte record headers). */
  magic: number;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  /** The LinkType field including the FCS bits (interfaces[0].linkType has them stripped). */
  linkTypeField: number;
}

/**
 * A stream of record batches. Iterating yields arrays of records; the arrays and the records
 * in them are valid until the next iteration step. An input fault is thrown from the iterator
 * as a CaptureError only after every good record before it has been yielded.
 */
export interface RecordSource extends AsyncIterable<readonly CaptureRecord[]> {
  readonly info: SourceInfo;
  /** Stop early (e.g. -c reached); releases the file or interface. Idempotent. */
  close(): Promise<void>;
}

/** Counters a live source keeps (libpcap's pcap_stats). */
export interface CaptureStats {
  /** Packets handed to wirescope. */
  captured: number;
  /** ps_recv: packets received by the filter. */
  received: number;
  /** ps_drop: dropped by the kernel for lack of buffer space. */
  dropped: number;
  /** ps_ifdrop: dropped by the interface. */
  ifDropped: number;
}

/** A live source is a RecordSource that also counts. */
export interface LiveRecordSource extends RecordSource {
  stats(): CaptureStats;
}

export interface WriterOptions {
  format: 'pcap' | 'pcapng';
  /** pcap: write the nanosecond magic; pcapng: if_tsresol 9. Default false (microseconds). */
  nanosecond?: boolean;
  linkType: number;
  snaplen?: number;
  /** Byte order of the written file; default the host's (as libpcap writes). */
  bigEndian?: boolean;
  /** pcap: FCS length in bytes, recorded in the LinkType field's FCS bits; pcapng: if_fcslen. */
  fcsLen?: number;
  /** pcap: the whole LinkType field as read (reserved and FCS bits too); overrides linkType/fcsLen. */
  linkTypeField?: number;
  /** pcap header fields other writers set (default 0), to reproduce a file exactly. */
  thiszone?: number;
  sigfigs?: number;
  /** pcapng: the interfaces to describe up front (IDB n = interfaceId n); others are added as seen. */
  interfaces?: InterfaceInfo[];
}

/** Streaming writer; `write` copies the record's bytes, so records may be reused right after. */
export interface RecordWriter {
  write(record: CaptureRecord): void;
  /**
   * Resolves once buffered output has been taken by the target. Writers to a stream buffer
   * what `write` cannot hand over; call this between batches to keep memory bounded.
   */
  drain?(): Promise<void>;
  /** Hand every buffered byte to the target now (live `-w`: the file grows as packets arrive). */
  flush?(): void;
  /** True once a stream's reader has gone (EPIPE, `-w - | head`): the caller may stop; writes are dropped. */
  readonly readerGone?: boolean;
  /** Flush and close; resolves when the bytes are on disk / in the stream. */
  close(): Promise<void>;
}
