import { CreateCoreSchema1764100000000 } from './1764100000000-CreateCoreSchema';
import { CreateSecrets1764200000000 } from './1764200000000-CreateSecrets';
import { CreatePki1764300000000 } from './1764300000000-CreatePki';
import { CreateConsoleInstances1764400000000 } from './1764400000000-CreateConsoleInstances';
import { AuditChainHead1764500000000 } from './1764500000000-AuditChainHead';
import { AuditChainKeyed1764600000000 } from './1764600000000-AuditChainKeyed';
import { CaCertificateInventory1764650000000 } from './1764650000000-CaCertificateInventory';
import { CompromisedKeysAndReservedEkus1764700000000 } from './1764700000000-CompromisedKeysAndReservedEkus';
import { PlatformAdminsAndOrgScopedEmails1765000000000 } from './1765000000000-PlatformAdminsAndOrgScopedEmails';
import { UserSessionsNotBefore1765100000000 } from './1765100000000-UserSessionsNotBefore';
import { CreateGateways1765200000000 } from './1765200000000-CreateGateways';
import { GatewayTasksAndFailover1765300000000 } from './1765300000000-GatewayTasksAndFailover';
import { GatewayE2eeKeys1765300000400 } from './1765300000400-GatewayE2eeKeys';

/** In order. Listed explicitly (not globbed) so every runtime (SWC, Jest, a bundle) finds them. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
export const PRIMARY_MIGRATIONS: Function[] = [
  CreateCoreSchema1764100000000,
  CreateSecrets1764200000000,
  CreatePki1764300000000,
  CreateConsoleInstances1764400000000,
  AuditChainHead1764500000000,
  AuditChainKeyed1764600000000,
  CaCertificateInventory1764650000000,
  CompromisedKeysAndReservedEkus1764700000000,
  PlatformAdminsAndOrgScopedEmails1765000000000,
  UserSessionsNotBefore1765100000000,
  CreateGateways1765200000000,
  GatewayTasksAndFailover1765300000000,
  GatewayE2eeKeys1765300000400,
];
export { backfillCaCertificates, ISSUER_NOT_ACTIVE_SQLSTATE } from './1764650000000-CaCertificateInventory';
