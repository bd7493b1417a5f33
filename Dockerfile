# One image for Copystream's Python services (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY contracts contracts
COPY policy policy
COPY releases releases
COPY streams streams
COPY features features
COPY serving serving
COPY training training
COPY simulate simulate
COPY infra infra
COPY bench bench
# The retraining job needs torch (the `train` extra); build with --build-arg EXTRAS= for a
# serving-only image without it.
ARG EXTRAS=train
RUN pip install --no-cache-dir -c constraints.txt ".[${EXTRAS}]"
ENV COPYSTREAM_HOME=/var/lib/copystream
CMD ["python", "-m", "streams"]
