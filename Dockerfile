# The mlgate container action. GitHub runs it as root with the workspace as the working
# directory, so there is no USER and no WORKDIR here.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# git: `ref: base` reads files as of the pull request's base commit
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

# dependencies first (pinned): this layer is reused while only mlgate's code changes
COPY requirements/action.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY pyproject.toml README.md /tmp/mlgate/
COPY src /tmp/mlgate/src
RUN pip install --no-cache-dir --no-deps /tmp/mlgate \
    && rm -rf /tmp/mlgate

COPY entrypoint.py /entrypoint.py
ENTRYPOINT ["python", "/entrypoint.py"]
