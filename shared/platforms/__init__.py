"""Platform policies: the per-platform rules read from ``deploy/platforms/*.yaml``.

- :mod:`shared.platforms.model`: :class:`PlatformPolicy` and its parts (validated at load);
- :mod:`shared.platforms.loader`: :func:`load_policies`, :class:`PolicyError`;
- :mod:`shared.platforms.calendar`: opening hours, callback deadlines, distances.
"""
