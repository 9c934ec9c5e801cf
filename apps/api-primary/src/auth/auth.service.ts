import { Inject, Injectable } from '@nestjs/common';
import { dummyPasswordHash, verifyPassword } from '@mazevault/crypto';
import { UserEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { canonicalIdentity } from './identity.util';
import { JwtService } from './jwt.service';
import { LoginLockoutService } from './login-lockout.service';

export const INVALID_CREDENTIALS = 'Invalid email or password';

@Injectable()
export class AuthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly lockout: LoginLockoutService,
  ) {}

  /**
   * Known and unknown users, wrong passwords and disabled accounts all fail the same way, after the
   * same scrypt work, and all count toward the same lockout (every attempt counts; success resets).
   *
   * Emails are unique per organization. `organization` (slug) picks the account; without it the
   * password is checked against the email's two oldest accounts, always two scrypt runs (padded with
   * the dummy hash), and exactly one must match: so whether the email also exists in another
   * organization changes neither the answer nor the work. A third same-email account, or two with
   * the same password, must name its organization.
   */
  /**
   * `attribute` learns the organization the attempt concerns, for the audit log only (never the
   * answer): the user's on success, and on failure the one account's when the email names exactly one.
   */
  async login(
    email: string,
    password: string,
    organization?: string,
    attribute?: (organizationId: string) => void,
  ): Promise<{ token: string; expiresAt: Date }> {
    const identity = canonicalIdentity(email);
    // Counted before the password check, so concurrent guesses cannot all slip under the limit.
    const lockedFor = await this.lockout.beginAttempt(identity);
    if (lockedFor > 0) {
      throw new ProblemException(
        429,
        'too_many_attempts',
        `Too many failed logins; try again in ${lockedFor} s`,
        {
          headers: { 'retry-after': String(lockedFor) },
        },
      );
    }
    const slots = organization === undefined ? 2 : 1;
    const candidates = await this.dataSource.getRepository(UserEntity).find({
      where:
        organization === undefined
          ? { email: identity }
          : { email: identity, organization: { slug: organization } },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: slots,
    });
    const dummy = await dummyPasswordHash();
    const hashes = Array.from({ length: slots }, (_, i) => candidates[i]?.passwordHash ?? dummy);
    const verified = await Promise.all(hashes.map((hash) => verifyPassword(password, hash)));
    const matches = candidates.filter((_, i) => verified[i]);
    const user = matches.length === 1 ? matches[0] : undefined;
    const concerned = user ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (concerned) attribute?.(concerned.organizationId);
    if (!user || user.disabledAt) {
      throw new ProblemException(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    await this.lockout.reset(identity);
    return this.jwt.issue(user.id, user.organizationId);
  }
}
