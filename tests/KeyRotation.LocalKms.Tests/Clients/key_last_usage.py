"""GetKeyLastUsage against running standalone LocalKms servers, as a user drives it with boto3 and the AWS CLI.

Usage: python3 key_last_usage.py ENDPOINT_URL LATE_TRACKING_ENDPOINT_URL
The first server tracks from its default date (2026-04-27); the second was started with --tracking-start-date 2099-01-01,
so every key on it is older than its TrackingStartDate. (StandaloneClientTests starts both and runs this.)
Every check compares the answer (fields, error code, HTTP status, the CLI's output and exit code) with the KMS API
reference's. Prints one line per failed check and a summary line; exits 1 when any check failed.
"""
import datetime
import json
import subprocess
import sys
import uuid

import boto3
from botocore.exceptions import ClientError

ENDPOINT, LATE_ENDPOINT = sys.argv[1], sys.argv[2]
REGION = "us-east-1"
LATE_TRACKING_START = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)

failures = []
passed = 0


def check(name, actual, expected):
    global passed
    if actual == expected:
        passed += 1
    else:
        failures.append(f"{name}: expected {expected!r}, got {actual!r}")


def client(endpoint=ENDPOINT, region=REGION):
    return boto3.client("kms", region_name=region, endpoint_url=endpoint,
                        aws_access_key_id="test", aws_secret_access_key="secret")


def error_of(call, **kwargs):
    """(code, HTTP status) of the error a call answers; None when it succeeds."""
    try:
        call(**kwargs)
        return None
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


def is_uuid(text):
    try:
        uuid.UUID(text)
        return True
    except (TypeError, ValueError):
        return False


def aws(*args, endpoint=ENDPOINT):
    """Runs `aws kms ARGS` against the endpoint: (exit code, stdout, stderr)."""
    done = subprocess.run(["aws", "kms", *args, "--endpoint-url", endpoint, "--region", REGION, "--output", "json"],
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout, done.stderr


kms = client()

# boto3: a key never used since its creation answers an empty KeyLastUsage and tracks from its creation.
key = kms.create_key()["KeyMetadata"]
fresh = kms.get_key_last_usage(KeyId=key["KeyId"])
check("fresh fields", sorted(k for k in fresh if k != "ResponseMetadata"), ["KeyCreationDate", "KeyId", "KeyLastUsage", "TrackingStartDate"])
check("fresh KeyId", fresh["KeyId"], key["KeyId"])
check("fresh KeyLastUsage", fresh["KeyLastUsage"], {})
check("fresh KeyCreationDate", fresh["KeyCreationDate"], key["CreationDate"])
check("fresh TrackingStartDate", fresh["TrackingStartDate"], key["CreationDate"])

# boto3: Encrypt is recorded with the request id it was answered with; a later Decrypt replaces it.
encrypt = kms.encrypt(KeyId=key["Arn"], Plaintext=b"payroll")
used = kms.get_key_last_usage(KeyId=key["Arn"])["KeyLastUsage"]
check("encrypt fields", sorted(used), ["CloudTrailEventId", "KmsRequestId", "Operation", "Timestamp"])
check("encrypt operation", used["Operation"], "Encrypt")
check("encrypt request id", used["KmsRequestId"], encrypt["ResponseMetadata"]["RequestId"])
check("encrypt event id", is_uuid(used["CloudTrailEventId"]), True)
check("encrypt timestamp", used["Timestamp"] >= key["CreationDate"], True)
decrypt = kms.decrypt(CiphertextBlob=encrypt["CiphertextBlob"])
after_decrypt = kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]
check("decrypt operation", (after_decrypt["Operation"], after_decrypt["KmsRequestId"]), ("Decrypt", decrypt["ResponseMetadata"]["RequestId"]))
check("decrypt new event id", after_decrypt["CloudTrailEventId"] != used["CloudTrailEventId"], True)

# boto3: a failed call records nothing.
check("wrong context", error_of(kms.decrypt, CiphertextBlob=encrypt["CiphertextBlob"], EncryptionContext={"a": "b"}), ("InvalidCiphertextException", 400))
check("after failure", kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"], after_decrypt)

# boto3: MAC keys record GenerateMac and VerifyMac.
mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
mac = kms.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
check("generate mac", kms.get_key_last_usage(KeyId=mac_key)["KeyLastUsage"]["Operation"], "GenerateMac")
kms.verify_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=mac)
check("verify mac", kms.get_key_last_usage(KeyId=mac_key)["KeyLastUsage"]["Operation"], "VerifyMac")

# boto3: the documented errors.
kms.create_alias(AliasName="alias/usage", TargetKeyId=key["KeyId"])
check("alias name", error_of(kms.get_key_last_usage, KeyId="alias/usage"), ("NotFoundException", 400))
check("unknown key", error_of(kms.get_key_last_usage, KeyId=str(uuid.uuid4())), ("NotFoundException", 400))
check("not a KMS ARN", error_of(kms.get_key_last_usage, KeyId="arn:aws:s3:::bucket"), ("InvalidArnException", 400))
kms.disable_key(KeyId=key["KeyId"])
check("disabled key", kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"], "Decrypt")

# boto3: a multi-Region primary and its replica track independently.
primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
west = client(region="eu-west-1")
west.generate_data_key(KeyId=primary["KeyId"], KeySpec="AES_256")
check("replica used", west.get_key_last_usage(KeyId=primary["KeyId"])["KeyLastUsage"]["Operation"], "GenerateDataKey")
check("primary unused", kms.get_key_last_usage(KeyId=primary["KeyId"])["KeyLastUsage"], {})

# boto3: on a server tracking from 2099, a key is older than TrackingStartDate and its use is not recorded yet.
late = client(LATE_ENDPOINT)
old = late.create_key()["KeyMetadata"]
late.encrypt(KeyId=old["KeyId"], Plaintext=b"x")
old_usage = late.get_key_last_usage(KeyId=old["KeyId"])
check("late KeyLastUsage", old_usage["KeyLastUsage"], {})
check("late TrackingStartDate", old_usage["TrackingStartDate"], LATE_TRACKING_START)
check("late creation before tracking", old_usage["KeyCreationDate"] < old_usage["TrackingStartDate"], True)

# The AWS CLI, as a user types it.
cli_key = kms.create_key()["KeyMetadata"]["KeyId"]
code, out, err = aws("get-key-last-usage", "--key-id", cli_key)
answer = json.loads(out) if code == 0 else err
check("cli unused", (code, sorted(answer) if code == 0 else answer, answer.get("KeyLastUsage") if code == 0 else None),
      (0, ["KeyCreationDate", "KeyId", "KeyLastUsage", "TrackingStartDate"], {}))
cli_encrypt = kms.encrypt(KeyId=cli_key, Plaintext=b"cli")
code, out, err = aws("get-key-last-usage", "--key-id", cli_key, "--query", "KeyLastUsage.[Operation,KmsRequestId]")
check("cli used", (code, json.loads(out) if code == 0 else err), (0, ["Encrypt", cli_encrypt["ResponseMetadata"]["RequestId"]]))
code, out, err = aws("get-key-last-usage", "--key-id", "alias/usage")
check("cli alias", (code != 0, out, err.strip().split(":")[0]),
      (True, "", "An error occurred (NotFoundException) when calling the GetKeyLastUsage operation"))
code, out, err = aws("get-key-last-usage", "--key-id", old["KeyId"], endpoint=LATE_ENDPOINT)
late_answer = json.loads(out) if code == 0 else {}
check("cli late", (code, late_answer.get("KeyLastUsage"), late_answer.get("TrackingStartDate") == LATE_TRACKING_START.timestamp()), (0, {}, True))

for failure in failures:
    print("FAILED " + failure)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
