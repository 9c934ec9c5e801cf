// @mazevault/dev-platform — what `npm start` runs the platform on (an embedded PostgreSQL, a
// throw-away redis-server), for the dev platform itself and for tests; never for production code.
export * from './embedded-postgres';
export * from './local-redis';
