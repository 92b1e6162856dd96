/**
 * Admission throughput and latency through the registry's VMI mutate and validate-create routes:
 * in-process admissions/s (minimal and 13-disk VMI) against JSON parse+stringify of the same
 * reviews, and HTTPS keep-alive latency at fixed offered rates from a separate load process
 * against the same server's echo route. See bench/admission-measure.ts.
 */
import { WEBHOOK_ROUTES } from '../webhooks/registry.js';
import { measureAdmission } from './admission-measure.js';
import type { Benchmark } from './harness.js';

const bench: Benchmark = () => measureAdmission(WEBHOOK_ROUTES);
export default bench;
