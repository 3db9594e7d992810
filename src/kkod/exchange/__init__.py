"""What the parties exchange: formats the employer writes and the ministry reads, and back.

The declaration's machine-readable payload, the request subject convention and the reason
report's layout belong to no one party; both sides import them from here.
"""
