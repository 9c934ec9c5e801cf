import { applyDecorators, Body, type PipeTransform } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';
import { ProblemException } from '../errors/problem.exception';

/** Validates a value with a zod schema; failures become a 400 problem listing each bad field. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value);
    if (!result.success) {
      const errors = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(body)',
        message: issue.message,
      }));
      throw new ProblemException(400, 'validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    }
    return result.data;
  }
}

/** Parameter decorator: the request body, validated by `schema`. */
export function ValidBody<T extends z.ZodType>(schema: T): ParameterDecorator {
  return Body(new ZodValidationPipe(schema));
}

/**
 * The OpenAPI schema of a request body: the schema's *input* side, so a field with a default is
 * optional (the client may leave it out) rather than required as it is in the parsed output.
 */
export function zodRequestBodySchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
}

/** Method decorator: documents the body schema in OpenAPI from the same zod schema. */
export function ApiZodBody(schema: z.ZodType): MethodDecorator {
  return applyDecorators(ApiBody({ schema: zodRequestBodySchema(schema) }));
}
