import { readFile } from 'node:fs/promises';
import { MasterKeyError } from './crypto.errors';
import { decodeMasterKey, LocalMasterKeyProvider } from './master-key.provider';

export interface FileMasterKeyOptions {
  /** File holding the base64 key (a mounted Kubernetes/Docker secret, a tmpfs file...). */
  path: string;
  /** Defaults to `file:<path>`; set it explicitly when the same path is reused for a new key. */
  id?: string;
}

/** Master key read from a file on first use. */
export class FileMasterKeyProvider extends LocalMasterKeyProvider {
  readonly id: string;

  constructor(private readonly options: FileMasterKeyOptions) {
    super();
    this.id = options.id ?? `file:${options.path}`;
  }

  protected async loadKey(): Promise<Buffer> {
    let text: string;
    try {
      text = await readFile(this.options.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new MasterKeyError(`cannot read master key file ${this.options.path}: ${code}`);
    }
    return decodeMasterKey(text, `file ${this.options.path}`);
  }
}
