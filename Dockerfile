FROM python:3.11-slim-bookworm
WORKDIR /app
# The speech's free Fandol fonts come from Debian's texlive-lang-chinese without installing TeX
# (the same script `make install` runs), into the image's var/fonts/fandol.
COPY reports/rendering/fetch-fandol-fonts.sh /tmp/fetch-fandol-fonts.sh
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-noto-cjk fonts-arphic-ukai poppler-utils \
 && bash /tmp/fetch-fandol-fonts.sh /app/var/fonts/fandol \
 && rm -rf /var/lib/apt/lists/* /tmp/fetch-fandol-fonts.sh
COPY pyproject.toml ./
COPY lawgov lawgov
COPY metrics metrics
COPY reports reports
RUN pip install --no-cache-dir .
COPY . .
ENV DJANGO_DEBUG=false REPORT_FANDOL_DIR=/app/var/fonts/fandol
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
EXPOSE 8000
