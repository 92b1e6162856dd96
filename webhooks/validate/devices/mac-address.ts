/**
 * MAC addresses as Go's `net.ParseMAC` reads them, which is what KubeVirt accepts: hex pairs
 * separated by `:` or `-`, or hex quads separated by `.`, for 6, 8 (EUI-64) or 20 (InfiniBand)
 * bytes.
 * @see https://pkg.go.dev/net#ParseMAC
 */

/** A parsed MAC: its length in bytes, how it was written, and its first byte. */
export interface ParsedMac {
  readonly bytes: number;
  readonly form: 'colon' | 'dash' | 'dot';
  readonly firstOctet: number;
}

const LENGTHS = [6, 8, 20];
const FORMS = [
  { form: 'colon', pattern: /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+$/, bytesPerGroup: 1 },
  { form: 'dash', pattern: /^[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2})+$/, bytesPerGroup: 1 },
  { form: 'dot', pattern: /^[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4})+$/, bytesPerGroup: 2 },
] as const;

/** The MAC `text` spells, or undefined when Go's ParseMAC refuses it. */
export function parseMac(text: string): ParsedMac | undefined {
  const match = FORMS.find((f) => f.pattern.test(text));
  if (match === undefined) return undefined;
  const bytes = text.split(/[:.-]/).length * match.bytesPerGroup;
  if (!LENGTHS.includes(bytes)) return undefined;
  return { bytes, form: match.form, firstOctet: parseInt(text.slice(0, 2), 16) };
}
