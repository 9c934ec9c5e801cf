export const MASTER_KEY_RING = Symbol('MASTER_KEY_RING');
