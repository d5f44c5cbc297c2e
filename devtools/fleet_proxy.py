"""An uplink that can be cut: TCP forwarding from local ports to their targets, one process
for all of them, told on stdin what to do (``cut NAME``, ``restore NAME``; each answered
with ``ok``). A cut closes the route's connections and its listening socket - the bridge
sees its uplink gone and the central broker its bridge - until it is restored. A stall
(``stall NAME``) is a silent cut, a relay that drops every packet: connections stay open
and new ones are accepted, but no byte is forwarded, so each end learns only from its
keepalive; ``restore`` then resets what the stall left.

``python -m devtools.fleet_proxy NAME=LISTEN_PORT:TARGET_PORT ...`` (all on 127.0.0.1)
prints ``ready`` once every route listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass, field

_HOST = "127.0.0.1"


@dataclass
class _Route:
    listen: int
    target: int
    server: asyncio.Server | None = None
    writers: set[asyncio.StreamWriter] = field(default_factory=set)
    stalled: bool = False


async def _pump(route: _Route, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while chunk := await reader.read(65536):
            if route.stalled:
                continue  # dropped, as by a dead relay
            writer.write(chunk)
            await writer.drain()
    writer.close()


class _Proxy:
    def __init__(self, routes: dict[str, _Route]) -> None:
        self.routes = routes

    async def open(self, name: str) -> None:
        route = self.routes[name]

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                up_reader, up_writer = await asyncio.open_connection(_HOST, route.target)
            except OSError:
                writer.close()
                return
            route.writers |= {writer, up_writer}
            try:
                await asyncio.gather(_pump(route, reader, up_writer), _pump(route, up_reader, writer))
            finally:
                route.writers -= {writer, up_writer}

        route.server = await asyncio.start_server(accept, _HOST, route.listen, reuse_address=True)

    async def cut(self, name: str) -> None:
        route = self.routes[name]
        if route.server is not None:
            route.server.close()
            route.server = None
        for writer in list(route.writers):
            writer.transport.abort()  # a reset: the far ends learn at once
        route.writers.clear()

    async def run(self) -> None:
        for name in self.routes:
            await self.open(name)
        print("ready", flush=True)
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().split():
            verb, name = line[0], line[1] if len(line) > 1 else ""
            if name in self.routes and verb == "cut":
                await self.cut(name)
            elif name in self.routes and verb == "stall":
                self.routes[name].stalled = True
            elif name in self.routes and verb == "restore" and self.routes[name].stalled:
                await self.cut(name)  # what the stall left is reset
                self.routes[name].stalled = False
                await self.open(name)
            elif name in self.routes and verb == "restore" and self.routes[name].server is None:
                await self.open(name)
            print("ok", flush=True)


def main() -> None:
    routes = {}
    for arg in sys.argv[1:]:
        name, _, ports = arg.partition("=")
        listen, _, target = ports.partition(":")
        routes[name] = _Route(int(listen), int(target))
    asyncio.run(_Proxy(routes).run())


if __name__ == "__main__":
    main()
