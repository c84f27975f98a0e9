using KeyRotation.Core.History;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// The auditor's evidence for a set of aliases at one moment: per alias the current key, its age and cryptoperiod, the
/// last rotation, the next scheduled run, where it stands, and every generation with its state, last use and cost.
/// docs/report.md describes every field; docs/report.schema.json is the JSON's schema.
/// </summary>
public sealed record ComplianceReport
{
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>MAX_KEY_AGE_DAYS: the cryptoperiod of aliases without an override tag.</summary>
    public required int MaxKeyAgeDays { get; init; }

    public required RotationSchedule Schedule { get; init; }

    /// <summary>False when the report was made without GetKeyLastUsage (the function's role has none): no last use is shown.</summary>
    public required bool LastUseRead { get; init; }

    public required IReadOnlyList<AliasCompliance> Aliases { get; init; }

    /// <summary>True when the consumer inventory was run (report --consumers, or the retention function's report with RETIRE_CHECK_CONSUMERS): each generation then has <see cref="GenerationCompliance.Consumers"/>.</summary>
    public bool ConsumersRead { get; init; }

    public int Compliant => Aliases.Count(a => a.Cryptoperiod?.Standing == CryptoperiodStanding.Compliant);

    public int DueSoon => Aliases.Count(a => a.Cryptoperiod?.Standing == CryptoperiodStanding.DueSoon);

    public int Overdue => Aliases.Count(a => a.Cryptoperiod?.Standing == CryptoperiodStanding.Overdue);

    /// <summary>Aliases that could not be read or measured (each has its <see cref="AliasCompliance.Error"/>).</summary>
    public int Unmeasured => Aliases.Count(a => a.Cryptoperiod is null);

    /// <summary>The summary line: "3 alias(es): 1 compliant, 1 due soon, 1 overdue".</summary>
    public string DescribeSummary() =>
        $"{Aliases.Count} alias(es): {Compliant} compliant, {DueSoon} due soon, {Overdue} overdue{(Unmeasured > 0 ? $", {Unmeasured} not measured" : string.Empty)}.";
}

/// <summary>One alias of a <see cref="ComplianceReport"/>; <see cref="Error"/> is set when it could not be read or measured.</summary>
public sealed record AliasCompliance
{
    public required string Alias { get; init; }

    /// <summary>With --accounts: the account the alias was read in; null for the caller's own.</summary>
    public string? Account { get; init; }

    /// <summary>With --accounts: the Region the alias was read in; null for the caller's own.</summary>
    public string? Region { get; init; }

    /// <summary>What status shows for the alias; null when it could not be read.</summary>
    public AliasStatus? Status { get; init; }

    /// <summary>The alias against its cryptoperiod; null when it could not be measured.</summary>
    public AliasCryptoperiod? Cryptoperiod { get; init; }

    /// <summary>When the alias last got new key material: null when it never did since its key was created.</summary>
    public DateTimeOffset? LastRotation { get; init; }

    /// <summary>Which of KMS's dates <see cref="LastRotation"/> is (alias LastUpdatedDate, key CreationDate, ListKeyRotations).</summary>
    public string? LastRotationSource { get; init; }

    /// <summary>The current key, the earlier generations, then the rolled-back ones: the keys status lists, in its order.</summary>
    public IReadOnlyList<GenerationCompliance> Generations { get; init; } = [];

    /// <summary>The alias's keys by KMS key state and their cost, as status counts them.</summary>
    public KeyCost? Cost { get; init; }

    public string? Error { get; init; }
}

/// <summary>One key of an alias in the report: what status shows, its last use and what it costs a month.</summary>
public sealed record GenerationCompliance
{
    /// <summary>current, earlier or rolled back.</summary>
    public required string Role { get; init; }

    public required KeyGeneration Key { get; init; }

    /// <summary>GetKeyLastUsage's evidence; null when it was not read.</summary>
    public LastUseEvidence? LastUse { get; init; }

    /// <summary>For a multi-Region primary that is the current key: each replica's own last use (KMS tracks them apart).</summary>
    public IReadOnlyList<ReplicaLastUse> Replicas { get; init; } = [];

    /// <summary>What the consumer inventory found referencing this key; null when it was not read (not asked, or the alias's generations could not be read).</summary>
    public GenerationConsumers? Consumers { get; init; }

    /// <summary>KeyCost's price for this key: charged unless it is pending deletion or gone.</summary>
    public decimal MonthlyDollars => KeyCost.MonthlyDollarsOf(Key);

    /// <summary>
    /// The key's lifecycle for people: enabled, disabled, pending deletion (with its date), not found, or KMS's own
    /// state for the others.
    /// </summary>
    public string Lifecycle => Key.Missing ? "not found" : Key.KeyState switch
    {
        "Enabled" => "enabled",
        "Disabled" => "disabled",
        "PendingDeletion" or "PendingReplicaDeletion" => Key.DeletionDate is { } at ? $"pending deletion on {RecordedTime.Format(at)}" : "pending deletion",
        var other => other ?? "unknown",
    };
}

/// <summary>One replica of a multi-Region current key, in its Region, with its KMS key state and its own last use (null: not read).</summary>
public sealed record ReplicaLastUse(string Region, string KeyId, string? KeyState, LastUseEvidence? LastUse);

/// <summary>What GetKeyLastUsage proves about a key, as the report shows it.</summary>
/// <param name="Kind">used, never-used, unused-since-tracking, or unknown (the call failed).</param>
/// <param name="At">used: when; unused-since-tracking: when tracking began; never-used: the key's creation.</param>
/// <param name="Operation">used: the cryptographic operation.</param>
/// <param name="CloudTrailEventId">used: the CloudTrail event of that use.</param>
/// <param name="Description">One line for people.</param>
public sealed record LastUseEvidence(string Kind, DateTimeOffset? At, string? Operation, string? CloudTrailEventId, string Description);
