import { readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generator is plain CommonJS (no build step)
const serviceGenerator = require('./index.cjs') as (
  tree: unknown,
  options: { name: string; scope?: string; port?: number },
) => Promise<unknown>;

describe('service generator', () => {
  it('creates an app with both tag axes, config, health/metrics wiring and a test', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await serviceGenerator(tree, { name: 'worker', port: 8092 });
    const project = readProjectConfiguration(tree, 'worker');
    expect(project.tags).toEqual(['type:app', 'scope:worker']);
    expect(Object.keys(project.targets ?? {}).sort()).toEqual(['lint', 'serve', 'test', 'typecheck']);
    expect(tree.read('apps/worker/src/config/worker.config.ts', 'utf8')).toContain('PORT: env.port(8092)');
    expect(tree.read('apps/worker/src/main.ts', 'utf8')).toContain('loadWorkerConfig');
    expect(tree.exists('apps/worker/test/worker.e2e-spec.ts')).toBe(true);
    expect(tree.exists('apps/worker/jest.config.cjs')).toBe(true);
  });

  it('refuses to overwrite an existing app', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await serviceGenerator(tree, { name: 'worker' });
    await expect(serviceGenerator(tree, { name: 'worker' })).rejects.toThrow(/already exists/);
  });
});
