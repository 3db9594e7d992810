"""The central system stand-in: registry of people, accounts, offices and connections; matching; codes."""
