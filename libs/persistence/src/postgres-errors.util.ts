/** PostgreSQL SQLSTATE 23505: a unique constraint refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    (error as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code === '23505' ||
    (error as { code?: unknown })?.code === '23505'
  );
}
