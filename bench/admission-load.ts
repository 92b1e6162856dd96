/**
 * The load process of bench/admission.bench.ts: offers a fixed rate of HTTPS POSTs over keep-alive
 * connections for a fixed time (open loop: requests go out on schedule whether or not earlier ones
 * have been answered) and prints one JSON line of what it measured. Latency is measured from each
 * request's scheduled time, so a stalled server or client is charged for the requests it delayed
 * (no coordinated omission). Runs as its own process so the server under test has its event loop
 * to itself. Sends only to the address it is given (the bench passes 127.0.0.1).
 *
 * Usage: node --import tsx bench/admission-load.ts < spec.json   (a LoadSpec as JSON on standard input)
 */
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { percentile } from './harness.js';

/** What to offer. */
export interface LoadSpec {
  readonly host: string;
  readonly port: number;
  /** PEM of the CA the server's certificate is signed by; nothing else is trusted. */
  readonly caPem: string;
  /** Request bodies, sent in turn, each to its path. */
  readonly requests: readonly { readonly path: string; readonly body: string }[];
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  /** Most connections open at once. */
  readonly connections: number;
  /** Requests sent before measuring starts (at the same rate). */
  readonly warmupSeconds: number;
}

/** What was measured. */
export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers per second over the measured period. */
  readonly achievedPerSecond: number;
  /** First error message, if any. */
  readonly firstError?: string;
}

function post(spec: LoadSpec, agent: Agent, item: LoadSpec['requests'][number]): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: spec.host, port: spec.port, path: item.path, method: 'POST', agent, ca: [spec.caPem], servername: 'localhost', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(item.body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(item.body);
  });
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, ca: [spec.caPem] });
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  let firstError: string | undefined;
  const inFlight = new Set<Promise<void>>();
  const total = Math.round(spec.ratePerSecond * (spec.warmupSeconds + spec.durationSeconds));
  const warmup = Math.round(spec.ratePerSecond * spec.warmupSeconds);
  const interval = 1000 / spec.ratePerSecond;
  const start = performance.now();
  let measuredFrom = start;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      const i = sent;
      const scheduled = start + i * interval;
      if (i === warmup) measuredFrom = scheduled;
      const item = spec.requests[i % spec.requests.length] as LoadSpec['requests'][number];
      const p = post(spec, agent, item).then(
        (status) => {
          if (i < warmup) return;
          if (status === 200) latencies.push(performance.now() - scheduled);
          else {
            errors += 1;
            firstError ??= `HTTP ${status}`;
          }
        },
        (e: unknown) => {
          if (i < warmup) return;
          errors += 1;
          firstError ??= e instanceof Error ? e.message : String(e);
        },
      ).finally(() => inFlight.delete(p));
      inFlight.add(p);
      sent += 1;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(1, start + sent * interval - performance.now()))));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - measuredFrom) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    sent: total - warmup,
    ok: latencies.length,
    errors,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    achievedPerSecond: Math.round(latencies.length / elapsed),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
process.stdout.write(`${JSON.stringify(await run(JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadSpec))}\n`);
