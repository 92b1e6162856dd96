/** The last lines of a log text, as `kubectl logs --tail N` shows them (-1: all). Pure. */
export function lastLines(text: string, tail: number): string {
  if (tail < 0) return text;
  if (tail === 0) return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '') return '';
  const lines = body.split('\n');
  return `${lines.slice(-tail).join('\n')}\n`;
}
