"""API tokens, principals and the FastAPI dependencies that enforce them."""

from shared.security.principals import ALL_PLATFORMS, Principal, Role
from shared.security.tokens import TokenEntry, TokenRegistry, Unauthorized

__all__ = ["ALL_PLATFORMS", "Principal", "Role", "TokenEntry", "TokenRegistry", "Unauthorized"]
