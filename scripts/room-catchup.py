#!/usr/bin/env python3
"""How long a room takes to catch up after the link between cities was cut.

Starts the hub's nats-server (JetStream domain hq, leaf-node port) and a room's (domain
room_a, leaf remote through a relay this script controls), with the configs of
packaging/nats/. Creates the hub's VIGIE stream and the room's mirror of it, as `vigie hub` and
the room's first `vigie display` do. Then publishes mention-sized messages (600 bytes) at
--rate a minute, cuts the relay for --cut seconds, restores it, and prints how long the room's
mirror takes to hold every message the hub holds. Prints "catch-up" lines; nothing is kept.

    pip install nats-py
    python3 scripts/room-catchup.py --cut 30 --rate 1000
"""
import argparse, asyncio, os, socket, subprocess, tempfile, time

import nats
from nats.js.api import ExternalStream, StreamConfig, StreamSource

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

class Relay:
    """A TCP relay on its own port to `target`; cut() closes its links and refuses new ones."""
    def __init__(self, target):
        self.target, self.open, self.links = target, True, []

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle(self, reader, writer):
        if not self.open:
            writer.close()
            return
        r2, w2 = await asyncio.open_connection("127.0.0.1", self.target)
        self.links += [writer, w2]
        async def pipe(r, w):
            try:
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            except Exception:
                pass
            w.close()
        asyncio.ensure_future(pipe(reader, w2))
        asyncio.ensure_future(pipe(r2, writer))

    def cut(self):
        self.open = False
        for w in self.links:
            w.close()
        self.links = []

def server(store, name, domain, leaf):
    port = free_port()
    conf = os.path.join(store, name + ".conf")
    with open(conf, "w") as f:
        f.write(f'listen: "127.0.0.1:{port}"\nserver_name: {name}\n'
                f'jetstream {{ store_dir: "{store}/{name}", domain: {domain} }}\n'
                f'leafnodes {{ {leaf} }}\n')
    proc = subprocess.Popen(["nats-server", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc, port

async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cut", type=float, default=30)
    ap.add_argument("--rate", type=float, default=1000, help="messages a minute")
    args = ap.parse_args()
    store = tempfile.mkdtemp()
    leaf = free_port()
    # The hub advertises a dead address: a room that learnt the hub's own leaf-node address
    # would reconnect to it directly, around the relay, and the cut would cut nothing.
    hub_proc, hub_port = server(
        store, "hub", "hq", f'listen: "127.0.0.1:{leaf}", advertise: "127.0.0.1:{free_port()}"')
    relay = Relay(leaf)
    await relay.start()
    room_proc, room_port = server(
        store, "room_a", "room_a", f'remotes: [ {{ url: "nats-leaf://127.0.0.1:{relay.port}" }} ]')
    try:
        hub = await nats.connect(f"nats://127.0.0.1:{hub_port}")
        room = await nats.connect(f"nats://127.0.0.1:{room_port}")
        hjs, rjs = hub.jetstream(), room.jetstream()
        await hjs.add_stream(StreamConfig(name="VIGIE", subjects=["vigie.>"]))
        await asyncio.sleep(2)
        await rjs.add_stream(StreamConfig(name="VIGIE", mirror=StreamSource(
            name="VIGIE", external=ExternalStream(api="$JS.hq.API"))))
        payload = b"x" * 600
        interval = 60.0 / args.rate
        sent = 0
        async def publish_for(seconds):
            nonlocal sent
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                await hjs.publish("vigie.mention.a.x", payload, headers={"Nats-Msg-Id": str(sent)})
                sent += 1
                await asyncio.sleep(interval)
        await publish_for(5)
        relay.cut()
        await publish_for(args.cut)
        before = (await rjs.stream_info("VIGIE")).state.last_seq
        relay.open = True
        restored = time.monotonic()
        hub_last = (await hjs.stream_info("VIGIE")).state.last_seq
        publishing = asyncio.ensure_future(publish_for(600))
        while True:
            info = await rjs.stream_info("VIGIE")
            if info.state.last_seq >= hub_last:
                break
            await asyncio.sleep(0.05)
        took = time.monotonic() - restored
        publishing.cancel()
        print(f"catch-up after a {args.cut:.0f} s cut at {args.rate:.0f} messages/min: "
              f"the hub held {hub_last} messages at the restore, the room's mirror {before}; the mirror "
              f"had them all {took:.2f} s later")
    finally:
        hub_proc.kill()
        room_proc.kill()

asyncio.run(main())
