export * from './constant-time';
export * from './hmac';
export * from './password';
export * from './token';
export * from './hash-chain';
