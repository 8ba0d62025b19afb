/** Every dialog id in one place. */
export const DialogIds = {
  main: 'main',
  mainLoop: 'main.loop',
  steps: 'steps',
  stepsLoop: 'steps.loop',
  factQuestion: 'question.fact',
  stepOutcome: 'question.step-outcome',
} as const;
