"""Transports: adapters between the outside world and InboundMessage / Reply."""
