/**
 * Time as the Kubernetes API serializes it: `metav1.Time` is RFC 3339 in UTC with whole seconds.
 * One formatter, so admission, the stores and the controllers write the same text for the same time.
 * @see https://pkg.go.dev/k8s.io/apimachinery/pkg/apis/meta/v1#Time
 */

/** `metav1.Time` as it goes on the wire: RFC 3339 in UTC, whole seconds (`2025-01-02T03:04:05Z`). */
export function formatKubeTime(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, 'Z');
}
