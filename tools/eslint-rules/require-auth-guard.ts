/**
 * mazevault/require-auth-guard
 *
 * Secure-by-default for HTTP handlers: every route of a NestJS `@Controller` must declare, on the
 * method or on its class, (a) an authentication guard and (b) a permission decorator — unless it is
 * explicitly marked public. A forgotten decorator otherwise silently ships an unauthenticated or
 * unauthorised endpoint of a secrets/PKI API; the guard runs at request time, so only a static check
 * catches the omission before review does (or doesn't).
 *
 * Matching is by decorator name (not by import origin) to stay cheap and type-information free.
 */
import { ESLintUtils, TSESTree } from '@typescript-eslint/utils';

const ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'Head', 'Options', 'All']);

export type Options = [
  {
    authDecorators?: string[];
    permissionDecorators?: string[];
    publicDecorators?: string[];
  },
];
export type MessageIds = 'missingAuthGuard' | 'missingPermission';

/** The name a decorator/guard expression refers to: `X`, `X(...)`, `new X()`, `ns.X`. */
function referencedName(node: TSESTree.Node): string | undefined {
  switch (node.type) {
    case 'Identifier':
      return node.name;
    case 'CallExpression':
    case 'NewExpression':
      return referencedName(node.callee);
    case 'MemberExpression':
      return node.computed ? undefined : referencedName(node.property);
    default:
      return undefined;
  }
}

const decoratorNames = (decorators: TSESTree.Decorator[]): Set<string> =>
  new Set(decorators.map((d) => referencedName(d.expression)).filter((n): n is string => n !== undefined));

/**
 * `@UseGuards(JwtAuthGuard, PolicyGuard)` authenticates only if one argument is an *AuthGuard
 * (`JwtAuthGuard`, `new ApiTokenAuthGuard()`, passport's `AuthGuard('jwt')`): a policy/rate-limit
 * guard alone does not establish who the caller is.
 */
function hasAuthGuardCall(decorators: TSESTree.Decorator[]): boolean {
  return decorators.some(
    ({ expression: e }) =>
      e.type === 'CallExpression' &&
      referencedName(e.callee) === 'UseGuards' &&
      e.arguments.some((arg) => referencedName(arg)?.endsWith('AuthGuard') ?? false),
  );
}

const handlerName = (
  cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression,
  method: TSESTree.MethodDefinition,
) => `${cls.id?.name ?? '<anonymous>'}.${method.key.type === 'Identifier' ? method.key.name : '<computed>'}`;

export const RULE_NAME = 'require-auth-guard';

export const rule = ESLintUtils.RuleCreator.withoutDocs<Options, MessageIds>({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require an authentication guard and a permission decorator on every NestJS route handler (or @Public).',
    },
    schema: [
      {
        type: 'object',
        properties: {
          authDecorators: { type: 'array', items: { type: 'string' } },
          permissionDecorators: { type: 'array', items: { type: 'string' } },
          publicDecorators: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      missingAuthGuard:
        'Route handler {{handler}} has no authentication guard: add @UseGuards(<X>AuthGuard) or one of [{{authDecorators}}] to the method or its controller, or mark it [{{publicDecorators}}].',
      missingPermission:
        'Route handler {{handler}} has no permission decorator: add one of [{{permissionDecorators}}] to the method or its controller, or mark it [{{publicDecorators}}].',
    },
  },
  defaultOptions: [
    {
      authDecorators: ['Authenticated'],
      permissionDecorators: ['RequirePermission', 'ActsOnSelf'],
      publicDecorators: ['Public'],
    },
  ],
  create(context, [options]) {
    // defaultOptions are deep-merged by RuleCreator, so every list is present.
    const authDecorators = options.authDecorators ?? [];
    const permissionDecorators = options.permissionDecorators ?? [];
    const publicDecorators = options.publicDecorators ?? [];

    function checkController(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression): void {
      const classNames = decoratorNames(cls.decorators);
      if (!classNames.has('Controller')) return;

      for (const member of cls.body.body) {
        if (member.type !== 'MethodDefinition') continue;
        const methodNames = decoratorNames(member.decorators);
        if (![...methodNames].some((n) => ROUTE_DECORATORS.has(n))) continue;

        // A decorator counts whether it sits on the handler or on the whole controller.
        const declared = (names: string[]) => names.some((n) => methodNames.has(n) || classNames.has(n));
        if (declared(publicDecorators)) continue;

        const data = {
          handler: handlerName(cls, member),
          authDecorators: authDecorators.join(', '),
          permissionDecorators: permissionDecorators.join(', '),
          publicDecorators: publicDecorators.join(', '),
        };
        const authenticated =
          declared(authDecorators) || hasAuthGuardCall(member.decorators) || hasAuthGuardCall(cls.decorators);
        if (!authenticated) context.report({ node: member.key, messageId: 'missingAuthGuard', data });
        if (!declared(permissionDecorators))
          context.report({ node: member.key, messageId: 'missingPermission', data });
      }
    }

    return { ClassDeclaration: checkController, ClassExpression: checkController };
  },
});
