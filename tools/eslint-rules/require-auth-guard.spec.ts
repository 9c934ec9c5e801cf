import { RuleTester } from '@typescript-eslint/rule-tester';
import { type MessageIds, type Options, rule, RULE_NAME } from './require-auth-guard';

// RuleTester drives its cases through the host test framework's hooks.
RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester();

/** A controller around `body`, with optional class-level decorators. */
const controller = (body: string, classDecorators = '') =>
  `${classDecorators}\n@Controller('secrets')\nclass SecretsController {\n${body}\n}`;

/** An expected report carrying the full message data, so the handler name in the message is asserted. */
const reportFor = (messageId: MessageIds, handler: string) => ({
  messageId,
  data: {
    handler,
    authDecorators: 'Authenticated',
    permissionDecorators: 'RequirePermission, ActsOnSelf',
    publicDecorators: 'Public',
  },
});

// package.json pins @typescript-eslint/rule-tester 8.72.0, which nests its own utils 8.72.0: its RuleModule
// type is nominally distinct from the workspace's utils 8.73.0 one (private class members), though
// identical at runtime. Drop this cast once both packages are on the same version.
const testedRule = rule as unknown as Parameters<typeof ruleTester.run<MessageIds, Options>>[1];

ruleTester.run(RULE_NAME, testedRule, {
  valid: [
    {
      name: 'a handler acting on the caller only declares @ActsOnSelf instead of a permission',
      code: controller(`@Get('whoami') @ActsOnSelf() whoami() {}`, '@Authenticated()'),
    },
    {
      name: 'class-level auth guard + method permission',
      code: controller(`@Get(':id') @RequirePermission('secret:read') read() {}`, '@UseGuards(JwtAuthGuard)'),
    },
    {
      name: 'method-level guard (with a policy guard alongside) + class-level permission',
      code: controller(
        `@Post() @UseGuards(ApiTokenAuthGuard, PolicyGuard) create() {}`,
        `@RequirePermission('secret:write')`,
      ),
    },
    {
      name: 'guard as instance or passport AuthGuard() call',
      code: controller(
        `@Get('a') @UseGuards(new JwtAuthGuard()) @RequirePermission('x') a() {}
         @Get('b') @UseGuards(AuthGuard('jwt')) @RequirePermission('x') b() {}`,
      ),
    },
    {
      name: 'auth decorator instead of UseGuards',
      code: controller(`@Get() @Authenticated() @RequirePermission('x') list() {}`),
    },
    { name: '@Public method', code: controller(`@Get('health') @Public() health() {}`) },
    { name: '@Public controller', code: controller(`@Get() jwks() {}`, '@Public()') },
    { name: 'non-route methods are not handlers', code: controller(`private helper() {} constructor() {}`) },
    { name: 'non-controller class', code: `@Injectable() class SecretsService { @Get() read() {} }` },
    {
      name: 'custom option names',
      code: controller(`@Delete(':id') @Session() @Can('secret:delete') remove() {}`),
      options: [{ authDecorators: ['Session'], permissionDecorators: ['Can'] }],
    },
  ],
  invalid: [
    {
      name: 'missing permission',
      code: controller(`@Get(':id') read() {}`, '@UseGuards(JwtAuthGuard)'),
      errors: [reportFor('missingPermission', 'SecretsController.read')],
    },
    {
      name: 'missing auth guard',
      code: controller(`@Put(':id') @RequirePermission('secret:write') update() {}`),
      errors: [reportFor('missingAuthGuard', 'SecretsController.update')],
    },
    {
      name: 'a non-authentication guard alone does not authenticate',
      code: controller(`@Patch(':id') @UseGuards(PolicyGuard) @RequirePermission('secret:write') patch() {}`),
      errors: [{ messageId: 'missingAuthGuard' }],
    },
    {
      name: 'both missing: two reports, on the handler name',
      code: controller(`@Get() list() {}\n@Get('ok') @Public() ok() {}`),
      errors: [
        { messageId: 'missingAuthGuard', line: 4, column: 8 },
        { messageId: 'missingPermission', line: 4, column: 8 },
      ],
    },
    {
      name: '@Public from another option set does not count',
      code: controller(`@All() any() {}`, '@Public() @UseGuards(JwtAuthGuard)'),
      options: [{ publicDecorators: ['Anonymous'] }],
      errors: [{ messageId: 'missingPermission' }],
    },
  ],
});
