/** Maps what `cap.open()` returns to a LINKTYPE_* number. */

const NAMED: Readonly<Record<string, number>> = {
  NULL: 0,
  ETHERNET: 1,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
  RAW: 101,
};

/** DLT_* values that differ from their LINKTYPE_* (libpcap's dlt_to_linktype, the Linux subset). */
const DLT_TO_LINKTYPE: Readonly<Record<number, number>> = {
  12: 101, // DLT_RAW on Linux
  14: 101,
};

export function linkTypeFromCap(name: string): number {
  const named = NAMED[name];
  if (named !== undefined) return named;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m) return -1;
  const dlt = Number(m[1]);
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}
