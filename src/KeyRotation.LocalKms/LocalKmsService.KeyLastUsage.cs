using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// GetKeyLastUsage, as the KMS API reference describes it: each key records its last successful cryptographic
/// operation (operation, time, CloudTrail event id, KMS request id); failed calls record nothing. A multi-Region
/// primary and its replicas are separate keys here, so each tracks its own use, as the reference says. KMS records
/// nothing before its tracking start date, so neither does LocalKms: a use before <see cref="TrackingStartDate"/> is
/// not kept, and the response's TrackingStartDate is the later of that date and the key's creation.
/// </content>
public sealed partial class LocalKmsService
{
    /// <summary>
    /// The default <see cref="TrackingStartDate"/>: 2026-04-27, the day KMS released GetKeyLastUsage (KMS records
    /// cryptographic use from then on). A test whose clock runs earlier sets its own date.
    /// </summary>
    public static readonly DateTimeOffset DefaultTrackingStartDate = new(2026, 4, 27, 0, 0, 0, TimeSpan.Zero);

    private DateTimeOffset _trackingStartDate;

    /// <summary>The request id the call being served is answered with (set under the state lock).</summary>
    private string _servingRequestId = string.Empty;

    /// <summary>
    /// From when key use is recorded; a key created earlier answers this date as its TrackingStartDate, so tests set it
    /// after a key's creation to see the reference's "key older than TrackingStartDate" case.
    /// </summary>
    public DateTimeOffset TrackingStartDate
    {
        get
        {
            lock (_state)
            {
                return _trackingStartDate;
            }
        }

        set
        {
            lock (_state)
            {
                _trackingStartDate = value;
            }
        }
    }

    /// <summary>The last use recorded for a key (id, key ARN, alias name or alias ARN); null when none or no such key.</summary>
    public LocalKmsKeyUsage? GetKeyLastUsageSnapshot(string keyId)
    {
        lock (_state)
        {
            return TryResolve(keyId)?.LastUsage;
        }
    }

    /// <summary>
    /// Test setup: records <paramref name="operation"/> as the key's last use at <paramref name="timestamp"/>, with fresh
    /// request and CloudTrail event ids, as a successful call at that time would (for a key "used a day ago").
    /// </summary>
    public LocalKmsKeyUsage SetKeyLastUsage(string keyId, string operation, DateTimeOffset timestamp)
    {
        if (!TrackedOperations.Contains(operation))
        {
            throw new ArgumentException($"'{operation}' is not an operation GetKeyLastUsage reports ({string.Join(", ", TrackedOperations)}).", nameof(operation));
        }

        lock (_state)
        {
            var key = TryResolve(keyId) ?? throw new ArgumentException($"No key '{keyId}'.", nameof(keyId));
            key.LastUsage = new LocalKmsKeyUsage(operation, timestamp, Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
            return key.LastUsage;
        }
    }

    /// <summary>The operations KeyLastUsageData's Operation names (the reference's valid values).</summary>
    private static readonly string[] TrackedOperations =
    [
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign", "Verify", "VerifyMac",
    ];

    /// <summary>
    /// Records a successful cryptographic call on <paramref name="key"/>; called once the call can no longer fail.
    /// The KMS request id is the one the call is answered with; the CloudTrail event id is new for each call.
    /// </summary>
    private void RecordUse(KmsKey key, string operation, string? cloudTrailEventId = null)
    {
        var now = _time.GetUtcNow();
        if (now >= _trackingStartDate)
        {
            key.LastUsage = new LocalKmsKeyUsage(operation, now, cloudTrailEventId ?? Guid.NewGuid().ToString(), _servingRequestId);
        }
    }

    /// <summary>
    /// Works in every key state (its error list has no DisabledException or KMSInvalidStateException); only key ids and
    /// key ARNs, since alias names are not supported (NotFoundException).
    /// </summary>
    private JsonObject GetKeyLastUsage(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var usage = new JsonObject();
        if (key.LastUsage is { } last)
        {
            usage["Operation"] = last.Operation;
            usage["Timestamp"] = Epoch(last.Timestamp);
            usage["CloudTrailEventId"] = last.CloudTrailEventId;
            usage["KmsRequestId"] = last.KmsRequestId;
        }

        return new JsonObject
        {
            ["KeyId"] = key.KeyId,
            ["KeyLastUsage"] = usage,
            [nameof(TrackingStartDate)] = Epoch(key.CreationDate > _trackingStartDate ? key.CreationDate : _trackingStartDate),
            ["KeyCreationDate"] = Epoch(key.CreationDate),
        };
    }
}

/// <summary>A key's last successful cryptographic operation, as GetKeyLastUsage's KeyLastUsageData reports it.</summary>
public sealed record LocalKmsKeyUsage(string Operation, DateTimeOffset Timestamp, string CloudTrailEventId, string KmsRequestId);
