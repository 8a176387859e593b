/**
 * `${VAR}` and `${VAR:-default}` in scalar values, so that secrets stay out of files. `$$` writes a
 * literal `$`. Substitution happens once; the replacement text is not scanned again.
 */
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type Substitution =
  | { readonly ok: true; readonly text: string; readonly substituted: boolean }
  | { readonly ok: false; readonly missing: string };

export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  let missing: string | undefined;
  let substituted = false;
  const result = text.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
    substituted = true;
    if (name === undefined) return '$';
    const value = env[name];
    // As in the shell: `:-` also replaces a variable that is set but empty.
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value !== undefined) return value;
    missing ??= name;
    return whole;
  });
  return missing === undefined ? { ok: true, text: result, substituted } : { ok: false, missing };
}
