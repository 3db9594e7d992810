"""The ministry: request intake (email, upload), checks, request store, worker, replies."""
