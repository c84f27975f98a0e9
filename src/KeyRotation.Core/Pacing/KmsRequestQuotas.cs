using System.Globalization;

namespace KeyRotation.Core.Pacing;

/// <summary>
/// Requests per second this process allows itself for each KMS operation: KMS's default request quotas per account and
/// Region, overridden for accounts with raised quotas (<c>KMS_REQUEST_QUOTAS="CreateKey=20,UpdateAlias=20"</c>).
/// An operation not listed here (for example Encrypt in the sandbox's demonstration) is not paced.
/// </summary>
public sealed class KmsRequestQuotas
{
    /// <summary>
    /// KMS's default request quotas (requests per second) for the operations this tool calls, from the KMS Developer
    /// Guide's "Request quotas" table; the same values LocalKms enforces by default.
    /// </summary>
    public static IReadOnlyDictionary<string, double> DefaultRates { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["CancelKeyDeletion"] = 5,
        ["CreateAlias"] = 5,
        ["CreateGrant"] = 50,
        ["CreateKey"] = 5,
        ["DeleteAlias"] = 5,
        ["DeleteImportedKeyMaterial"] = 5,
        ["DescribeKey"] = 2000,
        ["DisableKey"] = 5,
        ["EnableKey"] = 5,
        // GetKeyLastUsage (retention's proof of non-use) is not in the Developer Guide's table as of this writing: paced
        // with the per-key reads (ListResourceTags, GetKeyRotationStatus, ListGrants). Retention reads it once per key
        // just before a DisableKey or ScheduleKeyDeletion, so in practice those 5/s quotas bound it.
        ["GetKeyLastUsage"] = 100,
        ["GetKeyPolicy"] = 1000,
        ["GetKeyRotationStatus"] = 100,
        ["GetParametersForImport"] = 0.25,
        ["ImportKeyMaterial"] = 5,
        ["ListAliases"] = 100,
        ["ListGrants"] = 100,
        ["ListKeys"] = 100,
        ["ListResourceTags"] = 100,
        ["PutKeyPolicy"] = 5,
        ["ScheduleKeyDeletion"] = 5,
        ["TagResource"] = 10,
        ["UntagResource"] = 10,
        ["UpdateAlias"] = 5,
    };

    private KmsRequestQuotas(IReadOnlyDictionary<string, double> rates) => Rates = rates;

    /// <summary>KMS's defaults, unchanged.</summary>
    public static KmsRequestQuotas Default { get; } = new(DefaultRates);

    /// <summary>Requests per second by operation name (the X-Amz-Target operation, e.g. "CreateKey").</summary>
    public IReadOnlyDictionary<string, double> Rates { get; }

    /// <summary>The rate for an operation; null: not paced.</summary>
    public double? RateOf(string operation) => Rates.TryGetValue(operation, out var rate) ? rate : null;

    /// <summary>
    /// Parses <c>Op=rate,Op=rate</c> on top of the defaults. Returns null and adds one problem per bad entry (naming
    /// <paramref name="settingName"/> and the entry) when any is bad. Empty or null text: the defaults.
    /// </summary>
    public static KmsRequestQuotas? Parse(string? text, string settingName, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        var rates = new Dictionary<string, double>(DefaultRates, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var before = problems.Count;
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                problems.Add($"{settingName}: '{entry}' is not Operation=rate (for example CreateKey=20).");
                continue;
            }

            var (operation, value) = (parts[0], parts[1]);
            if (!DefaultRates.ContainsKey(operation))
            {
                problems.Add($"{settingName}: '{operation}' is not a KMS operation this tool paces; use one of {string.Join(", ", DefaultRates.Keys)} (names are case-sensitive).");
            }
            else if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate <= 0 || rate > 100_000 || double.IsNaN(rate))
            {
                problems.Add($"{settingName}: {operation}'s rate '{value}' is not a number of requests per second above 0 and up to 100000.");
            }
            else if (!seen.Add(operation))
            {
                problems.Add($"{settingName}: {operation} is given more than once.");
            }
            else
            {
                rates[operation] = rate;
            }
        }

        return problems.Count > before ? null : new KmsRequestQuotas(rates);
    }

    /// <summary>The quotas as KMS_REQUEST_QUOTAS would state them (the operations that differ from KMS's defaults).</summary>
    public override string ToString() => string.Join(
        ',',
        Rates.Where(r => DefaultRates[r.Key] != r.Value).OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}={r.Value}")));
}
