/**
 * Prometheus metrics of the webhook server: requests by webhook and result, and their latency.
 * Each server owns its registry (no prom-client global), so tests and benchmarks can run several
 * servers in one process without their counts mixing.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** How a request to a webhook path ended. */
export type AdmissionResult = 'allowed' | 'denied' | 'error';

/** The label the server records requests to paths no webhook serves under. */
export const UNKNOWN_WEBHOOK = 'unknown';

/** Latency buckets in seconds: admission answers in well under a millisecond, the apiserver gives up at 10–30 s. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** The server's metrics. */
export interface AdmissionMetrics {
  readonly registry: Registry;
  /** Records one finished request. `webhook` is the route's name, or {@link UNKNOWN_WEBHOOK}. */
  observe(webhook: string, result: AdmissionResult, seconds: number): void;
  /** The exposition text and its content type, for `GET /metrics`. */
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
}

/** Options of {@link createAdmissionMetrics}. */
export interface MetricsOptions {
  /** Also export the process metrics (CPU, memory, event-loop lag, GC). @default false */
  readonly processMetrics?: boolean;
}

/** Creates the metrics of one server in a registry of its own. */
export function createAdmissionMetrics(options: MetricsOptions = {}): AdmissionMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'kvt_admission_requests_total',
    help: 'Admission requests by webhook and result (allowed, denied, or error: refused before review or failed in it).',
    labelNames: ['webhook', 'result'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'kvt_admission_request_duration_seconds',
    help: 'Time from receiving an admission request to the end of its answer, by webhook.',
    labelNames: ['webhook'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observe: (webhook, result, seconds) => {
      requests.inc({ webhook, result });
      duration.observe({ webhook }, seconds);
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
