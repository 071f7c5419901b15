"""The storage named by the environment: this disk by default, a private bucket when one is named,
and a clear refusal at start-up for settings that cannot work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from adoptboard.settings import storage_from_environ

ROOT = Path(__file__).resolve().parents[2]
BUCKET = {"AWS_STORAGE_BUCKET_NAME": "adoptboard-papers"}


def test_without_a_bucket_papers_stay_on_this_disk():
    assert storage_from_environ({}, debug=False) == {"BACKEND": "adoptboard.storage.LocalStorage"}
    assert storage_from_environ({"AWS_STORAGE_BUCKET_NAME": "  "}, debug=True)["BACKEND"].endswith("LocalStorage")


def test_a_named_bucket_is_private_object_storage():
    storage = storage_from_environ(
        {
            **BUCKET,
            "AWS_S3_ENDPOINT_URL": "https://objects.example.org",
            "AWS_S3_REGION_NAME": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_S3_ADDRESSING_STYLE": "path",
        },
        debug=False,
    )
    assert storage["BACKEND"] == "adoptboard.storage_s3.ObjectStorage"
    options = storage["OPTIONS"]
    taken = ("bucket_name", "endpoint_url", "region_name", "access_key", "secret_key", "addressing_style")
    assert [options[name] for name in taken] == [
        "adoptboard-papers",
        "https://objects.example.org",
        "eu-west-2",
        "AKIAEXAMPLE",
        "secret",
        "path",
    ]
    # Whatever the environment says: no ACL asked, links (were any made) signed for 60 s and never on
    # a custom domain, no object overwritten.
    fixed = ("default_acl", "querystring_auth", "querystring_expire", "custom_domain", "file_overwrite")
    assert [options[name] for name in fixed] == [None, True, 60, None, False]


def test_without_keys_the_servers_role_is_used():
    options = storage_from_environ(BUCKET, debug=False)["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None and options["endpoint_url"] is None


def test_the_options_make_a_storage_that_gives_no_links():
    from adoptboard.storage_s3 import ObjectStorage

    storage = ObjectStorage(**storage_from_environ(BUCKET, debug=False)["OPTIONS"])
    assert (storage.querystring_auth, storage.file_overwrite, storage.custom_domain) == (True, False, None)
    assert storage.transfer_config.use_threads is False  # a download read in order, not held in parts
    with pytest.raises(NotImplementedError):
        storage.url("papers/a.pdf")


@pytest.mark.parametrize(
    "environ, debug, message",
    [
        ({"AWS_STORAGE_BUCKET_NAME": "Papers_2026"}, True, "AWS_STORAGE_BUCKET_NAME must be a bucket name"),
        ({"AWS_STORAGE_BUCKET_NAME": "ab"}, True, "AWS_STORAGE_BUCKET_NAME must be a bucket name"),
        ({"AWS_STORAGE_BUCKET_NAME": "a..b"}, True, "AWS_STORAGE_BUCKET_NAME must be a bucket name"),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "objects.example.org"}, True, "AWS_S3_ENDPOINT_URL must be"),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "ftp://objects.example.org"}, True, "AWS_S3_ENDPOINT_URL must be"),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "https://objects.example.org/?x=1"}, True, "AWS_S3_ENDPOINT_URL must be"),
        (
            {**BUCKET, "AWS_S3_ENDPOINT_URL": "https://key:secret@objects.example.org"},
            True,
            "must not hold credentials",
        ),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "http://objects.internal:9000"}, False, "must use https when DEBUG is off"),
        ({**BUCKET, "AWS_S3_REGION_NAME": "EU West 2"}, True, "AWS_S3_REGION_NAME must be a region name"),
        ({**BUCKET, "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}, True, "go together"),
        ({**BUCKET, "AWS_SECRET_ACCESS_KEY": "secret"}, True, "go together"),
        ({**BUCKET, "AWS_S3_ADDRESSING_STYLE": "sideways"}, True, "AWS_S3_ADDRESSING_STYLE must be"),
    ],
)
def test_settings_that_cannot_work_are_refused_with_a_clear_message(environ, debug, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        storage_from_environ(environ, debug=debug)


def test_plain_http_is_allowed_for_a_local_server_while_debugging():
    options = storage_from_environ({**BUCKET, "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, debug=True)["OPTIONS"]
    assert options["endpoint_url"] == "http://127.0.0.1:9000"


def test_the_app_does_not_start_with_a_bad_storage_setting():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_STORAGE_BUCKET_NAME="adoptboard-papers", AWS_ACCESS_KEY_ID="AKIAEXAMPLE")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together" in result.stderr
