export { holdAmount, release, releaseOf, reserve, settle } from './reservations.ts';
export { budgetSnapshot } from './snapshot.ts';
export type {
  BudgetLimits,
  BudgetWindowName,
  Hold,
  ReserveInput,
  ReserveResult,
  SettleInput,
} from './types.ts';
