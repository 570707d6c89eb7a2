// Child process for the namespace tests: runs inside a network namespace (`ip netns exec`),
// captures live with wirescope's compiled library, writes a pcap, prints "ready" once the
// interface is open and the capture stats as JSON when told to stop (SIGINT/SIGTERM).
// Usage: node netns-capture.mjs DIST_DIR IFACE FILTER OUT.pcap
const [distDir, iface, filter, out] = process.argv.slice(2);
const live = await import(`${distDir}/src/live/index.js`);
const { openWriter } = await import(`${distDir}/src/capture/index.js`);

const deadline = setTimeout(() => {
  process.stderr.write('netns-capture: deadline reached\n');
  process.exit(3);
}, 30_000);
deadline.unref();

let source;
try {
  source = await live.openLiveCapture({ interface: iface, filter });
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const writer = openWriter(out, { format: 'pcap', linkType: source.linkType, snaplen: 262144, nanosecond: true });
const stop = async () => {
  await live.settle(source);
  await source.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
process.stdout.write('ready\n');
for await (const batch of source) for (const r of batch) writer.write(r);
await writer.close();
process.stdout.write(JSON.stringify(source.stats()) + '\n');
process.exit(0);
