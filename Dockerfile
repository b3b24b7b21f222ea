# Builds the api and worker binaries; docker-compose.yml runs both from it.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p api -p worker

FROM debian:bookworm-slim
# curl: the compose healthcheck asks GET /api/v1/ready.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/api /src/target/release/worker /usr/local/bin/
USER nobody
EXPOSE 8080
CMD ["api"]
