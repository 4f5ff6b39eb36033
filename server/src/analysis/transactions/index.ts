/**
 * Transaction semantics of migration files: which runner runs a file and how (runners.ts), which transaction
 * each statement runs in (plan.ts), and the session settings in effect at each statement (session-settings.ts),
 * all resting on PostgreSQL behaviours proven on a real server (postgres-behaviour.ts).
 */
export * from './runners';
export * from './plan';
export * from './session-settings';
export { transactionBehaviours } from './postgres-behaviour';
