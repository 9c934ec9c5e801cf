import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { GatewayEnrollmentService } from './gateway-enrollment.service';
import { GatewayListener } from './gateway-listener';
import { GatewaysController } from './gateways.controller';
import { PlatformCaService } from './platform-ca.service';

/** Gateways (part 1): the platform CA, enrollment, heartbeats, and the mTLS gateway listener. */
@Module({
  imports: [KeysModule],
  controllers: [GatewaysController],
  providers: [PlatformCaService, GatewayEnrollmentService, GatewayListener],
})
export class GatewaysModule {}
