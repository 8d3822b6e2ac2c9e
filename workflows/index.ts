// The workflow bundle's entry point: every workflow the worker runs, exported by name.
export { onboarding } from './onboarding.js';
