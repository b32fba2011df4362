# odoorpc-server as an image: the package installed at build time, run by an unprivileged user,
# its SQLite data (or, with --db-url, just its config file) in the /data volume.
#   docker build -t odoorpc-server .
#   docker run -p 8069:8069 -v odoorpc-data:/data odoorpc-server          # a demo instance on SQLite
# Arguments after the image name replace CMD (they are `odoorpc-server serve` options).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF reports) needs Pango at run time, and a font
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY pyproject.toml README.md ./
COPY odoorpc_server ./odoorpc_server
COPY migrations ./migrations
RUN pip install . && cd / && rm -rf /build

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin odoorpc \
    && mkdir /data && chown odoorpc:odoorpc /data
USER odoorpc
WORKDIR /home/odoorpc
VOLUME ["/data"]
EXPOSE 8069

# a call answered over XML-RPC; python, as slim images have no curl
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import socket, xmlrpc.client; socket.setdefaulttimeout(4); xmlrpc.client.ServerProxy('http://127.0.0.1:8069/xmlrpc/2/common').version()"]

# exec form: the server is PID 1 and gets SIGTERM itself (it stops cleanly, exit code 0)
STOPSIGNAL SIGTERM
ENTRYPOINT ["odoorpc-server", "serve"]
CMD ["--host", "0.0.0.0", "--port", "8069", "--data-dir", "/data", "--demo"]
