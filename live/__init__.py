"""The live layer: one WebSocket per tab at `/ws/`, streams of events published after commit.

- `events.publish(stream, type, data)`: what services call, inside their transaction;
  the event is stored in the stream's backlog and fanned out only after commit.
- `backlog`: per-stream ids and the bounded history that `since` replays from.
- `streams`: stream names, channel-layer groups, and who may subscribe to what.
- `presence`: who is viewing and typing on a question (ephemeral, never replayed).
- `consumers.LiveConsumer`: the socket protocol (subscribe / unsubscribe / typing).
- `auth`: session or token authentication and the Origin checks for the socket.
"""
