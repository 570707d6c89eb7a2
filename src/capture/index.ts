/** Capture files: `openCapture` (pcap, pcapng, gzip; path, stdin, stream or Buffer) and writers. */
export { openCapture, readAllRecords, type CaptureInput, type OpenCaptureOptions } from './open.js';
export { openWriter, writerOptionsFor, PcapWriter, PcapngWriter } from './writer.js';
export { MAX_CAPLEN, PcapMagic } from './pcap.js';
export {
  CaptureRecord,
  type CaptureStats,
  type InterfaceInfo,
  type LiveRecordSource,
  type PcapHeaderInfo,
  type RecordSource,
  type RecordWriter,
  type SourceInfo,
  type WriterOptions,
} from './record.js';
