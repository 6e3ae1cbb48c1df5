export { STALE_RESERVATION_MS } from './constants.ts';
export { release, reserve, settle } from './reservations.ts';
export { budgetSnapshot } from './snapshot.ts';
export type { BudgetLimits, BudgetWindowName, ReserveInput, ReserveResult, SettleInput } from './types.ts';
