import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { IssuanceWorkerPool } from '@mazevault/pki';
import { join } from 'node:path';
import { PKI_CONFIG, type PkiConfig } from './pki.config';

/** The SWC hook the Primary runs its TypeScript with (Dockerfile, npm scripts); its workers load through it too. */
const TYPESCRIPT_HOOK = join(__dirname, '..', '..', '..', '..', 'tools', 'register.cjs');

/** The Primary's issuance threads (PKI_ISSUANCE_WORKERS), ended with the module. */
@Injectable()
export class IssuanceWorkers extends IssuanceWorkerPool implements OnModuleDestroy {
  constructor(@Inject(PKI_CONFIG) config: PkiConfig) {
    super({ size: config.PKI_ISSUANCE_WORKERS, execArgv: ['--require', TYPESCRIPT_HOOK] });
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
