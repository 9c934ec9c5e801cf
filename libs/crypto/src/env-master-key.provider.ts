import { decodeMasterKey, LocalMasterKeyProvider, masterKeyFingerprint } from './master-key.provider';

export interface EnvMasterKeyOptions {
  /** The base64 value (the caller reads `process.env.X`, so this class stays free of global state). */
  value: string | undefined;
  /** Name of the variable, used only in error messages. */
  variableName?: string;
  /** Stable id persisted with wrapped KEKs; defaults to a fingerprint of the key. */
  id?: string;
}

/** Master key from an environment variable: the simplest option, meant for development and small on-prem installs. */
export class EnvMasterKeyProvider extends LocalMasterKeyProvider {
  readonly id: string;
  private readonly decoded: Buffer;

  constructor(options: EnvMasterKeyOptions) {
    super();
    const source = `environment variable ${options.variableName ?? '(unnamed)'}`;
    // Decoded eagerly: a bad value should stop the boot, not the first request.
    this.decoded = decodeMasterKey(options.value ?? '', source);
    this.id = options.id ?? `env:${masterKeyFingerprint(this.decoded)}`;
  }

  protected async loadKey(): Promise<Buffer> {
    return Buffer.from(this.decoded);
  }
}
