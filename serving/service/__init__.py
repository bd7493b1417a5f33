"""The generator service: `copy-requests` and HTTP asks in, checked `generated-copy` out.

`runtime.GeneratorService` wires the pieces: a Kafka consumer (`consumer`), one dynamic batcher
shared with the HTTP API (`batcher`, `pipeline`), the model thread (`copy_writer`) and the
producer (`publisher`). Offsets are committed only after the copy is acknowledged
(`offsets`), so delivery is at-least-once and a redo writes the same copy id with the same seed.
`release_watcher` follows the model registry and swaps a new release in between batches.
"""
