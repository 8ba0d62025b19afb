/**
 * Everything the bot says, in one place, so it can be reviewed and later translated.
 * Short, plain and friendly; never blame the person.
 */
export const texts = {
  greeting:
    "Hi, I'm the Technical Support bot. I can help when your camera, microphone or screen sharing won't work. What's going wrong?",
  turnError: "Sorry, something went wrong on our side. Please send your last message again.",
} as const;
