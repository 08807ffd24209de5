/** A small argv parser: positionals, `--key value`, `--key=value` and boolean `--flag`. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (!key) throw new UsageError(`malformed option "${a}"`);
    if (eq >= 0) options.set(key, a.slice(eq + 1));
    else if (booleanFlags.includes(key) || i + 1 >= argv.length || argv[i + 1].startsWith("--"))
      options.set(key, true);
    else options.set(key, argv[++i]);
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, key: string, fallback?: string): string | undefined {
  const v = args.options.get(key);
  if (v === true) throw new UsageError(`--${key} needs a value`);
  return v ?? fallback;
}

export function requiredOption(args: ParsedArgs, key: string): string {
  const v = stringOption(args, key);
  if (v === undefined) throw new UsageError(`--${key} is required`);
  return v;
}

export function numberOption(args: ParsedArgs, key: string, fallback?: number): number | undefined {
  const v = stringOption(args, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got "${v}"`);
  return n;
}
