import { createHttpApp, createServiceLogger } from '@mazevault/platform';
import { AppModule } from '../src/app.module';

describe('gateway', () => {
  it('serves health and metrics', async () => {
    const logger = createServiceLogger({ level: 'silent', service: 'gateway' });
    const app = await createHttpApp(AppModule.forLogger(logger), { title: 'gateway', logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.getHttpServer().address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('process_cpu_user_seconds_total');
    } finally {
      await app.close();
    }
  });
});
