/**
 * The text `kvt edit` hands the editor, as kubectl lays it out: a comment header (with the errors of
 * the last attempt when it was refused) above the object as YAML or JSON; and what comes back: the
 * text without comment lines. Pure.
 */

const HEADER = [
  '# Please edit the object below. Lines beginning with a \'#\' will be ignored,',
  '# and an empty file will abort the edit. If an error occurs while saving this file will be',
  '# reopened with the relevant failures.',
  '#',
];

/** The editor's text: the header, the errors of a refused attempt (`# <title>` and `# * <line>`), then the body. */
export function editBuffer(body: string, refused?: { readonly title: string; readonly lines: readonly string[] }): string {
  const errors = refused === undefined ? [] : [`# ${refused.title}`, ...refused.lines.map((l) => `# * ${l}`), '#'];
  return `${[...HEADER, ...errors].join('\n')}\n${body}`;
}

/** The edited text without its comment lines (a `#` first on the line, after blanks), trimmed; '' when nothing is left. */
export function withoutComments(text: string): string {
  return text.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n').trim();
}
