import { ProblemException } from '@mazevault/platform';

/** Segments like `app`, `db-main`, `tls.key`: no empty, `.` or `..` segment, no leading/trailing slash. */
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;
export const MAX_PATH_LENGTH = 512;

export function validateSecretPath(path: string): string {
  const segments = path.split('/');
  if (!path || path.length > MAX_PATH_LENGTH || !segments.every((s) => SEGMENT.test(s))) {
    throw new ProblemException(
      400,
      'invalid_secret_path',
      `Secret paths are 1-${MAX_PATH_LENGTH} characters of slash-separated segments of letters, digits, ".", "_" and "-" (no empty, "." or ".." segment)`,
    );
  }
  return path;
}

/** A listing prefix: empty (the root) or a folder (`app/` — the trailing slash is optional). */
export function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  const trimmed = prefix.replace(/\/+$/, '');
  validateSecretPath(trimmed);
  return trimmed + '/';
}

/**
 * The immediate children under `prefix`, like a directory listing: leaf names, and folders with a
 * trailing slash (`["db", "api/"]` for paths `app/db`, `app/api/key` under `app/`). Sorted, unique.
 */
export function childrenUnder(prefix: string, paths: string[]): string[] {
  const children = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    children.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...children].sort();
}

/** Is the path inside one of the allowed mounts (first path segment or path prefix)? Empty list = all. */
export function insideAllowedMounts(path: string, mounts: string[]): boolean {
  if (mounts.length === 0) return true;
  return mounts.some((mount) => {
    const m = mount.replace(/^\/+|\/+$/g, '');
    return path === m || path.startsWith(m + '/');
  });
}
