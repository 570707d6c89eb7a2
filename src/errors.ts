/**
 * Input faults that the CLI reports as one line and exit code 2. Anything thrown that is not
 * a WirescopeError is a bug and is reported as such.
 */
export class WirescopeError extends Error {
  readonly exitCode: number = 2;
}

/** A fault in a capture file or stream, located by record (or block) number and byte offset. */
export class CaptureError extends WirescopeError {
  constructor(
    readonly file: string,
    readonly record: number,
    readonly byteOffset: number,
    readonly reason: string,
    readonly unit: 'record' | 'block' = 'record',
  ) {
    super(`${file}: ${unit} ${record} at byte offset ${byteOffset}: ${reason}`);
    this.name = 'CaptureError';
  }
}

/** A filter expression that does not parse or compile; `position` is the 0-based char index. */
export class FilterError extends WirescopeError {
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`filter: ${reason} at position ${position + 1}: ${expression}`);
    this.name = 'FilterError';
  }
}

/** Usage errors: bad flags, missing arguments. */
export class UsageError extends WirescopeError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
