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
   */
  async login(email: string, password: string): Promise<{ token: string; expiresAt: Date }> {
    const identity = canonicalIdentity(email);
    // Counted before the password check, so concurrent guesses cannot all slip under the limit.
    const lockedFor = await this.lockout.beginAttempt(identity);
    if (lockedFor > 0) {
      throw new ProblemException(429, 'too_many_attempts', `Too many failed logins; try again in ${lockedFor} s`, {
        headers: { 'retry-after': String(lockedFor) },
      });
    }
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ email: identity });
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !passwordOk || user.disabledAt) {
      throw new ProblemException(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    await this.lockout.reset(identity);
    return this.jwt.issue(user.id, user.organizationId);
  }
}
