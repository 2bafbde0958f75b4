# syntax=docker/dockerfile:1

# Build: a static binary. Migrations, templates and static files are embedded,
# so the final image needs nothing but the binary.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so editing the code does not redownload them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# VERSION ends up in `botbridge version` if main declares `var version`;
# -X on a missing variable is ignored, so the build never depends on it.
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" \
        -o /out/botbridge ./cmd/botbridge

# Run: distroless static, no shell, runs as uid 65532 (nonroot).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/botbridge /botbridge
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/botbridge"]
CMD ["serve", "--migrate"]
