import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { SecretsModule } from '../secrets/secrets.module';
import { GatewayEnrollmentService } from './gateway-enrollment.service';
import { GatewayFailoverController } from './gateway-failover.controller';
import { GatewayFailoverService } from './gateway-failover.service';
import { GatewayHealthService } from './gateway-health.service';
import { GatewayListener } from './gateway-listener';
import { GatewayMetricsService } from './gateway-metrics.service';
import { GatewayTaskLeaseService } from './gateway-task-lease.service';
import { GatewayTaskResultsService } from './gateway-task-results.service';
import { GatewayTaskRoutes } from './gateway-task.routes';
import { GatewayTaskScopeService } from './gateway-task-scope.service';
import { GatewayTasksController } from './gateway-tasks.controller';
import { GatewayTasksService } from './gateway-tasks.service';
import { GatewaysController } from './gateways.controller';
import { PlatformCaService } from './platform-ca.service';
import { PlatformE2eeService } from './platform-e2ee.service';

/**
 * Gateways (part 1): the platform CA and E2EE keys, enrollment, heartbeats and the mTLS gateway listener; tasks
 * (queue, lease, results), DR failover with fencing epochs, health scores and metrics.
 */
@Module({
  imports: [KeysModule, SecretsModule],
  controllers: [GatewaysController, GatewayTasksController, GatewayFailoverController],
  providers: [
    PlatformCaService,
    PlatformE2eeService,
    GatewayEnrollmentService,
    GatewayListener,
    GatewayFailoverService,
    GatewayHealthService,
    GatewayMetricsService,
    GatewayTaskScopeService,
    GatewayTasksService,
    GatewayTaskLeaseService,
    GatewayTaskResultsService,
    GatewayTaskRoutes,
  ],
})
export class GatewaysModule {}
