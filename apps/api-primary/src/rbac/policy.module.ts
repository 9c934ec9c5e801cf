import { Global, Module } from '@nestjs/common';
import { defaultPolicyDecisionPoint, PolicyDecisionPoint } from '@mazevault/rbac';

/** The policy decision point, one for the app: every guard and service that asks "may this subject...?" asks it. */
@Global()
@Module({
  providers: [{ provide: PolicyDecisionPoint, useValue: defaultPolicyDecisionPoint }],
  exports: [PolicyDecisionPoint],
})
export class PolicyModule {}
