FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_DEBUG=true python manage.py compile_translations \
 && DJANGO_DEBUG=false SECRET_KEY=build-only-collectstatic-key-000000000000000000000000 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --create-home privacy && mkdir -p /app/var && chown -R privacy /app/var
USER privacy
EXPOSE 8000
