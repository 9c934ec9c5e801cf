import { z } from 'zod';
import { zodRequestBodySchema } from './zod-body.decorator';

describe('zodRequestBodySchema', () => {
  it('marks fields with defaults optional: the client may leave them out', () => {
    const schema = z.strictObject({
      profile: z.string(),
      keyType: z.enum(['ecdsa-p256', 'rsa-2048']).default('ecdsa-p256'),
      ttlSeconds: z.number().int().default(3600),
      note: z.string().optional(),
    });
    const json = zodRequestBodySchema(schema) as {
      required?: string[];
      properties: Record<string, { default?: unknown }>;
    };
    expect(json.required).toEqual(['profile']);
    expect(json.properties.keyType.default).toBe('ecdsa-p256');
  });
});
