/** Deterministic workflow ids: one onboarding journey per member, ever. */
export const onboardingWorkflowId = (memberId: string): string => `onboarding:${memberId}`;
