import { SetMetadata } from '@nestjs/common';

export const AUDITED_KEY = 'mazevault:audited';

export interface AuditSpec {
  action: string;
  resourceType: string;
  /** The clear reference of the resource acted on (masked before storage). Never a secret value. */
  resourceRef?: (
    request: { params?: Record<string, string>; body?: unknown },
    result?: unknown,
  ) => string | undefined;
}

/** Names the audit event a handler produces (success, failure or denial). */
export const Audited = (spec: AuditSpec) => SetMetadata(AUDITED_KEY, spec);
