from devtools.local_broker import Broker, Credentials, free_port

__all__ = ["Broker", "Credentials", "free_port"]
