"""`python -m serving`: the generator service, built from Settings here and only here."""

from __future__ import annotations

import asyncio

from contracts.logs import configure_logging
from contracts.settings import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    from serving.service.runtime import GeneratorService

    service = GeneratorService.build(settings)
    asyncio.run(service.run())


if __name__ == "__main__":
    main()
