"""Protocol adapters: they decode requests, call the services, and encode answers or faults."""
