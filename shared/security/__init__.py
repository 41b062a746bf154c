"""Who calls: API tokens for machines (``tokens``), people's accounts and browser sessions (``accounts``,
``sessions``, the SQL ``identity_store``, the HTTP side in ``web``), the principal either stands for, and the FastAPI
dependencies that enforce roles and platform scope (``http``)."""

from shared.security.principals import ALL_PLATFORMS, Principal, Role
from shared.security.tokens import TokenEntry, TokenRegistry, Unauthorized

__all__ = ["ALL_PLATFORMS", "Principal", "Role", "TokenEntry", "TokenRegistry", "Unauthorized"]
