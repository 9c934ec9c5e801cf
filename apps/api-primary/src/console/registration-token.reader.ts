import { constantTimeEqual } from '@mazevault/crypto';
import { SecretNotFoundError, type SecretStore } from '@mazevault/keyvault';

/**
 * Checks instance registration tokens against the vault without a vault call per check: the token
 * is cached and re-read every `refreshMs`, and re-read at once when a presented token does not match
 * (it may just have been rotated on another replica) before answering "unauthorized".
 */
export class RegistrationTokenReader {
  private readonly cache = new Map<string, { token: string; readAt: number }>();

  constructor(
    private readonly store: SecretStore,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(instanceId: string, presented: string): Promise<boolean> {
    const cached = this.cache.get(instanceId);
    const fresh =
      cached && this.now() - cached.readAt < this.refreshMs ? cached : await this.read(instanceId);
    if (fresh && constantTimeEqual(fresh.token, presented)) return true;
    if (fresh !== cached) return false; // just re-read: a mismatch is a real one
    const reread = await this.read(instanceId);
    return reread !== undefined && constantTimeEqual(reread.token, presented);
  }

  forget(instanceId: string): void {
    this.cache.delete(instanceId);
  }

  private async read(instanceId: string): Promise<{ token: string; readAt: number } | undefined> {
    try {
      const { value } = await this.store.getCredentials(`instance-${instanceId}`);
      if (typeof value !== 'string') return undefined;
      const entry = { token: value, readAt: this.now() };
      this.cache.set(instanceId, entry);
      return entry;
    } catch (error) {
      if (error instanceof SecretNotFoundError) {
        this.cache.delete(instanceId);
        return undefined;
      }
      throw error;
    }
  }
}
