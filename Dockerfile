# The service as a small image: built with the Rust toolchain, run as a non-root user on Debian's
# slim base (the binary links glibc). `docker build -t alliance-kb .`
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin alliance-kb

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin alliance-kb
COPY --from=build /src/target/release/alliance-kb /usr/local/bin/alliance-kb
USER alliance-kb
ENV ALLIANCE_KB_LISTEN=0.0.0.0:8080 ALLIANCE_KB_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=2s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["/usr/local/bin/alliance-kb"]
CMD ["serve"]
