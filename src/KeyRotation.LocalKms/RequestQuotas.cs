namespace KeyRotation.LocalKms;

/// <summary>
/// Token buckets per quota group, refilled on the service's TimeProvider. Defaults are the KMS
/// documented per-second request quotas; cryptographic operations share one bucket (simplified:
/// KMS splits it further by key type: symmetric, RSA, ECC, HMAC).
/// </summary>
internal sealed class RequestQuotas
{
    public const string CryptographicGroup = "CryptographicOperations";

    private static readonly HashSet<string> CryptographicOperations = new(StringComparer.Ordinal)
    {
        "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
        "GenerateRandom", "Sign", "Verify", "GenerateMac", "VerifyMac",
    };

    private static readonly Dictionary<string, double> Defaults = new(StringComparer.Ordinal)
    {
        [CryptographicGroup] = 10000, // the lowest Regional default for symmetric keys (20,000 and 100,000 in some Regions)
        ["CancelKeyDeletion"] = 5,
        ["CreateAlias"] = 5,
        ["CreateGrant"] = 50,
        ["CreateKey"] = 5,
        ["DeleteAlias"] = 5,
        ["DeleteImportedKeyMaterial"] = 5,
        ["DescribeKey"] = 2000,
        ["DisableKey"] = 5,
        ["DisableKeyRotation"] = 5,
        ["EnableKey"] = 5,
        ["EnableKeyRotation"] = 5,
        ["GetKeyPolicy"] = 1000,
        ["GetKeyRotationStatus"] = 100,
        ["GetParametersForImport"] = 0.25,
        ["ImportKeyMaterial"] = 5,
        ["ListAliases"] = 100,
        ["ListGrants"] = 100,
        ["ListKeyPolicies"] = 100,
        ["ListKeys"] = 100,
        ["ListResourceTags"] = 100,
        ["PutKeyPolicy"] = 5,
        ["ScheduleKeyDeletion"] = 5,
        ["TagResource"] = 10, // the rate this project's issue gives, from KMS's quota table
        ["UntagResource"] = 10,
        ["UpdateAlias"] = 5,
    };

    private readonly Dictionary<string, double> _rates;
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public RequestQuotas(IReadOnlyDictionary<string, double> overrides)
    {
        _rates = new Dictionary<string, double>(Defaults, StringComparer.Ordinal);
        foreach (var (op, rate) in overrides)
        {
            SetRate(op, rate);
        }
    }

    public static string GroupOf(string operation) =>
        CryptographicOperations.Contains(operation) ? CryptographicGroup : operation;

    public void SetRate(string operationOrGroup, double requestsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        lock (_gate)
        {
            _rates[GroupOf(operationOrGroup)] = requestsPerSecond;
            _buckets.Remove(GroupOf(operationOrGroup));
        }
    }

    /// <summary>Takes one token; false when the operation is over its quota right now.</summary>
    public bool TryAcquire(string operation, DateTimeOffset now)
    {
        var group = GroupOf(operation);
        lock (_gate)
        {
            if (!_rates.TryGetValue(group, out var rate))
            {
                rate = 5; // undocumented here: the common management-operation quota
            }

            var capacity = Math.Max(1, rate);
            var (tokens, at) = _buckets.TryGetValue(group, out var b) ? b : (capacity, now);
            var elapsed = Math.Max(0, (now - at).TotalSeconds);
            tokens = Math.Min(capacity, tokens + (elapsed * rate));
            if (tokens < 1)
            {
                _buckets[group] = (tokens, now);
                return false;
            }

            _buckets[group] = (tokens - 1, now);
            return true;
        }
    }
}
