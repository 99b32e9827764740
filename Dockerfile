FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint needs Pango; fonts with Kazakh letters for the printed documents.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=build ALLOWED_HOSTS=* \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 KANDAS_PUBLIC_BASE_URL=https://build.invalid \
    python manage.py collectstatic --no-input
RUN useradd --create-home kandas && mkdir -p /app/media /app/private-media && chown kandas /app/media /app/private-media
USER kandas
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
