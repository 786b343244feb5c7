"""The bot's application commands, one module per feature (questions, timeline, feeds, briefs, watches, tariffs); a
feature with several actions is one command group with the actions as subcommands (`/feeds add|list|remove`,
`/brief set|list|remove`, `/watch add|list|remove`, `/tariffs board|watch|watches|unwatch`).

Every group module has a docstring saying what it does and a `register(tree)` that adds its commands to a command
tree; the client (bot.discord_bot.TradewireBot) calls it for every module in bot.discord_bot.GROUPS, in that order.
A new feature is one more module here and one more entry in GROUPS. What several groups share (UserError, the
private acknowledgement, the apology, the Manage Server guard, and the Client protocol through which a command uses
the client) is in bot.commands.common. No command module imports the client.
"""
