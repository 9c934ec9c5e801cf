import { loadConfig } from '@mazevault/platform';
import { type PrimaryConfig, PRIMARY_CONFIG_SHAPE } from './primary.config';

/**
 * The slices of the Primary's config its CLIs need, validated by the same schema (a bad DATABASE_URL
 * is refused naming the variable, as at start-up) without asking a one-shot command for JWT keys or Redis.
 */
const {
  DATABASE_URL,
  MASTER_KEY_PROVIDER,
  MASTER_KEY,
  MASTER_KEY_FILE,
  MASTER_KEY_VAULT_URL,
  MASTER_KEY_SECRET_NAME,
  MASTER_KEY_PREVIOUS,
} = PRIMARY_CONFIG_SHAPE;

export const CLI_DATABASE_SHAPE = { DATABASE_URL } as const;
export const CLI_MASTER_KEY_SHAPE = {
  DATABASE_URL,
  MASTER_KEY_PROVIDER,
  MASTER_KEY,
  MASTER_KEY_FILE,
  MASTER_KEY_VAULT_URL,
  MASTER_KEY_SECRET_NAME,
  MASTER_KEY_PREVIOUS,
} as const;

export type CliDatabaseConfig = Pick<PrimaryConfig, keyof typeof CLI_DATABASE_SHAPE>;
export type CliMasterKeyConfig = Pick<PrimaryConfig, keyof typeof CLI_MASTER_KEY_SHAPE>;

/** DATABASE_URL only (bootstrap-admin). `source` unset = the process environment. */
export function loadCliDatabaseConfig(source?: Record<string, string | undefined>): CliDatabaseConfig {
  return loadConfig(CLI_DATABASE_SHAPE, source);
}

/** DATABASE_URL and the master key's settings (audit:verify, master-key:rotate). */
export function loadCliMasterKeyConfig(source?: Record<string, string | undefined>): CliMasterKeyConfig {
  return loadConfig(CLI_MASTER_KEY_SHAPE, source);
}
