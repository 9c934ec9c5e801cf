import { ApiTokenEntity } from './api-token.entity';
import { ConsoleInstanceEntity } from './console-instance.entity';
import { AuditEventEntity } from './audit-event.entity';
import { GroupRoleMappingEntity } from './group-role-mapping.entity';
import { OrganizationEntity } from './organization.entity';
import { RoleBindingEntity } from './role-binding.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';
import { EnvironmentEntity } from './environment.entity';
import { ProjectEntity } from './project.entity';
import { ProjectKeyEntity } from './project-key.entity';
import { SecretEntity } from './secret.entity';
import { SecretVersionEntity } from './secret-version.entity';
import { WrappedResponseEntity } from './wrapped-response.entity';
import { CertificateAuthorityEntity } from './certificate-authority.entity';
import { CertificateProfileEntity } from './certificate-profile.entity';
import { CertificateEntity } from './certificate.entity';
import { CrlEntity } from './crl.entity';
import { CompromisedKeyEntity } from './compromised-key.entity';
import { GatewayEntity } from './gateway.entity';
import { GatewayBootstrapTokenEntity } from './gateway-bootstrap-token.entity';
import { PlatformCaEntity } from './platform-ca.entity';
import { PlatformE2eeKeysEntity } from './platform-e2ee-keys.entity';
import { GatewayTaskEntity } from './gateway-task.entity';
import { GatewayFailoverEntity } from './gateway-failover.entity';

export {
  GatewayEntity,
  GatewayTaskEntity,
  GatewayFailoverEntity,
  GatewayBootstrapTokenEntity,
  PlatformCaEntity,
  PlatformE2eeKeysEntity,
  CertificateAuthorityEntity,
  CompromisedKeyEntity,
  CertificateProfileEntity,
  CertificateEntity,
  ConsoleInstanceEntity,
  CrlEntity,
  EnvironmentEntity,
  ProjectEntity,
  ProjectKeyEntity,
  SecretEntity,
  SecretVersionEntity,
  WrappedResponseEntity,
  ApiTokenEntity,
  AuditEventEntity,
  GroupRoleMappingEntity,
  OrganizationEntity,
  RoleBindingEntity,
  RoleEntity,
  UserEntity,
};
export type { AuditOutcome } from './audit-event.entity';
export type { CertificateAuthorityKind, CertificateAuthorityStatus } from './certificate-authority.entity';
export type { CertificateStatus } from './certificate.entity';
export type { GatewayStatus } from './gateway.entity';
export type { GatewayTaskStatus } from './gateway-task.entity';

export const PRIMARY_ENTITIES = [
  OrganizationEntity,
  UserEntity,
  RoleEntity,
  RoleBindingEntity,
  GroupRoleMappingEntity,
  ApiTokenEntity,
  AuditEventEntity,
  ProjectEntity,
  EnvironmentEntity,
  ProjectKeyEntity,
  SecretEntity,
  SecretVersionEntity,
  WrappedResponseEntity,
  CertificateAuthorityEntity,
  CertificateProfileEntity,
  CertificateEntity,
  CrlEntity,
  CompromisedKeyEntity,
  ConsoleInstanceEntity,
  PlatformCaEntity,
  PlatformE2eeKeysEntity,
  GatewayEntity,
  GatewayBootstrapTokenEntity,
  GatewayTaskEntity,
  GatewayFailoverEntity,
];
