// The record types of the ComparePower topics (generated from the .avsc files into records.gen.ts).
import type { ElectricityPlan, PlanListing } from './records.gen.js';

/** Value of raw.comparepower.plans. */
export type RawPlanListing = PlanListing;
/** Value of clean.comparepower.plans. */
export type PlanValue = ElectricityPlan;
export type RateType = 'fixed' | 'variable' | 'indexed';
export const RATE_TYPES: readonly RateType[] = ['fixed', 'variable', 'indexed'];
