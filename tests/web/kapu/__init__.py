"""The Hivatali kapu pages of the central system, in a real browser and over HTTP."""
