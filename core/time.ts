/**
 * Time as the Kubernetes API serializes it: `metav1.Time` is RFC 3339 in UTC with whole seconds.
 * One formatter, so admission, the stores and the controllers write the same text for the same time.
 * @see https://pkg.go.dev/k8s.io/apimachinery/pkg/apis/meta/v1#Time
 */

/** `metav1.Time` as it goes on the wire: RFC 3339 in UTC, whole seconds (`2025-01-02T03:04:05Z`). */
export function formatKubeTime(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * `metav1.MicroTime` as it goes on the wire: RFC 3339 in UTC with exactly six fractional digits
 * (`2025-01-02T03:04:05.123000Z`). An API server refuses any other precision in a MicroTime field
 * (a Lease's acquireTime and renewTime, an Event's eventTime).
 */
export function formatKubeMicroTime(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
