import { ApiTokenEntity } from './api-token.entity';
import { AuditEventEntity } from './audit-event.entity';
import { GroupRoleMappingEntity } from './group-role-mapping.entity';
import { OrganizationEntity } from './organization.entity';
import { RoleBindingEntity } from './role-binding.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';

export { ApiTokenEntity, AuditEventEntity, GroupRoleMappingEntity, OrganizationEntity, RoleBindingEntity, RoleEntity, UserEntity };
export type { AuditOutcome } from './audit-event.entity';

export const PRIMARY_ENTITIES = [
  OrganizationEntity,
  UserEntity,
  RoleEntity,
  RoleBindingEntity,
  GroupRoleMappingEntity,
  ApiTokenEntity,
  AuditEventEntity,
];
