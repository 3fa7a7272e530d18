# The mlgate container action. GitHub runs it as root with the workspace as the working
# directory, so there is no USER and no WORKDIR here.
#
# Two stages: the first installs the pinned dependencies and mlgate into a virtual environment
# and prunes what never runs (test suites, C headers); the second copies only that environment
# onto the base image, so no pip cache or build leftovers reach the final layer.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/mlgate
# dependencies first (pinned): this layer is reused while only mlgate's code changes
COPY requirements/action.txt /tmp/requirements.txt
RUN /opt/mlgate/bin/pip install --no-cache-dir --requirement /tmp/requirements.txt
COPY pyproject.toml README.md /tmp/mlgate/
COPY src /tmp/mlgate/src
RUN /opt/mlgate/bin/pip install --no-cache-dir --no-deps /tmp/mlgate \
    && site=$(/opt/mlgate/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))") \
    && find "$site" -depth -type d -name tests -path "$site/*/*" -exec rm -rf {} + \
    && rm -rf "$site"/pyarrow/include "$site"/pyarrow/src "$site"/numpy/_core/include \
    && rm -f "$site"/pyarrow/*flight* "$site"/pyarrow/*_s3* "$site"/pyarrow/_s3fs* \
    && find "$site" -name "*.pyx" -delete -o -name "*.pxd" -delete -o -name "*.h" -delete \
    && /opt/mlgate/bin/pip uninstall --yes --quiet setuptools

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/opt/mlgate/bin:$PATH

# git: `ref: base` reads files as of the pull request's base commit. It needs only git's own
# commands (show, ls-tree, rev-parse), none of its Perl scripts: Perl (about 50 MB) is removed.
# hadolint ignore=DL3008,SC2046
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git \
    && dpkg --purge --force-depends perl liberror-perl git-man \
       $(dpkg-query -W -f '${Package}\n' 'perl-modules-*' 'libperl5*') \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin

COPY --from=build /opt/mlgate /opt/mlgate
COPY entrypoint.py /entrypoint.py
ENTRYPOINT ["python", "/entrypoint.py"]
