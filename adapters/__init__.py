"""Platform adapters: turn platform events into `bot.messages.Message` and render `Reply`."""
