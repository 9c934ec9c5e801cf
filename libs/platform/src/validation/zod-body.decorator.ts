import { applyDecorators, Body, type PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { ProblemException } from '../errors/problem.exception';

/** `value` parsed by `schema`, or a 400 problem (`validation_failed`) listing each bad field. */
export function parseOrProblem<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    }));
    throw new ProblemException(
      400,
      'validation_failed',
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      { errors },
    );
  }
  return result.data;
}

/** Validates a value with a zod schema; failures become a 400 problem listing each bad field. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    return parseOrProblem(this.schema, value);
  }
}

/**
 * Parameter decorator: the query string, validated by `schema` (a strict object: an unknown
 * parameter is refused, not ignored), and documented in OpenAPI by `ApiZodQuery`.
 */
export function ValidQuery<T extends z.ZodType>(schema: T): ParameterDecorator {
  return Query(new ZodValidationPipe(schema));
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

/** Method decorator: documents each query parameter of an object schema in OpenAPI. */
export function ApiZodQuery(schema: z.ZodType): MethodDecorator {
  const json = zodRequestBodySchema(schema) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({
        name,
        required: required.has(name),
        schema: property,
        ...(typeof property.description === 'string' ? { description: property.description } : {}),
      }),
    ),
  );
}
