/**
 * The escape key of `kvt console` (Ctrl-], byte 0x1d, as `virtctl console` and telnet use it):
 * everything typed before it goes to the guest, the escape itself ends the session.
 */

/** Ctrl-]. */
export const CONSOLE_ESCAPE = 0x1d;

/** The bytes of `chunk` to send to the guest, and whether the escape key was pressed in it. */
export function splitAtEscape(chunk: Uint8Array, escape: number = CONSOLE_ESCAPE): { readonly send: Uint8Array; readonly escaped: boolean } {
  const at = chunk.indexOf(escape);
  return at === -1 ? { send: chunk, escaped: false } : { send: chunk.subarray(0, at), escaped: true };
}
