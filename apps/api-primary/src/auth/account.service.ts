import { Inject, Injectable } from '@nestjs/common';
import { hashPassword, verifyPassword } from '@mazevault/crypto';
import { UserEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import type { Subject } from '@mazevault/rbac';
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { toUserView, type UserView } from '../users/users.service';
import { canonicalIdentity } from './identity.util';
import { LoginLockoutService } from './login-lockout.service';
import { PrincipalService } from './principal.service';

/** What `GET /auth/whoami` shows: who the credential is and what it may do; never a secret. */
export interface WhoAmI {
  type: Subject['type'];
  id: string;
  organizationId: string;
  email?: string;
  displayName?: string | null;
  platformAdmin: boolean;
  bindings: Subject['bindings'];
  expiresAt?: string;
  tokenPermissions?: string[];
  tokenScope?: Subject['tokenScope'];
}

/**
 * A user's own account (who am I, log out, change password) and an admin's hand on others (reset a
 * password, re-enable, unlock). Everything that should end existing sessions moves the user's
 * `sessionsNotBefore`, which the principal check compares with each session's issue time.
 */
@Injectable()
export class AccountService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly principals: PrincipalService,
    private readonly lockout: LoginLockoutService,
  ) {}

  async whoami(subject: Subject): Promise<WhoAmI> {
    const view: WhoAmI = {
      type: subject.type,
      id: subject.id,
      organizationId: subject.organizationId,
      platformAdmin: subject.platformAdmin === true,
      bindings: subject.bindings,
      ...(subject.expiresAt ? { expiresAt: subject.expiresAt.toISOString() } : {}),
      ...(subject.tokenPermissions ? { tokenPermissions: subject.tokenPermissions } : {}),
      ...(subject.tokenScope ? { tokenScope: subject.tokenScope } : {}),
    };
    if (subject.type === 'user') {
      const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: subject.id });
      if (user) Object.assign(view, { email: user.email, displayName: user.displayName });
    }
    return view;
  }

  /** Ends every session of the calling user (sessions are tokens, not server state: one cut-off instant). */
  async logout(subject: Subject): Promise<void> {
    const userId = this.sessionUser(subject, 'log out; revoke an API token with DELETE /api/v1/tokens/:id');
    await this.endSessions(this.dataSource.manager, userId);
  }

  async changePassword(subject: Subject, currentPassword: string, newPassword: string): Promise<void> {
    const userId = this.sessionUser(subject, 'change a password');
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user?.passwordHash || !(await verifyPassword(currentPassword, user.passwordHash))) {
      throw new ProblemException(403, 'invalid_current_password', 'The current password is not correct');
    }
    if (currentPassword === newPassword)
      throw new ProblemException(
        400,
        'password_unchanged',
        'The new password must differ from the current one',
      );
    const passwordHash = await hashPassword(newPassword);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(UserEntity, { id: userId }, { passwordHash });
      await this.endSessions(manager, userId);
    });
  }

  /** A new generated password, returned once; the user's sessions end and its lockout is cleared. */
  async resetPassword(actor: Subject, userId: string): Promise<UserView & { password: string }> {
    const user = await this.userOf(actor, userId);
    const password = randomBytes(18).toString('base64url');
    const passwordHash = await hashPassword(password);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(UserEntity, { id: user.id }, { passwordHash });
      await this.endSessions(manager, user.id);
    });
    await this.lockout.reset(canonicalIdentity(user.email));
    return { ...toUserView(user), password };
  }

  async enable(actor: Subject, userId: string): Promise<UserView> {
    const user = await this.userOf(actor, userId);
    if (user.disabledAt) {
      user.disabledAt = null;
      await this.dataSource.getRepository(UserEntity).update({ id: user.id }, { disabledAt: null });
    }
    return toUserView(user);
  }

  /** Lifts a login lockout (too many failed attempts) before it expires by itself. */
  async unlock(actor: Subject, userId: string): Promise<void> {
    const user = await this.userOf(actor, userId);
    await this.lockout.reset(canonicalIdentity(user.email));
  }

  private sessionUser(subject: Subject, what: string): string {
    if (subject.type !== 'user')
      throw new ProblemException(400, 'user_session_required', `Only a user session can ${what}`);
    return subject.id;
  }

  private async userOf(actor: Subject, userId: string): Promise<UserEntity> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOneBy({ id: userId, organizationId: actor.organizationId });
    if (!user) throw new ProblemException(404, 'user_not_found', 'No such user in this organization');
    return user;
  }

  private async endSessions(manager: EntityManager, userId: string): Promise<void> {
    await manager.update(UserEntity, { id: userId }, { sessionsNotBefore: new Date() });
    await this.principals.invalidateAll();
  }
}
