# One image for Copystream's Python services (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY contracts contracts
COPY policy policy
COPY streams streams
COPY features features
COPY serving serving
COPY training training
COPY simulate simulate
COPY infra infra
COPY bench bench
RUN pip install --no-cache-dir -c constraints.txt .
ENV COPYSTREAM_HOME=/var/lib/copystream
CMD ["python", "-m", "streams"]
