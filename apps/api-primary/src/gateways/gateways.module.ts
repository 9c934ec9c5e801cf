import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { GatewayEnrollmentService } from './gateway-enrollment.service';
import { GatewayListener } from './gateway-listener';
import { GatewaysController } from './gateways.controller';
import { PlatformCaService } from './platform-ca.service';
import { PlatformE2eeService } from './platform-e2ee.service';

/** Gateways (part 1): the platform CA and E2EE keys, enrollment, heartbeats, and the mTLS gateway listener. */
@Module({
  imports: [KeysModule],
  controllers: [GatewaysController],
  providers: [PlatformCaService, PlatformE2eeService, GatewayEnrollmentService, GatewayListener],
})
export class GatewaysModule {}
