FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-noto-cjk fonts-arphic-ukai poppler-utils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY lawgov lawgov
COPY metrics metrics
COPY reports reports
RUN pip install --no-cache-dir .
COPY . .
ENV DJANGO_DEBUG=false
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
EXPOSE 8000
