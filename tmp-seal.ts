import 'reflect-metadata';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { createTestDatabase } from '@mazevault/testing';
import { AuditSealerService } from './apps/api-primary/src/audit/audit-sealer.service';
async function main() {
  const db = await createTestDatabase('sealbench');
  const ds = await createPrimaryDataSource({ url: db.url }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  const N = Number(process.env.N ?? 20000);
  await ds.query(`INSERT INTO audit_events (occurred_at, organization_id, actor_type, actor_id, action, resource_type, resource_ref, outcome, request_id, details)
    SELECT now(), gen_random_uuid(), 'api_token', gen_random_uuid()::text, 'secret.read', 'secret', 'hmac:' || md5(i::text) || md5(i::text), 'success', gen_random_uuid()::text,
      jsonb_build_object('method','GET','route','/api/v1/projects/:project/environments/:environment/secrets/*','status',200)
    FROM generate_series(1, $1) i`, [N]);
  const sealer = new AuditSealerService(ds, { AUDIT_SEAL_INTERVAL_MS: 0 } as never);
  const cpu0 = process.cpuUsage(); const t0 = Date.now();
  const sealed = await sealer.sealPending();
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ sealed, ms: Date.now() - t0, node_cpu_us_per_row: (cpu.user + cpu.system) / sealed }));
  await ds.destroy(); await db.drop();
}
main();
