# tradewire: the Discord bot and CLI, CPU-only PyTorch, the bundled model inside, running as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TRADEWIRE_HOME=/data \
    TRADEWIRE_CACHE=/opt/tradewire-cache \
    MPLCONFIGDIR=/opt/tradewire-cache/matplotlib

WORKDIR /app

# CPU wheel first, so sentence-transformers does not pull a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY embeddings ./embeddings
COPY answering ./answering
COPY bot ./bot
# Loading both encoders once checks the bundled model, and bakes the int8 graph into the image's cache;
# reading once checks that the trained reader shipped inside the package; matplotlib's font list is made once
# here, so the first chart (/timeline, /tariffs pictures) does not wait for it.
RUN pip install . \
    && python -c "from embeddings.encoder import make_encoder as e; e(precision='float32').encode(['ok']); e().encode(['ok'])" \
    && python -c "from answering.reader import Reader, Window; assert Reader().read('what?', [Window('ok.')])[0]" \
    && python -c "import matplotlib.font_manager" \
    && chmod -R a+rX /opt/tradewire-cache

RUN useradd --create-home --uid 10001 tradewire \
    && mkdir -p /data \
    && chown tradewire:tradewire /data
USER 10001
VOLUME ["/data"]

ENTRYPOINT ["tradewire"]
CMD ["serve"]
