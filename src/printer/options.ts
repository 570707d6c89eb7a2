/** tcpdump's printing flags, as the CLI parsed them. */
export interface PrintOptions {
  /** -v count. */
  verbose: number;
  /** -e: print the link-level header. */
  linkHeader: boolean;
  /** -q: quick (terse) output. */
  quiet: boolean;
  /** -t count: 0 default time, 1 none, 2 unix, 3 delta prev, 4 date, 5 delta first. */
  timeFormat: number;
  /** --nano / --time-stamp-precision=nano. */
  nano: boolean;
  /** -#: packet number before each line. */
  numbered: boolean;
  /** -x count (hex from the network layer; 2 = from the link layer). */
  hex: number;
  /** -X count (hex and ASCII). */
  hexAscii: number;
  /** -A count (ASCII). */
  ascii: number;
  /** -S: absolute TCP sequence numbers. */
  absoluteSeq: boolean;
}

export function defaultPrintOptions(): PrintOptions {
  return {
    verbose: 0,
    linkHeader: false,
    quiet: false,
    timeFormat: 0,
    nano: false,
    numbered: false,
    hex: 0,
    hexAscii: 0,
    ascii: 0,
    absoluteSeq: false,
  };
}
