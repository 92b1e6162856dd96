/**
 * The flags a command documents: the "Options:" section that ends every subcommand's usage text
 * (what `kvt COMMAND --help` prints). Shell completion offers these, and a test checks them against
 * what each command's parser accepts, so the help, the completion and the parser cannot drift apart.
 *
 * A flag line is indented (at most six spaces, so `-o, --output` and a lone `--presets` align) and
 * reads `-x, --long VALUE  description` or `--long  description`: a single word after the long name,
 * before two spaces, names the value the flag takes; `--long[=VALUE]` is a switch that may take one. Deeper-indented lines continue a description.
 */

/** One documented flag. */
export interface DocumentedFlag {
  /** Without the dashes: `output`. */
  readonly long: string;
  /** The one-letter form, without the dash, when there is one: `o`. */
  readonly short?: string;
  /** The value's placeholder (`yaml|json`, `DIR`), or undefined for a switch. */
  readonly value?: string;
  /** `--wait[=true|false]`: a switch that may also be given a value with `=` (the placeholder is in `value`). */
  readonly optionalValue?: true;
  /** The one-line description (continuation lines joined). */
  readonly description: string;
}

const FLAG_LINE = /^ {1,6}(?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)(?:[ =]([^\s[]\S*)|\[=([^\]\s]+)\])?(?: {2,}(.*))?$/;

/** The lines of the last "Options:" section, or undefined when the usage has none. */
function optionsSection(usage: string): string[] | undefined {
  const lines = usage.split('\n');
  const start = lines.lastIndexOf('Options:');
  if (start < 0) return undefined;
  const section: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && !line.startsWith(' ')) break;
    section.push(line);
  }
  return section;
}

/** The flag of a line FLAG_LINE matched. */
function flagOf(m: RegExpExecArray): { long: string; short?: string; value?: string; optionalValue?: true; description: string[] } {
  const [, short, long = '', value, optional, description] = m;
  return {
    long, ...(short === undefined ? {} : { short }), ...(value === undefined ? {} : { value }),
    ...(optional === undefined ? {} : { value: optional, optionalValue: true as const }),
    description: description === undefined ? [] : [description.trim()],
  };
}

/** Every flag of a usage text's "Options:" section, in order; [] when it has none. */
export function documentedFlags(usage: string): DocumentedFlag[] {
  const flags: ReturnType<typeof flagOf>[] = [];
  for (const line of optionsSection(usage) ?? []) {
    const m = FLAG_LINE.exec(line);
    if (m !== null) {
      flags.push(flagOf(m));
    } else if (line.trim() !== '') {
      flags.at(-1)?.description.push(line.trim());
    }
  }
  return flags.map(({ description, ...flag }) => ({ ...flag, description: description.join(' ') }));
}

/** Whether the usage text has an "Options:" section at all. */
export function hasOptionsSection(usage: string): boolean {
  return optionsSection(usage) !== undefined;
}
