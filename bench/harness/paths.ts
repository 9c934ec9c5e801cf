import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** SWC register hook: lets child processes run .ts files with the tsconfig path aliases, like `npm start`. */
export const REGISTER = path.join(REPO_ROOT, 'tools', 'register.cjs');
