import { FilterError, WirescopeError } from '../errors.js';

/** The `cap` binding (libpcap) could not be loaded. */
export class LibpcapUnavailableError extends WirescopeError {
  constructor(readonly detail: string) {
    super(
      `live capture needs libpcap and the cap module (${detail}): ` +
        'install libpcap (apt-get install libpcap-dev) then run `npm rebuild cap`',
    );
    this.name = 'LibpcapUnavailableError';
  }
}

/** The process may not open a packet socket. */
export class CapturePermissionError extends WirescopeError {
  constructor(
    readonly iface: string,
    readonly reason: string,
  ) {
    super(
      `${iface}: no permission to capture (${reason}): run as root or grant the capability with ` +
        '`setcap cap_net_raw,cap_net_admin=eip $(which node)`',
    );
    this.name = 'CapturePermissionError';
  }
}

/** The interface does not exist; `known` lists the ones that do. */
export class UnknownInterfaceError extends WirescopeError {
  constructor(
    readonly iface: string,
    readonly known: readonly string[],
  ) {
    super(`${iface}: no such interface; interfaces: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownInterfaceError';
  }
}

/** libpcap refused the filter expression; the message is libpcap's. */
export class LiveFilterError extends FilterError {
  constructor(expression: string, readonly libpcapMessage: string) {
    super(expression, 0, libpcapMessage);
    this.message = `filter: ${libpcapMessage}: ${expression}`;
    this.name = 'LiveFilterError';
  }
}

/** Any other failure to open the interface (device down, unsupported device), libpcap's words. */
export class InterfaceOpenError extends WirescopeError {
  constructor(
    readonly iface: string,
    readonly reason: string,
  ) {
    super(`${iface}: cannot capture: ${reason}`);
    this.name = 'InterfaceOpenError';
  }
}
