/**
 * Library API of the handshake tracker: `trackHandshakes(source)` reads a capture (path, stream,
 * Buffer or an open RecordSource), decodes every record and returns the report that
 * `wirescope handshakes --json` prints; the assertions, the table and JUnit formats beside it.
 */
export { HandshakeTracker, TcpFlag, DEFAULT_MAX_CONNECTIONS, endpointString, type TcpSegment, type TrackerOptions } from './tracker.js';
export { connState } from './zeek.js';
export * from './types.js';
export { checkReport, parseDuration, parseServer, type AssertionOptions, type AssertionResult, type AssertionFailure } from './assert.js';
export { formatTable, formatSummary, junitXml } from './format.js';
export * from './run.js';
