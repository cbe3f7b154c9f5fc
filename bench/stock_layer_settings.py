"""Production settings with the stock `channels_redis.core.RedisChannelLayer` (bench/p4_storm.py
compares it with ours, `live.layers.RedisChannelLayer`).

    DJANGO_SETTINGS_MODULE=bench.stock_layer_settings

The stock layer gets redis-py's own connection pool: unbounded by default, or capped at
BENCH_STOCK_MAX_CONNECTIONS (a plain ConnectionPool, which raises "Too many connections"
when a command finds every connection busy). Everything else is config.settings.prod.
"""

from config.settings.prod import *  # noqa: F403
from config.settings.prod import CHANNEL_LAYERS, REDIS_URL, env

_max_connections = env.int("BENCH_STOCK_MAX_CONNECTIONS", default=0)
_config = {
    key: value
    for key, value in CHANNEL_LAYERS["default"]["CONFIG"].items()
    if key != "max_connections"
}
_config["hosts"] = [
    {"address": REDIS_URL, "max_connections": _max_connections} if _max_connections else REDIS_URL
]
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": _config}
}
