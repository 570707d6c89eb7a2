/**
 * tcpdump's ts_print for every -t variant. Default and -tttt print local time (the TZ
 * environment variable, as localtime(3) does); -ttt/-ttttt print deltas; -tt prints the
 * seconds as an unsigned 32-bit number, as tcpdump 4.99 does.
 */

const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? '0' + i : String(i));

function frac(n: number, digits: 6 | 9): string {
  // printf("%06u") / ("%09u"): wider values are printed in full
  const s = String(n);
  return s.length >= digits ? s : '000000000'.slice(0, digits - s.length) + s;
}

export class TimestampFormatter {
  private refSec = 0;
  private refNsec = 0;
  private haveRef = false;
  // cache of the local-time "YYYY-MM-DD HH:MM:" / "HH:MM:" prefix for one minute
  private cacheMinute = NaN;
  private cacheDate = '';
  private cacheTime = '';

  constructor(
    private readonly format: number,
    private readonly nano: boolean,
  ) {}

  /** The timestamp text including its trailing space ('' for -t). */
  print(tsSec: number, tsNsec: number): string {
    switch (this.format) {
      case 1:
        return '';
      case 2:
        return (tsSec % 4294967296 + 4294967296) % 4294967296 + '.' + this.fraction(tsNsec) + ' ';
      case 3:
      case 5:
        return this.delta(tsSec, tsNsec) + ' ';
      case 4:
        return this.local(tsSec, tsNsec, true) + ' ';
      default:
        return this.local(tsSec, tsNsec, false) + ' ';
    }
  }

  private fraction(nsec: number): string {
    return this.nano ? frac(nsec, 9) : frac(Math.floor(nsec / 1000), 6);
  }

  private local(sec: number, nsec: number, withDate: boolean): string {
    if (sec < 0) return '[Error converting time]';
    const minute = Math.floor(sec / 60);
    if (minute !== this.cacheMinute) {
      const d = new Date(minute * 60000);
      if (Number.isNaN(d.getTime())) return '[Error converting time]';
      this.cacheMinute = minute;
      const y = d.getFullYear();
      this.cacheDate = String(y).padStart(4, '0') + '-' + PAD2[d.getMonth() + 1] + '-' + PAD2[d.getDate()] + ' ';
      this.cacheTime = PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':';
    }
    const s = PAD2[sec - minute * 60]! + '.' + this.fraction(nsec);
    return withDate ? this.cacheDate + this.cacheTime + s : this.cacheTime + s;
  }

  private delta(sec: number, nsec: number): string {
    if (!this.haveRef) {
      this.haveRef = true;
      this.refSec = sec;
      this.refNsec = nsec;
    }
    // microsecond precision rounds both stamps down first, as tcpdump's timeval arithmetic does
    let s = sec;
    let f = this.nano ? nsec : Math.floor(nsec / 1000);
    let rs = this.refSec;
    let rf = this.nano ? this.refNsec : Math.floor(this.refNsec / 1000);
    const unit = this.nano ? 1e9 : 1e6;
    let negative = false;
    if (s < rs || (s === rs && f < rf)) {
      negative = true;
      [s, rs] = [rs, s];
      [f, rf] = [rf, f];
    }
    let ds = s - rs;
    let df = f - rf;
    if (df < 0) {
      df += unit;
      ds -= 1;
    }
    if (this.format === 3) {
      this.refSec = sec;
      this.refNsec = nsec;
    }
    const secOfDay = ((ds % 86400) + 86400) % 86400;
    const h = Math.floor(secOfDay / 3600);
    const m = Math.floor((secOfDay % 3600) / 60);
    const text = PAD2[h] + ':' + PAD2[m] + ':' + PAD2[secOfDay % 60] + '.' + frac(df, this.nano ? 9 : 6);
    return (negative ? '-' : ' ') + text;
  }
}
