import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The gateway's Helm chart (deploy/k8s/helm), as far as a machine without `helm` can check it: the
 * chart and values files parse, the seed's `--set` paths and Multi-Environment env exist in
 * values-gateway.yaml, every `.Values.x.y` a template reads exists in values.yaml, each template reads
 * what it must, and each manifest template's static YAML (its Go template actions replaced by
 * placeholders) parses into the expected object. Rendering with real Go templates and sprig, and
 * `helm lint`, are not done here (README "Helm chart").
 */
const CHART = join(__dirname, '..', '..', '..', 'deploy', 'k8s', 'helm');
type Tree = Record<string, unknown>;

const read = (file: string) => readFileSync(join(CHART, file), 'utf8');
const values = parse(read('values.yaml')) as Tree;
const gatewayValues = parse(read('values-gateway.yaml')) as Tree;
const templates = Object.fromEntries(
  readdirSync(join(CHART, 'templates')).map((name) => [name, read(join('templates', name))]),
);

/** Helm's `--set` key syntax: dots separate keys unless escaped (`azure\.workload\.identity/client-id`). */
function helmSetPath(key: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '\\' && key[i + 1] === '.') {
      current += '.';
      i++;
    } else if (key[i] === '.') {
      parts.push(current);
      current = '';
    } else current += key[i];
  }
  return [...parts, current];
}

function lookup(tree: unknown, path: string[]): { found: boolean; value?: unknown } {
  let node = tree;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in node)) return { found: false };
    node = (node as Tree)[key];
  }
  return { found: true, value: node };
}

/** Whether values.yaml declares `path`, or a free-form map (`{}` there) that may hold it. */
function declared(path: string[]): boolean {
  for (let depth = path.length; depth > 0; depth--) {
    const { found, value } = lookup(values, path.slice(0, depth));
    if (!found) continue;
    if (depth === path.length) return true;
    return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
  }
  return false;
}

function leafPaths(tree: unknown, prefix: string[] = []): string[][] {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return [prefix];
  return Object.entries(tree).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

/** `.Values.a.b` and `$params.x` (a variable bound to `.Values.…`) paths read by a template. */
function valuesPathsOf(template: string): string[][] {
  const paths = [...template.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) =>
    m[1].slice(1).split('.'),
  );
  for (const [, variable, base] of template.matchAll(
    /\{\{-?\s*(\$\w+)\s*:=\s*\.Values\.([\w.]+)\s*-?\}\}/g,
  )) {
    const uses = template.matchAll(new RegExp(`\\${variable}((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)`, 'g'));
    for (const use of uses) paths.push([...base.split('.'), ...use[1].slice(1).split('.')]);
  }
  return paths;
}

/**
 * A manifest template's static skeleton: control lines dropped (an `else` branch skipped), a line that
 * is only an `nindent N` include becomes a placeholder key at indent N, any other action the string
 * `x`. Proves the indentation of everything the template writes itself.
 */
function skeleton(template: string): Tree {
  const out: string[] = [];
  const stack: boolean[] = [];
  let placeholder = 0;
  for (const line of template.split('\n')) {
    const control = /^\s*\{\{-?\s*(if|with|range|else|end|define|\$\w+\s*:?=|\/\*)/.exec(line);
    if (control) {
      const word = control[1];
      if (word === 'if' || word === 'with' || word === 'range' || word === 'define') stack.push(false);
      else if (word === 'else') stack[stack.length - 1] = true;
      else if (word === 'end') stack.pop();
      continue;
    }
    if (stack.includes(true)) continue;
    const include = /^\s*\{\{-?.*\|\s*nindent\s+(\d+)\s*\}\}\s*$/.exec(line);
    if (include) {
      out.push(`${' '.repeat(Number(include[1]))}placeholder${placeholder++}: x`);
      continue;
    }
    out.push(line.replace(/\{\{.*?\}\}/g, 'x'));
  }
  return parse(out.join('\n')) as Tree;
}

describe('the gateway Helm chart (deploy/k8s/helm)', () => {
  it('is a v2 application chart named mazevault-gateway with a semantic version', () => {
    const chart = parse(read('Chart.yaml')) as Tree;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'mazevault-gateway', type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("has values-gateway.yaml holding exactly the paths of the seed's §6 step 5 --set flags", () => {
    // The four flags of `helm upgrade --install mazevault-gateway deploy/k8s/helm ...` in the seed.
    const seedFlags = [
      'serviceAccount.annotations."azure\\.workload\\.identity/client-id"',
      'secretProviderClass.parameters.clientID',
      'secretProviderClass.parameters.keyvaultName',
      'secretProviderClass.parameters.tenantId',
    ];
    for (const flag of seedFlags) {
      // The shell strips the double quotes around the escaped key before helm sees it.
      const path = helmSetPath(flag.replace(/"/g, ''));
      const { found, value } = lookup(gatewayValues, path);
      expect({ flag, found, type: typeof value }).toEqual({ flag, found: true, type: 'string' });
    }
    expect(helmSetPath('serviceAccount.annotations.azure\\.workload\\.identity/client-id')).toEqual([
      'serviceAccount',
      'annotations',
      'azure.workload.identity/client-id',
    ]);
    expect(
      Object.keys(lookup(gatewayValues, ['secretProviderClass', 'parameters']).value as Tree).sort(),
    ).toEqual(['clientID', 'keyvaultName', 'tenantId']);
  });

  it('labels the pod for Workload Identity with the string "true" and the seed\'s Multi-Environment env', () => {
    expect((gatewayValues.podLabels as Tree)['azure.workload.identity/use']).toBe('true');
    expect(gatewayValues.env).toEqual([
      { name: 'MAZEVAULT_GATEWAY_ENVIRONMENT', value: 'NPR' },
      { name: 'MAZEVAULT_GATEWAY_ROLE', value: 'primary' },
      { name: 'MAZEVAULT_VERSION', value: '1.5.0' },
      { name: 'AZURE_MANAGED_IDENTITY_CLIENT_ID', value: '<mi-client-id>' },
    ]);
    expect(gatewayValues.primaryBackendUrl).toMatch(/^https:\/\/.+:8443$/);
  });

  it('declares in values.yaml every key that values-gateway.yaml sets', () => {
    const undeclared = leafPaths(gatewayValues).filter((path) => !declared(path));
    expect(undeclared).toEqual([]);
  });

  it('declares in values.yaml every .Values path a template reads', () => {
    const undeclared = Object.entries(templates).flatMap(([name, text]) =>
      valuesPathsOf(text)
        .filter((path) => !declared(path))
        .map((path) => `${name}: .Values.${path.join('.')}`),
    );
    expect(undeclared).toEqual([]);
    // The check itself finds an undeclared path.
    expect(declared(['secretProviderClass', 'parameters', 'clientId'])).toBe(false);
    expect(valuesPathsOf('{{- $p := .Values.a.b }}{{ $p.c }}')).toEqual([
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]);
  });

  it('has each template read the values it must', () => {
    const reads = (name: string) => valuesPathsOf(templates[name]).map((path) => path.join('.'));
    expect(reads('secretproviderclass.yaml')).toEqual(
      expect.arrayContaining([
        'secretProviderClass.enabled',
        'secretProviderClass.parameters.clientID',
        'secretProviderClass.parameters.keyvaultName',
        'secretProviderClass.parameters.tenantId',
        'secretProviderClass.objects',
      ]),
    );
    expect(templates['serviceaccount.yaml']).toContain('.Values.serviceAccount.annotations');
    expect(templates['serviceaccount.yaml']).toContain('"azure.workload.identity/client-id"');
    expect(reads('deployment.yaml')).toEqual(
      expect.arrayContaining([
        'replicaCount',
        'podLabels',
        'podSecurityContext',
        'securityContext',
        'readinessProbe',
        'livenessProbe',
        'startupProbe',
        'serviceAccount.automountServiceAccountToken',
      ]),
    );
    expect(templates['deployment.yaml']).toContain('include "mazevault-gateway.env"');
    expect(reads('_helpers.tpl')).toEqual(
      expect.arrayContaining([
        'env',
        'primaryBackendUrl',
        'serviceAccount.annotations',
        'tls.existingSecret',
      ]),
    );
    expect(reads('service.yaml')).toEqual(expect.arrayContaining(['service.type', 'service.port']));
  });

  it('defaults to one non-root replica with a read-only root filesystem, HTTPS probes and a service on 8443', () => {
    expect(values.replicaCount).toBe(1);
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(values.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(values.readinessProbe).toMatchObject({
      httpGet: { path: '/api/v1/health', port: 'https', scheme: 'HTTPS' },
    });
    for (const probe of ['livenessProbe', 'startupProbe'])
      expect(values[probe]).toMatchObject({ httpGet: { path: '/api/v1/health/live', scheme: 'HTTPS' } });
    expect(values.service).toMatchObject({ port: 8443 });
    // What the Secret synced from Key Vault carries, by variable name.
    expect(Object.keys((values.secretProviderClass as Tree).objects as Tree).sort()).toEqual([
      'DATABASE_URL',
      'GATEWAY_BOOTSTRAP_TOKEN',
      'MASTER_KEY',
      'REDIS_URL',
    ]);
  });

  it('closes every template action and block (each `if`/`with`/`range`/`define` has its `end`)', () => {
    const balance = (text: string) => {
      let depth = 0;
      for (const action of text.match(/\{\{-?\s*(if|with|range|define|end)\b/g) ?? [])
        depth += action.endsWith('end') ? -1 : 1;
      return depth;
    };
    for (const [name, template] of Object.entries(templates)) {
      // Comments may span lines; every other action sits on one line in this chart.
      const text = template.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
      expect({
        name,
        unclosed: text.split('\n').filter((line) => line.split('{{').length !== line.split('}}').length),
      }).toEqual({ name, unclosed: [] });
      expect({ name, depth: balance(text) }).toEqual({ name, depth: 0 });
    }
    expect(balance('{{- if .a }}{{- range .b }}{{- end }}')).toBe(1);
  });

  it('writes manifests whose static YAML has the expected shape', () => {
    const deployment = skeleton(templates['deployment.yaml']);
    expect(deployment).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { strategy: { type: 'Recreate' } },
    });
    const pod = (deployment.spec as Tree).template as Tree;
    const podSpec = pod.spec as Tree;
    const [gateway] = podSpec.containers as Tree[];
    expect(gateway.name).toBe('gateway');
    expect(gateway.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    expect(gateway.envFrom).toEqual([{ secretRef: { name: 'x' } }]);
    expect(Object.keys(gateway)).toEqual(
      expect.arrayContaining(['readinessProbe', 'livenessProbe', 'startupProbe', 'securityContext']),
    );
    expect((podSpec.initContainers as Tree[])[0]).toMatchObject({
      name: 'migrate',
      args: ['libs/persistence/src/cli/migrate.cli.ts', 'run', 'gateway'],
    });
    expect(podSpec.volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'secrets-store',
          csi: expect.objectContaining({ driver: 'secrets-store.csi.k8s.io', readOnly: true }),
        }),
      ]),
    );

    const spc = skeleton(templates['secretproviderclass.yaml']);
    expect(spc).toMatchObject({
      apiVersion: 'secrets-store.csi.x-k8s.io/v1',
      kind: 'SecretProviderClass',
      spec: { provider: 'azure', parameters: { usePodIdentity: 'false' } },
    });
    const parameters = (spc.spec as Tree).parameters as Tree;
    expect(Object.keys(parameters)).toEqual(expect.arrayContaining(['clientID', 'keyvaultName', 'tenantId']));
    // The provider reads `objects` as YAML of its own.
    expect(parse(parameters.objects as string)).toEqual({
      array: ['objectName: x\nobjectType: secret\nobjectAlias: x\n'],
    });
    expect(((spc.spec as Tree).secretObjects as Tree[])[0]).toMatchObject({
      type: 'Opaque',
      data: [{ objectName: 'x', key: 'x' }],
    });

    expect(skeleton(templates['service.yaml'])).toMatchObject({
      kind: 'Service',
      spec: { ports: [{ name: 'https', port: 'x', targetPort: 'https' }] },
    });
    expect(skeleton(templates['serviceaccount.yaml'])).toMatchObject({
      kind: 'ServiceAccount',
      automountServiceAccountToken: 'x',
    });
  });
});
