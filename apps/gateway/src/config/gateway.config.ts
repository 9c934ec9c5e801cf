import { env, loadConfig } from '@mazevault/platform';
import { z } from 'zod';

/** Every environment variable gateway reads, validated once at start-up. */
export const GATEWAY_CONFIG_SHAPE = {
  HOST: z.string().default('0.0.0.0'),
  PORT: env.port(8090),
  LOG_LEVEL: env.logLevel(),
} as const;

export type GatewayConfig = z.infer<z.ZodObject<typeof GATEWAY_CONFIG_SHAPE>>;

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(GATEWAY_CONFIG_SHAPE, source);
}
