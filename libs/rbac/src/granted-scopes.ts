import type { Resource, Subject } from './authorization.types';
import type { PolicyDecisionPoint } from './policy-decision-point';
import type { Scope } from './scope';

/**
 * The scopes (among the subject's binding scopes and its token scope) on which the policy decision
 * point grants `action`, in binding order, org-level first when present. Lets a list route admit a
 * caller bound below the organization and then filter rows through the same PDP, instead of
 * demanding the permission organization-wide.
 */
export function grantedScopes(
  pdp: PolicyDecisionPoint,
  subject: Subject,
  action: string,
  type = 'organization',
): Scope[] {
  const candidates: Scope[] = [
    { organizationId: subject.organizationId },
    ...subject.bindings.map((b) => b.scope),
  ];
  if (subject.tokenScope) candidates.push(subject.tokenScope);
  const seen = new Set<string>();
  const granted: Scope[] = [];
  for (const scope of candidates) {
    const key = JSON.stringify([scope.organizationId, scope.projectId ?? null, scope.environmentId ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (pdp.evaluate(subject, action, { type, scope }).decision) granted.push(scope);
  }
  return granted;
}

/**
 * The resource a list route authorizes: the organization when the caller holds `action` there,
 * else the first narrower scope where it does (rows are then filtered per scope), else the
 * organization, so the denial names the organization-level check.
 */
export function narrowestListResource(
  pdp: PolicyDecisionPoint,
  subject: Subject,
  action: string,
  type: string,
): Resource {
  const [first] = grantedScopes(pdp, subject, action, type);
  return { type, scope: first ?? { organizationId: subject.organizationId } };
}
