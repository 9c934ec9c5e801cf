import { HttpException } from '@nestjs/common';

/** Base URI of problem types (RFC 7807 §3.1); each error code has a stable `type` under it. */
export const PROBLEM_TYPE_BASE = 'https://mazevault.dev/problems/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId?: string;
  errors?: { path: string; message: string }[];
}

/**
 * An error meant for the client: a stable machine-readable `code`, a human `detail`. Anything else
 * thrown becomes an opaque 500 so internal messages and stacks never leave the process.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: { errors?: { path: string; message: string }[]; headers?: Record<string, string> } = {},
  ) {
    super(detail, status);
  }
}
